"""Sweeps on Dask distributed: a LocalCluster on loopback, results bit-identical to local runs."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from wiring import runs
from wiring.errors import WiringError
from wiring.experiments._dask import _check_shared, config_hash, run_task, task_key
from wiring.experiments.sweep import expand, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[2]

# noise (both pruning modes) and supervised runs: 5 runs of well under a second each
SWEEP = """
[sweep]
name = "d"
learning_rates = [0.01, 0.1]
seeds = [0]

[sweep.groups.noise]
prunes = [0.0, 0.5]

[sweep.groups.noise.task]
kind = "noise"

[sweep.groups.noise.graph]
n = 20

[sweep.groups.noise.simulation]
iterations = 200
snapshots = 2
pruning = "structural"

[sweep.groups.digits]
learning_rates = [0.05]

[sweep.groups.digits.graph]
hidden = 10

[sweep.groups.digits.train]
epochs = 1
snapshot_epochs = [0, 1]
"""
RUN_IDS = ["noise__lr0.01_s0_p0", "noise__lr0.1_s0_p0", "noise__lr0.01_s0_p0.5",
           "noise__lr0.1_s0_p0.5", "digits__lr0.05_s0"]
ALL_OK = {"ok": 5, "unstable": 0, "failed": 0, "skipped": 0}


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("dask") / "sweep.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def cluster():
    from wiring.experiments._dask import warm_up

    warm_up()  # fill numba's on-disk cache once, rather than in both workers at once
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        yield cluster, client


@pytest.fixture(scope="module")
def local_one(sweep_file, tmp_path_factory):
    """The reference: every run in this process, one after the other."""
    out = tmp_path_factory.mktemp("local") / "one"
    assert run_sweep(sweep_file, out, workers=1).counts == ALL_OK
    return out


def assert_same_weights(a: Path, b: Path) -> None:
    """Every snapshot of every run of sweep ``a`` equals sweep ``b``'s, bit for bit."""
    for run_id in RUN_IDS:
        sa = runs.list_snapshots(a / "runs" / run_id)
        sb = runs.list_snapshots(b / "runs" / run_id)
        assert [p.name for p in sa] == [p.name for p in sb] and len(sa) >= 2, run_id
        for pa, pb in zip(sa, sb, strict=True):
            x, y = runs.load_snapshot(pa), runs.load_snapshot(pb)
            assert np.array_equal(x.weight, y.weight), (run_id, pa.name)
            assert np.array_equal(x.bias, y.bias), (run_id, pa.name)
            assert np.array_equal(x.src, y.src) and np.array_equal(x.dst, y.dst)


def assert_complete(out: Path) -> pd.DataFrame:
    table = pd.read_parquet(out / "sweep_status.parquet")
    assert table["run_id"].tolist() == RUN_IDS
    assert (table["status"] == "ok").all() and (table["seconds"] > 0).all()
    assert pd.read_csv(out / "sweep_status.csv")["status"].tolist() == ["ok"] * 5
    names = sorted(p.name for p in (out / "runs").iterdir())
    assert names == sorted(RUN_IDS)  # no .tmp-* attempt, probe or marker left
    assert not list(out.glob(".*.tmp"))
    return table


def test_api_sweep_on_dask_equals_local_runs(sweep_file, cluster, local_one, tmp_path):
    cl, client = cluster
    out = tmp_path / "dask"
    seen = []
    res = run_sweep(sweep_file, out, scheduler=cl.scheduler_address,
                    progress=lambda done, total: seen.append((done, total)))
    assert res.counts == ALL_OK and seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert res.table["run_id"].tolist() == RUN_IDS
    assert_complete(out)
    extra = runs.read_provenance(out)["extra"]
    assert (extra["executor"], extra["scheduler"], extra["dask_workers"]) == (
        "dask", cl.scheduler_address, 2)
    assert_same_weights(out, local_one)
    # one task per run, keyed by the run's configuration hash
    keys = client.run_on_scheduler(lambda dask_scheduler: sorted(
        {str(e[0]) for e in dask_scheduler.transition_log
         if str(e[0]).startswith("wiring-run-")}))
    for spec in expand(load_sweep(sweep_file)):
        prefix = f"wiring-run-{config_hash(spec.config)[:16]}-"
        assert any(re.fullmatch(rf"{prefix}[0-9a-f]{{8}}", k) for k in keys), spec.run_id
    spec = expand(load_sweep(sweep_file))[0]
    a = task_key(spec, out / "runs", "t1")
    assert a == task_key(spec, out / "runs", "t1") != task_key(spec, out / "runs", "t2")
    assert a != task_key(spec, tmp_path / "elsewhere", "t1")
    # the kernels were compiled by the warm-up plugin on every worker
    plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert all("wiring-warm-up" in names for names in plugins.values())


