"""community.export: GEXF 1.3 (static, dynamic) and GraphML, read back by independent readers;
export_sweep: what a sweep's export writes by default and behind its options."""

import itertools
import math
import os
import xml.etree.ElementTree as ET

import igraph
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from community import export
from community.export import (
    PALETTE,
    UNASSIGNED_COLOUR,
    ExportError,
    community_colour,
    export_plan,
    export_sweep,
    write_dynamic_gexf,
    write_gexf,
    write_graphml,
)
from community.tables import write_tables
from wiring.errors import WiringError
from wiring.runs import prepare_run_dir, write_config, write_snapshot, write_status

NS = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "string"}
N = 6
SRC = np.array([0, 1, 2, 3, 4, 5, 0, 3], dtype=np.int64)
DST = np.array([1, 2, 0, 4, 5, 3, 3, 0], dtype=np.int64)
W1 = np.array([0.5, -1.25, 0.0, 2.0, -0.1, 0.3, 1e-12, -7.0])
W2 = np.array([0.25, 0.0, 0.0, -2.0, 0.2, 0.3, 0.5, 0.0])
COMM = np.array([0, 0, 0, 1, 1, -1], dtype=np.int64)


def node_attrs():
    """The attribute set community.export.sweep builds, with a NaN and awkward strings."""
    return {
        "community": COMM.copy(),
        "role": np.array(["hub", "peripheral", 'a&b <"c">', "connector", "x\ny", "not analysed"]),
        "in_strength": np.array([1.0, 0.5, 0.25, 3.0, 2.0, np.nan]),
        "out_strength": np.array([0.5, 1.5, 0.0, 1.0, 0.1, np.nan]),
        "participation_in": np.array([0.0, 0.1, 0.2, 0.3, 0.4, np.nan]),
        "participation_out": np.array([0.5, 0.6, 0.7, 0.8, 0.9, np.nan]),
        "within_z": np.array([1.5, -0.5, 0.1, -1.0, 0.0, np.nan]),
        "input": np.array([True, True, False, False, False, False]),
        "output": np.array([False, False, False, False, True, True]),
        "clamped": np.zeros(N, dtype=bool),
    }


def edge_attrs():
    return {"within_module": (COMM[SRC] == COMM[DST]) & (COMM[SRC] >= 0)}


def static(path, weight=W1, **kw):
    args = {"src": SRC, "dst": DST, "weight": weight, "n": N, "node_attrs": node_attrs(),
            "edge_attrs": edge_attrs(), "communities": COMM, "title": "run x & y, step 3"}
    args.update(kw)
    return write_gexf(path, **args)


