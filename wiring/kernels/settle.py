"""Firing and credit fixed points on CSR arrays (numba only).

Status codes returned by the settle functions: 0 converged, 1 iteration cap
reached with a finite state, 2 diverged (a non-finite or huge state).

Graph arrays travel as tuples: ``in_csr = (indptr, src, ...)`` rows are
postsynaptic neurons; ``out_csr`` rows are presynaptic neurons.
"""

import numpy as np
from numba import njit

from wiring.kernels.neurons import TANH, activate, balance, tanh_array

__all__ = ["CONVERGED", "CAPPED", "DIVERGED", "firing_settle", "firing_dag",
           "input_drive", "balance_values", "balance_rows", "credit_settle", "credit_dag",
           "dfa_credit"]

CONVERGED, CAPPED, DIVERGED = 0, 1, 2
HUGE = 1e150


@njit(cache=True, error_model="numpy", inline="always")
def _row_dot(lo, hi, w, idx, v, start):
    """start + sum_{k in [lo, hi)} w[k] * v[idx[k]]: four accumulators, so the gather
    loop is not one long dependency chain (faster than letting LLVM vectorise it)."""
    a0 = start
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    k = lo
    while k + 4 <= hi:
        a0 += w[k] * v[idx[k]]
        a1 += w[k + 1] * v[idx[k + 1]]
        a2 += w[k + 2] * v[idx[k + 2]]
        a3 += w[k + 3] * v[idx[k + 3]]
        k += 4
    while k < hi:
        a0 += w[k] * v[idx[k]]
        k += 1
    return (a0 + a1) + (a2 + a3)


@njit(cache=True, error_model="numpy")
def _firing_sweep(indptr, idx, w, bias, act, clamp, x_old, x_new, s):
    """One Jacobi sweep: s = W x_old + b (free rows), then x_new = sigma(s) (vectorised
    tanh for all, other activations per neuron). Returns max |x_new - x_old|."""
    n = indptr.size - 1
    for i in range(n):
        if clamp[i]:
            continue
        s[i] = _row_dot(indptr[i], indptr[i + 1], w, idx, x_old, bias[i])
    tanh_array(s, x_new)
    res = 0.0
    for i in range(n):
        if clamp[i]:
            x_new[i] = x_old[i]
            continue
        if act[i] != TANH:
            x_new[i] = activate(act[i], s[i])
        d = abs(x_new[i] - x_old[i])
        if not d <= res:  # also catches NaN
            res = d
    return res


@njit(cache=True, error_model="numpy")
def _firing_sweep_gs(indptr, idx, w, bias, act, clamp, x, s):
    """One Gauss-Seidel sweep in neuron order, x updated in place. Returns max |change|."""
    n = indptr.size - 1
    res = 0.0
    for i in range(n):
        if clamp[i]:
            continue
        si = _row_dot(indptr[i], indptr[i + 1], w, idx, x, bias[i])
        s[i] = si
        xi = activate(act[i], si)
        d = abs(xi - x[i])
        if not d <= res:
            res = d
        x[i] = xi
    return res


@njit(cache=True, error_model="numpy", inline="always")
def _verdict(res, tol):
    """Status after a sweep with residual ``res``: DIVERGED (non-finite or huge),
    CONVERGED (``res <= tol``) or CAPPED (keep iterating; final if the cap is hit)."""
    if not res < HUGE:
        return DIVERGED
    if res <= tol:
        return CONVERGED
    return CAPPED


@njit(cache=True, error_model="numpy")
def _state_status(x):
    for v in x:
        if not abs(v) < HUGE:
            return DIVERGED
    return CONVERGED


@njit(cache=True, error_model="numpy")
def input_drive(indptr, idx, w, bias, clamp, x, s):
    """Net input s_i = sum_j w_ij x_j + b_i of the clamped neurons (inputs) at rates x."""
    n = indptr.size - 1
    for i in range(n):
        if clamp[i]:
            acc = bias[i]
            for k in range(indptr[i], indptr[i + 1]):
                acc += w[k] * x[idx[k]]
            s[i] = acc


@njit(cache=True, error_model="numpy")
def firing_settle(in_csr, w, bias, act, clamp, x, buf, s, tol, max_iter, gauss_seidel):
    """Iterate x <- sigma(W x + b) on free neurons, clamped neurons fixed.

    Jacobi (all neurons from the previous sweep) or, with ``gauss_seidel``, in
    place in neuron order (same fixed points, usually fewer sweeps).
    ``x`` holds the start state (clamped entries set) and receives the result;
    ``buf`` is scratch of the same size; ``s`` receives the net inputs, consistent
    with ``x`` (x = sigma(s)) on free neurons. Returns (iterations, residual, status).
    """
    indptr, idx = in_csr[0], in_csr[1]
    a = x
    b = buf
    res = np.inf
    it = 0
    status = CAPPED
    while it < max_iter:
        if gauss_seidel:
            res = _firing_sweep_gs(indptr, idx, w, bias, act, clamp, a, s)
        else:
            res = _firing_sweep(indptr, idx, w, bias, act, clamp, a, b, s)
            a, b = b, a
        it += 1
        status = _verdict(res, tol)
        if status != CAPPED:
            break
    if not gauss_seidel and it % 2 == 1:
        x[:] = buf
    if status == CONVERGED:
        status = _state_status(x)
    input_drive(indptr, idx, w, bias, clamp, x, s)
    return it, res, status


