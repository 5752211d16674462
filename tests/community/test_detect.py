"""community.detect: Leiden / Louvain / consensus on planted partitions; label matching."""

import itertools
import time

import igraph as ig
import numpy as np
import pytest

from community.detect import (
    QUALITIES,
    Partition,
    consensus,
    leiden,
    louvain,
    match_labels,
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


# --------------------------------------------------------------------------- match_labels


def same_partition(a, b):
    """True if a and b group the vertices identically (labels aside)."""
    pairs = set(zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True))
    return len(pairs) == len(set(np.asarray(a).tolist())) == len(set(np.asarray(b).tolist()))


def best_kept(a, b):
    """Brute force: the largest number of vertices in matched pairs over every one-to-one
    pairing of a's communities with b's (non-negative labels only)."""
    ua = [c for c in np.unique(a) if c >= 0]
    ub = [c for c in np.unique(b) if c >= 0]
    overlap = {(x, y): int(np.sum((a == x) & (b == y))) for x in ua for y in ub}
    best = 0
    pad = ub + [None] * len(ua)  # None: left unmatched
    for choice in itertools.permutations(pad, len(ua)):
        best = max(best, sum(overlap[x, y] for x, y in zip(ua, choice, strict=True)
                             if y is not None))
    return best


def test_match_labels_recovers_planted_partitions_under_permuted_labels():
    rng = np.random.default_rng(11)
    for _ in range(20):
        k = int(rng.integers(2, 9))
        planted = np.repeat(np.arange(k), rng.integers(1, 12, k))
        planted = planted[rng.permutation(planted.size)]
        names = rng.choice(1000, size=k, replace=False) - 500  # any labels, negative too
        permuted = names[rng.permutation(k)][planted]
        got = match_labels(permuted + 500, planted)
        assert got.tolist() == planted.tolist()
        assert got.dtype == np.int64
    # with noise: 10% of 600 vertices moved to another block; the blocks still pair up
    planted = np.repeat(np.arange(6), 100)
    noisy = planted.copy()
    moved = rng.choice(600, 60, replace=False)
    noisy[moved] = (noisy[moved] + rng.integers(1, 6, 60)) % 6
    perm = rng.permutation(6)
    got = match_labels(perm[noisy], planted)
    assert got.tolist() == noisy.tolist()  # the identity on the noisy labels


def test_match_labels_is_one_to_one_and_maximises_the_vertices_kept():
    """Against brute force over every pairing; never greedy."""
    rng = np.random.default_rng(5)
    for _ in range(60):
        n = int(rng.integers(1, 16))
        a = rng.integers(-1, int(rng.integers(1, 6)), n) * 3   # -3: unassigned
        b = rng.integers(0, int(rng.integers(1, 5)), n) * 2 + 1
        got = match_labels(a, b)
        assert same_partition(a, got) and np.array_equal(got < 0, a < 0)
        assert np.array_equal(got[a < 0], a[a < 0])
        kept = int(np.sum((got == b) & (a >= 0)))
        assert kept == best_kept(a, b)
        # a label of b only for a community that shares a vertex with b's community
        for c in np.unique(got[got >= 0]):
            if c in b:
                assert np.any(b[got == c] == c)
            else:  # new labels: above b's, consecutive, larger communities first
                assert c > b.max()
        new = [c for c in np.unique(got[got >= 0]) if c not in b]
        assert new == list(range(b.max() + 1, b.max() + 1 + len(new)))
        sizes = [int(np.sum(got == c)) for c in new]
        assert sizes == sorted(sizes, reverse=True)


def test_match_labels_conflict_goes_to_the_larger_total_not_the_largest_pair():
    # a1 (9 vertices) shares 5 with b1 and 4 with b2; a2 (4) lies inside b1. Greedy
    # (largest overlap first) pairs a1-b1 and keeps 5 vertices; a1-b2 + a2-b1 keeps 8.
    b = np.array([1] * 5 + [2] * 4 + [1] * 4)
    a = np.array([0] * 9 + [7] * 4)
    got = match_labels(a, b)
    assert got.tolist() == [2] * 9 + [1] * 4
    assert int(np.sum(got == b)) == 8 == best_kept(a, b)
    # two communities want one reference community: the larger overlap wins, the other
    # is new (it shares nothing with the remaining reference community 1)
    got = match_labels([5, 5, 5, 6, 6, 7], [0, 0, 0, 0, 0, 1])
    assert got.tolist() == [0, 0, 0, 2, 2, 1]


def test_match_labels_split_and_merge():
    ref = np.array([0] * 6 + [1] * 4 + [2] * 3)
    # split: community 0 breaks into 4 + 2; the 4 keep label 0, the 2 are new (3)
    split = np.array([8] * 4 + [9] * 2 + [4] * 4 + [5] * 3)
    assert match_labels(split, ref).tolist() == [0] * 4 + [3] * 2 + [1] * 4 + [2] * 3
    # merge: communities 1 and 2 join; the 7 follow 1 (4 of theirs), label 2 is unused
    merge = np.array([3] * 6 + [1] * 7)
    assert match_labels(merge, ref).tolist() == [0] * 6 + [1] * 7
    # both at once, and the reverse direction: the reference splits back
    assert match_labels(ref, merge).tolist() == [3] * 6 + [1] * 4 + [4] * 3


def test_match_labels_first_new_and_unassigned_reference():
    # reference vertices with a negative label belong to no community
    assert match_labels([0, 0, 1, 1], [-1, -1, 4, 4]).tolist() == [5, 5, 4, 4]
    assert match_labels([0, 0, 1, 1], [-1, -1, 4, 4], first_new=10).tolist() == [10, 10, 4, 4]
    assert match_labels([0, 1], [-1, -1]).tolist() == [0, 1]    # nothing to match: 0, 1
    assert match_labels([], []).tolist() == []


@pytest.mark.parametrize(("args", "kwargs", "name"), [
    (([0, 1], [0]), {}, "reference"),
    (([[0, 1]], [0, 1]), {}, "membership"),
    (([0.5, 1], [0, 1]), {}, "membership"),
    (([0, 1], ["a", "b"]), {}, "reference"),
    (([0, 1], [0, 3]), {"first_new": 3}, "first_new"),
    (([0, 1], [0, 3]), {"first_new": 4.0}, "first_new"),
    (([0, 1], [0, 3]), {"first_new": True}, "first_new"),
])
def test_match_labels_rejects_bad_input(args, kwargs, name):
    with pytest.raises(CommunityError, match=name):
        match_labels(*args, **kwargs)


def test_match_labels_is_fast_on_many_small_communities():
    """Singletons and pairs: the assignment runs per block of overlapping communities."""
    rng = np.random.default_rng(0)
    n = 20000
    ref = np.arange(n) // 2                      # 10,000 pairs
    perm = rng.permutation(n // 2)
    a = perm[ref]
    a[::2] = n + np.arange(n // 2)               # every pair split into two singletons
    t0 = time.perf_counter()
    got = match_labels(a, ref)
    elapsed = time.perf_counter() - t0
    # each pair keeps its label on one vertex (a tie: either one), the other is new
    assert np.all((got == ref).reshape(-1, 2).sum(axis=1) == 1)
    assert same_partition(a, got)
    assert elapsed < 2.0, elapsed
