"""The mini-batch kernel against a dense numpy backprop, the per-sample kernel,
finite differences, and itself across thread counts and float types."""

import numba
import numpy as np
import pytest

from wiring._batched import levels, run_batched
from wiring.errors import WiringError
from wiring.graphs.builders import erdos_renyi, layered
from wiring.kernels.neurons import tanh_fast32
from wiring.network import Network
from wiring.train import fit

RULES = ["balance-exact", "balance", "fa", "sign-concordant", "dfa"]


def mlp_gradient(Ws, bs, X, Y):
    """-dL/dW summed over samples for L = 0.5 ||y - out||^2 of a tanh MLP, by hand."""
    hs = [X]
    for W, b in zip(Ws, bs, strict=True):
        hs.append(np.tanh(hs[-1] @ W.T + b))
    delta = (Y - hs[-1]) * (1 - hs[-1] ** 2)
    grads = []
    for li in range(len(Ws) - 1, -1, -1):
        grads.append((delta.T @ hs[li], delta.sum(0)))
        delta = (delta @ Ws[li]) * (1 - hs[li] ** 2)
    return grads[::-1]


def test_layered_update_is_dense_backprop():
    sizes = [5, 7, 4, 3]
    net = Network(layered(sizes), seed=0, init_scale=0.9)
    rng = np.random.default_rng(1)
    net.bias = rng.standard_normal(net.n) * 0.1
    X = rng.standard_normal((23, 5))
    Y = rng.standard_normal((23, 3)) * 0.5
    dw = np.zeros(net.graph.n_edges)
    db = np.zeros(net.n)
    done, _ = run_batched(net, X, Y, rule="balance-exact", loss="mse", tol=1e-12, max_iter=10,
                          batch_size=8, dw=dw, db=db)
    assert done == 23
    Wd = net.graph.dense(np.zeros(net.graph.n_edges))
    Wd[net.graph.dst[net.graph.in_eid], net.graph.src[net.graph.in_eid]] = dw
    dense = net.dense()
    starts = np.cumsum([0, *sizes])
    Ws = [dense[starts[i + 1]:starts[i + 2], starts[i]:starts[i + 1]] for i in range(3)]
    bs = [net.bias[starts[i + 1]:starts[i + 2]] for i in range(3)]
    for li, (gW, gb) in enumerate(mlp_gradient(Ws, bs, X, Y)):
        rows = slice(starts[li + 1], starts[li + 2])
        np.testing.assert_allclose(Wd[rows, starts[li]:starts[li + 1]], gW, rtol=1e-12,
                                   atol=1e-13)
        np.testing.assert_allclose(db[rows], gb, rtol=1e-12, atol=1e-13)


