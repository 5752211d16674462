"""The paper's Algorithm 1 on in-CSR arrays (numba only).

Per iteration, literally (SCIENCE.md section 2):

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

from wiring.kernels.neurons import activate, balance

__all__ = ["run_algorithm1", "OK", "DIVERGED"]

OK, DIVERGED = 0, 2
HUGE = 1e150


@njit(cache=True, error_model="numpy")
def _update_rows(indptr, idx, w, alive, structural, delta, x, lr, lo, hi, band, counts):
    """w += lr * delta_i * x_j; count |w| < lo and collect lo <= |w| < hi into band."""
    n = indptr.size - 1
    below = 0
    nb = 0
    wmax = 0.0
    for i in range(n):
        g = lr * delta[i]
        for k in range(indptr[i], indptr[i + 1]):
            if structural and not alive[k]:
                below += 1  # dead synapses are zero: below any positive threshold
                continue
            wk = w[k] + g * x[idx[k]]
            w[k] = wk
            a = abs(wk)
            if not a <= wmax:
                wmax = a
            if a < lo:
                below += 1
            elif a < hi:
                band[nb] = a
                nb += 1
    counts[0] = below
    counts[1] = nb
    return wmax


@njit(cache=True, error_model="numpy")
def _threshold(w, k, band, counts, pstate):
    """k-th smallest |w| (0-based); band search around the previous value, else full."""
    below, nb = counts[0], counts[1]
    if below <= k < below + nb:
        sub = np.partition(band[:nb], k - below)
        pstate[1] = max(pstate[1] * 0.9, 1e-4)
        return sub[k - below]
    pstate[1] = min(pstate[1] * 2.0, 1.0)
    a = np.abs(w)
    return np.partition(a, k)[k]


@njit(cache=True, error_model="numpy")
def _prune(w, alive, structural, thr):
    for k in range(w.size):
        if abs(w[k]) < thr:
            w[k] = 0.0
            if structural:
                alive[k] = 0


@njit(cache=True, error_model="numpy")
def _apply_pending(indptr, idx, w, alive, structural, delta, x, lr, prune_k, band, counts,
                   pstate):
    thr_prev = pstate[0]
    alpha = pstate[1]
    if prune_k > 0 and thr_prev > 0.0:
        lo, hi = thr_prev * (1.0 - alpha), thr_prev * (1.0 + alpha)
    else:
        lo, hi = 0.0, 0.0
    wmax = _update_rows(indptr, idx, w, alive, structural, delta, x, lr, lo, hi, band, counts)
    if prune_k > 0:
        thr = _threshold(w, prune_k, band, counts, pstate)
        pstate[0] = thr
        _prune(w, alive, structural, thr)
    delta[:] = 0.0
    return wmax


@njit(cache=True, error_model="numpy")
def run_algorithm1(graph, params, alive, state, settings, clamped, noise_x, noise_c, pstate,
                   band, wmax_out):
    """Run ``len(noise_x)`` iterations of Algorithm 1 in place.

    graph : (indptr, idx) in-CSR
    params : (w, bias); w modified in place
    alive : uint8 per edge (structural mode: 0 = pruned for good)
    state : (x, c, delta, f) per neuron; delta = f * c of the last iteration
    settings : (act_code, bal_code, center, width, lr, prune_k, structural, settle, tol,
                max_iter, weight_limit)
    clamped : uint8 per neuron, credit-clamped (identity rows of J)
    noise_x, noise_c : (T, n) pre-drawn noise
    pstate : float64[2] = (previous threshold, band half-width); updated
    band : float64[E] scratch
    wmax_out : float64[T] max |w| after each iteration (output)

    Returns (iterations completed, status, firing iterations total, credit iterations
    total, iterations whose settle hit the cap).
    """
    indptr, idx = graph
    w, bias = params
    x, c, delta, f = state
    (act, bal, center, width, lr, prune_k, structural, settle, tol, max_iter,
     weight_limit) = settings
    n = indptr.size - 1
    T = noise_x.shape[0]
    s = np.zeros(n)
    xn = np.zeros(n)
    cn = np.zeros(n)
    counts = np.zeros(2, dtype=np.int64)
    pending = False
    fire_total = 0
    credit_total = 0
    capped = 0
    for t in range(T):
        if pending:
            wmax = _apply_pending(indptr, idx, w, alive, structural, delta, x, lr, prune_k,
                                  band, counts, pstate)
            wmax_out[t - 1] = wmax
            if not wmax <= weight_limit:
                return t, DIVERGED, fire_total, credit_total, capped
        # 1. firing: one step, or settled with this iteration's noise
        it = 0
        while True:
            res = 0.0
            for i in range(n):
                acc = bias[i]
                for k in range(indptr[i], indptr[i + 1]):
                    acc += w[k] * x[idx[k]]
                s[i] = acc
                v = activate(act, acc) + noise_x[t, i]
                r = abs(v - x[i])
                if not r <= res:
                    res = r
                xn[i] = v
            it += 1
            x[:] = xn
            if not settle or res <= tol or not res < HUGE:
                break
            if it >= max_iter:
                capped += 1
                break
        fire_total += it
        for i in range(n):
            f[i] = balance(bal, act, s[i], activate(act, s[i]), center, width)
        # 2. credit: c <- J c + eps (identity rows where clamped), one step or settled
        it = 0
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
                    v = c[j] + (noise_c[t, j] if it == 0 else 0.0)
                else:
                    v = cn[j] + noise_c[t, j]
                r = abs(v - c[j])
                if not r <= res:
                    res = r
                cn[j] = v
            it += 1
            c[:] = cn
            if not settle or res <= tol or not res < HUGE:
                break
            if it >= max_iter:
                capped += 1
                break
        credit_total += it
        for i in range(n):
            if not (abs(x[i]) < HUGE and abs(c[i]) < HUGE):
                return t + 1, DIVERGED, fire_total, credit_total, capped
            delta[i] = c[i] * f[i]
        pending = True
    if pending:
        wmax = _apply_pending(indptr, idx, w, alive, structural, delta, x, lr, prune_k, band,
                              counts, pstate)
        wmax_out[T - 1] = wmax
        if not wmax <= weight_limit:
            return T, DIVERGED, fire_total, credit_total, capped
    return T, OK, fire_total, credit_total, capped
