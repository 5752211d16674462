"""numba kernels of a Louvain optimiser of directed modularity (:mod:`community.modmax`).

Plain arrays in and out. A graph is ``(ptr_out, nbr_out, w_out, ptr_in, nbr_in, w_in)``
in CSR form (out-neighbours with the weight of ``v -> u``, in-neighbours with the weight
of ``u -> v``), self-loops included in both. With ``k_v^out``/``k_v^in`` the strengths,
``m`` the total weight and ``K_C^out``/``K_C^in`` the strengths summed over community
``C``, inserting an isolated node ``v`` into ``C`` changes ``m Q`` by

    w(v -> C) + w(C -> v) - gamma (k_v^out K_C^in + k_v^in K_C^out) / m,

the directed (Leicht--Newman) modularity gain used by Dugue & Perez (2015).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["local_moving", "aggregate", "louvain"]


@njit(cache=True)
def local_moving(graph, k_out, k_in, comm, gamma, m, order):
    """Move single nodes to the neighbouring community of largest modularity gain until
    a pass over ``order`` moves nothing. ``comm`` is updated in place; returns the number
    of moves."""
    ptr_o, nbr_o, w_o, ptr_i, nbr_i, w_i = graph
    n = comm.size
    Kout = np.zeros(n)
    Kin = np.zeros(n)
    for v in range(n):
        Kout[comm[v]] += k_out[v]
        Kin[comm[v]] += k_in[v]
    link = np.zeros(n)          # w(v -> C) + w(C -> v) per community, reset after use
    touched = np.empty(n, dtype=np.int64)
    moves = 0
    for _ in range(1000):
        moved = 0
        for idx in range(n):
            v = order[idx]
            c0 = comm[v]
            nt = 0
            for k in range(ptr_o[v], ptr_o[v + 1]):
                u = nbr_o[k]
                if u == v:
                    continue
                c = comm[u]
                if link[c] == 0.0:
                    touched[nt] = c
                    nt += 1
                link[c] += w_o[k]
            for k in range(ptr_i[v], ptr_i[v + 1]):
                u = nbr_i[k]
                if u == v:
                    continue
                c = comm[u]
                if link[c] == 0.0:
                    touched[nt] = c
                    nt += 1
                link[c] += w_i[k]
            Kout[c0] -= k_out[v]
            Kin[c0] -= k_in[v]
            best_c = c0
            best = link[c0] - gamma * (k_out[v] * Kin[c0] + k_in[v] * Kout[c0]) / m
            for t in range(nt):
                c = touched[t]
                gain = link[c] - gamma * (k_out[v] * Kin[c] + k_in[v] * Kout[c]) / m
                if gain > best + 1e-12 * m:
                    best = gain
                    best_c = c
            for t in range(nt):
                link[touched[t]] = 0.0
            link[c0] = 0.0
            Kout[best_c] += k_out[v]
            Kin[best_c] += k_in[v]
            if best_c != c0:
                comm[v] = best_c
                moved += 1
        moves += moved
        if moved == 0:
            break
    return moves


@njit(cache=True)
def aggregate(graph, comm, n_comm):
    """The community graph: node ``c`` per community, the weight of ``c -> d`` summed
    over the edges from ``c`` to ``d`` (self-loops inside). Returns it in CSR form."""
    ptr_o, nbr_o, w_o, ptr_i, nbr_i, w_i = graph
    n = comm.size
    E = nbr_o.size
    key = np.empty(E, dtype=np.int64)
    val = np.empty(E)
    e = 0
    for v in range(n):
        for k in range(ptr_o[v], ptr_o[v + 1]):
            key[e] = comm[v] * n_comm + comm[nbr_o[k]]
            val[e] = w_o[k]
            e += 1
    order = np.argsort(key, kind="mergesort")
    ukey = np.empty(E, dtype=np.int64)
    uval = np.zeros(E)
    u = -1
    for idx in range(E):
        kk = key[order[idx]]
        if u < 0 or ukey[u] != kk:
            u += 1
            ukey[u] = kk
        uval[u] += val[order[idx]]
    U = u + 1
    src = ukey[:U] // n_comm
    dst = ukey[:U] % n_comm
    w = uval[:U]
    return _csr_both(src, dst, w, n_comm)


@njit(cache=True)
def _csr_both(src, dst, w, n):
    ptr_o = np.zeros(n + 1, dtype=np.int64)
    ptr_i = np.zeros(n + 1, dtype=np.int64)
    for k in range(src.size):
        ptr_o[src[k] + 1] += 1
        ptr_i[dst[k] + 1] += 1
    for v in range(n):
        ptr_o[v + 1] += ptr_o[v]
        ptr_i[v + 1] += ptr_i[v]
    fo = ptr_o[:-1].copy()
    fi = ptr_i[:-1].copy()
    nbr_o = np.empty(src.size, dtype=np.int64)
    w_o = np.empty(src.size)
    nbr_i = np.empty(src.size, dtype=np.int64)
    w_i = np.empty(src.size)
    for k in range(src.size):
        a, b = src[k], dst[k]
        nbr_o[fo[a]] = b
        w_o[fo[a]] = w[k]
        fo[a] += 1
        nbr_i[fi[b]] = a
        w_i[fi[b]] = w[k]
        fi[b] += 1
    return ptr_o, nbr_o, w_o, ptr_i, nbr_i, w_i


@njit(cache=True)
def _renumber(comm):
    n = comm.size
    new = np.full(n, -1, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    K = 0
    for v in range(n):
        c = comm[v]
        if new[c] < 0:
            new[c] = K
            K += 1
        out[v] = new[c]
    return out, K


@njit(cache=True)
def louvain(src, dst, w, n, gamma, seed):
    """Louvain on the directed graph ``src -> dst`` (weights ``w``): local moving, then
    aggregation, until a level moves nothing. Returns each node's community."""
    np.random.seed(seed)  # noqa: NPY002 (numba's own generator, seeded per call)
    graph = _csr_both(src, dst, w, n)
    m = 0.0
    for k in range(w.size):
        m += w[k]
    member = np.arange(n)
    nn = n
    for _ in range(100):
        ptr_o, nbr_o, w_o, ptr_i, nbr_i, w_i = graph
        k_out = np.zeros(nn)
        k_in = np.zeros(nn)
        for v in range(nn):
            for k in range(ptr_o[v], ptr_o[v + 1]):
                k_out[v] += w_o[k]
            for k in range(ptr_i[v], ptr_i[v + 1]):
                k_in[v] += w_i[k]
        comm = np.arange(nn)
        order = np.random.permutation(nn)  # noqa: NPY002
        moves = local_moving(graph, k_out, k_in, comm, gamma, m, order)
        comm, K = _renumber(comm)
        for v in range(n):
            member[v] = comm[member[v]]
        if moves == 0 or K == nn:
            break
        graph = aggregate(graph, comm, K)
        nn = K
    # a last pass of single-node moves on the original graph from the final partition
    # (nodes that the aggregation locked into a community they no longer fit)
    graph = _csr_both(src, dst, w, n)
    ptr_o, nbr_o, w_o, ptr_i, nbr_i, w_i = graph
    k_out = np.zeros(n)
    k_in = np.zeros(n)
    for v in range(n):
        for k in range(ptr_o[v], ptr_o[v + 1]):
            k_out[v] += w_o[k]
        for k in range(ptr_i[v], ptr_i[v + 1]):
            k_in[v] += w_i[k]
    local_moving(graph, k_out, k_in, member, gamma, m, np.random.permutation(n))  # noqa: NPY002
    member, K = _renumber(member)
    return member
