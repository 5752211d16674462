"""Gephi files open drawn: positions (the report's layout), node size by strength, edge colour
by sign -- in GEXF (the viz module of GEXF 1.3) and GraphML (Gephi's x/y/size/r/g/b keys),
read back by networkx and igraph."""

import xml.etree.ElementTree as ET

import igraph
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from community.export import (
    EXCITATORY_COLOUR,
    INHIBITORY_COLOUR,
    ExportError,
    export_sweep,
    gephi_positions,
    node_sizes,
    sign_colour,
    write_dynamic_gexf,
    write_gexf,
    write_graphml,
)
from community.export.style import POSITION_SCALE, ZERO_COLOUR
from community.layout import RING_RADIUS, layout_positions, neuron_positions
from community.report import network_view
from community.tables import write_tables
from wiring.runs import prepare_run_dir, write_config, write_snapshot, write_status

G = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
NS = {"g": G, "viz": VIZ}
N = 5
SRC = np.array([0, 1, 2, 3, 4, 0])
DST = np.array([1, 2, 3, 4, 0, 2])
W = np.array([0.5, -1.0, 2.0, 0.0, -0.25, 1.5])
COMM = np.array([0, 0, 1, 1, -1])
POS = np.array([[0.0, 0.0], [10.5, -3.25], [1e-3, 7.0], [-20.0, 4.0], [3.0, 3.0]])
SIZE = np.array([2.0, 4.5, 20.0, 3.0, 2.0])


def viz_of(element):
    """{tag: attributes} of the viz children of a node or edge element."""
    return {child.tag.split("}")[1]: dict(child.attrib) for child in element
            if child.tag.startswith("{" + VIZ + "}")}


def test_static_gexf_nodes_carry_position_size_colour_in_the_viz_namespace(tmp_path):
    out = write_gexf(tmp_path / "s.gexf", src=SRC, dst=DST, weight=W, n=N, node_attrs=None,
                     communities=COMM, positions=POS, size=SIZE)
    root = ET.parse(out).getroot()
    nodes = root.findall(".//g:node", NS)
    for i, node in enumerate(nodes):
        viz = viz_of(node)
        assert set(viz) == {"color", "position", "size"}
        # the viz example's order: attvalues, then color, position, size
        tags = [c.tag.split("}")[1] for c in node]
        assert tags == ["attvalues", "color", "position", "size"]
        assert set(viz["color"]) == {"r", "g", "b"}  # no alpha: Gephi Lite ignores it
        assert all(0 <= int(v) <= 255 and v == str(int(v)) for v in viz["color"].values())
        assert [float(viz["position"][k]) for k in "xyz"] == [*POS[i], 0.0]
        assert float(viz["size"]["value"]) == SIZE[i] > 0
    # the namespace is bound to the literal prefix viz (graphology looks for "viz:color")
    assert 'xmlns:viz="http://gexf.net/1.3/viz"' in out.read_text()
    assert "<viz:position " in out.read_text()
    G_ = nx.read_gexf(out)
    assert {n: (d["viz"]["position"]["x"], d["viz"]["position"]["y"], d["viz"]["size"])
            for n, d in G_.nodes(data=True)} == {
        str(i): (POS[i, 0], POS[i, 1], SIZE[i]) for i in range(N)}


def test_edges_are_coloured_by_sign(tmp_path):
    out = write_gexf(tmp_path / "s.gexf", src=SRC, dst=DST, weight=W, n=N, node_attrs=None)
    for edge in ET.parse(out).getroot().findall(".//g:edge", NS):
        k = int(edge.get("id")[1:])
        colour = viz_of(edge)["color"]
        assert tuple(int(colour[c]) for c in "rgb") == sign_colour(W[k])
    assert sign_colour(1.0) == EXCITATORY_COLOUR and sign_colour(-1.0) == INHIBITORY_COLOUR
    assert sign_colour(0.0) == ZERO_COLOUR
    plain = write_gexf(tmp_path / "p.gexf", src=SRC, dst=DST, weight=W, n=N, node_attrs=None,
                       edge_colours=False)
    assert "viz:" not in plain.read_text().split("<edges>")[1]
    assert nx.read_gexf(out).number_of_edges() == SRC.size


