"""Block models: groups of neurons by their connection *pattern*, whatever it is.

Modularity (Leiden, Louvain) rewards edges inside groups, so it sees assortative
modules only. A stochastic block model (SBM) groups neurons that connect alike:
modules, but also senders that project onto receivers, feed-forward chains,
core and periphery. :func:`fit_blocks` fits a directed SBM and chooses the
number of blocks by minimum description length.

The model
---------
The microcanonical directed SBM of Peixoto (2017). For a directed multigraph with
``N`` nodes and ``E`` edges (``A_ij`` edges from ``i`` to ``j``), a partition ``b``
into ``B`` non-empty blocks, ``e_rs`` edges from block ``r`` to block ``s``,
block totals ``e_r^+ = sum_s e_rs`` and ``e_s^- = sum_r e_rs``, block sizes ``n_r``
and node degrees ``k_i^+``, ``k_i^-``, the description length (in nats) is
``S = S_graph + S_degrees + S_blocks + S_partition [+ S_weights]``:

- degree-corrected (the default)::

    S_graph   = - sum_rs ln e_rs! + sum_r (ln e_r^+! + ln e_r^-!)
                - sum_i (ln k_i^+! + ln k_i^-!) + sum_ij ln A_ij!
    S_degrees = sum_r [ ln C(n_r + e_r^+ - 1, e_r^+) + ln C(n_r + e_r^- - 1, e_r^-) ]

  (the degrees drawn uniformly given the block totals), so a few hub rows are
  explained by their degrees, not given a block of their own;
- without degree correction: ``S_graph = - sum_rs ln e_rs! + sum_r (e_r^+ + e_r^-)
  ln n_r + sum_ij ln A_ij!`` and no ``S_degrees``;
- ``S_blocks = ln C(B^2 + E - 1, E)`` (the block matrix uniform among the
  multisets of ``E`` edges in ``B^2`` pairs) and ``S_partition = ln N! - sum_r
  ln n_r! + ln C(N - 1, B - 1) + ln N``.

Weights enter as the edge multiplicities (``weights="count"``: synapse counts) or
as a covariate of every present edge, one distribution per block pair with a
conjugate prior, so ``S_weights = - sum_rs ln p(weights of the rs edges)`` is the
exact marginal likelihood:

- ``"exponential"``: ``|w| ~ Exp(lambda_rs)``, ``lambda_rs ~ Gamma(1, wbar)`` with
  ``wbar`` the mean weight: ``ln p = ln wbar + ln m! - (m + 1) ln(X + wbar)`` for
  ``m`` edges of total weight ``X``;
- ``"lognormal"``: ``ln |w| ~ Normal(mu_rs, 1/tau_rs)`` with the normal-gamma prior
  centred on the mean ``ln |w|`` (``kappa0 = 1``, ``a0 = 1``, ``b0`` its variance).

Minimising ``S`` over ``b`` and ``B`` is model selection: a block is added only
when the pattern it explains pays for the extra parameters, so a structureless
random graph stays one block.

Inference (``backend="numba"``, the default): for each ``B`` (1, 2, ... until
:data:`PATIENCE` values in a row bring no improvement, or ``max_blocks``) a
regularised spectral co-clustering of the directed graph (left and right singular
vectors of ``D_out^-1/2 A D_in^-1/2`` with degrees regularised by their mean,
rows normalised, k-means) gives ``n_init`` starting partitions, which greedy
single-node moves refine to a local minimum of ``S``; the lowest ``S`` wins.
``backend="graph-tool"`` runs graph-tool's ``minimize_blockmodel_dl`` (the field's
reference implementation; Debian's ``python3-graph-tool``, run out of process under
the system Python because it is built against numpy 1.x). Both minimise the same
kind of description length; the tests check that they agree on planted graphs.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> b = np.repeat([0, 1], 40)                  # 40 senders, 40 receivers
>>> P = np.array([[0.02, 0.02], [0.4, 0.02]])  # onto receivers (row 1) from senders
>>> W = (rng.random((80, 80)) < P[b][:, b]).astype(float)
>>> part = fit_blocks(W, seed=0)
>>> part.method, part.n_communities, bool(np.all(part.membership == b))
('sbm', 2, True)
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.cluster.vq import kmeans2
from scipy.sparse.linalg import svds

from community import _sbm
from community.detect import Partition, relabel
from community.graphs import (
    CommunityError,
    _as_rng,
    _check_choice,
    _check_snapshot,
    _describe,
    as_weights,
)
from wiring.runs import Snapshot

__all__ = ["BLOCK_WEIGHTS", "BLOCK_MODES", "BACKENDS", "DEGREE_PRIORS", "PATIENCE",
           "fit_blocks", "edge_list", "description_length"]

#: How weights enter the block model (module docstring).
BLOCK_WEIGHTS = ("none", "count", "exponential", "lognormal")
#: Which weights form the graph: ``|W|``, ``W+`` or ``|W-|``.
BLOCK_MODES = ("abs", "pos", "neg")
#: Inference backends of :func:`fit_blocks`.
BACKENDS = ("numba", "graph-tool")
#: Model selection stops after this many numbers of blocks in a row without a lower
#: description length than the best so far.
PATIENCE = 2
#: Default cap on the number of blocks tried.
MAX_BLOCKS = 20
#: Greedy refinement sweeps per starting partition (it stops earlier at a local minimum).
SWEEPS = 30
#: Degree priors of the degree-corrected model (module docstring).
DEGREE_PRIORS = ("distributed", "uniform")
#: Largest table of ``ln q(m, k)`` the distributed prior builds (``(E + 1) (min(n, E) +
#: 1)`` cells, 8 bytes each); beyond it the uniform prior is used and recorded.
LOGQ_CELLS = 40_000_000

_KIND = {"none": _sbm.NO_COVARIATE, "count": _sbm.NO_COVARIATE,
         "exponential": _sbm.EXPONENTIAL, "lognormal": _sbm.LOGNORMAL}


def edge_list(W: Any, *, mode: str = "abs") -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The non-zero weights of ``W`` as a directed edge list.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        ``W[i, j]`` the weight onto ``i`` from ``j`` (edge ``j -> i``); a networkx
        graph's edge ``u -> v`` is ``W[v, u]`` (:func:`community.graphs.as_weights`).
        Nothing builds a dense matrix from a sparse input, whatever its size.
    mode : {"abs", "pos", "neg"}, default "abs"
        ``|W|``, ``max(W, 0)`` or ``max(-W, 0)``.

    Returns
    -------
    src, dst : ndarray of int64
        Edge ``k`` goes ``src[k] -> dst[k]`` (each pair once).
    weight : ndarray of float64
        Its weight under ``mode`` (> 0).
    n : int
        Number of neurons.

    Examples
    --------
    >>> src, dst, w, n = edge_list([[0.0, -2.0], [1.0, 0.0]])
    >>> src.tolist(), dst.tolist(), w.tolist(), n
    ([1, 0], [0, 1], [2.0, 1.0], 2)
    """
    mode = _check_choice(mode, "mode", BLOCK_MODES)
    if not isinstance(W, Snapshot) and not sp.issparse(W):
        W = as_weights(W)  # a dense array, or a networkx graph (sparse when large)
    if isinstance(W, Snapshot):
        _check_snapshot(W, _describe(W, "W"))  # non-finite weights name the file
        src, dst, w, n = (np.asarray(W.src, np.int64), np.asarray(W.dst, np.int64),
                          np.asarray(W.weight, np.float64), int(W.n))
    elif sp.issparse(W):
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise CommunityError(f"`W` must be a square (n, n) matrix, got shape {W.shape}")
        C = sp.coo_matrix(W)
        data = np.asarray(C.data, dtype=np.float64)
        if not np.all(np.isfinite(data)):
            raise CommunityError(f"`W` holds {int(np.sum(~np.isfinite(data)))} non-finite "
                                 "weight(s)")
        src, dst, w, n = (C.col.astype(np.int64), C.row.astype(np.int64), data,
                          int(W.shape[0]))
    else:
        dst, src = np.nonzero(W)
        w, n = W[dst, src], W.shape[0]
    w = np.abs(w) if mode == "abs" else np.maximum(w if mode == "pos" else -w, 0.0)
    keep = w > 0
    src, dst, w = src[keep], dst[keep], w[keep]
    if sp.issparse(W):
        # duplicate entries of a sparse matrix add up, as scipy does
        key = src * max(n, 1) + dst
        uniq, start = np.unique(key, return_index=True)
        if uniq.size < key.size:
            order = np.argsort(key, kind="stable")
            w = np.add.reduceat(w[order], np.searchsorted(key[order], uniq))
            src, dst = uniq // max(n, 1), uniq % max(n, 1)
    return src.astype(np.int64), dst.astype(np.int64), w.astype(np.float64), n


