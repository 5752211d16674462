"""Convert graphs to and from networkx and igraph.

The graph file readers and writer (GraphML, GEXF, CSV edge lists) live in
:mod:`wiring.graphs.files` and are re-exported here, so
``from wiring.graphs.convert import read_graph`` keeps working.

Every reader returns ``(graph, weight)``: a :class:`~wiring.graphs.graph.Graph` and,
where the source carries edge weights, a float64 array aligned with the graph's
edge order (else ``None``).

Edge order
    :func:`from_igraph` keeps igraph's edge ids. networkx does not keep a global
    edge order (``G.edges`` groups edges by source node), so :func:`to_networkx`
    records each edge's index as the integer edge attribute ``"eid"``, and
    :func:`from_networkx`, :func:`read_graphml` and :func:`read_gexf` restore that
    order when given ``edge_order="eid"``; otherwise edges come in ``G.edges`` order.

Inputs and outputs
    Given either as a list of node labels (node ids for files, vertex ids for
    igraph) or as the name of a boolean node attribute marking them. Files
    default to the attributes ``"input"`` and ``"output"`` that
    :func:`to_networkx` writes.

Errors
    Bad objects raise :class:`~wiring.errors.GraphError`; unreadable or malformed
    files raise :class:`~wiring.errors.GraphFileError` naming the file and, where
    known, the line, node or edge.

Examples
--------
>>> from wiring.graphs.graph import Graph
>>> g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[2])
>>> G = to_networkx(g, [0.5, -1.0])
>>> g2, w = from_networkx(G, inputs="input", outputs="output", edge_order="eid")
>>> g2.src.tolist(), g2.dst.tolist(), w.tolist()
([0, 1], [1, 2], [0.5, -1.0])
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import as_float_array
from wiring.errors import GraphError
from wiring.graphs._convert import (
    NodeSpec,
    _build,
    _edge_weights,
    _graph_error,
    _nx_convert,
    _select,
    _weight_value,
)
from wiring.graphs.files import (
    read_edge_csv,
    read_gexf,
    read_graph,
    read_graphml,
    write_edge_csv,
)
from wiring.graphs.graph import Graph

if TYPE_CHECKING:
    import igraph
    import networkx

__all__ = [
    "from_networkx",
    "to_networkx",
    "from_igraph",
    "to_igraph",
    "read_graphml",
    "read_gexf",
    "read_edge_csv",
    "write_edge_csv",
    "read_graph",
]

EDGE_ORDER_ATTR = "eid"
"""Edge attribute in which :func:`to_networkx` records each edge's index."""


# --------------------------------------------------------------------------- networkx


def from_networkx(
    G: networkx.DiGraph,
    *,
    inputs: NodeSpec,
    outputs: NodeSpec,
    weight: str | None = "weight",
    edge_order: str | None = None,
) -> tuple[Graph, np.ndarray | None]:
    """Convert a networkx ``DiGraph`` to a :class:`Graph` and its edge weights.

    Nodes, which may be any hashable, become neurons ``0 .. n-1`` in ``G.nodes`` order.

    Parameters
    ----------
    G : networkx.DiGraph
        A directed graph without parallel edges.
    inputs, outputs : str or list of node labels
        The input and output nodes, in the order data columns map to them; or the
        name of a boolean node attribute marking them (then in ``G.nodes`` order;
        nodes without the attribute count as False).
    weight : str or None, default "weight"
        Edge attribute holding the weight. If no edge has it (or ``None``), the
        returned weights are ``None``; if only some edges have it, that is an error.
    edge_order : str or None, default None
        Integer edge attribute giving each edge's position (a permutation of
        ``0 .. E-1``), e.g. ``"eid"`` written by :func:`to_networkx`. ``None``
        keeps ``G.edges`` order.

    Returns
    -------
    graph : Graph
    weight : ndarray of float64, shape (E,), or None

    Raises
    ------
    GraphError
        If ``G`` is undirected or a multigraph, a listed node is missing, a weight
        is missing or not a finite number, or the input/output sets are invalid.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_edge("x", "h", weight=0.5)
    >>> G.add_edge("h", "y", weight=2.0)
    >>> g, w = from_networkx(G, inputs=["x"], outputs=["y"])
    >>> g.src.tolist(), g.dst.tolist(), w.tolist(), g.inputs.tolist(), g.outputs.tolist()
    ([0, 1], [1, 2], [0.5, 2.0], [0], [2])
    """
    return _nx_convert(G, inputs, outputs, weight, edge_order, _graph_error)


