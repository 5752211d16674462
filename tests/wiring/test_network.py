"""Network API behaviour and bad input: every error names its argument."""

import numpy as np
import pytest

from wiring.errors import DataError, GraphError, SettleDidNotConverge, WiringError
from wiring.graphs.graph import Graph
from wiring.network import Network
from wiring.train import fit


def small():
    return Network.from_edges(4, [0, 1, 2, 2], [2, 2, 3, 2], [0.5, -0.3, 0.8, 0.2],
                              inputs=[0, 1], outputs=[3])


def test_weights_keep_user_edge_order():
    src, dst = [3, 0, 1, 2, 0], [1, 1, 3, 3, 2]
    w = [1.0, 2.0, 3.0, 4.0, 5.0]
    net = Network.from_edges(4, src, dst, w, inputs=[0], outputs=[3])
    assert net.weight.tolist() == w
    W = net.dense()
    for s, d, v in zip(src, dst, w, strict=True):
        assert W[d, s] == v
    dw, _ = net.plasticity([[0.3]], [[0.1]])
    assert dw.shape == (5,)


def test_settle_satisfies_fixed_point_equation():
    net = small()
    X = np.array([[0.2, -0.4], [1.0, 0.5]])
    x = net.settle(X, tol=1e-13)
    W = net.dense()
    s = x @ W.T + net.bias
    np.testing.assert_array_equal(x[:, :2], X)
    np.testing.assert_allclose(x[:, 2:], np.tanh(s[:, 2:]), atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: Network.from_edges(3, [0, 5], [1, 2], [1, 1], inputs=[0], outputs=[2]),
         GraphError, "src"),
        (lambda: Network.from_edges(3, [0, 1], [1, -1], [1, 1], inputs=[0], outputs=[2]),
         GraphError, "dst"),
        (lambda: Network.from_edges(3, [0, 1], [1], [1, 1], inputs=[0], outputs=[2]),
         GraphError, "same length"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1.0], inputs=[0], outputs=[2]),
         WiringError, "weight"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1.0, np.nan], inputs=[0], outputs=[2]),
         WiringError, "weight"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1.0, np.inf], inputs=[0], outputs=[2]),
         WiringError, "weight"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1, 1], inputs=[0, 2], outputs=[2]),
         GraphError, "overlap"),
        (lambda: Network.from_edges(3, [0, 0], [1, 1], [1, 1], inputs=[0], outputs=[2]),
         GraphError, "duplicate edge 0 -> 1"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1, 1], inputs=[0], outputs=[2],
                                    activation="softsign"), WiringError, "activation"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1, 1], inputs=[0], outputs=[2],
                                    balance="cosine"), WiringError, "balance"),
        (lambda: Network.from_edges(3, [0, 1], [1, 2], [1, 1], bias=[0, 0], inputs=[0],
                                    outputs=[2]), WiringError, "bias"),
        (lambda: small().settle([[1.0, 2.0, 3.0]]), DataError, "X"),
        (lambda: small().settle([[np.nan, 0.0]]), DataError, "X"),
        (lambda: small().plasticity([[0.0, 0.0]], [[1.0], [2.0]]), DataError, "Y"),
        (lambda: small().plasticity([[0.0, 0.0]], [[np.inf]]), DataError, "Y"),
        (lambda: small().plasticity([[0.0, 0.0]], [[1.0]], rule="hebb"), WiringError,
         "rule.*balance-exact"),
        (lambda: small().plasticity([[0.0, 0.0]], [[1.0]], loss="hinge"), WiringError, "loss"),
        (lambda: small().settle([[0.0, 0.0]], tol=-1), WiringError, "tol"),
        (lambda: small().settle([[0.0, 0.0]], max_iter=0), WiringError, "max_iter"),
    ],
)
def test_bad_input_names_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()


def unstable_net():
    # a linear self-excitation with gain 2: x <- 2x + u has no stable fixed point
    return Network.from_edges(3, [0, 1, 1], [1, 1, 2], [1.0, 2.0, 1.0], inputs=[0],
                              outputs=[2], activation="linear")


