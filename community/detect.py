"""Community detection: Leiden (leidenalg), Louvain (networkx) and consensus partitions.

Every detector returns a :class:`Partition`: the community of each vertex
(numbered ``0 .. K-1`` by decreasing size), the value of the quality function it
optimised, the method and its parameters.

Quality functions (:data:`QUALITIES`), for a directed graph with weights
``A[i, j]`` on edge ``j -> i``, total weight ``m``, in-strength ``k_i^in`` and
out-strength ``k_j^out``:

``"modularity"``
    directed (Leicht--Newman) modularity
    ``Q = (1/m) sum_ij [A_ij - k_i^in k_j^out / m] delta(c_i, c_j)``
    (leidenalg's ``ModularityVertexPartition``; resolution must be 1);
``"rb"``
    the same with a resolution ``gamma`` on the null-model term
    (leidenalg's ``RBConfigurationVertexPartition``). leidenalg reports it
    unnormalised (``m Q``); :class:`Partition` stores ``Q``, divided by ``m``,
    so ``"rb"`` at ``gamma = 1`` equals ``"modularity"``;
``"cpm"``
    the constant Potts model ``sum_c [w_c - gamma P(n_c)]`` with ``w_c`` the
    weight inside community ``c`` and ``P(n) = n (n - 1)`` possible directed
    edges (``n^2`` if the graph has self-loops), as leidenalg reports it.

Signed graphs (weight mode ``"signed"``) are a multiplex of the positive layer
``W+`` and the negative layer ``|W-|`` with layer weights ``+1`` and ``-1``, so
the quality is ``Q(W+) - Q(|W-|)``, each layer's modularity normalised by its own
total weight (leidenalg's recipe for negative links). For ``"rb"`` the layers
are optimised with layer weights ``+1/m+`` and ``-1/m-`` so that the objective is
the same difference of normalised qualities. For ``"cpm"`` the negative layer
has resolution 0 (otherwise the two size penalties would cancel): the objective
is ``sum_c [w+_c - w-_c - gamma P(n_c)]``, CPM on the signed weights. A layer
without edges contributes 0.

The symmetrised mode ``"sym"`` is one undirected graph with adjacency matrix
``A = S + diag(S)``, ``S = (|W| + |W|^T) / 2`` (a self-loop counts twice in the
strength, as in igraph and leidenalg; see :mod:`community.graphs`). Its
``"modularity"`` and ``"rb"`` are Newman's undirected modularity
``Q = (1/2m) sum_ij [A_ij - gamma k_i k_j / 2m] delta(c_i, c_j)`` with
``2m = sum_ij A_ij`` and ``k_i = sum_j A_ij`` -- the directed formula above
applied to the symmetric ``A``. Its ``"cpm"`` is leidenalg's undirected value
``2 sum_c [w_c - gamma P(n_c)]`` with ``w_c`` the weight of the undirected edges
inside ``c`` and ``P(n) = n (n - 1) / 2`` (``n (n + 1) / 2`` with self-loops).

Examples
--------
>>> import numpy as np
>>> W = np.kron(np.eye(2), np.ones((3, 3))) - np.eye(6)   # two 3-cliques
>>> W[3, 0] = 0.5                                           # one weak bridge
>>> p = leiden(W, seed=1)
>>> p.membership.tolist(), p.n_communities
([0, 0, 0, 1, 1, 1], 2)
"""

from __future__ import annotations

import gc
import html
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import leidenalg as la
import networkx as nx
import numpy as np
from numpy.typing import ArrayLike

from community import graphs
from community.graphs import (
    CommunityError,
    WeightGraph,
    Weights,
    _as_membership,
    _as_rng,
    _check_choice,
    _safe_scale,
    _too_large,
    weight_graph,
)

__all__ = [
    "QUALITIES",
    "Partition",
    "leiden",
    "louvain",
    "consensus",
    "partition_quality",
    "relabel",
    "match_labels",
]

#: Quality functions of :func:`leiden`.
QUALITIES = ("modularity", "rb", "cpm")

