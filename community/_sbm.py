"""numba kernels of the directed stochastic block model (:mod:`community.blocks`).

Plain arrays in and out, no Python objects; the Python layer validates, seeds and
chooses. The model is the microcanonical directed SBM, degree-corrected or not, of
Peixoto (Phys. Rev. E 95, 012317, 2017), with optional real-valued edge covariates
(a conjugate exponential or log-normal model per block pair); the formulas are in
:mod:`community.blocks`. Blocks are numbered ``0 .. K-1``; ``e[r, s]`` counts the edges
*from* block ``r`` *to* block ``s`` (the transpose of the ``W[i, j]`` onto-from
convention, kept private to this module and :mod:`community.blocks`).

Degree models (``dc``): :data:`PLAIN` (not degree-corrected), :data:`UNIFORM` and
:data:`DISTRIBUTED` (degree-corrected, with the uniform or the distributed degree prior).
Covariate kinds (``kind``): :data:`NO_COVARIATE`, :data:`EXPONENTIAL` (``c1`` holds the
weight), :data:`LOGNORMAL` (``c1`` holds ``log w`` and ``c2`` its square). ``tab = (lf,
lq)``: :func:`lnfact_table` and :func:`logq_table`; ``deg = (out_id, in_id)``: each
node's out- and in-degree as an index into the distinct values (distributed prior).
``hyper = (beta, mu0, kappa0, a0, b0)``: the exponential's Gamma(1, beta) prior on the
rate, and the normal-gamma prior of the log-normal.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["PLAIN", "UNIFORM", "DISTRIBUTED", "NO_COVARIATE", "EXPONENTIAL", "LOGNORMAL",
           "block_stats", "description_length", "lnfact_table", "logq_table", "refine"]

PLAIN, UNIFORM, DISTRIBUTED = 0, 1, 2
NO_COVARIATE, EXPONENTIAL, LOGNORMAL = 0, 1, 2

_LOG_2PI = math.log(2.0 * math.pi)


@njit(cache=True)
def lnfact_table(size):
    """``ln k!`` for ``k = 0 .. size - 1``: the kernels look counts up instead of
    calling ``lgamma`` (counts are integers held in float64)."""
    out = np.empty(size)
    for k in range(size):
        out[k] = math.lgamma(k + 1.0)
    return out


@njit(cache=True)
def _lnfact(k, lf):
    i = int(k + 0.5)
    if i < lf.size:
        return lf[i]
    return math.lgamma(k + 1.0)


@njit(cache=True)
def _lnbinom(n, k, lf):
    return _lnfact(n, lf) - _lnfact(k, lf) - _lnfact(n - k, lf)


@njit(cache=True)
def logq_table(M, N):
    """``ln q(m, k)`` as ``lq[k, m]`` for ``k = 0 .. min(N, M)``, ``m = 0 .. M``: ``q(m, k)``
    the number of partitions of the integer ``m`` into at most ``k`` parts, from ``q(m, k)
    = q(m, k - 1) + q(m - k, k)``, ``q(0, k) = 1``, ``q(m, 0) = 0`` for ``m > 0`` (in log
    space). Stored by ``k`` first: a block's successive lookups share ``k`` (its size) and
    differ by a node's degree in ``m``, so they stay in cache."""
    Kc = min(N, M)
    lq = np.full((Kc + 1, M + 1), -np.inf)
    for k in range(Kc + 1):
        lq[k, 0] = 0.0
    for k in range(1, Kc + 1):
        for m in range(1, M + 1):
            a = lq[k - 1, m]
            b = lq[k, m - k] if m >= k else -np.inf
            if a == -np.inf:
                lq[k, m] = b
            elif b == -np.inf:
                lq[k, m] = a
            elif a > b:
                lq[k, m] = a + math.log1p(math.exp(b - a))
            else:
                lq[k, m] = b + math.log1p(math.exp(a - b))
    return lq


@njit(cache=True)
def _logq(m, k, lq):
    im = int(m + 0.5)
    ik = int(k + 0.5)
    if im <= 0 or ik < 1:
        return 0.0
    if ik > im:
        ik = im
    if ik >= lq.shape[0]:
        ik = lq.shape[0] - 1
    return lq[ik, im]


