"""Planted block models with known answers: assortative modules and a disassortative ring.

Every expected value is computed here from its definition (block sums over the
planted labels, configuration-model formulas), never by a second call of the code.
"""

import igraph as ig
import numpy as np
import pytest

from community.detect import leiden, louvain
from community.measures import (
    agreement,
    block_matrix,
    modularity,
    offdiagonal_index,
    within_chance,
    within_chance_strength,
    within_fraction,
)

N_BLOCKS, BLOCK = 4, 25
N = N_BLOCKS * BLOCK
LABELS = np.repeat(np.arange(N_BLOCKS), BLOCK)


def planted(p, *, seed):
    """W[i, j] (onto i from j) drawn with probability p[i, j], weight uniform in [0.5, 1.5]."""
    rng = np.random.default_rng(seed)
    W = (rng.random(p.shape) < p) * rng.uniform(0.5, 1.5, size=p.shape)
    np.fill_diagonal(W, 0.0)
    return W


def same_block():
    return LABELS[:, None] == LABELS[None, :]


def next_block():
    """True where the edge j -> i goes from block b to block b + 1 (mod 4)."""
    return LABELS[:, None] == (LABELS[None, :] + 1) % N_BLOCKS


@pytest.fixture(scope="module")
def assortative():
    return planted(np.where(same_block(), 0.4, 0.02), seed=11)


@pytest.fixture(scope="module")
def disassortative():
    return planted(np.where(next_block(), 0.4, 0.0), seed=12)


def block_sum(W, a, b):
    """Total |w| onto block a from block b."""
    return np.abs(W[np.ix_(LABELS == a, LABELS == b)]).sum()


def chance_strength_by_hand(W, labels):
    """sum_c K_c^out K_c^in / S^2 for the directed configuration model of |W|."""
    A = np.abs(W)
    S = A.sum()
    total = 0.0
    for c in np.unique(labels):
        members = labels == c
        K_in = A[members, :].sum()     # weight onto the members of c
        K_out = A[:, members].sum()    # weight from the members of c
        total += K_out * K_in
    return total / S**2


# ----------------------------------------------------------------------------- within-module weight


def test_within_fraction_is_the_block_diagonal_weight(assortative, disassortative):
    inside = sum(block_sum(assortative, b, b) for b in range(N_BLOCKS))
    assert within_fraction(assortative, LABELS) == pytest.approx(inside / assortative.sum())
    assert within_fraction(assortative, LABELS) > 0.8
    assert within_fraction(disassortative, LABELS) == 0.0


def test_within_chance_counts_possible_synapses():
    # 4 blocks of 25: 4 * 25 * 24 ordered pairs inside, of 100 * 99
    assert within_chance(LABELS) == pytest.approx(4 * 25 * 24 / (100 * 99))


def test_within_chance_strength_is_the_configuration_model_level(assortative, disassortative):
    for W in (assortative, disassortative):
        assert within_chance_strength(W, LABELS) == pytest.approx(
            chance_strength_by_hand(W, LABELS), rel=1e-12)
    # equal blocks with statistically equal strengths: close to 4 * (1/4)^2
    assert within_chance_strength(disassortative, LABELS) == pytest.approx(0.25, abs=0.01)


def test_within_chance_strength_of_a_dense_ring_of_unequal_blocks():
    # all-ones ring b -> b+1 with sizes n_b: K_b^out = n_b n_{b+1}, K_b^in = n_{b-1} n_b,
    # S = sum_b n_b n_{b+1}
    sizes = np.array([10, 20, 30, 40])
    labels = np.repeat(np.arange(4), sizes)
    W = (labels[:, None] == (labels[None, :] + 1) % 4).astype(float)
    nxt, prv = np.roll(sizes, -1), np.roll(sizes, 1)
    S = np.sum(sizes * nxt)
    expected = np.sum((sizes * nxt) * (prv * sizes)) / S**2
    assert within_chance_strength(W, labels) == pytest.approx(expected, rel=1e-12)
    # differs from the size-matched level: strength, not size, sets the chance here
    assert within_chance(labels) != pytest.approx(expected, abs=0.01)