@functools.lru_cache(maxsize=4)
def _logq(M: int, N: int) -> np.ndarray:
    return _sbm.logq_table(M, N)


class _Model:
    """An edge list prepared for the kernels: multiplicities, covariates, CSR both ways,
    hyperparameters and the partition-independent part of the description length."""

    def __init__(self, src, dst, w, n, weights: str, degree_corrected: bool,
                 degree_prior: str = "distributed"):
        self.n, self.weights = n, weights
        self.kind = _KIND[weights]
        if weights == "count":
            if not np.all(w == np.round(w)):
                k = int(np.flatnonzero(w != np.round(w))[0])
                raise CommunityError(
                    f'`weights="count"` needs integer weights (synapse counts); edge '
                    f"{int(src[k])} -> {int(dst[k])} has {float(w[k])!r}")
            mult = w.copy()
        else:
            mult = np.ones_like(w)
        c1 = np.zeros_like(w)
        c2 = np.zeros_like(w)
        hyper = np.array([1.0, 0.0, 1.0, 1.0, 1.0])
        if weights == "exponential" and w.size:
            c1 = w.copy()
            hyper[0] = float(w.mean())
        elif weights == "lognormal" and w.size:
            c1 = np.log(w)
            c2 = c1 * c1
            hyper[1] = float(c1.mean())
            var = float(c1.var())
            hyper[4] = var if var > 0 else 1.0
        self.src, self.dst, self.mult, self.c1, self.c2 = src, dst, mult, c1, c2
        self.hyper = hyper
        self.E = float(mult.sum())
        self.out = _csr(src, dst, mult, c1, c2, n)
        self.inn = _csr(dst, src, mult, c1, c2, n)
        k_out = np.bincount(src, weights=mult, minlength=n)
        k_in = np.bincount(dst, weights=mult, minlength=n)
        self.deg = (np.unique(k_out, return_inverse=True)[1].astype(np.int64),
                    np.unique(k_in, return_inverse=True)[1].astype(np.int64))
        self.degree_prior = degree_prior if degree_corrected else "none"
        M = int(round(self.E))
        if self.degree_prior == "distributed" and (M + 1) * (min(n, M) + 1) > LOGQ_CELLS:
            self.degree_prior = "uniform"   # q(m, k) table too large: see LOGQ_CELLS
        self.dc = {"none": _sbm.PLAIN, "uniform": _sbm.UNIFORM,
                   "distributed": _sbm.DISTRIBUTED}[self.degree_prior]
        lq = (_logq(M, n) if self.dc == _sbm.DISTRIBUTED else np.zeros((1, 1)))
        lnfact = _sbm.lnfact_table(int(max(mult.max(initial=0), k_out.max(initial=0),
                                           k_in.max(initial=0))) + 1)
        const = float(np.sum(lnfact[mult.astype(np.int64)]))
        if degree_corrected and n:
            const -= float(np.sum(lnfact[k_out.astype(np.int64)])
                           + np.sum(lnfact[k_in.astype(np.int64)]))
        self.constant = const
        self.tab = (_sbm.lnfact_table(int(n + self.E) + 2), lq)

    def dl(self, b: np.ndarray, K: int) -> float:
        stats = _sbm.block_stats(self.src, self.dst, self.mult, self.c1, self.c2, b, K)
        return float(_sbm.description_length(*stats, float(self.n), self.E, self.dc,
                                             self.kind, self.hyper, self.constant, self.tab,
                                             b, self.deg))

    def refine(self, b: np.ndarray, K: int, rng: np.random.Generator) -> None:
        orders = np.stack([rng.permutation(self.n) for _ in range(SWEEPS)]).astype(np.int64)
        _sbm.refine(self.out, self.inn, b, K, self.dc, self.kind, self.hyper, orders, self.tab,
                    self.deg)


