"""Configured jobs: the recorded configuration describes the graph that was built,
task-dependent defaults (graph family, self-loops, snapshot epochs) and resuming
sweeps started before those defaults were resolved into the configuration."""

import re
import tomllib

import numpy as np
import pytest

from wiring import runs
from wiring.config import (
    TrainConfig,
    apply_overrides,
    config_to_dict,
    default_snapshot_epochs,
    load_config,
    resolve_config,
)
from wiring.errors import ConfigError, WiringError
from wiring.experiments.jobs import run_train, validate
from wiring.graphs.families import build_graph

NOISE = ["task.kind='noise'", "simulation.iterations=20", "simulation.snapshots=1"]


def _edges(src, dst) -> set[tuple[int, int]]:
    return set(zip(np.asarray(src).tolist(), np.asarray(dst).tolist(), strict=True))


def _first_snapshot(run_dir):
    return runs.load_snapshot(runs.list_snapshots(run_dir)[0])


# --------------------------------------------------------------------------- noise graph


@pytest.mark.parametrize(("extra", "family", "self_loops"), [
    ([], "all-to-all", True),  # the paper's network: the noise task's default
    (["graph.self_loops=false"], "all-to-all", False),  # was ignored: 20 self-loops
    (["graph.family='all-to-all'"], "all-to-all", False),  # a named family: as given
    (["graph.family='all-to-all'", "graph.self_loops=true"], "all-to-all", True),
    (["graph.family='auto'", "graph.self_loops=true"], "all-to-all", True),
])
def test_noise_all_to_all_graph_is_what_config_toml_says(tmp_path, extra, family, self_loops):
    n = 20
    cfg = apply_overrides(TrainConfig(), [*NOISE, f"graph.n={n}", *extra])
    run = run_train(cfg, tmp_path / "run")
    recorded = runs.read_config(run)["graph"]
    assert (recorded["family"], recorded["self_loops"]) == (family, self_loops)
    snap = _first_snapshot(run)
    # all-to-all, written out here: every ordered pair, the diagonal only with self-loops
    want = {(i, j) for i in range(n) for j in range(n) if i != j or self_loops}
    assert _edges(snap.src, snap.dst) == want
    assert len(want) == (n * n if self_loops else n * (n - 1))


@pytest.mark.parametrize("overrides", [
    [*NOISE, "graph.n=15"],
    [*NOISE, "graph.n=15", "graph.self_loops=false"],
    [*NOISE, "graph.family='erdos-renyi'", "graph.n=30", "graph.density=0.2"],
    [*NOISE, "graph.family='erdos-renyi'", "graph.n=30", "graph.self_loops=true",
     "task.seed=3"],
    [*NOISE, "graph.family='sbm'", "graph.n=24", "graph.blocks=3"],
    ["graph.hidden=12", "train.epochs=0", "data.test_fraction=0.5"],
    ["graph.hidden=12", "train.epochs=0", "graph.self_loops=true", "graph.feedback_density=0.2"],
])
def test_config_toml_rebuilds_the_graph_of_the_run(tmp_path, overrides):
    """What a run recorded is enough to build its graph again, edge for edge."""
    run = run_train(apply_overrides(TrainConfig(), overrides), tmp_path / "run")
    snap = _first_snapshot(run)
    again = load_config(run / "config.toml")
    n_in, n_out = snap.inputs.size, snap.outputs.size
    graph = build_graph(again, n_in, n_out)
    np.testing.assert_array_equal(graph.src, snap.src)
    np.testing.assert_array_equal(graph.dst, snap.dst)
    if not again.graph.self_loops:
        assert not (snap.src == snap.dst).any()
    assert again.graph.family != "auto" and again.train.snapshot_epochs is not None