@njit(cache=True)
def _pair_term(m, x1, x2, kind, hyper, lf):
    """Description length of one block pair's edge count (its ``-ln m!`` share of the
    likelihood) plus its covariates' ``-ln`` marginal likelihood."""
    t = -_lnfact(m, lf)
    if kind == 1 and m > 0:
        beta = hyper[0]
        # Gamma(1, beta) prior on the rate: ln p = ln beta + lnGamma(m + 1) - (m + 1) ln(X + beta)
        t += -(math.log(beta) + _lnfact(m, lf) - (m + 1.0) * math.log(x1 + beta))
    elif kind == 2 and m > 0:
        mu0, k0, a0, b0 = hyper[1], hyper[2], hyper[3], hyper[4]
        mean = x1 / m
        ss = x2 - x1 * mean
        if ss < 0.0:
            ss = 0.0
        kn = k0 + m
        an = a0 + 0.5 * m
        bn = b0 + 0.5 * ss + k0 * m * (mean - mu0) ** 2 / (2.0 * kn)
        lnp = (math.lgamma(an) - math.lgamma(a0) + a0 * math.log(b0) - an * math.log(bn)
               + 0.5 * math.log(k0 / kn) - 0.5 * m * _LOG_2PI)
        t += -lnp
    return t


@njit(cache=True)
def _block_term(eo, ei, nr, dc, tab):
    """A block's terms: the likelihood's normalisers, the degree prior (degree-corrected;
    without the histogram part of the distributed prior) or the ``n_r^e`` placement
    factor (not), and ``-ln n_r!`` of the partition prior."""
    lf, lq = tab
    if nr == 0:
        return 0.0
    if dc == 1:
        return (_lnfact(eo, lf) + _lnfact(ei, lf) + _lnbinom(nr + eo - 1.0, eo, lf)
                + _lnbinom(nr + ei - 1.0, ei, lf) - _lnfact(nr, lf))
    if dc == 2:
        return (_lnfact(eo, lf) + _lnfact(ei, lf) + _logq(eo, nr, lq) + _logq(ei, nr, lq)
                + _lnfact(nr, lf))
    return (eo + ei) * math.log(nr) - _lnfact(nr, lf)


@njit(cache=True)
def block_stats(src, dst, mult, c1, c2, b, K):
    """Block-pair sums of an edge list under membership ``b``.

    Returns ``(e, x1, x2, eout, ein, nr)``: ``e[r, s]`` the edge count (sum of
    multiplicities) from block ``r`` to ``s``, ``x1``/``x2`` the sums of the covariate
    columns, ``eout``/``ein`` the blocks' out- and in-totals, ``nr`` their sizes.
    """
    e = np.zeros((K, K))
    x1 = np.zeros((K, K))
    x2 = np.zeros((K, K))
    for k in range(src.size):
        r = b[src[k]]
        s = b[dst[k]]
        e[r, s] += mult[k]
        x1[r, s] += c1[k]
        x2[r, s] += c2[k]
    eout = np.zeros(K)
    ein = np.zeros(K)
    for r in range(K):
        for s in range(K):
            eout[r] += e[r, s]
            ein[s] += e[r, s]
    nr = np.zeros(K)
    for i in range(b.size):
        nr[b[i]] += 1.0
    return e, x1, x2, eout, ein, nr


@njit(cache=True)
def description_length(e, x1, x2, eout, ein, nr, n_nodes, n_edges, dc, kind, hyper,
                       constant, tab, b, deg):
    """Total description length (nats) of a partition's block statistics.

    ``constant`` holds the partition-independent part (``sum ln A_ij!`` minus, when
    degree-corrected, ``sum_i ln k_i^+! + ln k_i^-!``).
    """
    lf = tab[0]
    K = nr.size
    B = 0
    total = constant
    for r in range(K):
        if nr[r] > 0:
            B += 1
        total += _block_term(eout[r], ein[r], nr[r], dc, tab)
        for s in range(K):
            total += _pair_term(e[r, s], x1[r, s], x2[r, s], kind, hyper, lf)
    if dc == 2:
        h_out, h_in = _histograms(b, K, deg)
        for r in range(K):
            for u in range(h_out.shape[1]):
                total -= _lnfact(h_out[r, u], lf)
            for u in range(h_in.shape[1]):
                total -= _lnfact(h_in[r, u], lf)
    # prior of the block matrix: uniform over the multisets of n_edges edges in B^2 pairs
    total += _lnbinom(B * B + n_edges - 1.0, n_edges, lf)
    # prior of the partition: sizes uniform given B, B uniform in 1..N
    total += _lnfact(n_nodes, lf) + _lnbinom(n_nodes - 1.0, B - 1.0, lf) + math.log(n_nodes)
    return total


