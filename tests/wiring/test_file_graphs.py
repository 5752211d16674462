"""Bring your own circuit: a graph file or a connectome trained from the configuration.

``graph.family = "file"`` (GraphML, GEXF, CSV) and ``"connectome"``: inputs and outputs
chosen by ``graph.inputs``/``graph.outputs`` (node names or ``ATTR=VALUE``), the file's
weights (or scaled synapse counts) as initial weights unless ``graph.weights =
"random"``, the choice recorded in ``config.toml``, and the neurons' names and attributes
written to ``nodes.parquet``/``nodes.csv``.
"""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from wiring import connectomes, runs
from wiring.config import TrainConfig, apply_overrides, config_to_dict, resolve_config
from wiring.errors import ConfigError
from wiring.experiments.cli import main
from wiring.experiments.jobs import run_train, validate
from wiring.graphs.families import build_graph, load_source
from wiring.graphs.files import write_edge_csv
from wiring.graphs.graph import Graph

NOISE = ["task.kind=noise", "simulation.iterations=40", "simulation.snapshots=1"]


def _weighted_graphml(path, n=10, seed=0, **node_attrs):
    """A random directed graph with float weights and no input/output attributes."""
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    names = [f"N{i}" for i in range(n)]
    for k, name in enumerate(names):
        G.add_node(name, **{key: values[k] for key, values in node_attrs.items()})
    for u in names:
        for v in names:
            if rng.random() < 0.4:
                G.add_edge(u, v, weight=float(rng.normal(scale=0.7)))
    nx.write_graphml(G, path)
    return {(u, v): d["weight"] for u, v, d in G.edges(data=True)}


def _first(run):
    return runs.load_snapshot(runs.list_snapshots(run)[0])


def _file_weights_in_edge_order(run, weights):
    snap = _first(run)
    names = pd.read_csv(run / "nodes.csv")["name"].tolist()
    return snap, np.array([weights[(names[s], names[d])]
                           for s, d in zip(snap.src.tolist(), snap.dst.tolist(), strict=True)])


def _cli_train(out, *overrides):
    argv = ["train", "--out", str(out), "-q"]
    for item in overrides:
        argv += ["--set", item]
    assert main(argv) == 0


# --------------------------------------------------------------------------- weights


def test_a_graphml_files_weights_start_the_noise_task_from_the_cli(tmp_path):
    path = tmp_path / "circuit.graphml"
    weights = _weighted_graphml(path)
    _cli_train(tmp_path / "file", *NOISE, "graph.family=file", f"graph.path={path}")
    snap, want = _file_weights_in_edge_order(tmp_path / "file", weights)
    assert snap.step == 0 and snap.inputs.size == snap.outputs.size == 0
    np.testing.assert_array_equal(snap.weight, want)  # exactly the file's weights
    graph = runs.read_config(tmp_path / "file")["graph"]
    assert (graph["weights"], graph["weight_scale"]) == ("file", 1.0)  # what it chose

    _cli_train(tmp_path / "random", *NOISE, "graph.family=file", f"graph.path={path}",
               "graph.weights=random")
    rand = _first(tmp_path / "random")
    np.testing.assert_array_equal(rand.src, snap.src)
    assert not np.any(rand.weight == snap.weight)
    assert runs.read_config(tmp_path / "random")["graph"]["weights"] == "random"


def test_a_file_without_weights_draws_them_and_says_so(tmp_path):
    from wiring.graphs import all_to_all, to_networkx

    path = tmp_path / "g.graphml"
    nx.write_graphml(to_networkx(all_to_all(6)), path)  # input/output flags, no weights
    cfg = apply_overrides(TrainConfig(), [*NOISE, "graph.family=file", f"graph.path={path}"])
    run = run_train(cfg, tmp_path / "run")
    assert runs.read_config(run)["graph"]["weights"] == "random"
    with pytest.raises(ConfigError, match=r"'graph\.weights' = 'file', but .* no edge weights"):
        load_source(apply_overrides(cfg, ["graph.weights=file"]))