def _csr(a, z, mult, c1, c2, n):
    order = np.lexsort((z, a))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a, minlength=n), out=ptr[1:])
    return (ptr, np.ascontiguousarray(z[order]), np.ascontiguousarray(mult[order]),
            np.ascontiguousarray(c1[order]), np.ascontiguousarray(c2[order]))


def _spectral_embedding(model: _Model, k: int) -> np.ndarray:
    """Rows: each node's normalised left and right singular vectors (``k`` each) of the
    degree-regularised adjacency matrix (DI-SIM co-clustering)."""
    n = model.n
    A = sp.csr_matrix((model.mult, (model.src, model.dst)), shape=(n, n))
    d_out = np.asarray(A.sum(axis=1)).ravel()
    d_in = np.asarray(A.sum(axis=0)).ravel()
    tau = max(float(d_out.mean()), 1e-12)
    L = sp.diags(1.0 / np.sqrt(d_out + tau)) @ A @ sp.diags(1.0 / np.sqrt(d_in + tau))
    k = min(k, n - 2)
    if k <= 0:
        return np.zeros((n, 2))
    if n <= 64:
        U, S, Vt = np.linalg.svd(L.toarray())
        U, V = U[:, :k], Vt[:k].T
    else:
        # ARPACK from a fixed start vector: the same vectors on every call
        U, S, Vt = svds(L, k=k, v0=np.full(n, 1.0 / math.sqrt(n)))
        order = np.argsort(-S, kind="stable")
        U, V = U[:, order], Vt[order].T
    # a sign convention per vector, so the embedding does not depend on the LAPACK build
    for M in (U, V):
        flip = np.sign(M[np.argmax(np.abs(M), axis=0), np.arange(M.shape[1])])
        M *= np.where(flip == 0, 1.0, flip)
    return np.hstack([U, V])


