"""Activation and balance functions by integer code (numba, scalar).

Codes are fixed here and mirrored by the registries in :mod:`wiring.neurons`.
"""

import math

from numba import njit

__all__ = ["TANH", "SIGMOID", "RELU", "LINEAR", "SATRELU", "DERIVATIVE", "GAUSSIAN",
           "activate", "derivative", "balance"]

TANH, SIGMOID, RELU, LINEAR, SATRELU = 0, 1, 2, 3, 4
DERIVATIVE, GAUSSIAN = 0, 1


@njit(cache=True, inline="always")
def activate(code, s):
    if code == 0:
        return math.tanh(s)
    if code == 1:
        return 1.0 / (1.0 + math.exp(-s))
    if code == 2:
        return s if s > 0.0 else 0.0
    if code == 3:
        return s
    return min(max(s, 0.0), 1.0)


@njit(cache=True, inline="always")
def derivative(code, s, x):
    """sigma'(s), given x = sigma(s). relu'(0) = 0; satrelu' is 1 on (0, 1) only."""
    if code == 0:
        return 1.0 - x * x
    if code == 1:
        return x * (1.0 - x)
    if code == 2:
        return 1.0 if s > 0.0 else 0.0
    if code == 3:
        return 1.0
    return 1.0 if (s > 0.0 and s < 1.0) else 0.0


@njit(cache=True, inline="always")
def balance(bal_code, act_code, s, x, center, width):
    """f(s): the activation's derivative, or a Gaussian bell exp(-(s-center)^2 / 2 width^2)."""
    if bal_code == 0:
        return derivative(act_code, s, x)
    z = (s - center) / width
    return math.exp(-0.5 * z * z)
