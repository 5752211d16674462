"""Fault tolerance of sweeps: a killed sweep, a killed Dask worker, an unusable output directory.

Each fault is real where a test can make it real (SIGKILL of a process group or of a
worker process, a read-only directory) and simulated where it cannot (a full disk:
the preflight's write or free-space probe fails).
"""

import collections
import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import psutil
import pytest

from wiring import runs
from wiring.errors import WiringError
from wiring.experiments.sweep import expand, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]

# six runs of about a second each: long enough to be killed in the middle of one
SLOW = """
[sweep]
name = "k"
learning_rates = [0.01, 0.1]
seeds = [0, 1, 2]

[task]
kind = "noise"

[graph]
n = 120

[simulation]
iterations = 6000
snapshots = 2
"""
TINY = """
[sweep]
name = "t"
learning_rates = [0.01, 0.1]
seeds = [0]

[task]
kind = "noise"

[graph]
n = 20

[simulation]
iterations = 100
snapshots = 2
"""
# a run attempt in progress: runs/.tmp-<run_id>-<pid>-<6 hex>
ATTEMPT = re.compile(r"\.tmp-(?P<run>.+)-(?P<pid>\d+)-[0-9a-f]{6}")


@pytest.fixture(scope="module", autouse=True)
def kernels_in_the_disk_cache():
    """Compile the kernels here first: a worker then loads them from numba's on-disk cache
    instead of compiling for a minute or more (after a kernel changed), which would make
    the timing of the kills below meaningless."""
    from wiring.experiments._dask import warm_up

    warm_up()


