"""When a run has failed: the engine's one divergence test and its reasons.

"Failure is failure, everywhere": a run whose dynamics, weights or loss blew up ends
with status ``"unstable"`` and a reason naming what blew up, where, and at which
learning rate, never with NaN weights or a silent ``"ok"``. Three conditions, checked
by :func:`wiring.train.fit` (all three) and :func:`wiring.simulate.simulate` (the
first two: the noise task has no data, hence no loss):

1. **Dynamics.** The firing rates or the credit become non-finite or explode while
   settling (``fit``: the settle kernels report ``DIVERGED`` for a sample; ``simulate``:
   a rate or credit value is non-finite or above ``1e150`` after an iteration). Reason:
   :func:`dynamics_reason`, e.g. ``"firing dynamics diverged at epoch 3, sample 17
   (learning rate 5; max |w| = 812): the weights grew past the stable regime"``.
2. **Weights.** ``max |w|`` passes ``weight_limit`` (default ``1e6``; ``fit``: after
   every epoch; ``simulate``: after every chunk of at most 2,000 iterations and at
   every checkpoint). A saturating activation keeps the rates finite however large the
   weights grow, so the dynamics check alone would miss it. Reason:
   :func:`weight_reason`, e.g. ``"the weights diverged at iteration 400 (learning rate
   1e+03): max |w| = 2.3e+06 passed weight_limit 1e+06"``.
3. **Loss** (``fit`` only). Training ended "ok" by the two checks above, but the last
   epoch's mean training loss is non-finite or above :data:`BLOWUP_FACTOR` (2) times the
   untrained network's on the same data (``metrics[0]``): saturating ``tanh`` neurons
   hide a too-high learning rate from both checks (finite rates, weights far below
   the limit) while every update overshoots. Reason: :func:`loss_blowup`.

``fit(..., on_diverge="raise")`` raises instead of recording: a
:class:`~wiring.errors.SettleDidNotConverge` for conditions 1 and 2 (as it always
has), a :class:`~wiring.errors.TrainingDiverged` for condition 3. The
scikit-learn estimators (:mod:`wiring.sklearn`) take ``fit``'s verdict and add a
warning, no error, for a final loss above :data:`WORSE_FACTOR` (1.1) times the
untrained one.

Why 2 and 1.1 (measured on ``load_digits / 16``, the defaults: recurrent, 100
hidden): the untrained network is near chance (about ln K for K classes under
cross-entropy), and a model that learns ends below it. Runs that learn end at 0.01x
to 0.97x of it: lr 0.001-0.1 over 1 or 8 epochs and 5 seeds at most 0.86x, the slowest
(lr 3e-4, one epoch) at 0.97x, under each of the 5 rules, both losses and batch size
16; a layered net under loss="mse" ends at 0.12-0.26x, the regressor on a smooth
target at <= 0.11x. Too high a rate makes every update overshoot: the rates saturate
(finite, so the settle's divergence check stays quiet) and max |w| stays far below
weight_limit, but the loss ends at 3.4-3.6x (lr 0.2), 8.4x-3.9e5x (lr 0.3-1e4), the
model near chance. Between lies a band where training slowly breaks the model (3
epochs at lr 0.14-0.18: 1.2-2.8x, training accuracy 0.27-0.8 where lr 0.03 gives
0.97). Above :data:`BLOWUP_FACTOR` the fit has diverged: 2, "twice as bad as doing
nothing", is 2x the slowest learner's 0.97 and below every run at lr >= 0.18. Above
:data:`WORSE_FACTOR`, a warning (estimators only): the model ended worse than
untrained, which learning never does; 1.1 leaves room over lr = 0, whose ratio is 1 up
to rounding.

Examples
--------
>>> blew_up(2.3, 4.7), blew_up(2.3, 1.2), blew_up(2.3, float("nan"))
(True, False, True)
>>> loss_blowup(2.3, 4.7, epoch=2, weight_abs_max=31.0, weight_abs_max_start=0.5,
...             learning_rate=50)  # doctest: +NORMALIZE_WHITESPACE
'the training loss rose from 2.3 (untrained network) to 4.7 in epoch 2, more than 2x;
 max |w| = 31 (untrained 0.5): the updates overshoot and training diverged
 (learning rate 50)'
"""

from __future__ import annotations

import math

__all__ = ["BLOWUP_FACTOR", "WORSE_FACTOR", "blew_up", "loss_blowup", "dynamics_reason",
           "weight_reason"]

#: A final mean training loss above this times the untrained network's (or non-finite)
#: is a blow-up: the run is ``"unstable"`` (see the module docstring for the measurements).
BLOWUP_FACTOR = 2.0
#: A final mean training loss above this times the untrained network's (but not a
#: blow-up): the model ended worse than untrained; the estimators warn.
WORSE_FACTOR = 1.1