def test_noise_recurrent_family_is_an_error_naming_the_key(tmp_path):
    cfg = apply_overrides(TrainConfig(), [*NOISE, "graph.family='recurrent'"])
    with pytest.raises(ConfigError, match=r"'graph\.family' = 'recurrent'.*all-to-all"):
        run_train(cfg, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_supervised_defaults_unchanged():
    g = resolve_config(TrainConfig()).graph
    assert (g.family, g.self_loops) == ("recurrent", False)
    graph = build_graph(TrainConfig(), 64, 10)
    assert not (graph.src == graph.dst).any()  # no self-loops unless asked
    d = config_to_dict(TrainConfig())
    assert d["graph"]["family"] == "recurrent" and d["train"]["snapshot_epochs"] == [0, 1, 2,
                                                                                      4, 8]


def test_resolve_keeps_set_values_and_is_idempotent():
    cfg = apply_overrides(TrainConfig(), [
        "task.kind='noise'", "graph.family='erdos-renyi'", "graph.self_loops=true",
        "train.epochs=3", "train.snapshot_epochs=[1]"])
    r = resolve_config(cfg)
    assert (r.graph.family, r.graph.self_loops, r.train.snapshot_epochs) == (
        "erdos-renyi", True, [1])
    assert resolve_config(r) == r
    for kind in ("supervised", "noise"):
        base = resolve_config(apply_overrides(TrainConfig(), [f"task.kind='{kind}'"]))
        assert resolve_config(base) == base


# --------------------------------------------------------------------------- snapshot epochs


@pytest.mark.parametrize(("epochs", "want"), [
    (0, [0]), (1, [0, 1]), (2, [0, 1, 2]), (3, [0, 1, 2, 3]), (5, [0, 1, 2, 4, 5]),
    (8, [0, 1, 2, 4, 8]), (9, [0, 1, 2, 4, 8, 9]), (100, [0, 1, 2, 4, 8, 100]),
])
def test_default_snapshot_epochs_stop_at_epochs_and_keep_the_last(epochs, want):
    assert default_snapshot_epochs(epochs) == want
    cfg = apply_overrides(TrainConfig(), [f"train.epochs={epochs}"])
    validate(cfg)  # the default never holds an epoch past train.epochs
    assert resolve_config(cfg).train.snapshot_epochs == want


def test_epochs_alone_runs_and_snapshots_every_default_epoch(tmp_path):
    cfg = apply_overrides(TrainConfig(), ["train.epochs=2", "graph.hidden=8",
                                          "data.test_fraction=0.5"])
    run = run_train(cfg, tmp_path / "run")
    assert runs.read_config(run)["train"]["snapshot_epochs"] == [0, 1, 2]
    assert [int(s.extra["epoch"]) for s in runs.load_snapshots(run)] == [0, 1, 2]


@pytest.mark.parametrize(("overrides", "bad"), [
    (["train.epochs=2", "train.snapshot_epochs=[0, 1, 2, 4, 8]"], 4),
    (["train.snapshot_epochs=[9]"], 9),
    (["train.epochs=0", "train.snapshot_epochs=[0, 1]"], 1),
])
def test_explicit_snapshot_epochs_out_of_range_still_an_error(overrides, bad):
    with pytest.raises(ConfigError, match=rf"'train\.snapshot_epochs' holds {bad}, outside"):
        validate(apply_overrides(TrainConfig(), overrides))


# --------------------------------------------------------------------------- old sweeps


TINY = """\
[sweep]
name = "tiny"
learning_rates = [0.01, 0.1]
seeds = [0]
[task]
kind = "noise"
[graph]
n = 8
{graph}
[simulation]
iterations = 10
snapshots = 1
"""


def _make_legacy(out):
    """Rewrite a sweep directory the way wiring wrote it before the noise task's graph
    defaults were resolved: family "recurrent", self_loops false, in sweep.toml and in
    every run's config.toml (the only differences, checked against a sweep that version
    wrote)."""
    for path in [out / "sweep.toml", *sorted(out.glob("runs/*/config.toml"))]:
        text = path.read_text()
        new = text.replace('family = "all-to-all"', 'family = "recurrent"').replace(
            "self_loops = true", "self_loops = false")
        assert new.count('family = "recurrent"') == text.count('family = "all-to-all"') == 1
        path.write_text(new)


def test_resume_a_sweep_an_earlier_wiring_started(tmp_path):
    from community.tables import analyse_run
    from wiring.experiments.sweep import run_sweep

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(TINY.format(graph=""))
    out = tmp_path / "out"
    run_sweep(sweep_file, out, workers=1)
    _make_legacy(out)
    legacy = tomllib.loads((out / "sweep.toml").read_text())
    assert legacy["sweep"]["groups"]["tiny"]["graph"]["family"] == "recurrent"
    kept = out / "runs" / "tiny__lr0.01_s0"
    (out / "runs" / "tiny__lr0.1_s0" / "status.json").unlink()  # unfinished: redo it
    res = run_sweep(sweep_file, out, resume=True, workers=1)
    assert res.counts["ok"] == 2 and list(res.table["resumed"]) == [True, False]
    redone = out / "runs" / "tiny__lr0.1_s0"
    assert runs.read_config(redone)["graph"]["family"] == "all-to-all"
    assert runs.read_config(kept)["graph"]["family"] == "recurrent"  # records stay as written
    # both graphs are the same all-to-all with self-loops ...
    assert _edges(_first_snapshot(kept).src, _first_snapshot(kept).dst) == _edges(
        _first_snapshot(redone).src, _first_snapshot(redone).dst) == {
            (i, j) for i in range(8) for j in range(8)}
    # ... and the analysis labels both so (one cell per learning rate, not two families)
    families = {str(analyse_run(d.name, "tiny", d)["snapshots"]["graph_family"].iloc[0])
                for d in (kept, redone)}
    assert families == {"all-to-all"}


def test_resume_refuses_a_graph_setting_an_earlier_wiring_ignored(tmp_path):
    from wiring.experiments.sweep import run_sweep

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(TINY.format(graph="self_loops = false"))
    out = tmp_path / "out"
    run_sweep(sweep_file, out, workers=1)  # now: all-to-all without self-loops
    _make_legacy(out)  # then: self-loops whatever the file said
    with pytest.raises(WiringError) as info:
        run_sweep(sweep_file, out, resume=True, workers=1)
    msg = str(info.value)
    assert "sweep.groups.tiny.graph.self_loops = true there" in msg
    assert "earlier wiring" in msg and "false now" in msg
    # the resolved sweep.toml an earlier wiring wrote names a family the noise task refuses
    with pytest.raises(ConfigError, match=r"'graph\.family' = 'recurrent'"):
        run_sweep(out / "sweep.toml", out, resume=True, workers=1)


def test_resume_names_a_default_that_changed(tmp_path):
    from wiring.experiments.sweep import run_sweep

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(TINY.format(graph="") + "[train]\nepochs = 12\n")
    out = tmp_path / "out"
    run_sweep(sweep_file, out, workers=1)
    sweep_toml = out / "sweep.toml"
    text = sweep_toml.read_text()
    assert "snapshot_epochs = [0, 1, 2, 4, 8, 12]" in text
    sweep_toml.write_text(text.replace("[0, 1, 2, 4, 8, 12]", "[0, 1, 2, 4, 8]"))  # the old one
    with pytest.raises(WiringError, match=re.escape(
            "train.snapshot_epochs = [0, 1, 2, 4, 8] there, [0, 1, 2, 4, 8, 12] now")):
        run_sweep(sweep_file, out, resume=True, workers=1)
    sweep_file.write_text(TINY.format(graph="") + "[train]\nepochs = 12\n"
                          "snapshot_epochs = [0, 1, 2, 4, 8]\n")
    assert run_sweep(sweep_file, out, resume=True, workers=1).counts["ok"] == 2


# --------------------------------------------------------------------------- neuron state


def test_noise_snapshots_hold_the_rates_and_balance_of_the_simulation(tmp_path):
    cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.n=20",
                                          "simulation.iterations=200",
                                          "simulation.snapshots=4"])
    run = run_train(cfg, tmp_path / "run")
    snaps = runs.load_snapshots(run)
    assert [s.step for s in snaps] == [0, 50, 100, 150, 200]
    checkpoints = {int(r["iteration"]): r for _, r in runs.read_metrics(run).iterrows()}
    for snap in snaps:
        rate, balance = snap.extra["rate"], snap.extra["balance"]
        assert rate.dtype == balance.dtype == np.float64
        assert rate.shape == balance.shape == (20,)
        assert np.all((balance > 0) & (balance <= 1))  # f = tanh' of finite net inputs
        if snap.step:  # the metrics' mean |x| at that checkpoint is the same state
            assert np.mean(np.abs(rate)) == pytest.approx(
                checkpoints[snap.step]["rate_abs_mean"], rel=1e-12)


