"""Algorithm 1 against a literal dense numpy twin written here from SCIENCE.md."""

import numpy as np
import pytest

from wiring._checks import standard_normal
from wiring.errors import WiringError
from wiring.graphs.graph import Graph
from wiring.simulate import simulate


def all_pairs(n, self_loops=False):
    src, dst = np.nonzero(np.ones((n, n), bool) if self_loops else ~np.eye(n, dtype=bool))
    return Graph.from_edges(n, src, dst, inputs=[], outputs=[])


def twin(W, mask, x, c, clamped, lr, p, noise_x, noise_c, structural):
    """One-step Algorithm 1 with dense matrices; mask marks the graph's edges; ``lr`` a
    number or one rate per iteration."""
    W = W.copy()
    alive = mask.copy()
    E = mask.sum()
    k = int(np.floor(p * E))
    for t in range(noise_x.shape[0]):
        s = W @ x
        x = np.tanh(s) + noise_x[t]
        f = 1 - np.tanh(s) ** 2
        J = W.T * f[None, :]
        J[clamped] = 0
        J[clamped, clamped] = 1
        c = J @ c + noise_c[t]
        upd = np.asarray(lr, float).reshape(-1)[min(t, np.size(lr) - 1)] * np.outer(c * f, x)
        W += upd * (alive if structural else mask)
        if k:  # exactly the k smallest |w| (ties: first in row-major (dst, src) order)
            rows, cols = np.nonzero(mask)
            a = np.abs(W[rows, cols])
            gone = np.argsort(a, kind="stable")[:k]
            W[rows[gone], cols[gone]] = 0
            if structural:
                alive[rows[gone], cols[gone]] = False
    return W


@pytest.mark.parametrize("pruning", ["regrow", "structural"])
@pytest.mark.parametrize("p", [0.0, 0.6])
@pytest.mark.parametrize("self_loops", [False, True])  # True: contiguous rows, other kernel
def test_algorithm1_matches_dense_twin(pruning, p, self_loops):
    n, T = 25, 300
    g = all_pairs(n, self_loops)
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(g.n_edges) / np.sqrt(n)
    res = simulate(g, learning_rate=0.05, iterations=T, prune=p, pruning=pruning, weight=w0,
                   noise_rate=0.1, noise_credit=0.1, clamped_fraction=0.2, seed=7)
    assert res.status == "ok"
    # replay the same random stream as simulate(): clamped set, x0, c0, then noise chunks
    # (normal draws by wiring's sampler, the quantiles of rng.random(): see _checks)
    rng = np.random.default_rng(7)
    clamped = np.sort(rng.choice(n, size=5, replace=False))
    assert clamped.tolist() == res.clamped.tolist()
    x0 = standard_normal(rng, n) * 0.1
    c0 = standard_normal(rng, n) * 0.1
    gx, gc = rng.spawn(2)
    nx = [standard_normal(gx, (T, n)) * 0.1]
    nc = [standard_normal(gc, (T, n)) * 0.1]
    W0 = g.dense(w0)
    mask = g.dense(np.ones(g.n_edges)) > 0
    W = twin(W0, mask, x0, c0, clamped, 0.05, p, np.vstack(nx), np.vstack(nc),
             pruning == "structural")
    np.testing.assert_allclose(g.dense(res.weight), W, rtol=1e-9, atol=1e-12)
    if p:
        assert np.mean(res.weight == 0) == pytest.approx(np.floor(p * g.n_edges) / g.n_edges)


def test_huge_learning_rate_is_recorded_unstable_not_nan():
    g = all_pairs(20)
    res = simulate(g, learning_rate=1e4, iterations=500, seed=0, activation="linear")
    assert res.status == "unstable"
    assert "diverged" in res.reason
    assert np.all(np.isfinite(res.weight))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"prune": 1.0}, "prune"), ({"pruning": "sometimes"}, "pruning"),
     ({"mode": "fast"}, "mode"), ({"learning_rate": float("nan")}, "learning_rate"),
     ({"activation": "softsign"}, "activation"), ({"snapshot_at": [999]}, "snapshot_at")],
)
def test_bad_arguments_name_themselves(kwargs, match):
    args = {"learning_rate": 0.01, "iterations": 10} | kwargs
    with pytest.raises(WiringError, match=match):
        simulate(all_pairs(5), **args)


def test_settled_mode_reaches_fixed_points():
    g = all_pairs(15)
    res = simulate(g, learning_rate=0.01, iterations=50, mode="settled", seed=1,
                   init_scale=0.5, tol=1e-10)
    assert res.status == "ok"
    assert res.metrics[-1]["settle_capped"] == 0
    assert res.metrics[-1]["firing_iterations_mean"] > 2


