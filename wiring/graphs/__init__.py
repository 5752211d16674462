"""Graphs: the :class:`Graph` container, the builders, the registry of families a
configuration can name, networkx/igraph conversion, and GraphML/GEXF/CSV files.

Modules: :mod:`~wiring.graphs.graph` (the container), :mod:`~wiring.graphs.builders`,
:mod:`~wiring.graphs.families`, :mod:`~wiring.graphs.convert` (networkx, igraph) and
:mod:`~wiring.graphs.files` (graph files). Every public name is re-exported here.

Examples
--------
>>> from wiring.graphs import Graph, recurrent
>>> g = recurrent(4, 10, 2, seed=0)
>>> isinstance(g, Graph), g.n
(True, 16)
"""

from wiring.graphs.builders import (
    all_to_all,
    erdos_renyi,
    layered,
    recurrent,
    small_world,
    stochastic_block,
)
from wiring.graphs.convert import from_igraph, from_networkx, to_igraph, to_networkx
from wiring.graphs.families import FAMILIES, GRAPH_FAMILIES, build_graph
from wiring.graphs.files import read_edge_csv, read_gexf, read_graph, read_graphml, write_edge_csv
from wiring.graphs.graph import MAX_NEURONS, Graph

__all__ = [
    "Graph", "MAX_NEURONS",
    "layered", "all_to_all", "erdos_renyi", "stochastic_block", "small_world", "recurrent",
    "FAMILIES", "GRAPH_FAMILIES", "build_graph",
    "from_networkx", "to_networkx", "from_igraph", "to_igraph",
    "read_graph", "read_graphml", "read_gexf", "read_edge_csv", "write_edge_csv",
]
