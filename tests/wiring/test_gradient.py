"""Exactness of the rules against methods independent of the engine.

The oracle here is plain numpy written from the maths in SCIENCE.md: the firing
fixed point is solved by Newton's method on the dense matrix, the gradient by a
dense linear solve of the implicit-function equations, and checked again by
central finite differences of the settled loss.
"""

import numpy as np
import pytest

from wiring.network import Network

ACT = {
    "tanh": (np.tanh, lambda s: 1 - np.tanh(s) ** 2),
    "sigmoid": (lambda s: 1 / (1 + np.exp(-s)), lambda s: np.exp(-s) / (1 + np.exp(-s)) ** 2),
    "linear": (lambda s: s, lambda s: np.ones_like(s)),
}


def newton_fixed_point(W, b, inputs, x_in, act):
    """Solve x_free = sigma(W x + b)_free with x_inputs = x_in by Newton's method."""
    sig, dsig = ACT[act]
    n = W.shape[0]
    free = np.setdiff1d(np.arange(n), inputs)
    x = np.zeros(n)
    x[inputs] = x_in
    for _ in range(100):
        s = W @ x + b
        r = x[free] - sig(s[free])
        if np.max(np.abs(r)) < 1e-15:
            break
        J = np.eye(free.size) - dsig(s[free])[:, None] * W[np.ix_(free, free)]
        x[free] -= np.linalg.solve(J, r)
    return x, W @ x + b


def loss_at(W, b, inputs, outputs, X, Y, act, loss="mse"):
    total = 0.0
    for x_in, y in zip(X, Y, strict=True):
        x, _ = newton_fixed_point(W, b, inputs, x_in, act)
        z = x[outputs]
        if loss == "mse":
            total += 0.5 * np.sum((z - y) ** 2)
        else:
            total += -np.sum(y * (z - np.log(np.sum(np.exp(z)))))
    return total


def implicit_gradient(W, b, inputs, outputs, X, Y, act, loss="mse"):
    """dL/dW (dense) and dL/db by the implicit function theorem, solved densely."""
    _, dsig = ACT[act]
    n = W.shape[0]
    gW = np.zeros_like(W)
    gb = np.zeros(n)
    for x_in, y in zip(X, Y, strict=True):
        x, s = newton_fixed_point(W, b, inputs, x_in, act)
        D = dsig(s)
        D[inputs] = 0.0  # clamped rates do not depend on their inputs
        g = np.zeros(n)  # dL/dx
        z = x[outputs]
        if loss == "mse":
            g[outputs] = z - y
        else:
            p = np.exp(z - z.max())
            g[outputs] = p / p.sum() - y
        lam = np.linalg.solve((np.eye(n) - D[:, None] * W).T, g)
        gW += np.outer(D * lam, x)
        gb += D * lam
    return gW, gb


def random_graph(rng, n, density, inputs, outputs, *, inputs_sources, outputs_sinks, loops):
    src, dst = np.nonzero(rng.random((n, n)) < density)
    keep = np.ones(src.size, bool)
    if inputs_sources:
        keep &= ~np.isin(dst, inputs)
    if outputs_sinks:
        keep &= ~np.isin(src, outputs)
    if not loops:
        keep &= src != dst
    src, dst = src[keep], dst[keep]
    perm = rng.permutation(src.size)  # a user order unlike the CSR order
    return src[perm], dst[perm]


def build(kind, rng, act="tanh"):
    if kind == "layered":
        sizes = [3, 6, 5, 2]
        offs = np.cumsum([0] + sizes)
        src, dst = [], []
        for a in range(len(sizes) - 1):
            for i in range(offs[a + 1], offs[a + 2]):
                for j in range(offs[a], offs[a + 1]):
                    src.append(j)
                    dst.append(i)
        n, inputs, outputs = offs[-1], np.arange(3), np.arange(offs[-2], offs[-1])
        src, dst = np.array(src), np.array(dst)
    else:
        n = 14
        inputs, outputs = np.array([0, 1, 2]), np.array([11, 12, 13])
        clean = kind == "recurrent"
        src, dst = random_graph(rng, n, 0.35, inputs, outputs, inputs_sources=clean,
                                outputs_sinks=clean, loops=not clean)
    deg = np.bincount(dst, minlength=n)
    w = rng.standard_normal(src.size) * 0.6 / np.sqrt(np.maximum(deg[dst], 1))
    b = rng.standard_normal(n) * 0.2
    net = Network.from_edges(n, src, dst, w, bias=b, inputs=inputs, outputs=outputs,
                             activation=act)
    W = np.zeros((n, n))
    W[dst, src] = w
    X = rng.uniform(-1, 1, (4, inputs.size))
    Y = rng.uniform(-0.5, 0.5, (4, outputs.size))
    return net, W, b, src, dst, inputs, outputs, X, Y


