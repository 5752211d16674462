"""Jupyter summaries (_repr_html_) and plain reprs of Graph, Network, FitResult,
SimulationResult, Snapshot and the run-directory view: every value is checked against
the object's arrays, computed here; every text is escaped."""

from html.parser import HTMLParser

import networkx as nx
import numpy as np
import pytest

import wiring
from wiring import runs
from wiring.experiments.jobs import run_train
from wiring.graphs.builders import all_to_all, layered, recurrent
from wiring.runs import Run, RunFormatError, open_run
from wiring.train import FitResult

EVIL = "<script>alert('x')</script>"


class _Tables(HTMLParser):
    """Every <table> as (caption, rows), each row a list of (tag, text) cells; plus
    the tags seen, to prove nothing but plain markup is emitted."""

    def __init__(self):
        super().__init__()
        self.tables, self.tags, self.title = [], set(), ""
        self._cell = None
        self._where = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = [tag, ""]
        elif tag in ("caption", "b"):
            self._where = tag

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1]["rows"][-1].append(tuple(self._cell))
            self._cell = None
        elif tag in ("caption", "b"):
            self._where = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data
        elif self._where == "caption":
            self.tables[-1]["caption"] += data
        elif self._where == "b":
            self.title += data


def parse(html_text):
    """(title, {name: value} of the first table, further tables as lists of dicts)."""
    p = _Tables()
    p.feed(html_text)
    p.close()
    assert p.tags <= {"div", "b", "table", "caption", "tr", "th", "td"}, p.tags
    summary = {}
    for row in p.tables[0]["rows"]:
        assert [tag for tag, _ in row] == ["th", "td"]
        summary[row[0][1]] = row[1][1]
    others = []
    for table in p.tables[1:]:
        header = [text for _, text in table["rows"][0]]
        others.append({"caption": table["caption"],
                       "rows": [dict(zip(header, [t for _, t in r], strict=True))
                                for r in table["rows"][1:]]})
    return p.title, summary, others


def close(text, value):
    """A number shown to 4 significant digits."""
    return float(text) == pytest.approx(value, rel=6e-4, abs=1e-12)


def no_markup_from_data(html_text):
    assert "<script" not in html_text and "javascript:" not in html_text.lower()
    assert "http" not in html_text and "src=" not in html_text and "href" not in html_text


# ---------------------------------------------------------------- Graph and Network


@pytest.mark.parametrize("kind", ["layered", "recurrent"])
def test_network_html_matches_its_arrays(kind):
    if kind == "layered":
        graph = layered([3, 5, 2])
    else:
        graph = recurrent(4, 12, 3, recurrent_density=0.3, seed=3)
    net = wiring.Network(graph, seed=1, output_activation="linear")
    w = net.weight
    w[::4] = 0.0  # some pruned synapses
    net.weight = w
    net.bias = np.linspace(-0.7, 0.3, graph.n)
    title, s, _ = parse(net._repr_html_())
    assert title == "wiring.Network"
    n = graph.n
    pairs = set(zip(graph.src.tolist(), graph.dst.tolist(), strict=True))
    G = nx.DiGraph(list(pairs))
    G.add_nodes_from(range(n))
    assert int(s["neurons"]) == n
    assert int(s["edges"]) == len(pairs)
    assert int(s["inputs"]) == len(set(graph.inputs.tolist()))
    assert int(s["outputs"]) == len(set(graph.outputs.tolist()))
    assert int(s["hidden"]) == n - len(set(graph.inputs.tolist()) | set(graph.outputs.tolist()))
    assert close(s["density"], len(pairs) / n**2)
    assert int(s["max in-degree"]) == max(d for _, d in G.in_degree())
    assert s["self-loops"] == ("yes" if any(a == b for a, b in pairs) else "no")
    acyclic = nx.is_directed_acyclic_graph(G)
    assert acyclic == (kind == "layered")
    assert ("one exact sweep" in s["settling"]) == acyclic
    assert ("iterated" in s["settling"]) == (not acyclic)
    assert s["activation"] == "tanh (outputs: linear)"
    assert s["balance"] == "derivative"
    absw = [abs(x) for x in w.tolist()]
    assert close(s["mean |w|"], sum(absw) / len(absw))
    assert close(s["max |w|"], max(absw))
    assert int(s["zero weights"]) == sum(x == 0 for x in absw)
    assert close(s["max |bias|"], 0.7)
    # the plain repr stays a one-line summary
    assert repr(net) == (f"Network(n={n}, edges={len(pairs)}, inputs={graph.inputs.size}, "
                         f"outputs={graph.outputs.size}, activation='tanh', "
                         "balance='derivative')")


