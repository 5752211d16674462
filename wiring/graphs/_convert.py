"""Conversion core shared by :mod:`wiring.graphs.convert` and :mod:`wiring.graphs.files`.

Private helpers: resolving input/output node specs, checking edge weights,
building a :class:`~wiring.graphs.graph.Graph` with errors routed through a caller's
error factory (which adds a file name for file readers), and converting a
networkx ``DiGraph`` (an object, or one just read from GraphML/GEXF).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import as_float_array
from wiring.errors import GraphError
from wiring.graphs.graph import Graph

__all__ = [
    "NodeSpec",
    "_Err",
    "_flag",
    "_weight_value",
    "_select",
    "_build",
    "_graph_error",
    "_edge_weights",
    "_nx_convert",
]

NodeSpec = str | Iterable[Hashable]
_Err = Callable[[str], GraphError]

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


# --------------------------------------------------------------------------- shared


def _flag(value: Any, where: str, err: _Err) -> bool:
    """Read a boolean node attribute, accepting bools, 0/1 and "true"/"false"."""
    if value is None:
        return False
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise err(f"{where} must be a boolean, got {value!r}")


def _weight_value(value: Any, where: str, err: _Err) -> float:
    """Convert one edge weight to a finite float, naming the edge on failure."""
    if isinstance(value, bool | np.bool_) or value is None:
        raise err(f"{where} must be a finite number, got {value!r}")
    try:
        w = float(value)
    except (TypeError, ValueError):
        raise err(f"{where} must be a finite number, got {value!r}") from None
    if not math.isfinite(w):
        raise err(f"{where} must be a finite number, got {value!r}")
    return w


def _select(
    spec: NodeSpec,
    name: str,
    labels: list,
    index: dict,
    node_attr: Callable[[int], Any],
    err: _Err,
    *,
    key: Callable[[Any], Any] = lambda x: x,
) -> list[int]:
    """Resolve ``inputs``/``outputs``: an attribute name, or a list of node labels."""
    if isinstance(spec, str):
        values = [node_attr(i) for i in range(len(labels))]
        if all(v is None for v in values):
            raise err(
                f"no node has the attribute {spec!r} named by `{name}`; pass a list of "
                "nodes instead (an empty list for none)"
            )
        return [
            i
            for i, (label, v) in enumerate(zip(labels, values, strict=True))
            if _flag(v, f"node {label!r} attribute {spec!r} (for `{name}`)", err)
        ]
    if spec is None or not isinstance(spec, Iterable):
        raise err(
            f"`{name}` must be a list of nodes or the name of a boolean node attribute, "
            f"got {spec!r}"
        )
    out = []
    for label in spec:
        try:
            out.append(index[key(label)])
        except (KeyError, TypeError):
            raise err(f"`{name}` names node {label!r}, which is not in the graph") from None
    return out


def _build(n, src, dst, inputs, outputs, err: _Err) -> Graph:
    """``Graph.from_edges`` with its errors re-raised through ``err`` (adds a file name)."""
    try:
        return Graph.from_edges(n, src, dst, inputs=inputs, outputs=outputs)
    except GraphError as exc:
        raise err(str(exc)) from None


def _graph_error(msg: str) -> GraphError:
    return GraphError(msg)


def _edge_weights(graph: Graph, weight: ArrayLike | None) -> np.ndarray | None:
    if weight is None:
        return None
    return as_float_array(weight, "weight", shape=(graph.n_edges,), error=GraphError)


# --------------------------------------------------------------------------- networkx


def _nx_convert(
    G,
    inputs: NodeSpec,
    outputs: NodeSpec,
    weight: str | None,
    edge_order: str | None,
    err: _Err,
    *,
    what: str = "`G`",
    key: Callable[[Any], Any] = lambda x: x,
) -> tuple[Graph, np.ndarray | None]:
    import networkx as nx

    if not isinstance(G, nx.Graph):
        raise err(f"{what} must be a networkx DiGraph, got {type(G).__name__}")
    if G.is_multigraph():
        raise err(
            f"{what} has parallel edges ({type(G).__name__}), which are not supported: "
            "one synapse per ordered pair"
        )
    if not G.is_directed():
        raise err(
            f"{what} is undirected; a directed graph is required "
            "(for networkx, G.to_directed() gives both directions)"
        )
    labels = list(G.nodes)
    if not labels:
        raise err(f"{what} has no nodes")
    index = {label: i for i, label in enumerate(labels)}
    node_data = [G.nodes[label] for label in labels]
    ins = _select(inputs, "inputs", labels, index, lambda i: node_data[i].get(inputs), err, key=key)
    outs = _select(
        outputs, "outputs", labels, index, lambda i: node_data[i].get(outputs), err, key=key
    )

    edges = list(G.edges(data=True))
    if edge_order is not None:
        pos = []
        for u, v, d in edges:
            value = d.get(edge_order)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise err(
                    f"edge {u!r} -> {v!r}: `edge_order` attribute {edge_order!r} is {value!r}"
                )
            pos.append(int(value))
        if sorted(pos) != list(range(len(edges))):
            raise err(
                f"`edge_order` attribute {edge_order!r} is not a permutation of 0..{len(edges) - 1}"
            )
        ordered = [None] * len(edges)
        for p, e in zip(pos, edges, strict=True):
            ordered[p] = e
        edges = ordered
    src = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))

    w = None
    if weight is not None:
        have = [weight in d for _, _, d in edges]
        if any(have):
            w = np.empty(len(edges))
            for e, (u, v, d) in enumerate(edges):
                where = f"edge {u!r} -> {v!r} weight {weight!r}"
                if weight not in d:
                    raise err(f"{where} is missing (other edges have it)")
                w[e] = _weight_value(d[weight], where, err)
    return _build(len(labels), src, dst, ins, outs, err), w
