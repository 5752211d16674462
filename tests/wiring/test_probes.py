"""Probes of the paper's predictions, against numbers computed here in plain numpy.

The oracle is written from SCIENCE.md: the firing fixed point by Newton's method on
the dense matrix, the credit by a dense linear solve of its fixed-point equations
(output rows replaced by the clamp for the paper's rule), the loss gradient by
central finite differences of the oracle's own loss.
"""

import numpy as np
import pytest

from wiring.errors import WiringError
from wiring.graphs.builders import layered
from wiring.network import Network
from wiring.probes import (
    credit_carrier,
    fit_bell,
    fit_power_law,
    retrograde_signals,
    synapse_check,
    update_alignment,
)

TOL = dict(tol=1e-14, max_iter=10_000)

# A hand-built 4-neuron circuit: input 0 -> 1 -> 2 -> output 3, with a recurrent edge
# from the output back to 1 (the output is not a sink) and an edge 1 -> 0 into the
# input (so the paper's rule and the exact rule differ).
N = 4
SRC = np.array([0, 1, 2, 3, 1])
DST = np.array([1, 2, 3, 1, 0])
W_EDGE = np.array([0.9, 1.2, -0.8, 0.4, 0.7])
BIAS = np.array([0.1, -0.2, 0.3, 0.05])
INPUTS, OUTPUTS = np.array([0]), np.array([3])
X = np.array([[0.8], [-0.5]])
Y = np.array([[0.3], [-0.6]])
LR = 0.05


def hand_net(**kwargs):
    return Network.from_edges(N, SRC, DST, W_EDGE, bias=BIAS, inputs=INPUTS, outputs=OUTPUTS,
                              **kwargs)


def dense(w=W_EDGE):
    W = np.zeros((N, N))
    W[DST, SRC] = w
    return W


def fixed_point(W, b, x_in):
    """x_free = tanh(W x + b)_free with the input clamped, by Newton's method."""
    free = np.setdiff1d(np.arange(N), INPUTS)
    x = np.zeros(N)
    x[INPUTS] = x_in
    for _ in range(100):
        s = W @ x + b
        r = x[free] - np.tanh(s[free])
        if np.max(np.abs(r)) < 1e-16:
            break
        J = np.eye(free.size) - (1 - np.tanh(s[free]) ** 2)[:, None] * W[np.ix_(free, free)]
        x[free] -= np.linalg.solve(J, r)
    return x, W @ x + b


def oracle(rule, W=None, carrier=None):
    """Per sample: x, s, f, c solved densely; credit carried by ``carrier`` (default W)."""
    W = dense() if W is None else W
    C = W if carrier is None else carrier
    out = []
    for x_in, y in zip(X, Y, strict=True):
        x, s = fixed_point(W, BIAS, x_in)
        f = 1 - np.tanh(s) ** 2
        if rule != "balance":
            f[INPUTS] = 0.0  # clamped rates do not depend on their inputs
        e = np.zeros(N)
        e[OUTPUTS] = y - x[OUTPUTS]
        A = np.eye(N) - C.T * f[None, :]  # c_j = e_j + sum_i C_ij f_i c_i
        if rule == "balance":  # output credit overwritten by the error
            A[OUTPUTS] = np.eye(N)[OUTPUTS]
        c = np.linalg.solve(A, e)
        out.append((x, s, f, c))
    return out


