"""community.graphs: weight matrices and snapshots -> directed igraph layers, and back."""

import dataclasses
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from community.graphs import (
    WEIGHT_MODES,
    CommunityError,
    WeightGraph,
    dense_weights,
    from_networkx,
    transform_weights,
    weight_graph,
)
from wiring.errors import WiringError
from wiring.runs import Snapshot

# W[i, j] is the weight onto i from j (edge j -> i)
W3 = np.array([[0.0, 2.0, -1.0],
               [0.5, 0.0, 0.0],
               [-3.0, 4.0, 0.0]])


def edges(layer):
    return {(s, d): w for (s, d), w in zip(layer.get_edgelist(), layer.es["weight"],
                                           strict=True)}


def snapshot(W, path=None):
    dst, src = np.nonzero(W)
    n = W.shape[0]
    return Snapshot(src=src.astype(np.int64), dst=dst.astype(np.int64),
                    weight=W[dst, src].astype(np.float64), bias=np.zeros(n),
                    inputs=np.array([0]), outputs=np.array([n - 1]),
                    clamped=np.array([], dtype=np.int64), n=n, step=3, path=path)


def test_edges_go_from_column_to_row_with_abs_weights():
    g = weight_graph(W3)
    assert len(g.layers) == 1 and g.layer_weights == (1.0,) and g.mode == "abs"
    assert g.layers[0].is_directed()
    assert edges(g.layers[0]) == {(1, 0): 2.0, (2, 0): 1.0, (0, 1): 0.5, (0, 2): 3.0,
                                  (1, 2): 4.0}
    assert g.nodes.dtype == np.int64 and g.nodes.tolist() == [0, 1, 2]


@pytest.mark.parametrize(("mode", "expected"), [
    ("pos", {(1, 0): 2.0, (0, 1): 0.5, (1, 2): 4.0}),
    ("neg", {(2, 0): 1.0, (0, 2): 3.0}),
])
def test_pos_and_neg_modes_keep_one_sign(mode, expected):
    g = weight_graph(W3, mode=mode)
    assert edges(g.layers[0]) == expected
    assert all(w > 0 for w in g.layers[0].es["weight"])


def test_signed_mode_has_two_layers_and_signed_networkx_weights():
    g = weight_graph(W3, mode="signed")
    assert g.layer_weights == (1.0, -1.0)
    assert edges(g.layers[0]) == {(1, 0): 2.0, (0, 1): 0.5, (1, 2): 4.0}
    assert edges(g.layers[1]) == {(2, 0): 1.0, (0, 2): 3.0}
    G = g.to_networkx()
    assert isinstance(G, nx.DiGraph)
    assert G[2][0]["weight"] == -1.0 and G[0][2]["weight"] == -3.0 and G[1][0]["weight"] == 2.0
    np.testing.assert_array_equal(g.dense(), W3)


def test_networkx_round_trip_restores_the_matrix():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(12, 12)) * (rng.random((12, 12)) < 0.3)
    np.testing.assert_array_equal(from_networkx(weight_graph(W, mode="signed").to_networkx()), W)
    np.testing.assert_array_equal(from_networkx(weight_graph(W).to_networkx()), np.abs(W))


def test_from_networkx_orders_nodes_and_symmetrises_undirected_graphs():
    G = nx.Graph([("x", "y", {"weight": 2.0}), ("y", "z", {})])
    np.testing.assert_array_equal(from_networkx(G), [[0, 2, 0], [2, 0, 1], [0, 1, 0]])
    with pytest.raises(CommunityError, match="`G`"):
        from_networkx(nx.MultiDiGraph([(0, 1), (0, 1)]))
    with pytest.raises(CommunityError, match="`G`"):
        from_networkx(nx.DiGraph([(0, 1, {"weight": float("nan")})]))


def test_threshold_drops_weights_below_it_and_keeps_equal_ones():
    g = weight_graph(W3, threshold=2.0)
    assert edges(g.layers[0]) == {(1, 0): 2.0, (0, 2): 3.0, (1, 2): 4.0}
    assert weight_graph(W3, threshold=0).n_edges == 5


def test_top_k_keeps_the_strongest_incoming_edges_of_each_neuron():
    rng = np.random.default_rng(3)
    W = rng.normal(size=(15, 15)) * (rng.random((15, 15)) < 0.6)
    k = 3
    expected = {}
    for i in range(15):                     # loop reference: k largest |W[i, j]| per row
        cols = [j for j in range(15) if W[i, j] != 0]
        cols.sort(key=lambda j: -abs(W[i, j]))
        for j in cols[:k]:
            expected[(j, i)] = W[i, j]
    got = weight_graph(W, mode="signed", top_k=k).dense()
    assert {(j, i): got[i, j] for i, j in zip(*np.nonzero(got), strict=True)} == expected
    assert weight_graph(W, top_k=100).n_edges == np.count_nonzero(W)


def test_nodes_restricts_and_reindexes():
    g = weight_graph(W3, nodes=[2, 0])
    assert g.nodes.tolist() == [2, 0] and g.n == 2
    np.testing.assert_array_equal(g.dense(), [[0.0, 3.0], [1.0, 0.0]])
    assert g.to_networkx().nodes[0]["neuron"] == 2


