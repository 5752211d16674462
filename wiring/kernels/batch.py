"""Mini-batch settle -> credit -> plasticity on CSR x dense-batch arrays (numba only).

The per-sample kernels (:mod:`wiring.kernels.plasticity`) walk the graph once per
sample; here a whole mini-batch travels together. State matrices are neuron-major,
shape ``(n, B)`` and C-contiguous, so the inner loop of every sweep is an AXPY over
the ``B`` samples of one presynaptic row: a CSR x dense product (SpMM), the form a
machine runs fastest. Every array may be float64 or float32 (one dtype throughout;
numba compiles one specialisation per dtype).

Parallelism: the loops over neurons are ``prange`` loops in which each thread
writes only the rows it owns (row ``i`` of the rates, the net inputs, the credit;
the in-edges of ``i`` in the update), and every row is computed in the same
order whatever the thread count, so results are bit-identical to one thread.
Reductions over rows (per-sample residuals) are maxima, which do not depend on order.

Acyclic graphs settle exactly in one sweep over *levels* (``level[i]`` = 1 + the
largest level of ``i``'s presynaptic neurons): neurons of one level never feed
each other, so each level is one parallel loop; credit runs the levels backwards.

Status codes are those of :mod:`wiring.kernels.settle`.
"""

import numpy as np
from numba import get_thread_id, njit, prange

from wiring.kernels.mathfn import exp_det, log_det
from wiring.kernels.neurons import TANH, activate, balance, tanh_typed
from wiring.kernels.plasticity import CROSS_ENTROPY, FB_DIRECT, FB_FIXED, FB_SAME
from wiring.kernels.settle import CAPPED, CONVERGED, DIVERGED, HUGE

__all__ = ["dag_levels", "spmm_rows", "firing_batch", "credit_batch", "run_batches"]


@njit(cache=True, error_model="numpy")
def dag_levels(in_indptr, in_src, topo, level_ptr, level_nodes):
    """Group an acyclic graph's neurons by level; return the number of levels.

    ``topo`` is a topological order. Level 0 holds the neurons without
    presynaptic partners. ``level_nodes[level_ptr[l]:level_ptr[l + 1]]`` receives
    the neurons of level ``l`` in topological order (both outputs sized by the caller:
    ``level_ptr`` n + 1, ``level_nodes`` n).
    """
    n = topo.size
    level = np.zeros(n, dtype=np.int64)
    top = 0
    for t in range(n):
        i = topo[t]
        lv = 0
        for k in range(in_indptr[i], in_indptr[i + 1]):
            if level[in_src[k]] + 1 > lv:
                lv = level[in_src[k]] + 1
        level[i] = lv
        if lv > top:
            top = lv
    n_levels = top + 1 if n > 0 else 0
    count = np.zeros(n_levels + 1, dtype=np.int64)
    for i in range(n):
        count[level[i] + 1] += 1
    for lv in range(n_levels):
        count[lv + 1] += count[lv]
    level_ptr[:] = 0
    level_ptr[: n_levels + 1] = count
    fill = count[:n_levels].copy()
    for t in range(n):
        i = topo[t]
        level_nodes[fill[level[i]]] = i
        fill[level[i]] += 1
    return n_levels


@njit(parallel=True, cache=True, error_model="numpy")
def spmm_rows(indptr, idx, w, rows, X, Y):
    """Y[i] = sum_k w[k] X[idx[k]] for the rows ``i`` listed in ``rows`` (plain SpMM).

    The tight kernel the benchmark measures the machine's bound with: the same
    loop as the settle sweeps without the bias, activation or residual.
    """
    B = X.shape[1]
    for p in prange(rows.size):
        i = rows[p]
        y = Y[i]
        for b in range(B):
            y[b] = 0.0
        lo = indptr[i]
        hi = indptr[i + 1]
        k = lo
        while k + 2 <= hi:
            w0 = w[k]
            w1 = w[k + 1]
            x0 = X[idx[k]]
            x1 = X[idx[k + 1]]
            for b in range(B):
                y[b] = y[b] + w0 * x0[b] + w1 * x1[b]
            k += 2
        if k < hi:
            w0 = w[k]
            x0 = X[idx[k]]
            for b in range(B):
                y[b] = y[b] + w0 * x0[b]


@njit(cache=True, error_model="numpy", inline="always")
def _gather_row(lo, hi, w, idx, X, start, y):
    """y[:] = start + sum_{k in [lo, hi)} w[k] X[idx[k]] (two rows per pass)."""
    B = y.size
    for b in range(B):
        y[b] = start
    k = lo
    while k + 2 <= hi:
        w0 = w[k]
        w1 = w[k + 1]
        x0 = X[idx[k]]
        x1 = X[idx[k + 1]]
        for b in range(B):
            y[b] = y[b] + w0 * x0[b] + w1 * x1[b]
        k += 2
    if k < hi:
        w0 = w[k]
        x0 = X[idx[k]]
        for b in range(B):
            y[b] = y[b] + w0 * x0[b]