def same(a, b):
    return (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == b


# --------------------------------------------------------------------------- static GEXF


def test_gexf_round_trip_values_and_types_with_networkx(tmp_path):
    path = static(tmp_path / "s.gexf")
    G = nx.read_gexf(path)
    assert G.is_directed() and sorted(G.nodes, key=int) == [str(i) for i in range(N)]
    attrs = node_attrs()
    expected_type = {"community": int, "role": str, "input": bool, "output": bool,
                     "clamped": bool}
    for i in range(N):
        data = G.nodes[str(i)]
        assert data["label"] == str(i)
        for name, values in attrs.items():
            v = values[i].item()
            if isinstance(v, float) and math.isnan(v):
                assert name not in data  # NaN = missing value, not written
                continue
            got = data[name]
            assert type(got) is expected_type.get(name, float), (name, got)
            assert got == v, (name, i)
    for k, (s, d) in enumerate(zip(SRC.tolist(), DST.tolist(), strict=True)):
        e = G.edges[str(s), str(d)]
        w = float(W1[k])
        assert e["id"] == f"e{k}"
        assert type(e["weight"]) is float and e["weight"] == abs(w)
        assert type(e["signed_weight"]) is float and e["signed_weight"] == w
        assert type(e["abs_weight"]) is float and e["abs_weight"] == abs(w)
        assert type(e["sign"]) is int and e["sign"] == (w > 0) - (w < 0)
        assert type(e["within_module"]) is bool
        assert e["within_module"] == bool(COMM[s] == COMM[d] and COMM[s] >= 0)


def test_edge_ids_are_stable_across_snapshot_files(tmp_path):
    ids = []
    for name, w in (("a.gexf", W1), ("b.gexf", W2)):
        G = nx.read_gexf(static(tmp_path / name, weight=w))
        ids.append({(int(u), int(v)): d["id"] for u, v, d in G.edges(data=True)})
    assert ids[0] == ids[1] == {(int(s), int(d)): f"e{k}"
                                for k, (s, d) in enumerate(zip(SRC, DST, strict=True))}


def test_gexf_structure_one_block_per_class_standard_types_integer_colours(tmp_path):
    path = static(tmp_path / "s.gexf", size=np.arange(1.0, N + 1))
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.get("version") == "1.3"
    graph = root.find("g:graph", NS)
    assert graph.get("defaultedgetype") == "directed"
    blocks = graph.findall("g:attributes", NS)
    assert sorted(b.get("class") for b in blocks) == ["edge", "node"]
    for block in blocks:
        for att in block.findall("g:attribute", NS):
            assert att.get("type") in GEXF_TYPES
            assert att.get("id") == att.get("title")
    node_types = {a.get("id"): a.get("type") for a in blocks[0].findall("g:attribute", NS)}
    assert node_types["community"] == "integer" and node_types["role"] == "string"
    assert node_types["within_z"] == "double" and node_types["clamped"] == "boolean"
    # Gephi Lite finds viz tags by the literal prefix and ignores colours with alpha
    assert "<viz:color " in text and ' a="' not in text
    nodes = graph.findall("g:nodes/g:node", NS)
    for i, node in enumerate(nodes):
        colour = node.find("viz:color", NS)
        texts = [colour.get(c) for c in "rgb"]
        rgb = tuple(int(t) for t in texts)
        assert [str(v) for v in rgb] == texts and all(0 <= v <= 255 for v in rgb)
        assert rgb == community_colour(int(COMM[i]))
        assert float(node.find("viz:size", NS).get("value")) == i + 1
    # every XML weight is |w| and positive-or-zero
    weights = [float(e.get("weight")) for e in graph.findall("g:edges/g:edge", NS)]
    assert weights == np.abs(W1).tolist()


def test_gexf_output_is_deterministic(tmp_path):
    a = static(tmp_path / "a.gexf").read_bytes()
    b = static(tmp_path / "b.gexf").read_bytes()
    assert a == b


def test_communities_without_node_attrs_gives_community_and_within_module(tmp_path):
    path = write_gexf(tmp_path / "c.gexf", src=SRC, dst=DST, weight=W1, n=N, node_attrs=None,
                      communities=COMM)
    G = nx.read_gexf(path)
    assert [G.nodes[str(i)]["community"] for i in range(N)] == COMM.tolist()
    assert G.edges["0", "1"]["within_module"] is True
    assert G.edges["0", "3"]["within_module"] is False


def test_large_integers_are_written_as_long(tmp_path):
    big = np.array([0, 2**40, -(2**35), 1, 2, 3], dtype=np.int64)
    path = write_gexf(tmp_path / "l.gexf", src=SRC, dst=DST, weight=W1, n=N,
                      node_attrs={"big": big, "small": np.arange(N, dtype=np.uint8)})
    types = {a.get("id"): a.get("type") for a in ET.parse(path).iterfind(".//g:attribute", NS)}
    assert types["big"] == "long" and types["small"] == "integer"
    G = nx.read_gexf(path)
    assert [G.nodes[str(i)]["big"] for i in range(N)] == big.tolist()


# --------------------------------------------------------------------------- GraphML


def test_graphml_round_trip_networkx(tmp_path):
    path = write_graphml(tmp_path / "g.graphml", src=SRC, dst=DST, weight=W1, n=N,
                         node_attrs=node_attrs(), edge_attrs=edge_attrs())
    G = nx.read_graphml(path)
    assert G.is_directed()
    attrs = node_attrs()
    expected_type = {"community": int, "role": str, "input": bool, "output": bool,
                     "clamped": bool}
    for i in range(N):
        data = G.nodes[str(i)]
        for name, values in attrs.items():
            v = values[i].item()
            if isinstance(v, float) and math.isnan(v):
                assert name not in data
                continue
            assert type(data[name]) is expected_type.get(name, float) and data[name] == v
    for k, (s, d) in enumerate(zip(SRC.tolist(), DST.tolist(), strict=True)):
        e = G.edges[str(s), str(d)]
        w = float(W1[k])
        assert e["id"] == e["edge_id"] == f"e{k}"
        assert e["weight"] == abs(w) and e["signed_weight"] == w and e["abs_weight"] == abs(w)
        assert type(e["sign"]) is int and e["sign"] == (w > 0) - (w < 0)
        assert type(e["within_module"]) is bool


def test_graphml_round_trip_igraph(tmp_path):
    path = write_graphml(tmp_path / "g.graphml", src=SRC, dst=DST, weight=W1, n=N,
                         node_attrs=node_attrs(), edge_attrs=edge_attrs())
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.is_directed() and g.vcount() == N and g.ecount() == SRC.size
    assert g.vs["id"] == [str(i) for i in range(N)]
    attrs = node_attrs()
    for name, values in attrs.items():
        got = g.vs[name]
        for v, x in zip(got, values.tolist(), strict=True):
            if values.dtype.kind == "b":
                assert type(v) is bool and v == x
            elif values.dtype.kind == "U":
                assert type(v) is str and v == x
            else:  # igraph keeps every numeric attribute as a float (ints too); NaN = missing
                assert type(v) is float and same(v, float(x))
    assert [e.source for e in g.es] == SRC.tolist() and [e.target for e in g.es] == DST.tolist()
    assert g.es["edge_id"] == [f"e{k}" for k in range(SRC.size)]
    assert g.es["signed_weight"] == W1.tolist()
    assert g.es["weight"] == np.abs(W1).tolist()
    assert g.es["sign"] == np.sign(W1).tolist()
    assert g.es["within_module"] == edge_attrs()["within_module"].tolist()


# --------------------------------------------------------------------------- dynamic GEXF


def dynamic(path, **kw):
    weights = [W1, W2, np.where(np.arange(W1.size) == 1, 0.0, W1)]
    args = {"src": SRC, "dst": DST, "n": N, "weights": weights, "steps": [0, 50, 100],
            "node_attrs": {"input": node_attrs()["input"], "role": node_attrs()["role"]},
            "communities": [COMM, COMM[::-1].copy(), np.zeros(N, dtype=np.int64)]}
    args.update(kw)
    return write_dynamic_gexf(path, **args), args


def test_dynamic_gexf_intervals_touch_and_values_match_snapshots(tmp_path):
    path, args = dynamic(tmp_path / "d.gexf", match_communities=False)
    W = np.stack(args["weights"])
    starts, ends = [0.0, 50.0, 100.0], [50.0, 100.0, 150.0]  # last = 100 + (100 - 50)
    graph = ET.parse(path).getroot().find("g:graph", NS)
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "double"
    blocks = graph.findall("g:attributes", NS)
    assert sorted(b.get("class") for b in blocks) == ["edge", "node"]
    assert all(b.get("mode") == "dynamic" for b in blocks)
    edges = {e.get("id"): e for e in graph.findall("g:edges/g:edge", NS)}
    # edge 2 is zero in every snapshot: omitted; the others keep their e<k> id
    assert sorted(edges) == sorted(f"e{k}" for k in range(W.shape[1]) if k != 2)
    for k in range(W.shape[1]):
        if k == 2:
            continue
        edge = edges[f"e{k}"]
        assert edge.get("weight") is None
        assert (edge.get("source"), edge.get("target")) == (str(SRC[k]), str(DST[k]))
        for att, transform in (("signed_weight", float), ("weight", abs)):
            found = edge.iterfind(f"g:attvalues/g:attvalue[@for='{att}']", NS)
            vals = sorted((float(a.get("start")), float(a.get("end")), float(a.get("value")))
                          for a in found)
            for (_, e0, _), (s1, _, _) in zip(vals[:-1], vals[1:], strict=True):
                assert e0 <= s1  # never overlap
            for s0, e0, _ in vals:
                assert s0 < e0
            # one value per non-zero snapshot, exactly on its interval; zero -> no value
            expected = [(starts[t], ends[t], transform(float(W[t, k])))
                        for t in range(3) if W[t, k] != 0]
            assert vals == expected
        # spells: maximal runs of non-zero snapshots
        spells = [(float(s.get("start")), float(s.get("end")))
                  for s in edge.iterfind("g:spells/g:spell", NS)]
        nonzero = W[:, k] != 0
        runs, t = [], 0
        while t < 3:
            if nonzero[t]:
                u = t
                while u + 1 < 3 and nonzero[u + 1]:
                    u += 1
                runs.append((starts[t], ends[u]))
                t = u + 1
            else:
                t += 1
        assert spells == runs
    # intervals of consecutive snapshots touch: e0 is non-zero in all three
    e0 = sorted(((a.get("start"), a.get("end"))
                 for a in edges["e0"].iterfind("g:attvalues/g:attvalue[@for='weight']", NS)),
                key=lambda se: float(se[0]))
    assert len(e0) == 3
    assert [s for s, _ in e0[1:]] == [e for _, e in e0[:-1]]  # end of one == start of next
    # node community per interval, static attributes span the whole timeline
    for i, node in enumerate(graph.findall("g:nodes/g:node", NS)):
        comm = [(float(a.get("start")), float(a.get("end")), int(a.get("value")))
                for a in node.iterfind("g:attvalues/g:attvalue[@for='community']", NS)]
        assert comm == [(starts[t], ends[t], int(args["communities"][t][i])) for t in range(3)]
        (inp,) = node.iterfind("g:attvalues/g:attvalue[@for='input']", NS)
        assert (inp.get("start"), inp.get("end")) == ("0.0", "150.0")
        colour = node.find("viz:color", NS)
        assert tuple(int(colour.get(c)) for c in "rgb") == community_colour(0)


def test_dynamic_gexf_is_readable_by_networkx(tmp_path):
    path, args = dynamic(tmp_path / "d.gexf")
    G = nx.read_gexf(path)
    assert G.graph["mode"] == "dynamic"
    e = G.edges["0", "1"]
    assert e["id"] == "e0"
    spans = zip(args["weights"], [0.0, 50.0, 100.0], [50.0, 100.0, 150.0], strict=True)
    assert e["signed_weight"] == [(float(W[0]), s, t) for W, s, t in spans]
    assert G.nodes["2"]["role"] == [('a&b <"c">', 0.0, 150.0)]
    assert G.nodes["0"]["input"] == [(True, 0.0, 150.0)]


def test_dynamic_single_snapshot_last_interval_has_length_one(tmp_path):
    path = write_dynamic_gexf(tmp_path / "one.gexf", src=[0], dst=[1], n=2, weights=[[1.5]],
                              steps=[7])
    (att, _) = ET.parse(path).iterfind(".//g:attvalue", NS)
    assert (att.get("start"), att.get("end"), att.get("value")) == ("7.0", "8.0", "1.5")


@pytest.mark.parametrize(("kw", "match"), [
    ({"steps": [0, 50, 50]}, "steps"),
    ({"steps": [0, 50]}, "steps"),
    ({"weights": [W1, W2[:-1], W1]}, r"weights\[1\]"),
    ({"weights": [W1, np.where(W2 == 0.3, np.inf, W2), W1]}, r"weights\[1\]\[5\]"),
    ({"communities": [COMM, COMM]}, "communities"),
    ({"communities": [COMM, COMM, COMM[:-1]]}, r"communities\[2\]"),
    ({"node_attrs": {"community": COMM}}, "community"),
    ({"weights": []}, "weights"),
    ({"match_communities": "yes"}, "match_communities"),
])
def test_dynamic_gexf_rejects_bad_input(tmp_path, kw, match):
    with pytest.raises(ExportError, match=match):
        dynamic(tmp_path / "bad.gexf", **kw)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- labels over time


def community_timeline(path):
    """{node id: [community of each interval, by start]} and {node id: (r, g, b)}, from XML."""
    nodes = ET.parse(path).getroot().iterfind("g:graph/g:nodes/g:node", NS)
    values, colours = {}, {}
    for node in nodes:
        found = sorted((float(a.get("start", "-inf")), int(a.get("value")))
                       for a in node.iterfind("g:attvalues/g:attvalue[@for='community']", NS))
        values[int(node.get("id"))] = [v for _, v in found]
        c = node.find("viz:color", NS)
        colours[int(node.get("id"))] = tuple(int(c.get(x)) for x in "rgb")
    return values, colours


def same_partition(a, b):
    pairs = set(zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True))
    return len(pairs) == len(set(np.asarray(a).tolist())) == len(set(np.asarray(b).tolist()))


