"""Sweeps: grid expansion, config errors, output safety, failures, resume after a kill, parallel."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from wiring import runs
from wiring.errors import ConfigError, WiringError
from wiring.experiments.sweep import DEFAULT_SWEEP, expand, load_sweep, run_sweep
from wiring.runs import provenance

ROOT = Path(__file__).resolve().parents[2]

TINY_NOISE = """
[sweep]
name = "tiny"
learning_rates = [0.01, 0.1]
seeds = [0, 1]

[task]
kind = "noise"

[graph]
n = 20

[simulation]
iterations = 200
snapshots = 2
"""


def write(tmp_path, text, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def finished_runs(runs_dir):
    return sorted(p.name for p in runs_dir.iterdir() if not p.name.startswith("."))


# --------------------------------------------------------------------------- expansion


def test_default_sweep_grid():
    sweep = load_sweep()
    assert load_sweep(None) == sweep and "[sweep.groups.noise]" in DEFAULT_SWEEP
    specs = expand(sweep)
    assert len(specs) == 6 * 3 + 3 * 1
    assert len({s.run_id for s in specs}) == len(specs)
    noise = [s for s in specs if s.group == "noise"]
    lrs = sorted({s.params["learning_rate"] for s in noise})
    np.testing.assert_allclose(lrs, np.logspace(-4, 4, 6))
    assert np.allclose(np.diff(np.log10(lrs)), 1.6)  # log-spaced
    assert sorted({s.params["seed"] for s in noise}) == [0, 1, 2]
    for s in noise:
        c = s.config
        assert c.task.kind == "noise" and c.simulation.learning_rate == s.params["learning_rate"]
        assert c.task.seed == s.params["seed"]
        assert (c.graph.family, c.graph.n, c.graph.self_loops) == ("all-to-all", 300, True)
        assert (c.simulation.prune, c.simulation.pruning, c.simulation.snapshots) == (
            0.9, "regrow", 5)
    digits = [s for s in specs if s.group == "digits"]
    assert [s.config.train.learning_rate for s in digits] == [0.003, 0.03, 0.3]
    assert {(s.config.task.kind, s.config.graph.hidden, s.config.train.epochs)
            for s in digits} == {("supervised", 60, 3)}
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", s.run_id) for s in specs)


def test_axes_groups_and_inheritance(tmp_path):
    path = write(tmp_path, """
[sweep]
name = "multi"
seeds = [3]
learning_rates = [0.5]

[train]
epochs = 1
snapshot_epochs = [0, 1]

[graph]
hidden = 10

[sweep.groups.rules]
rules = ["balance", "fa"]
lr_min = 0.001
lr_max = 0.1
lr_count = 3

[sweep.groups.noise]
prunes = [0.0, 0.5]
graph_families = ["all-to-all", "erdos-renyi"]
seeds = [0, 1]

[sweep.groups.noise.task]
kind = "noise"