def test_dynamic_gexf_has_static_viz_and_edges_coloured_by_their_last_sign(tmp_path):
    w0 = np.array([0.5, -1.0, 2.0, 0.0, 0.25, 1.5])
    w1 = np.array([-0.5, 0.0, 2.0, 0.0, 0.25, 0.0])
    out = write_dynamic_gexf(tmp_path / "d.gexf", src=SRC, dst=DST, n=N, weights=[w0, w1],
                             steps=[0, 10], communities=[COMM, COMM], positions=POS,
                             size=SIZE)
    root = ET.parse(out).getroot()
    for i, node in enumerate(root.findall(".//g:node", NS)):
        viz = viz_of(node)
        assert [float(viz["position"][k]) for k in "xy"] == list(POS[i])
        assert float(viz["size"]["value"]) == SIZE[i]
    colours = {e.get("id"): tuple(int(viz_of(e)["color"][c]) for c in "rgb")
               for e in root.findall(".//g:edge", NS)}
    # e0 flips to inhibitory, e1 was last non-zero inhibitory, e5 last excitatory;
    # e3 is zero throughout and not written
    assert colours == {"e0": INHIBITORY_COLOUR, "e1": INHIBITORY_COLOUR,
                       "e2": EXCITATORY_COLOUR, "e4": EXCITATORY_COLOUR,
                       "e5": EXCITATORY_COLOUR}
    graph = nx.read_gexf(out)
    assert graph.nodes["3"]["viz"]["position"]["x"] == POS[3, 0]


def test_graphml_carries_gephi_position_size_and_colour_keys(tmp_path):
    attrs = {"community": COMM, "role": np.array(["a", "b", "c", "d", "e"])}
    out = write_graphml(tmp_path / "g.graphml", src=SRC, dst=DST, weight=W, n=N,
                        node_attrs=attrs, positions=POS, size=SIZE)
    root = ET.parse(out).getroot()
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type")
            for k in root.findall("{http://graphml.graphdrawing.org/xmlns}key")}
    assert {keys[("node", k)] for k in ("x", "y", "size")} == {"double"}
    assert {keys[(cls, c)] for cls in ("node", "edge") for c in "rgb"} == {"int"}
    graph = nx.read_graphml(out)
    for i in range(N):
        d = graph.nodes[str(i)]
        assert (d["x"], d["y"], d["size"]) == (POS[i, 0], POS[i, 1], SIZE[i])
    assert (graph.nodes["4"]["r"], graph.nodes["4"]["g"], graph.nodes["4"]["b"]) == (190,) * 3
    for a, b, k in zip(SRC, DST, range(SRC.size), strict=True):
        e = graph.edges[str(a), str(b)]
        assert (e["r"], e["g"], e["b"]) == sign_colour(W[k])
    ig = igraph.Graph.Read_GraphML(str(out))
    assert ig.vs["x"] == list(POS[:, 0]) and ig.vs["size"] == list(SIZE)


def test_graphml_rejects_an_attribute_that_would_collide_with_a_gephi_key(tmp_path):
    with pytest.raises(ExportError, match="'x' is reserved"):
        write_graphml(tmp_path / "g.graphml", src=SRC, dst=DST, weight=W, n=N,
                      node_attrs={"x": np.zeros(N)}, positions=POS)
    # without positions, x is an ordinary attribute
    write_graphml(tmp_path / "g.graphml", src=SRC, dst=DST, weight=W, n=N,
                  node_attrs={"x": np.zeros(N)})