@njit(cache=True, error_model="numpy")
def firing_dag(in_csr, topo, w, bias, act, clamp, x, s):
    """Exact firing equilibrium of an acyclic graph: one sweep in topological order."""
    indptr, idx = in_csr[0], in_csr[1]
    for i in topo:
        acc = bias[i]
        for k in range(indptr[i], indptr[i + 1]):
            acc += w[k] * x[idx[k]]
        s[i] = acc
        if not clamp[i]:
            x[i] = activate(act[i], acc)
    return 1, 0.0, _state_status(x)


@njit(cache=True, error_model="numpy")
def balance_values(act, s, x, clamp, bal_code, center, width, zero_mask, out):
    """out_i = f(s_i), or 0 where zero_mask_i (clamped inputs in the exact variant).

    A clamped neuron's rate is not sigma(s), so its f is evaluated at sigma(s_i).
    """
    for i in range(s.size):
        if zero_mask[i]:
            out[i] = 0.0
        else:
            xi = activate(act[i], s[i]) if clamp[i] else x[i]
            out[i] = balance(bal_code, act[i], s[i], xi, center, width)


@njit(cache=True, error_model="numpy")
def balance_rows(act, S, X, clamp, bal_code, center, width, zero_mask, out):
    """:func:`balance_values` for every row of ``S`` and ``X`` (samples x neurons)."""
    for b in range(S.shape[0]):
        balance_values(act, S[b], X[b], clamp, bal_code, center, width, zero_mask, out[b])


@njit(cache=True, error_model="numpy")
def _credit_sweep(indptr, idx, fb, fbal, e, fixed, c_old, c_new, d):
    n = indptr.size - 1
    for i in range(n):
        d[i] = fbal[i] * c_old[i]
    res = 0.0
    for j in range(n):
        if fixed[j]:
            c_new[j] = e[j]
            r = abs(e[j] - c_old[j])
            if not r <= res:
                res = r
            continue
        cj = _row_dot(indptr[j], indptr[j + 1], fb, idx, d, e[j])
        r = abs(cj - c_old[j])
        if not r <= res:
            res = r
        c_new[j] = cj
    return res


@njit(cache=True, error_model="numpy")
def _credit_sweep_gs(indptr, idx, fb, fbal, e, fixed, c, d):
    """One Gauss-Seidel sweep in reverse neuron order; c and d = f * c in place."""
    n = indptr.size - 1
    res = 0.0
    for j in range(n - 1, -1, -1):
        if fixed[j]:
            cj = e[j]
        else:
            cj = _row_dot(indptr[j], indptr[j + 1], fb, idx, d, e[j])
        r = abs(cj - c[j])
        if not r <= res:
            res = r
        c[j] = cj
        d[j] = fbal[j] * cj
    return res


@njit(cache=True, error_model="numpy")
def credit_settle(out_csr, fb, fbal, e, fixed, c, buf, d, tol, max_iter, gauss_seidel):
    """Iterate c_j <- e_j + sum_i fb_ij f_i c_i (c_j = e_j where fixed).

    Jacobi, or Gauss-Seidel in reverse neuron order with ``gauss_seidel``.

    ``fb`` holds the feedback weight of each edge in out-CSR order (W itself for
    the balance rules). ``c`` holds the start and receives the result; ``d``
    receives the effective credit f * c. Returns (iterations, residual, status).
    """
    indptr, idx = out_csr[0], out_csr[1]
    a = c
    b = buf
    res = np.inf
    it = 0
    status = CAPPED
    if gauss_seidel:
        for i in range(c.size):
            d[i] = fbal[i] * c[i]
    while it < max_iter:
        if gauss_seidel:
            res = _credit_sweep_gs(indptr, idx, fb, fbal, e, fixed, a, d)
        else:
            res = _credit_sweep(indptr, idx, fb, fbal, e, fixed, a, b, d)
            a, b = b, a
        it += 1
        status = _verdict(res, tol)
        if status != CAPPED:
            break
    if not gauss_seidel and it % 2 == 1:
        c[:] = buf
    if status == CONVERGED:
        status = _state_status(c)
    for i in range(c.size):
        d[i] = fbal[i] * c[i]
    return it, res, status


@njit(cache=True, error_model="numpy")
def credit_dag(out_csr, topo, fb, fbal, e, fixed, c, d):
    """Exact credit of an acyclic graph: one sweep in reverse topological order."""
    indptr, idx = out_csr[0], out_csr[1]
    for t in range(topo.size - 1, -1, -1):
        j = topo[t]
        if fixed[j]:
            c[j] = e[j]
        else:
            acc = e[j]
            for k in range(indptr[j], indptr[j + 1]):
                acc += fb[k] * d[idx[k]]
            c[j] = acc
        d[j] = fbal[j] * c[j]
    return 1, 0.0, _state_status(c)


@njit(cache=True, error_model="numpy")
def dfa_credit(B, outputs, e, fbal, c, d):
    """Direct feedback alignment: c = e on outputs, c_i = sum_o B[i, o] e_o elsewhere."""
    n = c.size
    for i in range(n):
        acc = 0.0
        for o in range(outputs.size):
            acc += B[i, o] * e[outputs[o]]
        c[i] = acc
    for o in range(outputs.size):
        c[outputs[o]] = e[outputs[o]]
    for i in range(n):
        d[i] = fbal[i] * c[i]
    return 1, 0.0, _state_status(c)
