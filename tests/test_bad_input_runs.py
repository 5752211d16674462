"""Bad-input suite, runs: NaN/inf in user arrays, extreme learning rates, huge and empty
graphs, and what unstable runs leave on disk and in the community tables.

Each case ends in a named error (a :class:`~wiring.errors.WiringError` subclass naming
the argument) or, for dynamics that blow up, in status ``"unstable"`` with a reason;
never an exception from inside a numba kernel, a bare ``TypeError``/``ValueError``/
``MemoryError``, or a NaN in an output table that the run's status (or a documented
rule) does not explain. The rules for which NaNs are explained are
:func:`unexplained_metric_nans` and :func:`unexplained_table_nans`, written from
:func:`wiring.train.fit`, :func:`wiring.simulate.simulate` and the schema of
:mod:`community.tables`. Defects in modules this suite may not touch are
``xfail(strict=True)`` tests naming the module and the fix.
"""

from __future__ import annotations

import re
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from community import detect, measures
from community.tables import AnalysisSettings, analyse_run
from wiring import runs
from wiring._checks import as_rng
from wiring.config import TrainConfig, apply_overrides
from wiring.data import Dataset
from wiring.errors import ConfigError, DataError, GraphError, WiringError
from wiring.experiments.jobs import run_train
from wiring.graphs import builders
from wiring.graphs.families import build_graph
from wiring.graphs.graph import MAX_NEURONS, Graph
from wiring.network import Network
from wiring.simulate import simulate
from wiring.train import fit

