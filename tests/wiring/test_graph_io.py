"""Tests for wiring.graphs.convert: conversions, file round trips and malformed input."""

from __future__ import annotations

import os

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from wiring.errors import GraphError, GraphFileError
from wiring.graphs.builders import erdos_renyi
from wiring.graphs.convert import (
    from_igraph,
    from_networkx,
    read_edge_csv,
    read_gexf,
    read_graph,
    read_graphml,
    to_igraph,
    to_networkx,
    write_edge_csv,
)
from wiring.graphs.graph import Graph


@pytest.fixture
def shuffled():
    """A graph whose edge order is a random permutation, with awkward float weights."""
    rng = np.random.default_rng(11)
    g0 = erdos_renyi(40, 0.15, n_inputs=4, n_outputs=3, seed=11)
    perm = rng.permutation(g0.n_edges)
    outputs = g0.outputs[::-1].copy()  # a non-sorted output order must survive too
    g = Graph.from_edges(g0.n, g0.src[perm], g0.dst[perm], inputs=g0.inputs, outputs=outputs)
    w = rng.standard_normal(g.n_edges) * 10.0 ** rng.integers(-30, 30, g.n_edges)
    return g, w


def assert_same(g, h, w=None, v=None, *, io=True):
    assert g.n == h.n
    assert np.array_equal(g.src, h.src) and np.array_equal(g.dst, h.dst)
    if io:
        assert np.array_equal(g.inputs, h.inputs)
        assert sorted(g.outputs.tolist()) == sorted(h.outputs.tolist())
    if w is not None:
        assert v is not None and v.dtype == np.float64
        assert np.array_equal(w, v)  # bit-exact


# ------------------------------------------------------------------------- networkx


def test_networkx_round_trip_exact(shuffled):
    g, w = shuffled
    G = to_networkx(g, w, bias=np.arange(g.n) * 0.5)
    assert G.number_of_edges() == g.n_edges
    assert G.nodes[3]["bias"] == 1.5
    assert [G.nodes[i]["input"] for i in range(g.n)] == g.input_mask().tolist()
    h, v = from_networkx(G, inputs="input", outputs="output", edge_order="eid")
    assert_same(g, h, w, v)
    # explicit label lists keep the caller's order
    h2, _ = from_networkx(G, inputs=g.inputs.tolist(), outputs=g.outputs.tolist())
    assert np.array_equal(h2.outputs, g.outputs)


def test_networkx_default_edge_order_is_G_edges():
    G = nx.DiGraph()
    G.add_nodes_from(["c", "a", "b"])
    G.add_edge("b", "a", weight=1.0)
    G.add_edge("c", "b", weight=2.0)
    G.add_edge("c", "a", weight=3.0)
    g, w = from_networkx(G, inputs=["c"], outputs=["a"])
    index = {"c": 0, "a": 1, "b": 2}
    assert list(zip(g.src.tolist(), g.dst.tolist(), strict=True)) == [
        (index[u], index[v]) for u, v in G.edges
    ]
    assert w.tolist() == [d["weight"] for _, _, d in G.edges(data=True)]


def test_networkx_hashable_labels_and_attribute_flags():
    G = nx.DiGraph()
    G.add_node(("in", 0), role_in="true")
    G.add_node(("in", 1), role_in=1)
    G.add_node("h")
    G.add_node(frozenset({9}), role_out=np.bool_(True))
    G.add_edges_from([(("in", 0), "h"), (("in", 1), "h"), ("h", frozenset({9}))])
    g, w = from_networkx(G, inputs="role_in", outputs="role_out")
    assert w is None
    assert g.inputs.tolist() == [0, 1] and g.outputs.tolist() == [3]
    g2, _ = from_networkx(G, inputs=[("in", 1), ("in", 0)], outputs=[frozenset({9})], weight=None)
    assert g2.inputs.tolist() == [1, 0]


def test_networkx_errors():
    with pytest.raises(GraphError, match="`G`.*undirected"):
        from_networkx(nx.path_graph(3), inputs=[0], outputs=[2])
    M = nx.MultiDiGraph([(0, 1), (0, 1)])
    with pytest.raises(GraphError, match="`G`.*parallel"):
        from_networkx(M, inputs=[0], outputs=[1])
    with pytest.raises(GraphError, match="`G`"):
        from_networkx([(0, 1)], inputs=[0], outputs=[1])
    with pytest.raises(GraphError, match="`G` has no nodes"):
        from_networkx(nx.DiGraph(), inputs=[], outputs=[])
    G = nx.DiGraph([(0, 1), (1, 2)])
    with pytest.raises(GraphError, match="`inputs` names node 7"):
        from_networkx(G, inputs=[7], outputs=[2])
    with pytest.raises(GraphError, match="`outputs`"):
        from_networkx(G, inputs=[0], outputs=5)
    with pytest.raises(GraphError, match="overlap"):
        from_networkx(G, inputs=[0, 1], outputs=[1])
    G.nodes[1]["input"] = "maybe"
    with pytest.raises(GraphError, match="node 1 attribute 'input'"):
        from_networkx(G, inputs="input", outputs=[2])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "heavy", None])
