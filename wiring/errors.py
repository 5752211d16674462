"""Errors raised by :mod:`wiring`.

Every error the package raises on bad input subclasses :class:`WiringError`,
itself a :class:`ValueError`, so ``except ValueError`` keeps working for callers
that do not know this package. Messages name the argument, file or field, the
offending value and what was expected.

Examples
--------
>>> from wiring.errors import WiringError, GraphError
>>> issubclass(GraphError, WiringError) and issubclass(WiringError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "WiringError",
    "GraphError",
    "GraphFileError",
    "DataError",
    "ConfigError",
    "SettleDidNotConverge",
    "TrainingDiverged",
]


class WiringError(ValueError):
    """Base class of every input error raised by :mod:`wiring`."""


class GraphError(WiringError):
    """A graph is malformed: edges out of range, overlapping neuron sets, ..."""


class GraphFileError(GraphError):
    """A graph file cannot be read; the message names the file (and line or field)."""


class DataError(WiringError):
    """A data set is malformed: wrong shape, non-finite values, unreadable file."""


class ConfigError(WiringError):
    """A configuration is invalid; the message names the file and key."""


class SettleDidNotConverge(WiringError):
    """A fixed-point iteration did not converge.

    Parameters
    ----------
    message : str
        What did not converge.
    phase : str
        ``"firing"`` or ``"credit"``.
    iterations : int
        Iterations run for the worst sample.
    residual : float
        Final residual (max-abs change of the last iteration) of the worst sample;
        ``inf`` or ``nan`` where the state blew up.
    sample : int
        Index of the first non-converged sample in the batch.
    """

    def __init__(
        self, message: str, *, phase: str, iterations: int, residual: float, sample: int
    ) -> None:
        super().__init__(message)
        self.phase = phase
        self.iterations = int(iterations)
        self.residual = float(residual)
        self.sample = int(sample)


class TrainingDiverged(WiringError):
    """Training diverged by its loss although every settle converged.

    Raised by :func:`wiring.fit` with ``on_diverge="raise"`` when the last epoch's mean
    training loss is non-finite or above ``wiring.divergence.BLOWUP_FACTOR`` times the
    untrained network's (see :mod:`wiring.divergence`); the message is the reason
    ``fit`` would otherwise record with status ``"unstable"``.

    Parameters
    ----------
    message : str
        The reason (:func:`wiring.divergence.loss_blowup`).
    epoch : int
        The last epoch, whose loss blew up.
    loss_start, loss_end : float
        The untrained network's mean training loss and the last epoch's.
    """

    def __init__(self, message: str, *, epoch: int, loss_start: float, loss_end: float) -> None:
        super().__init__(message)
        self.epoch = int(epoch)
        self.loss_start = float(loss_start)
        self.loss_end = float(loss_end)
