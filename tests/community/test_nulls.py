"""community.nulls: what each null model preserves, and z-scores against them."""

import time

import numpy as np
import pytest

from community.graphs import CommunityError
from community.measures import modularity
from community.nulls import NULLS, null_zscore, rewire, shuffle_weights


def random_graph(n, n_edges, *, seed, self_loops=False):
    rng = np.random.default_rng(seed)
    W = np.zeros((n, n))
    cells = np.flatnonzero(~np.eye(n, dtype=bool).ravel())
    W.flat[rng.choice(cells, size=n_edges, replace=False)] = rng.normal(size=n_edges)
    if self_loops:
        np.fill_diagonal(W, rng.uniform(1, 2, size=n))
    return W


def planted(seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), 20)
    same = labels[:, None] == labels[None, :]
    W = (rng.random(same.shape) < np.where(same, 0.4, 0.03)) * rng.uniform(0.5, 1.5, same.shape)
    np.fill_diagonal(W, 0)
    return W, labels


def test_shuffle_keeps_the_edges_and_the_weight_multiset():
    W = random_graph(40, 300, seed=1, self_loops=True)
    V = shuffle_weights(W, seed=0)
    np.testing.assert_array_equal(V != 0, W != 0)
    np.testing.assert_array_equal(np.sort(V[V != 0]), np.sort(W[W != 0]))
    assert not np.array_equal(V, W)
    np.testing.assert_array_equal(V, shuffle_weights(W, seed=0))
    assert not np.array_equal(V, shuffle_weights(W, seed=1))


def test_rewire_keeps_every_degree_and_each_sources_weights():
    W = random_graph(60, 900, seed=2, self_loops=True)
    V = rewire(W, seed=0)
    A, B = W != 0, V != 0
    np.testing.assert_array_equal(B.sum(axis=0), A.sum(axis=0))        # out-degrees
    np.testing.assert_array_equal(B.sum(axis=1), A.sum(axis=1))        # in-degrees
    assert B.sum() == A.sum()                                          # no edge merged
    np.testing.assert_array_equal(np.diag(V), np.diag(W))              # self-loops fixed
    np.testing.assert_array_equal(np.sort(V, axis=0), np.sort(W, axis=0))  # weights per source
    changed = np.mean(A[~np.eye(60, dtype=bool)] != B[~np.eye(60, dtype=bool)])
    assert changed > 0.2
    np.testing.assert_array_equal(V, rewire(W, seed=0))


def test_rewire_creates_no_self_loops():
    W = random_graph(10, 60, seed=3)
    for seed in range(5):
        assert np.all(np.diag(rewire(W, seed=seed)) == 0)


def test_rewire_of_a_complete_graph_cannot_move_anything():
    W = np.arange(1.0, 26.0).reshape(5, 5)
    np.fill_diagonal(W, 0)
    np.testing.assert_array_equal(rewire(W, seed=0), W)
    np.testing.assert_array_equal(rewire(W, seed=0, n_swaps=0), W)


def test_rewire_destroys_planted_modules():
    W, labels = planted()
    q = modularity(W, labels)
    assert q > 0.5
    assert modularity(rewire(W, seed=0), labels) < 0.1


def test_rewire_is_fast_enough():
    W = random_graph(300, 9000, seed=4)
    rewire(W, seed=0, n_swaps=100)                                     # warm up
    start = time.perf_counter()
    V = rewire(W, seed=1)
    assert time.perf_counter() - start < 0.5
    assert (V != 0).sum() == 9000


def test_null_zscore_of_planted_modularity_is_large_against_rewiring():
    W, labels = planted()
    res = null_zscore(W, lambda A: modularity(A, labels), null="rewire", n=8, seed=0)
    assert set(res) == {"observed", "mean", "std", "z", "samples"}
    assert res["samples"].shape == (8,)
    assert res["observed"] == pytest.approx(modularity(W, labels))
    assert res["mean"] == pytest.approx(res["samples"].mean())
    assert res["std"] == pytest.approx(res["samples"].std(ddof=1))
    assert res["z"] == pytest.approx((res["observed"] - res["mean"]) / res["std"])
    assert res["z"] > 10
    again = null_zscore(W, lambda A: modularity(A, labels), null="rewire", n=8, seed=0)
    assert again["z"] == res["z"]


def test_null_zscore_is_nan_when_the_null_has_no_spread():
    W, _ = planted()
    res = null_zscore(W, lambda A: float(np.abs(A).sum()), null="shuffle", n=4)
    assert res["std"] == 0.0 and np.isnan(res["z"])


def test_null_zscore_rejects_bad_input():
    W, _ = planted()
    with pytest.raises(CommunityError, match="'shuffle', 'rewire'"):
        null_zscore(W, np.sum, null="configuration")
    with pytest.raises(CommunityError, match="`n`"):
        null_zscore(W, np.sum, n=1)
    with pytest.raises(CommunityError, match="`statistic`"):
        null_zscore(W, lambda A: float("nan"))
    with pytest.raises(CommunityError, match="`statistic`"):
        null_zscore(W, "modularity")
    with pytest.raises(CommunityError, match="`seed`"):
        shuffle_weights(W, seed=-1)
    with pytest.raises(CommunityError, match="`n_swaps`"):
        rewire(W, seed=0, n_swaps=-5)
    bad = W.copy()
    bad[0, 1] = np.inf
    with pytest.raises(CommunityError, match="`W`"):
        rewire(bad, seed=0)
    assert NULLS == ("shuffle", "rewire")