_PARTITION_TYPES = {
    "modularity": la.ModularityVertexPartition,
    "rb": la.RBConfigurationVertexPartition,
    "cpm": la.CPMVertexPartition,
}


@dataclass(frozen=True, eq=False)
class Partition:
    """A partition of a graph's vertices into communities.

    Attributes
    ----------
    membership : ndarray of int64, shape (n,)
        Community of each vertex, numbered ``0 .. K-1`` by decreasing size (ties:
        the community holding the lower vertex index first). Read-only.
    quality : float
        Value of the quality function the method optimised (module docstring).
    method : str
        ``"leiden"``, ``"louvain"`` or ``"consensus"``.
    params : dict
        The parameters of the run (quality, resolution, mode, seed, ...).

    Examples
    --------
    >>> p = Partition(membership=relabel([5, 5, 2]), quality=0.0, method="leiden")
    >>> p.membership.tolist(), p.n_communities, p.sizes.tolist()
    ([0, 0, 1], 2, [2, 1])
    """

    membership: np.ndarray
    quality: float
    method: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def n_communities(self) -> int:
        """Number of communities ``K``."""
        return int(self.membership.max()) + 1 if self.membership.size else 0

    @property
    def sizes(self) -> np.ndarray:
        """Number of vertices in each community, ``(K,)`` int64."""
        return np.bincount(self.membership, minlength=self.n_communities).astype(np.int64)

    def __repr__(self) -> str:
        top = sorted(self.sizes.tolist(), reverse=True)
        shown = ", ".join(map(str, top[:5])) + (", ..." if len(top) > 5 else "")
        return (f"Partition(method={self.method!r}, n={self.membership.size}, "
                f"communities={self.n_communities}, quality={self.quality:.4g}, "
                f"sizes=[{shown}])")

    def _repr_html_(self) -> str:
        n, sizes = self.membership.size, self.sizes
        order = np.argsort(-sizes, kind="stable")[:_HTML_TOP]
        rows = [("method", self.method), ("vertices", n), ("communities", self.n_communities),
                (f"quality ({self.params.get('quality', 'optimised')})", self.quality),
                ("singletons", int(np.sum(sizes == 1)))]
        rows += [(key, value) for key, value in self.params.items() if key != "quality"]
        top = [(int(c), int(sizes[c]), sizes[c] / n) for c in order]
        return _summary_html("community.Partition", rows,
                             table=("largest communities", ("community", "size", "fraction"),
                                    top))


#: Communities listed in a Partition's HTML summary.
_HTML_TOP = 8


def _summary_html(title: str, rows: Sequence[tuple[str, Any]], *,
                  table: tuple[str, Sequence[str], Sequence[Sequence[Any]]]) -> str:
    """An escaped HTML summary (title, name/value rows, one small table) for Jupyter.

    The twin of ``wiring._html.summary_html``: ``community`` imports only
    ``wiring.runs`` and ``wiring.errors`` from ``wiring``.
    """
    def text(value: Any) -> str:
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        if isinstance(value, numbers.Integral):
            return html.escape(str(int(value)))
        if isinstance(value, numbers.Real):
            return f"{float(value):.4g}"
        return html.escape(str(value))

    cell = 'style="text-align:left;padding:0 1em 0 0"'
    out = [f'<div class="community-repr"><b>{html.escape(title)}</b><table>']
    out += [f"<tr><th {cell}>{text(k)}</th><td {cell}>{text(v)}</td></tr>" for k, v in rows]
    caption, columns, body = table
    out.append(f'</table><table><caption style="text-align:left">{html.escape(caption)}'
               "</caption><tr>" + "".join(f"<th {cell}>{text(c)}</th>" for c in columns)
               + "</tr>")
    out += ["<tr>" + "".join(f"<td {cell}>{text(v)}</td>" for v in row) + "</tr>"
            for row in body]
    return "".join(out) + "</table></div>"


