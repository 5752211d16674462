"""Node names travel: a run's nodes file (wiring.runs.read_nodes) gives the neurons table a
``name`` column, the Gephi files their node labels and typed node attributes, and the
report's network view its hover names; a run without one is written as before.

The run directories are real (snapshots of two planted blocks, analysed by
``community.tables`` itself with no null draws); the files are read back with networkx and
ElementTree, independent XML readers.
"""

import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from community.export import export_sweep, write_dynamic_gexf, write_gexf, write_graphml
from community.report.kit import Inputs
from community.report.network_section import _network_section
from community.tables import AnalysisSettings, analyse_sweep
from wiring import runs
from wiring.errors import WiringError

NS = {"g": "http://gexf.net/1.3"}
N = 12
BLOCK = np.arange(N) // 6
#: XML-special characters (&, <, >, both quotes), a tab-free non-ASCII name, a plain one
NAMES = ['A&B', '<x>', 'say "hi"', "it's", "a > b", "Ünï", *(f"n{i}" for i in range(6, N))]
ATTRS = {
    "class": np.array(["sensory & inter", "motor"] * 6, dtype=object),
    "ganglion": np.array(["head", None, "tail", "head", "tail", "head"] * 2, dtype=object),
    "length": np.array([1.5, np.nan, 2.0, 0.25, 3.0, 1.0] * 2),
    "count": np.arange(N, dtype=np.int64),
    "pharyngeal": np.array([True, False] * 6),
    "community": np.array(["given by the file"] * N, dtype=object),  # an exported name
}
SETTINGS = AnalysisSettings(n_null=0)