def planted_relabelled(seed, n=24, steps=5):
    """Blocks of 8, 7, 5, 4 neurons (shuffled), renamed at random in every snapshot;
    neuron 0 is not analysed (-1) throughout."""
    rng = np.random.default_rng(seed)
    block = np.repeat(np.arange(4), [8, 7, 5, 4])[rng.permutation(n)]
    memberships = []
    for _ in range(steps):
        names = rng.choice(50, size=4, replace=False)
        m = names[block]
        m[0] = -1
        memberships.append(m)
    return block, memberships


def test_dynamic_community_is_constant_when_partitions_differ_only_by_labels(tmp_path):
    n, steps = 24, 5
    block, memberships = planted_relabelled(0, n, steps)
    src, dst = np.arange(n), np.roll(np.arange(n), 1)
    args = {"src": src, "dst": dst, "n": n, "weights": [np.full(n, 0.5 + t) for t in range(steps)],
            "steps": [0, 10, 20, 30, 40], "communities": memberships}
    raw, raw_colours = community_timeline(write_dynamic_gexf(tmp_path / "raw.gexf", **args,
                                                             match_communities=False))
    assert sum(len(set(v)) > 1 for v in raw.values()) >= n - 1  # the input does reshuffle
    got, colours = community_timeline(write_dynamic_gexf(tmp_path / "d.gexf", **args))
    final = memberships[-1]
    for i in range(n):
        assert got[i] == [int(final[i])] * steps  # one label per neuron: the final one
        assert colours[i] == community_colour(int(final[i])) == raw_colours[i]
    assert got[0] == [-1] * steps and colours[0] == UNASSIGNED_COLOUR