def test_divergent_settle_raises_named_error_not_nan():
    with pytest.raises(SettleDidNotConverge, match="firing") as info:
        unstable_net().settle([[1.0]], max_iter=5000)
    assert info.value.phase == "firing" and info.value.sample == 0
    x, rep = unstable_net().settle([[1.0]], max_iter=5000, return_info=True)
    assert rep.status[0] == 2 and not rep.converged[0]


def test_iteration_cap_is_reported():
    net = Network.from_edges(3, [0, 1, 1], [1, 1, 2], [1.0, 0.99, 1.0], inputs=[0],
                             outputs=[2], activation="linear")
    with pytest.raises(SettleDidNotConverge, match="iteration cap") as info:
        net.settle([[1.0]], max_iter=10)
    assert info.value.iterations == 10


def test_divergent_learning_rate_is_recorded_as_unstable():
    rng = np.random.default_rng(0)
    net = Network.from_edges(6, [0, 1, 2, 3, 2, 3, 4], [2, 3, 3, 2, 4, 4, 5],
                             rng.standard_normal(7) * 0.5, inputs=[0, 1], outputs=[5],
                             activation="linear")
    X = rng.standard_normal((50, 2))
    Y = rng.standard_normal((50, 1)) * 10
    res = fit(net, (X, Y), loss="mse", learning_rate=5.0, epochs=20, seed=0)
    assert res.status == "unstable" and "diverged" in res.reason
    assert res.metrics[-1]["status"] == "unstable"
    with pytest.raises(SettleDidNotConverge):
        fit(Network(net.graph, seed=0, activation="linear"), (X, Y), loss="mse", learning_rate=5.0,
            epochs=20, seed=0, on_diverge="raise")


def test_nan_weights_set_later_are_refused():
    net = small()
    w = net.weight
    w[0] = np.nan
    with pytest.raises(WiringError, match="weight"):
        net.weight = w


def test_minibatch_update_equals_mean_of_plasticity():
    """One mini-batch step of fit == lr * plasticity(batch) / batch_size."""
    rng = np.random.default_rng(1)
    net = small()
    X = rng.uniform(-1, 1, (4, 2))
    Y = rng.uniform(-1, 1, (4, 1))
    dw, db = net.plasticity(X, Y, loss="mse", tol=1e-15)
    before, bias0 = net.weight, net.bias.copy()
    for kernel in ("sample", "batch"):  # both kernels; settled to rounding so they agree
        net.weight, net.bias = before, bias0
        fit(net, (X, Y), learning_rate=0.1, epochs=1, batch_size=4, seed=0, loss="mse",
            kernel=kernel, tol=1e-15)
        np.testing.assert_allclose(net.weight - before, 0.1 * dw / 4, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(net.bias - bias0, 0.1 * db / 4, rtol=1e-12, atol=1e-15)


def test_online_update_equals_sequential_plasticity():
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, (3, 2))
    Y = rng.uniform(-1, 1, (3, 1))
    a, b = small(), small()
    order = np.random.default_rng(5).permutation(3)
    for r in order:
        dw, db = a.plasticity(X[r:r + 1], Y[r:r + 1], loss="mse", tol=1e-10)
        a.weight = a.weight + 0.05 * dw
        a.bias = a.bias + 0.05 * db
    fit(b, (X, Y), learning_rate=0.05, epochs=1, seed=5, loss="mse", tol=1e-10)
    np.testing.assert_allclose(b.weight, a.weight, rtol=1e-12, atol=1e-15)


def test_graph_without_outputs_cannot_learn():
    g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[])
    net = Network(g, seed=0)
    assert net.settle([[1.0]]).shape == (1, 3)
    with pytest.raises(WiringError, match="outputs"):
        net.plasticity([[1.0]], np.zeros((1, 0)))


def test_one_divergent_sample_does_not_hide_the_others():
    net = Network.from_edges(3, [0, 1, 1], [1, 1, 2], [1.0, 0.9, 1.0], inputs=[0],
                             outputs=[2], activation="linear")
    # sample 0 converges (gain 0.9), the same net diverges nowhere; make sample 1 blow up
    x, info = net.settle([[1.0], [1e300], [-1.0]], max_iter=3000, return_info=True)
    assert info.status.tolist() == [0, 2, 0]
    np.testing.assert_allclose(x[2], -x[0], rtol=1e-9)  # sample 2 ran on its own
    assert info.iterations[2] > 0