def test_modularity_is_within_fraction_minus_strength_chance(assortative, disassortative):
    for W in (assortative, disassortative):
        assert modularity(W, LABELS) == pytest.approx(
            within_fraction(W, LABELS) - chance_strength_by_hand(W, LABELS), abs=1e-12)
    assert modularity(assortative, LABELS) > 0.5
    assert modularity(disassortative, LABELS) < -0.2


# ----------------------------------------------------------------------------- block matrix


def test_offdiagonal_index_separates_the_two_plantings(assortative, disassortative):
    # offdiagonal_index = max_{a != b} B[a, b] / mean_a B[a, a]
    B_as = block_matrix(assortative, LABELS)
    diag = [block_sum(assortative, b, b) / (BLOCK * (BLOCK - 1)) for b in range(N_BLOCKS)]
    off = [block_sum(assortative, a, b) / BLOCK**2
           for a in range(N_BLOCKS) for b in range(N_BLOCKS) if a != b]
    assert offdiagonal_index(B_as) == pytest.approx(max(off) / np.mean(diag))
    assert offdiagonal_index(B_as) < 0.2
    B_dis = block_matrix(disassortative, LABELS)
    assert np.all(np.diag(B_dis) == 0)
    for b in range(N_BLOCKS):               # the only dense blocks feed the next block
        assert B_dis[(b + 1) % N_BLOCKS, b] == pytest.approx(
            block_sum(disassortative, (b + 1) % N_BLOCKS, b) / BLOCK**2)
    assert offdiagonal_index(B_dis) == np.inf   # across-module weight, none inside


def test_offdiagonal_index_of_a_ring_with_weak_modules_is_high():
    p = np.where(next_block(), 0.4, np.where(same_block(), 0.02, 0.0))
    W = planted(p, seed=13)
    assert offdiagonal_index(block_matrix(W, LABELS)) > 5


# ----------------------------------------------------------------------------- detection


def test_leiden_recovers_the_assortative_planting(assortative):
    p = leiden(assortative, seed=0)
    assert agreement(p.membership, LABELS)["ari"] > 0.9


def sym_modularity_by_hand(W, labels):
    """Newman's undirected modularity of S = (|W| + |W|^T) / 2 (no self-loops here)."""
    S = (np.abs(W) + np.abs(W).T) / 2
    two_m = S.sum()
    k = S.sum(axis=1)
    return sum(S[np.ix_(labels == c, labels == c)].sum() / two_m
               - (k[labels == c].sum() / two_m) ** 2 for c in np.unique(labels))


def test_sym_mode_recovers_the_planting_with_undirected_modularity(assortative):
    p = leiden(assortative, mode="sym", seed=0)
    assert p.params["mode"] == "sym"
    assert agreement(p.membership, LABELS)["ari"] > 0.9
    expected = sym_modularity_by_hand(assortative, p.membership)
    assert p.quality == pytest.approx(expected, abs=1e-12)
    assert modularity(assortative, p.membership, mode="sym") == pytest.approx(expected,
                                                                              abs=1e-12)
    S = (assortative + assortative.T) / 2
    g = ig.Graph.Weighted_Adjacency(S.tolist(), mode="undirected")
    assert expected == pytest.approx(g.modularity(p.membership.tolist(), weights="weight"),
                                     abs=1e-12)
    q = louvain(assortative, mode="sym", seed=0)
    assert agreement(q.membership, LABELS)["ari"] > 0.9
    assert q.quality == pytest.approx(sym_modularity_by_hand(assortative, q.membership),
                                      abs=1e-12)


def test_sym_mode_on_the_ring_has_no_weight_inside_the_planted_blocks(disassortative):
    # symmetrised, the ring still puts no weight inside a block: Q = -sum_c (k_c / 2m)^2
    q = modularity(disassortative, LABELS, mode="sym")
    assert q == pytest.approx(sym_modularity_by_hand(disassortative, LABELS), abs=1e-12)
    assert q == pytest.approx(-0.25, abs=0.01)