def test_dynamic_community_chain_split_merge_by_hand(tmp_path):
    path, args = dynamic(tmp_path / "d.gexf")
    got, colours = community_timeline(path)
    # communities [COMM, COMM[::-1], zeros], matched from the last snapshot back:
    # step 50 [-1, 1, 1, 0, 0, 0]: {3,4,5} holds more of the final {0..5} (3 > 2) and
    # keeps 0; {1,2} is new: 1. Step 0 [0, 0, 0, 1, 1, -1] against that: {0,1,2} shares
    # {1,2} with community 1 and nothing with 0, {3,4} shares 2 with 0.
    expected = [[1, 1, 1, 0, 0, -1], [-1, 1, 1, 0, 0, 0], [0] * N]
    assert [[got[i][t] for i in range(N)] for t in range(3)] == expected
    for t in range(3):
        assert same_partition(expected[t], args["communities"][t])
    assert all(colours[i] == community_colour(0) for i in range(N))


def test_dynamic_labels_of_vanished_communities_are_not_reused(tmp_path):
    # final: {0..5} and a new {6,7}; step 1: one community; step 0: {0..3}, {4,5}, {6,7}.
    # Step 0's {4,5} and {6,7} match nothing in step 1, so they get labels never used
    # in the file: not 1, which is the final {6,7} -- the chain broke at step 1.
    comms = [[0, 0, 0, 0, 1, 1, 2, 2], [0] * 8, [0, 0, 0, 0, 0, 0, 1, 1]]
    path = write_dynamic_gexf(tmp_path / "d.gexf", src=[0], dst=[1], n=8,
                              weights=[[1.0]] * 3, steps=[0, 1, 2], communities=comms)
    got, _ = community_timeline(path)
    step0 = [got[i][0] for i in range(8)]
    assert step0[:4] == [0] * 4
    assert {step0[4], step0[6]} == {2, 3} and step0[4] == step0[5] and step0[6] == step0[7]
    assert [got[i][1] for i in range(8)] == [0] * 8
    assert [got[i][2] for i in range(8)] == comms[2]


