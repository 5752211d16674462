"""The graph families a configuration can name (``[graph] family``), in one registry.

Each family is a function ``build(g, n_inputs, n_outputs, seed) -> Graph`` of the
``[graph]`` section (:class:`wiring.config.GraphConfig`), the data set's input and output
counts (0 for the noise task) and the task seed. :data:`FAMILIES` maps each name to its
function; :func:`build_graph` resolves a configuration and calls the one it names;
:data:`GRAPH_FAMILIES` is the tuple of names, in the order the docs list them.

Two families are read rather than built: ``"file"`` (``graph.path``: GraphML, GEXF or a
CSV edge list, :mod:`wiring.graphs.files`) and ``"connectome"`` (``graph.name``, a C.
elegans wiring diagram of :mod:`wiring.connectomes`). Their neurons keep their names and
node attributes, ``graph.inputs``/``graph.outputs`` pick the input and output neurons
(:func:`check_graph_config` gives the syntax), and they bring weights of their own:
:func:`load_source` reads one once and decides the initial weights (``graph.weights``,
``graph.weight_scale``).

Examples
--------
>>> from wiring.config import TrainConfig
>>> g = build_graph(TrainConfig(), 64, 10)
>>> g.n, g.inputs.size, g.outputs.size
(174, 64, 10)
>>> sorted(FAMILIES) == sorted(GRAPH_FAMILIES)
True
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from wiring import connectomes
from wiring.config import GraphConfig, TrainConfig, resolve_config
from wiring.errors import ConfigError, GraphError
from wiring.graphs import builders
from wiring.graphs._convert import _flag
from wiring.graphs.graph import Graph

__all__ = ["FAMILIES", "GRAPH_FAMILIES", "READ_FAMILIES", "WEIGHTS", "GraphSource",
           "build_graph", "check_graph_config", "load_source"]

#: The families read from somewhere rather than built: only they take ``graph.inputs``,
#: ``graph.outputs``, ``graph.weights = "file"`` and ``graph.weight_scale``.
READ_FAMILIES = ("file", "connectome")
#: Values of ``graph.weights``: the source's weights, random ones, or the first where
#: there are weights.
WEIGHTS = ("auto", "file", "random")


def _recurrent(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    return builders.recurrent(n_inputs, g.hidden, n_outputs, input_density=g.input_density,
                              recurrent_density=g.recurrent_density,
                              output_density=g.output_density,
                              feedback_density=g.feedback_density, self_loops=g.self_loops,
                              seed=seed)


def _layered(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    sizes = list(g.sizes) or [n_inputs, g.hidden, n_outputs]
    if n_inputs and (sizes[0] != n_inputs or sizes[-1] != n_outputs):
        raise ConfigError(f"'graph.sizes' {sizes} must start with {n_inputs} inputs and end "
                          f"with {n_outputs} outputs for this data set")
    return builders.layered(sizes, skip=g.skip)


def _all_to_all(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    return builders.all_to_all(g.n, self_loops=g.self_loops, n_inputs=n_inputs,
                               n_outputs=n_outputs)


def _erdos_renyi(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    return builders.erdos_renyi(g.n, g.density, seed=seed, self_loops=g.self_loops,
                                n_inputs=n_inputs, n_outputs=n_outputs)


def _sbm(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    sizes = [g.n // g.blocks + (1 if b < g.n % g.blocks else 0) for b in range(g.blocks)]
    return builders.stochastic_block(sizes, (g.p_in, g.p_out), seed=seed,
                                     self_loops=g.self_loops, n_inputs=n_inputs,
                                     n_outputs=n_outputs)[0]


def _small_world(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    return builders.small_world(g.n, g.k, g.rewire, seed=seed, n_inputs=n_inputs,
                                n_outputs=n_outputs)


def _read_family(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    """``file`` and ``connectome``: the graph as read, its inputs and outputs checked
    against the data's counts."""
    return _fit_data(_read(g)[0], g, n_inputs, n_outputs)


# --------------------------------------------------------------------------- read graphs


def _where(g) -> str:
    return (f"'graph.path' = {g.path!r}" if g.family == "file"
            else f"connectome {g.name!r} ('graph.name')")