@pytest.mark.parametrize("pruning", ["regrow", "structural"])
def test_pruning_removes_exactly_k_even_with_tied_weights(pruning):
    g = all_pairs(20)
    w0 = np.where(np.arange(g.n_edges) % 2, 0.3, -0.3)  # every |w| tied
    res = simulate(g, learning_rate=0.0, iterations=3, prune=0.5, pruning=pruning,
                   weight=w0, seed=0)
    assert np.sum(res.weight == 0) == int(np.floor(0.5 * g.n_edges))


def test_unstable_run_returns_last_checkpoint_weights():
    g = all_pairs(10)
    res = simulate(g, learning_rate=1e3, iterations=400, checkpoint_every=1, seed=0,
                   activation="linear", weight_limit=1e6, snapshot_at=range(0, 401))
    assert res.status == "unstable"
    last_step, last_w = res.snapshots[-1]
    np.testing.assert_array_equal(res.weight, last_w)
    assert np.abs(res.weight).max() <= 1e6


def test_graph_without_edges_runs():
    g = Graph.from_edges(5, [], [], inputs=[], outputs=[])
    res = simulate(g, learning_rate=0.1, iterations=10, prune=0.5, seed=0)
    assert res.status == "ok" and res.weight.size == 0


def test_checkpoint_every_must_be_an_integer():
    with pytest.raises(WiringError, match="checkpoint_every"):
        simulate(all_pairs(5), learning_rate=0.1, iterations=10, checkpoint_every=2.5)


def test_trajectory_does_not_depend_on_checkpoints_or_snapshots():
    g = all_pairs(15)
    a = simulate(g, learning_rate=0.05, iterations=500, prune=0.5, seed=3)
    b = simulate(g, learning_rate=0.05, iterations=500, prune=0.5, seed=3,
                 checkpoint_every=7, snapshot_at=[0, 13, 250, 499, 500])
    np.testing.assert_array_equal(a.weight, b.weight)


@pytest.mark.parametrize("pruning", ["regrow", "structural"])
def test_learning_rate_schedule_matches_twin_with_per_iteration_rates(pruning):
    n, T, stages = 20, 301, 3
    g = all_pairs(n, True)
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(g.n_edges) / np.sqrt(n)
    res = simulate(g, learning_rate=0.3, learning_rate_end=0.003, stages=stages,
                   iterations=T, prune=0.5, pruning=pruning, weight=w0, clamped_fraction=0.2,
                   seed=3, checkpoint_every=50)
    rng = np.random.default_rng(3)
    clamped = np.sort(rng.choice(n, size=4, replace=False))
    x0 = standard_normal(rng, n) * 0.1
    c0 = standard_normal(rng, n) * 0.1
    gx, gc = rng.spawn(2)
    nx = standard_normal(gx, (T, n)) * 0.1
    nc = standard_normal(gc, (T, n)) * 0.1
    # stage k covers iterations [round(k T / 3), round((k + 1) T / 3)): rates 0.3, 0.03, 0.003
    bounds = [round(k * T / stages) for k in range(stages + 1)]
    lrs = np.concatenate([np.full(bounds[k + 1] - bounds[k], 0.3 * 0.1 ** k)
                          for k in range(stages)])
    W = twin(g.dense(w0), g.dense(np.ones(g.n_edges)) > 0, x0, c0, clamped, lrs, 0.5, nx, nc,
             pruning == "structural")
    np.testing.assert_allclose(g.dense(res.weight), W, rtol=1e-9, atol=1e-12)
    rates = {row["iteration"]: row["learning_rate"] for row in res.metrics}
    assert rates[50] == pytest.approx(0.3) and rates[300] == pytest.approx(0.003)


def test_schedule_needs_a_positive_end_rate():
    with pytest.raises(WiringError, match="learning_rate_end"):
        simulate(all_pairs(5), learning_rate=0.1, learning_rate_end=-1.0, stages=2,
                 iterations=10)


# --------------------------------------------------------------------------- neuron state


def twin_states(W, mask, x, c, clamped, lr, noise_x, noise_c, at):
    """Rates and f(s) of the dense one-step twin (no pruning; ``mask`` marks the graph's
    edges) after the iterations ``at``; at 0: the initial rates and f(W x) of them."""
    out = {0: (x.copy(), 1 - np.tanh(W @ x) ** 2)} if 0 in at else {}
    W = W.copy()
    for t in range(noise_x.shape[0]):
        s = W @ x
        x = np.tanh(s) + noise_x[t]
        f = 1 - np.tanh(s) ** 2
        J = W.T * f[None, :]
        J[clamped] = 0
        J[clamped, clamped] = 1
        c = J @ c + noise_c[t]
        W = W + lr * np.outer(c * f, x) * mask
        if t + 1 in at:
            out[t + 1] = (x.copy(), f.copy())
    return out