def test_the_supervised_task_starts_from_the_files_weights_with_chosen_inputs(tmp_path):
    rng = np.random.default_rng(1)
    G = nx.DiGraph()
    ins, hidden, outs = ([f"{p}{i}" for i in range(k)] for p, k in (("x", 64), ("h", 6),
                                                                      ("y", 10)))
    for role, names in (("in", ins), ("hidden", hidden), ("out", outs)):
        G.add_nodes_from(names, role=role)
    for a, b in [(ins, hidden), (hidden, outs)]:
        G.add_edges_from((u, v, {"weight": float(rng.normal())}) for u in a for v in b)
    path = tmp_path / "net.graphml"
    nx.write_graphml(G, path)
    order = outs[::-1]  # data column k -> output neuron named order[k]
    cfg = apply_overrides(TrainConfig(), [
        "graph.family=file", f"graph.path={path}", "graph.inputs=role=in",
        f"graph.outputs={order!r}".replace("'", '"'), "train.epochs=0"])
    run = run_train(cfg, tmp_path / "run")
    weights = {(u, v): d["weight"] for u, v, d in G.edges(data=True)}
    snap, want = _file_weights_in_edge_order(run, weights)
    np.testing.assert_array_equal(snap.weight, want)
    nodes = pd.read_parquet(run / "nodes.parquet")
    assert [nodes["name"][i] for i in snap.outputs] == order
    assert [nodes["name"][i] for i in snap.inputs] == ins
    assert nodes["is_input"].sum() == 64 and set(nodes["role"]) == {"in", "hidden", "out"}


# --------------------------------------------------------------------------- connectomes


def test_a_connectome_trains_from_the_cli_on_scaled_synapse_counts(tmp_path):
    _cli_train(tmp_path / "run", *NOISE, "graph.family=connectome",
               "graph.name=witvliet2021-8", "graph.inputs=class=sensory")
    run = tmp_path / "run"
    graph_cfg = runs.read_config(run)["graph"]
    g, counts = connectomes.load("witvliet2021-8")
    k = np.count_nonzero(np.bincount(g.dst, minlength=g.n))
    scale = math.sqrt(k / float(np.sum(counts**2)))  # init_scale = 1
    assert graph_cfg["weights"] == "file" and graph_cfg["weight_scale"] == pytest.approx(scale)
    snap = _first(run)
    np.testing.assert_array_equal(snap.src, g.src)
    np.testing.assert_array_equal(snap.weight, counts * graph_cfg["weight_scale"])
    # the random initialisation's expected sum of squares: init_scale**2 / in-degree per edge
    indeg = np.bincount(g.dst, minlength=g.n)
    assert np.sum(snap.weight**2) == pytest.approx(np.sum(1.0 / indeg[g.dst]))
    nodes = pd.read_csv(run / "nodes.csv")
    assert nodes["name"].tolist() == list(g.node_names)
    sensory = np.flatnonzero(nodes["class"] == "sensory")
    np.testing.assert_array_equal(snap.inputs, sensory)
    assert sensory.size and nodes["is_input"].sum() == sensory.size
    assert {"type", "description"} <= set(nodes.columns)


def test_an_explicit_weight_scale_multiplies_the_counts():
    cfg = apply_overrides(TrainConfig(), [*NOISE, "graph.family=connectome",
                                          "graph.name=witvliet2021-1", "graph.weight_scale=0.01"])
    src = load_source(cfg)
    counts = connectomes.load("witvliet2021-1")[1]
    np.testing.assert_array_equal(src.weight, counts * 0.01)
    assert src.config.graph.weight_scale == 0.01
    rand = load_source(apply_overrides(cfg, ["graph.weight_scale='auto'",
                                             "graph.weights=random"]))
    assert rand.weight is None and rand.config.graph.weights == "random"


# --------------------------------------------------------------------------- node choice


def test_inputs_and_outputs_by_attribute_value_or_name(tmp_path):
    path = tmp_path / "g.graphml"
    _weighted_graphml(path, n=6, kind=["s", "s", "i", "i", "m", "m"],
                      flag=[True, False, False, False, False, True])
    base = ["task.kind=noise", "graph.family=file", f"graph.path={path}"]
    g = build_graph(apply_overrides(TrainConfig(), [*base, "graph.inputs=kind=s",
                                                    'graph.outputs=["N5", "N4"]']))
    assert g.inputs.tolist() == [0, 1] and g.outputs.tolist() == [5, 4]
    g = build_graph(apply_overrides(TrainConfig(), [*base, "graph.inputs=flag"]))
    assert g.inputs.tolist() == [0, 5] and g.outputs.size == 0
    assert g.node_names == tuple(f"N{i}" for i in range(6))


def test_a_csv_edge_list_takes_integer_ids(tmp_path):
    path = write_edge_csv(tmp_path / "e.csv", Graph.from_edges(
        4, [0, 1, 2], [1, 2, 3], inputs=[], outputs=[]), [0.5, -0.25, 2.0])
    cfg = apply_overrides(TrainConfig(), ["task.kind=noise", "graph.family=file",
                                          f"graph.path={path}", "graph.inputs=[0, 1]"])
    src = load_source(cfg)
    assert src.graph.inputs.tolist() == [0, 1] and src.weight.tolist() == [0.5, -0.25, 2.0]
    with pytest.raises(ConfigError, match=r"'graph\.outputs' = 'kind=m': a CSV edge list"):
        load_source(apply_overrides(cfg, ["graph.outputs=kind=m"]))