@njit(cache=True)
def _histograms(b, K, deg):
    """Per block, how many nodes have each distinct out-degree and in-degree."""
    out_id, in_id = deg
    h_out = np.zeros((K, out_id.max() + 1 if out_id.size else 1))
    h_in = np.zeros((K, in_id.max() + 1 if in_id.size else 1))
    for v in range(b.size):
        h_out[b[v], out_id[v]] += 1.0
        h_in[b[v], in_id[v]] += 1.0
    return h_out, h_in


@njit(cache=True)
def _node_sums(v, b, K, out_ptr, out_nbr, out_m, out_c1, out_c2, in_ptr, in_nbr, in_m,
               in_c1, in_c2, om, o1, o2, im, i1, i2, sl):
    """Edge sums of node ``v`` to (``o*``) and from (``i*``) each block, self-loops
    apart in ``sl`` = (multiplicity, c1, c2)."""
    for t in range(K):
        om[t] = 0.0
        o1[t] = 0.0
        o2[t] = 0.0
        im[t] = 0.0
        i1[t] = 0.0
        i2[t] = 0.0
    sl[0] = 0.0
    sl[1] = 0.0
    sl[2] = 0.0
    for k in range(out_ptr[v], out_ptr[v + 1]):
        u = out_nbr[k]
        if u == v:
            sl[0] += out_m[k]
            sl[1] += out_c1[k]
            sl[2] += out_c2[k]
        else:
            t = b[u]
            om[t] += out_m[k]
            o1[t] += out_c1[k]
            o2[t] += out_c2[k]
    for k in range(in_ptr[v], in_ptr[v + 1]):
        u = in_nbr[k]
        if u != v:
            t = b[u]
            im[t] += in_m[k]
            i1[t] += in_c1[k]
            i2[t] += in_c2[k]


@njit(cache=True)
def _entry_delta(a, c, r, s, om, im, w):
    """Change of block pair ``(a, c)`` when the node moves from ``r`` to ``s``, for one
    of the summed columns (``om``/``im`` that column's sums, ``w`` its self-loop)."""
    d = 0.0
    if a == s:
        d += om[c]
    if a == r:
        d -= om[c]
    if c == s:
        d += im[a]
    if c == r:
        d -= im[a]
    if a == s and c == s:
        d += w
    if a == r and c == r:
        d -= w
    return d


@njit(cache=True)
def _removal(r, K, e, x1, x2, T, om, o1, o2, im, i1, i2, sl, kind, hyper, lf, rem_row,
             rem_col):
    """The part of a move out of block ``r`` that does not depend on the target: the
    change of each entry ``(r, c)`` and ``(a, r)`` when the node's edges leave them
    (``rem_row[c]``, ``rem_col[a]``; ``rem_row[r]`` holds the diagonal entry). Returns
    the sum over all of them."""
    total = 0.0
    for c in range(K):
        if c == r:
            dm, d1, d2 = -om[r] - im[r] - sl[0], -o1[r] - i1[r] - sl[1], -o2[r] - i2[r] - sl[2]
        else:
            dm, d1, d2 = -om[c], -o1[c], -o2[c]
        if dm == 0.0 and d1 == 0.0 and d2 == 0.0:
            rem_row[c] = 0.0
        else:
            rem_row[c] = _pair_term(e[r, c] + dm, x1[r, c] + d1, x2[r, c] + d2, kind, hyper,
                                    lf) - T[r, c]
        total += rem_row[c]
    for a in range(K):
        if a == r:
            rem_col[a] = 0.0
            continue
        if im[a] == 0.0 and i1[a] == 0.0 and i2[a] == 0.0:
            rem_col[a] = 0.0
        else:
            rem_col[a] = _pair_term(e[a, r] - im[a], x1[a, r] - i1[a], x2[a, r] - i2[a], kind,
                                    hyper, lf) - T[a, r]
        total += rem_col[a]
    return total


