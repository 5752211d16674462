"""Per-sample settle -> credit -> plasticity, looped over samples (numba only).

One function, :func:`run_samples`, serves both the batch computation of the
rule's update (``lr = 0``: accumulate only) and online / mini-batch training
(``lr > 0``: weights change in place). Python decides rule set-up; this module
receives integer codes and plain arrays.
"""

import numpy as np
from numba import njit

from wiring.kernels.anderson import credit_anderson, firing_anderson
from wiring.kernels.mathfn import exp_det, log_det
from wiring.kernels.settle import (
    CONVERGED,
    DIVERGED,
    balance_values,
    credit_dag,
    credit_settle,
    dfa_credit,
    firing_dag,
    firing_settle,
)

__all__ = ["MSE", "CROSS_ENTROPY", "FB_SAME", "FB_FIXED", "FB_SIGN", "FB_DIRECT",
           "STAT_COLUMNS", "output_error", "run_samples"]

MSE, CROSS_ENTROPY = 0, 1
FB_SAME, FB_FIXED, FB_SIGN, FB_DIRECT = 0, 1, 2, 3
STAT_COLUMNS = ("firing_iterations", "firing_residual", "firing_status",
                "credit_iterations", "credit_residual", "credit_status", "loss", "correct")


@njit(cache=True, error_model="numpy")
def output_error(loss_code, x, y, outputs, e):
    """Write e = -dL/dx on the output neurons (0 elsewhere); return (loss, correct)."""
    e[:] = 0.0
    m = outputs.size
    best = 0
    tbest = 0
    for o in range(m):
        if x[outputs[o]] > x[outputs[best]]:
            best = o
        if y[o] > y[tbest]:
            tbest = o
    loss = 0.0
    if loss_code == MSE:
        for o in range(m):
            diff = y[o] - x[outputs[o]]
            e[outputs[o]] = diff
            loss += 0.5 * diff * diff
    else:
        mx = x[outputs[best]]
        z = 0.0
        for o in range(m):
            z += exp_det(x[outputs[o]] - mx)
        logz = mx + log_det(z)
        ysum = 0.0
        for o in range(m):
            ysum += y[o]
        for o in range(m):  # -dL/dz = y - p * sum(y) for L = -sum y log softmax(z)
            logp = x[outputs[o]] - logz
            e[outputs[o]] = y[o] - exp_det(logp) * ysum
            loss -= y[o] * logp
    return loss, 1.0 if best == tbest else 0.0


@njit(cache=True, error_model="numpy")
def _apply_online(in_indptr, in_src, out_indptr, out_dst, w_in, w_out, bias, d, x, lr):
    n = in_indptr.size - 1
    for i in range(n):
        di = d[i]
        if di != 0.0:
            for k in range(in_indptr[i], in_indptr[i + 1]):
                w_in[k] += lr * (di * x[in_src[k]])
            bias[i] += lr * di
    for j in range(n):
        xj = x[j]
        if xj != 0.0:
            for k in range(out_indptr[j], out_indptr[j + 1]):
                w_out[k] += lr * (d[out_dst[k]] * xj)


@njit(cache=True, error_model="numpy")
def _accumulate(in_indptr, in_src, d, x, dw, db):
    n = in_indptr.size - 1
    for i in range(n):
        di = d[i]
        if di != 0.0:
            for k in range(in_indptr[i], in_indptr[i + 1]):
                dw[k] += di * x[in_src[k]]
            db[i] += di


@njit(cache=True, error_model="numpy")
def _apply_batch(in_to_out, w_in, w_out, bias, dw, db, scale):
    for k in range(w_in.size):
        w_in[k] += scale * dw[k]
        w_out[in_to_out[k]] = w_in[k]
        dw[k] = 0.0
    for i in range(bias.size):
        bias[i] += scale * db[i]
        db[i] = 0.0