@njit(cache=True, error_model="numpy", inline="always")
def _track(new, old, r):
    """r[b] = max(r[b], |new[b] - old[b]|), NaN propagating."""
    for b in range(r.size):
        d = abs(new[b] - old[b])
        if not d <= r[b]:
            r[b] = d


@njit(parallel=True, cache=True, error_model="numpy")
def _firing_sweep(indptr, idx, w, bias, act, rows, Xin, Xout, S, res_t, track):
    """Rows ``rows`` of S = W Xin + b and Xout = sigma(S). With ``track``, thread t
    keeps the per-column max change of its rows in ``res_t[t]``."""
    for p in prange(rows.size):
        i = rows[p]
        s = S[i]
        _gather_row(indptr[i], indptr[i + 1], w, idx, Xin, bias[i], s)
        x = Xout[i]
        a = act[i]
        if a == TANH:
            for b in range(s.size):
                x[b] = tanh_typed(s[b])
        else:
            for b in range(s.size):
                x[b] = activate(a, s[b])
        if track:
            _track(x, Xin[i], res_t[get_thread_id()])


@njit(cache=True, error_model="numpy")
def _reduce_residual(res_t, res):
    """res[b] = max_t res_t[t, b] (NaN propagating); resets res_t. Order-free: maxima."""
    res[:] = 0.0
    for t in range(res_t.shape[0]):
        r = res_t[t]
        for b in range(res.size):
            if not r[b] <= res[b]:
                res[b] = r[b]
            r[b] = 0.0


@njit(cache=True, error_model="numpy")
def _column_state(A, cols_status):
    """Mark columns of A with a non-finite or huge entry DIVERGED."""
    for i in range(A.shape[0]):
        a = A[i]
        for b in range(cols_status.size):
            if not abs(a[b]) < HUGE:
                cols_status[b] = DIVERGED


@njit(cache=True, error_model="numpy")
def _settle_status(res, tol, it, iters, resid, status):
    """Per-column bookkeeping after sweep ``it``; returns True when every column is done."""
    done = True
    for b in range(res.size):
        r = res[b]
        resid[b] = r
        if not r < HUGE:
            status[b] = DIVERGED
        elif r <= tol:
            if status[b] != CONVERGED:
                iters[b] = it
            status[b] = CONVERGED
        else:
            status[b] = CAPPED
            iters[b] = it
            done = False
    return done


@njit(cache=True, error_model="numpy")
def firing_batch(in_csr, w, bias, act, free, levels, X, buf, S, tol, max_iter, res_t, res,
                 iters, resid, status):
    """Firing equilibrium of a batch: ``X`` (n, B) holds the start (clamped rows set).

    ``levels`` = (level_ptr, level_nodes, n_levels) of the free rows: with
    ``n_levels > 0`` one exact sweep level by level (acyclic graph); otherwise Jacobi
    sweeps over the ``free`` rows until every column's largest change is ``<= tol`` or ``max_iter``.
    ``S`` receives the net inputs of every row (clamped rows too). Per column:
    ``iters`` (sweeps until it converged), ``resid`` and ``status``.
    """
    indptr, idx = in_csr[0], in_csr[1]
    level_ptr, level_nodes, n_levels = levels
    n = indptr.size - 1
    if n_levels > 0:
        for lv in range(n_levels):
            rows = level_nodes[level_ptr[lv]:level_ptr[lv + 1]]
            _firing_sweep(indptr, idx, w, bias, act, rows, X, X, S, res_t, False)
        iters[:] = 1
        resid[:] = 0.0
        status[:] = CONVERGED
        _column_state(X, status)
    else:
        for i in range(n):  # clamped rows are constant: the same in both buffers
            buf[i] = X[i]
        status[:] = CAPPED
        a = X
        bb = buf
        it = 0
        while it < max_iter:
            _firing_sweep(indptr, idx, w, bias, act, free, a, bb, S, res_t, True)
            _reduce_residual(res_t, res)
            a, bb = bb, a
            it += 1
            if _settle_status(res, tol, it, iters, resid, status):
                break
        if it % 2 == 1:
            X[:] = buf
        _column_state(X, status)
    _clamped_drive(indptr, idx, w, bias, free, X, S)


