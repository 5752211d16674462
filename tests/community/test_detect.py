"""community.detect: Leiden / Louvain / consensus on planted partitions."""

import igraph as ig
import numpy as np
import pytest

from community.detect import (
    QUALITIES,
    Partition,
    consensus,
    leiden,
    louvain,
    partition_quality,
    relabel,
)
from community.graphs import CommunityError, weight_graph
from community.measures import agreement, modularity


def sbm(sizes, p_in, p_out, *, seed, sign_in=1.0, sign_out=1.0):
    """Directed stochastic block model, weights uniform in [0.5, 1.5] times a block sign."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    same = labels[:, None] == labels[None, :]
    mask = rng.random(same.shape) < np.where(same, p_in, p_out)
    np.fill_diagonal(mask, False)
    W = mask * rng.uniform(0.5, 1.5, size=same.shape) * np.where(same, sign_in, sign_out)
    return W, labels


@pytest.fixture(scope="module")
def assortative():
    return sbm([40, 30, 30, 20], 0.35, 0.02, seed=0)


@pytest.mark.parametrize(("quality", "resolution"), [("modularity", 1.0), ("rb", 1.0),
                                                     ("rb", 1.5), ("cpm", 0.15)])
def test_leiden_recovers_planted_blocks(assortative, quality, resolution):
    W, labels = assortative
    p = leiden(W, quality=quality, resolution=resolution, seed=0)
    assert agreement(p.membership, labels)["ari"] > 0.95
    assert p.method == "leiden"
    assert p.params == {"quality": quality, "resolution": resolution, "mode": "abs",
                        "seed": 0, "n_iterations": -1}


def test_louvain_recovers_planted_blocks(assortative):
    W, labels = assortative
    p = louvain(W, seed=0)
    assert agreement(p.membership, labels)["ari"] > 0.95
    assert p.quality == pytest.approx(modularity(W, p.membership))


def test_signed_leiden_recovers_positive_within_negative_between_blocks():
    # equal densities inside and across: only the signs carry the blocks
    W, labels = sbm([30, 30, 30], 0.2, 0.2, seed=1, sign_in=1.0, sign_out=-1.0)
    assert agreement(leiden(W, mode="abs").membership, labels)["ari"] < 0.5
    p = leiden(W, mode="signed", seed=0)
    assert agreement(p.membership, labels)["ari"] > 0.95


def test_membership_is_numbered_by_decreasing_size(assortative):
    W, labels = assortative
    perm = np.random.default_rng(2).permutation(labels.size)
    p = leiden(W[np.ix_(perm, perm)], seed=0)
    assert p.sizes.tolist() == [40, 30, 30, 20]
    assert p.membership.dtype == np.int64 and p.n_communities == 4
    # ties (two blocks of 30): the block holding the lower vertex index comes first
    first = [np.flatnonzero(p.membership == c)[0] for c in (1, 2)]
    assert first[0] < first[1]
    assert not p.membership.flags.writeable


def test_relabel_orders_by_size_then_first_vertex():
    assert relabel([4, 4, -1, 9, 9, 9, 2]).tolist() == [1, 1, 2, 0, 0, 0, 3]


@pytest.mark.parametrize("mode", ["abs", "pos", "neg", "signed", "sym"])
@pytest.mark.parametrize(("quality", "resolution"), [("modularity", 1.0), ("rb", 0.7)])
def test_leiden_quality_is_the_measured_modularity(mode, quality, resolution):
    # mixed-sign weights, blocks in both signs: leidenalg's normalisation (rb divided by m,
    # signed = Q(W+) - Q(|W-|)) must equal measures.modularity exactly
    rng = np.random.default_rng(55)
    W, _ = sbm([20, 20, 20], 0.3, 0.05, seed=5)
    W = W * np.where(rng.random(W.shape) < 0.3, -1.0, 1.0)
    p = leiden(W, quality=quality, resolution=resolution, mode=mode, seed=3)
    expected = modularity(W, p.membership, mode=mode, resolution=resolution)
    assert p.quality == pytest.approx(expected, abs=1e-12)
    assert partition_quality(W, p.membership, quality=quality, resolution=resolution,
                             mode=mode) == pytest.approx(expected, abs=1e-12)


def test_leiden_quality_matches_igraph_modularity(assortative):
    W, _ = assortative
    p = leiden(W, seed=0)
    g = weight_graph(W).layers[0]
    assert p.quality == pytest.approx(
        g.modularity(p.membership.tolist(), weights="weight", directed=True), abs=1e-12)


def test_cpm_quality_is_internal_weight_minus_resolution_times_possible_edges():
    W, _ = sbm([10, 10], 0.5, 0.05, seed=4)
    m = np.array([0] * 7 + [1] * 13)
    gamma = 0.3
    expected = 0.0
    for c in (0, 1):
        idx = np.flatnonzero(m == c)
        expected += W[np.ix_(idx, idx)].sum() - gamma * idx.size * (idx.size - 1)
    assert partition_quality(W, m, quality="cpm", resolution=gamma) == pytest.approx(expected)


def test_seed_makes_leiden_deterministic():
    W, _ = sbm([25, 25, 25], 0.15, 0.05, seed=6)
    a, b = leiden(W, seed=11), leiden(W, seed=11)
    np.testing.assert_array_equal(a.membership, b.membership)
    assert a.quality == b.quality
    g = leiden(W, seed=np.random.default_rng(1))
    assert g.membership.size == 75


def test_leiden_on_a_weight_graph_uses_its_nodes_and_mode(assortative):
    W, labels = assortative
    keep = np.flatnonzero(labels != 3)
    g = weight_graph(W, nodes=keep, mode="pos")
    p = leiden(g, seed=0)
    assert p.membership.size == keep.size and p.params["mode"] == "pos"
    assert agreement(p.membership, labels[keep])["ari"] > 0.95
    with pytest.raises(CommunityError, match="mode"):
        leiden(g, mode="abs")


def test_n_iterations_positive_runs():
    W, labels = sbm([20, 20], 0.4, 0.02, seed=7)
    assert agreement(leiden(W, n_iterations=2).membership, labels)["ari"] > 0.95


def test_graph_without_edges_raises():
    with pytest.raises(CommunityError, match="no edges"):
        leiden(np.zeros((4, 4)))
    with pytest.raises(CommunityError, match="no edges"):
        leiden(weight_graph(np.array([[0.0, 0.1], [0.2, 0.0]]), threshold=0.5))
    with pytest.raises(CommunityError, match="no edges"):
        louvain(np.zeros((3, 3)))


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"quality": "surprise"}, "quality"),
    ({"mode": "both"}, "mode"),
    ({"quality": "modularity", "resolution": 2.0}, "resolution"),
    ({"quality": "rb", "resolution": -1.0}, "resolution"),
    ({"quality": "cpm", "resolution": float("nan")}, "resolution"),
    ({"n_iterations": 0}, "n_iterations"),
    ({"seed": -3}, "seed"),
])
def test_leiden_rejects_bad_options(kwargs, name):
    W = np.ones((3, 3)) - np.eye(3)
    with pytest.raises(CommunityError, match=name):
        leiden(W, **kwargs)


def test_unknown_quality_lists_the_valid_ones():
    with pytest.raises(CommunityError, match="'modularity', 'rb', 'cpm'"):
        leiden(np.ones((2, 2)), quality="CPM")
    assert QUALITIES == ("modularity", "rb", "cpm")


def test_leiden_rejects_nan_weights():
    W = np.ones((3, 3))
    W[0, 1] = np.nan
    with pytest.raises(CommunityError, match="`W`"):
        leiden(W)


def test_louvain_rejects_signed_mode():
    with pytest.raises(CommunityError, match="mode"):
        louvain(np.ones((3, 3)), mode="signed")


def test_consensus_of_identical_partitions_is_that_partition(assortative):
    W, _ = assortative
    p = leiden(W, seed=0)
    c = consensus([p, p, p])
    np.testing.assert_array_equal(c.membership, p.membership)
    assert c.method == "consensus" and c.params["n_partitions"] == 3
    # the same grouping under other labels, given as plain arrays
    shuffled = np.array([7, 3, 5, 1])[p.membership]
    np.testing.assert_array_equal(consensus([shuffled, p.membership]).membership, p.membership)


def test_consensus_keeps_the_majority_grouping():
    truth = np.repeat([0, 1, 2], 5)
    rng = np.random.default_rng(0)
    runs = []
    for _ in range(9):
        m = truth.copy()
        m[rng.integers(15)] = rng.integers(3)    # one vertex misplaced per run
        runs.append(m)
    assert agreement(consensus(runs, seed=1).membership, truth)["ari"] == 1.0


def test_consensus_quality_on_the_graph(assortative):
    W, _ = assortative
    parts = [leiden(W, seed=s) for s in range(3)]
    c = consensus(parts, graph=W)
    assert c.params["quality_on"] == "graph" and c.params["quality"] == "modularity"
    assert c.quality == pytest.approx(modularity(W, c.membership))
    with pytest.raises(CommunityError, match="graph"):
        consensus([parts[0], leiden(W, quality="rb", resolution=2.0)], graph=W)


def test_consensus_of_disagreeing_singletons_is_all_singletons():
    c = consensus([[0, 1, 2], [0, 1, 2]])
    assert sorted(c.membership.tolist()) == [0, 1, 2] and np.isnan(c.quality)


def test_consensus_rejects_bad_input():
    with pytest.raises(CommunityError, match="partitions"):
        consensus([])
    with pytest.raises(CommunityError, match=r"partitions\[1\]"):
        consensus([[0, 0, 1], [0, 1]])
    with pytest.raises(CommunityError, match="threshold"):
        consensus([[0, 0, 1]], threshold=0.0)


def test_partition_is_frozen():
    p = Partition(membership=relabel([0, 1]), quality=0.1, method="leiden")
    with pytest.raises(AttributeError):
        p.quality = 0.2


def test_signed_leiden_with_only_negative_weights_separates_them():
    # inhibition between two groups and nothing else: -Q(|W-|) is maximised by splitting them
    W = -(np.kron(np.eye(2), np.ones((4, 4))) == 0).astype(float)
    p = leiden(W, mode="signed", seed=0)
    assert p.membership.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert p.quality == pytest.approx(modularity(W, p.membership, mode="signed")) == 0.5


def test_sym_mode_leiden_and_louvain_report_the_undirected_modularity():
    W, labels = sbm([15, 15, 15], 0.4, 0.03, seed=41)
    np.fill_diagonal(W, 0.8)                                   # self-loops too
    S = (np.abs(W) + np.abs(W).T) / 2
    g = ig.Graph.Weighted_Adjacency(S.tolist(), mode="undirected", loops="once")
    for p in (leiden(W, mode="sym", seed=0), louvain(W, mode="sym", seed=0),
              leiden(W, mode="sym", quality="rb", resolution=0.7, seed=0)):
        assert p.params["mode"] == "sym"
        assert agreement(p.membership, labels)["ari"] > 0.9
        gamma = p.params["resolution"]
        assert p.quality == pytest.approx(
            g.modularity(p.membership.tolist(), weights="weight", resolution=gamma),
            abs=1e-12)


def test_sym_mode_cpm_is_leidenalgs_undirected_value():
    # 2 sum_c [w_c - gamma n_c (n_c - 1) / 2], w_c the undirected weight inside c (no loops)
    W, labels = sbm([10, 10], 0.5, 0.05, seed=42)
    S = (np.abs(W) + np.abs(W).T) / 2
    gamma = 0.1
    expected = 2 * sum(np.triu(S[np.ix_(labels == c, labels == c)], 1).sum()
                       - gamma * n * (n - 1) / 2
                       for c, n in zip(range(2), np.bincount(labels), strict=True))
    assert partition_quality(W, labels, quality="cpm", resolution=gamma,
                             mode="sym") == pytest.approx(expected, abs=1e-10)