def blew_up(start: float, end: float) -> bool:
    """Whether a mean training loss ``end`` is a blow-up from the untrained ``start``.

    Parameters
    ----------
    start : float
        The untrained network's mean training loss (``fit``'s metrics row 0).
    end : float
        A later epoch's mean training loss.

    Returns
    -------
    bool
        ``end`` is not finite or above ``BLOWUP_FACTOR * start``. Never when ``start``
        is not finite (the untrained network settled no sample: there is no reference).

    Examples
    --------
    >>> blew_up(2.0, 4.0), blew_up(2.0, 4.01), blew_up(2.0, float("inf"))
    (False, True, True)
    >>> blew_up(float("nan"), 50.0)
    False
    """
    start, end = float(start), float(end)
    return math.isfinite(start) and not end <= BLOWUP_FACTOR * start


def loss_blowup(start: float, end: float, *, epoch: int, weight_abs_max: float,
                weight_abs_max_start: float, learning_rate: float | None = None) -> str:
    """Why a finished training counts as diverged by its loss ("" if it does not).

    Condition 3 of the module docstring: a final mean training loss that is not
    finite, or above :data:`BLOWUP_FACTOR` times the untrained network's.

    Parameters
    ----------
    start : float
        The untrained network's mean training loss (``fit``'s metrics row 0).
    end : float
        The last epoch's mean training loss.
    epoch : int
        The last epoch (named in the reason).
    weight_abs_max, weight_abs_max_start : float
        ``max |w|`` after the last epoch and before training (named in the reason).
    learning_rate : float, optional
        Named in the reason when given.

    Returns
    -------
    str
        ``"the training loss rose from X (untrained network) to Y in epoch E, more than
        2x; max |w| = A (untrained B): the updates overshoot and training diverged
        (learning rate r)"``; for a non-finite final loss ``"the training loss is nan in
        epoch E (no training sample settled), untrained network X; max |w| = ..."``
        (``inf`` has no parenthesis); ``""`` when the loss did not blow up.

    Examples
    --------
    >>> loss_blowup(2.0, 3.9, epoch=1, weight_abs_max=1.0, weight_abs_max_start=0.5)
    ''
    >>> loss_blowup(2.0, float("nan"), epoch=3, weight_abs_max=9.0,
    ...             weight_abs_max_start=0.5)  # doctest: +NORMALIZE_WHITESPACE
    'the training loss is nan in epoch 3 (no training sample settled), untrained network 2;
     max |w| = 9 (untrained 0.5): the updates overshoot and training diverged'
    """
    start, end = float(start), float(end)
    if not blew_up(start, end):
        return ""
    if math.isfinite(end):
        what = (f"rose from {start:.4g} (untrained network) to {end:.4g} in epoch {epoch}, "
                f"more than {BLOWUP_FACTOR:g}x")
    else:
        what = (f"is {end} in epoch {epoch}"
                + (" (no training sample settled)" if math.isnan(end) else "")
                + f", untrained network {start:.4g}")
    rate = "" if learning_rate is None else f" (learning rate {float(learning_rate):g})"
    return (f"the training loss {what}; max |w| = {float(weight_abs_max):.3g} (untrained "
            f"{float(weight_abs_max_start):.3g}): the updates overshoot and training "
            f"diverged{rate}")


def dynamics_reason(where: str, learning_rate: float, *, phase: str,
                    weight_abs_max: float) -> str:
    """The reason of condition 1: the firing or credit dynamics diverged.

    Parameters
    ----------
    where : str
        Where it happened: ``"epoch 3, sample 17"`` (``fit``), ``"iteration 400"``
        (``simulate``).
    learning_rate : float
        The learning rate at that point.
    phase : {"firing", "credit"}
        Which dynamics blew up: the rates or the credit.
    weight_abs_max : float
        ``max |w|`` when it happened (``inf`` or ``nan`` allowed).

    Returns
    -------
    str

    Examples
    --------
    >>> dynamics_reason("iteration 400", 10.0, phase="credit",
    ...                 weight_abs_max=812.0)  # doctest: +NORMALIZE_WHITESPACE
    'credit dynamics diverged at iteration 400 (learning rate 10; max |w| = 812): the
     weights grew past the stable regime'
    """
    return (f"{phase} dynamics diverged at {where} (learning rate {float(learning_rate):g}; "
            f"max |w| = {float(weight_abs_max):.3g}): the weights grew past the stable regime")


def weight_reason(where: str, learning_rate: float, *, weight_abs_max: float,
                  weight_limit: float) -> str:
    """The reason of condition 2: ``max |w|`` passed ``weight_limit``.

    Parameters
    ----------
    where : str
        Where it was seen: ``"epoch 3"`` (``fit``), ``"iteration 400"`` (``simulate``).
    learning_rate : float
        The learning rate at that point.
    weight_abs_max : float
        ``max |w|`` (``inf`` or ``nan`` allowed).
    weight_limit : float
        The limit it passed.

    Returns
    -------
    str

    Examples
    --------
    >>> weight_reason("epoch 2", 1e30, weight_abs_max=3.2e7,
    ...               weight_limit=1e6)  # doctest: +NORMALIZE_WHITESPACE
    'the weights diverged at epoch 2 (learning rate 1e+30): max |w| = 3.2e+07 passed
     weight_limit 1e+06'
    """
    return (f"the weights diverged at {where} (learning rate {float(learning_rate):g}): "
            f"max |w| = {float(weight_abs_max):.3g} passed weight_limit {float(weight_limit):g}")
