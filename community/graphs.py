"""Weight matrices and snapshots -> directed, weighted igraph graphs.

A trained circuit is a dense weight matrix ``W`` with ``W[i, j]`` the weight onto
neuron ``i`` from neuron ``j`` (edge ``j -> i``), or a
:class:`wiring.runs.Snapshot` holding the same weights as an edge list. This
module validates either once, at the boundary, and turns it into a
:class:`WeightGraph`: one igraph layer per sign of weight (directed, except for
``"sym"``), every edge carrying a positive ``"weight"`` attribute, ready for
:mod:`leidenalg`.

Weight modes (:data:`WEIGHT_MODES`):

``"abs"``
    one layer, weight ``|W[i, j]|``;
``"pos"``
    one layer, the excitatory part ``max(W[i, j], 0)``;
``"neg"``
    one layer, the inhibitory part ``max(-W[i, j], 0)``;
``"signed"``
    two layers, ``(W+, |W-|)``, with layer weights ``(1.0, -1.0)``: the
    quality of a partition is that of the positive layer minus that of the
    negative layer, as in leidenalg's multiplex recipe for negative links;
``"sym"``
    one *undirected* layer, the symmetrised absolute weights
    ``S = (|W| + |W|^T) / 2``: one edge ``{i, j}`` of weight ``S[i, j]`` per
    pair (``i < j``) and a self-loop of weight ``S[i, i] = |W[i, i]|``. As in
    igraph, leidenalg and networkx, a self-loop counts twice in its neuron's
    strength, i.e. the graph's adjacency matrix is ``S + diag(S)``. ``S`` keeps
    the total weight of ``|W|``, and the strength of ``i`` is the mean of its
    in- and out-strengths (plus ``|W[i, i]|``).

Examples
--------
>>> import numpy as np
>>> W = np.array([[0.0, 2.0, 0.0],
...               [-1.0, 0.0, 0.0],
...               [0.0, 0.5, 0.0]])
>>> g = weight_graph(W, mode="signed")
>>> [layer.ecount() for layer in g.layers], g.layer_weights
([2, 1], (1.0, -1.0))
>>> sorted(g.to_networkx().edges(data="weight"))
[(0, 1, -1.0), (1, 0, 2.0), (1, 2, 0.5)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
from numpy.typing import ArrayLike

from wiring.errors import WiringError
from wiring.runs import Snapshot

__all__ = [
    "WEIGHT_MODES",
    "CommunityError",
    "WeightGraph",
    "weight_graph",
    "dense_weights",
    "transform_weights",
    "from_networkx",
]

#: Which weights form the graph: ``|W|``, ``W+``, ``|W-|``, both signs as two layers, or
#: the undirected ``(|W| + |W|^T) / 2``.
WEIGHT_MODES = ("abs", "pos", "neg", "signed", "sym")


#: Largest (and, inverted, smallest) weight magnitude the measures and quality functions
#: take as it is: beyond it products such as ``k_i k_j`` or ``m**2`` can overflow (or
#: underflow) float64. Scale-invariant quantities are computed on weights divided by a
#: power of two (:func:`_safe_scale`, exact); within this range nothing is rescaled.
SAFE_WEIGHT = 2.0**400


def _safe_scale(top: float) -> float:
    """1.0 if ``top`` (a largest weight) is 0 or in ``[1/SAFE_WEIGHT, SAFE_WEIGHT]``,
    else the power of two nearest below it (dividing by it is exact)."""
    top = float(top)
    if top == 0.0 or not math.isfinite(top) or 1.0 / SAFE_WEIGHT <= top <= SAFE_WEIGHT:
        return 1.0
    return 2.0 ** math.floor(math.log2(top))


class CommunityError(WiringError):
    """Bad input to :mod:`community`: malformed weights, memberships or options.

    Examples
    --------
    >>> issubclass(CommunityError, ValueError)
    True
    """


# --------------------------------------------------------------------------- boundary helpers


def _check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise CommunityError(
            f"unknown `{name}` {value!r}; choose one of {', '.join(map(repr, choices))}"
        )
    return value


def _describe(obj: Any, name: str) -> str:
    if isinstance(obj, Snapshot):
        where = repr(str(obj.path)) if obj.path is not None else "(in memory)"
        return f"`{name}` (snapshot file {where})"
    return f"`{name}`"


def dense_weights(W: ArrayLike | Snapshot, *, name: str = "W") -> np.ndarray:
    """Validate a weight matrix or snapshot and return it as a dense float64 array.

    Parameters
    ----------
    W : array_like of shape (n, n) or Snapshot
        ``W[i, j]`` is the weight onto neuron ``i`` from neuron ``j``. A
        :class:`wiring.runs.Snapshot` is expanded with ``Snapshot.dense()``.
    name : str, default "W"
        Argument name used in error messages.

    Returns
    -------
    ndarray of float64, shape (n, n)
        A new array (never a view of the input).

    Raises
    ------
    CommunityError
        If ``W`` is not a square 2-D numeric array or holds NaN or infinite
        weights (the message names the snapshot file for a snapshot).

    Examples
    --------
    >>> dense_weights([[0, 1], [2, 0]])
    array([[0., 1.],
           [2., 0.]])
    >>> dense_weights([[0.0, float("nan")], [0.0, 0.0]])
    Traceback (most recent call last):
    ...
    community.graphs.CommunityError: `W` holds 1 non-finite weight(s) (first at W[0, 1] = nan)
    """
    what = _describe(W, name)
    if isinstance(W, Snapshot):
        weight = np.asarray(W.weight, dtype=np.float64)
        bad = ~np.isfinite(weight)
        if bad.any():
            e = int(np.flatnonzero(bad)[0])
            raise CommunityError(
                f"{what} holds {int(bad.sum())} non-finite weight(s) (first at edge {e}: "
                f"{int(W.src[e])} -> {int(W.dst[e])}, weight {float(weight[e])!r})"
            )
        return W.dense()
    try:
        A = np.array(W, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CommunityError(f"{what} must be a numeric (n, n) array: {exc}") from None
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise CommunityError(f"{what} must be a square (n, n) matrix, got shape {A.shape}")
    bad = ~np.isfinite(A)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise CommunityError(
            f"{what} holds {int(bad.sum())} non-finite weight(s) "
            f"(first at {name}[{i}, {j}] = {float(A[i, j])!r})"
        )
    return A


def transform_weights(W: ArrayLike | Snapshot, *, mode: str = "abs") -> np.ndarray:
    """Apply a weight mode to a weight matrix.

    Parameters
    ----------
    W : array_like of shape (n, n) or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    mode : {"abs", "pos", "neg", "signed", "sym"}, default "abs"
        ``"abs"``: ``|W|``; ``"pos"``: ``max(W, 0)``; ``"neg"``: ``max(-W, 0)``;
        ``"signed"``: ``W`` unchanged; ``"sym"``: ``(|W| + |W|^T) / 2``.

    Returns
    -------
    ndarray of float64, shape (n, n)

    Examples
    --------
    >>> transform_weights([[0.0, -2.0], [1.0, 0.0]], mode="neg")
    array([[0., 2.],
           [0., 0.]])
    >>> transform_weights([[0.0, -2.0], [1.0, 0.0]], mode="sym")
    array([[0. , 1.5],
           [1.5, 0. ]])
    """
    mode = _check_choice(mode, "mode", WEIGHT_MODES)
    return _transform(dense_weights(W), mode)


def _transform(A: np.ndarray, mode: str) -> np.ndarray:
    if mode == "abs":
        return np.abs(A)
    if mode == "pos":
        return np.maximum(A, 0.0)
    if mode == "neg":
        return np.maximum(-A, 0.0)
    if mode == "sym":
        B = np.abs(A)
        return (B + B.T) / 2.0
    return A.copy()


def _as_membership(membership: ArrayLike, n: int, *, name: str = "membership") -> np.ndarray:
    """Validate a community vector: 1-D, length ``n``, non-negative integers -> int64."""
    m = np.asarray(membership)
    if m.ndim != 1:
        raise CommunityError(f"`{name}` must be 1-D, got shape {m.shape}")
    if m.size != n:
        raise CommunityError(
            f"`{name}` has length {m.size} but the graph has {n} neurons"
        )
    if m.size and not np.issubdtype(m.dtype, np.integer):
        if not (np.issubdtype(m.dtype, np.floating) and np.all(np.isfinite(m))
                and np.all(m == np.round(m))):
            raise CommunityError(f"`{name}` must hold integer community labels, got {m.dtype}")
    m = m.astype(np.int64)
    if m.size and m.min() < 0:
        raise CommunityError(f"`{name}` labels must be >= 0, got {int(m.min())}")
    return m


def _as_rng(seed: Any, name: str = "seed") -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)
                        and seed >= 0):
        return np.random.default_rng(seed)
    raise CommunityError(
        f"`{name}` must be a non-negative int, a numpy Generator or None, got {seed!r}"
    )


# --------------------------------------------------------------------------- the graph


@dataclass(frozen=True, eq=False)
class WeightGraph:
    """A weight matrix as one or two igraph layers.

    Attributes
    ----------
    layers : tuple of igraph.Graph
        Graphs on the same vertices ``0 .. n-1``, with a positive edge attribute
        ``"weight"``. Directed, with edge ``j -> i`` for a kept weight
        ``W[i, j]``: one layer for modes ``"abs"``, ``"pos"`` and ``"neg"``; two,
        ``(W+, |W-|)``, for ``"signed"``. For ``"sym"``, one undirected layer with
        edge ``{i, j}`` (``i <= j``) weighted ``S[i, j]``.
    layer_weights : tuple of float
        ``(1.0,)`` or, for ``"signed"``, ``(1.0, -1.0)``.
    nodes : ndarray of int64
        Original neuron index of each vertex.
    mode : str
        The weight mode (one of :data:`WEIGHT_MODES`).

    Examples
    --------
    >>> g = weight_graph([[0.0, 1.0], [-3.0, 0.0]], mode="abs")
    >>> g.n, g.n_edges, g.layers[0].es["weight"]
    (2, 2, [1.0, 3.0])
    """

    layers: tuple[ig.Graph, ...]
    layer_weights: tuple[float, ...]
    nodes: np.ndarray
    mode: str

    @property
    def n(self) -> int:
        """Number of vertices."""
        return int(self.nodes.size)

    @property
    def n_edges(self) -> int:
        """Number of edges over all layers."""
        return int(sum(layer.ecount() for layer in self.layers))

    def dense(self) -> np.ndarray:
        """Return the graph as a weight matrix over its vertices.

        Returns
        -------
        ndarray of float64, shape (n, n)
            ``A[i, j]`` is the weight of edge ``j -> i``: for one layer its
            (positive) weight, for ``"signed"`` the positive layer minus the
            negative layer, i.e. the signed weight. For ``"sym"`` the symmetric
            ``S``, each undirected edge ``{i, j}`` filling ``A[i, j]`` and ``A[j, i]``.

        Examples
        --------
        >>> weight_graph([[0.0, 1.0], [-3.0, 0.0]], mode="signed").dense()
        array([[ 0.,  1.],
               [-3.,  0.]])
        >>> weight_graph([[0.0, 1.0], [-3.0, 0.0]], mode="sym").dense()
        array([[0., 2.],
               [2., 0.]])
        """
        A = np.zeros((self.n, self.n), dtype=np.float64)
        for layer, lw in zip(self.layers, self.layer_weights, strict=True):
            src, dst, w = _edge_arrays(layer)
            A[dst, src] += lw * w
            if not layer.is_directed():
                off = src != dst
                A[src[off], dst[off]] += lw * w[off]
        return A

    def to_networkx(self) -> nx.DiGraph | nx.Graph:
        """Return the graph as a networkx DiGraph (an undirected Graph for ``"sym"``).

        Returns
        -------
        networkx.DiGraph or networkx.Graph
            Nodes ``0 .. n-1`` (vertex indices) with attribute ``"neuron"`` (the
            original neuron index); edge ``j -> i`` with attribute ``"weight"``:
            the layer weight, or for ``"signed"`` the signed weight. For
            ``"sym"`` an undirected graph with edge ``{i, j}`` weighted ``S[i, j]``.

        Examples
        --------
        >>> G = weight_graph([[0.0, 1.0], [-3.0, 0.0]], mode="signed").to_networkx()
        >>> sorted(G.edges(data="weight")), G.nodes[1]["neuron"]
        ([(0, 1, -3.0), (1, 0, 1.0)], 1)
        """
        directed = all(layer.is_directed() for layer in self.layers)
        G = nx.DiGraph() if directed else nx.Graph()
        G.add_nodes_from((v, {"neuron": int(x)}) for v, x in enumerate(self.nodes))
        for layer, lw in zip(self.layers, self.layer_weights, strict=True):
            src, dst, w = _edge_arrays(layer)
            G.add_weighted_edges_from(
                zip(src.tolist(), dst.tolist(), (lw * w).tolist(), strict=True)
            )
        return G


def _edge_arrays(layer: ig.Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if layer.ecount() == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    edges = np.asarray(layer.get_edgelist(), dtype=np.int64)
    return edges[:, 0], edges[:, 1], np.asarray(layer.es["weight"], dtype=np.float64)


def _layer(A: np.ndarray) -> ig.Graph:
    """Directed igraph with edge ``j -> i`` weighted ``A[i, j]`` for every ``A[i, j] > 0``."""
    dst, src = np.nonzero(A > 0)
    # (src, dst) tuples from two flat lists: the GC does not track tuples of ints, so this
    # is ~5x faster than column_stack(...).tolist() (a million 2-lists) on 1e6 edges
    g = ig.Graph(n=A.shape[0], edges=list(zip(src.tolist(), dst.tolist(), strict=True)),
                 directed=True)
    g.es["weight"] = A[dst, src].tolist()
    return g


def _undirected_layer(S: np.ndarray) -> ig.Graph:
    """Undirected igraph: edge ``{i, j}`` weighted ``S[i, j]`` for every ``S[i, j] > 0``, i <= j."""
    i, j = np.nonzero(np.triu(S) > 0)
    g = ig.Graph(n=S.shape[0], edges=list(zip(i.tolist(), j.tolist(), strict=True)),
                 directed=False)
    g.es["weight"] = S[i, j].tolist()
    return g


def weight_graph(
    W: ArrayLike | Snapshot,
    *,
    mode: str = "abs",
    threshold: float | None = None,
    top_k: int | None = None,
    nodes: ArrayLike | None = None,
) -> WeightGraph:
    """Build the directed weight graph of a weight matrix or snapshot.

    Steps, in order: restrict to ``nodes``; apply the weight ``mode``; drop
    weights with ``|w| < threshold``; keep each neuron's ``top_k`` strongest
    incoming edges by ``|w|``. For ``"sym"`` the threshold applies to ``S``
    and an undirected edge stays if it is among the ``top_k`` strongest of
    either of its two neurons (so the graph stays symmetric).

    Parameters
    ----------
    W : array_like of shape (n, n) or Snapshot
        ``W[i, j]`` is the weight onto neuron ``i`` from neuron ``j`` (edge ``j -> i``).
    mode : {"abs", "pos", "neg", "signed", "sym"}, default "abs"
        Which weights form the graph (see the module docstring).
    threshold : float, optional
        Keep only weights with ``|w| >= threshold`` (after the mode is applied).
        ``None`` or ``0`` keeps every non-zero weight.
    top_k : int, optional
        Keep, for every neuron, only its ``top_k`` incoming edges of largest
        ``|w|`` (over both signs for ``"signed"``); ties go to the lower source index.
    nodes : array_like of int, optional
        Neurons to keep (e.g. the hidden neurons), in the order given; vertex
        ``v`` of the graph is neuron ``nodes[v]``. Default: all neurons.

    Returns
    -------
    WeightGraph

    Raises
    ------
    CommunityError
        Non-finite or non-square ``W``, unknown ``mode``, negative or non-finite
        ``threshold``, ``top_k < 1``, or ``nodes`` out of range or repeated.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 0.1, 3.0],
    ...               [2.0, 0.0, -0.5],
    ...               [1.0, 0.0, 0.0]])
    >>> g = weight_graph(W, threshold=0.2)
    >>> sorted(g.to_networkx().edges(data="weight"))
    [(0, 1, 2.0), (0, 2, 1.0), (2, 0, 3.0), (2, 1, 0.5)]
    >>> weight_graph(W, top_k=1).n_edges
    3
    >>> weight_graph(W, nodes=[0, 1], mode="pos").dense()
    array([[0. , 0.1],
           [2. , 0. ]])
    >>> g = weight_graph(W, mode="sym")
    >>> g.layers[0].is_directed(), g.n_edges, g.layers[0].es["weight"]
    (False, 3, [1.05, 2.0, 0.25])
    """
    mode = _check_choice(mode, "mode", WEIGHT_MODES)
    A = dense_weights(W)
    n = A.shape[0]
    if nodes is None:
        idx = np.arange(n, dtype=np.int64)
    else:
        raw = np.asarray(nodes)
        if raw.ndim != 1 or (raw.size and not np.issubdtype(raw.dtype, np.integer)):
            raise CommunityError(f"`nodes` must be a 1-D array of neuron indices, got {raw!r}")
        idx = raw.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise CommunityError(f"`nodes` must lie in [0, {n}), got values in "
                                 f"[{int(idx.min())}, {int(idx.max())}]")
        if np.unique(idx).size != idx.size:
            raise CommunityError("`nodes` holds repeated neuron indices")
        A = A[np.ix_(idx, idx)]
    A = _transform(A, mode)
    if threshold is not None:
        if not (isinstance(threshold, int | float | np.number) and math.isfinite(threshold)
                and threshold >= 0):
            raise CommunityError(
                f"`threshold` must be a finite number >= 0, got {threshold!r}"
            )
        A[np.abs(A) < threshold] = 0.0
    if top_k is not None:
        if not isinstance(top_k, int | np.integer) or isinstance(top_k, bool) or top_k < 1:
            raise CommunityError(f"`top_k` must be an integer >= 1, got {top_k!r}")
        if top_k < A.shape[1]:
            # stable sort of -|w| per row: ties keep the lower source index first
            order = np.argsort(-np.abs(A), axis=1, kind="stable")
            drop = order[:, top_k:]
            if mode == "sym":
                # an undirected edge stays if either of its two neurons keeps it
                keep = np.ones(A.shape, dtype=bool)
                np.put_along_axis(keep, drop, False, axis=1)
                A[~(keep | keep.T)] = 0.0
            else:
                np.put_along_axis(A, drop, 0.0, axis=1)
    if mode == "signed":
        layers = (_layer(np.maximum(A, 0.0)), _layer(np.maximum(-A, 0.0)))
        layer_weights = (1.0, -1.0)
    elif mode == "sym":
        layers = (_undirected_layer(A),)
        layer_weights = (1.0,)
    else:
        layers = (_layer(A),)
        layer_weights = (1.0,)
    idx.setflags(write=False)
    return WeightGraph(layers=layers, layer_weights=layer_weights, nodes=idx, mode=mode)


def from_networkx(G: nx.Graph, *, weight: str = "weight") -> np.ndarray:
    """Return the weight matrix of a networkx graph (the inverse of ``to_networkx``).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Neuron ``i`` is the ``i``-th node of ``list(G.nodes)``. An edge ``u -> v``
        sets ``W[v, u]``; an undirected edge sets both ``W[v, u]`` and ``W[u, v]``.
    weight : str, default "weight"
        Edge attribute holding the weight; edges without it weigh ``1.0``.

    Returns
    -------
    ndarray of float64, shape (n, n)

    Raises
    ------
    CommunityError
        If ``G`` is a multigraph or a weight is not a finite number.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b", {"weight": -2.0}), ("b", "c", {})])
    >>> from_networkx(G)
    array([[ 0.,  0.,  0.],
           [-2.,  0.,  0.],
           [ 0.,  1.,  0.]])
    """
    if not isinstance(G, nx.Graph):
        raise CommunityError(f"`G` must be a networkx graph, got {type(G).__name__}")
    if G.is_multigraph():
        raise CommunityError("`G` is a multigraph; merge parallel edges first")
    index = {node: k for k, node in enumerate(G.nodes)}
    W = np.zeros((len(index), len(index)), dtype=np.float64)
    for u, v, w in G.edges(data=weight, default=1.0):
        try:
            w = float(w)
        except (TypeError, ValueError):
            raise CommunityError(f"`G` edge {u!r} -> {v!r} has non-numeric {weight!r} "
                                 f"{w!r}") from None
        if not math.isfinite(w):
            raise CommunityError(f"`G` edge {u!r} -> {v!r} has non-finite {weight!r} {w!r}")
        W[index[v], index[u]] = w
        if not G.is_directed():
            W[index[u], index[v]] = w
    return W