SETTINGS = {"derandomize": True, "deadline": None,
            "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow]}
NAN, INF = float("nan"), float("inf")

RNG = np.random.default_rng(0)
X = RNG.random((16, 3))
Y = np.eye(2)[RNG.integers(0, 2, 16)]
GRAPH = builders.recurrent(3, 6, 2, recurrent_density=0.3, seed=0)


def _net(**kw) -> Network:
    return Network(GRAPH, seed=0, **kw)


# --------------------------------------------------------------------------- NaN rules

#: Per-epoch training columns that an epoch-0 row (before any training) does not have.
PER_EPOCH = {"firing_iterations_mean", "firing_iterations_max", "credit_iterations_mean",
             "credit_iterations_max", "nonconverged", "seconds", "samples_per_second"}


def unexplained_metric_nans(table: pd.DataFrame, run_status: str) -> list[str]:
    """NaN cells of a metrics table that neither the status nor a documented rule explains.

    Supervised rows carry their own ``status``; in an ``"unstable"`` row any column may
    be missing (training stopped mid-epoch: no test or weight statistics). Epoch 0 has
    no per-epoch training columns. Test losses are NaN when no test sample settled
    (``test_nonconverged == test_samples``); train losses when none settled
    (``nonconverged`` counts them; at epoch 0 there is no such count -- a gap of
    ``wiring.train.fit``, accepted here). Noise-task rows (no ``status`` column) are
    checkpoints before any divergence: no NaN at all.
    """
    bad = []
    for i, row in table.iterrows():
        for col, value in row.items():
            if not (isinstance(value, float) and np.isnan(value)):
                continue
            if "status" in table.columns and row["status"] == "unstable":
                assert run_status == "unstable", "an unstable row in a run that is not"
                continue
            if "epoch" in table.columns and row["epoch"] == 0 and (
                    col in PER_EPOCH or col in ("train_loss", "train_accuracy")):
                continue
            if col in ("test_loss", "test_accuracy") and row.get("test_nonconverged") == row.get(
                    "test_samples"):
                continue
            if col in ("train_loss", "train_accuracy") and row.get("nonconverged", 0) > 0:
                continue
            bad.append(f"row {i} column {col}")
    return bad


NULL_COLUMNS = ("q_z_shuffle", "q_z_rewire", "q_initial_pruned", "louvain_ari",
                "louvain_modularity")
#: The structural evidence of community.evidence: final snapshots only.
EVIDENCE = ("q_max", "block_disassortativity", "block_assortativity", "hub_share",
            "sbm_blocks", "sbm_dl", "isolated_fraction", "saturated_fraction", "reciprocity",
            "gini_in", "gini_out", "top_share_in", "top_share_out", "rich_club_rho",
            "rich_club_p", "weight_growth")
NULL_STAT = re.compile(r"^(q|bd|hub|ba)_(z|p|null)_(init_pruned|shuffle|rewire)$")


def unexplained_table_nans(tables: dict[str, pd.DataFrame], run_status: str) -> list[str]:
    """NaN (and inf) cells of the community tables not explained by the schema of
    :mod:`community.tables` ("Where NaN may appear")."""
    bad = []
    snaps, skipped = tables["snapshots"], tables["skipped"]
    stages = set(skipped["stage"]) if len(skipped) else set()
    for i, row in snaps.iterrows():
        for col, value in row.items():
            stat = NULL_STAT.match(col)
            # a z-score is infinite where the null draws do not vary and the observation
            # differs from them (community.evidence.null_statistics)
            inf_ok = col in ("offdiag_index", "rich_club_rho") or (stat and stat[2] == "z")
            if isinstance(value, float) and np.isinf(value) and not inf_ok:
                bad.append(f"snapshots row {i} {col} = {value}")
            if not (isinstance(value, float) and np.isnan(value)):
                continue
            if (col in NULL_COLUMNS or col in EVIDENCE or stat) and not row["is_final"]:
                continue
            if stat and stat[2] == "z":
                continue  # null draws without variance that equal the observation
            if col == "saturated_fraction" and row["task"] == "supervised" \
                    and row["n_nodes"] == 0:
                continue
            if col in ("rich_club_rho", "rich_club_p"):
                continue  # fewer than two neurons above the 90th percentile of degree
            if col.startswith("louvain") and "louvain" in stages:
                continue
            if col == "q_initial_pruned" and "null initial-pruned" in stages:
                continue
            if col == "offdiag_index" and row["n_communities"] < 2:
                continue
            if col == "within_excess" and row["within_chance"] == 0:
                continue
            if col == "modularity" and row["n_edges"] == 0:
                continue
            bad.append(f"snapshots row {i} {col}")
    neurons = tables["neurons"]
    if len(neurons):
        num = neurons.select_dtypes("number")
        if not np.isfinite(num.to_numpy(dtype=float)).all():
            bad.append("neurons has NaN/inf")
    blocks = tables["blocks"]
    if len(blocks):
        nan = blocks["mean_abs_weight"].isna()
        ok = (blocks["block_to"] == blocks["block_from"]) & (blocks["size_to"] <= 1)
        if (nan & ~ok).any():
            bad.append("blocks.mean_abs_weight NaN off a one-neuron diagonal")
        if np.isinf(blocks["mean_abs_weight"]).any():
            bad.append("blocks.mean_abs_weight inf")
    if len(tables["training"]):
        bad += [f"training {b}" for b in unexplained_metric_nans(
            tables["training"].drop(columns=["run_id", "group"]), run_status)]
    return bad


# --------------------------------------------------------------------------- NaN/inf inputs

CALLS = {
    "weight": ["Network", "from_edges", "setter", "simulate"],
    "bias": ["Network", "from_edges", "setter"],
    "X": ["settle", "predict", "plasticity", "credit", "loss", "fit", "Dataset"],
    "Y": ["plasticity", "credit", "loss", "fit", "Dataset"],
    "X_test": ["fit", "Dataset"],
}


def _call(api: str, arrays: dict):
    w, b, Xa, Ya, Xt = (arrays[k] for k in ("weight", "bias", "X", "Y", "X_test"))
    if api == "Network":
        return Network(GRAPH, w, b)
    if api == "from_edges":
        return Network.from_edges(GRAPH.n, GRAPH.src, GRAPH.dst, w, bias=b, inputs=GRAPH.inputs,
                                  outputs=GRAPH.outputs)
    if api == "setter":
        net = _net()
        net.weight, net.bias = w, b
        return net
    if api == "simulate":
        return simulate(GRAPH, learning_rate=0.1, iterations=5, weight=w)
    if api == "Dataset":
        labels = Ya.argmax(axis=1) if np.isfinite(Ya).all() else np.zeros(len(Ya), int)
        return Dataset(Xa, Ya, Xt, Y[:4], labels, Y[:4].argmax(axis=1), name="d", n_classes=2)
    net = _net()
    if api == "settle":
        return net.settle(Xa)
    if api == "predict":
        return net.predict(Xa)
    if api == "plasticity":
        return net.plasticity(Xa, Ya)
    if api == "credit":
        return net.credit(Xa, Ya)
    if api == "loss":
        return net.loss(Xa, Ya)
    return fit(net, (Xa, Ya, Xt, Y[:4]), epochs=1, seed=0)


@settings(max_examples=80, **SETTINGS)
@given(data_=st.data(), value=st.sampled_from([NAN, INF, -INF]))
def test_nonfinite_user_array_is_a_named_error(data_, value):
    name = data_.draw(st.sampled_from(sorted(CALLS)))
    api = data_.draw(st.sampled_from(CALLS[name]))
    arrays = {"weight": RNG.standard_normal(GRAPH.n_edges), "bias": np.zeros(GRAPH.n),
              "X": X.copy(), "Y": Y.copy(), "X_test": X[:4].copy()}
    arr = arrays[name]
    arr.flat[data_.draw(st.integers(0, arr.size - 1))] = value
    with pytest.raises(WiringError) as info:
        _call(api, arrays)
    msg = str(info.value)
    # Dataset names its fields; fit checks the test set with the training set's checks
    wanted = {"X": "`X", "X_test": "`X", "Y": "`Y"}.get(name, f"`{name}`")
    assert wanted in msg and "non-finite" in msg, msg


def test_train_defect_nan_in_test_set_names_x_test():
    Xt = X[:4].copy()
    Xt[0, 0] = NAN
    with pytest.raises(DataError, match="`X_test`"):
        fit(_net(), (X, Y, Xt, Y[:4]), epochs=1)


def test_network_defect_string_x_is_a_data_error():
    with pytest.raises(DataError, match="`X`"):
        _net().settle([["a", "b", "c"]])


# --------------------------------------------------------------------------- learning rates

BAD_LR = [-1.0, -1e-300, INF, -INF, NAN, True, "0.1", None, 1 + 0j]
GOOD_LR = [0.0, 1e-300, 1e-3, 1.0, 1e3, 1e30, 1e300]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # see xfail below
@settings(max_examples=40, **SETTINGS)
@given(lr=st.sampled_from(BAD_LR + GOOD_LR), batch=st.integers(1, 7),
       method=st.sampled_from(["auto", "jacobi", "gauss-seidel"]),
       loss=st.sampled_from(["mse", "cross-entropy"]),
       rule=st.sampled_from(["balance-exact", "balance", "fa", "dfa"]),
       activation=st.sampled_from(["tanh", "relu", "linear", "sigmoid"]))
def test_fit_extreme_learning_rate_is_named_or_recorded(lr, batch, method, loss, rule,
                                                       activation):
    net = _net(activation=activation)
    try:
        res = fit(net, (X, Y, X[:4], Y[:4]), learning_rate=lr, epochs=3, batch_size=batch,
                  method=method, loss=loss, rule=rule, seed=0)
    except WiringError as exc:
        assert lr in BAD_LR and "`learning_rate`" in str(exc)
        return
    assert lr in GOOD_LR and res.status in ("ok", "unstable")
    event(f"fit {res.status}")
    if res.status == "unstable":
        assert "diverged" in res.reason or "weight_limit" in res.reason
        assert res.metrics[-1]["status"] == "unstable"
    else:
        assert np.isfinite(net.weight).all() and np.isfinite(net.bias).all()
    assert unexplained_metric_nans(pd.DataFrame(res.metrics), res.status) == []


def test_fit_unstable_raises_named_error_when_asked():
    net = _net(activation="linear")
    with pytest.raises(WiringError) as info:
        fit(net, (X, Y), learning_rate=1e30, epochs=3, loss="mse", on_diverge="raise", seed=0)
    assert "diverged" in str(info.value)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_train_defect_runaway_weights_are_unstable_not_ok():
    res = fit(_net(), (X, Y, X[:4], Y[:4]), learning_rate=1e300, epochs=3, seed=0)
    assert res.status == "unstable"


@settings(max_examples=30, **SETTINGS)
@given(lr=st.sampled_from(BAD_LR + GOOD_LR), mode=st.sampled_from(["one-step", "settled"]),
       pruning=st.sampled_from(["regrow", "structural"]), prune=st.sampled_from([0.0, 0.5]),
       end=st.sampled_from([None, 1e-6, 1e30]))
def test_simulate_extreme_learning_rate_is_named_or_recorded(lr, mode, pruning, prune, end):
    g = builders.all_to_all(12, self_loops=True)
    try:
        res = simulate(g, learning_rate=lr, iterations=200, mode=mode, pruning=pruning,
                       prune=prune, learning_rate_end=end, stages=2, seed=0,
                       snapshot_at=[0, 100, 200])
    except WiringError as exc:
        assert "learning_rate" in str(exc), str(exc)
        assert lr in BAD_LR or (end is not None and lr == 0.0)
        return
    assert lr in GOOD_LR and res.status in ("ok", "unstable")
    event(f"simulate {res.status}")
    if res.status == "unstable":
        assert "diverged at iteration" in res.reason
    assert np.isfinite(res.weight).all()
    assert all(np.isfinite(w).all() for _, w in res.snapshots)
    assert unexplained_metric_nans(pd.DataFrame(res.metrics), res.status) == []


def test_simulate_defect_nan_balance_center_is_a_named_error():
    with pytest.raises(WiringError, match="balance_center"):
        simulate(builders.all_to_all(8), learning_rate=0.1, iterations=10, balance="gaussian",
                 balance_center=NAN)


def test_simulate_defect_nan_snapshot_step_is_a_named_error():
    with pytest.raises(WiringError, match="snapshot_at"):
        simulate(builders.all_to_all(8), learning_rate=0.1, iterations=10, snapshot_at=[NAN])


def test_train_defect_bad_snapshot_epoch_is_a_named_error():
    with pytest.raises(WiringError, match="snapshot_epochs"):
        fit(_net(), (X, Y), epochs=1, snapshot_epochs=["a"])


# --------------------------------------------------------------------------- graphs

@pytest.mark.parametrize(("make", "error", "match"), [
    (lambda: Graph.from_edges(0, [], [], inputs=[], outputs=[]), GraphError, "`n`"),
    (lambda: Graph.from_edges(3, [0], [1], inputs=[1], outputs=[1]), GraphError, "overlap"),
    (lambda: Graph.from_edges(3, [0, 0], [1, 1], inputs=[0], outputs=[2]), GraphError,
     "duplicate edge 0 -> 1"),
    # ragged index lists raised numpy's ValueError
    (lambda: Graph.from_edges(3, [[0], [1, 2]], [1, 2], inputs=[0], outputs=[2]), GraphError,
     "`src` must be a 1-D sequence"),
    # uint64 indices beyond int64 were reported as negative indices
    (lambda: Graph.from_edges(3, np.array([2**63 + 5], np.uint64), [1], inputs=[0],
                              outputs=[2]), GraphError, "index 9223372036854775813"),
    (lambda: Network.from_edges(2, [0], [1], [1.0], inputs=[0], outputs=[], seed=0)
     .plasticity([[1.0]], np.zeros((1, 0))), WiringError, "no output neurons"),
    # a negative seed raised numpy's "expected non-negative integer"
    (lambda: Network(GRAPH, seed=-1), WiringError, "`seed` must be a non-negative int"),
    (lambda: as_rng(True), WiringError, "`seed`"),
    # counts beyond int64 raised OverflowError at the kernel call (max_iter) or looped for
    # ever (epochs, iterations)
    (lambda: _net().settle(X, max_iter=2**70), WiringError, "`max_iter` = .* too large"),
    (lambda: fit(_net(), (X, Y), epochs=2**70), WiringError, "`epochs` = .* too large"),
    (lambda: simulate(GRAPH, learning_rate=0.1, iterations=2**70), WiringError,
     "`iterations` = .* too large"),
])
def test_regression_bad_graphs_and_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_empty_and_degenerate_graphs_run_or_fail_by_name():
    lone = Network.from_edges(1, [], [], [], inputs=[], outputs=[0])
    dw, db = lone.plasticity(np.zeros((1, 0)), [[1.0]])
    assert dw.shape == (0,) and np.isfinite(db).all()
    no_edges = Network.from_edges(3, [], [], [], inputs=[0], outputs=[2])
    res = fit(no_edges, (X[:, :1], Y[:, :1]), learning_rate=0.1, epochs=2, seed=0)
    assert res.status == "ok"
    assert simulate(Graph.from_edges(5, [], [], inputs=[], outputs=[]), learning_rate=1.0,
                    iterations=20, prune=0.5).status == "ok"
    with pytest.raises(DataError, match="`X` has shape"):  # no inputs, but data has columns
        fit(Network.from_edges(2, [0], [1], [1.0], inputs=[], outputs=[1]), (X, Y[:, :1]))


@pytest.mark.parametrize("make", [
    lambda: Graph.from_edges(10**12, [], [], inputs=[], outputs=[]),
    lambda: Graph.from_edges(MAX_NEURONS + 1, [0], [1], inputs=[0], outputs=[1]),
    lambda: Graph.from_edges(3 * 10**9, [], [], inputs=[], outputs=[]),  # was OOM-killed
    lambda: Network.from_edges(10**11, [0], [1], [1.0], inputs=[0], outputs=[1]),
    lambda: builders.all_to_all(10**6),
    lambda: builders.erdos_renyi(10**9, 1e-9),
    lambda: builders.layered([10**5, 10**5, 10**5]),
    lambda: builders.stochastic_block([10**6] * 4, (0.5, 0.1)),
    lambda: builders.small_world(10**7, 1000, 0.1),
    lambda: builders.recurrent(10**5, 10**5, 10, recurrent_density=0.5),
])
def test_regression_sizes_beyond_memory_fail_fast_without_allocating(make):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(GraphError, match=r"neurons|memory"):
            make()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0
    assert peak < 50 * 2**20, f"allocated {peak / 2**20:.0f} MiB before refusing"


# --------------------------------------------------------------------------- run directories

NOISE = ["task.kind='noise'", "graph.family='all-to-all'", "graph.n=24", "graph.self_loops=true",
         "simulation.iterations=400", "simulation.snapshots=4"]
SUPERVISED = ["data.name='digits'", "graph.hidden=8", "train.epochs=2",
              "train.snapshot_epochs=[0, 1, 2]"]
RUNS = {
    "noise_ok": NOISE + ["simulation.learning_rate=0.01"],
    "noise_unstable": NOISE + ["simulation.learning_rate=1e300"],
    "noise_unstable_late": NOISE + ["simulation.learning_rate=1e-3",
                                    "simulation.learning_rate_end=1e30", "simulation.stages=4"],
    # weights near 1e200 inside a raised weight_limit: leidenalg gave -inf, Louvain raised
    # OverflowError, modularity -inf and weight_change NaN before the rescaling fix
    "noise_huge_weights": NOISE + ["simulation.learning_rate=0.0", "simulation.weight_limit=1e308",
                                   "neurons.init_scale=1e200"],
    "supervised_ok": SUPERVISED + ["train.learning_rate=0.01"],
    "supervised_unstable": SUPERVISED + ["train.learning_rate=1e300"],
    "supervised_linear_unstable": SUPERVISED + ["train.learning_rate=1e3", "train.loss='mse'",
                                                "neurons.activation='linear'"],
}


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory):
    """``run(name) -> (run_dir, status)``: each configured run once per module."""
    root, done = tmp_path_factory.mktemp("runs"), {}

    def run(name: str) -> tuple[Path, dict]:
        if name not in done:
            run_dir = run_train(apply_overrides(TrainConfig(), RUNS[name]), root / name)
            done[name] = run_dir, runs.read_status(run_dir)
        return done[name]

    return run


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # simulate's std
@pytest.mark.parametrize("name", sorted(RUNS))
def test_run_directory_status_metrics_and_tables(name, run_dirs):
    run_dir, status = run_dirs(name)
    assert status["status"] == ("unstable" if "unstable" in name else "ok")
    if status["status"] == "unstable":
        assert "diverged" in status["reason"] and "learning rate" in status["reason"]
    metrics = runs.read_metrics(run_dir)
    assert unexplained_metric_nans(metrics, status["status"]) == []
    snaps = runs.list_snapshots(run_dir)
    assert snaps and all(np.isfinite(runs.load_snapshot(p).weight).all() for p in snaps)
    tables = analyse_run(name, "g", run_dir, settings=AnalysisSettings(n_null=2))
    assert tables["runs"]["run_status"].tolist() == [status["status"]]
    if status["status"] == "unstable":   # a run that diverged is never a result
        assert tables["snapshots"].empty and tables["neurons"].empty
        reason = tables["skipped"].set_index("stage").loc["run", "reason"]
        assert "unstable" in reason and "not analysed" in reason
        assert len(tables["training"]) == len(metrics)  # its curve stays, to show it
        return
    assert len(tables["snapshots"]) == len(snaps)
    assert set(tables["snapshots"]["run_status"]) == {status["status"]}
    assert unexplained_table_nans(tables, status["status"]) == []


