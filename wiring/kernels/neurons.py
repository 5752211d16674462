"""Activation and balance functions by integer code (numba, scalar).

Codes are fixed here and mirrored by the registries in :mod:`wiring.neurons`.

No kernel uses fastmath flags: with ``contract`` LLVM fuses ``a * b + c`` into one
FMA on CPUs that have it and not on others, ``reassoc`` lets the vector width choose
the order of a sum, and ``afn``/``arcp`` allow approximations that differ by target.
The transcendental functions are written from correctly rounded operations
(:mod:`wiring.kernels.mathfn`, the tanh below), never taken from libm, so a kernel
returns the same bits on every x86-64 CPU (``docs/reproducibility.rst``).
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from wiring.kernels.mathfn import _pow2, exp_det

__all__ = ["TANH", "SIGMOID", "RELU", "LINEAR", "SATRELU", "DERIVATIVE", "GAUSSIAN",
           "activate", "derivative", "balance", "tanh_fast", "tanh_fast32", "tanh_typed",
           "tanh_array"]

TANH, SIGMOID, RELU, LINEAR, SATRELU = 0, 1, 2, 3, 4
DERIVATIVE, GAUSSIAN = 0, 1

# expm1(r) = r * sum_k r^k / (k + 1)! for |r| <= ln(2) / 2: the coefficients 1/(k + 1)!
_X = (1.0, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333,
      0.001388888888888889, 0.0001984126984126984, 2.48015873015873e-05,
      2.7557319223985893e-06, 2.755731922398589e-07, 2.505210838544172e-08,
      2.08767569878681e-09, 1.6059043836821613e-10, 1.1470745597729725e-11)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00


@njit(cache=True, error_model="numpy", inline="always")
def tanh_fast(v):
    """tanh from correctly rounded operations: the same bits on every CPU, and loops
    over it vectorise (no libm call); within 3 ulp of the exact value.

    tanh|v| = m / (m + 2) with m = expm1(2|v|); expm1 by Cody-Waite reduction
    2|v| = k ln 2 + r, a degree-14 Taylor polynomial for expm1(r) and 2^k built
    from the bits of k, so there is no cancellation near 0 (k = 0 gives expm1(r)
    itself). Branch-free; NaN and infinities propagate as NaN (a diverged net input).
    """
    a = abs(v)
    y = min(2.0 * a, 40.0)
    k = math.floor(y * _INV_LN2 + 0.5)
    r = (y - k * _LN2_HI) - k * _LN2_LO
    q = _X[13]
    q = q * r + _X[12]
    q = q * r + _X[11]
    q = q * r + _X[10]
    q = q * r + _X[9]
    q = q * r + _X[8]
    q = q * r + _X[7]
    q = q * r + _X[6]
    q = q * r + _X[5]
    q = q * r + _X[4]
    q = q * r + _X[3]
    q = q * r + _X[2]
    q = q * r + _X[1]
    q = q * r + _X[0]
    pw = _pow2(np.int64(k))
    m = pw * (r * q) + (pw - 1.0)
    return math.copysign(m / (m + 2.0), v) + 0.0 * v


@njit(cache=True, error_model="numpy")
def tanh_array(s, out):
    """out[i] = tanh(s[i]) for every i (vectorised)."""
    for i in range(s.size):
        out[i] = tanh_fast(s[i])


@njit(cache=True, inline="always")
def activate(code, s):
    if code == 0:
        return tanh_fast(s)
    if code == 1:
        return 1.0 / (1.0 + exp_det(-float(s)))
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
    z = (float(s) - center) / width
    return exp_det(-0.5 * z * z)


# float32 tanh: the same construction in float32, with as many terms as float32's
# 24-bit mantissa needs (expm1 to degree 8).
_X32 = tuple(np.float32(c) for c in _X[:8])
_F32 = np.float32
_LN2_HI32 = np.float32(0.693145751953125)  # 0x3f317200: ln 2's top bits, exact in k * HI
_LN2_LO32 = np.float32(1.428606765330187e-06)
_INV_LN2_32 = np.float32(_INV_LN2)


@njit(cache=True, error_model="numpy", inline="always")
def tanh_fast32(v):
    """float32 tanh without a libm call (vectorises at float32 width), within 3 ulp.

    The construction of :func:`tanh_fast` evaluated in float32 throughout.
    """
    a = abs(v)
    y = min(_F32(2.0) * a, _F32(20.0))
    kf = np.floor(y * _INV_LN2_32 + _F32(0.5))
    r = (y - kf * _LN2_HI32) - kf * _LN2_LO32
    q = _X32[7]
    q = q * r + _X32[6]
    q = q * r + _X32[5]
    q = q * r + _X32[4]
    q = q * r + _X32[3]
    q = q * r + _X32[2]
    q = q * r + _X32[1]
    q = q * r + _X32[0]
    ki = np.int32(kf)
    pw = ((_F32(1.0) + _F32(ki & 1)) * (_F32(1.0) + _F32(3.0) * _F32((ki >> 1) & 1))
          * (_F32(1.0) + _F32(15.0) * _F32((ki >> 2) & 1))
          * (_F32(1.0) + _F32(255.0) * _F32((ki >> 3) & 1))
          * (_F32(1.0) + _F32(65535.0) * _F32((ki >> 4) & 1)))
    m = pw * (r * q) + (pw - _F32(1.0))
    return _F32(math.copysign(m / (m + _F32(2.0)), v)) + _F32(0.0) * v


def tanh_typed(v):
    """tanh in the precision of ``v``: :func:`tanh_fast32` for float32, else :func:`tanh_fast`
    (numba picks the implementation at compile time; plain Python uses ``math.tanh``)."""
    return math.tanh(v)


@overload(tanh_typed, inline="always", jit_options={"error_model": "numpy"})
def _tanh_typed(v):
    if isinstance(v, types.Float) and v.bitwidth == 32:
        return lambda v: tanh_fast32(v)
    return lambda v: tanh_fast(v)