@pytest.mark.parametrize("positions, match", [
    (np.zeros((N, 4)), r"shape \(5, 2\) or \(5, 3\)"),
    (np.zeros((N - 1, 2)), r"shape \(5, 2\)"),
    (np.array([[0.0, np.nan]] * N), r"positions\[0, 1\]"),
    (np.array([["a", "b"]] * N), "dtype"),
])
@pytest.mark.parametrize("writer", ["gexf", "dynamic", "graphml"])
def test_bad_positions_are_rejected_naming_them(tmp_path, positions, match, writer):
    out = tmp_path / "x"
    with pytest.raises(ExportError, match=match):
        if writer == "gexf":
            write_gexf(out, src=SRC, dst=DST, weight=W, n=N, node_attrs=None,
                       positions=positions)
        elif writer == "dynamic":
            write_dynamic_gexf(out, src=SRC, dst=DST, n=N, weights=[W], steps=[0],
                               positions=positions)
        else:
            write_graphml(out, src=SRC, dst=DST, weight=W, n=N, node_attrs=None,
                          positions=positions)
    assert not out.exists()


def test_node_sizes_grow_with_strength_and_positions_scale_with_n():
    s = node_sizes(np.array([10.0, 11.0, 13.0, 14.0, np.nan]))
    assert s[0] == s[4] == 2.0 and s[3] == 20.0 and np.all(np.diff(s[:4]) > 0)
    # linear from the weakest to the strongest (Gephi's ranking), so close strengths differ
    assert s[1:3].tolist() == pytest.approx([6.5, 15.5])
    assert node_sizes(np.full(3, 7.0)).tolist() == [2.0] * 3
    with pytest.raises(ExportError, match="size_range"):
        node_sizes([1.0], size_range=(0.0, 1.0))
    pos = np.array([[1.0, 0.0]] * 100)
    assert gephi_positions(pos)[0, 0] == POSITION_SCALE * 10


# --------------------------------------------------------------------------- the shared layout


def test_report_and_export_share_one_layout():
    assert network_view.layout_positions is layout_positions
    rng = np.random.default_rng(3)
    src, dst = rng.integers(0, 30, 200), rng.integers(0, 30, 200)
    w = rng.normal(size=200)
    nodes = np.arange(2, 30)  # 0 and 1: inputs, not analysed
    memb = np.arange(28) % 3
    pos = neuron_positions(src, dst, w, n=30, nodes=nodes, membership=memb, seed=0)
    # the analysed neurons sit exactly where the report's network view puts them
    keep = (src >= 2) & (dst >= 2)
    report = layout_positions(src[keep] - 2, dst[keep] - 2, w[keep], n=28, membership=memb)
    assert np.array_equal(pos[2:], report)
    assert np.allclose(np.hypot(*pos[:2].T), RING_RADIUS)
    # deterministic for a seed, different for another
    again = neuron_positions(src, dst, w, n=30, nodes=nodes, membership=memb, seed=0)
    assert np.array_equal(pos, again)
    assert not np.array_equal(pos, neuron_positions(src, dst, w, n=30, nodes=nodes,
                                                    membership=memb, seed=1))


