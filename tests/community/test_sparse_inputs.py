"""Sparse and networkx inputs: one coercion (community.graphs.as_weights), the same
results as the dense matrix, and no (n, n) array above DENSE_MAX_NEURONS."""

import tracemalloc

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from community import blocks, detect, evidence, graphs, measures, modmax, nulls, structure
from community.graphs import DENSE_MAX_NEURONS, CommunityError, as_weights


def planted(n, k, *, p_in, p_out, seed=0):
    """Dense planted SBM, W[i, j] onto i from j, Gaussian weights, one self-loop."""
    rng = np.random.default_rng(seed)
    b = np.repeat(np.arange(k), n // k)
    P = np.where(b[:, None] == b[None, :], p_in, p_out)
    W = rng.normal(size=(n, n)) * (rng.random((n, n)) < P)
    W[1, 1] = 1.5
    return W, b


def digraph(W):
    G = nx.DiGraph()
    G.add_nodes_from(range(W.shape[0]))
    dst, src = np.nonzero(W)
    G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), W[dst, src].tolist(),
                                  strict=True))
    return G


def big_sparse(n=2400, k=4, degree=12, seed=0):
    """A planted sparse graph above the threshold, built without any dense array."""
    rng = np.random.default_rng(seed)
    b = np.repeat(np.arange(k), n // k)
    m = n * degree
    src, dst = rng.integers(0, n, 4 * m), rng.integers(0, n, 4 * m)
    keep = (b[src] == b[dst]) | (rng.random(src.size) < 0.08)
    src, dst = src[keep][:m], dst[keep][:m]
    W = sp.coo_array((rng.random(src.size) + 0.5, (dst, src)), shape=(n, n)).tocsr()
    return W, b


def close(x, y):
    x = x.toarray() if sp.issparse(x) else x
    y = y.toarray() if sp.issparse(y) else y
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
    if isinstance(x, list | tuple):
        return all(close(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, str):
        return x == y
    return np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True)


W, B = planted(60, 3, p_in=0.35, p_out=0.04)
M = B  # a partition to measure with
CASES = {
    "leiden": lambda X: detect.leiden(X, seed=0).membership,
    "leiden sym": lambda X: detect.leiden(X, mode="sym", seed=0).membership,
    "leiden signed": lambda X: detect.leiden(X, mode="signed", seed=0).quality,
    "louvain": lambda X: detect.louvain(X, seed=0).membership,
    "partition_quality": lambda X: detect.partition_quality(X, M, quality="cpm",
                                                            resolution=0.1),
    "weight_graph": lambda X: [
        graphs.weight_graph(X, mode="sym", threshold=0.2, top_k=3,
                            nodes=np.arange(50)).layers[0].get_edgelist(),
        graphs.weight_graph(X, mode="signed", top_k=4).layers[1].es["weight"]],
    "transform": lambda X: graphs.transform_weights(X, mode="sym"),
    "modularity": lambda X: [measures.modularity(X, M, mode=m) for m in graphs.WEIGHT_MODES],
    "strengths": measures.strengths,
    "block_matrix": lambda X: measures.block_matrix(X, M),
    "within": lambda X: [measures.within_fraction(X, M),
                         measures.within_chance_strength(X, M)],
    "participation": lambda X: [measures.participation(X, M, direction=d)
                                for d in measures.DIRECTIONS],
    "within_module_z": lambda X: [measures.within_module_z(X, M, direction=d)
                                  for d in measures.DIRECTIONS],
    "concentration": measures.concentration,
    "blocks": lambda X: [structure.block_disassortativity(X, M),
                         structure.block_disassortativity(X, M, count="block"),
                         structure.block_assortativity(X, M)],
    "hub": structure.hub_concentration,
    "isolated": lambda X: [structure.isolated_fraction(X),
                           structure.isolated_fraction(X, threshold=1.0)],
    "reciprocity": lambda X: [structure.reciprocity(X), structure.reciprocity(X, weighted=True)],
    "rich_club": lambda X: {k: v for k, v in structure.rich_club(X, n_null=3).items()},
    "shuffle": lambda X: nulls.shuffle_weights(X, seed=2),
    "rewire": lambda X: nulls.rewire(X, seed=2),
    "null_zscore": lambda X: nulls.null_zscore(X, lambda A: float(abs(A).sum()), n=3)["mean"],
    "prune": lambda X: evidence.prune_to_density(X, 300),
    "fit_blocks": lambda X: blocks.fit_blocks(X, seed=0).membership,
    "max_modularity": lambda X: modmax.max_modularity(X, seed=0).quality,
    "evidence": lambda X: evidence.structure_evidence(
        X, W.T, n_null=2, null_models=("init-pruned", "rewire"), seed=1,
        block_weights="lognormal"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_digraph_gives_the_result_of_its_dense_matrix(case):
    assert close(CASES[case](W), CASES[case](digraph(W)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_sparse_paths_agree_with_the_dense_one(case, monkeypatch):
    dense = CASES[case](W)
    monkeypatch.setattr(graphs, "DENSE_MAX_NEURONS", 0)  # every sparse input stays sparse
    assert sp.issparse(as_weights(sp.csr_array(W)))
    assert close(dense, CASES[case](sp.csr_array(W)))
    assert close(dense, CASES[case](digraph(W)))


def test_as_weights_reads_each_kind_once():
    G = nx.Graph([("a", "b", {"weight": 2.0}), ("b", "b", {"weight": 3.0})])
    np.testing.assert_array_equal(as_weights(G), [[0, 2], [2, 3]])  # undirected: both ways
    dup = sp.coo_array(([1.0, 2.0], ([0, 0], [1, 1])), shape=(2, 2))
    np.testing.assert_array_equal(as_weights(dup), [[0, 3], [0, 0]])  # duplicates add up
    with pytest.raises(CommunityError, match=r"`W` holds 1 non-finite .* W\[1, 0\]"):
        as_weights(sp.csr_array(np.array([[0.0, 0.0], [np.nan, 0.0]])))
    with pytest.raises(CommunityError, match="square"):
        as_weights(sp.csr_array(np.ones((2, 3))))
    with pytest.raises(CommunityError, match="multigraph"):
        as_weights(nx.MultiDiGraph([(0, 1), (0, 1)]))
    with pytest.raises(CommunityError, match="non-finite 'weight'"):
        as_weights(nx.DiGraph([(0, 1, {"weight": float("inf")})]))


def test_functions_that_need_a_dense_matrix_say_so_above_the_threshold():
    Wb, _ = big_sparse(n=DENSE_MAX_NEURONS + 8, degree=2)
    n = Wb.shape[0]
    with pytest.raises(CommunityError, match=rf"`W` has {n} neurons.*DENSE_MAX_NEURONS"):
        graphs.dense_weights(Wb)
    with pytest.raises(CommunityError, match=rf"`G` has {n} neurons"):
        graphs.from_networkx(nx.empty_graph(n, create_using=nx.DiGraph))
    with pytest.raises(CommunityError, match=rf"`partitions` has {n} neurons"):
        detect.consensus([np.zeros(n, dtype=int)] * 2)


def test_a_large_sparse_planted_graph_never_becomes_dense():
    Wb, b = big_sparse()
    n = Wb.shape[0]
    assert n > DENSE_MAX_NEURONS
    dense_bytes = 8 * n * n
    blocks.fit_blocks(W, seed=0)  # numba's caches load on first use: not the graph's memory
    # networkx's Louvain holds the graph as Python dicts (edge-proportional, but large and
    # slow under tracemalloc): measured apart
    louvain = detect.louvain(Wb, seed=0)
    tracemalloc.start()
    try:
        leiden = detect.leiden(Wb, seed=0)
        fitted = blocks.fit_blocks(Wb, seed=0)
        hub = structure.hub_concentration(Wb)
        iso = structure.isolated_fraction(Wb)
        m = leiden.membership
        mod = measures.modularity(Wb, m)
        p = measures.participation(Wb, m)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 4, f"peak {peak / 2**20:.0f} MiB"  # 46 MB dense, ~5 MB here
    for part in (leiden, louvain, fitted):
        assert adjusted_rand_score(b, part.membership) > 0.95, part
    assert 0.1 < hub["top_share_max"] < 0.2 and iso == 0.0
    assert 0.4 < mod < 0.8 and p.shape == (n,)
    # a networkx graph of the same size goes the same way
    G = nx.from_scipy_sparse_array(Wb.T, create_using=nx.DiGraph)
    assert sp.issparse(as_weights(G))
    assert np.array_equal(detect.leiden(G, seed=0).membership, leiden.membership)
