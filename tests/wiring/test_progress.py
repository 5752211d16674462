"""Progress bars of fit, simulate, run_sweep and the CLI: drawn on stderr when asked,
with the right total; silent otherwise; never changing a result; closed on errors."""

import re

import numpy as np
import pytest
from tqdm.std import tqdm as std_tqdm

import wiring
from wiring import _progress, runs
from wiring.errors import WiringError
from wiring.experiments.cli import main
from wiring.experiments.sweep import run_sweep
from wiring.graphs.builders import all_to_all, layered


def counts(err):
    """Every 'done/total' a text bar drew."""
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \[", err)]


@pytest.fixture(autouse=True)
def _not_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)


def xor_data():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 3)
    return X, X[:, :1] * X[:, 1:], X[:4], X[:4, :1] * X[:4, 1:]


def fit_once(progress, **kw):
    net = wiring.Network(layered([2, 4, 1]), seed=0)
    res = wiring.fit(net, xor_data(), learning_rate=0.3, epochs=5, seed=1, batch_size=2,
                     progress=progress, snapshot_epochs=[0, 5], **kw)
    return net, res


def same_metrics(a, b):
    drop = {"seconds", "samples_per_second"}
    return [{k: v for k, v in r.items() if k not in drop} for r in a] == \
        [{k: v for k, v in r.items() if k not in drop} for r in b]


def test_fit_bar_has_the_epoch_total_and_changes_nothing(capsys):
    net0, res0 = fit_once(False)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    net1, res1 = fit_once(True)
    shown = capsys.readouterr()
    assert shown.out == ""
    assert shown.err.lstrip("\r").startswith("fit:")
    assert counts(shown.err)[0] == (0, 5) and counts(shown.err)[-1] == (5, 5)
    assert "epoch" in shown.err and "loss=" in shown.err and "test_acc=" in shown.err
    # bit-identical with and without the bar
    assert np.array_equal(net0.weight, net1.weight) and np.array_equal(net0.bias, net1.bias)
    assert same_metrics(res0.metrics, res1.metrics)
    for (e0, s0, w0, b0), (e1, s1, w1, b1) in zip(res0.snapshots, res1.snapshots, strict=True):
        assert (e0, s0) == (e1, s1) and np.array_equal(w0, w1) and np.array_equal(b0, b1)


def test_fit_bar_with_threads_and_batch_kernel(capsys):
    net0, _ = fit_once(False, kernel="batch", threads=1)
    net1, _ = fit_once(True, kernel="batch", threads=1)
    assert counts(capsys.readouterr().err)[-1] == (5, 5)
    assert np.array_equal(net0.weight, net1.weight)


def test_fit_callback_gets_done_and_total():
    seen = []
    fit_once(lambda done, total: seen.append((done, total)))
    assert seen == [(k, 5) for k in range(6)]


def test_auto_is_silent_in_ci_and_off_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(_progress, "_stderr_is_tty", lambda: True)
    fit_once("auto")
    assert counts(capsys.readouterr().err)[-1] == (5, 5)  # a terminal, not CI: drawn
    monkeypatch.setenv("CI", "true")
    fit_once("auto")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CI", "false")  # CI explicitly off: drawn again
    fit_once("auto")
    assert counts(capsys.readouterr().err)[-1] == (5, 5)
    monkeypatch.setattr(_progress, "_stderr_is_tty", lambda: False)  # piped, not Jupyter
    fit_once("auto")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CI", "1")
    fit_once(True)  # asked for explicitly: drawn even in CI
    assert counts(capsys.readouterr().err)[-1] == (5, 5)


@pytest.mark.parametrize("bad", ["yes", 1, 0.5, "Auto"])
def test_bad_progress_is_refused_naming_it(bad):
    with pytest.raises(WiringError, match="`progress`"):
        fit_once(bad)
    with pytest.raises(WiringError, match="`progress`"):
        wiring.simulate(all_to_all(5), learning_rate=0.1, iterations=10, progress=bad)