@njit(cache=True)
def _move_delta(r, s, K, e, x1, x2, T, BT, eout, ein, nr, om, o1, o2, im, i1, i2, sl, kout,
                kin, dc, kind, hyper, tab, removed, rem_row, rem_col, r_after):
    """Change of the description length when the node moves from block ``r`` to ``s``
    (without the distributed prior's histogram part), from :func:`_removal`'s parts;
    ``BT`` holds each block's current :func:`_block_term`, ``r_after`` block ``r``'s
    without the node."""
    lf = tab[0]
    # entries (r, s) and (s, r) take edges both out and in: replace their removal part
    d = removed - rem_row[s] - rem_col[s]
    d += _pair_term(e[r, s] - om[s] + im[r], x1[r, s] - o1[s] + i1[r],
                    x2[r, s] - o2[s] + i2[r], kind, hyper, lf) - T[r, s]
    d += _pair_term(e[s, r] + om[r] - im[s], x1[s, r] + o1[r] - i1[s],
                    x2[s, r] + o2[r] - i2[s], kind, hyper, lf) - T[s, r]
    d += _pair_term(e[s, s] + om[s] + im[s] + sl[0], x1[s, s] + o1[s] + i1[s] + sl[1],
                    x2[s, s] + o2[s] + i2[s] + sl[2], kind, hyper, lf) - T[s, s]
    for c in range(K):          # row s and column s, away from r and s
        if c == r or c == s:
            continue
        if om[c] != 0.0 or o1[c] != 0.0 or o2[c] != 0.0:
            d += _pair_term(e[s, c] + om[c], x1[s, c] + o1[c], x2[s, c] + o2[c], kind,
                            hyper, lf) - T[s, c]
        if im[c] != 0.0 or i1[c] != 0.0 or i2[c] != 0.0:
            d += _pair_term(e[c, s] + im[c], x1[c, s] + i1[c], x2[c, s] + i2[c], kind,
                            hyper, lf) - T[c, s]
    d += r_after - BT[r]
    d += _block_term(eout[s] + kout, ein[s] + kin, nr[s] + 1.0, dc, tab) - BT[s]
    return d


@njit(cache=True)
def _apply_move(r, s, K, e, x1, x2, T, eout, ein, nr, om, o1, o2, im, i1, i2, sl, kout, kin,
                kind, hyper, lf):
    for pass_ in range(2):
        for j in range(K):
            for q in range(2):
                if pass_ == 0:
                    a = r if q == 0 else s
                    c = j
                else:
                    c = r if q == 0 else s
                    a = j
                    if a == r or a == s:
                        continue
                dm = _entry_delta(a, c, r, s, om, im, sl[0])
                d1 = _entry_delta(a, c, r, s, o1, i1, sl[1])
                d2 = _entry_delta(a, c, r, s, o2, i2, sl[2])
                if dm == 0.0 and d1 == 0.0 and d2 == 0.0:
                    continue
                e[a, c] += dm
                x1[a, c] += d1
                x2[a, c] += d2
                T[a, c] = _pair_term(e[a, c], x1[a, c], x2[a, c], kind, hyper, lf)
    eout[r] -= kout
    ein[r] -= kin
    nr[r] -= 1.0
    eout[s] += kout
    ein[s] += kin
    nr[s] += 1.0


