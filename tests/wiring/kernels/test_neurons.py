"""Kernel neuron functions against numpy references."""

import numpy as np
import pytest

from wiring.kernels import neurons as kn
from wiring.neurons import ACTIVATIONS


def test_vectorised_tanh_within_three_ulp_of_numpy():
    rng = np.random.default_rng(0)
    s = np.concatenate([np.linspace(-30, 30, 400_001), rng.standard_normal(200_000) * 0.5,
                        np.logspace(-300, 1.5, 20_000), -np.logspace(-300, 1.5, 20_000),
                        [0.0, -0.0, 0.4, -0.4, np.nextafter(0.4, 0), 19.0, 20.0, 1e300]])
    out = np.empty_like(s)
    kn.tanh_array(s, out)
    ref = np.tanh(s)
    ulp = np.abs(out - ref) / np.spacing(np.abs(ref))
    assert ulp.max() <= 3.0
    assert np.signbit(out[s == 0]).tolist() == np.signbit(s[s == 0]).tolist()


def test_tanh_propagates_nan_and_flags_infinite_input():
    s = np.array([np.nan, np.inf, -np.inf])
    out = np.empty(3)
    kn.tanh_array(s, out)
    assert np.isnan(out).all()  # a non-finite net input is a diverged state


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_and_derivative_match_numpy(name):
    spec = ACTIVATIONS[name]
    s = np.linspace(-3, 3, 601) + 1e-3  # avoid the kinks of relu / satrelu
    x = np.array([kn.activate(spec.code, v) for v in s])
    np.testing.assert_allclose(x, spec.function(s), rtol=0, atol=4.5e-16)
    d = np.array([kn.derivative(spec.code, v, xv) for v, xv in zip(s, x, strict=True)])
    h = 1e-6
    fd = (spec.function(s + h) - spec.function(s - h)) / (2 * h)
    np.testing.assert_allclose(d, fd, atol=1e-8)


def test_gaussian_balance():
    s = np.linspace(-2, 3, 11)
    got = np.array([kn.balance(kn.GAUSSIAN, kn.TANH, v, 0.0, 0.5, 0.8) for v in s])
    np.testing.assert_allclose(got, np.exp(-((s - 0.5) ** 2) / (2 * 0.8**2)), rtol=1e-15)