def best_kept(a, b):
    """Brute force: most neurons in matched pairs over every one-to-one pairing."""
    ua, ub = [c for c in set(a) if c >= 0], [c for c in set(b) if c >= 0]
    a, b = np.asarray(a), np.asarray(b)
    best = 0
    for choice in itertools.permutations(ub + [None] * len(ua), len(ua)):
        best = max(best, sum(int(np.sum((a == x) & (b == y)))
                             for x, y in zip(ua, choice, strict=True) if y is not None))
    return best


def test_dynamic_labels_change_between_intervals_as_little_as_possible(tmp_path):
    """Neighbouring intervals keep as many neurons' labels as any one-to-one pairing of
    their communities allows (brute force), and each interval keeps its partition."""
    rng = np.random.default_rng(4)
    for trial in range(15):
        n, steps = int(rng.integers(2, 10)), 4
        comms = [rng.integers(-1, int(rng.integers(1, 5)), n) * 5 for _ in range(steps)]
        path = write_dynamic_gexf(tmp_path / f"d{trial}.gexf", src=[0], dst=[1], n=n,
                                  weights=[[1.0]] * steps, steps=range(steps),
                                  communities=comms)
        got, _ = community_timeline(path)
        rows = [np.array([got[i][t] for i in range(n)]) for t in range(steps)]
        assert rows[-1].tolist() == comms[-1].tolist()
        for t in range(steps):
            assert same_partition(rows[t], comms[t])
            assert np.array_equal(rows[t] < 0, comms[t] < 0)
        for t in range(steps - 1):
            kept = int(np.sum((rows[t] == rows[t + 1]) & (rows[t] >= 0)))
            assert kept == best_kept(comms[t].tolist(), comms[t + 1].tolist())


def test_export_sweep_dynamic_labels_follow_communities_static_files_keep_the_tables(tmp_path):
    """A fabricated analysed run: the neurons table renames the same blocks at every step."""
    n, steps = 24, [0, 10, 20, 30]
    block, memberships = planted_relabelled(1, n, len(steps))
    run = prepare_run_dir(tmp_path / "run")
    write_config(run, {"task": {"kind": "noise", "seed": 0}, "simulation": {}})
    src, dst = np.arange(n), np.roll(np.arange(n), 1)
    for t, step in enumerate(steps):
        write_snapshot(run, step, src=src, dst=dst, weight=np.full(n, 1.0 + t),
                       bias=np.zeros(n), inputs=[0], outputs=[], n=n)
    write_status(run, "ok")
    rows = [{"run_id": "run", "step": step, "neuron": i, "community": int(m[i]),
             "role": "peripheral", "in_strength": 1.0, "out_strength": 1.0,
             "participation_in": 0.0, "participation_out": 0.0, "within_z": 0.0}
            for step, m in zip(steps, memberships, strict=True) for i in range(1, n)]
    write_tables(run / "analysis", {"snapshots": pd.DataFrame({"run_id": ["run"]}),
                                    "neurons": pd.DataFrame(rows)})
    files = export_sweep(run, snapshots="all")
    assert sorted(p.name for p in files) == ["dynamic.gexf"] + [f"step_{s}.gexf" for s in steps]
    got, colours = community_timeline(run / "gephi" / "run" / "dynamic.gexf")
    final = memberships[-1]
    assert all(got[i] == [int(final[i])] * len(steps) for i in range(n))
    assert got[0] == [-1] * len(steps)  # the input neuron is not analysed
    for step, m in zip(steps, memberships, strict=True):
        static_values, static_colours = community_timeline(run / "gephi" / "run" /
                                                           f"step_{step}.gexf")
        # a static file holds the table's own labels of its step (one "interval")
        assert [static_values[i] for i in range(n)] == [[int(c)] for c in m]
        if step == steps[-1]:  # ... and the final one equals the dynamic file's last
            assert static_colours == colours
            assert [v[-1] for _, v in sorted(got.items())] == m.tolist()
    assert any(memberships[0][i] != final[i] for i in range(1, n))  # tables do differ