def _write_run(run_dir, *, named: bool):
    """Two snapshots of an all-to-all graph whose two blocks form by step 10."""
    rng = np.random.default_rng(0)
    src, dst = (a.ravel() for a in np.meshgrid(np.arange(N), np.arange(N)))
    keep = src != dst
    src, dst = src[keep], dst[keep]
    runs.prepare_run_dir(run_dir)
    runs.write_config(run_dir, {"task": {"kind": "noise", "seed": 0},
                                "simulation": {"learning_rate": 0.1}})
    same = BLOCK[src] == BLOCK[dst]
    for step, contrast in ((0, 0.0), (10, 1.0)):
        w = rng.uniform(0.5, 1.5, src.size) * np.where(same, 1.0, 1.0 - 0.95 * contrast)
        runs.write_snapshot(run_dir, step, src=src, dst=dst, weight=w, bias=np.zeros(N),
                            inputs=[], outputs=[], n=N)
    runs.write_metrics(run_dir, [{"iteration": 0}])
    if named:  # the nodes file wiring train writes (wiring.experiments.jobs._write_nodes)
        runs.write_table(run_dir, "nodes", pd.DataFrame({
            "neuron": np.arange(N), "name": NAMES, "is_input": np.zeros(N, bool),
            "is_output": np.zeros(N, bool), **ATTRS}))
    runs.write_status(run_dir, "ok")
    return run_dir


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same weights twice, with and without a nodes file, analysed and exported."""
    root = tmp_path_factory.mktemp("names")
    out = {}
    for named in (True, False):
        # one run id for both: the files may differ only by the names
        run = _write_run(root / ("named" if named else "plain") / "run", named=named)
        tables = analyse_sweep(run, settings=SETTINGS)
        files = export_sweep(run, snapshots="all")
        export_sweep(run, fmt="graphml")
        out[named] = (run, tables, {p.name: p for p in files})
    return out


def test_the_neurons_table_carries_the_names(pair):
    run, tables, _ = pair[True]
    nrn = tables["neurons"]
    assert nrn["name"].tolist() == [NAMES[i] for i in nrn["neuron"]]
    on_disk = pd.read_parquet(run / "analysis" / "neurons.parquet")
    assert on_disk["name"].tolist() == nrn["name"].tolist()
    csv = pd.read_csv(run / "analysis" / "neurons.csv", keep_default_na=False)
    assert csv["name"].tolist() == nrn["name"].tolist()
    # without a nodes file: no name column, the rest as with one
    plain = pair[False][1]["neurons"]
    assert "name" not in plain
    pd.testing.assert_frame_equal(plain, nrn.drop(columns="name"))


def test_gexf_labels_are_the_names_and_the_attributes_are_typed(pair):
    _, _, files = pair[True]
    for name in ("step_10.gexf", "step_0.gexf", "dynamic.gexf"):
        root = ET.parse(files[name]).getroot()  # escaped well enough to parse
        nodes = root.findall(".//g:node", NS)
        assert [nd.get("id") for nd in nodes] == [str(i) for i in range(N)]  # ids unchanged
        assert [nd.get("label") for nd in nodes] == NAMES
        types = {a.get("title"): a.get("type")
                 for a in root.find(".//g:attributes[@class='node']", NS)}
        assert {k: types[k] for k in ("class", "ganglion", "length", "count", "pharyngeal",
                                      "attr_community")} == {
            "class": "string", "ganglion": "string", "length": "double", "count": "integer",
            "pharyngeal": "boolean", "attr_community": "string"}
        assert types["community"] == "integer"  # the analysis's own, not the file's
    G = nx.read_gexf(files["step_10.gexf"])
    for i in range(N):
        d = G.nodes[str(i)]
        assert d["label"] == NAMES[i]
        assert d["class"] == ATTRS["class"][i] and d["count"] == i
        assert d["pharyngeal"] is bool(ATTRS["pharyngeal"][i])
        assert d["attr_community"] == "given by the file"
        assert isinstance(d["community"], int)
        # missing values are left out, as NaN always is
        assert ("ganglion" in d) == (ATTRS["ganglion"][i] is not None)
        assert ("length" in d) == (not np.isnan(ATTRS["length"][i]))
    assert G.nodes["0"]["length"] == 1.5 and G.nodes["0"]["ganglion"] == "head"


def test_graphml_labels_are_the_names(pair):
    run, _, _ = pair[True]
    H = nx.read_graphml(run / "gephi" / run.name / "step_10.graphml")
    assert [H.nodes[str(i)]["label"] for i in range(N)] == NAMES
    assert H.nodes["1"]["class"] == "motor" and "ganglion" not in H.nodes["1"]


def test_without_a_nodes_file_the_files_are_as_before(pair):
    _, _, named = pair[True]
    _, _, plain = pair[False]
    for name in ("step_10.gexf", "dynamic.gexf"):
        root = ET.parse(plain[name]).getroot()
        assert [(nd.get("id"), nd.get("label")) for nd in root.findall(".//g:node", NS)] \
            == [(str(i), str(i)) for i in range(N)]
        decl = {a.get("title") for a in root.find(".//g:attributes[@class='node']", NS)}
        assert decl == ({"community", "block"} if name == "dynamic.gexf" else
                        {"community", "block", "role", "in_strength", "out_strength",
                         "participation_in", "participation_out", "within_z", "input",
                         "output", "clamped"})
        # the named file is the plain one plus labels and attributes: nothing else moved
        text = named[name].read_text(encoding="utf-8")
        for i, label in enumerate(NAMES):
            text = text.replace(f'label="{_xml(label)}"', f'label="{i}"', 1)
        extra = "|".join(["class", "ganglion", "length", "count", "pharyngeal",
                          "attr_community"])
        text = re.sub(rf'\s*<attribute id="({extra})"[^>]*/>', "", text)
        text = re.sub(rf'\s*<attvalue for="({extra})"[^>]*/>', "", text)
        assert text == plain[name].read_text(encoding="utf-8")


def _xml(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def test_writers_default_labels_are_the_indices(tmp_path):
    kw = {"src": [0, 1], "dst": [1, 2], "weight": [0.5, -1.0], "n": 3, "node_attrs": None}
    a, b = write_gexf(tmp_path / "a.gexf", **kw), write_gexf(tmp_path / "b.gexf", **kw,
                                                             labels=["0", "1", "2"])
    assert a.read_bytes() == b.read_bytes()
    for bad, match in ((["x"], "labels"), ("abc", "labels"), ([0, 1, 2], r"labels\[0\]"),
                       (["a", "b\x01", "c"], r"labels\[1\]")):
        for write in (write_gexf, write_graphml):
            with pytest.raises(WiringError, match=match):
                write(tmp_path / "c.gexf", **kw, labels=bad)
        with pytest.raises(WiringError, match=match):
            write_dynamic_gexf(tmp_path / "d.gexf", src=[0], dst=[1], n=3, weights=[[1.0]],
                               steps=[0], labels=bad)


def test_a_sweep_of_named_and_unnamed_runs_names_every_row(tmp_path):
    sweep = tmp_path / "sweep"
    _write_run(sweep / "runs" / "worm", named=True)
    _write_run(sweep / "runs" / "plain", named=False)
    nrn = analyse_sweep(sweep, settings=SETTINGS)["neurons"]
    worm, plain = nrn[nrn["run_id"] == "worm"], nrn[nrn["run_id"] == "plain"]
    assert worm["name"].tolist() == [NAMES[i] for i in worm["neuron"]]
    assert plain["name"].tolist() == [str(i) for i in plain["neuron"]]  # no NaN


def test_a_broken_nodes_file_is_skipped_not_fatal(tmp_path, caplog):
    run = _write_run(tmp_path / "run", named=False)
    runs.write_table(run, "nodes", {"neuron": [0, 1], "name": ["a", "b"]})  # 2 of 12
    tables = analyse_sweep(run, settings=SETTINGS)
    assert "name" not in tables["neurons"] and len(tables["neurons"])
    (reason,) = tables["skipped"].loc[tables["skipped"]["stage"] == "nodes", "reason"]
    assert "has 2 rows; the run's snapshots have 12 neurons" in reason
    with caplog.at_level("WARNING", logger="community.export.sweep"):
        (path,) = export_sweep(run, dynamic="none")
    assert "node names and attributes not written" in caplog.text
    assert ET.parse(path).getroot().find(".//g:node[@id='3']", NS).get("label") == "3"


def test_the_network_view_shows_the_names_on_hover(pair):
    run, tables, _ = pair[True]
    inp = Inputs(sweep=run, tables=dict(tables), settings={}, describe="")
    (item,) = [it for it in _network_section(inp).items if it.html]
    texts = _hover_texts(item.html)
    assert texts == [f"name {_xml(a).replace(chr(39), '&#x27;')}<br>hidden, role "
                     f"{r}" for a, r in zip(NAMES, _roles(tables), strict=True)]
    plain_run, plain_tables, _ = pair[False]
    inp = Inputs(sweep=plain_run, tables=dict(plain_tables), settings={}, describe="")
    (item,) = [it for it in _network_section(inp).items if it.html]
    assert not any("name " in t for t in _hover_texts(item.html))


def _roles(tables):
    nrn = tables["neurons"]
    final = nrn[nrn["is_final"]].sort_values("neuron")
    return final["role"].tolist()


def _hover_texts(fragment):
    """The ``text`` of the neurons trace of the figure's first ``Plotly.newPlot`` call."""
    m = re.search(r'Plotly\.newPlot\(\s*"[^"]+",\s*', fragment)
    data, _ = json.JSONDecoder().raw_decode(fragment, m.end())
    return data[2]["text"]


def test_a_connectome_run_is_named_from_wiring_train_to_gephi(tmp_path):
    from wiring.config import TrainConfig, apply_overrides
    from wiring.connectomes import load
    from wiring.experiments.jobs import run_train

    cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.family='connectome'",
                                          "graph.name='witvliet2021-1'",
                                          "simulation.iterations=20", "simulation.snapshots=1"])
    run = run_train(cfg, tmp_path / "run")
    graph, _ = load("witvliet2021-1")
    nodes = runs.open_run(run).nodes()
    assert nodes["name"].tolist() == list(graph.node_names)
    nrn = analyse_sweep(run, settings=SETTINGS)["neurons"]
    assert nrn["name"].tolist() == [graph.node_names[i] for i in nrn["neuron"]]
    (static,) = export_sweep(run, dynamic="none")
    G = nx.read_gexf(static)
    aval = graph.node_names.index("AVAL")
    assert G.nodes[str(aval)]["label"] == "AVAL"
    for key in ("class", "type", "description"):
        assert G.nodes[str(aval)][key] == str(graph.node_attrs[key][aval])