def relabel(membership: ArrayLike) -> np.ndarray:
    """Renumber communities by decreasing size, from 0 to K - 1.

    Parameters
    ----------
    membership : array_like of int, shape (n,)
        Any integer labels (negative ones included).

    Returns
    -------
    ndarray of int64, shape (n,), read-only
        The same partition; the largest community is 0, ties are ordered by
        their lowest vertex index.

    Examples
    --------
    >>> relabel([7, 3, 3, 7, 9, 3]).tolist()
    [1, 0, 0, 1, 2, 0]
    """
    m = np.asarray(membership)
    if m.ndim != 1 or (m.size and not np.issubdtype(m.dtype, np.integer)):
        raise CommunityError(f"`membership` must be a 1-D integer array, got {m!r}")
    labels, first, inverse, counts = np.unique(m, return_index=True, return_inverse=True,
                                               return_counts=True)
    order = np.lexsort((first, -counts))          # by size desc, then first vertex
    rank = np.empty(labels.size, dtype=np.int64)
    rank[order] = np.arange(labels.size, dtype=np.int64)
    out = rank[inverse.reshape(-1)]
    out.setflags(write=False)
    return out


def match_labels(
    membership: ArrayLike,
    reference: ArrayLike,
    *,
    first_new: int | None = None,
) -> np.ndarray:
    """Relabel a partition so its communities take the labels of the reference's.

    Partitions found separately (other snapshots, seeds or methods) number their
    communities independently: this renames the communities of ``membership`` so
    that each one carries the label of the ``reference`` community it shares the
    most vertices with, one to one. The pairing maximises the total number of
    vertices that keep their reference label, ``sum_(a, b) |a & b|`` over the
    matched pairs ``(a, b)`` (an optimal assignment,
    :func:`scipy.optimize.linear_sum_assignment` on the contingency table, solved
    separately for each connected block of overlapping communities). It is optimal
    rather than greedy (largest overlap first) because the greedy choice can leave
    more vertices changing label: with overlaps ``|a1 & b1| = 5``,
    ``|a1 & b2| = 4``, ``|a2 & b1| = 4``, greedy pairs ``a1-b1`` and keeps 5
    vertices, the assignment pairs ``a1-b2``, ``a2-b1`` and keeps 8. Ties between
    equally good pairings are broken deterministically (by the solver).

    A community paired with none, or only with one it shares no vertex with (more
    communities than the reference has, or one new since), gets a fresh label:
    ``first_new``, ``first_new + 1``, ... by decreasing size (ties: lowest vertex
    first). When a reference community splits, the larger overlap keeps its label
    and the rest is new; when two merge, the merged one takes the label of the one
    it holds more of.

    Negative labels mean "unassigned" (e.g. neurons left out of the analysis): in
    ``membership`` they are returned unchanged and never matched; in ``reference``
    those vertices belong to no community.

    Parameters
    ----------
    membership : array_like of int, shape (n,)
        The partition to relabel; any integer labels.
    reference : array_like of int, shape (n,)
        The partition whose labels to follow, for the same vertices in the same order.
    first_new : int, optional
        First label given to an unmatched community; default one more than the
        largest label of ``reference`` (0 if it has none). Must be larger than every
        label of ``reference``, so a new community never takes an existing label.
        (Pass one more than every label used so far when chaining a sequence, so a
        label that disappeared is not reused for another community.)

    Returns
    -------
    ndarray of int64, shape (n,)
        The same partition as ``membership`` (two vertices share a label if and
        only if they did), with matched communities labelled as in ``reference``.

    Raises
    ------
    CommunityError
        If an argument is not a 1-D integer array, the lengths differ, or
        ``first_new`` is not an integer above every label of ``reference``.

    Examples
    --------
    >>> match_labels([7, 7, 3, 3, 5], [0, 0, 1, 1, 1]).tolist()
    [0, 0, 1, 1, 2]

    A split: the larger part keeps the reference label, the smaller one is new.

    >>> match_labels([4, 4, 4, 9, 9, 2, 2], [1, 1, 1, 1, 1, 0, 0]).tolist()
    [1, 1, 1, 2, 2, 0, 0]

    A merge: the merged community follows the one it holds more of.

    >>> match_labels([0, 0, 0, 0, 0, -1], [5, 5, 5, 8, 8, 8]).tolist()
    [5, 5, 5, 5, 5, -1]
    """
    from scipy.optimize import linear_sum_assignment
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    m = _labels(membership, "membership")
    r = _labels(reference, "reference")
    if m.size != r.size:
        raise CommunityError(f"`membership` has length {m.size} but `reference` has {r.size}; "
                             "both must label the same vertices")
    ref_labels = np.unique(r[r >= 0])
    top = int(ref_labels[-1]) if ref_labels.size else -1
    if first_new is None:
        first_new = top + 1
    elif (isinstance(first_new, bool) or not isinstance(first_new, numbers.Integral)
          or first_new <= top):
        raise CommunityError(f"`first_new` must be an integer larger than every label of "
                             f"`reference` (> {top}), got {first_new!r}")
    out = m.copy()
    assigned = np.flatnonzero(m >= 0)
    labels, first, a = np.unique(m[assigned], return_index=True, return_inverse=True)
    ka, kb = labels.size, ref_labels.size
    both = r[assigned] >= 0
    # contingency table, sparse: overlaps[k] vertices in community rows[k] and ref cols[k]
    pairs, overlaps = np.unique(
        a[both] * kb + np.searchsorted(ref_labels, r[assigned][both]), return_counts=True)
    rows, cols = pairs // max(kb, 1), pairs % max(kb, 1)
    new = np.full(ka, -1, dtype=np.int64)
    if pairs.size:
        # communities overlapping no community of another block never pair across blocks,
        # so each connected block of the overlap graph is an assignment of its own
        graph = coo_array((np.ones(pairs.size), (rows, ka + cols)), shape=(ka + kb, ka + kb))
        _, block = connected_components(graph, directed=False)
        pb = block[rows]
        alone = np.bincount(pb)[pb] == 1  # the pair is its block: match it directly
        new[rows[alone]] = ref_labels[cols[alone]]
        rest = np.flatnonzero(~alone)
        rest = rest[np.argsort(pb[rest], kind="stable")]
        for sel in np.split(rest, np.flatnonzero(np.diff(pb[rest])) + 1):
            if not sel.size:
                continue
            ra, rb = np.unique(rows[sel], return_inverse=True)
            ca, cb = np.unique(cols[sel], return_inverse=True)
            table = np.zeros((ra.size, ca.size), dtype=np.int64)
            table[rb, cb] = overlaps[sel]
            i, j = linear_sum_assignment(table, maximize=True)
            hit = table[i, j] > 0  # a pair sharing no vertex is no match
            new[ra[i[hit]]] = ref_labels[ca[j[hit]]]
    spare = np.flatnonzero(new < 0)
    sizes = np.bincount(a, minlength=ka)
    order = spare[np.lexsort((first[spare], -sizes[spare]))]
    new[order] = int(first_new) + np.arange(order.size, dtype=np.int64)
    out[assigned] = new[a]
    return out