def write(tmp_path, text, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def finished(runs_dir: Path) -> list[str]:
    return sorted(p.name for p in runs_dir.iterdir() if not p.name.startswith("."))


def attempts(runs_dir: Path) -> list[re.Match]:
    if not runs_dir.is_dir():
        return []
    return [m for p in runs_dir.iterdir() if (m := ATTEMPT.fullmatch(p.name))]


def fingerprint(run: Path) -> dict:
    """Content hash and mtime of every file of a run directory, and the directories' mtimes."""
    out = {".": run.stat().st_mtime_ns}
    for path in sorted(run.rglob("*")):
        key = str(path.relative_to(run))
        if path.is_dir():
            out[key] = path.stat().st_mtime_ns
        else:
            out[key] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


def leftovers(out: Path) -> list[Path]:
    """Half-written things: attempt directories, probes, markers, atomic-write temp files."""
    return [p for p in out.rglob("*")
            if p.name.startswith(".tmp-") or (p.name.startswith(".") and p.name.endswith(".tmp"))]


def wait_group_gone(pgid: int, timeout: float = 20.0) -> None:
    """Until no live process of the group is left (zombies awaiting their parent do not write)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for proc in psutil.process_iter(["pid", "status"]):
            try:
                if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                    alive.append(proc.pid)
            except (ProcessLookupError, psutil.Error):
                continue
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes of group {pgid} still alive: {alive}")


def same_weights(a: Path, b: Path) -> bool:
    sa, sb = runs.list_snapshots(a), runs.list_snapshots(b)
    assert [p.name for p in sa] == [p.name for p in sb] and len(sa) >= 2
    return all(np.array_equal(runs.load_snapshot(x).weight, runs.load_snapshot(y).weight)
               and np.array_equal(runs.load_snapshot(x).bias, runs.load_snapshot(y).bias)
               for x, y in zip(sa, sb, strict=True))


# --------------------------------------------------------------------------- killed sweep


def sweep_cmd(path: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "wiring.experiments.cli", "sweep", str(path), "--out", str(out),
            "--no-report", "-q", "--workers", "2", *extra]


def test_killed_sweep_resumes_without_losing_redoing_or_leaving_partial_files(tmp_path):
    path = write(tmp_path, SLOW)
    out = tmp_path / "out"
    runs_dir = out / "runs"
    # its own session: SIGKILL reaches the sweep, the forkserver and every pool worker
    proc = subprocess.Popen(sweep_cmd(path, out), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if runs_dir.is_dir() and 1 <= len(finished(runs_dir)) < 6 and attempts(runs_dir):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the sweep ended before it could be killed: " + (
            proc.stderr.read().decode()[-2000:])
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
        proc.stderr.close()
    wait_group_gone(proc.pid)
    before = finished(runs_dir)
    half = [m.group("run") for m in attempts(runs_dir)]
    assert 1 <= len(before) < 6 and half, (before, half)  # killed mid-sweep, mid-run
    assert not set(half) & set(before)
    prints = {name: fingerprint(runs_dir / name) for name in before}
    for name in before:
        assert runs.read_status(runs_dir / name)["status"] == "ok"
    # what a kill during a status-table write leaves beside the table
    (out / ".sweep_status.parquet.k1ll3d.tmp").write_bytes(b"PAR1 half a table")

    proc = subprocess.run(sweep_cmd(path, out, "--resume"), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ok: 6" in proc.stdout
    table = pd.read_parquet(out / "sweep_status.parquet")
    assert (table["status"] == "ok").all() and len(table) == 6
    resumed = set(table.loc[table["resumed"], "run_id"])
    assert resumed == set(before)  # kept, not redone
    assert finished(runs_dir) == sorted(table["run_id"])
    for name in before:  # no finished run lost or touched
        assert fingerprint(runs_dir / name) == prints[name], name
    for name in finished(runs_dir):  # every run complete under its final name
        assert len(runs.list_snapshots(runs_dir / name)) == 3
        assert runs.read_status(runs_dir / name)["status"] == "ok"
        assert runs.read_metrics(runs_dir / name).shape[0] >= 1
    assert not leftovers(out), leftovers(out)
    assert runs.read_provenance(out)["extra"]["kept"] == len(before)


# --------------------------------------------------------------------------- Dask workers


def kill_a_worker_mid_run(client, runs_dir: Path, timeout: float = 180.0) -> tuple[str, int]:
    """SIGKILL the worker process holding a run attempt (its pid is in the attempt's name)."""
    pids = set(client.run(os.getpid).values())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in attempts(runs_dir):
            pid = int(m.group("pid"))
            if pid in pids and not (runs_dir / m.group("run")).exists():
                os.kill(pid, signal.SIGKILL)
                return m.group("run"), pid
        time.sleep(0.005)
    raise AssertionError("no run attempt on a worker appeared")


def sweep_in_thread(*args, **kwargs):
    result = {}

    def target():
        try:
            result["value"] = run_sweep(*args, **kwargs)
        except BaseException as exc:  # handed to the test thread
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, result


@pytest.fixture
def make_cluster():
    from distributed import Client, LocalCluster

    made = []

    def make(**config):
        with dask.config.set(config):
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=":0")
        client = Client(cluster)
        made.append((cluster, client))
        return cluster, client

    yield make
    for cluster, client in made:
        client.close()
        cluster.close()


def test_dask_worker_killed_mid_run_is_retried_and_the_sweep_completes(tmp_path, make_cluster):
    cluster, client = make_cluster()
    path = write(tmp_path, SLOW.replace("seeds = [0, 1, 2]", "seeds = [0, 1]"))
    out = tmp_path / "dask"
    thread, result = sweep_in_thread(path, out, scheduler=cluster.scheduler_address)
    killed, pid = kill_a_worker_mid_run(client, out / "runs")
    thread.join(300)
    assert not thread.is_alive() and "error" not in result, result.get("error")
    res = result["value"]
    assert res.counts == {"ok": 4, "unstable": 0, "failed": 0, "skipped": 0}
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert finished(out / "runs") == sorted(res.table["run_id"])
    assert not leftovers(out), leftovers(out)  # the killed attempt's directory is gone
    # the killed run was started again (on the other worker or the restarted one) ...
    spec = next(s for s in expand(load_sweep(path)) if s.run_id == killed)
    from wiring.experiments._dask import config_hash

    prefix = f"wiring-run-{config_hash(spec.config)[:16]}-"
    starts = client.run_on_scheduler(lambda dask_scheduler: [
        e[0] for e in dask_scheduler.transition_log
        if str(e[0]).startswith(prefix) and e[2] == "processing"])
    assert len(starts) >= 2, starts
    # ... from scratch: same weights as a run that was never interrupted
    ref = tmp_path / "ref"
    run_sweep(path, ref, workers=1)
    for run_id in res.table["run_id"]:
        assert same_weights(out / "runs" / run_id, ref / "runs" / run_id), run_id


def test_dask_run_that_keeps_killing_workers_is_recorded_failed_not_retried_forever(
        tmp_path, make_cluster):
    # no retry after a death, and one task per worker at a time (Dask queues tasks on the
    # scheduler when a sweep has more than twice as many runs as worker threads), so
    # exactly the killed run fails
    cluster, client = make_cluster(**{"distributed.scheduler.allowed-failures": 0,
                                      "distributed.scheduler.worker-saturation": 1.0})
    path = write(tmp_path, SLOW)
    out = tmp_path / "dask"
    thread, result = sweep_in_thread(path, out, scheduler=cluster.scheduler_address)
    killed, _ = kill_a_worker_mid_run(client, out / "runs")
    thread.join(300)
    assert not thread.is_alive() and "error" not in result, result.get("error")
    res = result["value"]
    assert res.counts == {"ok": 5, "unstable": 0, "failed": 1, "skipped": 0}
    row = res.table.set_index("run_id").loc[killed]
    assert row["status"] == "failed"
    assert "died" in row["reason"] and "allowed-failures = 0" in row["reason"]
    assert killed not in finished(out / "runs") and not leftovers(out)
    # a resume runs it again, in this process this time
    again = run_sweep(path, out, resume=True, workers=1)
    assert again.counts == {"ok": 6, "unstable": 0, "failed": 0, "skipped": 0}
    assert set(again.table.loc[~again.table["resumed"], "run_id"]) == {killed}


# --------------------------------------------------------------------------- output directory


def assert_nothing_started(out: Path, existed: bool = False) -> None:
    if not existed:
        assert not out.exists()  # not even an empty directory: rerunning needs no --resume
    else:
        assert not leftovers(out)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_unwritable_output_directory(tmp_path):
    path = write(tmp_path, TINY)
    parent = tmp_path / "read-only"
    parent.mkdir()
    parent.chmod(0o500)
    out = parent / "sweep"
    try:
        with pytest.raises(WiringError, match=rf"{re.escape(str(out))}.*Permission denied"):
            run_sweep(path, out, workers=1)
        assert not out.exists()
    finally:
        parent.chmod(0o700)


def test_unwritable_output_directory_simulated(tmp_path, monkeypatch, capsys):
    """The same failure for any user (root included): the probe's open is refused."""
    from wiring.experiments.cli import main

    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    real_open = os.open

    def refusing_open(file, flags, *args, **kwargs):
        if Path(file).name.startswith(".tmp-preflight"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(WiringError, match=rf"{re.escape(str(out / 'runs'))} is not writable.*"
                                          r"Permission denied \(EACCES\)"):
        run_sweep(path, out, workers=1)
    assert_nothing_started(out)
    assert main(["sweep", str(path), "--out", str(out), "--no-report", "-q"]) == 2
    err = capsys.readouterr().err
    assert "wiring sweep: error:" in err and str(out / "runs") in err and "EACCES" in err


def test_full_output_directory_write_fails(tmp_path, monkeypatch):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WiringError, match=rf"{re.escape(str(out / 'runs'))}.*"
                                          r"No space left on device \(ENOSPC\)"):
        run_sweep(path, out, workers=1)
    assert_nothing_started(out)


def test_full_output_directory_free_space(tmp_path, monkeypatch):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    done = run_sweep(path, out, workers=1)  # a finished sweep, then the disk fills up
    assert done.counts["ok"] == 2
    table = out / "sweep_status.parquet"
    stamp = table.stat().st_mtime_ns
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(2**34, 2**34 - 2**20, 2**20))
    for target, existed in ((tmp_path / "new", False), (out, True)):
        with pytest.raises(WiringError, match=rf"{re.escape(str(target / 'runs'))} has 1\.0 "
                                              r"MiB free.*MIN_FREE_BYTES"):
            run_sweep(path, target, workers=1, resume=existed)
        assert_nothing_started(target, existed)
    assert table.stat().st_mtime_ns == stamp  # the resume stopped before touching anything
    assert finished(out / "runs") == sorted(done.table["run_id"])


