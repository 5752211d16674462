"""The paper's Algorithm 1 on in-CSR arrays (numba only).

Per iteration, literally (the paper's Algorithm 1; docs: user_guide/rule):

1. ``s = W x + b``; ``x <- sigma(s) + eps_x``
2. ``c <- J c + eps_c`` with ``J = W^T diag(f(s))`` and identity rows for the
   credit-clamped neurons (their credit is carried over)
3. ``W <- W + r (c * f(s)) x^T`` (the new ``c`` and ``x``)
4. prune: the ``k`` smallest ``|w|`` become 0

Fusion: step 3-4 of iteration t is applied at the start of iteration t+1's pass
over the rows, so one pass over ``W`` does update, net input and the transposed
credit product (scatter). A pending update is flushed at the end of each call,
so the weights returned are exactly those after the last full iteration.

Pruning threshold: with ``a = |w|`` after the update, ``thr`` is the k-th
smallest value (0-based, numpy's ``np.partition(a, k)[k]``) and every
``a < thr`` is zeroed. The threshold moves little between iterations, so the
kernel only partitions the values in a band around the previous threshold.
"""

import numpy as np
from numba import njit

from wiring.kernels.lanes import dot_lanes, hsum8, upd_dot8, zeros8
from wiring.kernels.neurons import activate, balance

__all__ = ["run_algorithm1", "OK", "DIVERGED"]

OK, DIVERGED = 0, 2
HUGE = 1e150


@njit(cache=True, error_model="numpy")
def _upd_dot_contig(w, lo, hi, x, j0, g, mask):
    """Update a row whose presynaptic neurons are one ascending run and return its dot
    product with ``x``, in one pass of eight fixed lanes (:mod:`wiring.kernels.lanes`:
    the same bits whatever vector width the CPU has), then the few remaining terms."""
    # slices, not w[lo + m]: numba's negative-index wraparound blocks vectorisation
    ww = w[lo:hi]
    mm = mask[lo:hi]
    xx = x[j0:j0 + (hi - lo)]
    size = ww.size
    blocks = size // 8
    acc = zeros8()
    for q in range(blocks):
        acc = upd_dot8(acc, ww, xx, mm, g, 8 * q)
    s = hsum8(acc)
    for m in range(8 * blocks, size):
        wk = ww[m] + g * xx[m] * mm[m]
        ww[m] = wk
        s += wk * xx[m]
    return s


@njit(cache=True, error_model="numpy")
def _upd_dot_gather(w, lo, hi, x, idx, g, mask):
    a0 = 0.0
    a1 = 0.0
    k = lo
    while k + 2 <= hi:
        x0 = x[idx[k]]
        x1 = x[idx[k + 1]]
        w0 = w[k] + g * x0 * mask[k]
        w1 = w[k + 1] + g * x1 * mask[k + 1]
        w[k] = w0
        w[k + 1] = w1
        a0 += w0 * x0
        a1 += w1 * x1
        k += 2
    if k < hi:
        xv = x[idx[k]]
        wk = w[k] + g * xv * mask[k]
        w[k] = wk
        a0 += wk * xv
    return a0 + a1


@njit(cache=True, error_model="numpy")
def _prune_dot_contig(w, lo, hi, x, j0, thr, mask, structural):
    """Prune a contiguous row at ``thr`` (one vectorised pass), then return its dot
    product with ``x`` in eight fixed lanes (:func:`wiring.kernels.lanes.dot_lanes`)."""
    ww = w[lo:hi]
    mm = mask[lo:hi]
    xx = x[j0:j0 + (hi - lo)]
    if structural:
        for m in range(ww.size):
            keep = abs(ww[m]) >= thr
            ww[m] = ww[m] if keep else 0.0
            mm[m] = mm[m] if keep else 0.0
    else:
        for m in range(ww.size):
            ww[m] = ww[m] if abs(ww[m]) >= thr else 0.0
    return dot_lanes(ww, xx)


@njit(cache=True, error_model="numpy")
def _prune_dot_gather(w, lo, hi, x, idx, thr, mask, structural):
    acc = 0.0
    for k in range(lo, hi):
        wk = w[k]
        keep = abs(wk) >= thr
        wk = wk if keep else 0.0
        w[k] = wk
        if structural:
            mask[k] = mask[k] if keep else 0.0
        acc += wk * x[idx[k]]
    return acc