def test_bias_is_validated_on_assignment():
    net = small()
    with pytest.raises(WiringError, match="bias"):
        net.bias = [0.0, 1.0]
    with pytest.raises(WiringError, match="bias"):
        net.bias = [0.0, np.nan, 0.0, 0.0]
    net.bias = [0, 0, 1, 0]  # ints become floats
    assert net.bias.dtype == np.float64 and net.bias[2] == 1.0


def test_neuron_model_is_read_only():
    net = small()
    for name in ("activation", "balance", "balance_width", "output_activation"):
        with pytest.raises(AttributeError):
            setattr(net, name, "relu")


def test_cross_entropy_error_for_targets_not_summing_to_one():
    """-dL/dw by finite differences of L = -sum y log softmax(x_out), y = [2, 0] etc."""
    net = Network.from_edges(4, [0, 1, 0, 1], [2, 2, 3, 3], [0.4, -0.2, 0.3, 0.5],
                             inputs=[0, 1], outputs=[2, 3])
    X = np.array([[0.5, -1.0]])
    for y in ([2.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.3, 0.2]):
        Y = np.array([y])
        dw, _ = net.plasticity(X, Y, loss="cross-entropy", tol=1e-14)
        W = net.dense()

        def loss(W, y=Y[0]):
            z = np.tanh(W[2:, :2] @ X[0])
            return -np.sum(y * (z - np.log(np.sum(np.exp(z)))))
        h, fd = 1e-6, []
        for s_, d_ in zip(net.graph.src, net.graph.dst, strict=True):
            Wp, Wm = W.copy(), W.copy()
            Wp[d_, s_] += h
            Wm[d_, s_] -= h
            fd.append(-(loss(Wp) - loss(Wm)) / (2 * h))
        np.testing.assert_allclose(dw, fd, rtol=1e-7, atol=1e-10)


def test_last_short_minibatch_is_averaged_over_its_own_length():
    rng = np.random.default_rng(3)
    net = small()
    X = rng.uniform(-1, 1, (5, 2))
    Y = rng.uniform(-1, 1, (5, 1))
    order = np.random.default_rng(0).permutation(5)
    ref = net.copy()
    for batch in (order[:4], order[4:]):
        dw, db = ref.plasticity(X[batch], Y[batch], loss="mse", tol=1e-12)
        ref.weight = ref.weight + 0.1 * dw / batch.size
        ref.bias = ref.bias + 0.1 * db / batch.size
    fit(net, (X, Y), learning_rate=0.1, epochs=1, batch_size=4, seed=0, loss="mse", tol=1e-12)
    np.testing.assert_allclose(net.weight, ref.weight, rtol=1e-10, atol=1e-14)


def test_fit_refuses_empty_data():
    with pytest.raises(DataError, match="X"):
        fit(small(), (np.zeros((0, 2)), np.zeros((0, 1))), epochs=1)


def test_loss_rejects_unknown_keywords():
    with pytest.raises(TypeError):
        small().loss([[0.0, 0.0]], [[1.0]], max_iters=3)


@pytest.mark.parametrize("rule", ["balance-exact", "fa", "dfa"])
def test_a_network_loaded_memory_mapped_still_settles_and_learns(tmp_path, rule):
    # joblib.load(mmap_mode="r") hands back read-only arrays; kernels compile for writable ones
    joblib = pytest.importorskip("joblib")
    net = Network.from_edges(4, [0, 1, 2, 1], [2, 2, 3, 3], [0.3, -0.7, 1.1, 0.2],
                             inputs=[0, 1], outputs=[3], seed=0)
    net.plasticity([[0.5, -0.2]], [[0.1]], rule=rule)  # draws the rule's feedback
    joblib.dump(net, tmp_path / "net.joblib")
    loaded = joblib.load(tmp_path / "net.joblib", mmap_mode="r")
    X, Y = [[0.5, -0.2], [0.1, 0.9]], [[0.1], [-0.3]]
    for got, want in zip(loaded.plasticity(X, Y, rule=rule), net.plasticity(X, Y, rule=rule),
                         strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