@njit(cache=True)
def refine(adj_out, adj_in, b, K, dc, kind, hyper, orders, tab, deg):
    """Greedy single-node moves that lower the description length, at fixed ``K``.

    Visits the nodes in the order of each row of ``orders`` (one sweep a row; stops
    early after a sweep without a move); moves each node to the block that lowers the
    description length most, never emptying a block. ``b`` is updated in place.

    Parameters
    ----------
    adj_out, adj_in : tuple of arrays
        ``(ptr, nbr, mult, c1, c2)`` in CSR form: out-neighbours (targets) and
        in-neighbours (sources) of every node with the edge's multiplicity and
        covariates.
    b : int64 array (n,)
        Membership in ``0 .. K-1``, every block non-empty.
    orders : int64 array (sweeps, n)
    tab : tuple
        ``(lf, lq)``: :func:`lnfact_table` (at least ``n + E + 1`` entries to avoid
        ``lgamma``) and :func:`logq_table` (distributed prior).
    deg : tuple of int64 arrays
        ``(out_id, in_id)``: each node's degrees as indices of their distinct values.

    Returns
    -------
    int
        Number of moves made.
    """
    out_ptr, out_nbr, out_m, out_c1, out_c2 = adj_out
    in_ptr, in_nbr, in_m, in_c1, in_c2 = adj_in
    lf = tab[0]
    out_id, in_id = deg
    n = b.size
    # edge list in the out-CSR order gives the block sums
    src = np.empty(out_nbr.size, dtype=np.int64)
    for v in range(n):
        for k in range(out_ptr[v], out_ptr[v + 1]):
            src[k] = v
    e, x1, x2, eout, ein, nr = block_stats(src, out_nbr, out_m, out_c1, out_c2, b, K)
    T = np.empty((K, K))
    for a in range(K):
        for c in range(K):
            T[a, c] = _pair_term(e[a, c], x1[a, c], x2[a, c], kind, hyper, lf)
    om = np.empty(K)
    o1 = np.empty(K)
    o2 = np.empty(K)
    im = np.empty(K)
    i1 = np.empty(K)
    i2 = np.empty(K)
    sl = np.empty(3)
    rem_row = np.empty(K)
    rem_col = np.empty(K)
    BT = np.empty(K)
    for a in range(K):
        BT[a] = _block_term(eout[a], ein[a], nr[a], dc, tab)
    h_out, h_in = _histograms(b, K, deg)
    moves = 0
    for sweep in range(orders.shape[0]):
        moved = 0
        for idx in range(n):
            v = orders[sweep, idx]
            r = b[v]
            if nr[r] <= 1.0:
                continue
            _node_sums(v, b, K, out_ptr, out_nbr, out_m, out_c1, out_c2, in_ptr, in_nbr,
                       in_m, in_c1, in_c2, om, o1, o2, im, i1, i2, sl)
            kout = sl[0]
            kin = sl[0]
            for t in range(K):
                kout += om[t]
                kin += im[t]
            best = -1e-9
            best_s = -1
            removed = _removal(r, K, e, x1, x2, T, om, o1, o2, im, i1, i2, sl, kind, hyper,
                               lf, rem_row, rem_col)
            r_after = _block_term(eout[r] - kout, ein[r] - kin, nr[r] - 1.0, dc, tab)
            for s in range(K):
                if s == r:
                    continue
                d = _move_delta(r, s, K, e, x1, x2, T, BT, eout, ein, nr, om, o1, o2, im,
                                i1, i2, sl, kout, kin, dc, kind, hyper, tab, removed, rem_row,
                                rem_col, r_after)
                if dc == 2:  # the degree histograms: -ln eta! of both blocks change
                    d += (math.log(h_out[r, out_id[v]]) - math.log(h_out[s, out_id[v]] + 1.0)
                          + math.log(h_in[r, in_id[v]]) - math.log(h_in[s, in_id[v]] + 1.0))
                if d < best:
                    best = d
                    best_s = s
            if best_s >= 0:
                _apply_move(r, best_s, K, e, x1, x2, T, eout, ein, nr, om, o1, o2, im, i1,
                            i2, sl, kout, kin, kind, hyper, lf)
                b[v] = best_s
                BT[r] = _block_term(eout[r], ein[r], nr[r], dc, tab)
                BT[best_s] = _block_term(eout[best_s], ein[best_s], nr[best_s], dc, tab)
                h_out[r, out_id[v]] -= 1.0
                h_out[best_s, out_id[v]] += 1.0
                h_in[r, in_id[v]] -= 1.0
                h_in[best_s, in_id[v]] += 1.0
                moved += 1
        moves += moved
        if moved == 0:
            break
    return moves
