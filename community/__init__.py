"""community: weight graphs of trained circuits -> communities, regimes, reports, Gephi.

Reads the run directories written by :mod:`wiring` (``wiring.runs`` is the
contract), builds weight graphs (``|W|``, ``W+``, ``|W-|`` or signed), detects
communities with Leiden (Louvain as a cross-check, consensus over seeds) and block
structure of any kind with a degree-corrected stochastic block model, measures each
against null models, computes measures into tidy tables, classifies learning-rate
regimes, and writes reports and GEXF/GraphML files.

Every function that takes a graph accepts a dense ``W`` with ``W[i, j]`` the
weight onto neuron ``i`` from neuron ``j`` (the engine's convention), a
``scipy.sparse`` matrix, a networkx graph (edge ``u -> v`` is ``W[v, u]``) or a
:class:`wiring.runs.Snapshot`, all read by :func:`community.graphs.as_weights`; above
:data:`community.graphs.DENSE_MAX_NEURONS` neurons a sparse input is never made dense.

Examples
--------
>>> import numpy as np, community
>>> W = np.kron(np.eye(2), np.ones((4, 4))) - np.eye(8)   # two 4-cliques
>>> part = community.leiden(W, seed=0)
>>> part.membership.tolist()
[0, 0, 0, 0, 1, 1, 1, 1]
>>> round(community.modularity(W, part.membership), 3)
0.5
>>> F = np.zeros((30, 30)); F[15:, :15] = 1.0             # 15 senders -> 15 receivers
>>> blocks = community.fit_blocks(F)                       # a block model sees them
>>> blocks.n_communities, community.block_disassortativity(F, blocks.membership)
(2, 1.0)
"""

from community.blocks import fit_blocks
from community.detect import Partition, consensus, leiden, louvain
from community.evidence import structure_evidence
from community.graphs import WEIGHT_MODES, CommunityError, WeightGraph, weight_graph
from community.measures import (
    agreement,
    block_matrix,
    community_sizes,
    modularity,
    offdiagonal_index,
    participation,
    roles,
    within_chance,
    within_fraction,
    within_module_z,
)
from community.modmax import max_modularity
from community.regimes import classify
from community.structure import (
    block_assortativity,
    block_disassortativity,
    hub_concentration,
    isolated_fraction,
    reciprocity,
    rich_club,
    saturated_fraction,
)
from community.tables import AnalysisSettings, analyse_run, analyse_sweep, read_tables

__all__ = [
    "WEIGHT_MODES", "CommunityError", "WeightGraph", "weight_graph", "Partition", "leiden",
    "louvain", "consensus", "modularity", "community_sizes", "block_matrix", "within_fraction",
    "within_chance", "offdiagonal_index", "participation", "within_module_z", "roles",
    "agreement", "fit_blocks", "max_modularity", "block_disassortativity",
    "block_assortativity", "hub_concentration", "isolated_fraction", "saturated_fraction",
    "reciprocity", "rich_club", "structure_evidence", "AnalysisSettings", "analyse_run",
    "analyse_sweep", "read_tables", "classify",
]