def test_states_match_the_dense_twin():
    n, T, at = 15, 60, [0, 1, 25, 60]
    g = all_pairs(n)
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(g.n_edges) / np.sqrt(n)
    res = simulate(g, learning_rate=0.05, iterations=T, weight=w0, prune=0.0, clamped_fraction=0.2,
                   seed=7, snapshot_at=at)
    assert [step for step, _, _ in res.states] == [step for step, _ in res.snapshots] == at
    rng = np.random.default_rng(7)  # the stream simulate() draws, as in the test above
    clamped = np.sort(rng.choice(n, size=3, replace=False))
    x0, c0 = standard_normal(rng, n) * 0.1, standard_normal(rng, n) * 0.1
    gx, gc = rng.spawn(2)
    want = twin_states(g.dense(w0), g.dense(np.ones(g.n_edges)) > 0, x0, c0, clamped, 0.05,
                       standard_normal(gx, (T, n)) * 0.1, standard_normal(gc, (T, n)) * 0.1, at)
    for step, rate, balance in res.states:
        assert rate.shape == balance.shape == (n,)
        np.testing.assert_allclose(rate, want[step][0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(balance, want[step][1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["one-step", "settled"])
def test_recording_states_does_not_change_the_trajectory(mode):
    g = all_pairs(15)
    kw = {"learning_rate": 0.05, "iterations": 300, "prune": 0.5, "seed": 3, "mode": mode,
          "checkpoint_every": 100}
    a = simulate(g, **kw)
    b = simulate(g, **kw, snapshot_at=[0, 1, 13, 100, 250, 299, 300])
    assert a.states == [] and len(b.states) == 7
    np.testing.assert_array_equal(a.weight, b.weight)  # bit for bit
    shared = [row for row in b.metrics if row["iteration"] % 100 == 0]  # a's checkpoints
    assert a.metrics == shared
    np.testing.assert_array_equal(b.snapshots[-1][1], b.weight)
    assert all(np.all((f >= 0) & (f <= 1)) for _, _, f in b.states)  # f = tanh'


def test_states_stop_with_the_snapshots_of_an_unstable_run():
    res = simulate(all_pairs(10), learning_rate=1e3, iterations=400, checkpoint_every=1,
                   seed=0, activation="linear", snapshot_at=range(0, 401))
    assert res.status == "unstable"
    assert [s for s, _, _ in res.states] == [s for s, _ in res.snapshots]
    assert all(np.isfinite(x).all() and np.isfinite(f).all() for _, x, f in res.states)


def _same_result(a, b):
    assert (a.status, a.reason, a.iterations) == (b.status, b.reason, b.iterations)
    np.testing.assert_array_equal(a.weight, b.weight)
    np.testing.assert_array_equal(a.clamped, b.clamped)
    assert [s for s, _ in a.snapshots] == [s for s, _ in b.snapshots]
    for (_, wa), (_, wb) in zip(a.snapshots, b.snapshots, strict=True):
        np.testing.assert_array_equal(wa, wb)
    for (_, xa, fa), (_, xb, fb) in zip(a.states, b.states, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(fa, fb)
    assert a.metrics == b.metrics


@pytest.mark.parametrize("kwargs", [
    # ok, with snapshots and checkpoints that cut chunks short
    {"learning_rate": 0.05, "iterations": 4500, "prune": 0.5, "snapshot_at": [0, 7, 2500]},
    # max |w| passes weight_limit at 3720: caught at the end of its chunk, 4000, as before
    {"learning_rate": 0.05, "iterations": 5000, "checkpoint_every": 5000, "prune": 0.3,
     "weight_limit": 1.613},
    # the dynamics blow up inside a block
    {"learning_rate": 1e4, "iterations": 500, "activation": "linear"},
    {"learning_rate": 0.01, "iterations": 300, "mode": "settled", "pruning": "structural",
     "prune": 0.4},
])
def test_results_do_not_depend_on_the_noise_memory_bound(monkeypatch, kwargs):
    """The noise is drawn in blocks of at most NOISE_BYTES per array; any block size gives
    the same bits (one uniform per draw, in order; max |w| checked per CHUNK only)."""
    import importlib

    sim = importlib.import_module("wiring.simulate")  # wiring.simulate is the function
    g = all_pairs(12, self_loops=True)
    ref = simulate(g, seed=1, **kwargs)
    assert sim._noise_rows(g.n) == sim.CHUNK  # small n: one block per chunk, as before
    if "weight_limit" in kwargs:
        assert ref.status == "unstable" and ref.iterations == 4000
    for rows in (1, 3, 7):
        monkeypatch.setattr(sim, "NOISE_BYTES", rows * 8 * g.n)
        assert sim._noise_rows(g.n) == rows
        _same_result(simulate(g, seed=1, **kwargs), ref)


def test_noise_blocks_are_bounded_by_memory():
    import importlib

    sim = importlib.import_module("wiring.simulate")
    assert sim._noise_rows(300) == 2000 and sim._noise_rows(4194) == 2000
    assert sim._noise_rows(10**6) == 8  # 2000 rows would be 16 GB per array
    assert sim._noise_rows(10**6) * 8 * 10**6 <= sim.NOISE_BYTES
    assert sim._noise_rows(10**8) == 1  # at least one row, whatever n
    assert sim._noise_rows(0) == 2000