# --------------------------------------------------------------------------- validation


def test_nan_attribute_is_omitted(tmp_path):
    path = static(tmp_path / "s.gexf")
    node5 = ET.parse(path).getroot().find(".//g:node[@id='5']", NS)
    written = {a.get("for") for a in node5.iterfind("g:attvalues/g:attvalue", NS)}
    assert "within_z" not in written and "in_strength" not in written
    assert {"community", "role", "input"} <= written


@pytest.mark.parametrize("writer", ["gexf", "graphml"])
def test_inf_attribute_is_rejected_naming_it(tmp_path, writer):
    attrs = node_attrs()
    attrs["within_z"][2] = -np.inf
    fn = write_gexf if writer == "gexf" else write_graphml
    with pytest.raises(ExportError, match=r"node_attrs\['within_z'\]\[2\]"):
        fn(tmp_path / "x", src=SRC, dst=DST, weight=W1, n=N, node_attrs=attrs)


@pytest.mark.parametrize(("kw", "match"), [
    ({"node_attrs": {"role": np.array(["a", "b"])}}, r"node_attrs\['role'\]"),
    ({"edge_attrs": {"within_module": np.ones(3, bool)}}, r"edge_attrs\['within_module'\]"),
    ({"weight": W1[:-1]}, "weight"),
    ({"weight": np.where(W1 == 2.0, np.nan, W1)}, r"weight\[3\]"),
    ({"dst": DST[:-1]}, "dst"),
    ({"src": np.where(SRC == 4, 6, SRC)}, r"src\[4\]"),
    ({"dst": np.where(DST == 0, -1, DST)}, r"dst\[2\]"),
    ({"src": SRC.astype(float)}, "src"),
    ({"src": np.append(SRC, 0), "dst": np.append(DST, 1), "weight": np.append(W1, 1.0)},
     "more than once"),
    ({"n": -1}, "`n`"),
    ({"node_attrs": {"z": np.ones(N, dtype=complex)}}, r"node_attrs\['z'\].*dtype complex"),
    ({"node_attrs": {"o": np.array(["a", 1, "b", "c", "d", "e"], dtype=object)}},
     r"node_attrs\['o'\]\[1\]"),
    ({"node_attrs": {"label": np.arange(N)}}, "reserved"),
    ({"edge_attrs": {"weight": W1}}, "reserved"),
    ({"node_attrs": {"role": np.array(["a\x01"] * N)}}, "control character"),
    ({"communities": COMM[::-1].copy()}, "communities"),
    ({"communities": COMM.astype(float)}, "communities"),
    ({"size": -np.ones(N)}, r"size\[0\]"),
    ({"static": False}, "write_dynamic_gexf"),
])
def test_gexf_rejects_bad_input_naming_the_argument(tmp_path, kw, match):
    with pytest.raises(ExportError, match=match):
        static(tmp_path / "bad.gexf", **kw)
    assert list(tmp_path.iterdir()) == []


def test_errors_are_wiring_errors():
    assert issubclass(ExportError, WiringError) and issubclass(ExportError, ValueError)


def test_missing_directory_is_reported(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        static(tmp_path / "nowhere" / "s.gexf")


@pytest.mark.parametrize("which", ["gexf", "dynamic", "graphml"])
def test_write_is_atomic(tmp_path, monkeypatch, which):
    target = tmp_path / "out.xml"
    target.write_text("previous")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        if which == "gexf":
            static(target)
        elif which == "dynamic":
            dynamic(target)
        else:
            write_graphml(target, src=SRC, dst=DST, weight=W1, n=N, node_attrs=node_attrs())
    assert target.read_text() == "previous"  # old file untouched, no temp file left
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]
    monkeypatch.undo()
    static(tmp_path / "fresh.gexf")
    assert not (tmp_path / "nope.gexf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.gexf", "out.xml"]
    assert (tmp_path / "fresh.gexf").stat().st_mode & 0o777 == 0o644


# --------------------------------------------------------------------------- colours


def test_palette_and_community_colour():
    assert len(set(PALETTE)) == len(PALETTE) and UNASSIGNED_COLOUR not in PALETTE
    for rgb in (*PALETTE, UNASSIGNED_COLOUR):
        assert len(rgb) == 3 and all(type(v) is int and 0 <= v <= 255 for v in rgb)
    assert [community_colour(c) for c in range(len(PALETTE))] == list(PALETTE)
    assert community_colour(np.int64(len(PALETTE) + 2)) == PALETTE[2]
    assert community_colour(-1) == community_colour(-7) == UNASSIGNED_COLOUR
    for bad in (1.0, True, "1"):
        with pytest.raises(ExportError, match="`c`"):
            community_colour(bad)