def _kmeans_starts(X: np.ndarray, K: int, n_init: int, rng: np.random.Generator):
    """``n_init`` k-means partitions of the rows of ``X`` into ``K`` non-empty groups."""
    n = X.shape[0]
    for _ in range(n_init):
        if K == 1:
            yield np.zeros(n, dtype=np.int64)
            return
        seed = int(rng.integers(2**31 - 1))
        with warnings.catch_warnings():  # empty clusters are refilled below
            warnings.simplefilter("ignore", UserWarning)
            _, labels = kmeans2(X, K, minit="++", seed=seed, missing="warn")
        labels = relabel(labels).astype(np.int64)
        got = int(labels.max()) + 1
        if got < K:  # empty clusters: give each missing block a random node
            free = rng.permutation(n)
            for extra, v in zip(range(got, K), free, strict=False):
                labels[v] = extra
            labels = relabel(labels).astype(np.int64)
        if int(labels.max()) + 1 == K:
            yield labels


def _embedding_for(X_full: np.ndarray, K: int) -> np.ndarray:
    half = X_full.shape[1] // 2
    U, V = X_full[:, :min(K, half)], X_full[:, half:half + min(K, half)]
    out = []
    for M in (U, V):
        norm = np.linalg.norm(M, axis=1, keepdims=True)
        out.append(np.divide(M, norm, out=np.zeros_like(M), where=norm > 0))
    return np.hstack(out)


def _fit_numba(model: _Model, K_values: list[int], n_init: int,
               rng: np.random.Generator) -> tuple[np.ndarray, float, dict[int, float]]:
    # singular vectors as far as needed: 8 (or K) first, more when the search goes on
    X_full = _spectral_embedding(model, max(min(K_values), 8))
    best_b, best_dl, by_k = np.zeros(model.n, dtype=np.int64), math.inf, {}
    stale = 0
    fixed = len(K_values) == 1
    for K in K_values:
        if K > model.n:
            break
        if K > X_full.shape[1] // 2 and X_full.shape[1] // 2 < model.n - 2:
            X_full = _spectral_embedding(model, min(2 * K, max(K_values)))
        X = _embedding_for(X_full, K)
        k_best_b, k_best = None, math.inf
        for b in _kmeans_starts(X, K, n_init, rng):
            model.refine(b, K, rng)
            dl = model.dl(b, K)
            if dl < k_best - 1e-9:
                k_best_b, k_best = b.copy(), dl
        if k_best_b is None:
            continue
        by_k[K] = k_best
        if k_best < best_dl - 1e-9:
            best_b, best_dl, stale = k_best_b, k_best, 0
        else:
            stale += 1
            if not fixed and stale >= PATIENCE:
                break
    return best_b, best_dl, by_k


