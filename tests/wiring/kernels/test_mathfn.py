"""The kernels' own elementary functions against 50-digit decimal references.

``decimal``'s ``exp`` and ``ln`` are correctly rounded at the context precision, so a
float64 rounded from a 50-digit result is the correctly rounded value, and the error
of a kernel function can be measured in ulps of the exact value.
"""

from decimal import Decimal, localcontext

import numpy as np
from scipy.special import ndtri

from wiring._checks import geomspace, standard_normal
from wiring.kernels import mathfn as km
from wiring.kernels import neurons as kn


def _ulps(got, exact):
    """|got - exact| in ulps of the float64 nearest ``exact`` (a Decimal)."""
    ref = float(exact)
    return float(abs(Decimal(float(got)) - exact) / Decimal(float(np.spacing(abs(ref)))))


def _dense(rng, lo, hi, k):
    return np.concatenate([np.linspace(lo, hi, k), rng.uniform(lo, hi, k)])


def test_exp_within_one_ulp_and_mostly_correctly_rounded():
    rng = np.random.default_rng(0)
    x = np.concatenate([_dense(rng, -708.0, 709.7, 4000), _dense(rng, -1.0, 1.0, 4000),
                        rng.standard_normal(4000) * 1e-8])
    out = np.empty_like(x)
    km.exp_array(x, out)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = [Decimal(float(v)).exp() for v in x]
        errors = np.array([_ulps(g, e) for g, e in zip(out, exact, strict=True)])
        rounded = np.array([float(e) for e in exact])
    assert errors.max() < 1.0
    assert np.mean(out == rounded) > 0.85


def test_exp_special_values():
    x = np.array([0.0, -0.0, 709.78, 710.0, -745.1, -746.0, np.inf, -np.inf, np.nan])
    out = np.empty_like(x)
    km.exp_array(x, out)
    assert out[0] == 1.0 and out[1] == 1.0
    assert np.isfinite(out[2]) and out[3] == np.inf and out[6] == np.inf
    assert out[4] == 5e-324 and out[5] == 0.0 and out[7] == 0.0
    assert np.isnan(out[8])


def test_log_within_one_ulp_and_mostly_correctly_rounded():
    rng = np.random.default_rng(1)
    x = np.concatenate([np.exp(_dense(rng, -700.0, 700.0, 4000)),
                        _dense(rng, 0.5, 2.0, 4000), [5e-324, 1e-310, 2.0**-1022]])
    out = np.empty_like(x)
    km.log_array(x, out)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = [Decimal(float(v)).ln() for v in x]
        errors = np.array([_ulps(g, e) for g, e in zip(out, exact, strict=True) if e != 0])
        rounded = np.array([float(e) for e in exact])
    assert errors.max() <= 1.0
    assert np.mean(out == rounded) > 0.9


def test_log_special_values():
    out = np.empty(5)
    km.log_array(np.array([0.0, -1.0, np.inf, np.nan, 1.0]), out)
    assert out[0] == -np.inf and np.isnan(out[1]) and out[2] == np.inf and np.isnan(out[3])
    assert out[4] == 0.0


def test_tanh_within_three_ulp_of_the_exact_value():
    rng = np.random.default_rng(2)
    x = np.concatenate([_dense(rng, -20.0, 20.0, 4000), rng.standard_normal(4000) * 1e-3])
    out = np.empty_like(x)
    kn.tanh_array(x, out)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = []
        for v in x:
            e2 = (2 * Decimal(float(v))).exp()
            exact.append((e2 - 1) / (e2 + 1))
        errors = np.array([_ulps(g, e) for g, e in zip(out, exact, strict=True) if e != 0])
    assert errors.max() <= 3.0


def test_sigmoid_and_gaussian_balance():
    s = np.linspace(-30.0, 30.0, 6001)
    got = np.array([kn.activate(kn.SIGMOID, v) for v in s])
    with localcontext() as ctx:
        ctx.prec = 50
        exact = [1 / (1 + (-Decimal(float(v))).exp()) for v in s]
        assert max(_ulps(g, e) for g, e in zip(got, exact, strict=True)) <= 2.0
        # the bell exp(-z^2 / 2), z = (s - center) / width: exact e^a of the rounded
        # argument a (rounding a itself costs up to |a| ulps, whatever exp does)
        bell = np.array([kn.balance(kn.GAUSSIAN, kn.TANH, v, 0.0, 0.5, 0.8) for v in s[::10]])
        z = (s[::10] - 0.5) / 0.8
        exact = [Decimal(float(a)).exp() for a in -0.5 * z * z]
        assert max(_ulps(g, e) for g, e in zip(bell, exact, strict=True) if e > 1e-300) < 1.0


def test_normal_draws_are_the_quantiles_of_the_uniforms():
    rng = np.random.default_rng(3)
    u = np.concatenate([rng.random(200_000), [0.0, 0.5, 1 - 2.0**-53, 2.0**-53]])
    z = np.empty_like(u)
    km.normal_from_uniform(u, z)
    k = u * 2.0**53
    upper = k >= 2.0**52
    p = (np.where(upper, 2.0**53 - 1 - k, k) + 0.5) * 2.0**-53
    ref = np.where(upper, -ndtri(p), ndtri(p))
    np.testing.assert_allclose(z, ref, rtol=2e-15, atol=0)
    assert z[-4] == -z[-2] and np.all(np.abs(z) < 8.3) and z[-3] > 0
    assert np.all(np.diff(z[np.argsort(u)]) >= 0)  # monotone in u


def test_standard_normal_moments_and_chunking():
    a = standard_normal(np.random.default_rng(4), (1000, 500))
    assert abs(a.mean()) < 5e-3 and abs(a.std() - 1) < 5e-3
    assert abs(np.mean(a**4) - 3) < 0.03  # kurtosis of a normal
    rng = np.random.default_rng(4)
    b = np.concatenate([standard_normal(rng, 123_456).ravel(),
                        standard_normal(rng, 500_000 - 123_456).ravel()])
    assert np.array_equal(a.ravel(), b)  # one uniform per draw: cuts change nothing


def test_geomspace_is_correctly_rounded_with_exact_ends():
    lrs = geomspace(1e-4, 1e4, 6)
    assert lrs[0] == 1e-4 and lrs[-1] == 1e4 and len(lrs) == 6
    with localcontext() as ctx:
        ctx.prec = 50
        for k, v in enumerate(lrs[1:-1], start=1):
            exact = Decimal(1e-4) * (Decimal(1e4) / Decimal(1e-4)) ** (Decimal(k) / 5)
            assert v == float(exact)
    assert geomspace(0.5, 0.5, 1) == [0.5]
    np.testing.assert_allclose(geomspace(0.3, 0.01, 4), np.geomspace(0.3, 0.01, 4), rtol=1e-15)