def _read(g) -> tuple[Graph, np.ndarray | None]:
    """The graph of a read family, its inputs/outputs as ``graph.inputs``/``outputs`` say,
    and its weights as read (None if the file has none)."""
    check_graph_config(g)
    if g.family == "connectome":
        try:
            graph, weight = connectomes.load(g.name, synapses=g.synapses, cells=g.cells)
        except GraphError as exc:  # a name check_graph_config let through: say which key
            raise ConfigError(f"'graph.name' / 'graph.synapses' / 'graph.cells': {exc}") \
                from None
        return _with_io(graph, g), weight
    from wiring.graphs.files import read_graph  # networkx only when a file is read

    if not g.path:
        raise ConfigError("'graph.path' is required for graph.family = 'file'")
    if Path(g.path).suffix.lower() == ".csv":  # ids are integers; no node attributes
        ins, outs = (_csv_ids(g, key) for key in ("inputs", "outputs"))
        return read_graph(g.path, inputs=ins, outputs=outs)
    graph, weight = read_graph(g.path, inputs=[], outputs=[])
    return _with_io(graph, g), weight


def _csv_ids(g, key: str) -> list[int]:
    spec = getattr(g, key)
    if isinstance(spec, str) and spec:
        raise ConfigError(
            f"'graph.{key}' = {spec!r}: a CSV edge list has no node attributes; give "
            f"'graph.{key}' as a list of neuron ids (e.g. [0, 1, 2]), or use a GraphML or "
            "GEXF file")
    out = []
    for x in spec or []:
        try:
            out.append(int(x))
        except ValueError:
            raise ConfigError(f"'graph.{key}' names {x!r}: the neurons of a CSV edge list "
                              "are integer ids (0, 1, ...)") from None
    return out


def _value_text(value) -> str:
    """A node attribute value as ``"ATTR=VALUE"`` compares it (booleans as true/false)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value.item() if isinstance(value, np.generic) else value)


def _select(graph: Graph, g, key: str) -> list[int]:
    """The neurons ``graph.<key>`` picks, in its order (lists) or the graph's."""
    spec, attrs = getattr(g, key), graph.node_attrs or {}
    names = graph.node_names or tuple(str(i) for i in range(graph.n))
    if isinstance(spec, list):
        index = {name: i for i, name in enumerate(names)}
        out = []
        for x in spec:
            if str(x) not in index:
                near = difflib.get_close_matches(str(x), names, n=3)
                hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
                raise ConfigError(f"'graph.{key}' names {x!r}, which is not a node of "
                                  f"{_where(g)}{hint}")
            out.append(index[str(x)])
        return out
    attr, _, value = (part.strip() for part in spec.partition("="))
    if not spec:  # the default: the readers' boolean attributes, where the file has them
        attr = {"inputs": "input", "outputs": "output"}[key]
        if attr not in attrs:
            return []
    if attr not in attrs:
        have = ", ".join(map(repr, attrs)) or "none"
        raise ConfigError(
            f"'graph.{key}' = {spec!r}: no node of {_where(g)} has the attribute {attr!r} "
            f"(node attributes: {have}); to name nodes, give a list, e.g. "
            f"graph.{key} = [\"{attr}\"]")
    column = attrs[attr]
    if "=" not in spec:  # a boolean attribute
        try:
            return [i for i, v in enumerate(column.tolist()) if _flag(
                v, f"node {names[i]!r} attribute {attr!r}", ConfigError)]
        except ConfigError as exc:
            raise ConfigError(f"'graph.{key}' = {spec!r}: {exc}; to pick nodes by value "
                              f"write {attr}=VALUE") from None
    texts = [_value_text(v) for v in column]
    out = [i for i, t in enumerate(texts) if t == value]
    if not out:
        seen = sorted(set(texts))
        listed = ", ".join(map(repr, seen[:12])) + (", ..." if len(seen) > 12 else "")
        raise ConfigError(f"'graph.{key}' = {spec!r} matches no node of {_where(g)}; "
                          f"values of {attr!r} there: {listed}")
    return out


def _with_io(graph: Graph, g) -> Graph:
    """``graph`` with the inputs and outputs ``graph.inputs``/``graph.outputs`` pick."""
    ins, outs = _select(graph, g, "inputs"), _select(graph, g, "outputs")
    both = sorted(set(ins) & set(outs))
    if both:
        names = graph.node_names or tuple(map(str, range(graph.n)))
        raise ConfigError(f"'graph.inputs' and 'graph.outputs' both pick node(s) "
                          f"{', '.join(repr(names[i]) for i in both[:5])}: a neuron cannot "
                          "be both input and output")
    out = Graph.from_edges(graph.n, graph.src, graph.dst, inputs=ins, outputs=outs)
    return dataclasses.replace(out, node_names=graph.node_names, node_attrs=graph.node_attrs)


