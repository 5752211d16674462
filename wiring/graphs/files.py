"""Read and write graph files: GraphML, GEXF and CSV edge lists.

Every reader returns ``(graph, weight)``: a :class:`~wiring.graphs.graph.Graph` and,
where the file carries edge weights, a float64 array aligned with the graph's
edge order (else ``None``). :func:`read_graph` picks the reader by suffix.
GraphML and GEXF are read with networkx and converted as
:func:`~wiring.graphs.convert.from_networkx` does; pass ``edge_order="eid"`` to restore
the edge order of a file written from :func:`~wiring.graphs.convert.to_networkx`.
Inputs and outputs default to the boolean node attributes ``"input"`` and
``"output"``. A graph read from GraphML or GEXF carries the file's node ids as
:attr:`~wiring.graphs.graph.Graph.node_names` and its node attributes as
:attr:`~wiring.graphs.graph.Graph.node_attrs`. :mod:`wiring.graphs.convert` re-exports
everything listed here.

Unreadable or malformed files raise :class:`~wiring.errors.GraphFileError`
naming the file and, where known, the line, node or edge.

Examples
--------
>>> import tempfile, os
>>> from wiring.graphs.graph import Graph
>>> g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[2])
>>> path = write_edge_csv(os.path.join(tempfile.mkdtemp(), "e.csv"), g, [0.5, -1.0])
>>> g2, w = read_graph(path, inputs=[0], outputs=[2])
>>> g2.src.tolist(), g2.dst.tolist(), w.tolist()
([0, 1], [1, 2], [0.5, -1.0])
"""

from __future__ import annotations

import csv
import numbers
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from wiring.errors import GraphError, GraphFileError
from wiring.graphs._convert import (
    NodeSpec,
    _build,
    _edge_weights,
    _Err,
    _nx_convert,
    _weight_value,
)
from wiring.graphs.graph import MAX_NEURONS, Graph, check_graph_size

__all__ = [
    "read_graphml",
    "read_gexf",
    "read_edge_csv",
    "write_edge_csv",
    "read_graph",
]

PathLike = str | os.PathLike


# --------------------------------------------------------------------------- helpers


def _file_error(path: PathLike) -> _Err:
    def make(msg: str) -> GraphFileError:
        return GraphFileError(f"{os.fspath(path)}: {msg}")

    return make


