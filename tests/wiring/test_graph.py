"""Graph: CSR views, edge order and topological order, checked by brute force."""

import numpy as np
import pytest

from wiring.errors import GraphError
from wiring.graphs.graph import Graph


def random_graph(seed, n=30, density=0.2, loops=True):
    rng = np.random.default_rng(seed)
    src, dst = np.nonzero(rng.random((n, n)) < density)
    if not loops:
        keep = src != dst
        src, dst = src[keep], dst[keep]
    perm = rng.permutation(src.size)
    return Graph.from_edges(n, src[perm], dst[perm], inputs=[0, 1], outputs=[n - 1])


@pytest.mark.parametrize("seed", range(3))
def test_csr_views_list_every_edge_once(seed):
    g = random_graph(seed)
    for i in range(g.n):
        lo, hi = g.in_indptr[i], g.in_indptr[i + 1]
        want = sorted(int(s) for s, d in zip(g.src, g.dst, strict=True) if d == i)
        assert g.in_src[lo:hi].tolist() == want
        assert (g.dst[g.in_eid[lo:hi]] == i).all()
        assert (g.src[g.in_eid[lo:hi]] == g.in_src[lo:hi]).all()
        lo, hi = g.out_indptr[i], g.out_indptr[i + 1]
        assert sorted(g.out_dst[lo:hi].tolist()) == sorted(
            int(d) for s, d in zip(g.src, g.dst, strict=True) if s == i)
    # in_to_out maps the same edge between the two views
    assert (g.out_eid[g.in_to_out] == g.in_eid).all()


def test_topological_order_of_a_dag():
    g = random_graph(5, loops=False)
    upper = g.src < g.dst  # keep forward edges only: a DAG
    dag = Graph.from_edges(g.n, g.src[upper], g.dst[upper], inputs=[0, 1], outputs=[g.n - 1])
    assert dag.is_dag
    pos = np.empty(dag.n, int)
    pos[dag.topo_order] = np.arange(dag.n)
    assert (pos[dag.src] < pos[dag.dst]).all()
    assert not random_graph(5).is_dag


def test_dense_and_user_order():
    g = Graph.from_edges(3, [2, 0], [0, 1], inputs=[2], outputs=[1])
    W = g.dense([7.0, 9.0])
    assert W[0, 2] == 7.0 and W[1, 0] == 9.0 and W.sum() == 16.0
    assert g.inputs_are_sources() and g.outputs_are_sinks()
    with pytest.raises(GraphError, match="weight"):
        g.dense([1.0])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n": 0}, "`n`"), ({"n": 2.5}, "`n`"), ({"src": [[0]], "dst": [[1]]}, "1-D"),
    ({"src": [0.5], "dst": [1]}, "src"), ({"inputs": [0, 0]}, "inputs.*more than once"),
    ({"outputs": [3]}, "outputs"), ({"src": [True], "dst": [1]}, "src"),
])
def test_bad_graphs(kwargs, match):
    args = {"n": 3, "src": [0], "dst": [1], "inputs": [0], "outputs": [2]} | kwargs
    n = args.pop("n")
    with pytest.raises(GraphError, match=match):
        Graph.from_edges(n, args.pop("src"), args.pop("dst"), **args)