@pytest.mark.parametrize(("overrides", "match"), [
    (["graph.inputs=kind=x"], r"'graph\.inputs' = 'kind=x' matches no node.*'i', 'm', 's'"),
    (["graph.outputs=colour=red"], r"'graph\.outputs' = 'colour=red': no node .* attribute "
                                   r"'colour' \(node attributes: 'kind'\)"),
    (['graph.inputs=["N1", "N33"]'], r"'graph\.inputs' names 'N33', which is not a node .*"
                                    r"did you mean 'N3'"),
    (["graph.outputs=kind"], r"'graph\.outputs' = 'kind': node 'N0' attribute 'kind' must "
                             r"be a boolean"),
    (["graph.inputs=kind=s", "graph.outputs=['N1']"], r"'graph\.inputs' and 'graph\.outputs' "
                                                      r"both pick node\(s\) 'N1'"),
])
def test_node_choices_that_do_not_fit_the_file_name_the_key(tmp_path, overrides, match):
    path = tmp_path / "g.graphml"
    _weighted_graphml(path, n=6, kind=["s", "s", "i", "i", "m", "m"])
    cfg = apply_overrides(TrainConfig(), ["task.kind=noise", "graph.family=file",
                                          f"graph.path={path}", *overrides])
    validate(cfg)  # the syntax is fine: what does not fit shows when the file is read
    with pytest.raises(ConfigError, match=match):
        run_train(cfg, tmp_path / "run")
    assert runs.read_status(tmp_path / "run")["status"] == "failed"


@pytest.mark.parametrize(("overrides", "match"), [
    (["graph.inputs=class=sensory"], r"'graph\.inputs' = 'class=sensory' picks nodes of a "
                                     r"graph file or connectome; graph\.family = 'recurrent'"),
    (["graph.weights=file"], r"'graph\.weights' = 'file' applies to weights read"),
    (["graph.weight_scale=2"], r"'graph\.weight_scale' = 2\.0 applies to weights read"),
    (["graph.family=file", "graph.inputs='=x'"], r"'graph\.inputs' = '=x': give ATTR=VALUE"),
    (["graph.family=file", 'graph.outputs=["A", "A"]'], r"'graph\.outputs' lists 'A' twice"),
    (["graph.family=file", 'graph.outputs=["A", ""]'], r"'graph\.outputs'\[1\] must be a node"),
    (["graph.family=file", "graph.inputs=[1, 2]", "graph.outputs=[2]"],
     r"'graph\.inputs' and 'graph\.outputs' both list 2"),
    (["graph.family=file", "graph.weights=files"], r"unknown 'graph\.weights' 'files'"),
    (["graph.family=file", "graph.weight_scale=big"], r"'graph\.weight_scale' must be a number"),
    (["graph.family=file", "graph.weight_scale=-1"], r"'graph\.weight_scale' must be a finite "
                                                     r"number > 0"),
    (["graph.family=file", "graph.weights=random", "graph.weight_scale=2"],
     r"'graph\.weight_scale' = 2\.0 scales the weights read with the graph"),
    (["graph.family=connectome"], r"no 'graph\.name' '' for graph\.family = 'connectome'"),
    (["graph.family=connectome", "graph.name=white"], r"unknown 'graph\.name' 'white'.*"
                                                      r"witvliet2021-8"),
    (["graph.family=connectome", "graph.name=white1986", "graph.synapses=gap"],
     r"unknown 'graph\.synapses' 'gap'"),
    (["graph.name=white1986"], r"'graph\.name' = 'white1986' names a connectome"),
])
def test_invalid_graph_keys_are_refused_before_the_run_naming_the_key(tmp_path, overrides,
                                                                      match):
    cfg = apply_overrides(TrainConfig(), overrides)
    with pytest.raises(ConfigError, match=match):
        validate(cfg)
    with pytest.raises(ConfigError, match=match):
        run_train(cfg, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_list_or_a_string_and_nothing_else(tmp_path):
    with pytest.raises(ConfigError, match=r"'graph\.inputs' must be a string or a list"):
        apply_overrides(TrainConfig(), ["graph.inputs=3"])


# --------------------------------------------------------------------------- defaults


def test_built_families_keep_their_runs_and_write_no_node_table(tmp_path):
    g = resolve_config(TrainConfig()).graph
    assert (g.weights, g.weight_scale, g.inputs, g.outputs) == ("random", "auto", "", "")
    assert config_to_dict(TrainConfig())["graph"]["weights"] == "random"
    run = run_train(apply_overrides(TrainConfig(), [*NOISE, "graph.n=8"]), tmp_path / "run")
    assert not (run / "nodes.csv").exists() and not (run / "nodes.parquet").exists()
    assert runs.read_config(run)["graph"]["weights"] == "random"
