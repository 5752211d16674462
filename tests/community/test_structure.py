"""community.structure on planted graphs, against loops written here and networkx."""

import math

import networkx as nx
import numpy as np
import pytest

from community.graphs import CommunityError
from community.structure import (
    block_disassortativity,
    hub_concentration,
    isolated_fraction,
    reciprocity,
    rich_club,
    saturated_fraction,
)
from wiring.runs import Snapshot

SEEDS = range(5)


def planted(labels, P, *, seed):
    """Random graph with edge j -> i (W[i, j]) present with probability P[c_i, c_j]."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    p = np.asarray(P, dtype=float)[labels[:, None], labels[None, :]]
    W = (rng.random(p.shape) < p) * rng.uniform(0.5, 1.5, size=p.shape)
    np.fill_diagonal(W, 0.0)
    return W


def disassortativity_loop(W, m, count="excess"):
    """The definition by explicit loops over neurons and blocks."""
    n = len(m)
    K = max(m) + 1
    size = [sum(1 for i in range(n) if m[i] == a) for a in range(K)]
    S = [[0.0] * K for _ in range(K)]
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i != j:
                S[m[i]][m[j]] += abs(W[i][j])
                total += abs(W[i][j])
    if total == 0:
        return math.nan

    def mean(a, b):
        pairs = size[a] * size[b] - (size[a] if a == b else 0)
        return S[a][b] / pairs if pairs > 0 else None

    out = 0.0
    for a in range(K):
        for b in range(K):
            if a == b or mean(a, b) is None or mean(a, a) is None or mean(b, b) is None:
                continue
            ref = max(mean(a, a), mean(b, b))
            if mean(a, b) > ref:
                out += S[a][b] - (size[a] * size[b] * ref if count == "excess" else 0.0)
    return out / total


# --------------------------------------------------------------------------- disassortativity


def test_block_disassortativity_by_hand():
    # blocks {0, 1} and {2, 3}; 0, 1 -> 2, 3 all four (B[1, 0] = 4 / 4 = 1), plus 0 -> 1
    # inside block 0 (B[0, 0] = 1 / 2); block 1 is empty inside (B[1, 1] = 0); S = 5
    W = np.zeros((4, 4))
    W[2:, :2] = 1.0
    W[1, 0] = -1.0
    W[3, 3] = 9.0                                  # a self-loop: left out everywhere
    assert block_disassortativity(W, [0, 0, 1, 1]) == pytest.approx(4 * (1 - 0.5) / 5)
    assert block_disassortativity(W, [0, 0, 1, 1], count="block") == pytest.approx(4 / 5)
    # three blocks {0, 1}, {2, 3}, {4, 5}: 0 -> 2 (w = 2), 2 -> 4 (w = 4), 0 -> 1 (w = 1)
    # B[0, 0] = 1/2, B[1, 0] = 2/4, B[2, 1] = 4/4, other blocks 0; S = 7.
    # (1, 0): 1/2 is not > max(1/2, 0); (2, 1): 1 > max(0, 0), excess 4 (1 - 0) = 4
    W = np.zeros((6, 6))
    W[2, 0], W[4, 2], W[1, 0] = 2.0, 4.0, 1.0
    m = [0, 0, 1, 1, 2, 2]
    assert block_disassortativity(W, m) == pytest.approx(4 / 7)
    assert block_disassortativity(W, m, count="block") == pytest.approx(4 / 7)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("count", ["excess", "block"])
def test_block_disassortativity_matches_loops(seed, count):
    rng = np.random.default_rng(seed)
    n = 12
    W = rng.normal(size=(n, n)) * (rng.random((n, n)) < 0.4)
    m = rng.integers(0, 4, size=n)
    m[0] = 5                                       # a singleton, and an empty label 4
    expected = disassortativity_loop(W.tolist(), m.tolist(), count)
    assert block_disassortativity(W, m, count=count) == pytest.approx(expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_sender_receiver_graph_is_disassortative(seed):
    labels = np.repeat([0, 1], 40)                 # senders 0, receivers 1
    W = planted(labels, [[0.02, 0.01],             # onto senders
                         [0.3, 0.02]], seed=seed)  # onto receivers (from senders: 0.3)
    # excess ~ (0.3 - 0.02) / (0.3 + 0.01 + 2 * 0.02) = 0.8
    assert block_disassortativity(W, labels) > 0.7
    assert block_disassortativity(W, labels, count="block") > 0.8


@pytest.mark.parametrize("seed", SEEDS)
def test_feed_forward_chain_is_disassortative(seed):
    labels = np.repeat(np.arange(4), 25)
    P = np.full((4, 4), 0.01)
    np.fill_diagonal(P, 0.02)
    for b in range(3):
        P[b + 1, b] = 0.3                          # block b -> block b + 1
    W = planted(labels, P, seed=seed)
    # excess ~ 3 (0.3 - 0.02) / (3 0.3 + 4 0.02 + 9 0.01) = 0.79
    assert block_disassortativity(W, labels) > 0.6
    assert block_disassortativity(W, labels, count="block") > 0.75


@pytest.mark.parametrize("seed", SEEDS)
def test_assortative_modules_are_not_disassortative(seed):
    labels = np.repeat(np.arange(4), 25)
    P = np.full((4, 4), 0.02)
    np.fill_diagonal(P, 0.3)
    W = planted(labels, P, seed=seed)
    assert block_disassortativity(W, labels) == 0.0
    assert block_disassortativity(W, labels, count="block") == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_random_graph_is_near_zero_with_planted_or_random_labels(seed):
    rng = np.random.default_rng(100 + seed)
    n = 200
    W = planted(np.zeros(n, dtype=int), [[0.1]], seed=seed)
    for labels in (np.repeat(np.arange(4), 50), rng.integers(0, 4, size=n),
                   rng.integers(0, 8, size=n)):
        assert block_disassortativity(W, labels) < 0.1


def test_whole_block_count_is_noisy_on_random_graphs():
    # why "excess" is the default: a third of noisy across-block means beat both diagonals
    n = 200
    values = [block_disassortativity(planted(np.zeros(n, dtype=int), [[0.1]], seed=s),
                                     np.random.default_rng(s).integers(0, 4, size=n),
                                     count="block") for s in SEEDS]
    assert max(values) > 0.2


def test_block_disassortativity_singletons_never_count():
    rng = np.random.default_rng(3)
    W = planted(np.zeros(30, dtype=int), [[0.2]], seed=3)
    assert block_disassortativity(W, np.arange(30)) == 0.0        # all singletons
    # a hub in a block of its own, driving a module densely: not a disassortative block
    labels = np.repeat([0, 1], 15)
    W = planted(labels, [[0.3, 0.02], [0.02, 0.3]], seed=4)
    W[:15, 29] = rng.uniform(1, 2, size=15)                        # neuron 29 -> block 0
    hub_alone = labels.copy()
    hub_alone[29] = 2
    assert block_disassortativity(W, hub_alone) == 0.0


def test_block_disassortativity_degenerate_cases_and_scale():
    W = planted(np.repeat([0, 1], 10), [[0.0, 0.0], [0.5, 0.0]], seed=0)
    assert block_disassortativity(W, np.zeros(20, dtype=int)) == 0.0     # one block
    assert np.isnan(block_disassortativity(np.zeros((3, 3)), [0, 1, 1]))
    assert np.isnan(block_disassortativity(np.eye(3), [0, 1, 1]))     # self-loops only
    m = np.repeat([0, 1], 10)
    assert block_disassortativity(W, m) == 1.0
    assert block_disassortativity(1e300 * W, m) == block_disassortativity(-W, m) == 1.0


def test_block_disassortativity_accepts_a_snapshot():
    W = planted(np.repeat([0, 1], 3), [[0.5, 0.0], [0.9, 0.5]], seed=1)
    dst, src = np.nonzero(W)
    s = Snapshot(src=src, dst=dst, weight=W[dst, src], bias=np.zeros(6), inputs=np.array([0]),
                 outputs=np.array([5]), clamped=np.array([], dtype=np.int64), n=6, step=0)
    m = [0, 0, 0, 1, 1, 1]
    assert block_disassortativity(s, m) == block_disassortativity(W, m)


def test_block_disassortativity_errors_name_the_argument():
    W = np.ones((3, 3))
    with pytest.raises(CommunityError, match="membership"):
        block_disassortativity(W, [0, 1])
    with pytest.raises(CommunityError, match="membership"):
        block_disassortativity(W, [0, -1, 1])
    with pytest.raises(CommunityError, match="count"):
        block_disassortativity(W, [0, 1, 1], count="all")
    with pytest.raises(CommunityError, match="`W`"):
        block_disassortativity(np.ones((2, 3)), [0, 1])


# --------------------------------------------------------------------------- hubs


def gini_pairs(x):
    """Gini as the mean absolute difference over all ordered pairs / (2 mean)."""
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


def top_share_sorted(x, top):
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    return x[:max(1, math.ceil(top * x.size))].sum() / x.sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_planted_in_hubs_concentrate_in_strength_only(seed):
    rng = np.random.default_rng(seed)
    n = 100
    W = planted(np.zeros(n, dtype=int), [[0.1]], seed=seed)
    hubs = rng.choice(n, size=5, replace=False)
    W[hubs, :] = 10.0                             # everybody projects hard onto 5 hubs
    np.fill_diagonal(W, 0.0)
    h = hub_concentration(W, top=0.1)
    assert h["top_share_in"] > 0.7
    assert h["top_share_out"] < 0.2
    assert h["top_share_max"] == h["top_share_in"]
    assert h["gini_in"] > 0.7 > 0.2 > h["gini_out"]
    k_in, k_out = np.abs(W).sum(axis=1), np.abs(W).sum(axis=0)
    assert h["gini_in"] == pytest.approx(gini_pairs(k_in))
    assert h["gini_out"] == pytest.approx(gini_pairs(k_out))
    assert h["top_share_in"] == pytest.approx(top_share_sorted(k_in, 0.1))
    assert h["top_share_out"] == pytest.approx(top_share_sorted(k_out, 0.1))


def test_uniform_weights_give_the_top_fraction():
    h = hub_concentration(np.ones((20, 20)), top=0.1)
    assert h == pytest.approx({"gini_in": 0.0, "gini_out": 0.0, "top_share_in": 0.1,
                               "top_share_out": 0.1, "top_share_max": 0.1})
    W = planted(np.zeros(200, dtype=int), [[0.2]], seed=0)
    h = hub_concentration(W)
    assert 0.1 < h["top_share_in"] < 0.15 and 0.1 < h["top_share_out"] < 0.15


def test_hub_concentration_out_hub_and_degenerate_cases():
    W = np.zeros((5, 5))
    W[1:, 0] = -2.0                               # neuron 0 drives everybody
    h = hub_concentration(W, top=0.2)
    assert h["top_share_out"] == 1.0 and h["top_share_in"] == 0.25
    assert h["top_share_max"] == 1.0
    assert h["gini_out"] == pytest.approx(0.8)    # (n - 1) / n
    nan = hub_concentration(np.zeros((3, 3)))
    assert all(np.isnan(v) for v in nan.values())
    with pytest.raises(CommunityError, match="top"):
        hub_concentration(W, top=0.0)
    with pytest.raises(CommunityError, match="top"):
        hub_concentration(W, top=1.5)


# --------------------------------------------------------------------------- isolated


def test_isolated_fraction_by_hand_and_against_loops():
    W = np.zeros((5, 5))
    W[1, 0] = 0.5                                  # 0 -> 1
    W[3, 3] = 4.0                                  # self-loop only
    W[0, 4] = -0.1                                 # 4 -> 0
    assert isolated_fraction(W) == pytest.approx(2 / 5)          # 2 and 3
    assert isolated_fraction(W, threshold=0.2) == pytest.approx(3 / 5)   # 2, 3, 4
    assert isolated_fraction(np.eye(4)) == 1.0
    assert np.isnan(isolated_fraction(np.zeros((0, 0))))
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        n = 40
        W = rng.normal(size=(n, n)) * (rng.random((n, n)) < 0.02)
        lonely = sum(all(W[i, j] == 0 and W[j, i] == 0 for j in range(n) if j != i)
                     for i in range(n))
        assert isolated_fraction(W) == pytest.approx(lonely / n)


def test_isolated_fraction_errors():
    with pytest.raises(CommunityError, match="threshold"):
        isolated_fraction(np.ones((2, 2)), threshold=-1.0)
    with pytest.raises(CommunityError, match="threshold"):
        isolated_fraction(np.ones((2, 2)), threshold=math.nan)
    with pytest.raises(CommunityError, match="`W`"):
        isolated_fraction(np.ones(3))


# --------------------------------------------------------------------------- saturated


def test_saturated_fraction_of_tanh_derivative():
    s = np.array([0.0, 0.5, -1.0, 10.0, -12.0, 30.0])
    f = 1.0 - np.tanh(s) ** 2                      # tanh'(s) < 1e-3 for |s| > ~4.1
    assert saturated_fraction(f) == pytest.approx(3 / 6)
    assert saturated_fraction(f, threshold=0.5) == pytest.approx(4 / 6)
    assert saturated_fraction(f, nodes=[0, 1, 3]) == pytest.approx(1 / 3)
    mask = np.array([False, True, True, False, False, True])
    assert saturated_fraction(f, nodes=mask) == pytest.approx(1 / 3)
    assert saturated_fraction([-1e-6, 1.0]) == 0.5             # |f| near 0 either sign
    assert np.isnan(saturated_fraction([]))
    assert np.isnan(saturated_fraction(f, nodes=[]))
    assert np.isnan(saturated_fraction(f, nodes=np.zeros(6, dtype=bool)))


def test_saturated_fraction_errors_name_the_argument():
    with pytest.raises(CommunityError, match="balance"):
        saturated_fraction([0.1, math.nan])
    with pytest.raises(CommunityError, match="balance"):
        saturated_fraction([0.1, math.inf])
    with pytest.raises(CommunityError, match="balance"):
        saturated_fraction(np.zeros((2, 2)))
    with pytest.raises(CommunityError, match="balance"):
        saturated_fraction(["a", "b"])
    with pytest.raises(CommunityError, match="threshold"):
        saturated_fraction([0.1], threshold=0.0)
    with pytest.raises(CommunityError, match="nodes"):
        saturated_fraction([0.1, 0.2], nodes=[2])
    with pytest.raises(CommunityError, match="nodes"):
        saturated_fraction([0.1, 0.2], nodes=[1, 1])
    with pytest.raises(CommunityError, match="nodes"):
        saturated_fraction([0.1, 0.2], nodes=[True])
    with pytest.raises(CommunityError, match="nodes"):
        saturated_fraction([0.1, 0.2], nodes=[0.5])


# --------------------------------------------------------------------------- reciprocity


def to_digraph(W):
    G = nx.DiGraph()
    G.add_nodes_from(range(W.shape[0]))
    dst, src = np.nonzero(W)
    G.add_edges_from((int(j), int(i)) for i, j in zip(dst, src, strict=True) if i != j)
    return G


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("density", [0.05, 0.3, 0.8])
def test_reciprocity_matches_networkx(seed, density):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(30, 30)) * (rng.random((30, 30)) < density)  # self-loops too
    W[0, 1] = W[1, 0] = 1.0                        # at least one edge
    assert reciprocity(W) == pytest.approx(nx.reciprocity(to_digraph(W)))


def test_reciprocity_random_graph_and_weighted():
    W = planted(np.zeros(300, dtype=int), [[0.2]], seed=0)
    assert reciprocity(W) == pytest.approx(0.2, abs=0.02)     # reverse edge w.p. p
    sym = W + W.T
    assert reciprocity(sym) == 1.0 and reciprocity(sym, weighted=True) == pytest.approx(1.0)
    B = (W != 0).astype(float)
    assert reciprocity(B, weighted=True) == pytest.approx(reciprocity(B))
    rng = np.random.default_rng(1)
    W = rng.exponential(size=(15, 15)) * (rng.random((15, 15)) < 0.5)
    num = sum(min(W[i, j], W[j, i]) for i in range(15) for j in range(15) if i != j)
    den = sum(W[i, j] for i in range(15) for j in range(15) if i != j)
    assert reciprocity(-W, weighted=True) == pytest.approx(num / den)
    assert np.isnan(reciprocity(np.eye(3))) and np.isnan(reciprocity(np.eye(3), weighted=True))
    with pytest.raises(CommunityError, match="weighted"):
        reciprocity(W, weighted=1)


# --------------------------------------------------------------------------- rich club


def phi_loop(W, k):
    n = W.shape[0]
    deg = [sum(1 for j in range(n) if j != i and W[i, j] != 0)
           + sum(1 for j in range(n) if j != i and W[j, i] != 0) for i in range(n)]
    rich = [i for i in range(n) if deg[i] > k]
    edges = sum(1 for i in rich for j in rich if i != j and W[i, j] != 0)
    return edges / (len(rich) * (len(rich) - 1)), len(rich)


def planted_rich_club(n, n_rich, p, *, seed):
    rng = np.random.default_rng(seed)
    W = (rng.random((n, n)) < p) * rng.uniform(0.5, 1.5, size=(n, n))
    core = rng.choice(n, size=n_rich, replace=False)
    W[np.ix_(core, core)] = 1.0                    # the core, linked all to all
    np.fill_diagonal(W, 0.0)
    return W, core


@pytest.mark.parametrize("seed", SEEDS)
def test_planted_rich_club_beats_the_rewired_null(seed):
    W, core = planted_rich_club(200, 15, 0.03, seed=seed)
    res = rich_club(W, k=25, n_null=20, seed=seed)   # core degree ~ 28 + 12, others ~ 12
    assert res["n_rich"] == 15
    assert res["observed"] == 1.0
    assert res["rho"] > 2 and res["z"] > 5
    assert res["p"] == pytest.approx(1 / 21) and res["p"] <= 0.05
    res = rich_club(W, n_null=20, seed=seed)         # default k: 90th degree percentile
    assert res["k"] == pytest.approx(np.percentile((W != 0).sum(0) + (W != 0).sum(1), 90))
    assert res["rho"] > 1.5 and res["p"] <= 0.05


def test_configuration_model_has_no_rich_club():
    # directed configuration model (networkx), multi-edges merged and self-loops dropped.
    # Degrees stay moderate (<= 40 of 400): with heavy tails the merged hub-hub multi-edges
    # keep the hubs linked more than a uniform simple graph with the same degrees would
    # (rho 1.1-1.3 against the rewired null), a real difference of that ensemble.
    p_values = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        n = 400
        d_out = np.clip(np.round(rng.lognormal(2.0, 0.5, size=n)), 1, 40).astype(int)
        d_in = rng.permutation(d_out)
        G = nx.DiGraph(nx.directed_configuration_model(d_in.tolist(), d_out.tolist(),
                                                       seed=seed))
        G.remove_edges_from(nx.selfloop_edges(G))
        W = np.zeros((n, n))
        for u, v in G.edges:
            W[v, u] = 1.0
        res = rich_club(W, n_null=20, seed=seed)
        assert res["n_rich"] >= 30
        assert 0.8 < res["rho"] < 1.25
        assert abs(res["z"]) < 3
        p_values.append(res["p"])
    assert sum(p <= 0.05 for p in p_values) <= 1


def test_rich_club_definition_and_degenerate_cases():
    rng = np.random.default_rng(7)
    W = rng.normal(size=(25, 25)) * (rng.random((25, 25)) < 0.3)   # self-loops are ignored
    for k in (5, 12, 15.5):
        phi, n_rich = phi_loop(W, k)
        res = rich_club(W, k=k, n_null=5, seed=1)
        assert (res["observed"], res["n_rich"], res["k"]) == (pytest.approx(phi), n_rich, k)
        samples = res["samples"]
        assert samples.shape == (5,)
        assert res["mean"] == pytest.approx(samples.mean())
        assert res["std"] == pytest.approx(samples.std(ddof=1))
        assert res["p"] == pytest.approx((1 + np.sum(samples >= res["observed"])) / 6)
    # a reciprocated pair counts twice: 0 <-> 1, 1 -> 2: degrees 2, 3, 1
    W = np.zeros((3, 3))
    W[1, 0] = W[0, 1] = W[2, 1] = 1.0
    res = rich_club(W, k=1.5, n_null=2)
    assert res["n_rich"] == 2 and res["observed"] == 1.0
    # fewer than two neurons above k: undefined, no null drawn
    res = rich_club(W, k=2.5)
    assert res["n_rich"] == 1 and np.isnan(res["observed"]) and np.isnan(res["rho"])
    assert res["samples"].size == 0 and res["n_null"] == 20
    assert np.isnan(rich_club(np.zeros((4, 4)))["observed"])


def test_rich_club_errors_name_the_argument():
    W = np.ones((4, 4))
    with pytest.raises(CommunityError, match="n_null"):
        rich_club(W, n_null=1)
    with pytest.raises(CommunityError, match="`k`"):
        rich_club(W, k=-1)
    with pytest.raises(CommunityError, match="`k`"):
        rich_club(W, k=math.inf)
    with pytest.raises(CommunityError, match="seed"):
        rich_club(W, k=1, seed="x")
    with pytest.raises(CommunityError, match="`W`"):
        rich_club(np.ones((2, 3)))


# --------------------------------------------------------------------- block assortativity


def test_block_assortativity_by_hand_and_on_planted_blocks():
    from community.structure import block_assortativity

    W = np.zeros((4, 4))
    W[0, 1] = W[1, 0] = 2.0               # block 0 inside: B[0, 0] = 4 / 2 = 2
    W[2, 0] = 1.0                         # 0 -> 1 across: B[1, 0] = 1 / 4
    W[3, 2] = 1.0                         # block 1 inside: B[1, 1] = 1 / 2
    # (2 - 1/4) x 2 + (1/2 - 1/4) x 2 over S = 6
    assert block_assortativity(W, [0, 0, 1, 1]) == pytest.approx((1.75 * 2 + 0.25 * 2) / 6)
    for seed in range(3):
        labels = np.repeat(np.arange(4), 30)
        modules = planted(labels, np.where(np.eye(4, dtype=bool), 0.3, 0.02), seed=seed)
        chain = planted(labels, np.eye(4, k=-1) * 0.35 + 0.02, seed=seed)
        assert block_assortativity(modules, labels) > 0.6
        assert block_assortativity(chain, labels) == 0.0
        assert block_assortativity(modules, np.zeros(120, dtype=int)) == 0.0