@njit(cache=True, error_model="numpy")
def _clamped_drive(indptr, idx, w, bias, free, X, S):
    """Net inputs of the rows not in ``free`` (the clamped inputs; ``free`` is sorted)."""
    n = indptr.size - 1
    p = 0
    for i in range(n):
        if p < free.size and free[p] == i:
            p += 1
            continue
        _gather_row(indptr[i], indptr[i + 1], w, idx, X, bias[i], S[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _balance_rows(act, S, X, clamp, bal_code, center, width, zero_mask, F):
    n, B = S.shape
    for i in prange(n):
        f = F[i]
        if zero_mask[i]:
            for b in range(B):
                f[b] = 0.0
            continue
        s = S[i]
        x = X[i]
        a = act[i]
        for b in range(B):
            xi = activate(a, s[b]) if clamp[i] else x[b]
            f[b] = balance(bal_code, a, s[b], xi, center, width)


@njit(parallel=True, cache=True, error_model="numpy")
def _credit_sweep(indptr, idx, fb, E, fixed, rows, D, Cin, Cout, res_t, track):
    """Rows ``rows`` of Cout = E + Fb D (E on fixed rows); ``track`` as in firing."""
    for p in prange(rows.size):
        j = rows[p]
        c = Cout[j]
        e = E[j]
        if fixed[j]:
            for b in range(c.size):
                c[b] = e[b]
        else:
            _gather_row(indptr[j], indptr[j + 1], fb, idx, D, 0.0, c)
            for b in range(c.size):
                c[b] = e[b] + c[b]
        if track:
            _track(c, Cin[j], res_t[get_thread_id()])


@njit(parallel=True, cache=True, error_model="numpy")
def _effective(rows, F, C, D):
    """D = F * C on ``rows``."""
    for p in prange(rows.size):
        i = rows[p]
        d = D[i]
        f = F[i]
        c = C[i]
        for b in range(d.size):
            d[b] = f[b] * c[b]


@njit(cache=True, error_model="numpy")
def credit_batch(out_csr, fb, F, E, fixed, levels, all_rows, C, buf, D, tol, max_iter, res_t,
                 res, iters, resid, status):
    """Credit of a batch: ``C[j] = E[j] + sum_k fb[k] F[dst k] C[dst k]`` (``E`` where fixed).

    Acyclic graphs: one exact sweep over the levels in reverse. Otherwise Jacobi
    from ``C`` (the start) until every column's change is ``<= tol``. ``D``
    receives the effective credit ``F * C``.
    """
    indptr, idx = out_csr[0], out_csr[1]
    level_ptr, level_nodes, n_levels = levels
    if n_levels > 0:
        for t in range(n_levels - 1, -1, -1):
            rows = level_nodes[level_ptr[t]:level_ptr[t + 1]]
            _credit_sweep(indptr, idx, fb, E, fixed, rows, D, C, C, res_t, False)
            _effective(rows, F, C, D)
        iters[:] = 1
        resid[:] = 0.0
        status[:] = CONVERGED
        _column_state(C, status)
        return
    status[:] = CAPPED
    a = C
    bb = buf
    it = 0
    while it < max_iter:
        _effective(all_rows, F, a, D)
        _credit_sweep(indptr, idx, fb, E, fixed, all_rows, D, a, bb, res_t, True)
        _reduce_residual(res_t, res)
        a, bb = bb, a
        it += 1
        if _settle_status(res, tol, it, iters, resid, status):
            break
    if it % 2 == 1:
        C[:] = buf
    _column_state(C, status)
    _effective(all_rows, F, C, D)


@njit(cache=True, error_model="numpy")
def _dfa_batch(Bd, outputs, E, F, C, D):
    n, B = C.shape
    for i in range(n):
        c = C[i]
        for b in range(B):
            c[b] = 0.0
        for o in range(outputs.size):
            bo = Bd[i, o]
            e = E[outputs[o]]
            for b in range(B):
                c[b] += bo * e[b]
    for o in range(outputs.size):
        C[outputs[o]] = E[outputs[o]]
    for i in range(n):
        for b in range(B):
            D[i, b] = F[i, b] * C[i, b]


@njit(cache=True, error_model="numpy")
def _output_errors(loss_code, X, Y, order, t0, outputs, E, loss, correct):
    """E = -dL/dx on output rows (0 elsewhere) for the columns of batch ``t0...``."""
    B = X.shape[1]
    m = outputs.size
    for o in range(m):
        E[outputs[o]] = 0.0
    for b in range(B):
        y = Y[order[t0 + b]]
        best = 0
        tbest = 0
        for o in range(m):
            if X[outputs[o], b] > X[outputs[best], b]:
                best = o
            if y[o] > y[tbest]:
                tbest = o
        lo = 0.0
        if loss_code == CROSS_ENTROPY:
            mx = X[outputs[best], b]
            z = 0.0
            for o in range(m):
                z += exp_det(float(X[outputs[o], b] - mx))
            logz = mx + log_det(z)
            ysum = 0.0
            for o in range(m):
                ysum += y[o]
            for o in range(m):
                logp = X[outputs[o], b] - logz
                E[outputs[o], b] = y[o] - exp_det(float(logp)) * ysum
                lo -= y[o] * logp
        else:
            for o in range(m):
                diff = y[o] - X[outputs[o], b]
                E[outputs[o], b] = diff
                lo += 0.5 * diff * diff
        loss[b] = lo
        correct[b] = 1.0 if best == tbest else 0.0


@njit(parallel=True, cache=True, error_model="numpy")
def _accumulate(in_indptr, in_src, D, X, dw, db):
    """dw[k] += sum_b D[i, b] X[src k, b] for every in-edge k of i; db[i] += sum_b D[i, b].

    Four partial sums over the batch, combined in a fixed order: the same result
    whatever the thread count.
    """
    n, B = D.shape
    for i in prange(n):
        d = D[i]
        for k in range(in_indptr[i], in_indptr[i + 1]):
            x = X[in_src[k]]
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            b = 0
            while b + 4 <= B:
                a0 += d[b] * x[b]
                a1 += d[b + 1] * x[b + 1]
                a2 += d[b + 2] * x[b + 2]
                a3 += d[b + 3] * x[b + 3]
                b += 4
            while b < B:
                a0 += d[b] * x[b]
                b += 1
            dw[k] += (a0 + a1) + (a2 + a3)
        acc = 0.0
        for b in range(B):
            acc += d[b]
        db[i] += acc


@njit(parallel=True, cache=True, error_model="numpy")
def _apply(in_to_out, w_in, w_out, bias, dw, db, scale):
    for k in prange(w_in.size):
        w_in[k] += scale * dw[k]
        w_out[in_to_out[k]] = w_in[k]
        dw[k] = 0.0
    for i in range(bias.size):
        bias[i] += scale * db[i]
        db[i] = 0.0


@njit(parallel=True, cache=True, error_model="numpy")
def _sign_feedback(w_out, M_out, fb):
    for k in prange(w_out.size):
        wk = w_out[k]
        fb[k] = M_out[k] if wk > 0.0 else (-M_out[k] if wk < 0.0 else 0.0)


@njit(cache=True, error_model="numpy")
def run_batches(graph, params, neurons, feedback, data, settings, levels, work, dw, db, stats):
    """Settle, assign credit and learn one mini-batch at a time.

    Parameters (tuples; arrays C-contiguous, all float arrays of one dtype)
    ----------
    graph : (in_indptr, in_src, out_indptr, out_dst, in_to_out, free, all_rows)
        ``free``: the non-clamped neurons; ``all_rows``: 0..n-1.
    params : (w_in, w_out, bias), modified in place when lr > 0
    neurons : (act, clamp, zero_mask, fixed, inputs, outputs, bal_code, center, width)
    feedback : (fb_mode, B_out, M_out, B_direct, fb_work)
    data : (X, Y, order), X rows are samples (columns in ``inputs`` order)
    settings : (loss_code, tol, max_iter, lr, batch_size, do_credit)
    levels : (fire_levels, credit_levels), each (level_ptr, level_nodes, n_levels): the
        free neurons by level for firing, every neuron by level for credit;
        n_levels = 0 for iterative settling
    work : (Xs, Xbuf, S, C, Cbuf, D, F, E), each (n, batch_size), and res_t,
        (numba threads, batch_size): per-thread residual scratch, zeros
    dw, db : update accumulators (in-CSR edge order, neurons)
    stats : (len(order), 8) output, columns ``plasticity.STAT_COLUMNS``

    Every batch settles with the weights as they were at its start, then applies
    ``lr * sum / len(batch)`` (samples that did not converge contribute nothing).
    Returns the number of samples processed: fewer than ``len(order)`` when learning
    and a sample of the last processed batch diverged (nothing after it ran).
    """
    in_indptr, in_src, out_indptr, out_dst, in_to_out, free, all_rows = graph
    w_in, w_out, bias = params
    act, clamp, zero_mask, fixed, inputs, outputs, bal_code, center, width = neurons
    fb_mode, B_out, M_out, B_direct, fb_work = feedback
    X, Y, order = data
    loss_code, tol, max_iter, lr, batch_size, do_credit = settings
    Xs0, Xbuf0, S0, C0, Cbuf0, D0, F0, E0, res_t0 = work
    fire_levels, credit_levels = levels
    in_csr = (in_indptr, in_src)
    out_csr = (out_indptr, out_dst)
    nb = order.size
    learning = lr > 0.0
    Bmax = Xs0.shape[1]
    res = np.zeros(Bmax, dtype=Xs0.dtype)
    fit_ = np.zeros(Bmax, dtype=np.int64)
    fst = np.zeros(Bmax, dtype=np.int64)
    fres = np.zeros(Bmax)
    cit = np.zeros(Bmax, dtype=np.int64)
    cst = np.zeros(Bmax, dtype=np.int64)
    cres = np.zeros(Bmax)
    loss = np.zeros(Bmax)
    correct = np.zeros(Bmax)
    t0 = 0
    while t0 < nb:
        B = min(batch_size, nb - t0)
        if B == Bmax:
            Xs, Xbuf, S, C, Cbuf, D, F, E = Xs0, Xbuf0, S0, C0, Cbuf0, D0, F0, E0
        else:  # the last, shorter batch: contiguous views of the first B columns
            Xs = np.ascontiguousarray(Xs0[:, :B])
            Xbuf = np.ascontiguousarray(Xbuf0[:, :B])
            S = np.ascontiguousarray(S0[:, :B])
            C = np.ascontiguousarray(C0[:, :B])
            Cbuf = np.ascontiguousarray(Cbuf0[:, :B])
            D = np.ascontiguousarray(D0[:, :B])
            F = np.ascontiguousarray(F0[:, :B])
            E = np.ascontiguousarray(E0[:, :B])
        Xs[:] = 0.0
        for b in range(B):
            r = order[t0 + b]
            for q in range(inputs.size):
                Xs[inputs[q], b] = X[r, q]
        rb = res[:B]
        res_t = res_t0 if B == Bmax else np.zeros((res_t0.shape[0], B), dtype=res_t0.dtype)
        firing_batch(in_csr, w_in, bias, act, free, fire_levels, Xs, Xbuf, S, tol, max_iter,
                     res_t, rb, fit_[:B], fres[:B], fst[:B])
        _output_errors(loss_code, Xs, Y, order, t0, outputs, E, loss, correct)
        any_div = False
        for b in range(B):
            t = t0 + b
            stats[t, 0] = fit_[b]
            stats[t, 1] = fres[b]
            stats[t, 2] = fst[b]
            stats[t, 3] = 0
            stats[t, 4] = 0.0
            stats[t, 5] = CONVERGED
            if fst[b] == DIVERGED:
                stats[t, 6] = np.nan
                stats[t, 7] = 0.0
                any_div = True
            else:
                stats[t, 6] = loss[b]
                stats[t, 7] = correct[b]
        if any_div and learning:
            return t0 + B
        if not do_credit:
            t0 += B
            continue
        _balance_rows(act, S, Xs, clamp, bal_code, center, width, zero_mask, F)
        for b in range(B):  # columns that did not settle: no error, so no credit
            if fst[b] != CONVERGED:
                for i in range(E.shape[0]):
                    E[i, b] = 0.0
        if fb_mode == FB_DIRECT:
            _dfa_batch(B_direct, outputs, E, F, C, D)
            cit[:B] = 1
            cres[:B] = 0.0
            cst[:B] = CONVERGED
            _column_state(C, cst[:B])
        else:
            if fb_mode == FB_SAME:
                fb = w_out
            elif fb_mode == FB_FIXED:
                fb = B_out
            else:
                _sign_feedback(w_out, M_out, fb_work)
                fb = fb_work
            C[:] = 0.0
            credit_batch(out_csr, fb, F, E, fixed, credit_levels, all_rows, C, Cbuf, D, tol,
                         max_iter, res_t, rb, cit[:B], cres[:B], cst[:B])
        for b in range(B):
            t = t0 + b
            if fst[b] != CONVERGED:
                continue
            stats[t, 3] = cit[b]
            stats[t, 4] = cres[b]
            stats[t, 5] = cst[b]
            if cst[b] == DIVERGED:
                any_div = True
        if any_div and learning:
            return t0 + B
        for b in range(B):  # only samples whose firing and credit converged learn
            if fst[b] != CONVERGED or cst[b] != CONVERGED:
                for i in range(D.shape[0]):
                    D[i, b] = 0.0
        if learning:
            _accumulate(in_indptr, in_src, D, Xs, dw, db)
            _apply(in_to_out, w_in, w_out, bias, dw, db, lr / B)
        else:
            _accumulate(in_indptr, in_src, D, Xs, dw, db)
        t0 += B
    return nb