def test_recurrent_update_matches_finite_differences():
    g = erdos_renyi(14, 0.3, n_inputs=3, n_outputs=2, seed=4)
    net = Network(g, seed=2, init_scale=0.6)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((6, 3))
    Y = rng.standard_normal((6, 2)) * 0.5
    dw = np.zeros(g.n_edges)
    run_batched(net, X, Y, rule="balance-exact", loss="mse", tol=1e-14, max_iter=5000,
                batch_size=4, dw=dw, db=np.zeros(g.n))
    ein = g.in_eid

    def loss(w):
        probe = net.copy()
        probe.weight = w
        out = probe.settle(X, tol=1e-14, max_iter=5000)[:, g.outputs]
        return 0.5 * np.sum((Y - out) ** 2)

    w0 = net.weight
    h = 1e-6
    for k in range(0, g.n_edges, max(1, g.n_edges // 12)):
        wp, wm = w0.copy(), w0.copy()
        wp[ein[k]] += h
        wm[ein[k]] -= h
        fd = -(loss(wp) - loss(wm)) / (2 * h)
        assert dw[k] == pytest.approx(fd, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dag", [True, False])
def test_batch_and_sample_kernels_agree(rule, dag):
    g = layered([6, 9, 3]) if dag else erdos_renyi(30, 0.15, n_inputs=6, n_outputs=3, seed=1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    Y = rng.standard_normal((40, 3)) * 0.5
    a = Network(g, seed=0, init_scale=0.7)
    b = a.copy()
    ra = fit(a, (X, Y), rule=rule, learning_rate=0.05, epochs=2, batch_size=8, seed=3,
             kernel="sample", tol=1e-13, max_iter=3000)
    rb = fit(b, (X, Y), rule=rule, learning_rate=0.05, epochs=2, batch_size=8, seed=3,
             kernel="batch", tol=1e-13, max_iter=3000)
    tol = 1e-13 if dag else 1e-9
    np.testing.assert_allclose(a.weight, b.weight, rtol=0, atol=tol)
    np.testing.assert_allclose(a.bias, b.bias, rtol=0, atol=tol)
    for ma, mb in zip(ra.metrics, rb.metrics, strict=True):
        assert ma["nonconverged"] == mb["nonconverged"] if "nonconverged" in ma else True
        assert ma["train_loss"] == pytest.approx(mb["train_loss"], abs=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("dag", [True, False])
def test_threads_are_bit_identical(dtype, dag):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs 2 numba threads")
    g = layered([8, 40, 5]) if dag else erdos_renyi(60, 0.2, n_inputs=8, n_outputs=5, seed=2)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70, 8))
    Y = rng.standard_normal((70, 5)) * 0.5
    nets = []
    for threads in (1, 2):
        net = Network(g, seed=0, init_scale=0.7)
        fit(net, (X, Y), learning_rate=0.05, epochs=2, batch_size=16, seed=1, kernel="batch",
            dtype=dtype, threads=threads)
        nets.append(net)
    assert np.array_equal(nets[0].weight, nets[1].weight)
    assert np.array_equal(nets[0].bias, nets[1].bias)


def test_threads_setting_is_restored_and_checked():
    before = numba.get_num_threads()
    net = Network(layered([2, 3, 1]), seed=0)
    fit(net, (np.ones((4, 2)), np.ones((4, 1))), epochs=1, batch_size=2, threads=1)
    assert numba.get_num_threads() == before
    with pytest.raises(WiringError, match="threads"):
        fit(net, (np.ones((4, 2)), np.ones((4, 1))), epochs=1, threads=10_000)


def test_float32_close_to_float64_and_stays_float32():
    g = layered([6, 12, 3])
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6))
    Y = np.tanh(X[:, :3])
    a = Network(g, seed=0)
    b = a.copy()
    fit(a, (X, Y), learning_rate=0.05, epochs=3, batch_size=10, seed=0, kernel="batch")
    fit(b, (X, Y), learning_rate=0.05, epochs=3, batch_size=10, seed=0, dtype="float32")
    assert np.array_equal(b.weight.astype(np.float32).astype(np.float64), b.weight)
    np.testing.assert_allclose(a.weight, b.weight, atol=1e-5)
    assert not np.array_equal(a.weight, b.weight)


def test_kernel_choice_errors():
    net = Network(layered([2, 3, 1]), seed=0)
    data = (np.ones((4, 2)), np.ones((4, 1)))
    with pytest.raises(WiringError, match="kernel"):
        fit(net, data, kernel="gpu")
    with pytest.raises(WiringError, match="warm"):
        fit(net, data, kernel="batch", warm_start=True)
    with pytest.raises(WiringError, match="float32"):
        fit(net, data, kernel="sample", dtype="float32")


def test_divergence_is_recorded_not_nan():
    g = erdos_renyi(30, 0.3, n_inputs=4, n_outputs=2, seed=0)
    net = Network(g, seed=0, init_scale=3.0, activation="linear")  # explodes, no saturation
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)) * 3
    Y = rng.standard_normal((64, 2)) * 3
    res = fit(net, (X, Y), learning_rate=10.0, epochs=3, batch_size=8, kernel="batch", seed=0,
              max_iter=2000)
    assert res.status == "unstable"
    assert "firing dynamics diverged at epoch 1" in res.reason
    assert np.all(np.isfinite(net.weight))  # the diverged batch applied nothing


def test_levels_group_a_dag():
    g = layered([3, 4, 2])
    (fp, fn, nl), (cp, cn, cl) = levels(Network(g, seed=0))
    assert nl == cl == 3
    assert sorted(cn[cp[0]:cp[1]]) == [0, 1, 2]
    assert fp[1] == 0 and sorted(fn) == list(range(3, 9))  # inputs are not free


def test_tanh_fast32_within_3_ulp():
    from numba import njit

    @njit
    def run(x, out):
        for i in range(x.size):
            out[i] = tanh_fast32(x[i])

    x = np.concatenate([np.linspace(-12, 12, 200_001),
                        np.logspace(-30, 1.2, 20_001), -np.logspace(-30, 1.2, 20_001)])
    x = x.astype(np.float32)
    out = np.empty_like(x)
    run(x, out)
    ref = np.tanh(x.astype(np.float64))
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert out.dtype == np.float32
    assert np.max(np.abs(out - ref) / ulp) <= 3.0
    run(np.array([np.nan], np.float32), out[:1])
    assert np.isnan(out[0])


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs a pool of 2+ threads")
def test_threads_none_uses_one_thread_for_small_sweeps_only(monkeypatch):
    import wiring.train as train

    seen = []
    real = train.run_batched

    def spy(*args, **kwargs):
        seen.append(numba.get_num_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "run_batched", spy)
    data = (np.ones((8, 2)), np.ones((8, 1)))
    pool, default = numba.get_num_threads(), train.AUTO_THREADS_MIN_WORK
    runs = {}
    for threads, limit in ((None, default), (None, 0), (0, 10**12), (1, 0)):
        monkeypatch.setattr(train, "AUTO_THREADS_MIN_WORK", limit)
        seen.clear()
        net = Network(layered([2, 3, 1]), seed=0)
        fit(net, data, epochs=1, batch_size=4, threads=threads, seed=0)
        runs[threads, limit] = (set(seen), net.weight.copy())
    assert runs[None, default][0] == {1}  # 9 edges x 4: tiny work
    assert runs[None, 0][0] == {pool}  # above the threshold: numba's setting
    assert runs[0, 10**12][0] == {pool}  # 0: numba's setting, never the automatic choice
    assert runs[1, 0][0] == {1}  # an explicit count always wins
    assert numba.get_num_threads() == pool
    weights = [w for _, w in runs.values()]
    assert all(np.array_equal(w, weights[0]) for w in weights)
    with pytest.raises(WiringError, match="threads"):
        fit(Network(layered([2, 3, 1]), seed=0), data, epochs=1, threads=-1)
