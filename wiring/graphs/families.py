"""The graph families a configuration can name (``[graph] family``), in one registry.

Each family is a function ``build(g, n_inputs, n_outputs, seed) -> Graph`` of the
``[graph]`` section (:class:`wiring.config.GraphConfig`), the data set's input and output
counts (0 for the noise task) and the task seed. :data:`FAMILIES` maps each name to its
function; :func:`build_graph` resolves a configuration and calls the one it names;
:data:`GRAPH_FAMILIES` is the tuple of names, in the order the docs list them.

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

from collections.abc import Callable
from pathlib import Path

from wiring.config import TrainConfig, resolve_config
from wiring.errors import ConfigError
from wiring.graphs import builders
from wiring.graphs.graph import Graph

__all__ = ["FAMILIES", "GRAPH_FAMILIES", "build_graph"]


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


def _file(g, n_inputs: int, n_outputs: int, seed) -> Graph:
    from wiring.graphs.files import read_graph  # networkx only when a file is read

    if not g.path:
        raise ConfigError("'graph.path' is required for graph.family = 'file'")
    if Path(g.path).suffix.lower() == ".csv":  # a CSV edge list names no inputs/outputs
        if n_inputs or n_outputs:
            raise ConfigError(
                f"'graph.path' = {g.path!r}: a CSV edge list does not say which neurons "
                "are inputs and outputs, which a data task needs; use a GraphML or GEXF "
                "file with boolean node attributes 'input' and 'output'")
        return read_graph(g.path, inputs=[], outputs=[])[0]
    graph = read_graph(g.path)[0]
    have = (graph.inputs.size, graph.outputs.size)
    if (n_inputs or n_outputs) and have != (n_inputs, n_outputs):
        raise ConfigError(
            f"'graph.path' = {g.path!r} has {have[0]} input and {have[1]} output neurons; "
            f"the data set needs {n_inputs} inputs (features) and {n_outputs} outputs "
            "(classes)")
    return graph


#: family name -> ``build(graph_config, n_inputs, n_outputs, seed)``
FAMILIES: dict[str, Callable[..., Graph]] = {
    "recurrent": _recurrent, "layered": _layered, "all-to-all": _all_to_all,
    "erdos-renyi": _erdos_renyi, "sbm": _sbm, "small-world": _small_world, "file": _file,
}
GRAPH_FAMILIES = tuple(FAMILIES)


def build_graph(cfg: TrainConfig, n_inputs: int = 0, n_outputs: int = 0) -> Graph:
    """The graph ``cfg.graph`` describes, with ``n_inputs``/``n_outputs`` from the data.

    Parameters
    ----------
    cfg : TrainConfig
        Resolved first (:func:`wiring.config.resolve_config`): ``graph.family =
        "auto"`` builds the task's default family.
    n_inputs, n_outputs : int
        Input and output neuron counts (0 for the noise task).

    Returns
    -------
    Graph

    Raises
    ------
    ConfigError
        An unknown family, or a graph file whose inputs/outputs do not fit the data.

    Examples
    --------
    >>> from wiring.config import TrainConfig, apply_overrides
    >>> g = build_graph(apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.n=20"]))
    >>> g.n, g.n_edges, g.has_self_loops  # the paper's network: all-to-all, self-loops
    (20, 400, True)
    """
    cfg = resolve_config(cfg)
    build = FAMILIES.get(cfg.graph.family)
    if build is None:
        raise ConfigError(f"unknown 'graph.family' {cfg.graph.family!r}; choose one of "
                          f"{', '.join(GRAPH_FAMILIES)}")
    return build(cfg.graph, n_inputs, n_outputs, cfg.task.seed)