@pytest.mark.parametrize("kind", ["layered", "recurrent", "arbitrary"])
@pytest.mark.parametrize("act", ["tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("method", ["auto", "jacobi", "gauss-seidel"])
def test_balance_exact_equals_dense_implicit_gradient(kind, act, method):
    rng = np.random.default_rng(1)
    net, W, b, src, dst, inputs, outputs, X, Y = build(kind, rng, act)
    if kind == "arbitrary":  # the case that matters: edges into inputs, out of outputs
        assert np.isin(dst, inputs).any() and np.isin(src, outputs).any()
        assert (src == dst).any()
    gW, gb = implicit_gradient(W, b, inputs, outputs, X, Y, act)
    dw, db = net.plasticity(X, Y, rule="balance-exact", tol=1e-14, max_iter=5000, method=method)
    want = -gW[dst, src]
    np.testing.assert_allclose(dw, want, rtol=1e-8, atol=1e-10 * np.abs(want).max())
    np.testing.assert_allclose(db, -gb, rtol=1e-8, atol=1e-10 * np.abs(gb).max())


@pytest.mark.parametrize("kind", ["layered", "arbitrary"])
@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
def test_balance_exact_equals_finite_differences(kind, loss):
    rng = np.random.default_rng(2)
    net, W, b, src, dst, inputs, outputs, X, Y = build(kind, rng)
    if loss == "cross-entropy":
        Y = np.eye(outputs.size)[rng.integers(0, outputs.size, X.shape[0])]
    dw, db = net.plasticity(X, Y, rule="balance-exact", loss=loss, tol=1e-14, max_iter=5000)
    h = 1e-5
    edges = rng.choice(src.size, size=12, replace=False)
    fd = []
    for e in edges:
        Wp, Wm = W.copy(), W.copy()
        Wp[dst[e], src[e]] += h
        Wm[dst[e], src[e]] -= h
        lp = loss_at(Wp, b, inputs, outputs, X, Y, "tanh", loss)
        lm = loss_at(Wm, b, inputs, outputs, X, Y, "tanh", loss)
        fd.append(-(lp - lm) / (2 * h))
    fd = np.array(fd)
    np.testing.assert_allclose(dw[edges], fd, rtol=1e-6, atol=1e-9 * np.abs(fd).max())
    k = int(rng.choice(np.setdiff1d(np.arange(net.n), inputs)))
    bp, bm = b.copy(), b.copy()
    bp[k] += h
    bm[k] -= h
    fdb = -(loss_at(W, bp, inputs, outputs, X, Y, "tanh", loss)
            - loss_at(W, bm, inputs, outputs, X, Y, "tanh", loss)) / (2 * h)
    assert db[k] == pytest.approx(fdb, rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("kind", ["layered", "recurrent"])
def test_paper_rule_is_gradient_when_inputs_are_sources_and_outputs_sinks(kind):
    rng = np.random.default_rng(3)
    net, W, b, src, dst, inputs, outputs, X, Y = build(kind, rng)
    gW, gb = implicit_gradient(W, b, inputs, outputs, X, Y, "tanh")
    dw, db = net.plasticity(X, Y, rule="balance", tol=1e-14, max_iter=5000)
    want = -gW[dst, src]
    np.testing.assert_allclose(dw, want, rtol=1e-8, atol=1e-10 * np.abs(want).max())
    # the paper's rule leaves clamped inputs a balance value, so their (inert) biases
    # move; every other bias follows the gradient
    free = np.setdiff1d(np.arange(net.n), inputs)
    np.testing.assert_allclose(db[free], -gb[free], rtol=1e-8, atol=1e-10 * np.abs(gb).max())
    assert np.abs(db[inputs]).max() > 0


def test_paper_rule_differs_on_arbitrary_graphs():
    rng = np.random.default_rng(4)
    net, W, b, src, dst, inputs, outputs, X, Y = build("arbitrary", rng)
    gW, _ = implicit_gradient(W, b, inputs, outputs, X, Y, "tanh")
    dw, _ = net.plasticity(X, Y, rule="balance", tol=1e-14, max_iter=5000)
    want = -gW[dst, src]
    rel = np.abs(dw - want).max() / np.abs(want).max()
    assert rel > 1e-3
    # where it differs: edges into inputs (they learn under the paper's rule, not in truth)
    into_inputs = np.isin(dst, inputs)
    assert np.all(want[into_inputs] == 0) and np.abs(dw[into_inputs]).max() > 0


def test_paper_rule_definition_on_arbitrary_graph():
    """The paper's rule as written: c_out = e (overwritten), c = W^T (f * c) elsewhere,
    inputs keep f(s_in); solved densely here."""
    rng = np.random.default_rng(5)
    net, W, b, src, dst, inputs, outputs, X, Y = build("arbitrary", rng)
    n = net.n
    dW = np.zeros((n, n))
    for x_in, y in zip(X, Y, strict=True):
        x, s = newton_fixed_point(W, b, inputs, x_in, "tanh")
        f = 1 - np.tanh(s) ** 2  # every neuron, inputs included
        e = y - x[outputs]
        free = np.setdiff1d(np.arange(n), outputs)
        # c_free = (W^T diag(f))_free,free c_free + (W^T diag(f))_free,out e
        J = W.T * f[None, :]
        c = np.zeros(n)
        c[outputs] = e
        A = np.eye(free.size) - J[np.ix_(free, free)]
        c[free] = np.linalg.solve(A, J[np.ix_(free, outputs)] @ e)
        dW += np.outer(f * c, x)
    dw, _ = net.plasticity(X, Y, rule="balance", tol=1e-14, max_iter=5000)
    np.testing.assert_allclose(dw, dW[dst, src], rtol=1e-8, atol=1e-12)


def test_fa_with_feedback_equal_to_weights_is_the_gradient():
    rng = np.random.default_rng(6)
    net, W, b, src, dst, inputs, outputs, X, Y = build("arbitrary", rng)
    fb = net.feedback
    object.__setattr__(fb, "B", net.weight.copy())  # B = W makes FA exact
    object.__setattr__(fb, "M", np.abs(net.weight))  # sign(W) * |W| = W
    gW, _ = implicit_gradient(W, b, inputs, outputs, X, Y, "tanh")
    want = -gW[dst, src]
    for rule in ("fa", "sign-concordant"):
        dw, _ = net.plasticity(X, Y, rule=rule, tol=1e-14, max_iter=5000)
        np.testing.assert_allclose(dw, want, rtol=1e-8, atol=1e-10 * np.abs(want).max())


def test_fa_uses_fixed_random_feedback():
    rng = np.random.default_rng(7)
    net, W, b, src, dst, inputs, outputs, X, Y = build("recurrent", rng)
    B = np.zeros_like(W)
    B[dst, src] = net.feedback.B
    n = net.n
    dW = np.zeros_like(W)
    for x_in, y in zip(X, Y, strict=True):
        x, s = newton_fixed_point(W, b, inputs, x_in, "tanh")
        f = 1 - np.tanh(s) ** 2
        f[inputs] = 0
        e = np.zeros(n)
        e[outputs] = y - x[outputs]
        c = np.linalg.solve(np.eye(n) - B.T * f[None, :], e)
        dW += np.outer(f * c, x)
    dw, _ = net.plasticity(X, Y, rule="fa", tol=1e-14, max_iter=5000)
    np.testing.assert_allclose(dw, dW[dst, src], rtol=1e-8, atol=1e-12)


def test_dfa_projects_output_error_directly():
    rng = np.random.default_rng(8)
    net, W, b, src, dst, inputs, outputs, X, Y = build("recurrent", rng)
    Bd = net.feedback.direct
    dW = np.zeros_like(W)
    for x_in, y in zip(X, Y, strict=True):
        x, s = newton_fixed_point(W, b, inputs, x_in, "tanh")
        f = 1 - np.tanh(s) ** 2
        f[inputs] = 0
        e = y - x[outputs]
        c = Bd @ e
        c[outputs] = e
        dW += np.outer(f * c, x)
    dw, _ = net.plasticity(X, Y, rule="dfa", tol=1e-14, max_iter=5000)
    np.testing.assert_allclose(dw, dW[dst, src], rtol=1e-8, atol=1e-12)


def test_gaussian_balance_function():
    rng = np.random.default_rng(9)
    net, W, b, src, dst, inputs, outputs, X, Y = build("recurrent", rng)
    net2 = Network(net.graph, net.weight, net.bias, balance="gaussian", balance_center=0.3,
                   balance_width=0.7)
    n = net.n
    dW = np.zeros_like(W)
    for x_in, y in zip(X, Y, strict=True):
        x, s = newton_fixed_point(W, b, inputs, x_in, "tanh")
        f = np.exp(-0.5 * ((s - 0.3) / 0.7) ** 2)
        f[inputs] = 0
        e = np.zeros(n)
        e[outputs] = y - x[outputs]
        c = np.linalg.solve(np.eye(n) - W.T * f[None, :], e)
        dW += np.outer(f * c, x)
    dw, _ = net2.plasticity(X, Y, rule="balance-exact", tol=1e-14, max_iter=5000)
    np.testing.assert_allclose(dw, dW[dst, src], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("method", ["jacobi", "gauss-seidel"])
def test_settle_matches_newton_fixed_point(method):
    rng = np.random.default_rng(10)
    net, W, b, src, dst, inputs, outputs, X, Y = build("arbitrary", rng)
    x = net.settle(X, tol=1e-14, max_iter=5000, method=method)
    for row, x_in in zip(x, X, strict=True):
        want, _ = newton_fixed_point(W, b, inputs, x_in, "tanh")
        np.testing.assert_allclose(row, want, rtol=0, atol=1e-13)