def test_cli_sweep_on_dask_via_env_var_equals_local_pool(sweep_file, cluster, local_one,
                                                          tmp_path):
    cl, _ = cluster
    two = tmp_path / "two"  # local process pool, for the three-way comparison
    assert run_sweep(sweep_file, two, workers=2).counts == ALL_OK
    assert runs.read_provenance(two)["extra"]["executor"] == "processes"
    out = tmp_path / "cli"
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": cl.scheduler_address}
    proc = subprocess.run([sys.executable, "-m", "wiring.experiments.cli", "sweep", str(sweep_file),
                           "--out", str(out), "--no-report", "-q"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "ok: 5" in proc.stdout
    assert_complete(out)
    assert runs.read_provenance(out)["extra"]["scheduler"] == cl.scheduler_address
    assert_same_weights(out, local_one)
    assert_same_weights(two, local_one)
    # resuming through the flag keeps everything
    proc = subprocess.run([sys.executable, "-m", "wiring.experiments.cli", "sweep", str(sweep_file),
                           "--out", str(out), "--no-report", "-q", "--resume",
                           "--scheduler", cl.scheduler_address],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert pd.read_parquet(out / "sweep_status.parquet")["resumed"].all()


def test_in_process_repeat_is_bit_identical(sweep_file, local_one, tmp_path):
    again = tmp_path / "again"
    assert run_sweep(sweep_file, again, workers=1).counts == ALL_OK
    assert_same_weights(again, local_one)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_scheduler_there_is_a_clear_error_not_a_hang(sweep_file, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    out = tmp_path / "out"
    start = time.monotonic()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(WiringError, match=rf"{re.escape(address)}.*within 1 s"):
        run_sweep(sweep_file, out, scheduler=address)
    assert time.monotonic() - start < 15
    assert not out.exists()  # nothing left behind: the same command works once it is up


def test_a_server_that_is_not_a_scheduler_times_out(sweep_file, tmp_path):
    # accepts connections and never answers, like a wrong port of another service
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        start = time.monotonic()
        with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
                pytest.raises(WiringError, match=re.escape(address)):
            run_sweep(sweep_file, tmp_path / "out", scheduler=address)
        assert time.monotonic() - start < 15


@pytest.mark.parametrize("address", ["nonsense", "foo://x:1", "tcp://host-without-port", "  "])
def test_malformed_scheduler_address(sweep_file, tmp_path, address):
    with pytest.raises(WiringError, match="scheduler"):
        run_sweep(sweep_file, tmp_path / "out", scheduler=address)


def test_a_worker_address_is_not_a_scheduler(sweep_file, cluster, tmp_path):
    cl, client = cluster
    worker = next(iter(client.scheduler_info()["workers"]))
    with pytest.raises(WiringError, match=r"answers as a Dask Worker, not a scheduler"):
        run_sweep(sweep_file, tmp_path / "out", scheduler=worker)


def test_a_worker_that_cannot_see_the_directory_is_named(sweep_file, tmp_path):
    # what each worker runs before the first task, and each task before its run
    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    (runs_dir / ".tmp-shared-x").write_text("token")
    assert _check_shared(str(runs_dir), ".tmp-shared-x", "token") == ""
    assert "another sweep" in _check_shared(str(runs_dir), ".tmp-shared-x", "other")
    elsewhere = str(tmp_path / "not-shared" / "runs")
    assert f"cannot read {elsewhere}" in _check_shared(elsewhere, ".tmp-shared-x", "token")
    spec = expand(load_sweep(sweep_file))[0]
    row = run_task(spec, elsewhere, ".tmp-shared-x")
    assert row["status"] == "failed" and "filesystem every worker shares" in row["reason"]
    assert not (tmp_path / "not-shared").exists()  # nothing written on the worker's own disk


def test_cli_scheduler_local_overrides_the_env_var(sweep_file, tmp_path, monkeypatch):
    from wiring.experiments.cli import _scheduler_address

    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    assert _scheduler_address(None) == "tcp://127.0.0.1:1"
    assert _scheduler_address("local") is None
    assert _scheduler_address("tcp://h:2") == "tcp://h:2"
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    assert _scheduler_address(None) is None


def test_warm_up_compiles_what_the_runs_use(sweep_file, tmp_path):
    """After the worker warm-up, running the sweep's runs compiles no new kernel."""
    code = f"""
import importlib, pkgutil
from numba.core.dispatcher import Dispatcher
import wiring.kernels
from wiring.experiments._dask import warm_up
from wiring.experiments.sweep import run_sweep

def signatures():
    out = {{}}
    for info in pkgutil.iter_modules(wiring.kernels.__path__):
        mod = importlib.import_module("wiring.kernels." + info.name)
        for name, obj in vars(mod).items():
            if isinstance(obj, Dispatcher):
                out[info.name + "." + name] = len(obj.signatures)
    return out

warm_up()
before = signatures()
assert sum(before.values()) > 0
run_sweep({str(sweep_file)!r}, {str(tmp_path / "out")!r}, workers=1)
after = signatures()
new = {{k: (before.get(k, 0), v) for k, v in after.items() if v != before.get(k, 0)}}
assert not new, f"compiled after the warm-up: {{new}}"
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_ctrl_c_style_abort_cancels_and_keeps_finished_rows(sweep_file, cluster, tmp_path):
    """An exception in the sweep process (here: the progress callback) stops the sweep;
    the status table stays consistent and a resume on the cluster finishes it."""
    cl, _ = cluster
    out = tmp_path / "out"
    calls = threading.Event()

    def progress(done, total):
        if done == 1:
            calls.set()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep_file, out, scheduler=cl.scheduler_address, progress=progress)
    assert calls.is_set()
    table = pd.read_parquet(out / "sweep_status.parquet")
    assert set(table["status"]) <= {"ok", "skipped"} and (table["status"] == "ok").any()
    # the runs in progress were waited for: every run on disk is in the table, no attempt
    # is left half-written, and none finishes behind the resume's back
    on_disk = sorted(p.name for p in (out / "runs").iterdir())
    assert on_disk == sorted(table.loc[table["status"] == "ok", "run_id"])
    res = run_sweep(sweep_file, out, resume=True, scheduler=cl.scheduler_address)
    assert res.counts == ALL_OK
    assert_complete(out)


def test_a_failing_run_is_recorded_failed_on_dask_like_locally(cluster, tmp_path):
    cl, _ = cluster
    path = tmp_path / "f.toml"
    path.write_text("""
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
iterations = 100
snapshots = 2
""")
    on_dask = run_sweep(path, tmp_path / "dask", scheduler=cl.scheduler_address)
    local = run_sweep(path, tmp_path / "local", workers=1)
    assert on_dask.counts == local.counts == {"ok": 1, "unstable": 0, "failed": 1, "skipped": 0}
    columns = ["run_id", "status", "reason"]
    assert on_dask.table[columns].equals(local.table[columns])  # not retried: failed once
    assert "/nonexistent/data.npz" in on_dask.table.set_index("run_id").loc["bad__lr0.05_s0",
                                                                               "reason"]
    assert runs.read_status(tmp_path / "dask" / "runs" / "bad__lr0.05_s0")["status"] == "failed"