@njit(cache=True, error_model="numpy")
def _scatter_contig(w, lo, hi, j0, gc, out):
    ww = w[lo:hi]
    oo = out[j0:j0 + (hi - lo)]
    for m in range(ww.size):
        oo[m] += ww[m] * gc


@njit(cache=True, error_model="numpy")
def _scatter_gather(w, lo, hi, idx, gc, out):
    for k in range(lo, hi):
        out[idx[k]] += w[k] * gc


@njit(cache=True, error_model="numpy")
def contiguous_rows(indptr, idx):
    """uint8 per row: 1 where the row's presynaptic indices are one ascending run."""
    n = indptr.size - 1
    out = np.zeros(n, dtype=np.uint8)
    for i in range(n):
        lo, hi = indptr[i], indptr[i + 1]
        if hi > lo and np.int64(idx[hi - 1]) - np.int64(idx[lo]) == hi - lo - 1:
            out[i] = 1
    return out


@njit(cache=True, error_model="numpy")
def _update_band(indptr, idx, contig, w, mask, delta, x, lr, lo_b, hi_b, band, counts):
    """Pending update w += lr delta_i x_j (masked), then count |w| < lo_b and collect
    lo_b <= |w| < hi_b into band."""
    n = indptr.size - 1
    below = 0
    nb = 0
    for i in range(n):
        lo, hi = indptr[i], indptr[i + 1]
        g = lr * delta[i]
        if g != 0.0:
            if contig[i]:
                j0 = idx[lo]
                ww = w[lo:hi]
                mm = mask[lo:hi]
                xx = x[j0:j0 + (hi - lo)]
                for m in range(ww.size):
                    ww[m] += g * xx[m] * mm[m]
            else:
                for k in range(lo, hi):
                    w[k] += g * x[idx[k]] * mask[k]
        ww = w[lo:hi]
        for m in range(ww.size):  # branch-free compaction: store always, advance if kept
            a = abs(ww[m])
            below += a < lo_b
            band[nb] = a
            nb += (a >= lo_b) & (a < hi_b)
    counts[0] = below
    counts[1] = nb


@njit(cache=True, error_model="numpy")
def _select_threshold(w, k, band, counts, pstate):
    """k-th smallest |w| (0-based) and how many |w| lie strictly below it.

    Partitions only the band when it holds the k-th value, else all of |w|.
    """
    below, nb = counts[0], counts[1]
    if below <= k < below + nb:
        sub = np.partition(band[:nb], k - below)
        thr = sub[k - below]
        if nb > 512:
            pstate[1] = max(pstate[1] * 0.8, 1e-6)
        n_lt = below
        for q in range(nb):
            if band[q] < thr:
                n_lt += 1
        return thr, n_lt
    pstate[1] = min(pstate[1] * 2.0, 1.0)
    a = np.abs(w)
    thr = np.partition(a, k)[k]
    n_lt = 0
    for q in range(a.size):
        if a[q] < thr:
            n_lt += 1
    return thr, n_lt


@njit(cache=True, error_model="numpy")
def _zero_ties(w, mask, structural, thr, ties):
    """Zero the first ``ties`` weights with |w| == thr (CSR order), so exactly k go."""
    for q in range(w.size):
        if ties <= 0:
            break
        if abs(w[q]) == thr and w[q] != 0.0:
            w[q] = 0.0
            if structural:
                mask[q] = 0.0
            ties -= 1


@njit(cache=True, error_model="numpy")
def _flush(graph, contig, w, mask, delta, x, lr, prune_k, structural, band, counts, pstate):
    """Apply a pending update and prune (no firing/credit)."""
    indptr, idx = graph
    lo_b, hi_b = _band(pstate, prune_k)
    _update_band(indptr, idx, contig, w, mask, delta, x, lr, lo_b, hi_b, band, counts)
    if prune_k > 0:
        thr, n_lt = _select_threshold(w, prune_k, band, counts, pstate)
        pstate[0] = thr
        if n_lt < prune_k:
            _zero_ties(w, mask, structural, thr, prune_k - n_lt)
        for k in range(w.size):
            if abs(w[k]) < thr:
                w[k] = 0.0
                if structural:
                    mask[k] = 0.0
    delta[:] = 0.0


