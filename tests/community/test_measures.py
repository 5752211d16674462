"""community.measures against loops written here, igraph, and planted block models."""

import igraph as ig
import numpy as np
import pytest

from community.graphs import CommunityError
from community.measures import (
    HUB_Z,
    P_CONNECTOR_HUB,
    P_NONHUB_CONNECTOR,
    P_PERIPHERAL,
    P_PROVINCIAL_HUB,
    P_ULTRA_PERIPHERAL,
    ROLE_NAMES,
    agreement,
    block_matrix,
    community_sizes,
    concentration,
    modularity,
    offdiagonal_index,
    participation,
    roles,
    strengths,
    within_chance,
    within_chance_strength,
    within_fraction,
    within_module_z,
)
from wiring.runs import Snapshot


def sbm(sizes, p_in, p_out, *, seed):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    same = labels[:, None] == labels[None, :]
    mask = rng.random(same.shape) < np.where(same, p_in, p_out)
    np.fill_diagonal(mask, False)
    return mask * rng.uniform(0.5, 1.5, size=same.shape), labels


def random_signed(n, density, *, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n)) * (rng.random((n, n)) < density)


def modularity_loop(A, m, gamma=1.0):
    """Leicht--Newman directed modularity by explicit loops; A[i, j] on edge j -> i."""
    n = A.shape[0]
    total = sum(A[i, j] for i in range(n) for j in range(n))
    k_in = [sum(A[i, j] for j in range(n)) for i in range(n)]
    k_out = [sum(A[i, j] for i in range(n)) for j in range(n)]
    q = 0.0
    for i in range(n):
        for j in range(n):
            if m[i] == m[j]:
                q += A[i, j] - gamma * k_in[i] * k_out[j] / total
    return q / total


def igraph_modularity(A, m, gamma=1.0):
    dst, src = np.nonzero(A)
    g = ig.Graph(n=A.shape[0], edges=list(zip(src.tolist(), dst.tolist(), strict=True)),
                 directed=True)
    return g.modularity(list(m), weights=A[dst, src].tolist(), resolution=gamma, directed=True)


# ----------------------------------------------------------------------------- modularity


@pytest.mark.parametrize("gamma", [1.0, 0.5, 2.0])
def test_modularity_matches_loop_and_igraph(gamma):
    W = random_signed(25, 0.3, seed=1)
    W[3, 3] = 0.7                                   # a self-loop counts as within
    m = np.random.default_rng(2).integers(0, 4, size=25)
    A = np.abs(W)
    q = modularity(W, m, resolution=gamma)
    assert q == pytest.approx(modularity_loop(A, m, gamma), abs=1e-12)
    assert q == pytest.approx(igraph_modularity(A, m, gamma), abs=1e-12)


def test_modularity_modes_and_signed_difference():
    W = random_signed(20, 0.4, seed=3)
    m = np.repeat([0, 1, 2, 3], 5)
    pos, neg = np.maximum(W, 0), np.maximum(-W, 0)
    assert modularity(W, m, mode="pos") == pytest.approx(modularity_loop(pos, m))
    assert modularity(W, m, mode="neg") == pytest.approx(modularity_loop(neg, m))
    assert modularity(W, m, mode="signed") == pytest.approx(
        modularity_loop(pos, m) - modularity_loop(neg, m))
    # a sign without weight contributes nothing
    assert modularity(np.abs(W), m, mode="signed") == pytest.approx(
        modularity_loop(np.abs(W), m))


def test_modularity_of_cliques_and_of_nothing():
    W = np.kron(np.eye(2), np.ones((4, 4))) - np.eye(8)
    assert modularity(W, [0] * 4 + [1] * 4) == pytest.approx(0.5)
    assert modularity(W, [0] * 8) == pytest.approx(0.0)
    assert np.isnan(modularity(np.zeros((3, 3)), [0, 1, 2]))


