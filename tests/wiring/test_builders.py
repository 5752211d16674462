"""Tests for wiring.graphs.builders: structure checked against independent computations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from wiring.errors import GraphError, WiringError
from wiring.graphs.builders import (
    all_to_all,
    erdos_renyi,
    layered,
    recurrent,
    small_world,
    stochastic_block,
)


def edge_set(g):
    return set(zip(g.src.tolist(), g.dst.tolist(), strict=True))


def assert_sorted_dst_src(g):
    key = g.dst * g.n + g.src
    assert np.all(np.diff(key) > 0), "edges must be sorted by (dst, src) without repeats"


def brute_allowed(n, n_in, n_out, self_loops, input_sources, output_sinks):
    """All allowed ordered pairs (src, dst) by a plain double loop."""
    out = set()
    for s, d in itertools.product(range(n), repeat=2):
        if s == d and not self_loops:
            continue
        if input_sources and d < n_in:
            continue
        if output_sinks and s >= n - n_out:
            continue
        out.add((s, d))
    return out


# --------------------------------------------------------------------------- layered


@pytest.mark.parametrize("sizes", [[2, 3], [4, 5, 3], [3, 1, 4, 2]])
def test_layered_counts_dense_matrix_and_dag(sizes):
    g = layered(sizes)
    bounds = np.cumsum([0, *sizes])
    W = np.zeros((g.n, g.n), dtype=int)
    for k in range(len(sizes) - 1):  # independent block construction
        W[bounds[k + 1] : bounds[k + 2], bounds[k] : bounds[k + 1]] = 1
    assert g.n_edges == sum(a * b for a, b in itertools.pairwise(sizes))
    assert np.array_equal(g.dense(np.ones(g.n_edges)), W)
    assert g.is_dag
    assert g.inputs.tolist() == list(range(sizes[0]))
    assert g.outputs.tolist() == list(range(bounds[-2], bounds[-1]))
    assert g.inputs_are_sources() and g.outputs_are_sinks()
    assert_sorted_dst_src(g)


def test_layered_skip_connects_every_earlier_layer():
    sizes = [3, 4, 2, 5]
    g = layered(sizes, skip=True)
    expected = sum(sizes[a] * sizes[b] for a in range(4) for b in range(a + 1, 4))
    assert g.n_edges == expected
    assert g.is_dag
    layer = np.repeat(np.arange(4), sizes)
    assert np.all(layer[g.src] < layer[g.dst])
    assert_sorted_dst_src(g)
    # destination layer is non-decreasing along the edge order
    assert np.all(np.diff(layer[g.dst]) >= 0)


@pytest.mark.parametrize(
    ("sizes", "match"),
    [
        ([], "sizes"),
        ([5], "sizes"),
        ([3, 0, 2], r"sizes\[1\]"),
        ([3, 2.5], r"sizes\[1\]"),
        ("34", "sizes"),
        (7, "sizes"),
    ],
)
def test_layered_bad_sizes(sizes, match):
    with pytest.raises(GraphError, match=match):
        layered(sizes)


def test_layered_bad_skip():
    with pytest.raises(GraphError, match="skip"):
        layered([2, 2], skip="yes")


# ------------------------------------------------------------------------ all_to_all


def test_all_to_all_paper_network():
    g = all_to_all(300)
    assert (g.n, g.n_edges) == (300, 300 * 299)
    assert g.inputs.size == 0 and g.outputs.size == 0
    assert not g.has_self_loops
    assert_sorted_dst_src(g)


@pytest.mark.parametrize(
    ("n_in", "n_out", "self_loops", "input_sources", "output_sinks"),
    list(itertools.product([0, 2], [0, 3], [False, True], [False, True], [False, True])),
)
def test_all_to_all_matches_brute_force(n_in, n_out, self_loops, input_sources, output_sinks):
    n = 9
    g = all_to_all(
        n,
        n_inputs=n_in,
        n_outputs=n_out,
        self_loops=self_loops,
        input_sources=input_sources,
        output_sinks=output_sinks,
    )
    assert edge_set(g) == brute_allowed(n, n_in, n_out, self_loops, input_sources, output_sinks)
    assert g.inputs.tolist() == list(range(n_in))
    assert g.outputs.tolist() == list(range(n - n_out, n))
    assert_sorted_dst_src(g)


def test_all_to_all_self_loops_count():
    assert all_to_all(7, self_loops=True).n_edges == 49


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"n": 0}, "`n`"),
        ({"n": True}, "`n`"),
        ({"n": 3.0}, "`n`"),
        ({"n": 5, "n_inputs": -1}, "n_inputs"),
        ({"n": 5, "n_inputs": 3, "n_outputs": 3}, "n_inputs"),
        ({"n": 5, "self_loops": 1}, "self_loops"),
        ({"n": 5, "output_sinks": None}, "output_sinks"),
    ],
)
def test_all_to_all_bad_arguments(kw, match):
    with pytest.raises(GraphError, match=match):
        all_to_all(**kw)


# ----------------------------------------------------------------------- erdos_renyi


@pytest.mark.parametrize("density", [0.03, 0.35])  # geometric-skip and uniform branches
def test_erdos_renyi_density_within_tolerance(density):
    n = 1500
    g = erdos_renyi(n, density, seed=1)
    m = n * (n - 1)
    sd = np.sqrt(density * (1 - density) / m)
    assert abs(g.n_edges / m - density) < 5 * sd
    assert not g.has_self_loops
    assert_sorted_dst_src(g)
    # no positional bias: the pairs just above and just below the skipped diagonal
    above = np.sum(g.src == g.dst + 1)
    below = np.sum(g.src + 1 == g.dst)
    sd_band = np.sqrt((n - 1) * density * (1 - density))
    assert abs(above - (n - 1) * density) < 5 * sd_band
    assert abs(below - (n - 1) * density) < 5 * sd_band
    # in-degrees are Binomial(n - 1, density): check the variance too
    indeg = np.bincount(g.dst, minlength=n)
    var = (n - 1) * density * (1 - density)
    assert abs(indeg.var() / var - 1) < 0.15


def test_erdos_renyi_self_loops_rate():
    n, p = 2000, 0.25
    g = erdos_renyi(n, p, self_loops=True, seed=3)
    loops = int(np.sum(g.src == g.dst))
    assert abs(loops - n * p) < 5 * np.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("input_sources", [True, False])
@pytest.mark.parametrize("output_sinks", [True, False])
def test_erdos_renyi_constraints_exact(input_sources, output_sinks):
    n, n_in, n_out = 200, 15, 10
    g = erdos_renyi(
        n,
        0.9,
        n_inputs=n_in,
        n_outputs=n_out,
        input_sources=input_sources,
        output_sinks=output_sinks,
        seed=0,
    )
    allowed = brute_allowed(n, n_in, n_out, False, input_sources, output_sinks)
    assert edge_set(g) <= allowed
    assert g.inputs_are_sources() == input_sources
    assert g.outputs_are_sinks() == output_sinks
    assert abs(g.n_edges / len(allowed) - 0.9) < 0.02


def test_erdos_renyi_extremes_and_reproducibility():
    assert erdos_renyi(50, 0.0, seed=0).n_edges == 0
    full = erdos_renyi(40, 1.0, n_inputs=3, n_outputs=4, output_sinks=True, seed=0)
    ref = all_to_all(40, n_inputs=3, n_outputs=4, output_sinks=True)
    assert np.array_equal(full.src, ref.src) and np.array_equal(full.dst, ref.dst)
    a = erdos_renyi(300, 0.1, seed=7)
    b = erdos_renyi(300, 0.1, seed=np.random.default_rng(7))
    c = erdos_renyi(300, 0.1, seed=8)
    assert np.array_equal(a.src, b.src) and np.array_equal(a.dst, b.dst)
    assert edge_set(a) != edge_set(c)
    assert erdos_renyi(10_000, 1e-12, seed=0).n_edges <= 1  # count-then-choose branch


def test_erdos_renyi_large_is_fast():
    import time

    t = time.perf_counter()
    g = erdos_renyi(10_000, 0.002, n_inputs=100, n_outputs=10, seed=0)
    assert time.perf_counter() - t < 5.0
    assert abs(g.n_edges / (9_900 * 9_999) - 0.002) < 1e-4
    assert g.inputs_are_sources()


@pytest.mark.parametrize(
    ("density", "match"),
    [
        (1.5, "density"),
        (-0.1, "density"),
        (float("nan"), "density"),
        ("0.5", "density"),
        (True, "density"),
    ],
)
def test_erdos_renyi_bad_density(density, match):
    with pytest.raises(GraphError, match=match):
        erdos_renyi(10, density)


def test_erdos_renyi_bad_seed():
    with pytest.raises(WiringError, match="seed"):
        erdos_renyi(10, 0.5, seed="abc")


# ------------------------------------------------------------------ stochastic_block


def block_density(g, labels, a, b):
    """Observed density of edges from block b to block a (no self-loops)."""
    na, nb = np.sum(labels == a), np.sum(labels == b)
    m = na * nb - (na if a == b else 0)
    hits = np.sum((labels[g.dst] == a) & (labels[g.src] == b))
    return hits / m, m


def test_sbm_within_vs_between_density():
    sizes = [200, 300, 250]
    g, labels = stochastic_block(sizes, (0.2, 0.02), seed=4)
    assert labels.tolist() == [0] * 200 + [1] * 300 + [2] * 250
    for a, b in itertools.product(range(3), repeat=2):
        p = 0.2 if a == b else 0.02
        dens, m = block_density(g, labels, a, b)
        assert abs(dens - p) < 5 * np.sqrt(p * (1 - p) / m), (a, b, dens)
    assert not g.has_self_loops
    assert_sorted_dst_src(g)


def test_sbm_matrix_direction_is_dst_src():
    p = np.array([[0.0, 0.5], [0.0, 0.0]])  # only edges from block 1 into block 0
    g, labels = stochastic_block([30, 40], p, seed=0)
    assert g.n_edges > 0
    assert np.all(labels[g.dst] == 0) and np.all(labels[g.src] == 1)
    dens, m = block_density(g, labels, 0, 1)
    assert abs(dens - 0.5) < 5 * np.sqrt(0.25 / m)


def test_sbm_full_blocks_and_constraints():
    g, labels = stochastic_block(
        [4, 5, 3], (1.0, 0.0), n_inputs=2, n_outputs=2, output_sinks=True, seed=0
    )
    expected = {
        (s, d) for s, d in brute_allowed(12, 2, 2, False, True, True) if labels[s] == labels[d]
    }
    assert edge_set(g) == expected
    assert g.inputs.tolist() == [0, 1] and g.outputs.tolist() == [10, 11]


@pytest.mark.parametrize(
    ("p", "match"),
    [
        (np.full((2, 2), 0.1), "shape"),
        ([[0.1, 1.2, 0], [0, 0, 0], [0, 0, 0]], r"p\[0, 1\]"),
        ((0.5, -0.1), r"p\[1\]"),
        ("dense", "`p`"),
    ],
)
def test_sbm_bad_p(p, match):
    with pytest.raises(GraphError, match=match):
        stochastic_block([3, 3, 3], p)


def test_sbm_bad_sizes():
    with pytest.raises(GraphError, match=r"sizes\[2\]"):
        stochastic_block([3, 3, 0], (0.5, 0.1))


# ------------------------------------------------------------------------ small_world


def ring_edges(n, k, sources):
    return {(i, (i + d) % n) for i in sources for d in range(1, k + 1)}


def test_small_world_no_rewiring_is_the_ring():
    g = small_world(20, 3, 0.0)
    assert edge_set(g) == ring_edges(20, 3, range(20))
    assert_sorted_dst_src(g)


@pytest.mark.parametrize("rewire", [0.1, 0.3, 1.0])
def test_small_world_out_degree_exactly_k(rewire):
    n, k = 1000, 6
    g = small_world(n, k, rewire, seed=2)
    assert np.all(np.bincount(g.src, minlength=n) == k)
    assert not g.has_self_loops
    kept = len(edge_set(g) & ring_edges(n, k, range(n))) / (n * k)
    # a rewired edge lands back on a ring position only with probability ~k/n
    assert abs(kept - (1 - rewire)) < 0.03
    assert_sorted_dst_src(g)


def test_small_world_full_rewire_is_uniform():
    n, k = 400, 10
    g = small_world(n, k, 1.0, seed=5)
    # targets spread uniformly: the forward distance (dst - src) mod n is uniform on 1..n-1
    dist = (g.dst - g.src) % n
    hist = np.bincount((dist - 1) * 4 // (n - 1), minlength=4)
    expected = n * k / 4
    assert np.all(np.abs(hist - expected) < 5 * np.sqrt(expected))


def test_small_world_saturated_uses_every_target():
    n = 25
    g = small_world(n, n - 1, 1.0, seed=0)  # every neuron must reach all others
    assert edge_set(g) == brute_allowed(n, 0, 0, False, False, False)


def test_small_world_constraints():
    n, k, n_in, n_out = 60, 5, 6, 4
    g = small_world(n, k, 0.2, n_inputs=n_in, n_outputs=n_out, output_sinks=True, seed=1)
    assert g.inputs_are_sources() and g.outputs_are_sinks()
    outdeg = np.bincount(g.src, minlength=n)
    assert np.all(outdeg[: n - n_out] == k) and np.all(outdeg[n - n_out :] == 0)
    g2 = small_world(n, k, 0.0, n_inputs=n_in, seed=1)  # forced rewiring off inputs
    assert g2.inputs_are_sources()
    assert np.all(np.bincount(g2.src, minlength=n) == k)


def test_small_world_self_loops_allowed():
    g = small_world(12, 11, 1.0, self_loops=True, seed=0)
    assert np.all(np.bincount(g.src, minlength=12) == 11)


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        ((10, 10, 0.1), {}, "`k`"),
        ((10, 0, 0.1), {}, "`k`"),
        ((10, 8, 0.1), {"n_inputs": 2}, "`k`"),
        ((10, 2, 1.1), {}, "rewire"),
        ((0, 2, 0.1), {}, "`n`"),
    ],
)
def test_small_world_bad_arguments(args, kw, match):
    with pytest.raises(GraphError, match=match):
        small_world(*args, **kw)


# ------------------------------------------------------------------------- recurrent


def test_recurrent_default_layout():
    n_in, n_hid, n_out = 5, 40, 3
    g = recurrent(n_in, n_hid, n_out, recurrent_density=0.25, seed=0)
    group = np.repeat([0, 1, 2], [n_in, n_hid, n_out])  # 0 input, 1 hidden, 2 output
    kinds = set(zip(group[g.src].tolist(), group[g.dst].tolist(), strict=True))
    assert kinds == {(0, 1), (1, 1), (1, 2)}
    assert np.sum((group[g.src] == 0) & (group[g.dst] == 1)) == n_in * n_hid
    assert np.sum((group[g.src] == 1) & (group[g.dst] == 2)) == n_hid * n_out
    rec = np.sum((group[g.src] == 1) & (group[g.dst] == 1))
    m = n_hid * (n_hid - 1)
    assert abs(rec / m - 0.25) < 5 * np.sqrt(0.25 * 0.75 / m)
    assert g.inputs.tolist() == list(range(n_in))
    assert g.outputs.tolist() == list(range(n_in + n_hid, n_in + n_hid + n_out))
    assert g.inputs_are_sources() and g.outputs_are_sinks()
    assert not g.has_self_loops
    assert_sorted_dst_src(g)


def test_recurrent_feedback_and_sparse_projections():
    g = recurrent(10, 50, 4, input_density=0.3, output_density=0.5, feedback_density=0.5, seed=9)
    assert g.inputs_are_sources()
    assert not g.outputs_are_sinks()
    hid = (g.src >= 10) & (g.src < 60)
    fb = (g.src >= 60) & (g.dst >= 10) & (g.dst < 60)
    assert fb.sum() > 0
    assert not np.any((g.src >= 60) & (g.dst >= 60))  # no output -> output
    assert not np.any((g.src < 10) & (g.dst >= 60))  # no input -> output
    assert 0 < np.sum(hid & (g.dst >= 60)) < 50 * 4


def test_recurrent_self_loops():
    g = recurrent(2, 10, 2, recurrent_density=1.0, self_loops=True, seed=0)
    loops = g.src[g.src == g.dst]
    assert sorted(loops.tolist()) == list(range(2, 12))


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        ((0, 5, 2), {}, "n_inputs"),
        ((2, 0, 2), {}, "n_hidden"),
        ((2, 5, -1), {}, "n_outputs"),
        ((2, 5, 2), {"feedback_density": 2.0}, "feedback_density"),
        ((2, 5, 2), {"input_density": -1}, "input_density"),
    ],
)
def test_recurrent_bad_arguments(args, kw, match):
    with pytest.raises(GraphError, match=match):
        recurrent(*args, **kw)