def _fit_data(graph: Graph, g, n_inputs: int, n_outputs: int) -> Graph:
    """Check the read graph's inputs and outputs against the data's counts."""
    have = (graph.inputs.size, graph.outputs.size)
    if not (n_inputs or n_outputs) or have == (n_inputs, n_outputs):
        return graph
    if g.family == "file" and Path(g.path).suffix.lower() == ".csv" and have == (0, 0):
        raise ConfigError(
            f"'graph.path' = {g.path!r}: a CSV edge list does not say which neurons "
            "are inputs and outputs, which a data task needs; set 'graph.inputs' and "
            "'graph.outputs' to lists of neuron ids, or use a GraphML or GEXF file with "
            "boolean node attributes 'input' and 'output'")
    raise ConfigError(
        f"{_where(g)} has {have[0]} input and {have[1]} output neurons; the data set needs "
        f"{n_inputs} inputs (features) and {n_outputs} outputs (classes): choose them with "
        "'graph.inputs' and 'graph.outputs'")


#: family name -> ``build(graph_config, n_inputs, n_outputs, seed)``
FAMILIES: dict[str, Callable[..., Graph]] = {
    "recurrent": _recurrent, "layered": _layered, "all-to-all": _all_to_all,
    "erdos-renyi": _erdos_renyi, "sbm": _sbm, "small-world": _small_world,
    "file": _read_family, "connectome": _read_family,
}
GRAPH_FAMILIES = tuple(FAMILIES)


def _check_spec(spec, key: str) -> None:
    """The syntax of ``graph.inputs``/``graph.outputs`` (what a file must match is checked
    when it is read)."""
    if isinstance(spec, str):
        attr, eq, value = (part.strip() for part in spec.partition("="))
        if spec and not attr:
            raise ConfigError(f"'graph.{key}' = {spec!r}: give ATTR=VALUE (e.g. "
                              "\"class=sensory\"), ATTR (a boolean node attribute) or a list "
                              "of node names")
        return
    seen = set()
    for k, x in enumerate(spec):
        if isinstance(x, bool) or not isinstance(x, str | int) or (
                isinstance(x, int) and x < 0) or (isinstance(x, str) and not x):
            raise ConfigError(f"'graph.{key}'[{k}] must be a node name (a non-empty string, "
                              f"or an id >= 0), got {x!r}")
        if str(x) in seen:
            raise ConfigError(f"'graph.{key}' lists {x!r} twice")
        seen.add(str(x))