def sweep_dir(root, n=12):
    """One analysed noise-task run: two planted communities of 6, neuron 0 not analysed."""
    rng = np.random.default_rng(0)
    src, dst = np.nonzero(~np.eye(n, dtype=bool))
    src, dst = src.astype(np.int64), dst.astype(np.int64)
    same = (src // 6) == (dst // 6)
    steps, snaps, neurons = [0, 10], [], []
    run = prepare_run_dir(root / "runs" / "r-s0")
    write_config(run, {"task": {"kind": "noise", "seed": 0}, "simulation": {}})
    for step in steps:
        w = np.where(same, 1.0, 0.05) * rng.choice([-1.0, 1.0], src.size) * (1 + step)
        write_snapshot(run, step, src=src, dst=dst, weight=w, bias=np.zeros(n), inputs=[0],
                       outputs=[], n=n)
        snaps.append({"run_id": "r-s0", "group": "g", "rule": "balance", "learning_rate": 0.1,
                      "seed": 0, "step": step, "is_final": step == 10, "run_status": "ok"})
        neurons += [{"run_id": "r-s0", "step": step, "neuron": i, "community": i // 6,
                     "block": -1, "role": "peripheral", "in_strength": 1.0,
                     "out_strength": 1.0, "participation_in": 0.0, "participation_out": 0.0,
                     "within_z": 0.0} for i in range(1, n)]
    write_status(run, "ok")
    pd.DataFrame([{"run_id": "r-s0", "group": "g"}]).to_parquet(root / "sweep_status.parquet")
    write_tables(root / "analysis", {
        "runs": pd.DataFrame([{"run_id": "r-s0", "group": "g", "rule": "balance",
                               "learning_rate": 0.1, "seed": 0, "run_status": "ok",
                               "reason": ""}]),
        "snapshots": pd.DataFrame(snaps), "neurons": pd.DataFrame(neurons),
        "skipped": pd.DataFrame(columns=["run_id", "group", "stage", "reason"])})
    return root, src, dst


def positions_in(path):
    root = ET.parse(path).getroot()
    return np.array([[float(viz_of(node)["position"][k]) for k in "xy"]
                     for node in root.findall(".//g:node", NS)])


def test_export_sweep_files_are_laid_out_as_the_report_draws_the_run(tmp_path):
    root, src, dst = sweep_dir(tmp_path / "sweep")
    files = export_sweep(root, snapshots="all")
    out = root / "gephi" / "r-s0"
    assert sorted(p.name for p in files) == ["dynamic.gexf", "step_0.gexf", "step_10.gexf"]
    final = positions_in(out / "step_10.gexf")
    # the report's network view: analysed neurons 1..11, edges among them, weights and
    # communities of the final snapshot, seed 0
    from wiring.runs import load_snapshot

    snap = load_snapshot(root / "runs" / "r-s0" / "snapshots" / "step_10.npz")
    keep = (snap.src >= 1) & (snap.dst >= 1)
    report = layout_positions(snap.src[keep] - 1, snap.dst[keep] - 1, snap.weight[keep],
                              n=11, membership=np.arange(1, 12) // 6, seed=0)
    scale = POSITION_SCALE * np.sqrt(12)
    assert np.allclose(final[1:], report * scale, rtol=0, atol=1e-9)
    assert np.hypot(*final[0]) == pytest.approx(RING_RADIUS * scale)  # the input: ring
    # not a hairball: spread out, the two communities apart
    assert np.ptp(final, axis=0).max() > 100
    gaps = np.hypot(*(final[:, None] - final[None]).transpose(2, 0, 1))
    assert gaps[~np.eye(12, dtype=bool)].min() > 2  # no two nodes on one spot
    centre = [final[1:6].mean(axis=0), final[6:].mean(axis=0)]
    assert np.hypot(*(centre[0] - centre[1])) > 2 * np.std(final[6:] - centre[1])
    # the same positions in every file of the run: nodes keep their places
    assert np.array_equal(positions_in(out / "step_0.gexf"), final)
    assert np.array_equal(positions_in(out / "dynamic.gexf"), final)
    # node size follows strength: the input (no in-edges counted twice) is no bigger
    sizes = [float(viz_of(n)["size"]["value"])
             for n in ET.parse(out / "step_10.gexf").getroot().findall(".//g:node", NS)]
    strength = (np.bincount(snap.src, np.abs(snap.weight), 12)
                + np.bincount(snap.dst, np.abs(snap.weight), 12))
    assert np.array_equal(np.argsort(sizes, kind="stable"), np.argsort(strength, kind="stable"))
    # readable by networkx, with the positions
    graph = nx.read_gexf(out / "step_10.gexf")
    assert graph.nodes["3"]["viz"]["position"]["x"] == final[3, 0]
    # deterministic: a second export gives the same bytes
    first = (out / "step_10.gexf").read_bytes()
    export_sweep(root, out_dir=tmp_path / "again")
    assert (tmp_path / "again" / "r-s0" / "step_10.gexf").read_bytes() == first
    # GraphML: the same layout as x / y
    export_sweep(root, fmt="graphml")
    gml = nx.read_graphml(out / "step_10.graphml")
    assert [gml.nodes[str(i)]["x"] for i in range(12)] == final[:, 0].tolist()


def test_export_sweep_without_layout_writes_no_position(tmp_path):
    root, _, _ = sweep_dir(tmp_path / "sweep")
    export_sweep(root, layout=False)
    text = (root / "gephi" / "r-s0" / "step_10.gexf").read_text()
    assert "viz:position" not in text and "viz:size" in text and "viz:color" in text