def test_networkx_bad_weight_names_edge(bad):
    G = nx.DiGraph()
    G.add_edge(0, 1, weight=1.0)
    G.add_edge(1, 2, weight=bad)
    with pytest.raises(GraphError, match="edge 1 -> 2 weight 'weight'"):
        from_networkx(G, inputs=[0], outputs=[2])


def test_networkx_partial_weights_and_bad_order():
    G = nx.DiGraph()
    G.add_edge(0, 1, weight=1.0, eid=0)
    G.add_edge(1, 2, eid=0)
    with pytest.raises(GraphError, match="edge 1 -> 2 weight 'weight' is missing"):
        from_networkx(G, inputs=[0], outputs=[2])
    with pytest.raises(GraphError, match="edge_order"):
        from_networkx(G, inputs=[0], outputs=[2], weight=None, edge_order="eid")


def test_to_networkx_bad_weight_shape():
    g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
    with pytest.raises(GraphError, match="weight"):
        to_networkx(g, [1.0, 2.0])
    with pytest.raises(GraphError, match="bias"):
        to_networkx(g, bias=[np.nan, 0.0])


# --------------------------------------------------------------------------- igraph


def test_igraph_round_trip_exact(shuffled):
    g, w = shuffled
    h = to_igraph(g, w, bias=np.ones(g.n))
    assert h.is_directed() and h.ecount() == g.n_edges
    assert h.get_edgelist() == list(zip(g.src.tolist(), g.dst.tolist(), strict=True))
    back, v = from_igraph(h, inputs="input", outputs="output")
    assert_same(g, back, w, v)
    back2, _ = from_igraph(h, inputs=g.inputs, outputs=g.outputs)
    assert np.array_equal(back2.outputs, g.outputs)


def test_igraph_names_and_no_weights():
    h = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
    h.vs["name"] = ["x", "hid", "y"]
    g, w = from_igraph(h, inputs=["x"], outputs=["y"])
    assert w is None and g.inputs.tolist() == [0] and g.outputs.tolist() == [2]


def test_igraph_errors():
    with pytest.raises(GraphError, match="`g`.*undirected"):
        from_igraph(ig.Graph(n=3, edges=[(0, 1)]), inputs=[0], outputs=[2])
    with pytest.raises(GraphError, match="`g`"):
        from_igraph(nx.DiGraph([(0, 1)]), inputs=[0], outputs=[1])
    multi = ig.Graph(n=2, edges=[(0, 1), (0, 1)], directed=True)
    with pytest.raises(GraphError, match="duplicate edge 0 -> 1"):
        from_igraph(multi, inputs=[0], outputs=[1])
    h = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
    with pytest.raises(GraphError, match="`outputs` names node 3"):
        from_igraph(h, inputs=[0], outputs=[3])
    h.es["weight"] = [1.0, float("nan")]
    with pytest.raises(GraphError, match=r"edge 1 \(1 -> 2\) weight"):
        from_igraph(h, inputs=[0], outputs=[2])


# ------------------------------------------------------------------- GraphML / GEXF


@pytest.mark.parametrize(
    ("suffix", "write", "read"),
    [(".graphml", nx.write_graphml, read_graphml), (".gexf", nx.write_gexf, read_gexf)],
)
def test_xml_round_trip_exact(tmp_path, shuffled, suffix, write, read):
    g, w = shuffled
    path = tmp_path / f"net{suffix}"
    write(to_networkx(g, w), path)
    h, v = read(path, edge_order="eid")
    assert_same(g, h, w, v)
    h2, v2 = read_graph(path, edge_order="eid")
    assert_same(g, h2, w, v2)
    # node ids given as ints are matched to the file's string ids, in the caller's order
    h3, _ = read(path, inputs=g.inputs.tolist(), outputs=g.outputs.tolist())
    assert np.array_equal(h3.outputs, g.outputs)
    # without edge_order: the same edges and weights, in networkx's order
    h4, v4 = read(path)
    assert dict(
        zip(zip(h4.src.tolist(), h4.dst.tolist(), strict=True), v4.tolist(), strict=True)
    ) == dict(zip(zip(g.src.tolist(), g.dst.tolist(), strict=True), w.tolist(), strict=True))


