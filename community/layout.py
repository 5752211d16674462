"""Node positions of a weight graph: the one layout the report's network view and the Gephi
files share.

* :func:`layout_positions` -- a seeded Fruchterman--Reingold layout of ``|w|`` in which
  edges inside a community pull :data:`WITHIN_PULL` times harder, scaled into
  ``[-1, 1]``. The report's interactive network view
  (:mod:`community.report.network_view`) places the analysed neurons of a run with it.
* :func:`neuron_positions` -- the same layout for the analysed neurons of a snapshot
  (the report's drawing, position for position), with the neurons the analysis left
  out (inputs and outputs of a supervised run) on a ring around it, so that every
  neuron of a Gephi file has a position.

Both are deterministic: the same input and ``seed`` give the same positions in any
process.

Examples
--------
>>> import numpy as np
>>> src, dst, w = np.array([0, 1, 2]), np.array([1, 2, 3]), np.ones(3)
>>> pos = neuron_positions(src, dst, w, n=5, nodes=np.array([0, 1, 2, 3]),
...                        membership=np.array([0, 0, 1, 1]))
>>> pos.shape, bool(np.array_equal(pos[:4], layout_positions(
...     src, dst, w, n=4, membership=np.array([0, 0, 1, 1]))))
((5, 2), True)
>>> float(np.hypot(*pos[4]))  # neuron 4 was not analysed: on the ring
1.2
"""

from __future__ import annotations

import random

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["WITHIN_PULL", "LAYOUT_ITERATIONS", "RING_RADIUS", "layout_positions",
           "neuron_positions"]

#: Attraction factor of an edge inside a community in the layout (1: plain |w|).
WITHIN_PULL = 5.0
#: Fruchterman--Reingold iterations.
LAYOUT_ITERATIONS = 300
#: Radius of the ring of neurons outside the laid-out set (the layout spans [-1, 1]).
RING_RADIUS = 1.2


def layout_positions(src: ArrayLike, dst: ArrayLike, weight: ArrayLike, *, n: int,
                     membership: ArrayLike | None = None, within_pull: float = WITHIN_PULL,
                     seed: int = 0) -> np.ndarray:
    """Seeded Fruchterman--Reingold positions of ``n`` neurons, scaled into ``[-1, 1]``.

    The graph is undirected, with attraction along each non-zero edge proportional to
    ``|w| / max |w|`` (so the scale of the weights does not matter), times
    ``within_pull`` for an edge inside a community of ``membership``: communities sit
    together instead of overlapping in one ball, as they do in a dense graph. igraph
    draws its random numbers from a generator seeded with ``seed`` for this call only;
    the same input gives the same positions in any process.

    Parameters
    ----------
    src, dst : array_like of int
        Edges, as positions ``0..n-1``.
    weight : array_like of float
        Edge weights (sign ignored).
    n : int
        Number of neurons.
    membership : array_like of int, shape (n,), optional
        Communities whose inside edges pull harder; default none.
    within_pull : float, default :data:`WITHIN_PULL`
        Attraction factor of an edge inside a community.
    seed : int, default 0
        Seed of the initial positions and of igraph's generator.

    Returns
    -------
    ndarray of float, shape (n, 2)

    Examples
    --------
    >>> import numpy as np
    >>> edges = np.array([0, 1, 2]), np.array([1, 2, 3]), np.ones(3)
    >>> a = layout_positions(*edges, n=4)
    >>> a.shape, bool(np.abs(a).max() <= 1.0)
    ((4, 2), True)
    >>> bool(np.array_equal(a, layout_positions(*edges, n=4)))
    True
    """
    import igraph as ig

    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    w = np.abs(np.asarray(weight, dtype=float))
    if membership is not None:
        m = np.asarray(membership)
        w = w * np.where(m[src] == m[dst], within_pull, 1.0)
    keep = (w > 0) & np.isfinite(w) & (src != dst)
    src, dst, w = src[keep], dst[keep], w[keep]
    if n == 0:
        return np.zeros((0, 2))
    init = np.random.default_rng(seed).uniform(-1.0, 1.0, (n, 2))
    graph = ig.Graph(n=n, edges=np.column_stack([src, dst]).tolist(), directed=False)
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = graph.layout_fruchterman_reingold(
            weights=(w / w.max()).tolist() if w.size else None, seed=init.tolist(),
            niter=LAYOUT_ITERATIONS)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module
    pos = np.asarray(coords.coords, dtype=float).reshape(n, 2)
    pos -= (pos.max(axis=0) + pos.min(axis=0)) / 2
    span = np.abs(pos).max()
    return pos / span if span > 0 else pos


def neuron_positions(src: ArrayLike, dst: ArrayLike, weight: ArrayLike, *, n: int,
                     nodes: ArrayLike | None = None, membership: ArrayLike | None = None,
                     seed: int = 0) -> np.ndarray:
    """Positions of all ``n`` neurons of a snapshot: the report's layout of ``nodes``,
    the other neurons on a ring around it.

    ``nodes`` (the analysed neurons, e.g. the hidden neurons of a supervised run) are
    laid out by :func:`layout_positions` on the edges among them, with ``membership``
    their communities -- exactly what the report's network view draws for that
    snapshot. The remaining neurons are spread evenly, in index order, on a circle of
    radius :data:`RING_RADIUS` starting at angle 0 (inputs and outputs, numbered in
    blocks, take one arc each).

    Parameters
    ----------
    src, dst : array_like of int, shape (E,)
        Edges as neuron indices ``0..n-1`` (``src[k] -> dst[k]``).
    weight : array_like of float, shape (E,)
        Edge weights (sign ignored; zero weights are not edges).
    n : int
        Number of neurons.
    nodes : array_like of int, optional
        The neurons to lay out, distinct (any order; sorted here). Default: all.
    membership : array_like of int, optional
        Community of each of ``nodes`` in ascending neuron order (as the ``neurons``
        table lists them); default none.
    seed : int, default 0
        Seed of :func:`layout_positions`.

    Returns
    -------
    ndarray of float, shape (n, 2)
        Laid-out neurons within ``[-1, 1]``, the others at distance
        :data:`RING_RADIUS` from the origin.

    Examples
    --------
    >>> import numpy as np
    >>> pos = neuron_positions(np.array([1]), np.array([2]), np.ones(1), n=4,
    ...                        nodes=np.array([1, 2]))
    >>> np.hypot(*pos.T).round(3).tolist()  # distance from the centre
    [1.2, 1.0, 1.0, 1.2]
    """
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    weight = np.asarray(weight, dtype=float)
    chosen = np.arange(n) if nodes is None else np.unique(np.asarray(nodes, dtype=np.int64))
    where = np.full(n, -1, dtype=np.int64)
    where[chosen] = np.arange(chosen.size)
    keep = (where[src] >= 0) & (where[dst] >= 0)
    pos = np.zeros((n, 2))
    pos[chosen] = layout_positions(where[src[keep]], where[dst[keep]], weight[keep],
                                   n=chosen.size, membership=membership, seed=seed)
    rest = np.flatnonzero(where < 0)
    angle = 2 * np.pi * np.arange(rest.size) / max(rest.size, 1)
    pos[rest] = RING_RADIUS * np.column_stack([np.cos(angle), np.sin(angle)])
    return pos