def test_snapshot_input_equals_dense():
    W = random_signed(6, 0.5, seed=4)
    dst, src = np.nonzero(W)
    s = Snapshot(src=src, dst=dst, weight=W[dst, src], bias=np.zeros(6), inputs=np.array([0]),
                 outputs=np.array([5]), clamped=np.array([], dtype=np.int64), n=6, step=0)
    m = [0, 0, 0, 1, 1, 1]
    assert modularity(s, m, mode="signed") == modularity(W, m, mode="signed")
    np.testing.assert_array_equal(block_matrix(s, m), block_matrix(W, m))


# ----------------------------------------------------------------------------- blocks


def test_block_matrix_matches_loop():
    W = random_signed(12, 0.5, seed=5)
    np.fill_diagonal(W, 9.0)                         # self-loops are left out
    m = np.array([0, 1, 2, 0, 1, 2, 0, 1, 1, 2, 2, 3])
    B = block_matrix(W, m)
    K = 4
    assert B.shape == (K, K)
    for a in range(K):
        for b in range(K):
            vals = [abs(W[i, j]) for i in range(12) for j in range(12)
                    if m[i] == a and m[j] == b and i != j]
            if vals:
                assert B[a, b] == pytest.approx(np.mean(vals))
            else:
                assert np.isnan(B[a, b])            # only the singleton's diagonal
    assert np.isnan(B[3, 3]) and np.isfinite(B[3, :3]).all()