def test_snapshot_input_equals_its_dense_matrix():
    s = snapshot(W3)
    np.testing.assert_array_equal(dense_weights(s), W3)
    np.testing.assert_array_equal(weight_graph(s, mode="signed").dense(), W3)
    np.testing.assert_array_equal(transform_weights(s, mode="neg"), np.maximum(-W3, 0))


def test_dense_weights_copies_and_converts():
    W = np.eye(2, dtype=np.float32)
    D = dense_weights(W)
    assert D.dtype == np.float64 and D is not W
    D[0, 0] = 5
    assert W[0, 0] == 1


def test_weight_graph_is_frozen():
    g = weight_graph(W3)
    assert isinstance(g, WeightGraph)
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.mode = "pos"


def test_empty_graph_is_allowed_here():
    g = weight_graph(np.zeros((3, 3)))
    assert g.n == 3 and g.n_edges == 0


def test_nan_weights_are_rejected_naming_the_argument():
    W = W3.copy()
    W[1, 2] = np.nan
    with pytest.raises(CommunityError, match=r"`W`.*W\[1, 2\]"):
        weight_graph(W)
    with pytest.raises(CommunityError, match="`W`"):
        dense_weights(np.array([[0.0, np.inf], [0.0, 0.0]]))


def test_nan_in_a_snapshot_names_its_file():
    s = snapshot(W3, path=Path("/runs/r1/snapshots/step_3.npz"))
    s.weight[1] = np.nan
    with pytest.raises(CommunityError, match="step_3.npz"):
        weight_graph(s)
    with pytest.raises(WiringError, match="in memory"):
        dense_weights(dataclasses.replace(s, path=None))


@pytest.mark.parametrize("W", [np.zeros((2, 3)), np.zeros(4), [["a", "b"], ["c", "d"]]])
def test_bad_shapes_and_types_are_rejected(W):
    with pytest.raises(CommunityError, match="`W`"):
        weight_graph(W)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"mode": "absolute"}, "mode"),
    ({"threshold": -0.1}, "threshold"),
    ({"threshold": float("nan")}, "threshold"),
    ({"top_k": 0}, "top_k"),
    ({"top_k": 1.5}, "top_k"),
    ({"nodes": [0, 3]}, "nodes"),
    ({"nodes": [0, 0]}, "nodes"),
    ({"nodes": [0.5]}, "nodes"),
])
def test_bad_options_are_rejected_naming_the_argument(kwargs, name):
    with pytest.raises(CommunityError, match=name):
        weight_graph(W3, **kwargs)


def test_unknown_mode_lists_the_valid_ones():
    with pytest.raises(CommunityError, match="'abs', 'pos', 'neg', 'signed', 'sym'"):
        transform_weights(W3, mode="both")
    assert WEIGHT_MODES == ("abs", "pos", "neg", "signed", "sym")


# ----------------------------------------------------------------------------- symmetrised mode


def test_sym_mode_is_one_undirected_layer_of_mean_absolute_weights():
    g = weight_graph(W3, mode="sym")
    assert g.mode == "sym" and g.layer_weights == (1.0,) and len(g.layers) == 1
    assert not g.layers[0].is_directed()
    # S = (|W| + |W|^T) / 2: pairs {0,1}: (2 + 0.5)/2, {0,2}: (1 + 3)/2, {1,2}: (0 + 4)/2
    assert edges(g.layers[0]) == {(0, 1): 1.25, (0, 2): 2.0, (1, 2): 2.0}
    S = (np.abs(W3) + np.abs(W3).T) / 2
    np.testing.assert_array_equal(g.dense(), S)
    np.testing.assert_array_equal(transform_weights(W3, mode="sym"), S)
    G = g.to_networkx()
    assert not G.is_directed() and G[2][1]["weight"] == 2.0
    np.testing.assert_array_equal(from_networkx(G), S)


def test_sym_mode_keeps_self_loops_once_and_thresholds_the_mean():
    W = np.array([[-2.0, 0.3], [0.1, 0.0]])
    g = weight_graph(W, mode="sym")
    assert edges(g.layers[0]) == {(0, 0): 2.0, (0, 1): 0.2}
    np.testing.assert_array_equal(g.dense(), [[2.0, 0.2], [0.2, 0.0]])
    assert edges(weight_graph(W, mode="sym", threshold=0.25).layers[0]) == {(0, 0): 2.0}


def test_sym_top_k_keeps_an_edge_chosen_by_either_end():
    rng = np.random.default_rng(31)
    W = rng.normal(size=(8, 8))
    np.fill_diagonal(W, 0)
    S = (np.abs(W) + np.abs(W).T) / 2
    k = 2
    keep = np.zeros_like(S, dtype=bool)
    for i in range(8):                        # each neuron's k strongest partners
        keep[i, np.argsort(-S[i], kind="stable")[:k]] = True
    expected = np.where(keep | keep.T, S, 0.0)
    got = weight_graph(W, mode="sym", top_k=k).dense()
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(got, got.T)
