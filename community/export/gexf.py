"""Weight snapshots -> GEXF 1.3 files for Gephi (desktop and Lite) and networkx.

* :func:`write_gexf` -- one snapshot as a static GEXF file;
* :func:`write_dynamic_gexf` -- all snapshots of a run as one dynamic GEXF file whose
  timeline replays the weights, with community labels matched from snapshot to
  snapshot so that a label (and a colour) follows a community.

**Why GEXF 1.3.** Gephi desktop reads it fully since 0.9.3; Gephi Lite parses GEXF
with graphology, which does not look at the version; networkx >= 3 reads it. Against
1.2 it stores edge weights as ``double`` rather than ``float``, and it has only
inclusive ``start``/``end`` bounds (1.2's ``startopen``/``endopen`` are gone), which is
what the timeline uses.

**Drawn on opening.** Given ``positions``, each node gets ``<viz:position x y z>``
(``z = 0`` for a 2-D layout); given ``size``, ``<viz:size>``; a known community gives
``<viz:color>``. With ``edge_colours`` (the default) each edge gets a ``<viz:color>``
by the sign of its weight (:func:`community.export.style.sign_colour`: red
excitatory, blue inhibitory). In a node, the viz elements follow ``<attvalues>`` in
the order of the GEXF viz example (color, position, size); an edge holds
``<attvalues>``, ``<spells>`` (dynamic file) and ``<viz:color>``. Colours carry
``r``, ``g``, ``b`` only (integers 0-255; Gephi Lite ignores a colour with ``a``), and
the viz namespace ``http://gexf.net/1.3/viz`` is bound to the literal prefix ``viz``
(graphology finds ``viz:color`` by tag name).

**Conventions** (shared with :mod:`community.export.graphml`):

* Node ``id`` is the neuron index as a decimal string (``"0" .. "n-1"``) and nodes are
  written in index order. Node ``label`` is the neuron's name when ``labels`` gives
  names (a run with a nodes file, :func:`wiring.runs.read_nodes`: a connectome's cell
  names, a graph file's node ids), else the index again; names are XML-escaped, so
  ``&``, ``<`` and quotes survive a round trip. Ids never change: files of runs with
  and without names line up neuron by neuron. Edge ``id`` is ``e<k>``, ``k`` being the
  edge's position in the run's edge order, so an edge has the same id in every
  snapshot file (and in the dynamic file).
* The edge ``weight`` is ``|w|``: Gephi's layouts (and igraph's) need positive
  weights, and every reader treats a field called ``weight`` specially. The signed
  weight is the edge attribute ``signed_weight``; ``abs_weight`` repeats ``|w|`` as a
  plain attribute and ``sign`` is -1, 0 or 1. (An attribute called ``weight`` cannot
  carry the signed value: Gephi desktop takes it as the weight column, Gephi Lite
  lets it overwrite the edge weight and networkx drops it.)
* Attribute types are inferred from the numpy dtype: bool -> ``boolean``,
  signed/unsigned integers -> ``integer`` (``long`` if a value does not fit in 32
  bits), floats -> ``double``, ``str`` (or object arrays holding only ``str``) ->
  ``string`` (``None`` in an object array: missing, as NaN below). Any other dtype is
  rejected. Values are written as plain Python values:
  ``true``/``false``, decimal integers, floats with :func:`repr` (they read back bit
  for bit).
* ``NaN`` means "missing": its value is simply not written, so readers see no value
  (networkx: no key; Gephi: empty cell). ``inf`` is not representable in Gephi and is
  rejected, naming the attribute.
* Names ``id``, ``label`` and ``timeset`` are reserved for nodes; the computed edge
  attributes and ``id``, ``label``, ``source``, ``target`` for edges.
* One ``<attributes>`` block per class (graphology keeps only the last block of a
  class), attribute ``id`` equal to its ``title`` (graphology keys non-numeric ids by
  id, networkx by title).
* Output is deterministic (no timestamps): the same input gives the same bytes.
* Every file is written to a temporary file in the target directory, flushed, fsynced
  and renamed into place with :func:`os.replace`; on any error the temporary file is
  removed and an existing target is left untouched.

Examples
--------
>>> import tempfile, numpy as np, networkx as nx
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "g.gexf"
>>> _ = write_gexf(out, src=[0, 1], dst=[1, 2], weight=[0.5, -1.0], n=3,
...                node_attrs={"community": np.array([0, 0, 1])},
...                positions=[[0.0, 0.0], [10.0, 0.0], [5.0, 8.5]])
>>> nx.read_gexf(out).nodes["2"]["viz"]["position"]
{'x': 5.0, 'y': 8.5, 'z': 0.0}
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from community.detect import match_labels
from community.export._common import (
    _EDGE_RESERVED,
    _NODE_RESERVED,
    _XML_ILLEGAL,
    _XSI_NS,
    ExportError,
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
    _membership,
    _positions,
    _positive_sizes,
    _weight_array,
)
from community.export.style import community_colour, sign_colour

__all__ = ["GEXF_VERSION", "write_gexf", "write_dynamic_gexf"]

GEXF_VERSION = "1.3"
_GEXF_NS = "http://gexf.net/1.3"
_VIZ_NS = "http://gexf.net/1.3/viz"


# --------------------------------------------------------------------------- GEXF pieces


def _gexf_head(title: str, mode: str, extra: str = "") -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (f'<gexf xmlns="{_GEXF_NS}" xmlns:viz="{_VIZ_NS}" xmlns:xsi="{_XSI_NS}" '
           f'xsi:schemaLocation="{_GEXF_NS} {_GEXF_NS}/gexf.xsd" version="{GEXF_VERSION}">\n')
    yield "  <meta>\n    <creator>wiring community.export</creator>\n"
    if title:
        yield f"    <description>{_escape(title)}</description>\n"
    yield "  </meta>\n"
    yield f'  <graph mode="{mode}" defaultedgetype="directed"{extra}>\n'


def _gexf_declare(cls: str, mode: str, cols: Sequence[tuple[str, str]]) -> Iterator[str]:
    if not cols:
        return
    yield f'    <attributes class="{cls}" mode="{mode}">\n'
    for name, gexf_type in cols:
        esc = _escape(name)
        yield f'      <attribute id="{esc}" title="{esc}" type="{gexf_type}"/>\n'
    yield "    </attributes>\n"


def _viz(colour: tuple[int, int, int] | None, size: float | None,
         position: np.ndarray | None = None) -> str:
    """A node's viz elements: color, position, size (the GEXF viz example's order)."""
    out = ""
    if colour is not None:
        r, g, b = colour
        out += f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
    if position is not None:
        x, y, z = position.tolist()
        out += f'        <viz:position x="{x!r}" y="{y!r}" z="{z!r}"/>\n'
    if size is not None:
        out += f'        <viz:size value="{size!r}"/>\n'
    return out


def _edge_colour(w: float) -> str:
    r, g, b = sign_colour(w)
    return f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'


def _attvalues(items: Iterable[str]) -> str:
    body = "".join(items)
    return f"        <attvalues>\n{body}        </attvalues>\n" if body else ""


def _static_values(cols: Sequence[_Column], i: int, span: str = "") -> Iterator[str]:
    for col in cols:
        text = col.text[i]
        if text is not None:
            yield f'          <attvalue for="{_escape(col.name)}" value="{text}"{span}/>\n'


def _value_blocks(cols: Sequence[_Column], count: int, span: str = "") -> list[str]:
    """The ``<attvalues>`` block of every element (one string each; "" with no value).

    Formatted column by column (each column's name escaped once), then joined per
    element: the same text as :func:`_attvalues` of :func:`_static_values`, an order of
    magnitude faster on files of 10^5 edges.
    """
    per_col = []
    for col in cols:
        head = f'          <attvalue for="{_escape(col.name)}" value="'
        tail = f'"{span}/>\n'
        per_col.append(["" if t is None else f"{head}{t}{tail}" for t in col.text])
    blocks = ["".join(parts) for parts in zip(*per_col, strict=True)] if per_col \
        else [""] * count
    return [f"        <attvalues>\n{b}        </attvalues>\n" if b else "" for b in blocks]


def _colours(communities: np.ndarray | None, n: int) -> list[tuple[int, int, int] | None]:
    if communities is None:
        return [None] * n
    return [community_colour(c) for c in communities.tolist()]


def write_gexf(
    path: str | os.PathLike,
    *,
    src: ArrayLike,
    dst: ArrayLike,
    weight: ArrayLike,
    n: int,
    node_attrs: Mapping[str, ArrayLike] | None,
    edge_attrs: Mapping[str, ArrayLike] | None = None,
    communities: ArrayLike | None = None,
    title: str = "",
    size: ArrayLike | None = None,
    static: bool = True,
    edge_ids: ArrayLike | None = None,
    positions: ArrayLike | None = None,
    edge_colours: bool = True,
    labels: Sequence[str] | None = None,
) -> Path:
    """Write one weight snapshot as a static GEXF 1.3 file (Gephi desktop and Gephi Lite).

    Edge ``k`` (``src[k] -> dst[k]``) becomes ``<edge id="e<k>" weight="|w_k|">`` with
    attributes ``signed_weight`` (double), ``abs_weight`` (double), ``sign``
    (integer -1/0/1), ``within_module`` (boolean; taken from ``edge_attrs`` or, if
    absent there, computed from ``communities`` as "same community, and that
    community is >= 0"; left out if neither gives it) and any further
    ``edge_attrs``. Edges of weight 0 are written (weight 0). Node ``i`` gets id
    ``str(i)``, label ``labels[i]`` (default ``str(i)``), the typed ``node_attrs``
    (e.g. a connectome's ``class``) and, if a membership is known,
    a ``viz:color`` from :func:`~community.export.style.community_colour`, and
    ``viz:position`` / ``viz:size`` from ``positions`` / ``size``; each edge a
    ``viz:color`` by its sign (``edge_colours``). See the module docstring for types,
    NaN/inf and reserved names.

    Parameters
    ----------
    path : str or PathLike
        Output file; its directory must exist. Replaced atomically.
    src, dst : array_like of int, shape (E,)
        Edge ``k`` runs from ``src[k]`` to ``dst[k]``; indices in ``[0, n)``, no
        repeated ``(src, dst)`` pair.
    weight : array_like of float, shape (E,)
        Signed, finite weights in the same edge order.
    n : int
        Number of neurons (nodes).
    node_attrs : dict of str to array_like, shape (n,), or None
        Node attributes; the type of each is inferred from its dtype.
    edge_attrs : dict of str to array_like, shape (E,), optional
        Extra edge attributes (e.g. ``within_module``).
    edge_ids : array_like of int, shape (E,), optional
        Ids written as ``e<id>`` (default ``0 .. E-1``): pass each edge's position
        in the run's full edge order when writing a subset (e.g. without pruned,
        zero-weight synapses), so ids stay stable across snapshots.
    communities : array_like of int, shape (n,), optional
        Membership used for node colours (and ``within_module``); written as the
        integer node attribute ``community`` unless ``node_attrs`` has one, in
        which case both must be equal. Without it, an integer
        ``node_attrs["community"]`` colours the nodes. Labels are written as given:
        files of different snapshots are not matched to each other (the dynamic
        file is, :func:`write_dynamic_gexf`).
    title : str, optional
        Written as the file's ``<meta><description>``.
    size : array_like of float, shape (n,), optional
        Positive node sizes, written as ``viz:size``
        (:func:`~community.export.style.node_sizes` makes them from strengths).
    static : bool, default True
        Must be True: this writer only writes static graphs; use
        :func:`write_dynamic_gexf` for a timeline.
    positions : array_like of float, shape (n, 2) or (n, 3), optional
        Node positions, written as ``viz:position`` (``z = 0`` for 2-D), in Gephi's
        units (:func:`~community.export.style.gephi_positions` scales a layout).
    edge_colours : bool, default True
        Colour each edge by the sign of its weight
        (:func:`~community.export.style.sign_colour`).
    labels : sequence of str, shape (n,), optional
        Node labels, e.g. the neurons' names (:func:`wiring.runs.read_nodes`); default
        the index, as the id. Escaped for XML here.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ExportError
        On invalid input; the message names the argument, index and value.

    Examples
    --------
    >>> import tempfile, numpy as np, networkx as nx
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "step_10.gexf"
    >>> _ = write_gexf(out, src=[0, 1], dst=[1, 0], weight=[0.25, -2.0], n=2,
    ...                node_attrs={"role": np.array(["hub", "peripheral"]),
    ...                            "within_z": np.array([1.5, np.nan])},
    ...                communities=[0, 0], title="run a, step 10")
    >>> G = nx.read_gexf(out)
    >>> G.nodes["1"]["role"], G.nodes["0"]["community"], "within_z" in G.nodes["1"]
    ('peripheral', 0, False)
    >>> e = G.edges["1", "0"]
    >>> e["id"], e["weight"], e["signed_weight"], e["sign"], e["within_module"]
    ('e1', 2.0, -2.0, -1, True)

    Named neurons keep their index as id and show their name as label:

    >>> _ = write_gexf(out, src=[0], dst=[1], weight=[1.0], n=2, labels=["AVAL", "R&D <2>"],
    ...                node_attrs={"class": np.array(["inter", "motor"])})
    >>> G = nx.read_gexf(out)
    >>> G.nodes["1"]["label"], G.nodes["1"]["class"]
    ('R&D <2>', 'motor')
    """
    if static is not True:
        raise ExportError("`static` must be True; use write_dynamic_gexf for a dynamic graph")
    if not isinstance(title, str) or _XML_ILLEGAL.search(title):
        raise ExportError(f"`title` must be a string without control characters, got {title!r}")
    n = _count(n)
    s, d = _edges(src, dst, n)
    m = s.size
    w = _weight_array(weight, "weight", m)
    sizes = _positive_sizes(size, n)
    pos = _positions(positions, n)
    paint = _flag(edge_colours, "edge_colours")
    names = _labels(labels, n)
    ncols = _columns(node_attrs, n, "node", "node_attrs", _NODE_RESERVED)
    memb = None if communities is None else _membership(communities, n, "communities")
    if memb is not None:
        if node_attrs is not None and "community" in node_attrs:
            given = np.asarray(node_attrs["community"])
            if given.shape != memb.shape or not np.array_equal(given, memb):
                raise ExportError("`communities` differs from node_attrs['community']; "
                                  "pass one of them, or equal arrays")
        else:
            ncols.insert(0, _column("community", memb, n, "communities"))
    extra_edge = dict(edge_attrs or {})
    if "within_module" not in extra_edge and memb is not None:
        extra_edge["within_module"] = (memb[s] == memb[d]) & (memb[s] >= 0)
    ecols = [
        _column("signed_weight", w, m, "weight"),
        _column("abs_weight", np.abs(w), m, "weight"),
        _column("sign", np.sign(w).astype(np.int64), m, "weight"),
        *_columns(extra_edge, m, "edge", "edge_attrs", _EDGE_RESERVED),
    ]
    colours = _colours(memb if memb is not None else _community_source(node_attrs, n), n)
    abs_text = [repr(v) for v in np.abs(w).tolist()]
    eids = _edge_ids(edge_ids, m)

    def chunks() -> Iterator[str]:
        yield from _gexf_head(title, "static")
        yield from _gexf_declare("node", "static", [(c.name, c.gexf_type) for c in ncols])
        yield from _gexf_declare("edge", "static", [(c.name, c.gexf_type) for c in ecols])
        yield "    <nodes>\n"
        for i, values in enumerate(_value_blocks(ncols, n)):
            viz = _viz(colours[i], None if sizes is None else float(sizes[i]),
                       None if pos is None else pos[i])
            yield f'      <node id="{i}" label="{names[i]}">\n{values}{viz}      </node>\n'
        yield "    </nodes>\n    <edges>\n"
        paint_by = {v: _edge_colour(v) if paint else "" for v in (-1.0, 0.0, 1.0)}
        signs = np.sign(w).tolist()
        for k, (e, a, b, values) in enumerate(zip(eids.tolist(), s.tolist(), d.tolist(),
                                                  _value_blocks(ecols, m), strict=True)):
            yield (f'      <edge id="e{e}" source="{a}" target="{b}" weight="{abs_text[k]}">\n'
                   f"{values}{paint_by[signs[k]]}      </edge>\n")
        yield "    </edges>\n  </graph>\n</gexf>\n"

    return _atomic_write(path, chunks())


def _steps(steps, count: int) -> np.ndarray:
    arr = np.asarray(steps)
    if arr.ndim != 1 or arr.size != count or arr.dtype.kind not in "fiu":
        raise ExportError(f"`steps` must be {count} numbers, one per weight array, got {steps!r}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ExportError(f"`steps` must be finite, got {steps!r}")
    if np.any(np.diff(arr) <= 0):
        raise ExportError(f"`steps` must be strictly increasing, got {steps!r}")
    return arr


def _labels_over_time(memb: np.ndarray) -> np.ndarray:
    """Relabel the rows of ``memb`` (snapshots x neurons) so labels follow communities.

    The last row is kept; row ``t`` is matched to the relabelled row ``t + 1``
    (:func:`community.detect.match_labels`), and unmatched communities get labels
    above every label used so far, so a label is never reused for another community.
    """
    out = memb.copy()
    fresh = int(out[-1].max(initial=-1)) + 1
    for t in range(out.shape[0] - 2, -1, -1):
        out[t] = match_labels(memb[t], out[t + 1], first_new=fresh)
        fresh = max(fresh, int(out[t].max(initial=-1)) + 1)
    return out


def write_dynamic_gexf(
    path: str | os.PathLike,
    *,
    src: ArrayLike,
    dst: ArrayLike,
    n: int,
    weights: Sequence[ArrayLike],
    steps: ArrayLike,
    node_attrs: Mapping[str, ArrayLike] | None = None,
    communities: Sequence[ArrayLike] | None = None,
    edge_ids: ArrayLike | None = None,
    match_communities: bool = True,
    positions: ArrayLike | None = None,
    size: ArrayLike | None = None,
    edge_colours: bool = True,
    labels: Sequence[str] | None = None,
) -> Path:
    """Write all snapshots of a run as one dynamic GEXF 1.3 file for Gephi's timeline.

    ``edge_ids`` (optional) gives the id ``e<id>`` of each edge, as in
    :func:`write_gexf`, when a subset of the run's edges is written.

    Snapshot ``k`` covers the closed interval ``[steps[k], steps[k+1]]``; the last
    one ends at ``steps[-1] + (steps[-1] - steps[-2])`` (at ``steps[0] + 1`` if there
    is a single snapshot). Consecutive intervals touch (the end of one is the
    start of the next) and never overlap. The graph has ``timeformat="double"``.

    Per edge ``e<k>`` and interval, the dynamic edge attributes ``weight`` (``|w|``;
    Gephi takes the edge column ``weight`` as its dynamic edge weight, so the
    timeline replays it) and ``signed_weight`` (``w``) get one ``<attvalue>`` each
    with ``start``/``end``. **A weight of exactly 0 gets no value** for that
    interval, and the edge's ``<spells>`` (merged runs of non-zero intervals)
    leave it out there, so the edge disappears from the timeline while it is
    zero; edges that are 0 in every snapshot are omitted (ids of the others keep
    their ``k``). Edges carry no static ``weight`` XML attribute.

    All attributes of a class are declared in one ``mode="dynamic"`` block
    (Gephi Lite reads only one block per class). ``node_attrs`` do not change
    over time and are written once, spanning the whole timeline. With
    ``communities``, the node attribute ``community`` has one value per interval
    and the node colours (:func:`community_colour`, one per node: GEXF readers
    take no dynamic colour) are those of the last interval's value. Gephi Lite
    has no timeline: it shows the last value written for each attribute.

    The viz elements are static too (Gephi reads no dynamic viz): ``positions`` and
    ``size`` are written once per node, and with ``edge_colours`` an edge's colour is
    the sign of its last non-zero weight (:func:`~community.export.style.sign_colour`).

    **Community labels follow communities.** Partitions of different snapshots
    number their communities independently (Leiden's by size), so colouring by
    ``community`` on Gephi's timeline would reshuffle colours at every step. With
    ``match_communities`` (the default) the last snapshot keeps its labels and
    each earlier one is relabelled by :func:`community.detect.match_labels`
    against the (already relabelled) snapshot after it, going back in time: a
    community takes the label of the one it shares the most neurons with in the
    next snapshot, one to one, and a community without a partner gets a label
    never used before in the file (so a label never jumps to an unrelated
    community). Chaining step to step keeps the change between neighbouring
    intervals -- what the timeline shows -- as small as the partitions allow;
    anchoring the chain at the last snapshot makes the last interval's labels,
    and the node colours, those of the final partition (the static file of the
    final step). Each interval's partition is unchanged: only its labels are.
    Negative labels (neurons not analysed) are kept as they are.

    Parameters
    ----------
    path : str or PathLike
        Output file; its directory must exist. Replaced atomically.
    src, dst : array_like of int, shape (E,)
        The run's edge list (the same order in every snapshot).
    n : int
        Number of neurons.
    weights : sequence of array_like of float, shape (E,)
        One finite weight array per snapshot.
    steps : array_like of number
        Training step of each snapshot, strictly increasing.
    node_attrs : dict of str to array_like, shape (n,), optional
        Time-invariant node attributes (types as in :func:`write_gexf`).
    communities : sequence of array_like of int, shape (n,), optional
        One membership per snapshot (any integer labels; negative: not analysed).
    edge_ids : array_like of int, shape (E,), optional
        Ids written as ``e<id>`` (default ``0 .. E-1``), as in :func:`write_gexf`.
    match_communities : bool, default True
        Relabel the communities so that labels follow them over time (above);
        ``False`` writes ``communities`` as given.
    positions : array_like of float, shape (n, 2) or (n, 3), optional
        Node positions (``viz:position``), as in :func:`write_gexf`.
    size : array_like of float, shape (n,), optional
        Positive node sizes (``viz:size``).
    edge_colours : bool, default True
        Colour each edge by the sign of its last non-zero weight.
    labels : sequence of str, shape (n,), optional
        Node labels (the neurons' names), as in :func:`write_gexf`.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ExportError
        On invalid input (e.g. ``weights[2]`` of the wrong length, steps not
        increasing); the message names the argument.

    Examples
    --------
    >>> import tempfile
    >>> import xml.etree.ElementTree as ET
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "dynamic.gexf"
    >>> _ = write_dynamic_gexf(out, src=[0, 1], dst=[1, 0], n=2,
    ...                        weights=[[0.5, 0.0], [-0.25, 1.0]], steps=[0, 100])
    >>> ns = {"g": "http://gexf.net/1.3"}
    >>> edge = ET.parse(out).find(".//g:edge[@id='e0']", ns)
    >>> [(a.get("value"), a.get("start"), a.get("end"))
    ...  for a in edge.iterfind(".//g:attvalue[@for='signed_weight']", ns)]
    [('0.5', '0.0', '100.0'), ('-0.25', '100.0', '200.0')]

    The same two communities, numbered the other way round at step 0, keep one
    label each over the timeline:

    >>> _ = write_dynamic_gexf(out, src=[0, 1], dst=[1, 0], n=2,
    ...                        weights=[[0.5, 0.0], [-0.25, 1.0]], steps=[0, 100],
    ...                        communities=[[1, 0], [0, 1]])
    >>> node = ET.parse(out).find(".//g:node[@id='0']", ns)
    >>> [a.get("value") for a in node.iterfind(".//g:attvalue[@for='community']", ns)]
    ['0', '0']
    """
    n = _count(n)
    s, d = _edges(src, dst, n)
    m = s.size
    if isinstance(weights, np.ndarray) and weights.ndim == 2:
        weights = list(weights)
    if isinstance(weights, str | bytes) or not isinstance(weights, Sequence) or not weights:
        raise ExportError("`weights` must be a non-empty list of weight arrays, one per snapshot")
    W = np.stack([_weight_array(w, f"weights[{t}]", m) for t, w in enumerate(weights)])
    T = W.shape[0]
    times = _steps(steps, T)
    last_end = times[-1] + (times[-1] - times[-2] if T > 1 else 1.0)
    starts = [repr(float(t)) for t in times]
    ends = starts[1:] + [repr(float(last_end))]
    ncols = _columns(node_attrs, n, "node", "node_attrs", _NODE_RESERVED)
    pos = _positions(positions, n)
    sizes = _positive_sizes(size, n)
    paint = _flag(edge_colours, "edge_colours")
    names = _labels(labels, n)
    memb = None
    if communities is not None:
        if isinstance(communities, np.ndarray) and communities.ndim == 2:
            communities = list(communities)
        if isinstance(communities, str | bytes) or not isinstance(communities, Sequence) \
                or len(communities) != T:
            raise ExportError(f"`communities` must be a list of {T} membership arrays, one per "
                              "snapshot")
        memb = np.stack([_membership(c, n, f"communities[{t}]")
                         for t, c in enumerate(communities)])
        if not isinstance(match_communities, bool | np.bool_):
            raise ExportError(f"`match_communities` must be True or False, got "
                              f"{match_communities!r}")
        if match_communities:
            memb = _labels_over_time(memb)
        if any(c.name == "community" for c in ncols):
            raise ExportError("pass the community either in `node_attrs` (static) or in "
                              "`communities` (per snapshot), not both")
    colours = _colours(memb[-1] if memb is not None else _community_source(node_attrs, n), n)
    decl_nodes = ([("community", "integer")] if memb is not None else []) + [
        (c.name, c.gexf_type) for c in ncols]
    whole = f' start="{starts[0]}" end="{ends[-1]}"'
    kept = np.flatnonzero(np.any(W != 0, axis=0))
    eids = _edge_ids(edge_ids, W.shape[1])

    def edge_chunks() -> Iterator[str]:
        # plain Python over each edge's T values: numpy calls on arrays of ~10 numbers
        # cost more than they save
        spans = [f'start="{a}" end="{b}"' for a, b in zip(starts, ends, strict=True)]
        paint_by = {up: _edge_colour(1.0 if up else -1.0) if paint else ""
                    for up in (True, False)}
        columns = W[:, kept].T.tolist()
        for k, col in zip(kept.tolist(), columns, strict=True):
            values, spells, run_start = [], [], None
            for t, v in enumerate(col):
                if v != 0:
                    values.append(f'          <attvalue for="weight" value="{abs(v)!r}" '
                                  f'{spans[t]}/>\n'
                                  f'          <attvalue for="signed_weight" value="{v!r}" '
                                  f'{spans[t]}/>\n')
                    if run_start is None:
                        run_start = t
                elif run_start is not None:
                    spells.append(f'          <spell start="{starts[run_start]}" '
                                  f'end="{ends[t - 1]}"/>\n')
                    run_start = None
            if run_start is not None:
                spells.append(f'          <spell start="{starts[run_start]}" '
                              f'end="{ends[T - 1]}"/>\n')
            last = next(v for v in reversed(col) if v != 0)  # kept: some v is non-zero
            yield (f'      <edge id="e{eids[k]}" source="{s[k]}" target="{d[k]}">\n'
                   f"{_attvalues(values)}        <spells>\n{''.join(spells)}"
                   f"        </spells>\n{paint_by[last > 0]}      </edge>\n")

    def chunks() -> Iterator[str]:
        yield from _gexf_head("", "dynamic", ' timeformat="double" timerepresentation="interval"')
        yield from _gexf_declare("node", "dynamic", decl_nodes)
        yield from _gexf_declare("edge", "dynamic",
                                 [("weight", "double"), ("signed_weight", "double")])
        yield "    <nodes>\n"
        for i in range(n):
            yield f'      <node id="{i}" label="{names[i]}">\n'
            values = []
            if memb is not None:
                values += [f'          <attvalue for="community" value="{int(memb[t, i])}" '
                           f'start="{starts[t]}" end="{ends[t]}"/>\n' for t in range(T)]
            values += list(_static_values(ncols, i, whole))
            yield _attvalues(values)
            yield _viz(colours[i], None if sizes is None else float(sizes[i]),
                       None if pos is None else pos[i])
            yield "      </node>\n"
        yield "    </nodes>\n    <edges>\n"
        yield from edge_chunks()
        yield "    </edges>\n  </graph>\n</gexf>\n"

    return _atomic_write(path, chunks())