[sweep.groups.noise.graph]
n = 20
""")
    specs = expand(load_sweep(path))
    by_group = {g: [s for s in specs if s.group == g] for g in ("rules", "noise")}
    assert len(by_group["rules"]) == 2 * 3 * 1 and len(by_group["noise"]) == 2 * 2 * 1 * 2
    assert len({s.run_id for s in specs}) == len(specs)
    r = by_group["rules"]
    assert [s.run_id for s in r[:3]] == ["rules__lr0.001_s3_rbalance", "rules__lr0.01_s3_rbalance",
                                         "rules__lr0.1_s3_rbalance"]
    assert {s.config.train.rule for s in r} == {"balance", "fa"}
    assert all(s.config.train.learning_rate == s.params["learning_rate"] for s in r)
    assert all(s.config.graph.hidden == 10 and s.config.train.epochs == 1 for s in r)
    n = by_group["noise"]
    assert n[0].run_id == "noise__lr0.5_s0_gall-to-all_p0"
    assert set(n[0].params) == {"learning_rate", "seed", "graph_family", "prune"}
    assert {(s.config.graph.family, s.config.simulation.prune) for s in n} == {
        ("all-to-all", 0.0), ("all-to-all", 0.5), ("erdos-renyi", 0.0), ("erdos-renyi", 0.5)}
    assert all(s.config.simulation.learning_rate == 0.5 and s.config.graph.n == 20 for s in n)
    assert all(s.config.train.learning_rate == 0.02 for s in n)  # default, untouched


def test_group_without_groups_is_named_after_the_sweep(tmp_path):
    specs = expand(load_sweep(write(tmp_path, TINY_NOISE)))
    assert [s.run_id for s in specs] == ["tiny__lr0.01_s0", "tiny__lr0.01_s1",
                                         "tiny__lr0.1_s0", "tiny__lr0.1_s1"]


@pytest.mark.parametrize(("text", "key"), [
    ("[sweep]\nseed = [1]\n", "'sweep.seed'"),
    ("[sweep]\nlearning_rates = 0.1\n", "'sweep.learning_rates'"),
    ("[sweep]\nseeds = [0.5]\n", "'sweep.seeds'"),
    ("[sweep]\nworkers = \"2\"\n", "'sweep.workers'"),
    ("[sweep]\nlearning_rates = [0.1]\nlr_count = 3\n", "'sweep.learning_rates'"),
    ("[sweep]\nlr_min = 0\n", "'sweep.lr_min'"),
    ("[sweep]\nlearning_rates = [0.1, 0.1]\n", "'sweep.learning_rates"),
    ("[sweep]\nlearning_rates = [0.001, 0.0010001]\n", "'sweep.learning_rates"),
    ("[sweep]\nprunes = [0.5, 0.50001]\n", "'sweep.prunes'"),
    ("[sweep]\nseeds = []\n", "'sweep.seeds'"),
    ("[sweep]\nname = \"a/b\"\n", "'sweep.name'"),
    ("[sweep.groups.a]\nfoo = 1\n", "'sweep.groups.a.foo'"),
    ("[sweep.groups.a.simulation]\niterations = \"many\"\n",
     "'sweep.groups.a.simulation.iterations'"),
    ("[sweep.groups.a]\ntask = 3\n", "[sweep.groups.a.task]"),
    ("[sweep]\nrules = [\"nope\"]\n", "train.rule"),
    ("[sweep]\n[bogus]\nx = 1\n", "'bogus'"),
    ("[train]\nepochs = 1\n", "no [sweep] table"),
    ("[sweep\n", "invalid TOML"),
])
def test_config_errors_name_file_and_key(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(str(path))) as info:
        load_sweep(path)
    assert key in str(info.value)


def test_missing_sweep_file(tmp_path):
    with pytest.raises(ConfigError, match="nope.toml"):
        load_sweep(tmp_path / "nope.toml")


# --------------------------------------------------------------------------- running


def test_run_layout_resolved_config_and_refusal(tmp_path):
    out = tmp_path / "out"
    seen = []
    res = run_sweep(write(tmp_path, TINY_NOISE), out, workers=1,
                    progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    assert res.counts == {"ok": 4, "unstable": 0, "failed": 0, "skipped": 0}
    assert finished_runs(out / "runs") == sorted(res.table["run_id"])
    assert {p.name for p in out.iterdir()} >= {"sweep.toml", "provenance.json", "runs",
                                                "sweep_status.parquet", "sweep_status.csv"}
    import pandas as pd

    table = pd.read_parquet(out / "sweep_status.parquet")
    assert list(table.columns) == ["run_id", "group", "learning_rate", "seed", "status",
                                   "reason", "seconds", "resumed"]
    assert (table["seconds"] > 0).all() and not table["resumed"].any()
    assert runs.read_provenance(out)["extra"]["job"] == "sweep"
    # the resolved sweep.toml reads back to the same runs
    again = expand(load_sweep(out / "sweep.toml"))
    assert [(s.run_id, s.config) for s in again] == [
        (s.run_id, s.config) for s in expand(load_sweep(tmp_path / "sweep.toml"))]
    cfg = runs.read_config(out / "runs" / "tiny__lr0.1_s1")
    assert cfg["simulation"]["learning_rate"] == 0.1 and cfg["task"]["seed"] == 1
    # never overwrite silently
    with pytest.raises(WiringError, match=rf"{re.escape(str(out))}.*--resume"):
        run_sweep(tmp_path / "sweep.toml", out, workers=1)
    # resuming with another configuration is refused
    other = write(tmp_path, TINY_NOISE.replace("[0.01, 0.1]", "[0.02]"), "other.toml")
    with pytest.raises(WiringError, match="different sweep configuration"):
        run_sweep(other, out, resume=True, workers=1)
    (tmp_path / "file").write_text("x")
    with pytest.raises(WiringError, match="not a directory"):
        run_sweep(tmp_path / "sweep.toml", tmp_path / "file", workers=1)


def test_failed_run_is_recorded_and_the_sweep_continues(tmp_path):
    path = write(tmp_path, """
