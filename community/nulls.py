"""Null models of a weight graph and z-scores of a statistic against them.

Two nulls, both keeping the number of edges and the multiset of weights:

``"shuffle"`` (:func:`shuffle_weights`)
    the edges stay where they are; their weights are permuted among them. Tests
    whether *which* synapse got *which* weight matters.
``"rewire"`` (:func:`rewire`)
    every edge keeps its source neuron and its weight but its target is moved by
    degree-preserving double-edge swaps, so every in- and out-degree is kept.
    Tests whether the wiring beyond the degree sequence matters.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0], [0.0, 4.0, 0.0]])
>>> V = shuffle_weights(W, seed=0)
>>> bool(np.array_equal(V != 0, W != 0)), sorted(V[V != 0].tolist())
(True, [1.0, 2.0, 3.0, 4.0])
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from community.graphs import (
    CommunityError,
    Weights,
    _as_rng,
    _canonical,
    _check_choice,
    _entries,
    as_weights,
)

__all__ = ["NULLS", "shuffle_weights", "rewire", "null_zscore"]

#: Null models of :func:`null_zscore`.
NULLS = ("shuffle", "rewire")

# relative spread below which null samples count as identical (rounding noise)
_ROUNDING = 1e-12


def shuffle_weights(
    W: Weights, *, seed: int | np.random.Generator | None
) -> np.ndarray | sp.csr_array:
    """Permute the non-zero weights over the existing edges.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``; every non-zero entry is an
        edge (self-loops included).
    seed : int, numpy Generator or None
        Randomness of the permutation.

    Returns
    -------
    ndarray of float64, shape (n, n)
        Same non-zero pattern, same multiset of weights, in random order; a
        ``scipy.sparse.csr_array`` for a sparse input above
        :data:`community.graphs.DENSE_MAX_NEURONS` neurons (the same draw as the dense
        matrix gives).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.diag([1.0, 2.0, 3.0])
    >>> sorted(np.diag(shuffle_weights(W, seed=1)).tolist())
    [1.0, 2.0, 3.0]
    """
    A = as_weights(W)
    rng = _as_rng(seed)
    if sp.issparse(A):
        out = A.copy()
        out.data = rng.permutation(A.data)
        return out
    dst, src = np.nonzero(A)
    out = np.zeros_like(A)
    out[dst, src] = rng.permutation(A[dst, src])
    return out


def rewire(
    W: Weights,
    *,
    seed: int | np.random.Generator | None,
    n_swaps: int | None = None,
) -> np.ndarray | sp.csr_array:
    """Degree-preserving directed rewiring by double-edge swaps.

    A swap takes two edges ``a -> b`` and ``c -> d`` and makes them ``a -> d``
    and ``c -> b``; each edge keeps its source and its weight, so every
    out-degree, every in-degree and the weight multiset (indeed each neuron's
    multiset of outgoing weights) are preserved. A swap is rejected if it would
    create a self-loop or an edge that already exists. Existing self-loops are
    kept fixed and never swapped.

    Swaps are proposed in rounds: each round pairs up the edges at random
    (disjoint pairs) and applies, at once, every proposal that is valid and
    whose two new edges no other accepted proposal creates. This is fast in
    numpy and keeps the graph simple at every step.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights; every non-zero entry is an edge.
    seed : int, numpy Generator or None
        Randomness of the swaps.
    n_swaps : int, optional
        Number of swaps *proposed* (accepted ones are fewer; dense graphs reject
        more). Default ``10 * E`` for ``E`` non-self-loop edges.

    Returns
    -------
    ndarray of float64, shape (n, n)
        A ``scipy.sparse.csr_array`` for a sparse input above
        :data:`community.graphs.DENSE_MAX_NEURONS` neurons (the same draw as the dense
        matrix gives; existing edges are then looked up by binary search, not in an
        ``n * n`` table).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W = rng.normal(size=(30, 30)) * (rng.random((30, 30)) < 0.2)
    >>> np.fill_diagonal(W, 0.0)
    >>> V = rewire(W, seed=0)
    >>> bool(np.array_equal((V != 0).sum(0), (W != 0).sum(0)))   # out-degrees
    True
    >>> bool(np.array_equal((V != 0).sum(1), (W != 0).sum(1)))   # in-degrees
    True
    >>> bool(np.array_equal(np.sort(V, axis=0), np.sort(W, axis=0)))  # weights per source
    True
    """
    A = as_weights(W)
    rng = _as_rng(seed)
    n = A.shape[0]
    sparse = sp.issparse(A)
    if sparse:
        rows, cols, vals = _entries(A)
        off = rows != cols
        dst, src, weight = rows[off], cols[off], vals[off]
        loops = ~off
    else:
        off = A.copy()
        np.fill_diagonal(off, 0.0)
        dst, src = np.nonzero(off)
        weight = off[dst, src]
    E = src.size
    if n_swaps is None:
        n_swaps = 10 * E
    if not isinstance(n_swaps, int | np.integer) or isinstance(n_swaps, bool) or n_swaps < 0:
        raise CommunityError(f"`n_swaps` must be an integer >= 0, got {n_swaps!r}")
    if E >= 2 and n_swaps > 0:
        dst = dst.copy()
        per_round = E // 2
        remaining = int(n_swaps)
        # which edges exist, as a lookup table over all n * n pairs (1/8 of the dense A the
        # caller holds): ~20x faster than a binary search per proposal on 1e6 edges; a
        # sparse A (no dense matrix held) searches the sorted edge keys instead
        exists = None if sparse else np.zeros(n * n, dtype=bool)
        while remaining > 0:
            k = min(per_round, remaining)
            remaining -= k
            perm = rng.permutation(E)
            e1, e2 = perm[:k], perm[k:2 * k]
            a, b, c, d = src[e1], dst[e1], src[e2], dst[e2]
            new1, new2 = a * n + d, c * n + b
            ok = (a != d) & (c != b)
            if exists is None:
                keys = np.sort(src * n + dst)
                ok &= ~_sorted_member(keys, new1) & ~_sorted_member(keys, new2)
            else:
                exists[:] = False
                exists[src * n + dst] = True
                ok &= ~exists[new1] & ~exists[new2]
            # two accepted proposals must not create the same edge
            idx = np.flatnonzero(ok)
            keys = np.concatenate([new1[idx], new2[idx]])
            _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
            clash = (counts[inverse] > 1).reshape(2, -1).any(axis=0)
            ok[idx[clash]] = False
            dst[e1[ok]] = d[ok]
            dst[e2[ok]] = b[ok]
    if sparse:
        return _canonical(sp.coo_array(
            (np.concatenate([vals[loops], weight]),
             (np.concatenate([rows[loops], dst]), np.concatenate([cols[loops], src]))),
            shape=A.shape))
    out = np.diag(np.diag(A)).astype(np.float64)
    out[dst, src] = weight
    return out


def _sorted_member(keys: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Whether each ``x`` is in the sorted array ``keys``."""
    pos = np.minimum(np.searchsorted(keys, x), max(keys.size - 1, 0))
    return keys[pos] == x if keys.size else np.zeros(x.size, dtype=bool)


