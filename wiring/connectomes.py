"""C. elegans connectomes as graphs, with synapse counts as weights.

Twelve published wiring diagrams of the nematode *C. elegans*, converted from OpenWorm's
ConnectomeToolbox (``cect`` 0.3.5, MIT licence) into small CSV files shipped inside this
package (``wiring/data/connectomes/``; how they were made: ``data/connectomes/README.md``
in the source tree):

==================  ===============================================================
name                connectome
==================  ===============================================================
``white1986``       White et al. 1986, whole animal (cect's ``White_whole``)
``varshney2011``    Varshney et al. 2011, somatic (non-pharyngeal) nervous system
``cook2019-herm``   Cook et al. 2019, adult hermaphrodite, whole animal
``cook2019-male``   Cook et al. 2019, adult male, whole animal
``witvliet2021-1``  Witvliet et al. 2021 dataset 1, brain (nerve ring), L1 (birth)
...                 datasets 2-4 (L1), 5 (L2), 6 (L3)
``witvliet2021-8``  Witvliet et al. 2021 dataset 8, brain (nerve ring), adult
==================  ===============================================================

:func:`load` returns ``(graph, weight)``, as every reader in :mod:`wiring.graphs` does:
a :class:`~wiring.graphs.graph.Graph` whose neurons carry their names
(:attr:`~wiring.graphs.graph.Graph.node_names`) and the node attributes ``"class"``
(``sensory``, ``inter``, ``motor``, or ``unknown`` for the canal neurons CANL/R; with
``cells="all"`` also ``muscle`` and ``other``; see :data:`CLASSES`), ``"type"`` (cect's
cell type, e.g. ``"Amphid"``, ``"Layer 1 interneuron"``,
``"Ventral cord motor neuron"``) and ``"description"`` (WormAtlas' classification,
which often names the ganglion, e.g. ``"Ring interneuron"``), and the float64 synapse
counts in edge order. Cook et al. 2019 weigh a connection by the number of serial
electron-microscopy sections it spans (synapse number and size together), not by a
count of synapses; the other sources count synapses (Witvliet et al.: presynaptic
active zones).

Examples
--------
>>> from wiring import connectomes
>>> connectomes.available()[:3]
['white1986', 'varshney2011', 'cook2019-herm']
>>> g, w = connectomes.load("varshney2011")
>>> g.n, g.n_edges, int(w.sum())
(279, 2194, 6394)
>>> i = g.node_names.index("AVAL")
>>> str(g.node_attrs["class"][i]), str(g.node_attrs["type"][i])
('inter', 'Layer 1 interneuron')
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from importlib import resources

import numpy as np

from wiring.errors import GraphError
from wiring.graphs.graph import Graph

__all__ = ["CONNECTOMES", "CLASSES", "available", "load"]

CONNECTOMES: dict[str, str] = {
    "white1986": "White et al. 1986, whole animal incl. pharynx (cect White_whole); "
    "synapse counts",
    "varshney2011": "Varshney et al. 2011, hermaphrodite somatic nervous system; "
    "synapse counts",
    "cook2019-herm": "Cook et al. 2019, adult hermaphrodite, whole animal; "
    "weights = EM serial sections",
    "cook2019-male": "Cook et al. 2019, adult male, whole animal; "
    "weights = EM serial sections",
    **{
        f"witvliet2021-{i}": f"Witvliet et al. 2021 dataset {i}, brain, {stage}; "
        "synapse (active zone) counts"
        for i, stage in enumerate(
            ["L1", "L1", "L1", "L1", "L2", "L3", "adult", "adult"], start=1
        )
    },
}
"""Connectome names and a one-line description of each (source, stage, weights)."""

CLASSES = ("sensory", "inter", "motor", "unknown", "muscle", "other")
"""Values of the ``"class"`` node attribute; the first four are neurons (``unknown``:
the canal neurons CANL/R, whose function is not known)."""

_NEURON_CLASSES = frozenset(CLASSES[:4])
_SYNAPSES = ("chemical", "electrical")
_CELLS = ("neurons", "all")
_ATTRS = ("class", "type", "description")


def available() -> list[str]:
    """Names of the connectomes :func:`load` reads.

    Returns
    -------
    list of str
        White 1986, Varshney 2011, Cook 2019 (hermaphrodite, male), then the eight
        Witvliet 2021 datasets from birth to adulthood. :data:`CONNECTOMES` maps each
        to a one-line description.

    Examples
    --------
    >>> names = available()
    >>> len(names), names[-1]
    (12, 'witvliet2021-8')
    """
    return list(CONNECTOMES)


def _data_file(name: str):
    return resources.files("wiring").joinpath("data", "connectomes", name)


@functools.cache
def _cells() -> dict[str, tuple[str, str, str]]:
    """cells.csv: name -> (class, type, description), in file (name) order."""
    with _data_file("cells.csv").open("r", encoding="utf-8", newline="") as fh:
        return {r["name"]: (r["class"], r["type"], r["description"])
                for r in csv.DictReader(fh)}


@functools.cache
def _edges(name: str) -> tuple[tuple[str, str, int, int], ...]:
    """<name>.csv rows as (pre, post, chemical, electrical)."""
    with _data_file(f"{name}.csv").open("r", encoding="utf-8", newline="") as fh:
        return tuple((r["pre"], r["post"], int(r["chemical"]), int(r["electrical"]))
                     for r in csv.DictReader(fh))


def _choice(value: object, arg: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise GraphError(f"`{arg}` must be one of {', '.join(choices)}; got {value!r}")
    return value


def _select(spec: str | Sequence[str], arg: str, names: list[str],
            cls: np.ndarray, connectome: str) -> list[int]:
    """Resolve ``inputs``/``outputs``: a class name or a sequence of neuron names."""
    if isinstance(spec, str):
        if spec not in CLASSES:
            raise GraphError(
                f"`{arg}` must be a class ({', '.join(CLASSES)}) or a list of cell names; "
                f"got {spec!r}"
            )
        return np.flatnonzero(cls == spec).tolist()
    index = {x: i for i, x in enumerate(names)}
    out = []
    for x in spec:
        if x not in index:
            raise GraphError(
                f"`{arg}` names {x!r}, which is not a cell of {connectome!r} with a synapse "
                "of the chosen kind (see the graph's node_names)"
            )
        out.append(index[x])
    return out


def load(
    name: str,
    *,
    synapses: str = "chemical",
    cells: str = "neurons",
    inputs: str | Sequence[str] = (),
    outputs: str | Sequence[str] = (),
) -> tuple[Graph, np.ndarray]:
    """Load a C. elegans connectome as a named graph and its synapse counts.

    The graph holds every cell of the chosen kind that makes or receives at least one
    synapse of the chosen kind with another such cell, in the order of the shipped cell
    table (alphabetical by name); an edge ``pre -> post`` for each ordered pair with at
    least one such synapse, weighted by their number. Self-loops occur where a source
    lists synapses of a cell onto itself (Cook et al. 2019; Witvliet dataset 7).

    Parameters
    ----------
    name : str
        One of :func:`available` (e.g. ``"varshney2011"``, ``"witvliet2021-8"``).
    synapses : {"chemical", "electrical"}, default "chemical"
        Chemical synapses (directed), or gap junctions: as cect stores them, each
        junction between two cells appears as an edge in both directions with the same
        count, and a few cells are coupled to themselves (self-loops).
    cells : {"neurons", "all"}, default "neurons"
        Neurons only, or also muscles and other cells (glia, gland cells, end organs).
    inputs, outputs : str or sequence of str, default none
        The input and output neurons: a class (e.g. ``"sensory"``, ``"motor"``; then in
        graph order) or cell names in the order data columns map to them. Classes are
        disjoint, so ``inputs="sensory", outputs="motor"`` is valid.

    Returns
    -------
    graph : Graph
        With :attr:`~wiring.graphs.graph.Graph.node_names` and the node attributes
        ``"class"``, ``"type"`` and ``"description"`` (strings; see the module docstring).
    weight : ndarray of float64, shape (E,)
        The synapse count of each edge in the graph's edge order (for ``cook2019-*``,
        the number of EM serial sections; see the module docstring).

    Raises
    ------
    GraphError
        If ``name`` is not a known connectome (the message lists them), ``synapses``,
        ``cells``, ``inputs`` or ``outputs`` is invalid, or ``inputs`` and ``outputs``
        overlap.

    Examples
    --------
    >>> g, w = load("witvliet2021-8")
    >>> g.n, g.n_edges, int(w.sum())
    (180, 1933, 7099)
    >>> g, w = load("witvliet2021-1", inputs="sensory", outputs="motor")
    >>> g.inputs.size > 0 and g.outputs.size > 0
    True
    >>> import wiring
    >>> net = wiring.Network(g, w)          # synapse counts as initial weights
    >>> try:
    ...     load("white")
    ... except wiring.GraphError as exc:
    ...     print(str(exc)[:68])
    unknown connectome `name` 'white'; choose one of white1986, varshney
    """
    if not isinstance(name, str) or name not in CONNECTOMES:
        raise GraphError(
            f"unknown connectome `name` {name!r}; choose one of {', '.join(CONNECTOMES)}"
        )
    column = 2 if _choice(synapses, "synapses", _SYNAPSES) == "chemical" else 3
    keep_all = _choice(cells, "cells", _CELLS) == "all"
    table = _cells()

    def kept(cell: str) -> bool:
        return keep_all or table[cell][0] in _NEURON_CLASSES

    rows = [(r[0], r[1], r[column]) for r in _edges(name)
            if r[column] > 0 and kept(r[0]) and kept(r[1])]
    present = {c for pre, post, _ in rows for c in (pre, post)}
    names = [c for c in table if c in present]
    index = {c: i for i, c in enumerate(names)}
    src = np.fromiter((index[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    dst = np.fromiter((index[r[1]] for r in rows), dtype=np.int64, count=len(rows))
    weight = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    attrs = {a: np.asarray([table[c][k] for c in names], dtype=str)
             for k, a in enumerate(_ATTRS)}
    ins = _select(inputs, "inputs", names, attrs["class"], name)
    outs = _select(outputs, "outputs", names, attrs["class"], name)
    graph = Graph.from_edges(len(names), src, dst, inputs=ins, outputs=outs)
    return graph.with_nodes(names, **attrs), weight