[sweep]
name = "f"
learning_rates = [0.05]
seeds = [0]

[sweep.groups.bad.data]
name = "npz"
path = "/nonexistent/data.npz"

[sweep.groups.noise.task]
kind = "noise"

[sweep.groups.noise.graph]
n = 20

[sweep.groups.noise.simulation]
iterations = 200
snapshots = 2
""")
    res = run_sweep(path, tmp_path / "out", workers=1)
    rows = res.table.set_index("run_id")
    assert rows.loc["bad__lr0.05_s0", "status"] == "failed"
    assert "/nonexistent/data.npz" in rows.loc["bad__lr0.05_s0", "reason"]
    assert rows.loc["noise__lr0.05_s0", "status"] == "ok"
    assert res.counts["failed"] == 1 and res.counts["ok"] == 1
    status = runs.read_status(tmp_path / "out" / "runs" / "bad__lr0.05_s0")
    assert status["status"] == "failed"  # the failed run directory was kept, with its status


def test_resume_after_a_killed_sweep(tmp_path):
    path = write(tmp_path, TINY_NOISE.replace("seeds = [0, 1]", "seeds = [0, 1, 2, 3]")
                 .replace("n = 20", "n = 120").replace("iterations = 200", "iterations = 6000"))
    out = tmp_path / "out"
    code = (f"from wiring.experiments.sweep import run_sweep; "
            f"run_sweep({str(path)!r}, {str(out)!r}, workers=1)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "runs").is_dir() and len(finished_runs(out / "runs")) >= 2:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep finished (or died) before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = finished_runs(out / "runs")
    assert 2 <= len(before) < 8
    stamps = {}
    for name in before:
        run = out / "runs" / name
        assert runs.read_status(run) is not None
        (run / "marker").write_text("kept")
        stamps[name] = (run / "status.json").stat().st_mtime_ns
    (out / "runs" / ".tmp-tiny__lr0.1_s3-999999").mkdir()  # a stale one for sure
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts == {"ok": 8, "unstable": 0, "failed": 0, "skipped": 0}
    after = finished_runs(out / "runs")
    assert after == sorted(res.table["run_id"]) and len(after) == 8
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".tmp-")]
    for name in before:  # finished before the kill: not redone
        run = out / "runs" / name
        assert (run / "marker").read_text() == "kept"
        assert (run / "status.json").stat().st_mtime_ns == stamps[name]
    resumed = dict(zip(res.table["run_id"], res.table["resumed"], strict=True))
    assert {k for k, v in resumed.items() if v} == set(before)
    for name in after:
        assert len(runs.list_snapshots(out / "runs" / name)) == 3


def test_resume_keeps_the_producing_commit_and_adds_its_own(tmp_path, monkeypatch):
    path = write(tmp_path, TINY_NOISE.replace("iterations = 200", "iterations = 20"))
    out = tmp_path / "out"
    monkeypatch.setattr(provenance, "_git_state", lambda d: ("a" * 40, False))
    run_sweep(path, out, workers=1)
    victim = out / "runs" / "tiny__lr0.1_s1"
    shutil.rmtree(victim)  # as if the sweep had been killed before this run finished
    kept = sorted(p.name for p in (out / "runs").iterdir())
    before = {name: (out / "runs" / name / "provenance.json").read_bytes() for name in kept}
    monkeypatch.setattr(provenance, "_git_state", lambda d: ("b" * 40, True))
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts["ok"] == 4
    for run_id in res.table["run_id"]:
        p = runs.read_provenance(out / "runs" / run_id)
        assert set(p) >= {"produced_by", "resumed_by", "cpu", "numba_target"}
        assert p["resumed_by"] == []
        if run_id == victim.name:  # produced by the resume
            assert p["produced_by"] == "b" * 40
        else:  # kept as it was, byte for byte
            assert p["produced_by"] == p["git_commit"] == "a" * 40
            assert (out / "runs" / run_id / "provenance.json").read_bytes() == before[run_id]
    top = runs.read_provenance(out)
    assert top["produced_by"] == "a" * 40 and top["git_commit"] == "b" * 40
    (entry,) = top["resumed_by"]
    assert entry["commit"] == "b" * 40 and entry["dirty"] is True
    assert entry["kept"] == kept and entry["ran"] == [victim.name]


def test_parallel_equals_serial(tmp_path):
    text = TINY_NOISE + """
