"""Weight snapshots -> GraphML files for Gephi, Cytoscape, igraph and networkx.

:func:`write_graphml` writes one snapshot as directed GraphML with typed keys, under the
conventions of :mod:`community.export.gexf` (node ids ``"0" .. "n-1"``, edge ids
``e<k>``, ``weight`` = ``|w|``, NaN left out, atomic write). GraphML has no
visualisation module; Gephi's GraphML importer takes the node keys named ``x``, ``y``
and ``size`` as position and size and ``r``, ``g``, ``b`` (of nodes and edges) as
colour, so a file with ``positions`` opens drawn in Gephi as its GEXF twin does. Other
readers see them as plain attributes.

Examples
--------
>>> import tempfile, networkx as nx
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "g.graphml"
>>> _ = write_graphml(out, src=[0], dst=[1], weight=[-0.5], n=2, node_attrs=None,
...                   positions=[[0.0, 1.0], [2.0, 3.0]])
>>> G = nx.read_graphml(out)
>>> G.nodes["1"]["x"], G.nodes["1"]["y"], G.edges["0", "1"]["b"]
(2.0, 3.0, 200)
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from community.export._common import (
    _EDGE_RESERVED,
    _NODE_RESERVED,
    _XSI_NS,
    _atomic_write,
    _Column,
    _column,
    _columns,
    _community_source,
    _count,
    _edge_ids,
    _edges,
    _escape,
    _flag,
    _labels,
    _positions,
    _positive_sizes,
    _weight_array,
)
from community.export.style import community_colour, sign_colour

__all__ = ["write_graphml"]

_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_GRAPHML_XSD = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"


def write_graphml(
    path: str | os.PathLike,
    *,
    src: ArrayLike,
    dst: ArrayLike,
    weight: ArrayLike,
    n: int,
    node_attrs: Mapping[str, ArrayLike] | None,
    edge_attrs: Mapping[str, ArrayLike] | None = None,
    edge_ids: ArrayLike | None = None,
    positions: ArrayLike | None = None,
    size: ArrayLike | None = None,
    edge_colours: bool = True,
    labels: Sequence[str] | None = None,
) -> Path:
    """Write one weight snapshot as directed GraphML with typed keys.

    Readable by ``igraph.Graph.Read_GraphML``, ``networkx.read_graphml``,
    Cytoscape and Gephi. Nodes are ``"0" .. "n-1"`` with a string key ``label`` (the
    neuron's name from ``labels``, else the index);
    edges have ``id="e<k>"`` and keys ``edge_id`` (the same ``"e<k>"``, because
    igraph does not keep GraphML edge ids), ``weight`` (``|w|``), ``signed_weight``,
    ``abs_weight``, ``sign`` (int) and the ``edge_attrs``. Key types are
    ``int``, ``long``, ``double``, ``boolean`` and ``string``, inferred as in
    :func:`write_gexf`; NaN values are left out. igraph keeps every numeric
    attribute as a float, so integer keys read back as ``3.0`` there; networkx
    returns ``int``.

    For Gephi (module docstring): ``positions`` become the double keys ``x`` and ``y``
    (a third column is dropped), ``size`` the double key ``size``, an integer
    ``node_attrs["community"]`` the int keys ``r``, ``g``, ``b`` of its colour
    (:func:`~community.export.style.community_colour`), and with ``edge_colours`` each
    edge gets ``r``, ``g``, ``b`` by its sign
    (:func:`~community.export.style.sign_colour`). A ``node_attrs`` (``edge_attrs``)
    name among those written keys is rejected.

    Parameters
    ----------
    path : str or PathLike
        Output file; its directory must exist. Replaced atomically.
    src, dst : array_like of int, shape (E,)
        Edge ``k`` runs from ``src[k]`` to ``dst[k]``.
    weight : array_like of float, shape (E,)
        Signed, finite weights.
    n : int
        Number of neurons.
    node_attrs : dict of str to array_like, shape (n,), or None
        Node attributes.
    edge_attrs : dict of str to array_like, shape (E,), optional
        Extra edge attributes.
    edge_ids : array_like of int, shape (E,), optional
        Ids written as ``e<id>`` (default ``0 .. E-1``): pass each edge's position
        in the run's full edge order when writing a subset (e.g. without pruned,
        zero-weight synapses), so ids stay stable across snapshots.
    positions : array_like of float, shape (n, 2) or (n, 3), optional
        Node positions, written as the keys ``x`` and ``y``.
    size : array_like of float, shape (n,), optional
        Positive node sizes, written as the key ``size``.
    edge_colours : bool, default True
        Write ``r``, ``g``, ``b`` of each edge by the sign of its weight.
    labels : sequence of str, shape (n,), optional
        The key ``label`` of each node, e.g. the neurons' names
        (:func:`wiring.runs.read_nodes`); default the index. Escaped for XML here.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ExportError
        On invalid input; the message names the argument.

    Examples
    --------
    >>> import tempfile, numpy as np, networkx as nx
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "g.graphml"
    >>> _ = write_graphml(out, src=[0], dst=[1], weight=[-0.5], n=2,
    ...                   node_attrs={"input": np.array([True, False])})
    >>> G = nx.read_graphml(out)
    >>> G.nodes["0"]["input"], G.edges["0", "1"]["signed_weight"], G.edges["0", "1"]["weight"]
    (True, -0.5, 0.5)
    >>> _ = write_graphml(out, src=[0], dst=[1], weight=[1.0], n=2, node_attrs=None,
    ...                   labels=["AVAL", 'say "hi"'])
    >>> nx.read_graphml(out).nodes["1"]["label"]
    'say "hi"'
    """
    n = _count(n)
    s, d = _edges(src, dst, n)
    m = s.size
    w = _weight_array(weight, "weight", m)
    eids = _edge_ids(edge_ids, m)
    pos = _positions(positions, n)
    sizes = _positive_sizes(size, n)
    paint = _flag(edge_colours, "edge_colours")
    memb = _community_source(node_attrs, n)
    viz: dict[str, np.ndarray] = {}
    if pos is not None:
        viz |= {"x": pos[:, 0], "y": pos[:, 1]}
    if sizes is not None:
        viz["size"] = sizes
    if memb is not None:
        rgb = np.array([community_colour(c) for c in memb.tolist()], dtype=np.int64)
        viz |= {"r": rgb[:, 0], "g": rgb[:, 1], "b": rgb[:, 2]}
    ncols = [_Column("label", "string", _labels(labels, n)),
             *_columns(node_attrs, n, "node", "node_attrs", _NODE_RESERVED | set(viz)),
             *(_column(k, v, n, k) for k, v in viz.items())]
    edge_viz: dict[str, np.ndarray] = {}
    if paint:
        rgb = np.array([sign_colour(v) for v in w.tolist()], dtype=np.int64).reshape(m, 3)
        edge_viz = {"r": rgb[:, 0], "g": rgb[:, 1], "b": rgb[:, 2]}
    ecols = [
        _column("edge_id", np.array([f"e{k}" for k in eids], dtype=object), m, "edge_id"),
        _column("weight", np.abs(w), m, "weight"),
        _column("signed_weight", w, m, "weight"),
        _column("abs_weight", np.abs(w), m, "weight"),
        _column("sign", np.sign(w).astype(np.int64), m, "weight"),
        *_columns(edge_attrs, m, "edge", "edge_attrs", _EDGE_RESERVED | set(edge_viz)),
        *(_column(k, v, m, k) for k, v in edge_viz.items()),
    ]
    nkeys = [f"kv{j}" for j in range(len(ncols))]
    ekeys = [f"ke{j}" for j in range(len(ecols))]

    def data(cols: Sequence[_Column], keys: Sequence[str], i: int) -> Iterator[str]:
        for col, key in zip(cols, keys, strict=True):
            if col.text[i] is not None:
                yield f'      <data key="{key}">{col.text[i]}</data>\n'

    def chunks() -> Iterator[str]:
        yield '<?xml version="1.0" encoding="UTF-8"?>\n'
        yield (f'<graphml xmlns="{_GRAPHML_NS}" xmlns:xsi="{_XSI_NS}" '
               f'xsi:schemaLocation="{_GRAPHML_NS} {_GRAPHML_XSD}">\n')
        for cls, cols, keys in (("node", ncols, nkeys), ("edge", ecols, ekeys)):
            for col, key in zip(cols, keys, strict=True):
                yield (f'  <key id="{key}" for="{cls}" attr.name="{_escape(col.name)}" '
                       f'attr.type="{col.graphml_type}"/>\n')
        yield '  <graph id="G" edgedefault="directed">\n'
        for i in range(n):
            yield f'    <node id="{i}">\n'
            yield from data(ncols, nkeys, i)
            yield "    </node>\n"
        for k in range(m):
            yield f'    <edge id="e{eids[k]}" source="{s[k]}" target="{d[k]}">\n'
            yield from data(ecols, ekeys, k)
            yield "    </edge>\n"
        yield "  </graph>\n</graphml>\n"

    return _atomic_write(path, chunks())