def description_length(
    W: Any,
    membership: ArrayLike,
    *,
    degree_corrected: bool = True,
    degree_prior: str = "distributed",
    weights: str = "none",
    mode: str = "abs",
) -> float:
    """Description length (nats) of a partition under the block model of
    :func:`fit_blocks` (module docstring): lower is a better explanation.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        ``W[i, j]`` onto ``i`` from ``j``.
    membership : array_like of int, shape (n,)
        Block of each neuron (empty blocks are dropped).
    degree_corrected : bool, default True
    degree_prior : {"distributed", "uniform"}, default "distributed"
    weights : {"none", "count", "exponential", "lognormal"}, default "none"
    mode : {"abs", "pos", "neg"}, default "abs"

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((5, 5))) - np.eye(10)   # two 5-cliques
    >>> two = description_length(W, [0] * 5 + [1] * 5)
    >>> one = description_length(W, [0] * 10)
    >>> bool(two < one)
    True
    """
    src, dst, w, n = edge_list(W, mode=mode)
    weights = _check_choice(weights, "weights", BLOCK_WEIGHTS)
    degree_prior = _check_choice(degree_prior, "degree_prior", DEGREE_PRIORS)
    m = relabel(np.asarray(membership)).astype(np.int64)
    if m.size != n:
        raise CommunityError(f"`membership` has length {m.size} but the graph has {n} neurons")
    model = _Model(src, dst, w, n, weights, bool(degree_corrected), degree_prior)
    return model.dl(m, int(m.max()) + 1 if m.size else 1)