[sweep.groups.noise]

[sweep.groups.digits]
learning_rates = [0.05]
seeds = [0]

[sweep.groups.digits.task]
kind = "supervised"

[sweep.groups.digits.graph]
hidden = 10

[sweep.groups.digits.train]
epochs = 1
snapshot_epochs = [0, 1]
"""
    path = write(tmp_path, text)
    one = run_sweep(path, tmp_path / "one", workers=1)
    two = run_sweep(path, tmp_path / "two", workers=2)
    assert one.counts == two.counts == {"ok": 5, "unstable": 0, "failed": 0, "skipped": 0}
    assert runs.read_provenance(tmp_path / "two")["extra"]["start_method"] != "in-process"
    for run_id in one.table["run_id"]:
        a = runs.list_snapshots(tmp_path / "one" / "runs" / run_id)
        b = runs.list_snapshots(tmp_path / "two" / "runs" / run_id)
        assert [p.name for p in a] == [p.name for p in b] and len(a) >= 2
        for pa, pb in zip(a, b, strict=True):
            sa, sb = runs.load_snapshot(pa), runs.load_snapshot(pb)
            assert np.array_equal(sa.weight, sb.weight) and np.array_equal(sa.bias, sb.bias)


@pytest.mark.parametrize(("kind", "axis"), [("noise", "rules = ['fa', 'dfa']"),
                                            ("supervised", "prunes = [0.5, 0.9]")])
def test_axes_the_task_ignores_are_refused(tmp_path, kind, axis):
    from wiring.errors import ConfigError
    from wiring.experiments.sweep import expand, load_sweep

    p = tmp_path / "s.toml"
    p.write_text(f"[sweep]\nname = 'a'\nlearning_rates = [0.1]\nseeds = [0]\n{axis}\n"
                 f"[task]\nkind = '{kind}'\n")
    with pytest.raises(ConfigError, match=r"s\.toml.*(rules|prunes)"):
        expand(load_sweep(p))


def test_resume_a_sweep_written_before_newer_config_keys(tmp_path):
    """A sweep.toml lacking keys added later (at their defaults) still resumes; a new key
    set away from its default is still a different sweep."""
    path = write(tmp_path, TINY_NOISE)
    out = tmp_path / "out"
    run_sweep(path, out, workers=1)
    sweep_file = out / "sweep.toml"
    text = sweep_file.read_text()
    old = re.sub(r'^(kernel|dtype|threads) = .*\n', "", text, flags=re.M)
    assert old != text
    sweep_file.write_text(old)
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts["ok"] + res.counts["unstable"] == 4
    assert res.table["resumed"].all()
    changed = write(tmp_path, TINY_NOISE + '\n[train]\ndtype = "float32"\ntol = 1e-5\n', "b.toml")
    with pytest.raises(WiringError, match="different sweep"):
        run_sweep(changed, out, resume=True, workers=1)


# --------------------------------------------------------------------------- bounds


def _many(n, fmt="{}"):
    return "[" + ", ".join(fmt.format(i) for i in range(n)) + "]"


@pytest.mark.parametrize(("text", "key"), [
    ("[sweep]\nlr_count = 100000000000\n", "'sweep.lr_count' gives 100,000,000,000 values"),
    ("[sweep]\nlr_min = 1e-4\nlr_max = 1e4\nlr_count = 1001\n", "'sweep.lr_count'"),
    (f"[sweep]\nlearning_rates = {_many(1001, '{}.5')}\n", "'sweep.learning_rates' gives 1,001"),
    (f"[sweep]\nseeds = {_many(1001)}\n", "'sweep.seeds' gives 1,001"),
    (f"[sweep.groups.a]\nseeds = {_many(2000)}\n", "'sweep.groups.a.seeds' gives 2,000"),
    (f"[sweep]\nrules = {_many(1001, chr(34) + 'r{}' + chr(34))}\n", "'sweep.rules'"),
    (f"[sweep]\nprunes = {_many(1001, '0.{}')}\n", "'sweep.prunes'"),
    (f"[sweep]\ngraph_families = {_many(1001, chr(34) + 'f{}' + chr(34))}\n",
     "'sweep.graph_families'"),
])
def test_every_grid_axis_is_bounded(tmp_path, text, key):
    from wiring.experiments.grid import MAX_AXIS_VALUES

    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(str(path))) as info:
        load_sweep(path)
    assert key in str(info.value)
    assert f"{MAX_AXIS_VALUES:,}" in str(info.value) and "MAX_AXIS_VALUES" in str(info.value)


def test_the_total_number_of_runs_is_bounded_before_expanding(tmp_path):
    import dataclasses

    from wiring.experiments import grid

    # 1,000 learning rates x 101 seeds = 101,000 runs: refused at once, none expanded
    path = write(tmp_path, "[sweep]\nlr_min = 1e-4\nlr_max = 1e4\nlr_count = 1000\n"
                           f"seeds = {_many(101)}\n[task]\nkind = 'noise'\n")
    start = time.perf_counter()
    with pytest.raises(ConfigError, match=re.escape(str(path))) as info:
        load_sweep(path)
    assert time.perf_counter() - start < 5
    msg = str(info.value)
    assert "101,000 runs" in msg and "100,000" in msg and "MAX_RUNS" in msg
    assert "1,000 learning_rates x 101 seeds" in msg
    # a parsed sweep changed in code is checked too
    sweep = load_sweep(write(tmp_path, "[sweep]\nlearning_rates = [0.1]\nseeds = [0]\n"
                                       "[task]\nkind = 'noise'\n", "ok.toml"))
    big = dataclasses.replace(sweep, groups=(dataclasses.replace(
        sweep.groups[0], seeds=tuple(range(grid.MAX_AXIS_VALUES + 1))),))
    with pytest.raises(ConfigError, match=r"sweep\.groups\.sweep\.seeds' gives 1,001"):
        expand(big)
    assert grid.MAX_RUNS == 100_000 and grid.MAX_AXIS_VALUES == 1_000
