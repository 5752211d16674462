"""Eight-lane sums against the same order written out in plain Python floats."""

import numpy as np
import pytest

from wiring.kernels import algorithm1 as ka
from wiring.kernels import lanes


def _lane_order_dot(a, b):
    """Lane l sums the terms m = l (mod 8) in order, lanes added as a fixed tree, the
    rest appended in order: Python floats, so every operation is one IEEE rounding."""
    blocks = len(a) // 8
    lane = [0.0] * 8
    for m in range(8 * blocks):
        lane[m % 8] += float(a[m]) * float(b[m])
    s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]))
    for m in range(8 * blocks, len(a)):
        s += float(a[m]) * float(b[m])
    return s


@pytest.mark.parametrize("size", [0, 5, 8, 13, 64, 301])
def test_dot_lanes_is_the_written_order_bit_for_bit(size):
    rng = np.random.default_rng(size)
    a = rng.standard_normal(size) * 10.0 ** rng.integers(-8, 8, size)
    b = rng.standard_normal(size)
    assert lanes.dot_lanes(a, b) == _lane_order_dot(a, b)


def test_row_update_and_dot_in_one_pass():
    rng = np.random.default_rng(1)
    w = rng.standard_normal(50)
    x = rng.standard_normal(23)
    mask = (rng.random(50) < 0.8).astype(float)
    g = 0.37
    lo, hi, j0 = 20, 41, 1  # a row of 21 entries (two lanes blocks and a tail)
    want = w.copy()
    for m in range(hi - lo):  # w <- w + (g x) mask, one rounding per operation
        want[lo + m] = float(w[lo + m]) + (g * float(x[j0 + m])) * float(mask[lo + m])
    expect = _lane_order_dot(want[lo:hi], x[j0:j0 + hi - lo])
    got = ka._upd_dot_contig(w, lo, hi, x, j0, g, mask)
    assert got == expect and np.array_equal(w, want)