def test_graph_html_and_repr():
    g = wiring.Graph.from_edges(4, [0, 1, 2, 3, 2], [1, 2, 3, 1, 2], inputs=[0], outputs=[3])
    title, s, _ = parse(g._repr_html_())
    assert title == "wiring.Graph"
    assert (int(s["neurons"]), int(s["edges"]), int(s["hidden"])) == (4, 5, 2)
    assert s["self-loops"] == "yes" and "iterated" in s["settling"]
    assert int(s["max in-degree"]) == 2  # neuron 1 from 0 and 3; neuron 2 from 1 and 2
    assert repr(g) == "Graph(n=4, edges=5, inputs=1, outputs=1, acyclic=False)"


def test_gaussian_balance_is_described():
    net = wiring.Network(layered([2, 2]), balance="gaussian", balance_center=0.5,
                         balance_width=2.0, seed=0)
    _, s, _ = parse(net._repr_html_())
    assert s["balance"] == "gaussian (center 0.5, width 2)"
    assert s["activation"] == "tanh"


# ---------------------------------------------------------------- FitResult


def test_fit_result_html_against_an_independent_evaluation():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    labels = (X[:, 0] * X[:, 1] > 0).astype(int)
    Y = np.eye(2)[labels]
    Xt, Yt = X[:16] * 0.9, Y[:16]
    net = wiring.Network(layered([2, 6, 2]), seed=0)
    res = wiring.fit(net, (X, Y, Xt, Yt), rule="balance", loss="mse", learning_rate=0.1, epochs=3,
                     batch_size=4, seed=0, snapshot_epochs=[0, 3])
    title, s, tables = parse(res._repr_html_())
    assert title == "wiring.FitResult"
    assert s["status"] == "ok"
    assert (s["rule"], s["loss"], s["batch size"]) == ("balance", "mse", "4")
    assert close(s["learning rate"], 0.1)
    assert int(s["epochs"]) == 3
    assert int(s["samples seen"]) == 3 * len(X)
    assert int(s["snapshots kept"]) == 2
    # test figures of the trained network, computed here from its predictions
    out = net.predict(Xt)
    accuracy = np.mean(out.argmax(1) == Yt.argmax(1))
    loss = np.mean(0.5 * np.sum((out - Yt) ** 2, axis=1))
    assert close(s["test accuracy (settled)"], accuracy)
    assert close(s["test accuracy (all)"], accuracy)
    assert close(s["test loss"], loss)
    assert int(s["test samples not settled"]) == 0
    assert close(s["train loss"], res.metrics[-1]["train_loss"])
    [tail] = tables
    assert tail["caption"] == "last epochs"
    assert [int(r["epoch"]) for r in tail["rows"]] == [0, 1, 2, 3]
    assert close(tail["rows"][-1]["test_accuracy"], accuracy)
    assert repr(res).startswith("FitResult(status='ok', rule='balance', epochs=3, ")
    assert f"test_accuracy={accuracy:.4g}" in repr(res)


def test_fit_result_html_escapes_text():
    res = FitResult(metrics=[{"epoch": 0, "step": 0, "train_loss": 1.0}], status="unstable",
                    reason=EVIL, params={"rule": EVIL})
    html_text = res._repr_html_()
    no_markup_from_data(html_text)
    _, s, _ = parse(html_text)
    assert s["status"] == f"unstable: {EVIL}"
    assert s["rule"] == EVIL


# ---------------------------------------------------------------- SimulationResult


def test_simulation_result_html():
    res = wiring.simulate(all_to_all(20), learning_rate=0.05, iterations=300, prune=0.5,
                          seed=0, snapshot_at=[0, 300], checkpoint_every=100)
    title, s, tables = parse(res._repr_html_())
    assert title == "wiring.SimulationResult"
    assert s["status"] == "ok"
    assert int(s["iterations"]) == 300
    assert int(s["neurons"]) == 20 and int(s["edges"]) == 20 * 19
    assert int(s["credit-clamped"]) == round(0.1 * 20)
    w = res.weight.tolist()
    assert close(s["density"], sum(x != 0 for x in w) / len(w))
    assert close(s["max |w|"], max(abs(x) for x in w))
    assert int(s["snapshots kept"]) == 2
    assert [int(r["iteration"]) for r in tables[0]["rows"]] == [100, 200, 300]
    assert repr(res).startswith("SimulationResult(status='ok', iterations=300, n=20, edges=380")


# ---------------------------------------------------------------- Snapshot and runs


def _snapshot_kwargs(step, weight):
    return dict(src=[0, 1, 2, 0], dst=[1, 2, 0, 2], weight=weight, bias=[0.0, -2.5, 1.0],
                inputs=[0], outputs=[2], n=3)