def test_simulate_defect_weight_std_overflows(run_dirs):
    run_dir, _ = run_dirs("noise_huge_weights")
    assert np.isfinite(runs.read_metrics(run_dir)["weight_std"]).all()


def test_regression_detection_and_measures_on_huge_weights():
    W = np.kron(np.eye(2), np.ones((4, 4))) - np.eye(8)
    W[0, 5] = 0.2
    m = [0, 0, 0, 0, 1, 1, 1, 1]
    ref = detect.leiden(W).quality
    for scale in (1e200, 1e-200):
        assert detect.leiden(W * scale).quality == pytest.approx(ref)
        assert detect.louvain(W * scale).quality == pytest.approx(ref)  # was OverflowError
        assert detect.leiden(W * scale, quality="cpm", resolution=0.5 * scale).quality == (
            pytest.approx(detect.leiden(W, quality="cpm", resolution=0.5).quality * scale))
        assert measures.modularity(W * scale, m) == pytest.approx(measures.modularity(W, m))
        z = measures.within_module_z(W * scale + np.eye(8) * scale, m)
        assert z == pytest.approx(measures.within_module_z(W + np.eye(8), m))


# --------------------------------------------------------------------------- configured jobs

def test_regression_file_graph_jobs():
    with tempfile.TemporaryDirectory() as tmp:
        from wiring.graphs.files import write_edge_csv

        path = write_edge_csv(Path(tmp) / "g.csv", builders.all_to_all(6, self_loops=True))
        noise = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.family='file'",
                                                f"graph.path='{path}'"])
        # a CSV graph file raised TypeError (read_edge_csv needs inputs/outputs)
        assert build_graph(noise).n == 6
        sup = apply_overrides(TrainConfig(), ["graph.family='file'", f"graph.path='{path}'"])
        with pytest.raises(ConfigError, match="CSV edge list does not say which neurons"):
            build_graph(sup, 64, 10)
        gml = Path(tmp) / "g.graphml"
        import networkx as nx

        from wiring.graphs.convert import to_networkx

        nx.write_graphml(to_networkx(builders.all_to_all(6)), gml)
        sup = apply_overrides(TrainConfig(), ["graph.family='file'", f"graph.path='{gml}'"])
        # a file graph without the data's inputs failed later as "`X` has shape ..."
        with pytest.raises(ConfigError, match="has 0 input and 0 output neurons"):
            build_graph(sup, 64, 10)


@pytest.mark.parametrize("overrides", [
    ["task.kind='noise'", "graph.family='all-to-all'", "graph.n=10000000"],
    ["task.kind='noise'", "graph.n=4294967297"],
    ["graph.hidden=100000000", "train.epochs=1", "train.snapshot_epochs=[0, 1]"],
])
def test_regression_configured_sizes_beyond_memory_fail_the_run_cleanly(overrides):
    cfg = apply_overrides(TrainConfig(), overrides)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with pytest.raises(GraphError, match=r"neurons"):
            run_train(cfg, Path(tmp) / "run")
        status = runs.read_status(Path(tmp) / "run")
    assert time.perf_counter() - start < 10.0
    assert status["status"] == "failed" and "neurons" in status["reason"]