@njit(cache=True, error_model="numpy")
def _band(pstate, prune_k):
    if prune_k > 0 and pstate[0] > 0.0:
        return pstate[0] * (1.0 - pstate[1]), pstate[0] * (1.0 + pstate[1])
    return 0.0, 0.0


@njit(cache=True, error_model="numpy")
def _one_step(graph, contig, w, bias, mask, x, c, delta, f, s, xn, cn, clamped, nx, nc,
              act, bal, center, width, lr, thr, structural, pending, prune_now):
    """Firing and credit, one step each, fused with the pending update (or with pruning
    at ``thr`` when ``prune_now``)."""
    indptr, idx = graph
    n = indptr.size - 1
    cn[:] = 0.0
    for i in range(n):
        lo, hi = indptr[i], indptr[i + 1]
        if prune_now:
            if contig[i]:
                acc = _prune_dot_contig(w, lo, hi, x, idx[lo], thr, mask, structural)
            else:
                acc = _prune_dot_gather(w, lo, hi, x, idx, thr, mask, structural)
        else:
            g = lr * delta[i] if pending else 0.0
            if contig[i]:
                acc = _upd_dot_contig(w, lo, hi, x, idx[lo], g, mask)
            else:
                acc = _upd_dot_gather(w, lo, hi, x, idx, g, mask)
        si = acc + bias[i]
        s[i] = si
        xi = activate(act, si)
        xn[i] = xi + nx[i]
        fi = balance(bal, act, si, xi, center, width)
        f[i] = fi
        gc = fi * c[i]
        if gc != 0.0:
            if contig[i]:
                _scatter_contig(w, lo, hi, idx[lo], gc, cn)
            else:
                _scatter_gather(w, lo, hi, idx, gc, cn)
    ok = True
    for j in range(n):
        v = (c[j] if clamped[j] else cn[j]) + nc[j]
        c[j] = v
        x[j] = xn[j]
        delta[j] = v * f[j]
        if not (abs(v) < HUGE and abs(xn[j]) < HUGE):
            ok = False
    return ok


@njit(cache=True, error_model="numpy")
def _settled_step(graph, w, bias, x, c, delta, f, s, xn, cn, clamped, nx, nc, act, bal,
                  center, width, tol, max_iter):
    """Firing and credit iterated to their fixed points with this iteration's noise."""
    indptr, idx = graph
    n = indptr.size - 1
    capped = 0
    it_f = 0
    while True:
        res = 0.0
        for i in range(n):
            acc = bias[i]
            for k in range(indptr[i], indptr[i + 1]):
                acc += w[k] * x[idx[k]]
            s[i] = acc
            v = activate(act, acc) + nx[i]
            r = abs(v - x[i])
            if not r <= res:
                res = r
            xn[i] = v
        it_f += 1
        x[:] = xn
        if res <= tol or not res < HUGE:
            break
        if it_f >= max_iter:
            capped += 1
            break
    for i in range(n):
        f[i] = balance(bal, act, s[i], activate(act, s[i]), center, width)
    it_c = 0
    while True:
        cn[:] = 0.0
        for i in range(n):
            g = f[i] * c[i]
            if g != 0.0:
                for k in range(indptr[i], indptr[i + 1]):
                    cn[idx[k]] += w[k] * g
        res = 0.0
        for j in range(n):
            if clamped[j]:
                v = c[j] + (nc[j] if it_c == 0 else 0.0)
            else:
                v = cn[j] + nc[j]
            r = abs(v - c[j])
            if not r <= res:
                res = r
            cn[j] = v
        it_c += 1
        c[:] = cn
        if res <= tol or not res < HUGE:
            break
        if it_c >= max_iter:
            capped += 1
            break
    ok = True
    for i in range(n):
        if not (abs(x[i]) < HUGE and abs(c[i]) < HUGE):
            ok = False
        delta[i] = c[i] * f[i]
    return ok, it_f, it_c, capped