def test_snapshot_html_from_disk(tmp_path):
    d = runs.prepare_run_dir(tmp_path / "run")
    runs.write_snapshot(d, 7, **_snapshot_kwargs(7, [0.5, 0.0, -3.0, 1.25]),
                        clamped=[1], **{EVIL.replace("/", "_"): np.arange(3)})
    snap = runs.load_snapshot(runs.snapshot_path(d, 7))
    html_text = snap._repr_html_()
    assert "<script" not in html_text
    title, s, _ = parse(html_text)
    assert title == "wiring.Snapshot"
    assert (int(s["step"]), int(s["neurons"]), int(s["edges"])) == (7, 3, 4)
    assert int(s["non-zero weights"]) == 3
    assert close(s["mean |w|"], (0.5 + 3.0 + 1.25) / 4)
    assert close(s["max |w|"], 3.0) and close(s["max |bias|"], 2.5)
    assert (int(s["inputs"]), int(s["outputs"]), int(s["clamped"])) == (1, 1, 1)
    assert s["extra arrays"] == EVIL.replace("/", "_")
    assert s["file"] == str(runs.snapshot_path(d, 7))
    assert repr(snap) == "Snapshot(step=7, n=3, edges=4, nonzero=3, path='step_7.npz')"


def _write_run(path, *, status="unstable", reason=EVIL, steps=(0, 5, 10)):
    d = runs.prepare_run_dir(path)
    runs.write_config(d, {"task": {"kind": "supervised", "seed": 3},
                          "data": {"name": EVIL}, "train": {"rule": "fa",
                                                             "learning_rate": 0.125}})
    for k in steps:
        runs.write_snapshot(d, k, **_snapshot_kwargs(k, [k, 1.0, 2.0, 3.0]))
    runs.write_metrics(d, {"epoch": list(range(7)), "train_loss": [1 / (e + 1) for e in range(7)],
                           "test_accuracy": [e / 10 for e in range(7)]})
    if status is not None:
        runs.write_status(d, status, reason=reason)
    return d


def test_run_view_html_and_escaping(tmp_path):
    d = _write_run(tmp_path / "<script>alert(1)")
    run = open_run(d)
    assert isinstance(run, Run)
    html_text = run._repr_html_()
    no_markup_from_data(html_text)
    title, s, tables = parse(html_text)
    assert title == "wiring run"
    assert s["path"] == str(d)
    assert s["status"] == f"unstable: {EVIL}"
    assert (s["task"], s["task.seed"], s["data.name"], s["train.rule"]) == (
        "supervised", "3", EVIL, "fa")
    assert close(s["train.learning_rate"], 0.125)
    steps = sorted(int(p.stem.split("_")[1]) for p in (d / "snapshots").glob("step_*.npz"))
    assert s["snapshots"] == f"{len(steps)}: steps " + ", ".join(map(str, steps))
    [tail] = tables
    assert tail["caption"] == "last metrics rows"
    assert [int(float(r["epoch"])) for r in tail["rows"]] == [2, 3, 4, 5, 6]
    assert close(tail["rows"][-1]["train_loss"], 1 / 7)
    assert repr(run) == ("Run('<script>alert(1)', status='unstable', task='supervised', "
                         "snapshots=3)")
    assert run.steps == steps and run.finished
    assert run.snapshot().step == 10 and run.snapshot(5).weight[0] == 5.0
    with pytest.raises(RunFormatError, match="step"):
        run.snapshot(6)


def test_run_view_of_an_unfinished_run(tmp_path):
    d = runs.prepare_run_dir(tmp_path / "r")
    runs.write_config(d, {"task": {"kind": "noise"}, "graph": {"n": 30}})
    run = open_run(d)
    assert not run.finished and run.steps == []
    _, s, tables = parse(run._repr_html_())
    assert s["status"].startswith("unfinished")
    assert s["snapshots"] == "0" and tables == []  # no metrics yet: no table
    assert repr(run) == "Run('r', status='unfinished', task='noise', snapshots=0)"
    with pytest.raises(RunFormatError, match="step"):
        run.snapshot()


def test_open_run_refuses_a_missing_directory(tmp_path):
    with pytest.raises(RunFormatError, match="does not exist"):
        open_run(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunFormatError, match="config.toml"):
        open_run(tmp_path / "empty")


def test_run_view_of_a_real_run(tmp_path):
    from wiring.config import TrainConfig, apply_overrides

    cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.n=20",
                                          "simulation.iterations=200", "simulation.snapshots=4"])
    d = run_train(cfg, tmp_path / "run")
    run = open_run(d)
    _, s, tables = parse(run._repr_html_())
    assert s["status"] == "ok" and s["task"] == "noise"
    assert int(s["graph.n"]) == 20 and int(s["simulation.iterations"]) == 200
    assert run.steps == [0, 50, 100, 150, 200]
    last = runs.read_metrics(d).iloc[-1]
    row = tables[0]["rows"][-1]
    assert int(float(row["iteration"])) == int(last["iteration"]) == 200
    assert close(row["density"], float(np.mean(run.snapshot().weight != 0)))