def test_sizes_and_strengths():
    assert community_sizes([1, 1, 0, 3]).tolist() == [1, 2, 0, 1]
    W = np.array([[0.0, -2.0, 1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    k_in, k_out = strengths(W)
    assert k_in.tolist() == [3.0, 3.0, 0.0] and k_out.tolist() == [3.0, 2.0, 1.0]


def test_within_fraction_matches_loop():
    W = random_signed(15, 0.4, seed=6)
    m = np.random.default_rng(7).integers(0, 3, size=15)
    within = sum(abs(W[i, j]) for i in range(15) for j in range(15) if m[i] == m[j])
    assert within_fraction(W, m) == pytest.approx(within / np.abs(W).sum())
    assert np.isnan(within_fraction(np.zeros((2, 2)), [0, 1]))


def test_within_chance_is_the_fraction_of_possible_synapses_inside_modules():
    m = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    n = m.size
    for self_loops in (False, True):
        pairs = [(i, j) for i in range(n) for j in range(n) if self_loops or i != j]
        expected = sum(m[i] == m[j] for i, j in pairs) / len(pairs)
        assert within_chance(m, self_loops=self_loops) == pytest.approx(expected)
    # weight spread evenly over all synapses sits exactly at chance
    assert within_fraction(np.ones((n, n)) - np.eye(n), m) == pytest.approx(within_chance(m))
    assert within_fraction(np.ones((n, n)), m) == pytest.approx(
        within_chance(m, self_loops=True))
    assert np.isnan(within_chance([0]))


def test_assortative_blocks_are_above_chance_with_small_offdiagonal_index():
    W, labels = sbm([30, 30, 30], 0.3, 0.03, seed=8)
    assert within_fraction(W, labels) > 2 * within_chance(labels)
    assert offdiagonal_index(block_matrix(W, labels)) < 0.3


def test_disassortative_blocks_are_below_chance_with_offdiagonal_index_above_one():
    # a layered circuit: block b projects densely onto block b+1 only
    rng = np.random.default_rng(9)
    labels = np.repeat(np.arange(4), 25)
    target = (labels[None, :] + 1) == labels[:, None]          # W[i, j]: j in b, i in b+1
    p = np.where(target, 0.4, 0.03)
    W = (rng.random(p.shape) < p) * rng.uniform(0.5, 1.5, size=p.shape)
    np.fill_diagonal(W, 0)
    assert within_fraction(W, labels) < within_chance(labels)
    B = block_matrix(W, labels)
    assert offdiagonal_index(B) > 1
    assert np.argmax(B[1]) == 0                                # block 0 feeds block 1


def test_offdiagonal_index_definition_and_edge_cases():
    assert offdiagonal_index([[2.0, 1.0, 6.0], [0.0, 4.0, 0.0], [0.0, 0.0, np.nan]]) == 2.0
    assert np.isnan(offdiagonal_index([[3.0]]))
    assert offdiagonal_index([[0.0, 1.0], [0.0, 0.0]]) == np.inf
    assert np.isnan(offdiagonal_index([[0.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(CommunityError, match="`B`"):
        offdiagonal_index(np.zeros((2, 3)))


# ----------------------------------------------------------------------------- node roles

# a small hand graph: W[i, j] onto i from j
HAND = np.array([
    [0.0, 2.0, 1.0, 0.0, 0.0, 0.0],
    [1.0, 0.0, 0.0, 0.0, 3.0, 0.0],
    [0.0, 1.0, 0.0, -2.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
    [0.5, 0.0, 0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],                # neuron 5: no incoming weight
])
HAND_M = np.array([0, 0, 0, 1, 1, 1])


def module_strength_loop(A, m, i, s, direction):
    inc = sum(A[i, j] for j in range(len(m)) if m[j] == s)
    out = sum(A[j, i] for j in range(len(m)) if m[j] == s)
    return {"in": inc, "out": out, "all": inc + out}[direction]


@pytest.mark.parametrize("direction", ["in", "out", "all"])
def test_participation_matches_loop(direction):
    A = np.abs(HAND)
    P = participation(HAND, HAND_M, direction=direction)
    for i in range(6):
        k_is = [module_strength_loop(A, HAND_M, i, s, direction) for s in (0, 1)]
        k_i = sum(k_is)
        expected = 0.0 if k_i == 0 else 1 - sum((x / k_i) ** 2 for x in k_is)
        assert P[i] == pytest.approx(expected), i
    assert participation(HAND, HAND_M, direction="in")[5] == 0.0


@pytest.mark.parametrize("direction", ["in", "out", "all"])
def test_within_module_z_matches_loop(direction):
    A = np.abs(HAND)
    z = within_module_z(HAND, HAND_M, direction=direction)
    for i in range(6):
        members = [j for j in range(6) if HAND_M[j] == HAND_M[i]]
        kappa = [module_strength_loop(A, HAND_M, j, HAND_M[i], direction) for j in members]
        mu = sum(kappa) / len(kappa)
        sd = (sum((x - mu) ** 2 for x in kappa) / len(kappa)) ** 0.5
        mine = module_strength_loop(A, HAND_M, i, HAND_M[i], direction)
        expected = 0.0 if sd == 0 else (mine - mu) / sd
        assert z[i] == pytest.approx(expected), i


def test_within_module_z_is_zero_without_spread():
    W = np.ones((4, 4)) - np.eye(4)
    assert within_module_z(W, [0, 0, 1, 2]).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_role_thresholds_at_their_boundaries():
    eps = 1e-9
    cases = [
        (0.0, 0.0, "ultra-peripheral"),
        (P_ULTRA_PERIPHERAL, 0.0, "ultra-peripheral"),
        (P_ULTRA_PERIPHERAL + eps, 0.0, "peripheral"),
        (P_PERIPHERAL, 0.0, "peripheral"),
        (P_PERIPHERAL + eps, 0.0, "non-hub connector"),
        (P_NONHUB_CONNECTOR, HUB_Z - eps, "non-hub connector"),
        (P_NONHUB_CONNECTOR + eps, -3.0, "non-hub kinless"),
        (0.0, HUB_Z, "provincial hub"),
        (P_PROVINCIAL_HUB, HUB_Z, "provincial hub"),
        (P_PROVINCIAL_HUB + eps, HUB_Z, "connector hub"),
        (P_CONNECTOR_HUB, 10.0, "connector hub"),
        (P_CONNECTOR_HUB + eps, 10.0, "kinless hub"),
    ]
    P, z, expected = zip(*cases, strict=True)
    assert roles(P, z).tolist() == list(expected)
    assert (HUB_Z, P_ULTRA_PERIPHERAL, P_PERIPHERAL, P_NONHUB_CONNECTOR, P_PROVINCIAL_HUB,
            P_CONNECTOR_HUB) == (2.5, 0.05, 0.62, 0.80, 0.30, 0.75)
    assert len(ROLE_NAMES) == 7


def test_roles_reject_nan_and_shape_mismatch():
    with pytest.raises(CommunityError, match="`P`"):
        roles([np.nan], [0.0])
    with pytest.raises(CommunityError, match="`z`"):
        roles([0.1, 0.2], [0.0])


# ----------------------------------------------------------------------------- agreement


def test_agreement_ignores_label_names():
    a = np.array([0, 0, 1, 1, 2, 2])
    assert agreement(a, np.array([2, 2, 0, 0, 1, 1])) == {"ari": 1.0, "nmi": 1.0}
    assert agreement(a, np.array([0, 1, 0, 1, 0, 1]))["ari"] < 0
    with pytest.raises(CommunityError, match="`b`"):
        agreement(a, a[:4])


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("func", [modularity, block_matrix, within_fraction, participation,
                                  within_module_z])
@pytest.mark.parametrize("membership", [[0, 0, 1], [0, 0, 1, 1, 2, 2, 2], [[0, 1]] * 3,
                                        [0, 0, 1, -1, 2, 2], [0.0, 0.5, 1, 1, 2, 2]])
def test_bad_membership_is_rejected(func, membership):
    with pytest.raises(CommunityError, match="membership"):
        func(HAND, membership)


@pytest.mark.parametrize("func", [modularity, block_matrix, within_fraction, participation,
                                  within_module_z])
def test_bad_weights_are_rejected(func):
    W = HAND.copy()
    W[0, 0] = np.nan
    with pytest.raises(CommunityError, match="`W`"):
        func(W, HAND_M)
    with pytest.raises(CommunityError, match="`W`"):
        func(HAND[:, :5], HAND_M)


def test_bad_options_are_rejected():
    with pytest.raises(CommunityError, match="mode"):
        modularity(HAND, HAND_M, mode="excitatory")
    with pytest.raises(CommunityError, match="resolution"):
        modularity(HAND, HAND_M, resolution=-1.0)
    with pytest.raises(CommunityError, match="direction"):
        participation(HAND, HAND_M, direction="both")
    with pytest.raises(CommunityError, match="direction"):
        within_module_z(HAND, HAND_M, direction="incoming")
    with pytest.raises(CommunityError, match="self_loops"):
        within_chance(HAND_M, self_loops=1)


def test_integer_valued_float_membership_is_accepted():
    assert modularity(HAND, HAND_M.astype(float)) == modularity(HAND, HAND_M)


# ------------------------------------------------------------------------- strength-matched chance


def test_within_chance_strength_matches_the_configuration_model_loop():
    # expected within fraction when edge j -> i carries k_i^in k_j^out / S
    A = np.abs(random_signed(12, 0.4, seed=21))
    A[3, 3] = 0.7                                       # a self-loop is within its module
    m = np.array([0, 1, 2] * 4)
    S = A.sum()
    k_in, k_out = A.sum(axis=1), A.sum(axis=0)
    expected = sum(k_in[i] * k_out[j] / S for i in range(12) for j in range(12)
                   if m[i] == m[j]) / S
    assert within_chance_strength(A, m) == pytest.approx(expected, rel=1e-12)
    assert within_chance_strength(-A, m) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(within_chance_strength(np.zeros((3, 3)), [0, 0, 1]))


def test_within_chance_strength_equals_within_chance_for_uniform_weights():
    # every possible synapse (self-loops included) carries the same weight
    m = np.array([0, 0, 0, 1, 1, 2])
    assert within_chance_strength(np.ones((6, 6)), m) == pytest.approx(
        within_chance(m, self_loops=True))


# ----------------------------------------------------------------------------- concentration


def gini_by_pairs(x):
    """Mean absolute difference over all ordered pairs / (2 mean)."""
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


def test_concentration_of_uniform_strengths():
    n = 20
    c = concentration(np.ones((n, n)) - np.eye(n))
    assert c["gini"] == pytest.approx(0.0, abs=1e-15)
    assert c["gini_in"] == pytest.approx(0.0, abs=1e-15)
    assert c["gini_out"] == pytest.approx(0.0, abs=1e-15)
    assert c["participation_ratio"] == pytest.approx(1.0)
    assert c["top_share"] == pytest.approx(2 / n)     # the top 10% are 2 neurons of 20


def test_concentration_of_one_hub_holding_all_weight():
    n = 30
    W = np.zeros((n, n))
    W[4, 4] = 5.0                                        # a self-loop: the only weight
    c = concentration(W)
    for key in ("gini", "gini_in", "gini_out"):
        assert c[key] == pytest.approx((n - 1) / n)
    assert c["top_share"] == 1.0
    assert c["participation_ratio"] == pytest.approx(1 / n)


def test_concentration_of_a_star_and_of_random_weights():
    n = 20
    W = np.zeros((n, n))
    W[0, 1:] = 2.0                                       # neuron 0 receives from all others
    c = concentration(W)
    assert c["gini_in"] == pytest.approx((n - 1) / n)
    assert c["gini_out"] == pytest.approx(1 / n)         # n-1 equal values and one 0
    k = np.array([2.0 * (n - 1)] + [2.0] * (n - 1))
    assert c["gini"] == pytest.approx(gini_by_pairs(k))
    assert c["top_share"] == pytest.approx((k[0] + k[1]) / k.sum())
    assert c["participation_ratio"] == pytest.approx(k.sum() ** 2 / (n * np.sum(k**2)))
    W = random_signed(25, 0.3, seed=22)
    k_in, k_out = np.abs(W).sum(axis=1), np.abs(W).sum(axis=0)
    c = concentration(W, top=0.2)
    assert c["gini"] == pytest.approx(gini_by_pairs(k_in + k_out))
    assert c["gini_in"] == pytest.approx(gini_by_pairs(k_in))
    assert c["gini_out"] == pytest.approx(gini_by_pairs(k_out))
    assert c["top_share"] == pytest.approx(np.sort(k_in + k_out)[-5:].sum()
                                           / (k_in + k_out).sum())


def test_concentration_of_no_weight_and_bad_top():
    c = concentration(np.zeros((4, 4)))
    assert all(np.isnan(v) for v in c.values())
    with pytest.raises(CommunityError, match="top"):
        concentration(np.ones((3, 3)), top=0.0)


# ----------------------------------------------------------------------------- symmetrised mode


def test_sym_modularity_is_undirected_newman_with_self_loops_counted_twice():
    W = random_signed(15, 0.4, seed=23)
    np.fill_diagonal(W, np.linspace(-1, 1, 15))
    m = np.array([0, 1, 2] * 5)
    S = (np.abs(W) + np.abs(W).T) / 2
    A = S + np.diag(np.diag(S))                # a loop's weight counts twice in the degree
    two_m, k = A.sum(), A.sum(axis=1)
    for gamma in (1.0, 0.6):
        expected = sum(A[i, j] - gamma * k[i] * k[j] / two_m
                       for i in range(15) for j in range(15) if m[i] == m[j]) / two_m
        assert modularity(W, m, mode="sym", resolution=gamma) == pytest.approx(expected,
                                                                               abs=1e-12)
    g = ig.Graph.Weighted_Adjacency(S.tolist(), mode="undirected", loops="once")
    assert modularity(W, m, mode="sym") == pytest.approx(
        g.modularity(m.tolist(), weights="weight"), abs=1e-12)