@njit(cache=True, error_model="numpy")
def flushed_weights(graph, contig, w, mask, delta, x, lr, prune_k, structural, pstate):
    """The weights after applying the pending update (and pruning), on copies: the live
    state is untouched, so how a run is cut into kernel calls never changes it."""
    w2 = w.copy()
    m2 = mask.copy()
    d2 = delta.copy()
    p2 = pstate.copy()
    band = np.empty(w.size + 1)
    counts = np.zeros(2, dtype=np.int64)
    _flush(graph, contig, w2, m2, d2, x, lr, prune_k, structural, band, counts, p2)
    return w2


@njit(cache=True, error_model="numpy")
def flush_pending(graph, contig, w, mask, delta, x, lr, prune_k, structural, pstate, flags):
    """Apply the pending update (and prune) to the live state, in place, and clear the
    pending flag: used where the learning rate changes, so every update is applied
    with the rate of the iteration that computed it."""
    if flags[0] == 1:
        band = np.empty(w.size + 1)
        counts = np.zeros(2, dtype=np.int64)
        _flush(graph, contig, w, mask, delta, x, lr, prune_k, structural, band, counts,
               pstate)
        flags[0] = 0


@njit(cache=True, error_model="numpy")
def run_algorithm1(graph, params, mask, state, settings, clamped, noise_x, noise_c, pstate,
                   band, flags):
    """Run ``len(noise_x)`` iterations of Algorithm 1 in place.

    graph : (indptr, idx, contig) in-CSR plus :func:`contiguous_rows`
    params : (w, bias); w modified in place
    mask : float64 per edge, 1 = may change, 0 = pruned for good (structural mode)
    state : (x, c, delta, f) per neuron; delta = f * c is the update still pending
        (applied at the start of the next iteration, or by :func:`flushed_weights`)
    settings : (act_code, bal_code, center, width, lr, prune_k, structural, settle, tol,
                max_iter)
    clamped : uint8 per neuron, credit-clamped (identity rows of J)
    noise_x, noise_c : (T, n) pre-drawn noise
    pstate : float64[2] = (previous threshold, band half-width); updated
    band : float64[E + 1] scratch
    flags : int64[1]; flags[0] = 1 when an update is pending (in and out)

    Returns (iterations completed, status, firing iterations total, credit iterations
    total, settles that hit the cap). On DIVERGED the state is left as it blew up.
    """
    indptr, idx, contig = graph
    g2 = (indptr, idx)
    w, bias = params
    x, c, delta, f = state
    act, bal, center, width, lr, prune_k, structural, settle, tol, max_iter = settings
    n = indptr.size - 1
    T = noise_x.shape[0]
    s = np.zeros(n)
    xn = np.zeros(n)
    cn = np.zeros(n)
    counts = np.zeros(2, dtype=np.int64)
    pending = flags[0] == 1
    fire_total = 0
    credit_total = 0
    capped = 0
    for t in range(T):
        if settle:
            if pending:
                _flush(g2, contig, w, mask, delta, x, lr, prune_k, structural, band, counts,
                       pstate)
            ok, fi, ci, cp = _settled_step(g2, w, bias, x, c, delta, f, s, xn, cn, clamped,
                                           noise_x[t], noise_c[t], act, bal, center, width,
                                           tol, max_iter)
            fire_total += fi
            credit_total += ci
            capped += cp
        else:
            prune_now = False
            thr = 0.0
            if pending and prune_k > 0:
                lo_b, hi_b = _band(pstate, prune_k)
                _update_band(indptr, idx, contig, w, mask, delta, x, lr, lo_b, hi_b, band,
                             counts)
                thr, n_lt = _select_threshold(w, prune_k, band, counts, pstate)
                pstate[0] = thr
                if n_lt < prune_k:
                    _zero_ties(w, mask, structural, thr, prune_k - n_lt)
                prune_now = True
            ok = _one_step(g2, contig, w, bias, mask, x, c, delta, f, s, xn, cn, clamped,
                           noise_x[t], noise_c[t], act, bal, center, width, lr, thr,
                           structural, pending, prune_now)
            fire_total += 1
            credit_total += 1
        pending = True
        flags[0] = 1
        if not ok:
            return t + 1, DIVERGED, fire_total, credit_total, capped
    return T, OK, fire_total, credit_total, capped