def test_graphml_written_by_igraph(tmp_path):
    g = erdos_renyi(20, 0.2, n_inputs=2, n_outputs=2, seed=5)
    w = np.linspace(-1, 1, g.n_edges)
    path = tmp_path / "from_igraph.graphml"
    to_igraph(g, w).write_graphml(str(path))
    h, v = read_graphml(path)
    assert h.inputs.tolist() == g.inputs.tolist() and h.outputs.tolist() == g.outputs.tolist()
    got = dict(zip(zip(h.src.tolist(), h.dst.tolist(), strict=True), v.tolist(), strict=True))
    want = dict(zip(zip(g.src.tolist(), g.dst.tolist(), strict=True), w.tolist(), strict=True))
    assert got.keys() == want.keys()
    # igraph writes 15 significant digits, so this direction is close, not exact
    assert np.allclose([got[e] for e in want], list(want.values()), rtol=1e-14, atol=0)


def _xml_file(tmp_path, suffix, name, edit):
    g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[2])
    src = tmp_path / f"ok{suffix}"
    (nx.write_graphml if suffix == ".graphml" else nx.write_gexf)(to_networkx(g, [0.5, 1.5]), src)
    bad = tmp_path / f"{name}{suffix}"
    bad.write_text(edit(src.read_text()))
    return bad


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_xml_malformed(tmp_path, suffix):
    path = _xml_file(tmp_path, suffix, "broken", lambda s: s[: len(s) // 2])
    with pytest.raises(GraphFileError, match=r"broken\.(graphml|gexf).*not well-formed"):
        read_graph(path)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_xml_nan_weight_names_file_and_edge(tmp_path, suffix):
    def edit(s):
        return s.replace(">1.5<", ">NaN<").replace('weight="1.5"', 'weight="NaN"')

    path = _xml_file(tmp_path, suffix, "nanweight", edit)
    with pytest.raises(GraphFileError, match=r"nanweight\..*edge '1' -> '2' weight"):
        read_graph(path)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_xml_non_numeric_weight_names_file_and_edge(tmp_path, suffix):
    def edit(s):
        return s.replace(">1.5<", ">heavy<").replace('weight="1.5"', 'weight="heavy"')

    path = _xml_file(tmp_path, suffix, "textweight", edit)
    with pytest.raises(GraphFileError, match=r"textweight\..*edge '1' -> '2'.*'heavy'"):
        read_graph(path)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_xml_undirected(tmp_path, suffix):
    def edit(s):
        return s.replace('edgedefault="directed"', 'edgedefault="undirected"').replace(
            'defaultedgetype="directed"', 'defaultedgetype="undirected"'
        )

    path = _xml_file(tmp_path, suffix, "undirected", edit)
    with pytest.raises(GraphFileError, match=r"undirected\..*undirected"):
        read_graph(path)


def test_xml_missing_file_and_unknown_node(tmp_path):
    with pytest.raises(GraphFileError, match="nothere.graphml"):
        read_graphml(tmp_path / "nothere.graphml")
    with pytest.raises(GraphFileError, match="nothere.gexf"):
        read_gexf(tmp_path / "nothere.gexf")
    path = _xml_file(tmp_path, ".graphml", "plain", lambda s: s)
    with pytest.raises(GraphFileError, match=r"plain\.graphml.*`inputs` names node 9"):
        read_graphml(path, inputs=[9])


# ------------------------------------------------------------------------------ CSV


def test_csv_round_trip_exact(tmp_path, shuffled):
    g, w = shuffled
    path = write_edge_csv(tmp_path / "edges.csv", g, w)
    h, v = read_edge_csv(path, inputs=g.inputs, outputs=g.outputs, n=g.n)
    assert_same(g, h, w, v)
    h2, v2 = read_graph(path, inputs=g.inputs, outputs=g.outputs, n=g.n)
    assert_same(g, h2, w, v2)
    assert [p.name for p in tmp_path.iterdir()] == ["edges.csv"]  # no temp files left


def test_csv_unweighted_inferred_n_and_custom_columns(tmp_path):
    g = Graph.from_edges(5, [3, 0, 1], [4, 1, 3], inputs=[0], outputs=[4])
    path = write_edge_csv(tmp_path / "plain.csv", g)
    h, v = read_edge_csv(path, inputs=[0], outputs=[4])
    assert v is None and h.n == 5
    assert_same(g, h)
    custom = tmp_path / "custom.csv"
    custom.write_text("\ufeffw, post ,pre\n0.25,1,0\n\n-2e-3,2,1\n")
    h, v = read_edge_csv(custom, inputs=[0], outputs=[2], source="pre", target="post", weight="w")
    assert h.src.tolist() == [0, 1] and h.dst.tolist() == [1, 2]
    assert v.tolist() == [0.25, -0.002]
    h, v = read_edge_csv(custom, inputs=[0], outputs=[9], source="pre", target="post", weight=None)
    assert v is None and h.n == 10  # outputs count towards the inferred n


CSV_CASES = [
    (
        "source,target,weight\n0,1,0.5\n1,x,0.5\n",
        {},
        r"edges\.csv line 3: target 'x' is not an integer",
    ),
    ("source,target,weight\n0,1.0,0.5\n", {}, r"edges\.csv line 2: target '1.0'"),
    ("source,weight\n0,0.5\n", {}, r"edges\.csv line 1: no target column 'target'"),
    ("src,target\n0,1\n", {}, r"edges\.csv line 1: no source column 'source'"),
    ("source,target\n0,1\n1,5\n", {"n": 4}, r"edges\.csv line 3: target 5 is out of range"),
    ("source,target\n-1,1\n", {}, r"edges\.csv line 2: source -1 must be >= 0"),
    ("source,target,weight\n0,1,1\n1,2\n", {}, r"edges\.csv line 3: expected 3 fields"),
    ("source,target,weight\n0,1,1,7\n", {}, r"edges\.csv line 2: expected 3 fields"),
    ("source,target,weight\n0,1,nan\n", {}, r"edges\.csv line 2: weight must be a finite"),
    ("source,target,weight\n0,1,\n", {}, r"edges\.csv line 2: weight"),
    ("source,target\n0,1\n\n1,2\n0,1\n", {}, r"edges\.csv line 5: edge 0 -> 1 repeats line 2"),
    ("", {}, r"edges\.csv: file is empty"),
    ("source,target\n", {"inputs": [], "outputs": []}, r"edges\.csv: no edges"),
    ("source,target\n0,1\n", {"outputs": [0]}, r"edges\.csv.*overlap"),
    ("source,target\n0,1\n", {"n": 0}, r"edges\.csv.*`n`"),
    ("source,target\n0,1\n", {"inputs": "0"}, r"edges\.csv.*`inputs`"),
    ("source,target\n0,1\n", {"n": 2, "outputs": [3]}, r"edges\.csv.*`outputs` holds index 3"),
]


@pytest.mark.parametrize(("text", "kw", "match"), CSV_CASES)
def test_csv_malformed(tmp_path, text, kw, match):
    path = tmp_path / "edges.csv"
    path.write_text(text)
    kw = {"inputs": [0], "outputs": [1], **kw}
    with pytest.raises(GraphFileError, match=match):
        read_edge_csv(path, **kw)


def test_csv_missing_file_and_not_utf8(tmp_path):
    with pytest.raises(GraphFileError, match="absent.csv"):
        read_edge_csv(tmp_path / "absent.csv", inputs=[0], outputs=[1])
    with pytest.raises(GraphFileError, match="a_dir.csv"):
        (tmp_path / "a_dir.csv").mkdir()
        read_edge_csv(tmp_path / "a_dir.csv", inputs=[0], outputs=[1])
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"source,target\n0,1\xe9\n")
    with pytest.raises(GraphFileError, match="latin.csv"):
        read_edge_csv(latin, inputs=[0], outputs=[1])


def test_write_csv_is_atomic(tmp_path, monkeypatch):
    g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
    path = write_edge_csv(tmp_path / "e.csv", g, [1.0])
    before = path.read_text()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_edge_csv(path, g, [2.0])
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["e.csv"]
    monkeypatch.undo()
    with pytest.raises(GraphError, match="weight"):
        write_edge_csv(path, g, [np.inf])
    with pytest.raises(GraphFileError, match="no_such_dir"):
        write_edge_csv(tmp_path / "no_such_dir" / "e.csv", g)


def test_read_graph_unsupported_suffix(tmp_path):
    path = tmp_path / "net.json"
    path.write_text("{}")
    with pytest.raises(GraphFileError, match=r"net\.json.*\.csv, \.gexf, \.graphml"):
        read_graph(path)


def test_missing_flag_attribute_is_an_error(tmp_path):
    G = nx.DiGraph([(0, 1)])
    with pytest.raises(GraphError, match="'inptu' named by `inputs`"):
        from_networkx(G, inputs="inptu", outputs=[])
    g, _ = from_networkx(G, inputs=[], outputs=[])
    assert g.inputs.size == 0
    path = tmp_path / "bare.graphml"
    nx.write_graphml(G, path)
    with pytest.raises(GraphFileError, match=r"bare\.graphml.*'input' named by `inputs`"):
        read_graphml(path)
    with pytest.raises(GraphError, match="'role' named by `outputs`"):
        from_igraph(ig.Graph(n=2, edges=[(0, 1)], directed=True), inputs=[0], outputs="role")