def test_bar_is_closed_when_fit_raises(capsys):
    def boom(row):
        if row["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit_once(True, on_epoch=boom)
    assert not [b for b in list(std_tqdm._instances) if b.desc == "fit"]
    err = capsys.readouterr().err
    assert counts(err)[-1] == (1, 5) and err.endswith("\n")  # closed: final line ended


def test_simulate_bar_counts_iterations_and_changes_nothing(capsys):
    kw = dict(learning_rate=0.05, iterations=4500, prune=0.5, seed=3, snapshot_at=[0, 4500],
              checkpoint_every=1500)
    a = wiring.simulate(all_to_all(12), **kw)
    assert capsys.readouterr().err == ""
    b = wiring.simulate(all_to_all(12), progress=True, **kw)
    err = capsys.readouterr().err
    assert err.lstrip("\r").startswith("simulate:")
    assert counts(err)[-1] == (4500, 4500)
    assert np.array_equal(a.weight, b.weight) and a.metrics == b.metrics
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a.snapshots, b.snapshots, strict=True))
    seen = []
    wiring.simulate(all_to_all(12), progress=lambda d, t: seen.append((d, t)), **kw)
    # one report per kernel call (chunks of at most 2,000 iterations, cut at checkpoints)
    assert seen == [(1500, 4500), (3000, 4500), (4500, 4500)]


SWEEP = ('[sweep]\nname = "tiny"\nlearning_rates = [0.01, 0.1, 1.0]\nseeds = [0]\n'
         '[task]\nkind = "noise"\n[graph]\nn = 12\n'
         '[simulation]\niterations = 150\nsnapshots = 2\n')


def test_run_sweep_bar_counts_runs_and_changes_nothing(tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text(SWEEP)
    quiet = run_sweep(cfg, tmp_path / "a", workers=1)
    assert capsys.readouterr().err == ""
    shown = run_sweep(cfg, tmp_path / "b", workers=1, progress=True)
    err = capsys.readouterr().err
    assert "sweep tiny" in err and counts(err)[0] == (0, 3) and counts(err)[-1] == (3, 3)
    assert quiet.table["run_id"].tolist() == shown.table["run_id"].tolist()
    for run_id in quiet.table["run_id"]:
        pa = runs.list_snapshots(tmp_path / "a" / "runs" / run_id)
        pb = runs.list_snapshots(tmp_path / "b" / "runs" / run_id)
        assert [p.name for p in pa] == [p.name for p in pb] and len(pa) == 3  # 0, 75, 150
        for x, y in zip(pa, pb, strict=True):
            assert np.array_equal(runs.load_snapshot(x).weight, runs.load_snapshot(y).weight)
    # resumed: the kept runs count as done from the start
    run_sweep(cfg, tmp_path / "b", workers=1, resume=True, progress=True)
    assert set(counts(capsys.readouterr().err)) == {(3, 3)}
    seen = []
    run_sweep(cfg, tmp_path / "c", workers=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_cli_bar_in_a_terminal_only(tmp_path, capsys, monkeypatch):
    args = ["train", "--set", "task.kind='noise'", "--set", "graph.n=12",
            "--set", "simulation.iterations=300", "--set", "simulation.snapshots=1"]
    monkeypatch.setattr(_progress, "_stderr_is_tty", lambda: True)
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    assert "simulate" in captured.err and counts(captured.err)[-1] == (300, 300)
    assert "status: ok" in captured.out
    assert main([*args, "--out", str(tmp_path / "b"), "-q"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CI", "true")
    assert main([*args, "--out", str(tmp_path / "c")]) == 0
    assert capsys.readouterr().err == ""
    w = [runs.load_snapshot(runs.list_snapshots(tmp_path / d)[-1]).weight for d in "abc"]
    assert np.array_equal(w[0], w[1]) and np.array_equal(w[0], w[2])