def _labels(values: ArrayLike, name: str) -> np.ndarray:
    """A 1-D integer label array as int64 (a copy), or CommunityError naming ``name``."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise CommunityError(f"`{name}` must be 1-D, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise CommunityError(f"`{name}` must hold integer community labels, got dtype "
                             f"{arr.dtype}")
    return arr.astype(np.int64)


# --------------------------------------------------------------------------- helpers


def _as_graph(W: Any, mode: str | None) -> WeightGraph:
    if isinstance(W, WeightGraph):
        if mode is not None and mode != W.mode:
            raise CommunityError(
                f"`mode` {mode!r} differs from the WeightGraph's own mode {W.mode!r}; "
                "pass mode=None with a WeightGraph"
            )
        return W
    return weight_graph(W, mode="abs" if mode is None else mode)


def _check_resolution(resolution: Any, quality: str) -> float:
    if isinstance(resolution, bool) or not isinstance(resolution, int | float | np.number):
        raise CommunityError(f"`resolution` must be a number, got {resolution!r}")
    resolution = float(resolution)
    if not (math.isfinite(resolution) and resolution > 0):
        raise CommunityError(f"`resolution` must be a finite number > 0, got {resolution!r}")
    if quality == "modularity" and resolution != 1.0:
        raise CommunityError(
            f"`resolution` {resolution!r} needs quality='rb' (or 'cpm'); "
            "quality='modularity' has resolution 1"
        )
    return resolution


def _int_seed(seed: Any) -> int:
    """A non-negative int for leidenalg/networkx from an int, a Generator or None."""
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0:
        return int(seed) % (2**31 - 1)
    return int(_as_rng(seed).integers(2**31 - 1))


def _weight_scale(graph: WeightGraph) -> float:
    """A power of two bringing the largest weight of ``graph`` near 1 when it lies outside
    ``community.graphs.SAFE_WEIGHT`` (else 1.0: results are bit-for-bit unscaled ones).

    Without it networkx's Louvain raises OverflowError and leidenalg returns -inf for
    weights near 1e200. Every quality here is invariant under the scaling (CPM's
    resolution is divided by the same factor and its quality multiplied back).
    """
    top = max((float(np.max(layer.es["weight"])) for layer in graph.layers if layer.ecount()),
              default=0.0)
    return _safe_scale(top)


def _layer_partitions(graph: WeightGraph, quality: str, resolution: float,
                      membership: list[int] | None = None):
    """leidenalg partitions of the non-empty layers and their optimisation weights."""
    parts, weights = [], []
    scale = _weight_scale(graph)
    for k, (layer, lw) in enumerate(zip(graph.layers, graph.layer_weights, strict=True)):
        if layer.ecount() == 0:
            continue
        kind = _PARTITION_TYPES[quality]
        w = layer.es["weight"] if scale == 1.0 else [x / scale for x in layer.es["weight"]]
        kwargs: dict[str, Any] = {"weights": "weight" if scale == 1.0 else w,
                                  "initial_membership": membership}
        if quality != "modularity":
            # CPM: the negative layer of a signed graph has no size penalty
            negative_cpm = quality == "cpm" and graph.mode == "signed" and k == 1
            kwargs["resolution_parameter"] = 0.0 if negative_cpm else (
                resolution / scale if quality == "cpm" else resolution)
        parts.append(kind(layer, **kwargs))
        m = float(np.sum(w))
        if not layer.is_directed():
            m *= 2.0  # leidenalg's undirected rb is 2 m Q, with m the sum of edge weights
        # CPM is in weight units: its scaled quality times `scale` is the unscaled one
        weights.append(lw / m if quality == "rb" else lw * scale if quality == "cpm" else lw)
    return parts, weights


def _combined_quality(parts, weights, quality: str) -> float:
    # "rb" weights already carry 1/m, so this is the normalised quality for every type
    return float(sum(w * p.quality() for p, w in zip(parts, weights, strict=True)))


def _require_edges(graph: WeightGraph) -> None:
    if graph.n_edges == 0:
        raise CommunityError(
            f"`W` graph ({graph.mode!r} weights, {graph.n} vertices) has no edges after "
            "thresholding; nothing to partition"
        )


# --------------------------------------------------------------------------- detectors


def leiden(
    W: Weights | WeightGraph,
    *,
    quality: str = "modularity",
    resolution: float = 1.0,
    mode: str | None = None,
    seed: int | np.random.Generator | None = 0,
    n_iterations: int = -1,
) -> Partition:
    """Partition a weight graph with the Leiden algorithm (leidenalg).

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph, Snapshot or WeightGraph
        Weights ``W[i, j]`` onto ``i`` from ``j`` (:func:`community.graphs.as_weights`;
        a sparse input above :data:`community.graphs.DENSE_MAX_NEURONS` neurons is never
        made dense), or a graph built by :func:`community.graphs.weight_graph` (with its
        threshold, top-k, nodes).
    quality : {"modularity", "rb", "cpm"}, default "modularity"
        Quality function (module docstring).
    resolution : float, default 1.0
        Resolution ``gamma`` of ``"rb"`` and ``"cpm"``; must be 1 for ``"modularity"``.
    mode : {"abs", "pos", "neg", "signed", "sym"}, optional
        Weight mode used to build the graph from a matrix or snapshot (default
        ``"abs"``; ``"sym"`` builds the undirected ``(|W| + |W|^T) / 2``). With a
        WeightGraph leave it ``None`` (the graph's own mode is used); a different
        value raises.
    seed : int, numpy Generator or None, default 0
        Seed of leidenalg's random number generator.
    n_iterations : int, default -1
        Leiden iterations; ``-1`` iterates until an iteration brings no improvement.

    Returns
    -------
    Partition
        ``method="leiden"``; ``quality`` as defined in the module docstring (for
        ``"modularity"`` and ``"rb"`` it equals
        :func:`community.measures.modularity` of the membership with the same
        mode and resolution); ``params`` holds quality, resolution, mode, seed,
        n_iterations.

    Raises
    ------
    CommunityError
        Bad weights, unknown ``quality`` or ``mode``, bad ``resolution`` or
        ``n_iterations``, or a graph without edges ("graph has no edges after
        thresholding": callers may skip and record it).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(3), np.ones((4, 4))) - np.eye(12)   # three 4-cliques
    >>> p = leiden(W)
    >>> p.membership.tolist(), round(p.quality, 4)
    ([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 0.6667)
    >>> leiden(W, quality="cpm", resolution=0.5).n_communities
    3
    >>> round(leiden(np.triu(W), mode="sym").quality, 4)       # one direction per pair
    0.6667
    """
    quality = _check_choice(quality, "quality", QUALITIES)
    resolution = _check_resolution(resolution, quality)
    if (not isinstance(n_iterations, int | np.integer) or isinstance(n_iterations, bool)
            or not (n_iterations == -1 or n_iterations > 0)):
        raise CommunityError(f"`n_iterations` must be -1 or a positive int, got {n_iterations!r}")
    graph = _as_graph(W, mode)
    _require_edges(graph)
    int_seed = _int_seed(seed)
    parts, weights = _layer_partitions(graph, quality, resolution)
    optimiser = la.Optimiser()
    optimiser.set_rng_seed(int_seed)
    if graph.mode == "signed":
        # a vertex may belong with vertices it has no positive link to (leidenalg docs)
        optimiser.consider_comms = la.ALL_COMMS
    if len(parts) == 1 and weights[0] > 0:
        optimiser.optimise_partition(parts[0], n_iterations=int(n_iterations))
    else:
        optimiser.optimise_partition_multiplex(parts, layer_weights=weights,
                                               n_iterations=int(n_iterations))
    return Partition(
        membership=relabel(np.asarray(parts[0].membership, dtype=np.int64)),
        quality=_combined_quality(parts, weights, quality),
        method="leiden",
        params={"quality": quality, "resolution": resolution, "mode": graph.mode,
                "seed": seed if isinstance(seed, int | None) else int_seed,
                "n_iterations": int(n_iterations)},
    )


def partition_quality(
    W: Weights | WeightGraph,
    membership: ArrayLike,
    *,
    quality: str = "modularity",
    resolution: float = 1.0,
    mode: str | None = None,
) -> float:
    """Evaluate a quality function of :func:`leiden` for a given membership.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph, Snapshot or WeightGraph
        The graph, as for :func:`leiden`.
    membership : array_like of int, shape (n,)
        Community of each vertex (non-negative labels).
    quality : {"modularity", "rb", "cpm"}, default "modularity"
        Quality function, normalised as :attr:`Partition.quality` is.
    resolution : float, default 1.0
        Resolution ``gamma`` (1 for ``"modularity"``).
    mode : {"abs", "pos", "neg", "signed", "sym"}, optional
        Weight mode for a matrix or snapshot (default ``"abs"``).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((3, 3))) - np.eye(6)
    >>> partition_quality(W, [0, 0, 0, 1, 1, 1])
    0.5
    >>> partition_quality(W, [0, 0, 0, 1, 1, 1], quality="cpm", resolution=0.5)
    6.0
    """
    quality = _check_choice(quality, "quality", QUALITIES)
    resolution = _check_resolution(resolution, quality)
    graph = _as_graph(W, mode)
    _require_edges(graph)
    m = _as_membership(membership, graph.n)
    parts, weights = _layer_partitions(graph, quality, resolution, membership=m.tolist())
    return _combined_quality(parts, weights, quality)


def louvain(
    W: Weights | WeightGraph,
    *,
    resolution: float = 1.0,
    mode: str | None = None,
    seed: int | np.random.Generator | None = 0,
) -> Partition:
    """Partition a weight graph with networkx's Louvain method (a cross-check of Leiden).

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph, Snapshot or WeightGraph
        As for :func:`leiden`.
    resolution : float, default 1.0
        Resolution ``gamma`` of the directed modularity.
    mode : {"abs", "pos", "neg", "sym"}, optional
        Weight mode for a matrix or snapshot (default ``"abs"``); ``"signed"`` is
        not supported (networkx's Louvain needs non-negative weights). With
        ``"sym"`` Louvain runs on the undirected graph.
    seed : int, numpy Generator or None, default 0
        Seed of networkx's random node order.

    Returns
    -------
    Partition
        ``method="louvain"``; ``quality`` is the directed (for ``"sym"``, the
        undirected) modularity at ``resolution`` (``"rb"`` in :func:`leiden`'s
        normalisation).

    Raises
    ------
    CommunityError
        Signed weights, bad ``resolution``, or a graph without edges.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((4, 4))) - np.eye(8)
    >>> p = louvain(W)
    >>> p.membership.tolist(), p.quality
    ([0, 0, 0, 0, 1, 1, 1, 1], 0.5)
    """
    resolution = _check_resolution(resolution, "rb")
    graph = _as_graph(W, mode)
    if graph.mode == "signed":
        raise CommunityError("`mode` 'signed' is not supported by louvain; use leiden, or "
                             "one of 'abs', 'pos', 'neg', 'sym'")
    _require_edges(graph)
    int_seed = _int_seed(seed)
    G = graph.to_networkx()
    scale = _weight_scale(graph)
    if scale != 1.0:  # modularity is invariant under scaling; networkx's sums are not safe
        for _, _, d in G.edges(data=True):
            d["weight"] /= scale
    comms = nx.community.louvain_communities(G, weight="weight", resolution=resolution,
                                             seed=int_seed)
    # networkx graphs are reference cycles (cached degree views hold their graph): free
    # them now, or their memory (~0.5 GB per 1e6 edges) stays until some later collection
    n_edges = G.number_of_edges()
    del G
    if n_edges > 100_000:  # a collection costs ~0.2 s: only where the memory matters
        gc.collect()
    membership = np.empty(graph.n, dtype=np.int64)
    for c, nodes in enumerate(comms):
        membership[list(nodes)] = c
    membership = relabel(membership)
    parts, weights = _layer_partitions(graph, "rb", resolution, membership=membership.tolist())
    return Partition(
        membership=membership,
        quality=_combined_quality(parts, weights, "rb"),
        method="louvain",
        params={"quality": "rb", "resolution": resolution, "mode": graph.mode,
                "seed": seed if isinstance(seed, int | None) else int_seed},
    )


def consensus(
    partitions: Sequence[Partition | ArrayLike],
    *,
    seed: int | np.random.Generator | None = 0,
    threshold: float = 0.5,
    graph: Weights | WeightGraph | None = None,
) -> Partition:
    """Consensus of several partitions of the same vertices (e.g. Leiden over seeds).

    Method (after Lancichinetti & Fortunato 2012, one pass): the co-assignment
    matrix ``D[i, j]`` is the fraction of partitions placing ``i`` and ``j`` in
    the same community; entries below ``threshold`` and the diagonal are set to
    0; the result is partitioned by Leiden (modularity, ``seed``) as a weighted
    graph. Vertices that no partition ever groups with another at the threshold
    stay singletons; if no pair reaches it, every vertex is its own community.
    Identical input partitions are returned unchanged (up to relabelling).

    Parameters
    ----------
    partitions : sequence of Partition or array_like of int
        At least one partition, all of the same length.
    seed : int, numpy Generator or None, default 0
        Seed of the Leiden run on the co-assignment graph.
    threshold : float, default 0.5
        Keep co-assignment fractions ``>= threshold``; in ``(0, 1]``.
    graph : array_like (n, n), sparse matrix, networkx graph, Snapshot or WeightGraph, optional
        The graph the partitions came from. If given, the consensus quality is
        evaluated on it with the quality function, resolution and mode of the
        input partitions (which must agree; see :func:`partition_quality`).

    Returns
    -------
    Partition
        ``method="consensus"``; ``quality`` is the inputs' quality function on
        ``graph`` when given, otherwise the modularity of the consensus on the
        thresholded co-assignment graph (NaN if that graph has no edges).
        ``params`` holds n_partitions, threshold, seed, quality_on and, with
        ``graph``, the inputs' quality, resolution and mode.

    Raises
    ------
    CommunityError
        No partitions, partitions of different lengths, ``threshold`` out of range, or
        more than :data:`community.graphs.DENSE_MAX_NEURONS` vertices (the
        co-assignment matrix is dense by nature: pass a single partition instead).

    Examples
    --------
    >>> runs = [[0, 0, 1, 1, 2], [1, 1, 0, 0, 0], [0, 0, 1, 1, 1]]
    >>> consensus(runs).membership.tolist()
    [1, 1, 0, 0, 0]
    """
    if isinstance(partitions, Partition | np.ndarray) or len(partitions) == 0:
        raise CommunityError("`partitions` must be a non-empty sequence of partitions")
    if not (isinstance(threshold, int | float | np.number) and 0 < threshold <= 1):
        raise CommunityError(f"`threshold` must lie in (0, 1], got {threshold!r}")
    members = []
    for k, p in enumerate(partitions):
        m = p.membership if isinstance(p, Partition) else p
        m = np.asarray(m)
        n = members[0].size if members else (m.size if m.ndim == 1 else -1)
        members.append(_as_membership(m, n, name=f"partitions[{k}]"))
    n = members[0].size
    if n > graphs.DENSE_MAX_NEURONS:
        raise _too_large("`partitions`", n, "the consensus co-assignment matrix")
    D = np.zeros((n, n), dtype=np.float64)
    for m in members:
        D += m[:, None] == m[None, :]
    D /= len(members)
    D[D < threshold - 1e-12] = 0.0
    np.fill_diagonal(D, 0.0)
    params: dict[str, Any] = {"n_partitions": len(members), "threshold": float(threshold),
                              "seed": seed if isinstance(seed, int | None) else None}
    if np.any(D > 0):
        found = leiden(D, seed=seed)
        membership, q = found.membership, found.quality
    else:
        membership, q = relabel(np.arange(n, dtype=np.int64)), float("nan")
    params["quality_on"] = "co-assignment"
    if graph is not None:
        inputs = [p.params for p in partitions if isinstance(p, Partition)]
        keys = {(p.get("quality"), p.get("resolution"), p.get("mode")) for p in inputs}
        if len(inputs) != len(members) or len(keys) != 1:
            raise CommunityError(
                "`graph` given, but `partitions` are not all Partition objects with the same "
                f"quality, resolution and mode (found {sorted(keys, key=str)})"
            )
        quality, resolution, mode = keys.pop()
        if isinstance(graph, WeightGraph):
            mode = None
        q = partition_quality(graph, membership, quality=quality, resolution=resolution,
                              mode=mode)
        params.update(quality_on="graph", quality=quality, resolution=resolution,
                      mode=mode if mode is not None else graph.mode)
    return Partition(membership=membership, quality=q, method="consensus", params=params)