def test_supervised_snapshots_hold_mean_rates_and_balance_over_test_samples(tmp_path):
    from wiring.experiments.jobs import STATE_SAMPLES, build_dataset
    from wiring.network import Network

    cfg = apply_overrides(TrainConfig(), ["train.epochs=1", "graph.hidden=8",
                                          "data.test_fraction=0.5"])
    run = run_train(cfg, tmp_path / "run")
    X = build_dataset(cfg).X_test[:STATE_SAMPLES]
    for snap in runs.load_snapshots(run):
        # written out: settle the snapshot's network, s = W x + b, f = tanh' on the tanh
        # neurons, 1 on the linear outputs, 0 on the inputs (balance-exact)
        net = Network.from_edges(snap.n, snap.src, snap.dst, snap.weight, bias=snap.bias,
                                 inputs=snap.inputs, outputs=snap.outputs,
                                 output_activation="linear")
        x, info = net.settle(X, tol=1e-8, max_iter=1000, return_info=True)
        x = x[info.converged]
        assert len(x) > 50
        s = x @ snap.dense().T + snap.bias
        f = 1 - np.tanh(s) ** 2
        f[:, snap.outputs] = 1.0
        f[:, snap.inputs] = 0.0
        np.testing.assert_allclose(snap.extra["rate"], x.mean(axis=0), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(snap.extra["balance"], f.mean(axis=0), rtol=1e-6,
                                   atol=1e-9)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_recording_the_supervised_state_does_not_change_the_trajectory(batch_size):
    from types import SimpleNamespace

    from wiring.experiments.jobs import _settled_state
    from wiring.graphs.builders import recurrent
    from wiring.network import Network
    from wiring.train import fit

    rng = np.random.default_rng(0)
    X, Y = rng.random((40, 5)), np.eye(3)[rng.integers(0, 3, 40)]
    graph = recurrent(5, 12, 3, recurrent_density=0.3, seed=0)
    t = SimpleNamespace(rule="balance-exact", tol=1e-8, max_iter=1000, method="auto")
    seen = []
    kw = {"loss": "cross-entropy", "learning_rate": 0.05, "epochs": 3, "seed": 1,
          "batch_size": batch_size, "snapshot_epochs": [0, 1, 2, 3]}
    a, b = Network(graph, seed=0), Network(graph, seed=0)
    fit(a, (X, Y, X[:10], Y[:10]), **kw)
    fit(b, (X, Y, X[:10], Y[:10]), **kw,
        on_snapshot=lambda epoch, step, net: seen.append(_settled_state(net, X[:10], t)))
    assert len(seen) == 4
    np.testing.assert_array_equal(a.weight, b.weight)  # bit for bit
    np.testing.assert_array_equal(a.bias, b.bias)
