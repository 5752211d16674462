"""Structural evidence against null models, on planted "trained" weights of every kind, and
the regime each one earns.

The "initial weights" are i.i.d. Gaussian; each trained matrix is a planted structure at
10% density. The init-pruned null (the initial weights pruned to that density) is a
random sparse graph, so each planted kind must beat it on its own signature only.
"""

import numpy as np
import pandas as pd
import pytest

from community.evidence import (
    NULL_MODELS,
    null_draws,
    null_statistics,
    prune_to_density,
    structure_evidence,
)
from community.graphs import CommunityError
from community.regimes import classify

N = 120


def trained(kind, seed):
    """(W, W0): planted weights at 10% density and Gaussian initial weights."""
    rng = np.random.default_rng(seed)
    W0 = rng.normal(size=(N, N))
    b = np.repeat([0, 1, 2, 3], N // 4)
    if kind == "across":                     # block a projects onto block a + 1
        P = np.where(b[:, None] == (b[None, :] + 1) % 4, 0.34, 0.02)
    elif kind == "within":
        P = np.where(b[:, None] == b[None, :], 0.34, 0.02)
    else:
        P = np.full((N, N), 0.1)
    A = rng.random((N, N)) < P
    W = A * rng.lognormal(0.0, 0.3, (N, N))
    if kind == "hubs":                       # 10% of the neurons receive 8x the weight
        W[: N // 10] *= 8.0
    if kind == "pruned":                     # nothing learned: the initial weights pruned
        W = prune_to_density(W0, int(0.1 * N * N))
    return W, W0


@pytest.fixture(scope="module")
def evidence():
    return {(kind, seed): structure_evidence(*trained(kind, seed), n_null=20, seed=seed)
            for kind in ("across", "within", "hubs", "pruned") for seed in (0, 1)}


def beats(ev, sig, null="init-pruned"):
    return ev[f"{sig}_p_{null}"] <= 0.05 and ev[f"{sig}_z_{null}"] >= 2


@pytest.mark.parametrize("seed", [0, 1])
def test_each_planted_kind_beats_the_init_pruned_null_on_its_own_signature(evidence, seed):
    across, within = evidence[("across", seed)], evidence[("within", seed)]
    hubs, pruned = evidence[("hubs", seed)], evidence[("pruned", seed)]
    assert across["sbm_blocks"] == 4 and across["bd"] > 0.5 and beats(across, "bd")
    assert not beats(across, "q") and not beats(across, "hub")
    assert beats(within, "q") and beats(within, "ba") and not beats(within, "bd")
    assert not beats(within, "hub")
    # hubs raise modularity too (each gathers its senders), but the degree-corrected block
    # model explains them by their degrees: one block, nothing assortative
    assert beats(hubs, "hub") and not beats(hubs, "bd") and not beats(hubs, "ba")
    assert hubs["sbm_blocks"] == 1
    assert not any(beats(pruned, s) for s in ("q", "bd", "hub", "ba"))
    assert pruned["sbm_blocks"] == 1


def test_null_columns_are_complete(evidence):
    ev = evidence[("across", 0)]
    for sig in ("q", "bd", "hub", "ba"):
        for null in NULL_MODELS:
            for key in ("z", "p", "null_mean"):
                assert f"{sig}_{key}_{null}" in ev
    assert ev["n_null"] == 20 and ev["weight_growth"] > 0
    assert 1 / 21 <= ev["bd_p_rewire"] <= 1
    assert ev["membership_sbm"].shape == (N,)


def regime_rows(evidence, kind):
    rows = []
    for seed in (0, 1):
        ev = {k: v for k, v in evidence[(kind, seed)].items() if k != "membership_sbm"}
        row = {"run_id": f"{kind}{seed}", "group": "g", "learning_rate": 1.0, "is_final": True,
               "weight_change": 1.0, "q_max": ev["q"], "block_disassortativity": ev["bd"],
               "hub_share": ev["hub"], "block_assortativity": ev["ba"],
               "weight_growth": 2.0, "isolated_fraction": 0.0,
               "saturated_fraction": 0.0, "n_null": 20, "sbm_blocks": ev["sbm_blocks"]}
        for sig in ("q", "bd", "hub", "ba"):
            for null in NULL_MODELS:
                t = null.replace("-", "_")
                row[f"{sig}_z_{t}"] = ev[f"{sig}_z_{null}"]
                row[f"{sig}_p_{t}"] = ev[f"{sig}_p_{null}"]
                row[f"{sig}_null_{t}"] = ev[f"{sig}_null_mean_{null}"]
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("kind, regime", [("across", "across-module"),
                                          ("within", "within-module"),
                                          ("hubs", "hub-dominated"), ("pruned", "changed")])
def test_planted_kinds_earn_their_regime(evidence, kind, regime):
    row = classify(regime_rows(evidence, kind)).iloc[0]
    assert row["regime"] == regime
    if regime == "changed":
        assert "not detected at this power" in row["evidence"]
    else:
        assert "init-pruned" in row["nulls_beaten"]


def test_null_draws_keep_what_each_null_promises():
    W, W0 = trained("across", 3)
    for V in null_draws(W, W0, null="shuffle", n=2, seed=0):
        assert np.array_equal(V != 0, W != 0)
        assert np.array_equal(np.sort(V[V != 0]), np.sort(W[W != 0]))
    for V in null_draws(W, W0, null="rewire", n=2, seed=0):
        assert np.array_equal((V != 0).sum(0), (W != 0).sum(0))
        assert np.array_equal((V != 0).sum(1), (W != 0).sum(1))
    for V in null_draws(W, W0, null="init-pruned", n=2, seed=0):
        assert np.count_nonzero(V) == np.count_nonzero(W)
        kept = np.abs(V[V != 0])
        # a draw keeps the largest |w| of a permutation of W0: all of them above the rest
        assert kept.min() >= np.sort(np.abs(W0).ravel())[::-1][np.count_nonzero(W)]
    with pytest.raises(CommunityError, match="W0"):
        next(null_draws(W, None, null="init-pruned", n=1))


def test_null_statistics_by_hand():
    s = null_statistics(5.0, [1.0, 2.0, 3.0])
    assert s["z"] == pytest.approx((5 - 2) / 1.0) and s["p"] == pytest.approx(1 / 4)
    s = null_statistics(2.0, [1.0, 2.0, 3.0, 4.0])           # ties count as >= observed
    assert s["p"] == pytest.approx(4 / 5)
    assert np.isnan(null_statistics(1.0, [1.0, 1.0])["z"])   # no spread, no difference


def test_prune_to_density_keeps_the_largest_and_breaks_ties_by_index():
    W = np.array([[1.0, -2.0, 2.0], [0.5, 0.0, -2.0]])
    assert prune_to_density(W, 2).tolist() == [[0.0, -2.0, 2.0], [0.0, 0.0, 0.0]]
    assert prune_to_density(W, 0).tolist() == [[0.0] * 3] * 2
    assert np.array_equal(prune_to_density(W, 9), W)


def test_bad_arguments_are_named():
    W, W0 = trained("pruned", 0)
    with pytest.raises(CommunityError, match="n_null"):
        structure_evidence(W, W0, n_null=-1)
    with pytest.raises(CommunityError, match="null_models"):
        structure_evidence(W, W0, null_models=["nope"])
    with pytest.raises(CommunityError, match="no synapses"):
        structure_evidence(np.zeros((4, 4)), None)