def null_zscore(
    W: Weights,
    statistic: Callable[[np.ndarray | sp.csr_array], float],
    *,
    null: str = "shuffle",
    n: int = 20,
    seed: int | np.random.Generator | None = 0,
) -> dict[str, float | np.ndarray]:
    """z-score of a statistic of ``W`` against a null model.

    ``z = (observed - mean) / std`` with ``observed = statistic(W)`` and the mean
    and sample standard deviation (``ddof=1``) of ``statistic`` over ``n`` null
    graphs drawn with :func:`shuffle_weights` or :func:`rewire`. A standard
    deviation below ``1e-12 * max(|mean|, |observed|)`` is rounding noise (e.g. a
    sum of permuted weights) and counts as 0.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights.
    statistic : callable
        ``statistic(W) -> float`` on a dense float64 ``(n, n)`` matrix (a
        ``scipy.sparse.csr_array`` for a sparse ``W`` above
        :data:`community.graphs.DENSE_MAX_NEURONS` neurons), e.g. the quality of a
        Leiden partition. It may raise; the error propagates.
    null : {"shuffle", "rewire"}, default "shuffle"
        Null model.
    n : int, default 20
        Number of null samples, at least 2.
    seed : int, numpy Generator or None, default 0
        Randomness of the null samples (one generator, used in sequence).

    Returns
    -------
    dict
        ``observed``, ``mean``, ``std`` and ``z`` (floats; ``z`` is NaN when
        ``std == 0``) and ``samples`` (ndarray of the ``n`` null values).

    Raises
    ------
    CommunityError
        Unknown ``null``, ``n < 2``, or a statistic that is not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((5, 5))) - np.eye(10)
    >>> W[0, 9] = 0.1
    >>> frac_strong = lambda A: float((A > 0.5).sum() / (A != 0).sum())
    >>> res = null_zscore(W, frac_strong, null="shuffle", n=5, seed=0)
    >>> res["observed"], res["std"], res["z"]
    (0.975609756097561, 0.0, nan)
    """
    null = _check_choice(null, "null", NULLS)
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 2:
        raise CommunityError(f"`n` must be an integer >= 2, got {n!r}")
    if not callable(statistic):
        raise CommunityError(f"`statistic` must be callable, got {statistic!r}")
    A = as_weights(W)
    rng = _as_rng(seed)
    draw = shuffle_weights if null == "shuffle" else rewire

    def value(M: np.ndarray | sp.csr_array, what: str) -> float:
        v = statistic(M)
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise CommunityError(f"`statistic` returned {v!r} for {what}, not a number") from None
        if not math.isfinite(v):
            raise CommunityError(f"`statistic` returned {v!r} for {what}")
        return v

    observed = value(A.copy(), "the observed graph")
    samples = np.array([value(draw(A, seed=rng), f"{null} sample {k}") for k in range(n)])
    mean = float(samples.mean())
    std = float(samples.std(ddof=1))
    if std <= _ROUNDING * max(abs(mean), abs(observed)):
        std = 0.0     # spread from summation order only: the null is deterministic
    z = (observed - mean) / std if std > 0 else float("nan")
    return {"observed": observed, "mean": mean, "std": std, "z": z, "samples": samples}