# ---------------------------------------------------------------- prediction 2
@pytest.mark.parametrize("rule", ["balance", "balance-exact"])
def test_synapse_check_matches_hand_computation(rule):
    res = synapse_check(hand_net(), X, Y, rule=rule, learning_rate=LR, **TOL)
    E = SRC.size
    want_dw, want_g, want_x = [], [], []
    for x, _, f, c in oracle(rule):
        want_g.append(c[DST] * f[DST] * W_EDGE)  # g_ji = c_i f(s_i) w_ij
        want_dw.append(LR * c[DST] * f[DST] * x[SRC])  # dw_ij = r c_i f(s_i) x_j
        want_x.append(x[SRC])
    np.testing.assert_allclose(res["dw"], np.concatenate(want_dw), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(res["g"], np.concatenate(want_g), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(res["x_pre"], np.concatenate(want_x), rtol=1e-9, atol=1e-13)
    np.testing.assert_array_equal(res["w"], np.tile(W_EDGE, 2))
    np.testing.assert_array_equal(res["sample"], np.repeat([0, 1], E))
    np.testing.assert_array_equal(res["edge"], np.tile(np.arange(E), 2))
    np.testing.assert_array_equal(res["pre"], np.tile(SRC, 2))
    np.testing.assert_array_equal(res["post"], np.tile(DST, 2))
    valid = res["valid"]
    assert np.all(np.abs(res["residual"][valid]) < 1e-10)
    assert res["max_abs_residual"] < 1e-10
    # the prediction itself, on the valid synapses: dw / g = x_j / w_ij
    np.testing.assert_allclose(res["ratio_lhs"][valid], LR * res["ratio_rhs"][valid],
                               rtol=1e-9)
    if rule == "balance":  # every synapse carries a signal
        assert res["n_excluded"] == 0 and valid.all()
    else:  # f = 0 on the clamped input: edge 1 -> 0 neither learns nor signals
        assert res["n_excluded"] == 2
        into_input = np.tile(DST == 0, 2)
        np.testing.assert_array_equal(valid, ~into_input)
        assert np.all(np.isnan(res["residual"][into_input]))
        assert np.all(res["dw"][into_input] == 0) and np.all(np.isnan(res["ratio_lhs"][into_input]))


def test_synapse_check_fails_under_feedback_alignment():
    net = hand_net(seed=3)
    B = net.feedback.B
    res = synapse_check(net, X, Y, rule="fa", learning_rate=LR, **TOL)
    # credit carried by B: g = c f B, so |residual| = |w - B| / (|w| + |B|)
    want = np.tile(np.abs(W_EDGE - B) / (np.abs(W_EDGE) + np.abs(B)), 2)
    valid = res["valid"]
    np.testing.assert_allclose(np.abs(res["residual"][valid]), want[valid], rtol=1e-9)
    assert res["max_abs_residual"] > 0.1
    # and the g it reports follows B, from the credit solved with B as the carrier
    for k, (_, _, f, c) in enumerate(oracle("fa", carrier=dense(B))):
        np.testing.assert_allclose(res["g"][res["sample"] == k], c[DST] * f[DST] * B,
                                   rtol=1e-9, atol=1e-13)


def test_synapse_check_rejects_bad_arguments():
    net = hand_net()
    with pytest.raises(WiringError, match="learning_rate"):
        synapse_check(net, X, Y, learning_rate=0.0)
    with pytest.raises(WiringError, match="rule"):
        synapse_check(net, X, Y, learning_rate=0.1, rule="dfa")
    with pytest.raises(WiringError, match="rule"):
        synapse_check(net, X, Y, learning_rate=0.1, rule="backprop")


# ---------------------------------------------------------------- prediction 1
@pytest.mark.parametrize("rule", ["balance", "balance-exact"])
def test_retrograde_amplitude_is_effective_credit_times_weight_sum(rule):
    out = retrograde_signals(hand_net(), X, Y, rule=rule, **TOL)
    W = dense()
    has_pre = np.array([0, 1, 2, 3])  # every neuron here has a presynaptic partner
    np.testing.assert_array_equal(out["neuron"], np.tile(has_pre, 2))
    np.testing.assert_array_equal(out["sample"], np.repeat([0, 1], 4))
    for k, (x, s, f, c) in enumerate(oracle(rule)):
        rows = out["sample"] == k
        amp = np.abs(c * f) * np.abs(W).sum(axis=1)  # sum_j |c_i f_i w_ij|
        np.testing.assert_allclose(out["amplitude"][rows], amp, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(out["balance"][rows], f, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(out["credit"][rows], c, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(out["effective"][rows], c * f, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(out["s"][rows], s, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out["rate"][rows], x, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out["carrier_sum"][rows], np.abs(W).sum(axis=1))
    np.testing.assert_array_equal(out["is_input"], np.tile([True, False, False, False], 2))
    np.testing.assert_array_equal(out["is_output"], np.tile([False, False, False, True], 2))
    if rule == "balance-exact":
        assert np.all(out["amplitude"][out["is_input"]] == 0)


def test_retrograde_amplitude_vanishes_for_a_saturated_neuron():
    # input 0 drives hidden 1 into saturation (weight 50) and hidden 2 gently (0.3);
    # both project with weight 1 to output 3; f = sigma' = 1 - tanh^2
    net = Network.from_edges(4, [0, 0, 1, 2], [1, 2, 3, 3], [50.0, 0.3, 1.0, 1.0],
                             inputs=[0], outputs=[3])
    out = retrograde_signals(net, [1.0], [2.0], rule="balance")
    amp = dict(zip(out["neuron"].tolist(), out["amplitude"], strict=True))
    credit = dict(zip(out["neuron"].tolist(), out["credit"], strict=True))
    x3 = np.tanh(np.tanh(50.0) + np.tanh(0.3))
    c_hidden = (2.0 - x3) * (1 - x3**2)  # both hidden neurons receive the same credit
    assert credit[1] == pytest.approx(c_hidden, rel=1e-12)
    assert credit[2] == pytest.approx(c_hidden, rel=1e-12)
    # amplitude / |c| = f(s) sum_j |w_ij|: ~0 when saturated, f(0.3) * 0.3 when balanced
    assert amp[1] / abs(credit[1]) < 1e-30
    assert amp[2] / abs(credit[2]) == pytest.approx((1 - np.tanh(0.3) ** 2) * 0.3, rel=1e-12)
    assert amp[2] > 0.01


def test_retrograde_amplitude_per_credit_is_a_bell_in_s():
    # one input (weight 0.5, rate 0.2) feeds 21 hidden neurons with biases -4..4, so
    # s = 0.1 + bias; each hidden neuron feeds the output with weight 0.05.
    # amplitude / (|c| sum|w|) = f(s) = 1 - tanh(s)^2
    s_hid = 0.1 + np.linspace(-4, 4, 21)
    n = 23
    hid = np.arange(1, 22)
    src = np.concatenate([np.zeros(21, int), hid])
    dst = np.concatenate([hid, np.full(21, 22)])
    w = np.concatenate([np.full(21, 0.5), np.full(21, 0.05)])
    bias = np.concatenate([[0.0], np.linspace(-4, 4, 21), [0.0]])
    net = Network.from_edges(n, src, dst, w, bias=bias, inputs=[0], outputs=[22])
    out = retrograde_signals(net, [0.2], [0.5], rule="balance-exact")
    h = np.isin(out["neuron"], hid)
    np.testing.assert_allclose(out["s"][h], s_hid, rtol=1e-12)
    np.testing.assert_allclose(out["carrier_sum"][h], 0.5)
    per = out["amplitude"][h] / (np.abs(out["credit"][h]) * out["carrier_sum"][h])
    np.testing.assert_allclose(per, 1 - np.tanh(s_hid) ** 2, rtol=1e-10)
    assert np.argmax(out["amplitude"][h]) == 10  # s = 0: the balanced neuron
    fit = fit_bell(out["s"][h], out["amplitude"][h])
    assert fit["is_bell"] and abs(fit["center"] - 0.1) < 0.2  # peaks near balance, s = 0


def test_retrograde_signals_under_fa_use_the_feedback_weights():
    net = hand_net(seed=1)
    B = net.feedback.B
    out = retrograde_signals(net, X, Y, rule="fa", **TOL)
    bsum = np.abs(dense(B)).sum(axis=1)
    np.testing.assert_allclose(out["carrier_sum"], np.tile(bsum, 2))
    np.testing.assert_allclose(out["amplitude"], np.abs(out["effective"]) * np.tile(bsum, 2),
                               rtol=1e-14)


def test_retrograde_signals_reject_dfa_naming_rule():
    with pytest.raises(WiringError, match="`rule` 'dfa'"):
        retrograde_signals(hand_net(), X, Y, rule="dfa")


def test_credit_carrier_per_rule():
    net = hand_net(seed=2)
    np.testing.assert_array_equal(credit_carrier(net, "balance-exact"), W_EDGE)
    np.testing.assert_array_equal(credit_carrier(net, "fa"), net.feedback.B)
    np.testing.assert_array_equal(credit_carrier(net, "sign-concordant"),
                                  np.sign(W_EDGE) * net.feedback.M)


# ----------------------------------------------------------------------- fits
def test_fit_power_law_recovers_slope_and_intercept():
    x = np.logspace(-2, 2, 60)
    y = 3 * x**2
    xs = np.concatenate([x, -x[:5], [0.0, 1.0, np.nan]])  # |x| is used; zeros, NaN dropped
    ys = np.concatenate([y, 3 * x[:5] ** 2, [1.0, 0.0, 1.0]])
    fit = fit_power_law(xs, ys)
    assert fit["slope"] == pytest.approx(2.0, abs=1e-12)
    assert fit["intercept"] == pytest.approx(np.log(3.0), abs=1e-12)
    assert fit["prefactor"] == pytest.approx(3.0, rel=1e-12)
    assert fit["r2"] == pytest.approx(1.0, abs=1e-12)
    assert fit["n"] == 65
    assert fit["bin_count"].sum() == 65 and fit["bin_count"].size == 12
    assert np.all(np.diff(fit["bin_median"]) > 0) and np.all(np.diff(fit["bin_x"]) > 0)
    assert np.all(fit["bin_q25"] <= fit["bin_median"])
    assert np.all(fit["bin_median"] <= fit["bin_q75"])


def test_fit_power_law_needs_two_distinct_points():
    with pytest.raises(WiringError, match="`x`"):
        fit_power_law([1.0, 1.0, 0.0], [2.0, 3.0, 4.0])
    with pytest.raises(WiringError, match="same size"):
        fit_power_law([1.0, 2.0], [1.0])


def test_fit_bell_recovers_a_gaussian():
    s = np.linspace(-3, 3, 31)
    fit = fit_bell(s, 1.5 * np.exp(-((s + 0.7) ** 2) / (2 * 1.3**2)))
    assert fit["center"] == pytest.approx(-0.7, abs=1e-10)
    assert fit["width"] == pytest.approx(1.3, rel=1e-10)
    assert fit["peak"] == pytest.approx(1.5, rel=1e-10)
    assert fit["is_bell"] and fit["n"] == 31
    assert not fit_bell(s, np.exp(s**2))["is_bell"]


# ------------------------------------------------------------- rule comparison
def oracle_loss(w):
    W = dense(w)
    return sum(0.5 * np.sum((fixed_point(W, BIAS, x_in)[0][OUTPUTS] - y) ** 2)
               for x_in, y in zip(X, Y, strict=True))


def test_update_alignment_reference_is_the_descent_direction():
    res = update_alignment(hand_net(), X, Y, rule="balance-exact", **TOL)
    h = 1e-6
    fd = np.empty(SRC.size)
    for e in range(SRC.size):
        wp, wm = W_EDGE.copy(), W_EDGE.copy()
        wp[e] += h
        wm[e] -= h
        fd[e] = -(oracle_loss(wp) - oracle_loss(wm)) / (2 * h)
    np.testing.assert_allclose(res["dw_gradient"], fd, rtol=1e-6, atol=1e-9)
    assert res["cosine"] == pytest.approx(1.0, abs=1e-10)
    assert res["norm_gradient"] == pytest.approx(np.linalg.norm(fd), rel=1e-6)


def test_update_alignment_paper_rule_on_a_cyclic_graph_is_not_the_gradient():
    res = update_alignment(hand_net(), X, Y, rule="balance", **TOL)
    assert res["cosine"] < 1 - 1e-6
    assert res["dw_rule"][4] != 0 and res["dw_gradient"][4] == 0  # edge into the input


def test_update_alignment_with_a_gaussian_balance_compares_with_the_true_gradient():
    net = hand_net(balance="gaussian", balance_width=0.5)
    res = update_alignment(net, X, Y, rule="balance-exact", **TOL)
    exact = update_alignment(hand_net(), X, Y, rule="balance-exact", **TOL)
    np.testing.assert_allclose(res["dw_gradient"], exact["dw_gradient"], rtol=1e-12)
    assert res["cosine"] < 1 - 1e-6


@pytest.fixture(scope="module")
def layered_task():
    rng = np.random.default_rng(0)
    net = Network(layered([4, 6, 5, 3]), seed=7)
    return net, rng.uniform(-1, 1, (8, 4)), rng.uniform(-0.5, 0.5, (8, 3))


def test_update_alignment_on_a_layered_net(layered_task):
    net, Xl, Yl = layered_task
    for rule in ("balance", "balance-exact"):
        res = update_alignment(net, Xl, Yl, rule=rule)
        assert res["cosine"] == pytest.approx(1.0, abs=1e-10)
        assert res["cosine_free"] == pytest.approx(1.0, abs=1e-10)
        assert res["sign_agreement"] == 1.0 and res["n_compared"] == net.graph.n_edges
        assert res["norm_rule"] == pytest.approx(res["norm_gradient"], rel=1e-12)
    fa = update_alignment(net, Xl, Yl, rule="fa")
    assert fa["cosine"] < 0.999
    assert fa["sign_agreement"] < 1.0
    # the last layer's update does not depend on feedback: identical there
    last = net.graph.dst >= 15
    np.testing.assert_allclose(fa["dw_rule"][last], fa["dw_gradient"][last], rtol=1e-12)
    free = net.graph.src >= 4  # edges between non-input neurons: layers 2 -> 3 and 3 -> 4
    assert fa["n_compared_free"] == int(free.sum())
    dfa = update_alignment(net, Xl, Yl, rule="dfa")  # any rule: dfa too
    assert np.isfinite(dfa["cosine"]) and dfa["cosine"] < 0.999