def fit_blocks(
    W: Any,
    *,
    n_blocks: int | None = None,
    degree_corrected: bool = True,
    degree_prior: str = "distributed",
    weights: str = "none",
    mode: str = "abs",
    max_blocks: int | None = None,
    n_init: int = 3,
    backend: str = "numba",
    seed: int | np.random.Generator | None = 0,
) -> Partition:
    """Fit a directed stochastic block model; choose the number of blocks by MDL.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        ``W[i, j]`` the weight onto ``i`` from ``j``; every non-zero entry (after
        ``mode``) is an edge ``j -> i``. A sparse input is never made dense (memory
        grows with the number of synapses).
    n_blocks : int, optional
        Fit exactly this many blocks. Default: chosen by minimum description length.
    degree_corrected : bool, default True
        Degree-corrected model (hubs are explained by their degree, not a block).
    degree_prior : {"distributed", "uniform"}, default "distributed"
        Prior of the degrees in the degree-corrected model (module docstring): the
        distributed one (graph-tool's default) describes heavy-tailed degrees cheaply;
        the uniform one makes a few hubs pay for their degrees.
    weights : {"none", "count", "exponential", "lognormal"}, default "none"
        ``"none"``: the graph of surviving synapses; ``"count"``: weights are edge
        multiplicities (synapse counts); ``"exponential"``/``"lognormal"``: ``|w|``
        is a covariate of every edge, one distribution per block pair.
    mode : {"abs", "pos", "neg"}, default "abs"
        Which weights form the graph.
    max_blocks : int, optional
        Largest number of blocks tried (default ``min(n, 20)``).
    n_init : int, default 3
        Starting partitions per number of blocks (``backend="numba"``).
    backend : {"numba", "graph-tool"}, default "numba"
        The inference (module docstring). ``"graph-tool"`` needs Debian's
        ``python3-graph-tool`` (:func:`community.graphtool.available`).
    seed : int, numpy Generator or None, default 0

    Returns
    -------
    Partition
        ``method="sbm"``; ``membership`` numbered by decreasing block size;
        ``quality`` the description length in nats (lower is better); ``params``:
        ``n_blocks`` (chosen), ``n_blocks_requested``, ``description_length``,
        ``description_length_by_k`` (``{K: S}`` for every ``K`` tried, numba),
        ``degree_corrected``, ``weights``, ``mode``, ``backend``, ``seed``,
        ``n_edges`` and ``edge_counts`` (``[[e_ab]]``: edges onto block ``a`` from
        block ``b``, the ``W`` convention).

    Raises
    ------
    CommunityError
        Bad ``W``, unknown ``weights``, ``mode`` or ``backend``, bad ``n_blocks``,
        ``max_blocks`` or ``n_init``, a graph without edges, non-integer weights
        with ``weights="count"``, or graph-tool unavailable or failing.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> W = (rng.random((60, 60)) < 0.1).astype(float)          # Erdos-Renyi
    >>> fit_blocks(W).n_communities                              # not split
    1
    >>> b = np.repeat([0, 1, 2], 20)                             # a chain 0 -> 1 -> 2
    >>> P = np.full((3, 3), 0.02); P[1, 0] = P[2, 1] = 0.5      # onto 1 from 0, 2 from 1
    >>> W = (rng.random((60, 60)) < P[b][:, b]).astype(float)
    >>> part = fit_blocks(W)
    >>> part.n_communities, part.params["edge_counts"][1][0] > 150
    (3, True)
    """
    weights = _check_choice(weights, "weights", BLOCK_WEIGHTS)
    backend = _check_choice(backend, "backend", BACKENDS)
    degree_prior = _check_choice(degree_prior, "degree_prior", DEGREE_PRIORS)
    if not isinstance(degree_corrected, bool | np.bool_):
        raise CommunityError(f"`degree_corrected` must be True or False, got "
                             f"{degree_corrected!r}")
    src, dst, w, n = edge_list(W, mode=mode)
    if src.size == 0:
        raise CommunityError(f"`W` graph ({mode!r} weights, {n} vertices) has no edges; "
                             "nothing to partition")
    cap = min(n, MAX_BLOCKS) if max_blocks is None else _positive_int(max_blocks, "max_blocks")
    if n_blocks is not None:
        n_blocks = _positive_int(n_blocks, "n_blocks")
        if n_blocks > n:
            raise CommunityError(f"`n_blocks` ({n_blocks}) exceeds the {n} neurons")
    n_init = _positive_int(n_init, "n_init")
    rng = _as_rng(seed)
    model = _Model(src, dst, w, n, weights, bool(degree_corrected), degree_prior)
    by_k: dict[int, float] = {}
    if backend == "numba":
        K_values = [n_blocks] if n_blocks is not None else list(range(1, min(cap, n) + 1))
        b, _, by_k = _fit_numba(model, K_values, n_init, rng)
    else:
        from community import graphtool
        b = graphtool.minimize_blockmodel_dl(
            (src, dst, w, n), degree_corrected=bool(degree_corrected), weights=weights,
            n_blocks=n_blocks, max_blocks=None if n_blocks is not None else cap,
            degree_prior=model.degree_prior, n_init=n_init, seed=int(rng.integers(2**31 - 1)))
    m = relabel(b)
    K = int(m.max()) + 1
    dl = model.dl(np.asarray(m, dtype=np.int64), K)
    e = np.zeros((K, K), dtype=np.int64)
    np.add.at(e, (m[dst], m[src]), model.mult.astype(np.int64))
    return Partition(
        membership=m, quality=dl, method="sbm",
        params={"n_blocks": K, "n_blocks_requested": n_blocks, "description_length": dl,
                "description_length_by_k": {int(k): float(v) for k, v in by_k.items()},
                "degree_corrected": bool(degree_corrected),
                "degree_prior": model.degree_prior, "weights": weights,
                "mode": mode, "backend": backend,
                "seed": seed if isinstance(seed, int | None) else "generator",
                "n_edges": int(src.size), "edge_counts": e.tolist()})


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise CommunityError(f"`{name}` must be a positive integer, got {value!r}")
    return int(value)
