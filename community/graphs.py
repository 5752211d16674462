"""Weight matrices and snapshots -> directed, weighted igraph graphs.

A trained circuit is a weight matrix ``W`` with ``W[i, j]`` the weight onto
neuron ``i`` from neuron ``j`` (edge ``j -> i``): a dense array, a ``scipy.sparse``
matrix, a networkx graph (edge ``u -> v`` is ``W[v, u]``) or a
:class:`wiring.runs.Snapshot` holding the same weights as an edge list. This
module validates any of them once, at the boundary (:func:`as_weights`, the one
input coercion every :mod:`community` function uses), and turns it into a
:class:`WeightGraph`: one igraph layer per sign of weight (directed, except for
``"sym"``), every edge carrying a positive ``"weight"`` attribute, ready for
:mod:`leidenalg`.

Size: a sparse input (scipy.sparse, networkx, Snapshot) of at most
:data:`DENSE_MAX_NEURONS` neurons is expanded to a dense array, so it gives exactly the
results of the same dense matrix. Above it nothing builds an ``(n, n)`` array: the
weights stay a ``scipy.sparse.csr_array`` and memory grows with the number of synapses.
The few functions that need a dense matrix by nature (:func:`dense_weights`,
:func:`from_networkx`, :func:`community.detect.consensus`'s co-assignment matrix) raise a
:class:`CommunityError` naming the argument and its size instead. A dense array is used
as given, whatever its size (it already holds ``n**2`` numbers).

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
import scipy.sparse as sp
from numpy.typing import ArrayLike

from wiring.errors import WiringError
from wiring.runs import Snapshot

__all__ = [
    "WEIGHT_MODES",
    "DENSE_MAX_NEURONS",
    "CommunityError",
    "WeightGraph",
    "weight_graph",
    "as_weights",
    "dense_weights",
    "transform_weights",
    "from_networkx",
]

#: Which weights form the graph: ``|W|``, ``W+``, ``|W-|``, both signs as two layers, or
#: the undirected ``(|W| + |W|^T) / 2``.
WEIGHT_MODES = ("abs", "pos", "neg", "signed", "sym")

#: Largest number of neurons for which a sparse input (scipy.sparse, networkx graph,
#: Snapshot) is expanded to a dense ``(n, n)`` float64 array (32 MiB at 2048). Above it
#: the weights stay sparse (:func:`as_weights`) and memory is proportional to the number
#: of synapses; functions that need a dense matrix raise a :class:`CommunityError`
#: naming the argument and its size. Read at every call, so it can be changed.
DENSE_MAX_NEURONS = 2048

#: What a weight argument may be.
Weights = ArrayLike | Snapshot | sp.sparray | sp.spmatrix | nx.Graph


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


def _check_snapshot(W: Snapshot, what: str) -> None:
    weight = np.asarray(W.weight, dtype=np.float64)
    bad = ~np.isfinite(weight)
    if bad.any():
        e = int(np.flatnonzero(bad)[0])
        raise CommunityError(
            f"{what} holds {int(bad.sum())} non-finite weight(s) (first at edge {e}: "
            f"{int(W.src[e])} -> {int(W.dst[e])}, weight {float(weight[e])!r})"
        )


def _canonical(A: Any) -> sp.csr_array:
    """A new CSR float64 array: duplicates summed, explicit zeros dropped, columns sorted
    (entries in row-major order, as ``np.nonzero`` lists a dense array's)."""
    out = sp.csr_array(A, dtype=np.float64, copy=True)
    out.sum_duplicates()
    out.eliminate_zeros()
    out.sort_indices()
    return out


def _networkx_entries(G: nx.Graph, name: str, weight: str = "weight"
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``(rows, cols, values, n)`` of a networkx graph: edge ``u -> v`` is ``W[v, u]``, an
    undirected edge both ways; neuron ``i`` is the ``i``-th node of ``list(G.nodes)``."""
    if G.is_multigraph():
        raise CommunityError(f"`{name}` is a multigraph; merge parallel edges first")
    index = {node: k for k, node in enumerate(G.nodes)}
    rows, cols, vals = [], [], []
    for u, v, w in G.edges(data=weight, default=1.0):
        try:
            w = float(w)
        except (TypeError, ValueError):
            raise CommunityError(f"`{name}` edge {u!r} -> {v!r} has non-numeric {weight!r} "
                                 f"{w!r}") from None
        if not math.isfinite(w):
            raise CommunityError(f"`{name}` edge {u!r} -> {v!r} has non-finite {weight!r} "
                                 f"{w!r}")
        rows.append(index[v])
        cols.append(index[u])
        vals.append(w)
        if not G.is_directed() and u != v:
            rows.append(index[u])
            cols.append(index[v])
            vals.append(w)
    return (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
            np.asarray(vals, dtype=np.float64), len(index))


def _too_large(what: str, n: int, need: str) -> CommunityError:
    gib = 8.0 * n * n / 2**30
    return CommunityError(
        f"{what} has {n} neurons, more than community.graphs.DENSE_MAX_NEURONS = "
        f"{DENSE_MAX_NEURONS}: {need} needs a dense ({n}, {n}) array ({gib:.1f} GiB); "
        "use the functions that take sparse weights, or raise DENSE_MAX_NEURONS")


def as_weights(W: Weights, *, name: str = "W") -> np.ndarray | sp.csr_array:
    """Validate a weight argument: the one input coercion of :mod:`community`.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix or array, networkx graph, or Snapshot
        ``W[i, j]`` is the weight onto neuron ``i`` from neuron ``j``. A networkx graph's
        edge ``u -> v`` is ``W[v, u]`` (an undirected edge sets both), neuron ``i`` being
        the ``i``-th node of ``list(G.nodes)``, its weight the edge attribute ``"weight"``
        (1.0 where absent). Duplicate entries of a sparse matrix add up.
    name : str, default "W"
        Argument name used in error messages.

    Returns
    -------
    ndarray of float64 (n, n), or scipy.sparse.csr_array of float64
        A new array (never a view of the input). Dense for a dense input, and for any
        input of at most :data:`DENSE_MAX_NEURONS` neurons; otherwise a CSR array
        without explicit zeros or duplicates, columns sorted in each row.

    Raises
    ------
    CommunityError
        If ``W`` is not square, holds NaN or infinite weights (the message names the
        snapshot file for a snapshot), or is a networkx multigraph.

    Examples
    --------
    >>> import networkx as nx, scipy.sparse as sp
    >>> as_weights(nx.DiGraph([(0, 1, {"weight": 2.0})]))     # edge 0 -> 1 is W[1, 0]
    array([[0., 0.],
           [2., 0.]])
    >>> big = sp.random_array((3000, 3000), density=1e-3, random_state=0)
    >>> A = as_weights(big)
    >>> type(A).__name__, A.shape, A.nnz == big.nnz
    ('csr_array', (3000, 3000), True)
    """
    what = _describe(W, name)
    if isinstance(W, Snapshot):
        _check_snapshot(W, what)
        if W.n <= DENSE_MAX_NEURONS:
            return W.dense()
        return _canonical(sp.coo_array((np.asarray(W.weight, dtype=np.float64),
                                        (W.dst, W.src)), shape=(W.n, W.n)))
    if isinstance(W, nx.Graph):
        rows, cols, vals, n = _networkx_entries(W, name)
        if n <= DENSE_MAX_NEURONS:
            A = np.zeros((n, n), dtype=np.float64)
            A[rows, cols] = vals
            return A
        return _canonical(sp.coo_array((vals, (rows, cols)), shape=(n, n)))
    if sp.issparse(W):
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise CommunityError(f"{what} must be a square (n, n) matrix, got shape {W.shape}")
        try:
            C = _canonical(W)
        except (TypeError, ValueError) as exc:
            raise CommunityError(f"{what} must be a numeric (n, n) matrix: {exc}") from None
        bad = ~np.isfinite(C.data)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            i = int(np.searchsorted(C.indptr, k, side="right") - 1)
            raise CommunityError(
                f"{what} holds {int(bad.sum())} non-finite weight(s) "
                f"(first at {name}[{i}, {int(C.indices[k])}] = {float(C.data[k])!r})")
        return C.toarray() if C.shape[0] <= DENSE_MAX_NEURONS else C
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


def dense_weights(W: Weights, *, name: str = "W") -> np.ndarray:
    """Validate a weight matrix or snapshot and return it as a dense float64 array.

    Parameters
    ----------
    W : array_like of shape (n, n), scipy.sparse matrix, networkx graph or Snapshot
        ``W[i, j]`` is the weight onto neuron ``i`` from neuron ``j``. A
        :class:`wiring.runs.Snapshot` is expanded with ``Snapshot.dense()``; sparse
        matrices and networkx graphs as :func:`as_weights` reads them.
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
        weights (the message names the snapshot file for a snapshot), or is a sparse
        input of more than :data:`DENSE_MAX_NEURONS` neurons (the message gives the
        size).

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
    A = as_weights(W, name=name)
    if sp.issparse(A):
        raise _too_large(_describe(W, name), A.shape[0], "dense_weights")
    return A


def transform_weights(W: Weights, *, mode: str = "abs") -> np.ndarray | sp.csr_array:
    """Apply a weight mode to a weight matrix.

    Parameters
    ----------
    W : array_like of shape (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j`` (:func:`as_weights`).
    mode : {"abs", "pos", "neg", "signed", "sym"}, default "abs"
        ``"abs"``: ``|W|``; ``"pos"``: ``max(W, 0)``; ``"neg"``: ``max(-W, 0)``;
        ``"signed"``: ``W`` unchanged; ``"sym"``: ``(|W| + |W|^T) / 2``.

    Returns
    -------
    ndarray of float64, shape (n, n)
        A ``scipy.sparse.csr_array`` above :data:`DENSE_MAX_NEURONS` sparse neurons.

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
    return _transform(as_weights(W), mode)


def _map_data(A: sp.csr_array, fn) -> sp.csr_array:
    """``fn`` applied to the stored weights of a CSR array (zeros it makes are dropped)."""
    out = A.copy()
    out.data = fn(out.data)
    out.eliminate_zeros()
    return out


def _offdiag(A: np.ndarray | sp.csr_array) -> np.ndarray | sp.csr_array:
    """A copy of ``A`` with a zero diagonal."""
    if sp.issparse(A):
        C = A.tocoo()
        keep = C.row != C.col
        return _canonical(sp.coo_array((C.data[keep], (C.row[keep], C.col[keep])),
                                       shape=A.shape))
    out = A.copy()
    np.fill_diagonal(out, 0.0)
    return out


def _max_abs(A: np.ndarray | sp.csr_array) -> float:
    """``max |A|`` (0 for an empty matrix)."""
    if sp.issparse(A):
        return float(np.max(np.abs(A.data), initial=0.0))
    return float(np.abs(A).max(initial=0.0))


def _entries(A: sp.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, cols, values)`` of a canonical CSR array, in row-major order."""
    rows = np.repeat(np.arange(A.shape[0], dtype=np.int64), np.diff(A.indptr))
    return rows, A.indices.astype(np.int64), A.data


def _transform(A: np.ndarray | sp.csr_array, mode: str) -> np.ndarray | sp.csr_array:
    if sp.issparse(A):
        if mode == "abs":
            return _map_data(A, np.abs)
        if mode == "pos":
            return _map_data(A, lambda d: np.maximum(d, 0.0))
        if mode == "neg":
            return _map_data(A, lambda d: np.maximum(-d, 0.0))
        if mode == "sym":
            B = _map_data(A, np.abs)
            return _canonical((B + B.T) / 2.0)
        return A.copy()
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


def _layer(A: np.ndarray | sp.csr_array) -> ig.Graph:
    """Directed igraph with edge ``j -> i`` weighted ``A[i, j]`` for every ``A[i, j] > 0``
    (edges in row-major order, for a dense and a sparse ``A`` alike)."""
    if sp.issparse(A):
        rows, cols, vals = _entries(A)
        pos = vals > 0
        dst, src, w = rows[pos], cols[pos], vals[pos]
        g = ig.Graph(n=A.shape[0], edges=list(zip(src.tolist(), dst.tolist(), strict=True)),
                     directed=True)
        g.es["weight"] = w.tolist()
        return g
    dst, src = np.nonzero(A > 0)
    # (src, dst) tuples from two flat lists: the GC does not track tuples of ints, so this
    # is ~5x faster than column_stack(...).tolist() (a million 2-lists) on 1e6 edges
    g = ig.Graph(n=A.shape[0], edges=list(zip(src.tolist(), dst.tolist(), strict=True)),
                 directed=True)
    g.es["weight"] = A[dst, src].tolist()
    return g


def _undirected_layer(S: np.ndarray | sp.csr_array) -> ig.Graph:
    """Undirected igraph: edge ``{i, j}`` weighted ``S[i, j]`` for every ``S[i, j] > 0``, i <= j."""
    if sp.issparse(S):
        rows, cols, vals = _entries(_canonical(sp.triu(S)))
        pos = vals > 0
        g = ig.Graph(n=S.shape[0], edges=list(zip(rows[pos].tolist(), cols[pos].tolist(),
                                                  strict=True)), directed=False)
        g.es["weight"] = vals[pos].tolist()
        return g
    i, j = np.nonzero(np.triu(S) > 0)
    g = ig.Graph(n=S.shape[0], edges=list(zip(i.tolist(), j.tolist(), strict=True)),
                 directed=False)
    g.es["weight"] = S[i, j].tolist()
    return g


def weight_graph(
    W: Weights,
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
    W : array_like of shape (n, n), scipy.sparse matrix, networkx graph or Snapshot
        ``W[i, j]`` is the weight onto neuron ``i`` from neuron ``j`` (edge ``j -> i``);
        read by :func:`as_weights` (sparse above :data:`DENSE_MAX_NEURONS` neurons,
        with the same edges in the same order as the dense matrix would give).
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
    A = as_weights(W)
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
        A = _canonical(A[idx][:, idx]) if sp.issparse(A) else A[np.ix_(idx, idx)]
    A = _transform(A, mode)
    if threshold is not None:
        if not (isinstance(threshold, int | float | np.number) and math.isfinite(threshold)
                and threshold >= 0):
            raise CommunityError(
                f"`threshold` must be a finite number >= 0, got {threshold!r}"
            )
        if sp.issparse(A):
            A = _map_data(A, lambda d: np.where(np.abs(d) < threshold, 0.0, d))
        else:
            A[np.abs(A) < threshold] = 0.0
    if top_k is not None:
        if not isinstance(top_k, int | np.integer) or isinstance(top_k, bool) or top_k < 1:
            raise CommunityError(f"`top_k` must be an integer >= 1, got {top_k!r}")
        if sp.issparse(A):
            A = _top_k_sparse(A, int(top_k), symmetric=mode == "sym")
        elif top_k < A.shape[1]:
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
    if mode == "signed" and sp.issparse(A):
        layers = (_layer(_transform(A, "pos")), _layer(_transform(A, "neg")))
        layer_weights = (1.0, -1.0)
    elif mode == "signed":
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


def _top_k_sparse(A: sp.csr_array, top_k: int, *, symmetric: bool) -> sp.csr_array:
    """:func:`weight_graph`'s ``top_k`` on a canonical CSR array: each row keeps its
    ``top_k`` largest ``|w|`` (ties: lower column); ``symmetric`` keeps an entry that
    either end keeps."""
    rows, cols, vals = _entries(A)
    order = np.lexsort((cols, -np.abs(vals), rows))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - A.indptr[rows[order]]
    keep = rank < top_k
    if symmetric:
        n = A.shape[0]
        kept = np.concatenate([rows[keep] * n + cols[keep], cols[keep] * n + rows[keep]])
        keep = np.isin(rows * n + cols, kept)
    return _canonical(sp.coo_array((vals[keep], (rows[keep], cols[keep])), shape=A.shape))


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
        If ``G`` is a multigraph, a weight is not a finite number, or ``G`` has more
        than :data:`DENSE_MAX_NEURONS` nodes (use :func:`as_weights`, which keeps such a
        graph sparse).

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
    rows, cols, vals, n = _networkx_entries(G, "G", weight)
    if n > DENSE_MAX_NEURONS:
        raise _too_large("`G`", n, "from_networkx")
    W = np.zeros((n, n), dtype=np.float64)
    W[rows, cols] = vals
    return W
