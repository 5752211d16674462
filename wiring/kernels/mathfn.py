"""Elementary functions from correctly rounded IEEE operations only (numba).

numba lowers ``math.exp``, ``math.log`` and ``math.tanh`` to calls into the C
library, and glibc picks the implementation by CPU (an FMA build on CPUs with FMA,
an SSE2 one elsewhere): their last bit, and so every trajectory they feed, depends
on the machine. The functions here use only ``+ - * /``, ``sqrt``, ``floor``,
comparisons and exact bit manipulation (building ``2^k``, splitting off an
exponent), in a fixed order and without fastmath flags, so they return the same
bits on every x86-64 CPU, whatever vector width LLVM targets and whether or not the
CPU has FMA (nothing here is contracted). See ``docs/reproducibility.rst``.

Accuracy, measured on dense samples against 50-digit ``decimal`` references
(``tests/wiring/kernels/test_mathfn.py``): :func:`exp_det` and :func:`log_det`
within 1 ulp of the exact value (correctly rounded for the vast majority of
arguments); :func:`normal_from_uniform` within 1e-15 relative of the exact
inverse normal CDF.
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["exp_det", "log_det", "ndtri_lower", "normal_from_uniform", "log_array",
           "exp_array"]


@intrinsic
def _f64_from_bits(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits`` (a bit cast: exact)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@intrinsic
def _bits_from_f64(typingctx, value):
    """The IEEE bits of the float64 ``value`` as an int64 (a bit cast: exact)."""
    if value != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.int64))

    return types.int64(types.float64), codegen


@njit(cache=True, error_model="numpy", inline="always")
def _pow2(k):
    """2^k for an int64 ``k`` in [-1022, 1023], built from its exponent bits (exact)."""
    return _f64_from_bits((k + np.int64(1023)) << np.int64(52))


# Cody-Waite split of ln 2: k * _LN2_HI is exact for |k| < 2^20 (the high part has
# 32 significant bits), _LN2_LO the rest
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
# exp(r) = 1 + r + r^2 * sum_k r^k / (k + 2)!; |r| <= ln(2) / 2, so terms to r^13 / 13!
# leave a truncation error below 5e-18 (the divisions are IEEE, hence deterministic)
_E2 = tuple(1.0 / math.factorial(k + 2) for k in range(12))


@njit(cache=True, error_model="numpy", inline="always")
def exp_det(x):
    """e^x for a float64 ``x``, the same bits on every CPU (within 1 ulp).

    ``x = k ln 2 + r`` (Cody-Waite), ``e^r`` by its Taylor series written as
    ``1 + (r + r^2 q(r))`` so the rounding error of the series is scaled down by
    ``r^2``, then ``2^k`` applied as two exact powers of two (one rounding at most,
    where the result is subnormal). Overflows to inf above ~709.78, underflows to 0
    below ~-745.13; NaN propagates. Branch-free: loops over it vectorise.
    """
    xc = min(max(x, -746.0), 710.0)
    xc = xc if x == x else 0.0
    k = math.floor(xc * _INV_LN2 + 0.5)
    r = (xc - k * _LN2_HI) - k * _LN2_LO
    q = _E2[11]
    q = q * r + _E2[10]
    q = q * r + _E2[9]
    q = q * r + _E2[8]
    q = q * r + _E2[7]
    q = q * r + _E2[6]
    q = q * r + _E2[5]
    q = q * r + _E2[4]
    q = q * r + _E2[3]
    q = q * r + _E2[2]
    q = q * r + _E2[1]
    q = q * r + _E2[0]
    p = 1.0 + (r + (r * r) * q)
    ki = np.int64(k)
    k1 = ki >> np.int64(1)
    y = (p * _pow2(k1)) * _pow2(ki - k1)
    return y if x == x else x


# log(1 + f) = f - f^2/2 + s (f^2/2 + R) with s = f / (2 + f) and
# R = sum_k 2 s^(2k) / (2k + 1) (that is 2 atanh(s)); |s| <= 0.1716, so 12 terms leave
# a truncation error below 1e-19 relative
_L = tuple(2.0 / (2 * k + 3) for k in range(12))
_SQRT2 = 1.4142135623730951
_TWO54 = 18014398509481984.0
_MANTISSA = np.int64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.int64(0x3FF0000000000000)


@njit(cache=True, error_model="numpy", inline="always")
def log_det(x):
    """Natural logarithm of a float64 ``x``, the same bits on every CPU (within 1 ulp).

    ``x = 2^e m`` with ``m`` in [sqrt(2)/2, sqrt(2)) split off by bit manipulation,
    ``log m = 2 atanh(s)`` with ``s = (m - 1) / (m + 1)`` by its series, and
    ``e ln 2`` added in two parts (Cody-Waite). ``log(0) = -inf``, ``log(inf) = inf``,
    negative arguments and NaN give NaN.
    """
    if not x > 0.0:
        return -np.inf if x == 0.0 else np.nan
    if x == np.inf:
        return x
    e = np.int64(-1023)
    if x < 2.2250738585072014e-308:  # subnormal: scale into the normal range first
        x = x * _TWO54
        e = np.int64(-1077)
    bits = _bits_from_f64(x)
    e += bits >> np.int64(52)
    m = _f64_from_bits((bits & _MANTISSA) | _ONE_BITS)
    if m > _SQRT2:
        m = m * 0.5
        e += 1
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    q = _L[11]
    q = q * z + _L[10]
    q = q * z + _L[9]
    q = q * z + _L[8]
    q = q * z + _L[7]
    q = q * z + _L[6]
    q = q * z + _L[5]
    q = q * z + _L[4]
    q = q * z + _L[3]
    q = q * z + _L[2]
    q = q * z + _L[1]
    q = q * z + _L[0]
    R = z * q
    dk = float(e)
    return dk * _LN2_HI - ((hfsq - (s * (hfsq + R) + dk * _LN2_LO)) - f)


# Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988): rational
# approximations of the inverse normal CDF with relative error about 1e-16.
_A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
      1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
      3.3430575583588128105e4, 2.5090809287301226727e3)
_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
      2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
      5.2264952788528545610e3)
_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
      3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
      2.27238449892691845833e-2, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
      1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
      1.05075007164441684324e-9)
_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
      2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
      2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
      7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
      2.04426310338993978564e-15)


@njit(cache=True, error_model="numpy", inline="always")
def _ratio(c, d, r):
    """(c0 + c1 r + ... + c7 r^7) / (d0 + d1 r + ... + d7 r^7), Horner, fixed order."""
    num = c[7]
    den = d[7]
    for j in range(6, -1, -1):
        num = num * r + c[j]
        den = den * r + d[j]
    return num / den


@njit(cache=True, error_model="numpy", inline="always")
def ndtri_lower(p):
    """The standard normal quantile at ``p`` in (0, 1/2], a value <= 0 (AS 241)."""
    q = p - 0.5
    if q >= -0.425:
        r = 0.180625 - q * q
        return q * _ratio(_A, _B, r)
    r = math.sqrt(-log_det(p))
    if r <= 5.0:
        return -_ratio(_C, _D, r - 1.6)
    return -_ratio(_E, _F, r - 5.0)


_TWO53 = 9007199254740992.0
_TWO52 = 4503599627370496.0
_TWO_M53 = 1.0 / _TWO53


@njit(cache=True, error_model="numpy")
def normal_from_uniform(u, out):
    """out[i] = a standard normal draw from the uniform ``u[i]`` (inverse CDF).

    ``u`` holds numpy's ``Generator.random`` output, ``k 2^-53`` for an integer
    ``k`` in [0, 2^53). The draw is the normal quantile at the centre of bin ``k``,
    ``(k + 1/2) 2^-53``, evaluated from the nearer tail so both halves are exact
    mirror images: never infinite, ``|z| <= 8.3``, one uniform per draw (so a
    sequence of draws does not depend on how it is cut into calls).
    """
    for i in range(u.size):
        k = u[i] * _TWO53
        upper = k >= _TWO52
        j = (_TWO53 - 1.0 - k) if upper else k
        z = ndtri_lower((j + 0.5) * _TWO_M53)
        out[i] = -z if upper else z


@njit(cache=True, error_model="numpy")
def exp_array(x, out):
    """out[i] = :func:`exp_det` (x[i]) (vectorised)."""
    for i in range(x.size):
        out[i] = exp_det(x[i])


@njit(cache=True, error_model="numpy")
def log_array(x, out):
    """out[i] = :func:`log_det` (x[i])."""
    for i in range(x.size):
        out[i] = log_det(x[i])
