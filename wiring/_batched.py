"""Python side of the mini-batch kernel: validate once, lay out arrays, call numba.

:func:`run_batched` is :meth:`Network._run`'s counterpart for whole mini-batches
(``kernels.batch.run_batches``); :func:`wiring.train.fit` chooses between them.
"""

from __future__ import annotations

import numba
import numpy as np

from wiring._checks import check_choice, check_int, check_positive
from wiring.errors import WiringError
from wiring.kernels import batch as _kb
from wiring.kernels import plasticity as _kp
from wiring.rules import LOSSES, get_rule, kernel_balance, kernel_feedback, kernel_masks

__all__ = ["DTYPES", "run_batched", "levels"]

#: Float types the mini-batch kernel runs in (every array of one run in one type).
DTYPES = ("float64", "float32")


def levels(network) -> tuple[tuple, tuple]:
    """(firing levels over the free neurons, credit levels over all neurons) of a DAG.

    Each is ``(level_ptr, level_nodes, n_levels)``; ``n_levels = 0`` (iterative
    settling) for a graph with cycles. Cached on the network's graph.
    """
    g = network.graph
    cache = g.__dict__.get("_batch_levels")
    if cache is not None:
        return cache
    empty = (np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)
    if not g.is_dag:
        out = (empty, empty)
    else:
        ptr = np.zeros(g.n + 1, dtype=np.int64)
        nodes = np.zeros(g.n, dtype=np.int64)
        n_levels = _kb.dag_levels(g.in_indptr, g.in_src, g.topo_order, ptr, nodes)
        free = ~g.input_mask()
        keep = free[nodes]
        level_of = np.repeat(np.arange(n_levels), np.diff(ptr[: n_levels + 1]))
        f_nodes = np.ascontiguousarray(nodes[keep])
        f_ptr = np.zeros(n_levels + 1, dtype=np.int64)
        np.cumsum(np.bincount(level_of[keep], minlength=n_levels), out=f_ptr[1:])
        out = ((f_ptr, f_nodes, int(n_levels)), (ptr[: n_levels + 1].copy(), nodes, int(n_levels)))
    object.__setattr__(g, "_batch_levels", out) if _frozen(g) else setattr(g, "_batch_levels", out)
    return out


def _frozen(obj) -> bool:
    params = getattr(type(obj), "__dataclass_params__", None)
    return bool(params and params.frozen)


def run_batched(network, X, Y, *, rule: str, loss: str, tol: float, max_iter: int,
                method: str = "auto", lr: float = 0.0, batch_size: int = 32,
                order: np.ndarray | None = None, do_credit: bool = True,
                dtype: str = "float64", dw: np.ndarray | None = None,
                db: np.ndarray | None = None) -> tuple[int, np.ndarray]:
    """Run ``order``'s samples through the mini-batch kernel; returns (n_done, stats).

    ``X`` and ``Y`` are validated arrays (``Network._check_X/_check_Y``). With
    ``dtype="float32"`` the weights, data and state are float32 in the kernel;
    the learnt weights are written back to the network (exactly: every float32
    is a float64).
    """
    g = network.graph
    rule_spec = get_rule(rule)
    loss_code = LOSSES[check_choice(loss, "loss", LOSSES)]
    check_choice(dtype, "dtype", DTYPES)
    check_choice(method, "method", ("auto", "jacobi"))
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if do_credit and g.outputs.size == 0:
        raise WiringError("the network has no output neurons: credit needs `outputs`")
    network._check_params()
    ft = np.dtype(dtype)
    order = np.arange(X.shape[0], dtype=np.int64) if order is None else order
    n, E = g.n, g.n_edges
    fixed, zero_mask = kernel_masks(rule_spec, network)
    fb_mode, B_out, M_out, direct = kernel_feedback(rule_spec, network, ft)
    _, bal_code, center, width = kernel_balance(rule_spec, network)
    fb_work = np.zeros(E if rule_spec.feedback == _kp.FB_SIGN else 0, dtype=ft)
    fire_levels, credit_levels = levels(network)
    if method == "jacobi":
        empty = (np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)
        fire_levels = credit_levels = empty
    clamp = network._clamp
    free = np.flatnonzero(clamp == 0).astype(np.int64)
    all_rows = np.arange(n, dtype=np.int64)
    Bw = min(batch_size, max(order.size, 1))
    work = (*(np.zeros((n, Bw), dtype=ft) for _ in range(8)),
            np.zeros((numba.get_num_threads(), Bw), dtype=ft))
    same = ft == np.float64
    w_in = network._w_in if same else network._w_in.astype(ft)
    w_out = network._w_out if same else network._w_out.astype(ft)
    bias = network._bias if same else network._bias.astype(ft)
    dw = np.zeros(E, dtype=ft) if dw is None else dw  # private: the caller passes `ft` arrays
    db = np.zeros(n, dtype=ft) if db is None else db
    stats = np.zeros((order.size, 8))
    done = _kb.run_batches(
        (g.in_indptr, g.in_src, g.out_indptr, g.out_dst, g.in_to_out, free, all_rows),
        (w_in, w_out, bias),
        (network._act, clamp, zero_mask, fixed, g.inputs, g.outputs,
         bal_code, center, width),
        (fb_mode, B_out, M_out, direct, fb_work),
        (np.ascontiguousarray(X, dtype=ft), np.ascontiguousarray(Y, dtype=ft), order),
        (loss_code, float(tol), int(max_iter), float(lr), int(batch_size), bool(do_credit)),
        (fire_levels, credit_levels), work, dw, db, stats,
    )
    if not same and lr > 0.0:
        network._w_in[:] = w_in
        network._w_out[:] = w_out
        network._bias[:] = bias
    return done, stats