def to_networkx(
    graph: Graph, weight: ArrayLike | None = None, *, bias: ArrayLike | None = None
) -> networkx.DiGraph:
    """Convert a :class:`Graph` to a networkx ``DiGraph``.

    Parameters
    ----------
    graph : Graph
        The graph.
    weight : array_like, shape (E,), optional
        Edge weights in the graph's edge order, stored as edge attribute ``"weight"``.
    bias : array_like, shape (n,), optional
        Biases, stored as node attribute ``"bias"``.

    Returns
    -------
    networkx.DiGraph
        Nodes ``0 .. n-1`` with boolean attributes ``"input"`` and ``"output"``;
        edges added in the graph's edge order, each with its index as ``"eid"``
        (:data:`EDGE_ORDER_ATTR`) and, if given, its ``"weight"``.

    Raises
    ------
    GraphError
        If ``weight`` or ``bias`` has the wrong shape or non-finite values.

    Examples
    --------
    >>> from wiring.graphs.graph import Graph
    >>> g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
    >>> G = to_networkx(g, [0.25])
    >>> G.nodes[0], G.edges[0, 1]
    ({'input': True, 'output': False}, {'eid': 0, 'weight': 0.25})
    """
    import networkx as nx

    w = _edge_weights(graph, weight)
    b = None if bias is None else as_float_array(bias, "bias", shape=(graph.n,), error=GraphError)
    G = nx.DiGraph()
    in_mask, out_mask = graph.input_mask().tolist(), graph.output_mask().tolist()
    for i in range(graph.n):
        attrs = {"input": in_mask[i], "output": out_mask[i]}
        if b is not None:
            attrs["bias"] = float(b[i])
        G.add_node(i, **attrs)
    src, dst = graph.src.tolist(), graph.dst.tolist()
    if w is None:
        G.add_edges_from(
            (s, d, {EDGE_ORDER_ATTR: e}) for e, (s, d) in enumerate(zip(src, dst, strict=True))
        )
    else:
        G.add_edges_from(
            (s, d, {EDGE_ORDER_ATTR: e, "weight": x})
            for e, (s, d, x) in enumerate(zip(src, dst, w.tolist(), strict=True))
        )
    return G


# --------------------------------------------------------------------------- igraph


def _import_igraph():
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph is a declared dependency
        raise ImportError("igraph support needs python-igraph: pip install python-igraph") from None
    return igraph