# --------------------------------------------------------------------------- disk fills mid-sweep


def fill_disk_in(monkeypatch, match):
    """Every atomic write whose temp file's directory matches ``match`` fails with ENOSPC,
    as on a disk that filled up after the preflight."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if re.search(match, Path(src).parent.name + "/" + Path(src).name):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


FOUR = TINY.replace("seeds = [0]", "seeds = [0, 1]")


def test_disk_full_during_a_run_fails_it_stops_the_sweep_and_leaves_it_resumable(
        tmp_path, monkeypatch, capsys):
    from wiring.experiments.cli import main

    path = write(tmp_path, FOUR)
    out = tmp_path / "out"
    victim = "t__lr0.01_s1"  # the second of four runs
    fill_disk_in(monkeypatch, rf"^\.tmp-{re.escape(victim)}-")
    with pytest.raises(WiringError) as info:
        run_sweep(path, out, workers=1)
    msg = str(info.value)
    assert f"No space left on device (ENOSPC) writing {out / 'runs' / victim}" in msg
    assert "stopped" in msg and "--resume" in msg and "1 of 4 runs finished" in msg
    table = pd.read_parquet(out / "sweep_status.parquet").set_index("run_id")
    assert table.loc["t__lr0.01_s0", "status"] == "ok"
    assert table.loc[victim, "status"] == "failed"
    assert "ENOSPC" in table.loc[victim, "reason"] and str(out / "runs" / victim) in \
        table.loc[victim, "reason"]
    assert (table.loc[["t__lr0.1_s0", "t__lr0.1_s1"], "status"] == "skipped").all()
    assert finished(out / "runs") == ["t__lr0.01_s0"]  # the failed run left no directory
    assert not leftovers(out), leftovers(out)
    # the CLI says so in one line, without a traceback
    shutil.rmtree(out)
    assert main(["sweep", str(path), "--out", str(out), "--no-report", "-q",
                 "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "wiring sweep: error:" in err and "ENOSPC" in err and "Traceback" not in err
    kept = fingerprint(out / "runs" / "t__lr0.01_s0")
    # space freed: a resume keeps the finished run and runs the three others
    monkeypatch.undo()
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts == {"ok": 4, "unstable": 0, "failed": 0, "skipped": 0}
    assert set(res.table.loc[~res.table["resumed"], "run_id"]) == {
        victim, "t__lr0.1_s0", "t__lr0.1_s1"}
    assert fingerprint(out / "runs" / "t__lr0.01_s0") == kept
    assert not leftovers(out)


def test_disk_full_writing_the_status_table_stops_the_sweep_resumably(tmp_path, monkeypatch):
    path = write(tmp_path, FOUR)
    out = tmp_path / "out"
    real_write_table = runs.write_table
    calls = []

    def write_table(directory, name, table):  # the first write (all skipped) succeeds
        calls.append(name)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC),
                          str(directory / f".{name}.parquet.x.tmp"))
        return real_write_table(directory, name, table)

    monkeypatch.setattr(runs, "write_table", write_table)
    with pytest.raises(WiringError, match=r"status table .*sweep_status\.parquet failed: No "
                                          r"space left on device \(ENOSPC\).*could not be "
                                          r"rewritten.*--resume"):
        run_sweep(path, out, workers=1)
    assert finished(out / "runs") == ["t__lr0.01_s0"]  # finished before the write failed
    assert not leftovers(out)
    monkeypatch.undo()
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts["ok"] == 4
    assert list(res.table.loc[res.table["resumed"], "run_id"]) == ["t__lr0.01_s0"]


def test_disk_full_writing_the_sweep_file_after_the_preflight(tmp_path, monkeypatch):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    fill_disk_in(monkeypatch, r"^out/\.sweep\.toml\.")
    with pytest.raises(WiringError, match=r"writing .*\.sweep\.toml\..*No space left on device "
                                          r"\(ENOSPC\).*--resume"):
        run_sweep(path, out, workers=1)
    assert not leftovers(out)
    monkeypatch.undo()  # nothing was run: the same command works again, without --resume
    assert run_sweep(path, out, workers=1).counts["ok"] == 2


def test_disk_full_on_a_dask_worker_stops_the_sweep_resumably(tmp_path, make_cluster):
    cluster, client = make_cluster()
    path = write(tmp_path, FOUR)
    out = tmp_path / "dask"
    victim = "t__lr0.01_s1"

    def fill_disk_on_worker(run_id):  # runs in each worker process
        import errno
        import os
        from pathlib import Path

        real_replace = os.replace

        def replace(src, dst, *args, **kwargs):
            if Path(src).parent.name.startswith(f".tmp-{run_id}-"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src))
            return real_replace(src, dst, *args, **kwargs)

        os.replace = replace

    client.run(fill_disk_on_worker, victim)
    with pytest.raises(WiringError, match=rf"stopped: run {victim} failed: No space left on "
                                          rf"device \(ENOSPC\) writing "
                                          rf"{re.escape(str(out.absolute() / 'runs' / victim))}"):
        run_sweep(path, out, scheduler=cluster.scheduler_address)
    table = pd.read_parquet(out / "sweep_status.parquet").set_index("run_id")
    assert table.loc[victim, "status"] == "failed" and "ENOSPC" in table.loc[victim, "reason"]
    assert victim not in finished(out / "runs") and not leftovers(out)
    assert finished(out / "runs") == sorted(table.index[table["status"] == "ok"])
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts["ok"] == 4 and victim in set(res.table.loc[~res.table["resumed"], "run_id"])