def test_module_surface():
    # every name community.export had as a module is still there
    assert {"GEXF_VERSION", "PALETTE", "UNASSIGNED_COLOUR", "ExportError", "community_colour",
            "write_gexf", "write_dynamic_gexf", "write_graphml"} <= set(export.__all__)
    assert set(export.__all__) == {
        "GEXF_VERSION", "PALETTE", "UNASSIGNED_COLOUR", "EXCITATORY_COLOUR",
        "INHIBITORY_COLOUR", "ExportError", "community_colour", "sign_colour", "node_sizes",
        "gephi_positions", "write_gexf", "write_dynamic_gexf", "write_graphml", "FORMATS",
        "DYNAMIC", "export_plan", "export_sweep", "node_attributes"}
    assert all(hasattr(export, name) for name in export.__all__)
    assert export.GEXF_VERSION == "1.3"
    # the old module path of the sweep exporter still works
    import community.export_run as old

    assert {n: getattr(old, n) for n in old.__all__} == {
        n: getattr(export, n) for n in ("FORMATS", "DYNAMIC", "export_plan", "export_sweep",
                                        "node_attributes")}


def test_one_module_per_format():
    from community.export import gexf, graphml, style, sweep

    assert gexf.write_gexf is write_gexf and gexf.write_dynamic_gexf is write_dynamic_gexf
    assert graphml.write_graphml is write_graphml
    assert style.community_colour is community_colour and sweep.export_sweep is export_sweep


# --------------------------------------------------------------------------- export_sweep


def fabricated_sweep(root):
    """Two cells (lr 0.1, 1) x seeds (0, 1), analysed, and one unstable run (lr 10): run
    directories with snapshots, and the analysis tables as community.tables writes them
    (the unstable run only in ``runs`` and ``skipped``)."""
    n, steps = 8, [0, 10, 20]
    src, dst = np.arange(n), np.roll(np.arange(n), 1)
    rows, snaps, neurons, status = [], [], [], []
    for lr, seed, ok in [(0.1, 0, True), (0.1, 1, True), (1.0, 1, True), (1.0, 0, True),
                         (10.0, 0, False)]:
        run_id = f"g-lr{lr:g}-s{seed}"
        run = prepare_run_dir(root / "runs" / run_id)
        write_config(run, {"task": {"kind": "noise", "seed": seed}, "simulation": {}})
        for t, step in enumerate(steps if ok else steps[:1]):
            write_snapshot(run, step, src=src, dst=dst, weight=np.full(n, 1.0 + t),
                           bias=np.zeros(n), inputs=[0], outputs=[], n=n)
        write_status(run, "ok" if ok else "unstable")
        status.append({"run_id": run_id, "group": "g"})
        rows.append({"run_id": run_id, "group": "g", "rule": "balance", "learning_rate": lr,
                     "seed": seed, "run_status": "ok" if ok else "unstable",
                     "reason": "" if ok else "the weights diverged at iteration 3"})
        if not ok:
            continue
        for step in steps:
            snaps.append({"run_id": run_id, "group": "g", "rule": "balance",
                          "learning_rate": lr, "seed": seed, "step": step,
                          "is_final": step == steps[-1], "run_status": "ok"})
            neurons += [{"run_id": run_id, "step": step, "neuron": i, "community": i % 2,
                         "block": i // 4 if step == steps[-1] else -1, "role": "peripheral",
                         "in_strength": 1.0, "out_strength": 1.0, "participation_in": 0.0,
                         "participation_out": 0.0, "within_z": 0.0} for i in range(1, n)]
    pd.DataFrame(status).to_parquet(root / "sweep_status.parquet")
    write_tables(root / "analysis", {
        "runs": pd.DataFrame(rows), "snapshots": pd.DataFrame(snaps),
        "neurons": pd.DataFrame(neurons),
        "skipped": pd.DataFrame([{"run_id": "g-lr10-s0", "group": "g", "stage": "run",
                                  "reason": "run ended unstable"}])})
    return root


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_export_sweep_default_is_one_run_per_cell_final_static_and_its_timeline(tmp_path,
                                                                                caplog):
    sweep = fabricated_sweep(tmp_path / "sweep")
    stale = sweep / "gephi" / "g-lr10-s0" / "step_0.gexf"  # an earlier export of it
    stale.parent.mkdir(parents=True)
    stale.write_text("<gexf/>")
    with caplog.at_level("INFO", logger="community.export.sweep"):
        files = export_sweep(sweep)
    out = sweep / "gephi"
    # the lowest seed of each cell (lr 0.1 and lr 1: seed 0, written in either order)
    assert sorted(str(p.relative_to(out)) for p in files) == _files(out) == [
        "g-lr0.1-s0/dynamic.gexf", "g-lr0.1-s0/step_20.gexf",
        "g-lr1-s0/dynamic.gexf", "g-lr1-s0/step_20.gexf"]
    # the unstable run is not exported, says why, and its old file is gone
    assert not stale.parent.exists()
    assert "g-lr10-s0 not exported: run_status unstable: the weights diverged" in caplog.text
    assert "g-lr1-s1 not exported: not the lowest seed of its cell" in caplog.text
    plan = export_plan(sweep).set_index("run_id")
    assert not plan.loc["g-lr10-s0", "exported"]
    assert plan.loc["g-lr10-s0", "reason"] == ("run_status unstable: the weights diverged at "
                                               "iteration 3")
    assert plan.loc["g-lr0.1-s1", "run_status"] == "ok"
    assert plan.loc["g-lr0.1-s1", "reason"].startswith("not the lowest seed of its cell")
    assert plan["dynamic"].sum() == 2 and plan["exported"].sum() == 2
    assert export_plan(sweep, all_runs=True)["exported"].sum() == 4