def from_igraph(
    g: igraph.Graph,
    *,
    inputs: NodeSpec,
    outputs: NodeSpec,
    weight: str | None = "weight",
) -> tuple[Graph, np.ndarray | None]:
    """Convert a directed igraph ``Graph`` to a :class:`Graph` and its edge weights.

    Vertex ids become neuron ids and edge ids the edge order.

    Parameters
    ----------
    g : igraph.Graph
        A directed graph without parallel edges.
    inputs, outputs : str or list of vertices
        Vertex ids (ints) or vertex ``"name"`` values, in the order data columns
        map to them; or the name of a boolean vertex attribute marking them.
    weight : str or None, default "weight"
        Edge attribute holding the weight; if absent (or ``None``), the returned
        weights are ``None``.

    Returns
    -------
    graph : Graph
    weight : ndarray of float64, shape (E,), or None

    Raises
    ------
    GraphError
        If ``g`` is undirected, has parallel edges, a weight is missing or not a
        finite number, or the input/output sets are invalid.

    Examples
    --------
    >>> import igraph as ig
    >>> h = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
    >>> h.es["weight"] = [0.5, 2.0]
    >>> g, w = from_igraph(h, inputs=[0], outputs=[2])
    >>> g.src.tolist(), g.dst.tolist(), w.tolist()
    ([0, 1], [1, 2], [0.5, 2.0])
    """
    ig = _import_igraph()
    err = _graph_error
    if not isinstance(g, ig.Graph):
        raise err(f"`g` must be an igraph Graph, got {type(g).__name__}")
    if not g.is_directed():
        raise err("`g` is undirected; a directed igraph Graph is required")
    n = g.vcount()
    if n == 0:
        raise err("`g` has no vertices")
    index: dict = {i: i for i in range(n)}
    if "name" in g.vs.attributes():
        for i, name in enumerate(g.vs["name"]):
            if isinstance(name, str):
                index.setdefault(name, i)

    def vertex_attr(spec):
        values = g.vs[spec] if isinstance(spec, str) and spec in g.vs.attributes() else None
        return lambda i: None if values is None else values[i]

    labels = list(range(n))
    ins = _select(inputs, "inputs", labels, index, vertex_attr(inputs), err, key=_vertex_key)
    outs = _select(outputs, "outputs", labels, index, vertex_attr(outputs), err, key=_vertex_key)
    pairs = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = None
    if weight is not None and weight in g.es.attributes():
        w = np.empty(g.ecount())
        for e, value in enumerate(g.es[weight]):
            s, d = pairs[e]
            w[e] = _weight_value(value, f"edge {e} ({s} -> {d}) weight {weight!r}", err)
    return _build(n, pairs[:, 0], pairs[:, 1], ins, outs, err), w


def _vertex_key(label):
    """Vertex ids may come as numpy ints; names as strings."""
    if isinstance(label, numbers.Integral) and not isinstance(label, bool):
        return int(label)
    if isinstance(label, str):
        return label
    raise TypeError(label)


def to_igraph(
    graph: Graph, weight: ArrayLike | None = None, *, bias: ArrayLike | None = None
) -> igraph.Graph:
    """Convert a :class:`Graph` to a directed igraph ``Graph``.

    Parameters
    ----------
    graph : Graph
        The graph.
    weight : array_like, shape (E,), optional
        Edge weights, stored as edge attribute ``"weight"``.
    bias : array_like, shape (n,), optional
        Biases, stored as vertex attribute ``"bias"``.

    Returns
    -------
    igraph.Graph
        Vertex ids = neuron ids, edge ids = the graph's edge order; boolean vertex
        attributes ``"input"`` and ``"output"``.

    Raises
    ------
    GraphError
        If ``weight`` or ``bias`` has the wrong shape or non-finite values.

    Examples
    --------
    >>> from wiring.graphs.graph import Graph
    >>> g = Graph.from_edges(3, [1, 0], [2, 1], inputs=[0], outputs=[2])
    >>> h = to_igraph(g, [1.5, -0.5])
    >>> h.get_edgelist(), h.es["weight"], h.vs["input"]
    ([(1, 2), (0, 1)], [1.5, -0.5], [True, False, False])
    """
    ig = _import_igraph()
    w = _edge_weights(graph, weight)
    b = None if bias is None else as_float_array(bias, "bias", shape=(graph.n,), error=GraphError)
    h = ig.Graph(
        n=graph.n,
        edges=list(zip(graph.src.tolist(), graph.dst.tolist(), strict=True)),
        directed=True,
    )
    h.vs["input"] = graph.input_mask().tolist()
    h.vs["output"] = graph.output_mask().tolist()
    if b is not None:
        h.vs["bias"] = b.tolist()
    if w is not None:
        h.es["weight"] = w.tolist()
    return h
