"""Anderson-accelerated firing and credit fixed points (numba only).

Plain settling iterates ``x <- g(x)`` (one Jacobi sweep, :mod:`wiring.kernels.settle`).
Anderson acceleration (type II, history ``m``) replaces each step by the
combination of the last ``m + 1`` sweeps whose residuals ``f = g(x) - x`` cancel
best in least squares::

    gamma = argmin || f_k - dF gamma ||,   x_{k+1} = g(x_k) - dG gamma

with ``dF``, ``dG`` the differences of successive residuals and sweeps. It stops
on the same criterion as plain iteration (the largest change of one sweep,
``max |g(x) - x| <= tol``) and returns ``g(x)``, so its fixed points are those of
the plain iteration. The small ``m x m`` normal equations get a relative
ridge; a step that is not finite, or a residual that grew tenfold, restarts the
history from the plain step (a safeguard for the non-linear firing map).
"""

import numpy as np
from numba import njit

from wiring.kernels.settle import (
    CAPPED,
    CONVERGED,
    _credit_sweep,
    _firing_sweep,
    _state_status,
    _verdict,
    input_drive,
)

__all__ = ["firing_anderson", "credit_anderson", "HISTORY"]

#: History length (past sweeps combined per step).
HISTORY = 5
_RIDGE = 1e-10


@njit(cache=True, error_model="numpy")
def _solve(M, r, k, gamma):
    """Solve M[:k, :k] gamma = r[:k] by Gaussian elimination with partial pivoting.

    Returns False if the system is singular. M and r are overwritten.
    """
    for col in range(k):
        piv = col
        for row in range(col + 1, k):
            if abs(M[row, col]) > abs(M[piv, col]):
                piv = row
        if not abs(M[piv, col]) > 0.0:
            return False
        if piv != col:
            for j in range(k):
                M[col, j], M[piv, j] = M[piv, j], M[col, j]
            r[col], r[piv] = r[piv], r[col]
        for row in range(col + 1, k):
            fac = M[row, col] / M[col, col]
            for j in range(col, k):
                M[row, j] -= fac * M[col, j]
            r[row] -= fac * r[col]
    for col in range(k - 1, -1, -1):
        acc = r[col]
        for j in range(col + 1, k):
            acc -= M[col, j] * gamma[j]
        gamma[col] = acc / M[col, col]
    return True


@njit(cache=True, error_model="numpy")
def _mix(x, g, f, f_prev, g_prev, dF, dG, stored, M, r, gamma):
    """Record the newest differences, then write the Anderson step into ``x``.

    ``stored`` counts the differences recorded since the last restart (-1: no
    previous sweep yet); the newest goes to row ``stored % m``, so rows
    ``0 .. min(stored, m) - 1`` are always the valid ones. Returns the new count
    (-1 after a failed solve: restart).
    """
    n = x.size
    m = dF.shape[0]
    if stored >= 0:  # a previous sweep exists: record the differences
        slot = stored % m
        for i in range(n):
            dF[slot, i] = f[i] - f_prev[i]
            dG[slot, i] = g[i] - g_prev[i]
        stored += 1
    else:
        stored = 0
    count = min(stored, m)
    for i in range(n):
        f_prev[i] = f[i]
        g_prev[i] = g[i]
    if count == 0:
        for i in range(n):
            x[i] = g[i]
        return stored
    scale = 0.0
    for a in range(count):
        for b in range(a, count):
            acc = 0.0
            for i in range(n):
                acc += dF[a, i] * dF[b, i]
            M[a, b] = acc
            M[b, a] = acc
        scale = max(scale, M[a, a])
        acc = 0.0
        for i in range(n):
            acc += dF[a, i] * f[i]
        r[a] = acc
    for a in range(count):
        M[a, a] += _RIDGE * scale + 1e-300
    if not _solve(M, r, count, gamma):
        for i in range(n):
            x[i] = g[i]
        return -1
    for i in range(n):
        acc = g[i]
        for a in range(count):
            acc -= gamma[a] * dG[a, i]
        x[i] = acc
    return stored


@njit(cache=True, error_model="numpy")
def firing_anderson(in_csr, w, bias, act, clamp, x, s, tol, max_iter):
    """Firing equilibrium by Anderson-accelerated Jacobi sweeps.

    Same contract as :func:`wiring.kernels.settle.firing_settle`: ``x`` holds the
    start (clamped entries set) and receives the result, ``s`` the net inputs.
    Returns (sweeps, residual, status).
    """
    indptr, idx = in_csr[0], in_csr[1]
    n = x.size
    m = HISTORY
    g = np.empty(n)
    f = np.empty(n)
    f_prev = np.empty(n)
    g_prev = np.empty(n)
    dF = np.zeros((m, n))
    dG = np.zeros((m, n))
    M = np.zeros((m, m))
    r = np.zeros(m)
    gamma = np.zeros(m)
    stored = -1
    best = np.inf
    res = np.inf
    status = CAPPED
    it = 0
    while it < max_iter:
        res = _firing_sweep(indptr, idx, w, bias, act, clamp, x, g, s)
        it += 1
        status = _verdict(res, tol)
        if status != CAPPED:
            for i in range(n):
                x[i] = g[i]
            break
        for i in range(n):
            f[i] = g[i] - x[i]
        if res > 10.0 * best:  # the mixture went astray: restart from the plain step
            stored = -1
        best = min(best, res)
        stored = _mix(x, g, f, f_prev, g_prev, dF, dG, stored, M, r, gamma)
        for i in range(n):
            if clamp[i]:
                x[i] = g[i]
    if status == CAPPED:
        for i in range(n):
            x[i] = g[i]
    if status == CONVERGED:
        status = _state_status(x)
    input_drive(indptr, idx, w, bias, clamp, x, s)
    return it, res, status


@njit(cache=True, error_model="numpy")
def credit_anderson(out_csr, fb, fbal, e, fixed, c, d, tol, max_iter):
    """Credit ``c = e + Fb (f * c)`` by Anderson-accelerated Jacobi sweeps.

    Same contract as :func:`wiring.kernels.settle.credit_settle` (``d`` receives
    ``f * c``). The credit map is linear, where Anderson's step is a Krylov-like
    solve. Returns (sweeps, residual, status).
    """
    indptr, idx = out_csr[0], out_csr[1]
    n = c.size
    m = HISTORY
    g = np.empty(n)
    f = np.empty(n)
    f_prev = np.empty(n)
    g_prev = np.empty(n)
    dF = np.zeros((m, n))
    dG = np.zeros((m, n))
    M = np.zeros((m, m))
    r = np.zeros(m)
    gamma = np.zeros(m)
    stored = -1
    best = np.inf
    res = np.inf
    status = CAPPED
    it = 0
    while it < max_iter:
        res = _credit_sweep(indptr, idx, fb, fbal, e, fixed, c, g, d)
        it += 1
        status = _verdict(res, tol)
        if status != CAPPED:
            break
        for i in range(n):
            f[i] = g[i] - c[i]
        if res > 10.0 * best:
            stored = -1
        best = min(best, res)
        stored = _mix(c, g, f, f_prev, g_prev, dF, dG, stored, M, r, gamma)
    for i in range(n):
        c[i] = g[i]
    if status == CONVERGED:
        status = _state_status(c)
    for i in range(n):
        d[i] = fbal[i] * c[i]
    return it, res, status
