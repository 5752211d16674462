"""Activation and balance functions: name -> kernel code, plus numpy references.

The registries are the one place names are defined; the CLI, configuration
checks and error messages all read them.

Examples
--------
>>> sorted(ACTIVATIONS)
['linear', 'relu', 'satrelu', 'sigmoid', 'tanh']
>>> float(ACTIVATIONS["satrelu"].function(np.array(2.0)))
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wiring.kernels import neurons as _k

__all__ = ["Activation", "ACTIVATIONS", "BALANCES", "activation_code", "balance_code"]


@dataclass(frozen=True)
class Activation:
    """An activation: kernel code, numpy function and its derivative."""

    code: int
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    doc: str


def _sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))


#: Activations by name, each with its kernel code, numpy function and derivative.
ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(_k.TANH, np.tanh, lambda s: 1.0 - np.tanh(s) ** 2, "tanh(s)"),
    "sigmoid": Activation(
        _k.SIGMOID, _sigmoid, lambda s: _sigmoid(s) * (1 - _sigmoid(s)), "1 / (1 + exp(-s))"
    ),
    "relu": Activation(
        _k.RELU, lambda s: np.maximum(s, 0.0), lambda s: (s > 0).astype(float), "max(s, 0)"
    ),
    "linear": Activation(_k.LINEAR, lambda s: s, lambda s: np.ones_like(s), "s"),
    "satrelu": Activation(
        _k.SATRELU,
        lambda s: np.clip(s, 0.0, 1.0),
        lambda s: ((s > 0) & (s < 1)).astype(float),
        "min(max(s, 0), 1): a relu saturating at 1",
    ),
}

#: Balance functions f(s). ``derivative`` makes the rule equal to backprop;
#: ``gaussian`` is exp(-(s - center)^2 / (2 width^2)), a bell with a set-point.
BALANCES: dict[str, int] = {"derivative": _k.DERIVATIVE, "gaussian": _k.GAUSSIAN}


def activation_code(name: str, argument: str = "activation") -> int:
    """Kernel code of an activation name; unknown names list the valid ones.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    argument : str
        The argument's name, for the error message.

    Returns
    -------
    int

    Examples
    --------
    >>> activation_code("tanh")
    0
    """
    from wiring._checks import check_choice

    return ACTIVATIONS[check_choice(name, argument, ACTIVATIONS)].code


def balance_code(name: str) -> int:
    """Kernel code of a balance-function name; unknown names list the valid ones.

    Parameters
    ----------
    name : str
        A key of :data:`BALANCES`.

    Returns
    -------
    int

    Examples
    --------
    >>> balance_code("gaussian")
    1
    """
    from wiring._checks import check_choice

    return BALANCES[check_choice(name, "balance", BALANCES)]