def _check_file(path: PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise GraphFileError(f"graph file {os.fspath(path)!r} does not exist")
    if not p.is_file():
        raise GraphFileError(f"graph file {os.fspath(path)!r} is not a regular file")
    return p


def _atomic_write_text(path: Path, write: Callable) -> None:
    """Call ``write(fh)`` on a temp file beside ``path``, then move it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- files


def _read_nx_file(
    path: PathLike,
    reader: Callable,
    kind: str,
    inputs: NodeSpec,
    outputs: NodeSpec,
    weight: str | None,
    edge_order: str | None,
) -> tuple[Graph, np.ndarray | None]:
    import xml.etree.ElementTree as ET

    import networkx as nx

    p = _check_file(path)
    err = _file_error(path)
    try:
        _check_xml_structure(p, kind, err)  # what networkx would silently repair
        G = reader(p)
    except GraphFileError:
        raise
    except ET.ParseError as exc:
        raise err(f"not well-formed {kind} XML: {exc}") from None
    except (ValueError, KeyError) as exc:  # a value that does not match its declared type
        where = _find_bad_value(p, kind)
        if where is None and isinstance(exc, KeyError):
            where = f"KeyError: {exc}"
        raise err(f"cannot read {kind}: {where or exc}") from None
    except (nx.NetworkXError, TypeError, AttributeError) as exc:
        raise err(f"cannot read {kind}: {type(exc).__name__}: {exc}") from None
    graph, w = _nx_convert(
        G, inputs, outputs, weight, edge_order, err, what="the graph", key=_file_node_key
    )
    return _with_file_nodes(graph, G), w


def _with_file_nodes(graph: Graph, G) -> Graph:
    """``graph`` carrying the file's node ids as names and its node attributes, one array
    per attribute: bool, int64 or float64 where every value present is of that kind (a
    node without the attribute: False, or NaN for numbers), else strings ("" missing)."""
    labels = list(G.nodes)  # the order _nx_convert numbers the neurons in
    data = [G.nodes[label] for label in labels]
    keys = list(dict.fromkeys(k for d in data for k in d))
    attrs = {}
    for key in keys:
        values = [d.get(key) for d in data]
        present = [v for v in values if v is not None]
        complete = len(present) == len(values)
        if all(isinstance(v, bool | np.bool_) for v in present):
            attrs[key] = np.array([bool(v) for v in values], dtype=bool)
        elif complete and all(isinstance(v, numbers.Integral) for v in present):
            attrs[key] = np.array(values, dtype=np.int64)
        elif all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in present):
            attrs[key] = np.array([np.nan if v is None else float(v) for v in values])
        else:
            attrs[key] = np.array(["" if v is None else str(v) for v in values], dtype=str)
    named = graph.with_nodes([_file_node_key(label) for label in labels])
    # every array has length n; set directly, as an attribute may be called "names"
    return replace(named, node_attrs=attrs or None)


def _check_xml_structure(path: Path, kind: str, err: _Err) -> None:
    """Check every node has a unique id and every edge a declared source and target.

    networkx accepts such files silently: a repeated node id merges two nodes, a
    missing id or endpoint becomes a node named ``"None"``, and an edge to an
    undeclared node creates that node, so the graph would not be the one in the file.
    Uses expat directly (no element tree): about a fifth of networkx's reading time.
    """
    from xml.parsers import expat

    declared: set[str] = set()
    edges: list[tuple[str, str]] = []
    n_nodes = 0

    def start(tag: str, attrs: dict) -> None:
        nonlocal n_nodes
        t = tag.rsplit("}", 1)[-1]
        if t == "node":
            n_nodes += 1
            nid = attrs.get("id")
            if nid is None:
                raise err(f"node {n_nodes} (in file order) has no 'id' attribute")
            if nid in declared:
                raise err(f"node id {nid!r} is declared twice (node {n_nodes} in file order)")
            declared.add(nid)
        elif t == "edge":
            src, dst = attrs.get("source"), attrs.get("target")
            for end, value in (("source", src), ("target", dst)):
                if value is None:
                    raise err(
                        f"edge {len(edges) + 1} (in file order, {src!r} -> {dst!r}) has no "
                        f"{end!r} attribute"
                    )
            edges.append((src, dst))

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    try:
        with open(path, "rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise err(f"not well-formed {kind} XML: {exc}") from None
    except LookupError as exc:  # the XML declaration names an encoding Python lacks
        raise err(f"not well-formed {kind} XML: the XML declaration names an {exc}") from None
    for k, (src, dst) in enumerate(edges, 1):
        for end, value in (("source", src), ("target", dst)):
            if value not in declared:
                raise err(
                    f"edge {k} (in file order, {src!r} -> {dst!r}): its {end} {value!r} is "
                    "not a node declared in the file"
                )


_NUMERIC = {"int": int, "integer": int, "long": int, "float": float, "double": float}
_STRINGS = {"string", "liststring", "anyURI", "yfiles"}
_BOOLEANS = {"GraphML": {"true", "false", "0", "1"},  # as networkx reads them
             "GEXF": {"true", "false", "True", "False", "0", "1"}}


def _find_bad_value(path: Path, kind: str) -> str | None:
    """Locate the first node/edge value that does not parse as its declared number type."""
    import xml.etree.ElementTree as ET

    def tag(el):
        return el.tag.rsplit("}", 1)[-1]

    def boolean(text):
        key = text.lower() if kind == "GraphML" and isinstance(text, str) else text
        if key not in _BOOLEANS[kind]:
            raise ValueError(text)
        return key

    boolean.__name__ = "boolean (true/false/1/0)"
    root = ET.parse(path).getroot()
    declared = {}  # attribute id -> (name, converter)
    for el in root.iter():
        t = tag(el)
        if (kind, t) in (("GraphML", "key"), ("GEXF", "attribute")):
            type_key, name_key = ("attr.type", "attr.name") if kind == "GraphML" else (
                "type", "title")
            atype = el.get(type_key, "string")
            name = el.get(name_key, el.get("id"))
            if atype not in _NUMERIC and atype not in _STRINGS and atype != "boolean":
                return (f"attribute {name!r} (id {el.get('id')!r}) declares unknown type "
                        f"{atype!r}; use one of boolean, {', '.join(_NUMERIC)}, string")
            conv = boolean if atype == "boolean" else _NUMERIC.get(atype)
            if conv:
                declared[el.get("id")] = (name, conv)
    for el in root.iter():
        t = tag(el)
        if t not in ("node", "edge"):
            continue
        who = (
            f"node {el.get('id')!r}"
            if t == "node"
            else (f"edge {el.get('source')!r} -> {el.get('target')!r}")
        )
        values = []
        if kind == "GEXF" and t == "edge" and el.get("weight") is not None:
            values.append(("weight", float, el.get("weight")))
        for child in el.iter():
            ref = child.get("key") if tag(child) == "data" else child.get("for")
            if tag(child) in ("data", "attvalue") and ref in declared:
                name, conv = declared[ref]
                values.append(
                    (name, conv, child.text if tag(child) == "data" else child.get("value"))
                )
        for name, conv, text in values:
            try:
                conv(text)
            except (TypeError, ValueError):
                return f"{who} attribute {name!r}: {text!r} is not a valid {conv.__name__}"
    return None


def _file_node_key(label):
    """File node ids are strings; ints given by the caller are matched via ``str``."""
    return label if isinstance(label, str) else str(label)


def read_graphml(
    path: PathLike,
    *,
    inputs: NodeSpec = "input",
    outputs: NodeSpec = "output",
    weight: str | None = "weight",
    edge_order: str | None = None,
) -> tuple[Graph, np.ndarray | None]:
    """Read a directed GraphML file.

    Nodes become neurons ``0 .. n-1`` in file order, named by their ids
    (:attr:`~wiring.graphs.graph.Graph.node_names`, with the node attributes
    in :attr:`~wiring.graphs.graph.Graph.node_attrs`).

    Parameters
    ----------
    path : str or path-like
        The ``.graphml`` file.
    inputs, outputs : str or list of node ids, default "input" / "output"
        Name of a boolean node attribute marking inputs/outputs, or a list of node
        ids as written in the file (ints are matched as strings).
    weight : str or None, default "weight"
        Edge attribute holding the weight (``None`` weights if no edge has it).
    edge_order : str or None, default None
        Integer edge attribute giving each edge's position (``"eid"`` for files
        written from :func:`~wiring.graphs.convert.to_networkx`); ``None`` keeps
        networkx's edge order.

    Returns
    -------
    graph : Graph
    weight : ndarray of float64, shape (E,), or None

    Raises
    ------
    GraphFileError
        Naming the file: if it is missing, not well-formed GraphML, undirected, or
        a weight (naming the edge) is missing, non-numeric or non-finite; a node
        without an id or declared twice, an edge without an endpoint or to a node the
        file does not declare (networkx would merge or invent nodes); a value that
        does not match its declared type (naming the node or edge and attribute).

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> from wiring.graphs.graph import Graph
    >>> from wiring.graphs.convert import to_networkx
    >>> g = Graph.from_edges(3, [1, 0], [2, 1], inputs=[0], outputs=[2])
    >>> path = os.path.join(tempfile.mkdtemp(), "g.graphml")
    >>> nx.write_graphml(to_networkx(g, [0.1, 0.2]), path)
    >>> g2, w = read_graphml(path, edge_order="eid")
    >>> g2.src.tolist(), g2.dst.tolist(), w.tolist(), g2.outputs.tolist()
    ([1, 0], [2, 1], [0.1, 0.2], [2])
    """
    import networkx as nx

    return _read_nx_file(path, nx.read_graphml, "GraphML", inputs, outputs, weight, edge_order)


def read_gexf(
    path: PathLike,
    *,
    inputs: NodeSpec = "input",
    outputs: NodeSpec = "output",
    weight: str | None = "weight",
    edge_order: str | None = None,
) -> tuple[Graph, np.ndarray | None]:
    """Read a directed GEXF file.

    Nodes become neurons ``0 .. n-1`` in file order, named by their ids
    (:attr:`~wiring.graphs.graph.Graph.node_names`, with the node attributes
    in :attr:`~wiring.graphs.graph.Graph.node_attrs`).

    Parameters
    ----------
    path : str or path-like
        The ``.gexf`` file.
    inputs, outputs : str or list of node ids, default "input" / "output"
        Name of a boolean node attribute marking inputs/outputs, or a list of node
        ids as written in the file (ints are matched as strings).
    weight : str or None, default "weight"
        Edge attribute holding the weight (GEXF's own edge ``weight`` by default).
    edge_order : str or None, default None
        Integer edge attribute giving each edge's position (``"eid"`` for files
        written from :func:`~wiring.graphs.convert.to_networkx`); ``None`` keeps
        networkx's edge order.

    Returns
    -------
    graph : Graph
    weight : ndarray of float64, shape (E,), or None

    Raises
    ------
    GraphFileError
        Naming the file: if it is missing, not well-formed GEXF, undirected, or a
        weight (naming the edge) is missing, non-numeric or non-finite; a node
        without an id or declared twice, an edge without an endpoint or to a node the
        file does not declare; a value that does not match its declared type.

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> from wiring.graphs.graph import Graph
    >>> from wiring.graphs.convert import to_networkx
    >>> g = Graph.from_edges(3, [1, 0], [2, 1], inputs=[0], outputs=[2])
    >>> path = os.path.join(tempfile.mkdtemp(), "g.gexf")
    >>> nx.write_gexf(to_networkx(g, [0.1, 0.2]), path)
    >>> g2, w = read_gexf(path, edge_order="eid")
    >>> g2.src.tolist(), g2.dst.tolist(), w.tolist(), g2.inputs.tolist()
    ([1, 0], [2, 1], [0.1, 0.2], [0])
    """
    import networkx as nx

    return _read_nx_file(path, nx.read_gexf, "GEXF", inputs, outputs, weight, edge_order)


def _csv_int(text: str, what: str, where: str, n: int | None) -> int:
    s = text.strip()
    try:
        value = int(s)
    except ValueError:
        raise GraphFileError(f"{where}: {what} {text!r} is not an integer") from None
    if value >= MAX_NEURONS:
        raise GraphFileError(
            f"{where}: {what} {value} is out of range: neuron ids are below {MAX_NEURONS}"
        )
    if value < 0 or (n is not None and value >= n):
        rng = "must be >= 0" if value < 0 else f"is out of range for n={n}"
        raise GraphFileError(f"{where}: {what} {value} {rng}")
    return value


def read_edge_csv(
    path: PathLike,
    *,
    inputs: Iterable[int],
    outputs: Iterable[int],
    n: int | None = None,
    source: str = "source",
    target: str = "target",
    weight: str | None = "weight",
) -> tuple[Graph, np.ndarray | None]:
    """Read a CSV edge list with a header row.

    Each data row is one edge ``source -> target``, in file order. Node ids are
    0-based integers. Blank lines are skipped; line numbers in errors count the
    header as line 1.

    Parameters
    ----------
    path : str or path-like
        The ``.csv`` file (UTF-8, optional BOM).
    inputs, outputs : list of int
        Input and output neurons.
    n : int, optional
        Number of neurons; by default one more than the largest id in the edges,
        ``inputs`` and ``outputs``.
    source, target : str, default "source" / "target"
        Column names of the presynaptic and postsynaptic neuron.
    weight : str or None, default "weight"
        Column name of the weight; if the header has no such column (or ``None``),
        the returned weights are ``None``.

    Returns
    -------
    graph : Graph
    weight : ndarray of float64, shape (E,), or None

    Raises
    ------
    GraphFileError
        Naming the file and line: a missing column, a row with the wrong number of
        fields, an id that is not an integer or out of range (ids are below
        :data:`~wiring.graphs.graph.MAX_NEURONS`), a non-finite weight, a repeated edge, a
        column named twice in the header; invalid ``inputs``/``outputs``, ``source``,
        ``target`` and ``weight`` naming the same column, or a graph too large for
        memory (refused before allocating).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "edges.csv")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("source,target,weight\\n0,1,0.5\\n1,2,-1\\n")
    >>> g, w = read_edge_csv(path, inputs=[0], outputs=[2])
    >>> g.n, g.src.tolist(), g.dst.tolist(), w.tolist()
    (3, [0, 1], [1, 2], [0.5, -1.0])
    """
    p = _check_file(path)
    name = os.fspath(path)
    if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1):
        raise GraphFileError(f"{name}: `n` must be a positive integer, got {n!r}")
    for arg, col in (("source", source), ("target", target), ("weight", weight)):
        if not (isinstance(col, str) or (arg == "weight" and col is None)):
            raise GraphFileError(f"{name}: `{arg}` must be a column name, got {col!r}")
    if len({source, target, weight} - {None}) < 2 + (weight is not None):
        raise GraphFileError(
            f"{name}: `source`, `target` and `weight` must name different columns, got "
            f"{source!r}, {target!r}, {weight!r}"
        )
    src, dst, wts, lines = [], [], [], []
    try:
        with open(p, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise GraphFileError(f"{name}: file is empty; expected a header row")
            header = [h.strip() for h in header]
            for col in (source, target, weight):
                if col is not None and header.count(col) > 1:
                    raise GraphFileError(
                        f"{name} line 1: column {col!r} appears {header.count(col)} times in "
                        f"header {header}"
                    )
            cols = {}
            for role, col in (("source", source), ("target", target)):
                if col not in header:
                    raise GraphFileError(
                        f"{name} line 1: no {role} column {col!r} in header {header}"
                    )
                cols[role] = header.index(col)
            w_col = header.index(weight) if weight is not None and weight in header else None
            width = len(header)
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                where = f"{name} line {reader.line_num}"
                if len(row) != width:
                    raise GraphFileError(
                        f"{where}: expected {width} fields (header {header}), got {len(row)}"
                    )
                src.append(_csv_int(row[cols["source"]], "source", where, n))
                dst.append(_csv_int(row[cols["target"]], "target", where, n))
                if w_col is not None:
                    wts.append(
                        _weight_value(
                            row[w_col].strip(), f"{where}: weight", lambda m: GraphFileError(m)
                        )
                    )
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise GraphFileError(f"{name}: not UTF-8 text: {exc}") from None
    except csv.Error as exc:
        raise GraphFileError(f"{name}: malformed CSV: {exc}") from None

    err = _file_error(path)
    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.asarray(dst, dtype=np.int64)
    ins, outs = _csv_nodes(inputs, "inputs", err), _csv_nodes(outputs, "outputs", err)
    what = None
    if n is None:
        n = 1 + max((int(a.max()) for a in (src_a, dst_a, ins, outs) if a.size), default=-1)
        if n == 0:
            raise err("no edges, inputs or outputs: pass `n` to give the number of neurons")
        what = f"the largest neuron id {n - 1} (in the edges, `inputs` or `outputs`)"
    try:
        check_graph_size(n, src_a.size, what=what)
    except GraphError as exc:
        raise err(str(exc)) from None
    if src_a.size:
        # n <= MAX_NEURONS = 2**32, so the key fits an unsigned 64-bit int
        key = src_a.astype(np.uint64) * np.uint64(n) + dst_a.astype(np.uint64)
        order = np.argsort(key, kind="stable")
        dup = np.flatnonzero(key[order][1:] == key[order][:-1])
        if dup.size:
            first, again = order[dup[0]], order[dup[0] + 1]
            raise GraphFileError(
                f"{name} line {lines[again]}: edge {src[again]} -> {dst[again]} repeats "
                f"line {lines[first]} (one synapse per ordered pair)"
            )
    graph = _build(n, src_a, dst_a, ins, outs, err)
    return graph, (np.asarray(wts, dtype=np.float64) if w_col is not None else None)


def _csv_nodes(values, name: str, err: _Err) -> np.ndarray:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise err(f"`{name}` must be a list of integer neuron ids, got {values!r}")
    arr = np.asarray(list(values))
    if arr.size and arr.dtype.kind not in "iu":
        raise err(f"`{name}` must be a list of integer neuron ids, got {list(values)!r}")
    if arr.size and arr.min() < 0:
        raise err(f"`{name}` holds negative id {int(arr.min())}")
    return arr.astype(np.int64).reshape(-1)


def write_edge_csv(path: PathLike, graph: Graph, weight: ArrayLike | None = None) -> Path:
    """Write a graph's edges as a CSV edge list, atomically.

    Columns ``source,target`` (and ``weight`` if given), one row per edge in edge
    order; weights use Python's shortest round-tripping float format, so
    :func:`read_edge_csv` reads them back exactly. Inputs and outputs are not
    stored; pass them (and ``n``, if the last neurons have no edges) when reading.

    Parameters
    ----------
    path : str or path-like
        Destination file; written to a temporary file beside it, then renamed.
    graph : Graph
        The graph.
    weight : array_like, shape (E,), optional
        Edge weights in edge order.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    GraphError
        If ``weight`` has the wrong shape or non-finite values.

    Examples
    --------
    >>> import tempfile, os
    >>> from wiring.graphs.graph import Graph
    >>> g = Graph.from_edges(3, [1, 0], [2, 1], inputs=[0], outputs=[2])
    >>> path = write_edge_csv(os.path.join(tempfile.mkdtemp(), "e.csv"), g, [0.1, 2.0])
    >>> print(path.read_text(), end="")
    source,target,weight
    1,2,0.1
    0,1,2.0
    """
    p = Path(path)
    w = _edge_weights(graph, weight)
    if not p.parent.is_dir():
        raise GraphFileError(f"cannot write {os.fspath(path)!r}: directory does not exist")

    def write(fh):
        out = csv.writer(fh, lineterminator="\n")
        if w is None:
            out.writerow(["source", "target"])
            out.writerows(zip(graph.src.tolist(), graph.dst.tolist(), strict=True))
        else:
            out.writerow(["source", "target", "weight"])
            out.writerows(
                (s, d, repr(x))
                for s, d, x in zip(graph.src.tolist(), graph.dst.tolist(), w.tolist(), strict=True)
            )

    _atomic_write_text(p, write)
    return p


_READERS = {".graphml": read_graphml, ".gexf": read_gexf, ".csv": read_edge_csv}


def read_graph(path: PathLike, **kw: Any) -> tuple[Graph, np.ndarray | None]:
    """Read a graph file, choosing the reader by suffix.

    Parameters
    ----------
    path : str or path-like
        A ``.graphml``, ``.gexf`` or ``.csv`` file (suffix case-insensitive).
    **kw
        Keyword arguments of :func:`read_graphml`, :func:`read_gexf` or
        :func:`read_edge_csv`.

    Returns
    -------
    graph : Graph
    weight : ndarray of float64, shape (E,), or None

    Raises
    ------
    GraphFileError
        If the suffix is not supported (the message lists the supported ones) or
        the reader fails.

    Examples
    --------
    >>> import tempfile, os
    >>> from wiring.graphs.graph import Graph
    >>> g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
    >>> path = write_edge_csv(os.path.join(tempfile.mkdtemp(), "e.csv"), g)
    >>> g2, w = read_graph(path, inputs=[0], outputs=[1])
    >>> g2.n_edges, w is None
    (1, True)
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _READERS:
        raise GraphFileError(
            f"{os.fspath(path)}: unsupported graph file suffix {suffix!r}; "
            f"supported: {', '.join(sorted(_READERS))}"
        )
    return _READERS[suffix](path, **kw)