def check_graph_config(g: GraphConfig) -> None:
    """Check the keys of ``[graph]`` that choose a read graph's nodes and weights.

    ``graph.inputs`` and ``graph.outputs`` take one of:

    - a list of node names (ids as the file writes them; integer ids of a CSV edge list),
      in the order data columns map to them, e.g. ``["ASHL", "ASHR"]``; ``[]``: none;
    - ``"ATTR=VALUE"``: the nodes whose attribute ``ATTR`` is ``VALUE`` (compared as
      text; booleans as ``true``/``false``), in graph order, e.g. ``"class=sensory"``;
    - ``"ATTR"``: the nodes whose boolean attribute ``ATTR`` is true;
    - ``""`` (the default): the boolean attribute ``input`` (``output``) where the graph
      has it, else none (what the noise task, which has no inputs, needs).

    They apply to ``graph.family = "file"`` or ``"connectome"`` only, as do
    ``graph.weights = "file"`` and a ``graph.weight_scale`` (a number > 0, or "auto");
    ``graph.name`` must be a connectome of :func:`wiring.connectomes.available` for the
    connectome family and unset otherwise.

    Parameters
    ----------
    g : GraphConfig
        The ``[graph]`` section, resolved (:func:`wiring.config.resolve_config`).

    Returns
    -------
    None

    Raises
    ------
    ConfigError
        Naming the key (``graph.inputs``, ``graph.outputs``, ``graph.weights``, ...).

    Examples
    --------
    >>> from wiring.config import GraphConfig
    >>> check_graph_config(GraphConfig(family="connectome", name="witvliet2021-8",
    ...                                inputs="class=sensory", outputs=["AVAL", "AVAR"]))
    >>> try:
    ...     check_graph_config(GraphConfig(family="recurrent", inputs="class=sensory"))
    ... except ConfigError as exc:
    ...     print(str(exc)[:74])
    'graph.inputs' = 'class=sensory' picks nodes of a graph file or connectome
    """
    if g.weights not in WEIGHTS:
        raise ConfigError(f"unknown 'graph.weights' {g.weights!r}; choose one of "
                          f"{', '.join(WEIGHTS)}")
    scale = g.weight_scale
    if isinstance(scale, str) and scale != "auto":
        raise ConfigError(f"'graph.weight_scale' must be a number > 0 or \"auto\", got "
                          f"{scale!r}")
    if not isinstance(scale, str) and not (math.isfinite(scale) and scale > 0):
        raise ConfigError(f"'graph.weight_scale' must be a finite number > 0, got {scale!r}")
    for key in ("inputs", "outputs"):
        _check_spec(getattr(g, key), key)
    if isinstance(g.inputs, list) and isinstance(g.outputs, list):
        both = [x for x in g.inputs if str(x) in {str(y) for y in g.outputs}]
        if both:
            raise ConfigError(f"'graph.inputs' and 'graph.outputs' both list {both[0]!r}: a "
                              "neuron cannot be both input and output")
    if g.family not in READ_FAMILIES:
        for key in ("inputs", "outputs"):
            if getattr(g, key) != "":
                raise ConfigError(
                    f"'graph.{key}' = {getattr(g, key)!r} picks nodes of a graph file or "
                    f"connectome; graph.family = {g.family!r} numbers its {key} itself "
                    f"(one per data {'feature' if key == 'inputs' else 'class'})")
        if g.weights == "file" or not isinstance(scale, str):
            key = "weights" if g.weights == "file" else "weight_scale"
            raise ConfigError(f"'graph.{key}' = {getattr(g, key)!r} applies to weights read "
                              f"with the graph (graph.family = 'file' or 'connectome'); "
                              f"graph.family = {g.family!r} draws them (neurons.init_scale)")
    elif g.weights == "random" and not isinstance(scale, str):
        raise ConfigError(f"'graph.weight_scale' = {scale!r} scales the weights read with the "
                          "graph, but graph.weights = 'random' draws them; scale those with "
                          "neurons.init_scale")
    if g.family == "connectome":
        if g.name not in connectomes.CONNECTOMES:
            raise ConfigError(f"{'unknown' if g.name else 'no'} 'graph.name' {g.name!r} for "
                              "graph.family = 'connectome'; choose one of "
                              f"{', '.join(connectomes.available())}")
        for key, choices in (("synapses", ("chemical", "electrical")),
                             ("cells", ("neurons", "all"))):
            if getattr(g, key) not in choices:
                raise ConfigError(f"unknown 'graph.{key}' {getattr(g, key)!r}; choose one of "
                                  f"{', '.join(choices)}")
    elif g.name:
        raise ConfigError(f"'graph.name' = {g.name!r} names a connectome; set graph.family "
                          "= 'connectome' to train on it")


class GraphSource(NamedTuple):
    """A graph file or connectome, read once, with the weights a run starts from.

    Attributes
    ----------
    graph : Graph
        With the inputs and outputs ``graph.inputs``/``graph.outputs`` pick, and the
        node names and attributes of the file or connectome.
    weight : ndarray of float64, shape (E,), or None
        The initial weights in the graph's edge order: the file's weights (or synapse
        counts) times ``graph.weight_scale``; ``None`` when they are to be drawn at random
        (``graph.weights = "random"``).
    config : TrainConfig
        The configuration, resolved, with ``graph.weights`` (``"file"`` or
        ``"random"``) and ``graph.weight_scale`` (the factor used, or "auto" for random
        weights) as the run uses them: what its ``config.toml`` records.
    """

    graph: Graph
    weight: np.ndarray | None
    config: TrainConfig