@njit(cache=True, error_model="numpy")
def run_samples(graph, params, neurons, feedback, data, settings, dw, db, stats, record):
    """Settle, assign credit and (optionally) learn, sample by sample.

    Parameters (tuples, all arrays C-contiguous)
    ----------
    graph : (in_indptr, in_src, out_indptr, out_dst, in_to_out, topo)
    params : (w_in, w_out, bias) -- modified in place when lr > 0
    neurons : (act, clamp, zero_mask, fixed, inputs, outputs, bal_code, center, width)
    feedback : (fb_mode, B_out, M_out, B_direct)
    data : (X, Y, order)
    settings : (loss_code, tol, max_iter, method, lr, batch_size, warm_start, do_credit),
        method 0 = Jacobi, 1 = Gauss-Seidel, 2 = one exact sweep in topological order (DAG),
        3 = Anderson-accelerated Jacobi
    dw, db : accumulators (in-CSR edge order, neurons); summed over samples when lr == 0
    stats : (len(order), 8) output, columns STAT_COLUMNS
    record : (x_rec, s_rec, c_rec), each (len(order), n) to record the settled rates,
        net inputs and credit per sample, or (0, n) to skip

    Returns the number of samples processed. When learning (lr > 0), fewer than
    ``len(order)`` means the last processed sample diverged (status 2) and nothing
    after it ran; without learning every sample runs and reports its own status.
    Mini-batches apply ``lr * sum / batch_size`` (the last, shorter batch: divided by
    its own length); a sample that did not converge contributes nothing.
    """
    in_indptr, in_src, out_indptr, out_dst, in_to_out, topo = graph
    w_in, w_out, bias = params
    act, clamp, zero_mask, fixed, inputs, outputs, bal_code, center, width = neurons
    fb_mode, B_out, M_out, B_direct = feedback
    X, Y, order = data
    loss_code, tol, max_iter, method, lr, batch_size, warm_start, do_credit = settings
    use_dag = method == 2
    gs = method == 1
    x_rec, s_rec, c_rec = record
    keep = x_rec.shape[0] > 0
    n = in_indptr.size - 1
    in_csr = (in_indptr, in_src)
    out_csr = (out_indptr, out_dst)
    x = np.zeros(n)
    xbuf = np.zeros(n)
    s = np.zeros(n)
    c = np.zeros(n)
    cbuf = np.zeros(n)
    d = np.zeros(n)
    fbal = np.zeros(n)
    e = np.zeros(n)
    fb_sign = np.empty(w_out.size) if fb_mode == FB_SIGN else np.empty(0)
    minibatch = lr > 0.0 and batch_size > 1
    learning = lr > 0.0
    for t in range(order.size):
        if minibatch and t > 0 and t % batch_size == 0:
            _apply_batch(in_to_out, w_in, w_out, bias, dw, db, lr / batch_size)
        r = order[t]
        if not warm_start:
            x[:] = 0.0
            c[:] = 0.0
        for q in range(inputs.size):
            x[inputs[q]] = X[r, q]
        if use_dag:
            fi, fr, fs = firing_dag(in_csr, topo, w_in, bias, act, clamp, x, s)
        elif method == 3:
            fi, fr, fs = firing_anderson(in_csr, w_in, bias, act, clamp, x, s, tol, max_iter)
        else:
            fi, fr, fs = firing_settle(in_csr, w_in, bias, act, clamp, x, xbuf, s, tol, max_iter,
                                       gs)
        stats[t, 0] = fi
        stats[t, 1] = fr
        stats[t, 2] = fs
        stats[t, 3] = 0
        stats[t, 4] = 0.0
        stats[t, 5] = CONVERGED
        if fs == DIVERGED:
            stats[t, 6] = np.nan
            stats[t, 7] = 0.0
            if learning:
                return t + 1
            continue
        loss, correct = output_error(loss_code, x, Y[r], outputs, e)
        stats[t, 6] = loss
        stats[t, 7] = correct
        if keep:
            x_rec[t] = x
            s_rec[t] = s
        if fs != CONVERGED or not do_credit:
            continue
        balance_values(act, s, x, clamp, bal_code, center, width, zero_mask, fbal)
        if fb_mode == FB_DIRECT:
            ci, cr, cs = dfa_credit(B_direct, outputs, e, fbal, c, d)
        else:
            if fb_mode == FB_SAME:
                fb = w_out
            elif fb_mode == FB_FIXED:
                fb = B_out
            else:
                for k in range(w_out.size):
                    wk = w_out[k]
                    fb_sign[k] = M_out[k] if wk > 0.0 else (-M_out[k] if wk < 0.0 else 0.0)
                fb = fb_sign
            if use_dag:
                ci, cr, cs = credit_dag(out_csr, topo, fb, fbal, e, fixed, c, d)
            elif method == 3:
                ci, cr, cs = credit_anderson(out_csr, fb, fbal, e, fixed, c, d, tol, max_iter)
            else:
                ci, cr, cs = credit_settle(out_csr, fb, fbal, e, fixed, c, cbuf, d, tol,
                                           max_iter, gs)
        stats[t, 3] = ci
        stats[t, 4] = cr
        stats[t, 5] = cs
        if keep:
            c_rec[t] = c
        if cs == DIVERGED and learning:
            return t + 1
        if cs != CONVERGED:
            continue
        if lr > 0.0 and batch_size == 1:
            _apply_online(in_indptr, in_src, out_indptr, out_dst, w_in, w_out, bias, d, x, lr)
        else:
            _accumulate(in_indptr, in_src, d, x, dw, db)
    if minibatch:
        last = order.size - ((order.size - 1) // batch_size) * batch_size
        _apply_batch(in_to_out, w_in, w_out, bias, dw, db, lr / last)
    return order.size
