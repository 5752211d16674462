"""Fast modularity maximisation for null models: a numba Louvain on directed graphs.

A z-score of modularity against a null model needs the *maximum* modularity of every
null graph, found the same way as the observed one: 20 draws of each of three nulls is
60 optimisations per snapshot. leidenalg takes 0.1-0.3 s on a 300-neuron graph with 9,000
weighted edges; this Louvain (local moving of single nodes, then aggregation, on the
directed Leicht--Newman modularity of :func:`community.measures.modularity`) takes a
few milliseconds, so the null models can have enough draws. It is used for the
observed graph and its nulls alike; the partitions reported and drawn are Leiden's
(:func:`community.detect.leiden`). Its quality agrees with leidenalg's to about 1% on
planted and trained graphs (tests).

Examples
--------
>>> import numpy as np
>>> W = np.kron(np.eye(3), np.ones((4, 4))) - np.eye(12)   # three 4-cliques
>>> p = max_modularity(W)
>>> p.membership.tolist(), round(p.quality, 4)
([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 0.6667)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from community import _louvain
from community.blocks import edge_list
from community.detect import Partition, relabel
from community.graphs import CommunityError, _as_rng, _check_choice

__all__ = ["MODES", "max_modularity"]

#: Weight modes the fast optimiser takes (the directed single-layer ones).
MODES = ("abs", "pos", "neg")


def max_modularity(
    W: Any,
    *,
    mode: str = "abs",
    resolution: float = 1.0,
    n_init: int = 2,
    seed: int | np.random.Generator | None = 0,
) -> Partition:
    """Maximise directed modularity with Louvain (numba); the best of ``n_init`` runs.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        ``W[i, j]`` onto ``i`` from ``j`` (read by :func:`community.blocks.edge_list`:
        a sparse input is never made dense).
    mode : {"abs", "pos", "neg"}, default "abs"
        Which weights form the graph.
    resolution : float, default 1.0
        ``gamma`` on the null-model term (RB-configuration; 1 is modularity).
    n_init : int, default 2
        Runs with different node orders; the highest modularity wins.
    seed : int, numpy Generator or None, default 0

    Returns
    -------
    Partition
        ``method="louvain-numba"``; ``quality`` the modularity
        ``Q = (1/m) sum_ij [A_ij - gamma k_i^in k_j^out / m] delta(c_i, c_j)``.

    Raises
    ------
    CommunityError
        Bad ``W``, ``mode``, ``resolution`` or ``n_init``, or a graph without edges.

    Examples
    --------
    >>> import numpy as np
    >>> from community.measures import modularity
    >>> rng = np.random.default_rng(0)
    >>> b = np.repeat([0, 1, 2, 3], 25)
    >>> W = rng.random((100, 100)) * (rng.random((100, 100)) < np.where(
    ...     b[:, None] == b[None, :], 0.4, 0.03))
    >>> p = max_modularity(W)
    >>> p.n_communities, round(p.quality - modularity(W, p.membership), 12)
    (4, 0.0)
    """
    mode = _check_choice(mode, "mode", MODES)
    if (isinstance(resolution, bool) or not isinstance(resolution, int | float | np.number)
            or not (math.isfinite(resolution) and resolution > 0)):
        raise CommunityError(f"`resolution` must be a positive number, got {resolution!r}")
    if isinstance(n_init, bool) or not isinstance(n_init, int | np.integer) or n_init < 1:
        raise CommunityError(f"`n_init` must be a positive integer, got {n_init!r}")
    src, dst, w, n = edge_list(W, mode=mode)
    if src.size == 0:
        raise CommunityError(f"`W` graph ({mode!r} weights, {n} vertices) has no edges; "
                             "nothing to partition")
    w = w / w.max()              # Q is scale-invariant; keeps huge weights finite
    rng = _as_rng(seed)
    m = float(w.sum())
    k_out = np.bincount(src, weights=w, minlength=n)
    k_in = np.bincount(dst, weights=w, minlength=n)
    best, best_q = None, -math.inf
    for _ in range(n_init):
        memb = _louvain.louvain(src, dst, w, n, float(resolution), int(rng.integers(2**31 - 1)))
        q = _quality(src, dst, w, memb, k_out, k_in, m, float(resolution))
        if q > best_q + 1e-12:
            best, best_q = memb, q
    return Partition(membership=relabel(best), quality=best_q, method="louvain-numba",
                     params={"mode": mode, "resolution": float(resolution), "n_init": n_init,
                             "seed": seed if isinstance(seed, int | None) else "generator"})


def _quality(src, dst, w, memb, k_out, k_in, m, gamma) -> float:
    inside = float(w[memb[src] == memb[dst]].sum())
    K = int(memb.max()) + 1
    Kout = np.bincount(memb, weights=k_out, minlength=K)
    Kin = np.bincount(memb, weights=k_in, minlength=K)
    return inside / m - gamma * float(np.dot(Kout, Kin)) / m**2