def load_source(cfg: TrainConfig) -> GraphSource | None:
    """Read the graph file or connectome ``cfg.graph`` names, and decide its weights.

    ``graph.weights = "auto"`` becomes ``"file"`` when there are weights (a connectome's
    synapse counts; a GraphML/GEXF edge attribute ``weight``, a CSV column ``weight``),
    else ``"random"``. ``graph.weight_scale = "auto"`` becomes 1 for a file (its
    weights are used as written) and, for a connectome, ``init_scale * sqrt(k / sum(c**2))``
    for synapse counts ``c`` and ``k`` neurons with an incoming synapse: the scaled counts
    then have the sum of squares, so the root-mean-square weight, that the random
    initialisation (std ``init_scale / sqrt(in-degree)`` per edge) has on average. Counts
    as they are (tens of synapses per edge) would saturate tanh neurons.

    Parameters
    ----------
    cfg : TrainConfig

    Returns
    -------
    GraphSource or None
        ``None`` for a family that is built rather than read.

    Raises
    ------
    ConfigError
        A key of :func:`check_graph_config`, ``graph.weights = "file"`` for a file without
        weights, or ``graph.inputs``/``graph.outputs`` that name no node of the graph.
    GraphFileError
        An unreadable graph file.

    Examples
    --------
    >>> from wiring.config import TrainConfig, apply_overrides
    >>> cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.family=connectome",
    ...                                       "graph.name=witvliet2021-8"])
    >>> src = load_source(cfg)
    >>> src.graph.n, src.graph.node_names[:2], src.config.graph.weights
    (180, ('ADAL', 'ADAR'), 'file')
    >>> round(src.config.graph.weight_scale, 4), round(float(src.weight.max()), 2)
    (0.052, 2.65)
    >>> load_source(TrainConfig()) is None  # the recurrent family is built
    True
    """
    cfg = resolve_config(cfg)
    g = cfg.graph
    if g.family not in READ_FAMILIES:
        return None
    graph, raw = _read(g)
    weights, scale = g.weights, g.weight_scale
    if weights == "auto":
        weights = "random" if raw is None else "file"
    if weights == "file" and raw is None:
        raise ConfigError(f"'graph.weights' = 'file', but {_where(g)} has no edge weights "
                          "(edge attribute or CSV column 'weight'); set graph.weights = "
                          "'random' to draw them")
    if weights == "random" and not isinstance(scale, str):
        raise ConfigError(f"'graph.weight_scale' = {scale!r} scales the weights of "
                          f"{_where(g)}, which has none; leave it unset")
    weight = None
    if weights == "file":
        if scale == "auto":
            scale = 1.0 if g.family == "file" else _rms_scale(graph, raw,
                                                               cfg.neurons.init_scale)
        weight = raw * scale
    graph_cfg = dataclasses.replace(g, weights=weights, weight_scale=scale)
    return GraphSource(graph, weight, dataclasses.replace(cfg, graph=graph_cfg))


def _rms_scale(graph: Graph, counts: np.ndarray, init_scale: float) -> float:
    """The factor giving ``counts`` the random initialisation's expected sum of squares,
    ``sum_e init_scale**2 / indeg(dst_e) = init_scale**2 * k`` (k: neurons with inputs)."""
    k = int(np.count_nonzero(np.bincount(graph.dst, minlength=graph.n)))
    total = float(np.sum(np.square(counts)))
    return float(init_scale * math.sqrt(k / total)) if total > 0 else 1.0


def build_graph(cfg: TrainConfig, n_inputs: int = 0, n_outputs: int = 0, *,
                source: GraphSource | None = None) -> Graph:
    """The graph ``cfg.graph`` describes, with ``n_inputs``/``n_outputs`` from the data.

    Parameters
    ----------
    cfg : TrainConfig
        Resolved first (:func:`wiring.config.resolve_config`): ``graph.family =
        "auto"`` builds the task's default family.
    n_inputs, n_outputs : int
        Input and output neuron counts (0 for the noise task).
    source : GraphSource, optional
        The file or connectome of ``cfg`` already read (:func:`load_source`): its graph
        is checked against the counts instead of reading it again.

    Returns
    -------
    Graph
        For a file or connectome, with its node names and attributes.

    Raises
    ------
    ConfigError
        An unknown family, an invalid key (:func:`check_graph_config`), or a graph file
        whose inputs/outputs do not fit the data.

    Examples
    --------
    >>> from wiring.config import TrainConfig, apply_overrides
    >>> g = build_graph(apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.n=20"]))
    >>> g.n, g.n_edges, g.has_self_loops  # the paper's network: all-to-all, self-loops
    (20, 400, True)
    >>> cfg = apply_overrides(TrainConfig(), ["graph.family=connectome",
    ...     "graph.name=witvliet2021-8", "graph.inputs=class=sensory",
    ...     'graph.outputs=["AVAL", "AVAR"]'])
    >>> g = build_graph(cfg, 69, 2)
    >>> g.inputs.size, [g.node_names[i] for i in g.outputs]
    (69, ['AVAL', 'AVAR'])
    """
    cfg = resolve_config(cfg)
    if source is not None:
        return _fit_data(source.graph, cfg.graph, n_inputs, n_outputs)
    build = FAMILIES.get(cfg.graph.family)
    if build is None:
        raise ConfigError(f"unknown 'graph.family' {cfg.graph.family!r}; choose one of "
                          f"{', '.join(GRAPH_FAMILIES)}")
    return build(cfg.graph, n_inputs, n_outputs, cfg.task.seed)
