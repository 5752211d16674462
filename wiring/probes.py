"""Probes of the paper's testable predictions, and of how rules compare.

Measurement code on top of the public :class:`~wiring.network.Network` API (pure
numpy; the engine does the settling). Each probe returns a dict of numpy arrays
(and a few scalars), flat and aligned so it drops straight into a table.

* :func:`retrograde_signals` -- prediction 1: the retrograde signal a neuron
  sends back, ``sum_j |g_ji|``, is largest for balanced neurons, small for silent
  or saturated ones.
* :func:`synapse_check` -- prediction 2: ``dw_ij / g_ji = x_j / w_ij``, synapse by
  synapse and sample by sample.
* :func:`update_alignment` -- cosine and sign agreement of a rule's update with the
  exact descent direction ``-dL/dW``.
* :func:`fit_power_law`, :func:`fit_bell` -- least-squares fits with binned
  medians, for plotting the probes' outputs.

Notation as in the user guide (docs: user_guide/rule): ``w_ij`` is the synapse onto
``i`` from ``j`` (edge
``j -> i``), ``g_ji = c_i f(s_i) b_ij`` the retrograde signal over it, where
``b_ij`` is the weight that carries credit under the rule: ``W`` itself for
``balance`` and ``balance-exact``, the fixed random ``B`` for ``fa``,
``sign(W) * M`` for ``sign-concordant``. ``dfa`` has no synaptic retrograde path.

Examples
--------
>>> from wiring.network import Network
>>> net = Network.from_edges(3, [0, 1], [1, 2], [0.5, 2.0], inputs=[0], outputs=[2])
>>> res = synapse_check(net, [[1.0]], [[0.0]], learning_rate=0.1)
>>> bool(np.nanmax(np.abs(res["residual"])) < 1e-12)
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import check_int, check_positive
from wiring.errors import WiringError
from wiring.kernels.plasticity import FB_DIRECT, FB_FIXED, FB_SAME, FB_SIGN
from wiring.network import DEFAULT_MAX_ITER, DEFAULT_TOL, Network
from wiring.neurons import ACTIVATIONS
from wiring.rules import RULES, edge_feedback, get_rule, kernel_balance

__all__ = [
    "retrograde_signals",
    "synapse_check",
    "update_alignment",
    "fit_power_law",
    "fit_bell",
    "credit_carrier",
]

Result = dict[str, np.ndarray | float | int]


def _synaptic() -> list[str]:
    """The rules (built-in and registered) with a synaptic retrograde path."""
    return [name for name, r in RULES.items() if r.feedback != FB_DIRECT]


# ----------------------------------------------------------------- helpers
def _check_net(net: object) -> Network:
    if not isinstance(net, Network):
        raise WiringError(f"`net` must be a wiring.Network, got {type(net).__name__}")
    return net


def _as_batch(values: ArrayLike) -> np.ndarray:
    """2-D float view of X or Y (a 1-D row is one sample); the network checks the rest."""
    arr = np.asarray(values, dtype=float)
    return arr[None, :] if arr.ndim == 1 else arr


def credit_carrier(net: Network, rule: str) -> np.ndarray:
    """The weight that carries credit back over each synapse under ``rule``.

    ``g_ji = c_i f(s_i) b_ij`` for edge ``j -> i``: ``b = W`` for ``balance`` and
    ``balance-exact``, the fixed random ``B`` for ``fa``, ``sign(W) * M`` for
    ``sign-concordant`` (``net.feedback``, drawn once from the network's seed).

    Parameters
    ----------
    net : Network
    rule : str
        A rule with a synaptic retrograde path (not ``dfa``).

    Returns
    -------
    ndarray, shape (E,)
        Per edge, in the graph's (the user's) edge order.

    Raises
    ------
    WiringError
        If ``rule`` is unknown or is ``dfa`` (credit comes straight from the output
        error, over no synapse).

    Examples
    --------
    >>> from wiring.network import Network
    >>> net = Network.from_edges(2, [0], [1], [-0.5], inputs=[0], outputs=[1])
    >>> credit_carrier(net, "balance").tolist()
    [-0.5]
    >>> credit_carrier(net, "sign-concordant").tolist() == (-net.feedback.M).tolist()
    True
    """
    net = _check_net(net)
    spec = get_rule(rule)
    if spec.feedback == FB_SAME:
        return net.weight
    if spec.feedback == FB_FIXED:  # the network's B, or the rule's own feedback weights
        return np.array(edge_feedback(spec, net))
    if spec.feedback == FB_SIGN:
        return np.sign(net.weight) * net.feedback.M
    raise WiringError(
        f"`rule` {rule!r} has no synaptic retrograde path (its credit is a direct "
        f"projection of the output error), so g_ji is undefined; use one of "
        f"{', '.join(_synaptic())}"
    )


def _balance_values(net: Network, s: np.ndarray, rule: str) -> np.ndarray:
    """f(s) per sample and neuron, as the engine uses it (zero on inputs if the rule says so).

    Clamped inputs are evaluated at ``sigma(s)`` like every other neuron (the kernels'
    convention), so the derivative balance is simply ``sigma'(s)``.
    """
    g = net.graph
    balance, _, center, width = kernel_balance(get_rule(rule), net)
    if balance == "derivative":
        f = np.empty_like(s)
        act = np.full(g.n, net.activation, dtype=object)
        act[g.outputs] = net.output_activation
        for name in set(act):
            mask = act == name
            f[:, mask] = ACTIVATIONS[name].derivative(s[:, mask])
    else:
        f = np.exp(-0.5 * ((s - center) / width) ** 2)
    if not get_rule(rule).inputs_balanced:
        f[:, g.inputs] = 0.0
    return f


def _settled(net, X, Y, rule, loss, tol, max_iter, method):
    X, Y = _as_batch(X), _as_batch(Y)
    out = net.credit(X, Y, rule=rule, loss=loss, tol=tol, max_iter=max_iter, method=method)
    return X, Y, out


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else float("nan")


def _sign_agreement(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    both = (a != 0) & (b != 0)
    k = int(both.sum())
    agree = float(np.mean(np.sign(a[both]) == np.sign(b[both]))) if k else float("nan")
    return agree, k


def _binned(x: np.ndarray, y: np.ndarray, n_bins: int) -> Result:
    """Quantile bins of ``x``: median x, median / quartiles of y and count per bin."""
    edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, n_bins + 1)))
    if edges.size < 2:  # all x equal: one bin
        edges = np.array([x.min(), x.max()])
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    k = edges.size - 1
    out = {name: np.full(k, np.nan) for name in ("bin_x", "bin_median", "bin_q25", "bin_q75")}
    count = np.bincount(idx, minlength=k)
    for b in np.flatnonzero(count):
        yb = y[idx == b]
        out["bin_x"][b] = np.median(x[idx == b])
        out["bin_q25"][b], out["bin_median"][b], out["bin_q75"][b] = np.quantile(
            yb, [0.25, 0.5, 0.75]
        )
    keep = count > 0
    res: Result = {name: arr[keep] for name, arr in out.items()}
    res["bin_count"] = count[keep]
    return res


def _r2(z: np.ndarray, fitted: np.ndarray) -> float:
    ss_tot = float(np.sum((z - z.mean()) ** 2))
    ss_res = float(np.sum((z - fitted) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")


def _xy(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise WiringError(f"`x` and `y` must have the same size, got {x.size} and {y.size}")
    return x, y


# ------------------------------------------------------------ prediction 1
def retrograde_signals(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    rule: str = "balance",
    loss: str = "mse",
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    method: str = "auto",
) -> Result:
    """Retrograde signal amplitude per neuron and sample (prediction 1).

    At the settled rates and credit, neuron ``i`` sends ``g_ji = c_i f(s_i) b_ij``
    back to each presynaptic ``j`` (``b`` the rule's credit carrier, see
    :func:`credit_carrier`); its amplitude is ``sum_j |g_ji| = |c_i f(s_i)| *
    sum_j |b_ij|``. The paper predicts it is largest for balanced neurons (``f``
    near its peak) and small for silent or saturated ones.

    Parameters
    ----------
    net : Network
    X, Y : array_like
        Inputs (batch, n_inputs) and targets (batch, n_outputs); a 1-D row is one sample.
    rule : str
        A rule with a synaptic retrograde path: ``balance``, ``balance-exact``,
        ``fa`` or ``sign-concordant``.
    loss : {"mse", "cross-entropy"}
    tol, max_iter, method
        Settling controls of :meth:`Network.credit`.

    Returns
    -------
    dict
        Flat arrays, one entry per (sample, neuron with at least one presynaptic
        partner), sample-major:

        - ``sample``, ``neuron`` (int): the indices;
        - ``rate`` (``x_i``), ``s`` (net input ``s_i``), ``balance`` (``f(s_i)``,
          0 on clamped inputs for rules that give them no balance),
          ``credit`` (``c_i``), ``effective`` (``c_i f(s_i)``, as the engine reports);
        - ``carrier_sum``: ``sum_j |b_ij|`` over the neuron's incoming synapses;
        - ``amplitude``: ``sum_j |g_ji|``;
        - ``is_input``, ``is_output`` (bool).

    Raises
    ------
    WiringError
        If ``rule`` is ``dfa`` (no synaptic retrograde path) or unknown.
    SettleDidNotConverge
        If firing or credit does not settle.

    Examples
    --------
    >>> from wiring.network import Network
    >>> net = Network.from_edges(3, [0, 1], [1, 2], [0.5, 2.0], inputs=[0], outputs=[2])
    >>> out = retrograde_signals(net, [[1.0]], [[0.0]])
    >>> out["neuron"].tolist()
    [1, 2]
    >>> bool(np.allclose(out["amplitude"], np.abs(out["effective"]) * [0.5, 2.0]))
    True
    """
    net = _check_net(net)
    carrier = credit_carrier(net, rule)
    X, Y, st = _settled(net, X, Y, rule, loss, tol, max_iter, method)
    g = net.graph
    carrier_sum = np.bincount(g.dst, weights=np.abs(carrier), minlength=g.n)
    has_pre = np.bincount(g.dst, minlength=g.n) > 0
    neurons = np.flatnonzero(has_pre)
    batch = X.shape[0]
    f = _balance_values(net, st["s"], rule)
    eff = st["effective"][:, neurons]
    return {
        "sample": np.repeat(np.arange(batch), neurons.size),
        "neuron": np.tile(neurons, batch),
        "rate": st["x"][:, neurons].ravel(),
        "s": st["s"][:, neurons].ravel(),
        "balance": f[:, neurons].ravel(),
        "credit": st["c"][:, neurons].ravel(),
        "effective": eff.ravel(),
        "carrier_sum": np.tile(carrier_sum[neurons], batch),
        "amplitude": (np.abs(eff) * carrier_sum[neurons]).ravel(),
        "is_input": np.tile(g.input_mask()[neurons], batch),
        "is_output": np.tile(g.output_mask()[neurons], batch),
    }


# ------------------------------------------------------------ prediction 2
def synapse_check(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    learning_rate: float,
    rule: str = "balance",
    loss: str = "mse",
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    method: str = "auto",
) -> Result:
    """Test ``dw_ij / g_ji = x_j / w_ij`` synapse by synapse (prediction 2).

    For each sample on its own (a batch of one), ``dw_ij`` is the engine's update at
    ``learning_rate`` (``learning_rate`` times :meth:`Network.plasticity` of that
    sample: one online step), ``g_ji = c_i f(s_i) b_ij`` the retrograde signal at
    the settled credit and ``x_j`` the settled presynaptic rate. The prediction,
    written without divisions, is ``dw_ij w_ij = r x_j g_ji``; its scale-free
    residual is ``(dw w - r x g) / (|dw w| + |r x g|)``, in ``[-1, 1]``. It holds
    (residual at rounding level) when credit is carried by ``W`` itself
    (``balance``, ``balance-exact``) and fails (residual of order 1) when it is
    carried by other weights (``fa``: ``(w - B) / (|w| + |B|)``).

    Parameters
    ----------
    net : Network
    X, Y : array_like
        Inputs (batch, n_inputs) and targets (batch, n_outputs); a 1-D row is one sample.
    learning_rate : float
        ``r`` in ``dw = r c f x``, > 0.
    rule : str
        ``balance``, ``balance-exact``, ``fa`` or ``sign-concordant``.
    loss : {"mse", "cross-entropy"}
    tol, max_iter, method
        Settling controls of :meth:`Network.credit`.

    Returns
    -------
    dict
        Flat arrays, one entry per (sample, synapse), sample-major, synapses in
        the graph's edge order:

        - ``sample``, ``edge``, ``pre`` (``j``), ``post`` (``i``) (int);
        - ``dw``, ``g``, ``x_pre`` (``x_j``), ``w`` (``w_ij``, before the update);
        - ``residual``: NaN where ``dw w`` and ``r x g`` are both 0 (excluded);
        - ``ratio_lhs`` (``dw / g``, NaN where ``g == 0``) and ``ratio_rhs``
          (``x_j / w``, NaN where ``w == 0``);
        - ``valid`` (bool): the residual is defined.

        and scalars ``n_excluded`` (entries with 0/0 residual) and
        ``max_abs_residual`` (over valid entries; NaN if there are none).

    Raises
    ------
    WiringError
        If ``learning_rate`` is not > 0, or ``rule`` is ``dfa`` or unknown.
    SettleDidNotConverge
        If firing or credit does not settle.

    Examples
    --------
    >>> from wiring.network import Network
    >>> net = Network.from_edges(3, [0, 1], [1, 2], [0.5, 2.0], inputs=[0], outputs=[2])
    >>> res = synapse_check(net, [[1.0]], [[0.0]], learning_rate=0.1, rule="fa")
    >>> res["dw"].shape, int(res["n_excluded"])
    ((2,), 0)
    >>> bool(res["max_abs_residual"] > 0.01)   # fa carries credit over B, not W
    True
    """
    net = _check_net(net)
    r = check_positive(learning_rate, "learning_rate")
    carrier = credit_carrier(net, rule)
    X, Y, st = _settled(net, X, Y, rule, loss, tol, max_iter, method)
    g = net.graph
    batch, E = X.shape[0], g.n_edges
    w = net.weight
    dw = np.empty((batch, E))
    for k in range(batch):
        dw[k], _ = net.plasticity(X[k : k + 1], Y[k : k + 1], rule=rule, loss=loss, tol=tol,
                                  max_iter=max_iter, method=method)
    dw *= r
    sig = st["effective"][:, g.dst] * carrier
    x_pre = st["x"][:, g.src]
    lhs = dw * w
    rhs = r * x_pre * sig
    den = np.abs(lhs) + np.abs(rhs)
    valid = den > 0
    residual = np.full((batch, E), np.nan)
    residual[valid] = (lhs[valid] - rhs[valid]) / den[valid]
    ratio_lhs = np.full((batch, E), np.nan)
    np.divide(dw, sig, out=ratio_lhs, where=sig != 0)
    w_rows = np.broadcast_to(w, (batch, E))
    ratio_rhs = np.full((batch, E), np.nan)
    np.divide(x_pre, w_rows, out=ratio_rhs, where=w_rows != 0)
    n_valid = int(valid.sum())
    return {
        "sample": np.repeat(np.arange(batch), E),
        "edge": np.tile(np.arange(E), batch),
        "pre": np.tile(g.src, batch),
        "post": np.tile(g.dst, batch),
        "dw": dw.ravel(),
        "g": sig.ravel(),
        "x_pre": x_pre.ravel(),
        "w": np.tile(w, batch),
        "residual": residual.ravel(),
        "ratio_lhs": ratio_lhs.ravel(),
        "ratio_rhs": ratio_rhs.ravel(),
        "valid": valid.ravel(),
        "n_excluded": int(valid.size - n_valid),
        "max_abs_residual": float(np.max(np.abs(residual[valid]))) if n_valid else float("nan"),
    }


# ---------------------------------------------------------- rule comparison
def update_alignment(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    rule: str,
    loss: str = "mse",
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    method: str = "auto",
) -> Result:
    """How well a rule's batch update points along the exact descent direction.

    The rule's update is :meth:`Network.plasticity` (summed over the batch); the
    reference is ``-dL/dW`` of the summed loss at the firing fixed point, computed
    as the ``balance-exact`` update of the same network with ``f = sigma'`` (which
    is exactly the gradient on any graph). If ``net`` uses another balance function
    (``gaussian``) the reference is still the true gradient, so even
    ``balance-exact`` then scores below 1. Only weights are compared, not biases.

    Parameters
    ----------
    net : Network
    X, Y : array_like
        Inputs (batch, n_inputs) and targets (batch, n_outputs); a 1-D row is one sample.
    rule : str
        Any name in :data:`wiring.rules.RULES` (``dfa`` included).
    loss : {"mse", "cross-entropy"}
    tol, max_iter, method
        Settling controls of :meth:`Network.plasticity`.

    Returns
    -------
    dict
        - ``cosine``: cosine similarity of the two updates (NaN if one is zero);
        - ``sign_agreement``: fraction of synapses where the signs agree, among
          those where both updates are non-zero (NaN if there are none);
          ``n_compared``: their number;
        - ``norm_rule``, ``norm_gradient``: Euclidean norms of the updates;
        - ``cosine_free``, ``sign_agreement_free``, ``n_compared_free``: the same
          restricted to synapses between free (non-input) neurons;
        - ``dw_rule``, ``dw_gradient``: the updates per edge (``dw_gradient`` is
          ``-dL/dw``), shape (E,), in the graph's edge order.

    Raises
    ------
    SettleDidNotConverge
        If firing or credit does not settle.

    Examples
    --------
    >>> from wiring.graphs.builders import layered
    >>> from wiring.network import Network
    >>> net = Network(layered([2, 3, 1]), seed=0)
    >>> X, Y = [[0.5, -1.0], [1.0, 0.2]], [[0.3], [-0.2]]
    >>> round(update_alignment(net, X, Y, rule="balance")["cosine"], 12)
    1.0
    >>> update_alignment(net, X, Y, rule="fa")["cosine"] < 0.999
    True
    """
    net = _check_net(net)
    get_rule(rule)
    X, Y = _as_batch(X), _as_batch(Y)
    kw = {"loss": loss, "tol": tol, "max_iter": max_iter, "method": method}
    dw_rule, _ = net.plasticity(X, Y, rule=rule, **kw)
    ref = net
    if net.balance != "derivative":
        ref = Network(net.graph, net.weight, net.bias, activation=net.activation,
                      output_activation=net.output_activation, balance="derivative")
    dw_grad, _ = ref.plasticity(X, Y, rule="balance-exact", **kw)
    g = net.graph
    free = ~g.input_mask()[g.src] & ~g.input_mask()[g.dst]
    agree, k = _sign_agreement(dw_rule, dw_grad)
    agree_free, k_free = _sign_agreement(dw_rule[free], dw_grad[free])
    return {
        "cosine": _cosine(dw_rule, dw_grad),
        "sign_agreement": agree,
        "n_compared": k,
        "norm_rule": float(np.linalg.norm(dw_rule)),
        "norm_gradient": float(np.linalg.norm(dw_grad)),
        "cosine_free": _cosine(dw_rule[free], dw_grad[free]),
        "sign_agreement_free": agree_free,
        "n_compared_free": k_free,
        "dw_rule": dw_rule,
        "dw_gradient": dw_grad,
    }


# ------------------------------------------------------------------- fits
def fit_power_law(x: ArrayLike, y: ArrayLike, *, n_bins: int = 12) -> Result:
    """Least-squares power law ``|y| = exp(a) |x|^b``, fitted on log scales.

    Fits ``log|y| = a + b log|x|`` over the entries where both ``|x|`` and ``|y|``
    are positive and finite (the others are left out), and bins the same entries
    into quantile bins of ``|x|`` for plotting.

    Parameters
    ----------
    x, y : array_like
        Same number of entries (flattened).
    n_bins : int
        Number of quantile bins of ``|x|`` (fewer when ``|x|`` has ties).

    Returns
    -------
    dict
        - ``slope`` (``b``), ``intercept`` (``a``, natural log), ``prefactor``
          (``exp(a)``), ``r2`` (on the log scale; NaN if ``log|y|`` is constant),
          ``n`` (entries used);
        - ``bin_x`` (median ``|x|`` per bin), ``bin_median``, ``bin_q25``,
          ``bin_q75`` (of ``|y|``), ``bin_count``: one entry per non-empty bin.

    Raises
    ------
    WiringError
        If ``x`` and ``y`` differ in size, or fewer than two distinct ``|x|``
        values are usable.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 4.0, 0.0])
    >>> fit = fit_power_law(x, 3 * x**2)
    >>> round(fit["slope"], 12), round(fit["prefactor"], 12), fit["n"]
    (2.0, 3.0, 3)
    """
    x, y = _xy(x, y)
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    ax, ay = np.abs(x), np.abs(y)
    use = np.isfinite(ax) & np.isfinite(ay) & (ax > 0) & (ay > 0)
    ax, ay = ax[use], ay[use]
    if np.unique(ax).size < 2:
        raise WiringError(
            f"`x` needs at least two distinct non-zero finite values where `y` is non-zero "
            f"too; got {np.unique(ax).size}"
        )
    lx, ly = np.log(ax), np.log(ay)
    slope, intercept = np.polyfit(lx, ly, 1)
    out: Result = {
        "slope": float(slope),
        "intercept": float(intercept),
        "prefactor": float(np.exp(intercept)),
        "r2": _r2(ly, intercept + slope * lx),
        "n": int(ax.size),
    }
    out.update(_binned(ax, ay, n_bins))
    return out


def fit_bell(s: ArrayLike, amp: ArrayLike, *, n_bins: int = 12) -> Result:
    """Least-squares Gaussian bell ``amp = peak * exp(-(s - center)^2 / 2 width^2)``.

    Fits the parabola ``log amp = a + b s + c s^2`` over the entries with ``amp > 0``
    and both finite: ``center = -b / 2c``, ``width = sqrt(-1 / 2c)`` and ``peak =
    exp(a - b^2 / 4c)`` when ``c < 0`` (a bell; otherwise ``width`` and ``peak`` are
    NaN and ``is_bell`` is False). Also bins the same entries into quantile bins
    of ``s``. Prediction 1 (amplitude largest for balanced neurons) shows as a
    bell of :func:`retrograde_signals`' ``amplitude`` over ``s``.

    Parameters
    ----------
    s, amp : array_like
        Net inputs and amplitudes, same number of entries (flattened).
    n_bins : int
        Number of quantile bins of ``s``.

    Returns
    -------
    dict
        ``center``, ``width``, ``peak``, ``curvature`` (``c``), ``is_bell``,
        ``r2`` (of ``log amp``; NaN if constant), ``n``; and ``bin_x`` (median
        ``s``), ``bin_median``, ``bin_q25``, ``bin_q75`` (of ``amp``), ``bin_count``.

    Raises
    ------
    WiringError
        If ``s`` and ``amp`` differ in size or fewer than three distinct ``s``
        values are usable.

    Examples
    --------
    >>> s = np.linspace(-3, 3, 13)
    >>> fit = fit_bell(s, 2.0 * np.exp(-(s - 0.5) ** 2 / (2 * 0.8**2)))
    >>> [round(fit[k], 9) for k in ("center", "width", "peak")]
    [0.5, 0.8, 2.0]
    """
    s, amp = _xy(s, amp)
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    use = np.isfinite(s) & np.isfinite(amp) & (amp > 0)
    s, amp = s[use], amp[use]
    if np.unique(s).size < 3:
        raise WiringError(
            f"`s` needs at least three distinct finite values where `amp` > 0; "
            f"got {np.unique(s).size}"
        )
    z = np.log(amp)
    c, b, a = np.polyfit(s, z, 2)
    bell = bool(c < 0)
    out: Result = {
        "center": float(-b / (2 * c)) if c != 0 else float("nan"),
        "width": float(np.sqrt(-1.0 / (2 * c))) if bell else float("nan"),
        "peak": float(np.exp(a - b * b / (4 * c))) if bell else float("nan"),
        "curvature": float(c),
        "is_bell": bell,
        "r2": _r2(z, a + b * s + c * s * s),
        "n": int(s.size),
    }
    out.update(_binned(s, amp, n_bins))
    return out