def test_export_sweep_options_write_the_rest_but_never_an_unstable_run(tmp_path):
    sweep = fabricated_sweep(tmp_path / "sweep")

    def names(files):
        return sorted(f"{p.parent.name}/{p.name}" for p in files)

    every = export_sweep(sweep, all_runs=True, out_dir=tmp_path / "runs")
    assert names(every) == ["g-lr0.1-s0/dynamic.gexf", "g-lr0.1-s0/step_20.gexf",
                            "g-lr0.1-s1/step_20.gexf", "g-lr1-s0/dynamic.gexf",
                            "g-lr1-s0/step_20.gexf", "g-lr1-s1/step_20.gexf"]
    snaps = export_sweep(sweep, snapshots="all", out_dir=tmp_path / "snaps")
    assert len(snaps) == 2 * 3 + 2
    assert {p.name for p in snaps} == {"step_0.gexf", "step_10.gexf", "step_20.gexf",
                                       "dynamic.gexf"}
    # everything: every snapshot of every analysed run, a timeline each (the old default)
    most = export_sweep(sweep, snapshots="all", dynamic="all", all_runs=True,
                        out_dir=tmp_path / "all")
    assert len(most) == 4 * 3 + 4
    assert len(export_sweep(sweep, dynamic="all", all_runs=True, out_dir=tmp_path / "d")) == 8
    assert len(export_sweep(sweep, dynamic="none", out_dir=tmp_path / "none")) == 2
    gml = export_sweep(sweep, fmt="graphml", all_runs=True, out_dir=tmp_path / "gml")
    assert sorted(p.name for p in gml) == ["step_20.graphml"] * 4
    for out in ("runs", "snaps", "all", "d", "none", "gml"):
        assert not (tmp_path / out / "g-lr10-s0").exists()  # never the unstable run
    with pytest.raises(WiringError, match="dynamic"):
        export_sweep(sweep, dynamic="seed0")
    with pytest.raises(WiringError, match="all_runs"):
        export_sweep(sweep, all_runs="yes")


def test_files_of_an_ok_run_from_an_earlier_export_are_kept(tmp_path):
    sweep = fabricated_sweep(tmp_path / "sweep")
    export_sweep(sweep, all_runs=True)
    export_sweep(sweep)  # the default leaves seed 1 out, but its files are results
    assert (sweep / "gephi" / "g-lr1-s1" / "step_20.gexf").exists()


def test_exported_files_carry_the_block_model_beside_the_community(tmp_path):
    sweep = fabricated_sweep(tmp_path / "sweep")
    export_sweep(sweep)
    export_sweep(sweep, fmt="graphml")
    export_sweep(sweep, snapshots="all", out_dir=tmp_path / "all")
    run = sweep / "gephi" / "g-lr0.1-s0"
    want = {str(i): (i % 2, i // 4) for i in range(1, 8)}
    G = nx.read_gexf(run / "step_20.gexf")
    H = nx.read_graphml(run / "step_20.graphml")
    for graph in (G, H):
        assert {i: (d["community"], d["block"]) for i, d in graph.nodes(data=True)
                if i != "0"} == want
        assert graph.nodes["0"]["block"] == -1 and graph.nodes["0"]["community"] == -1
    ig = igraph.Graph.Read_GraphML(str(run / "step_20.graphml"))
    assert [int(b) for b in ig.vs["block"]] == [-1] + [i // 4 for i in range(1, 8)]
    # earlier snapshots have no block model: -1 throughout
    early = nx.read_gexf(tmp_path / "all" / "g-lr0.1-s0" / "step_10.gexf")
    assert {d["block"] for _, d in early.nodes(data=True)} == {-1}
    # the timeline file holds the final blocks as a static attribute
    root = ET.parse(run / "dynamic.gexf").getroot()
    decl = root.find(".//g:attributes[@class='node']", NS)
    assert {a.get("title") for a in decl} == {"community", "block"}
    node5 = root.find(".//g:node[@id='5']", NS)
    (block,) = [a for a in node5.iterfind(".//g:attvalue", NS) if a.get("for") == "block"]
    assert block.get("value") == "1"
