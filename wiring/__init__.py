"""wiring: the balance/credit plasticity rule and its comparators on any directed graph.

A neuron "contributes to balance, wires in accordance" (Fan & Mysore, arXiv
2405.14139): rates settle to a firing equilibrium, credit flows back over the
same synapses, and each synapse changes by presynaptic rate x postsynaptic
credit x postsynaptic balance. ``"balance-exact"`` is recurrent backprop
(Almeida-Pineda) on any graph; ``"balance"`` is the paper's rule as published.

Examples
--------
>>> import wiring
>>> net = wiring.Network.from_edges(3, [0, 1], [1, 2], [0.5, -1.0], inputs=[0], outputs=[2])
>>> dw, db = net.plasticity([[1.0]], [[0.2]], rule="balance-exact")
>>> dw.shape, db.shape
((2,), (3,))
"""

from wiring.errors import (
    ConfigError,
    DataError,
    GraphError,
    GraphFileError,
    SettleDidNotConverge,
    WiringError,
)
from wiring.graphs.builders import (
    all_to_all,
    erdos_renyi,
    layered,
    recurrent,
    small_world,
    stochastic_block,
)
from wiring.graphs.graph import Graph
from wiring.network import Network, SettleInfo
from wiring.neurons import ACTIVATIONS, BALANCES
from wiring.rules import LOSSES, RULES
from wiring.runs import Snapshot, load_snapshot
from wiring.simulate import SimulationResult, simulate
from wiring.train import FitResult, fit

__version__ = "0.1.0"

__all__ = [
    "Graph", "Network", "SettleInfo", "fit", "FitResult", "simulate", "SimulationResult",
    "load_snapshot", "Snapshot", "RULES", "LOSSES", "ACTIVATIONS", "BALANCES",
    "layered", "all_to_all", "erdos_renyi", "stochastic_block", "small_world", "recurrent",
    "WiringError", "GraphError", "GraphFileError", "DataError", "ConfigError",
    "SettleDidNotConverge",
]
