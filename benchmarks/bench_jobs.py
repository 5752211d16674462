"""Wall time, peak memory and stages of the project's two long jobs, run as the user runs them.

* ``main``: ``wiring sweep --out <tmp>/sweep`` -- the default sweep (what
  ``bash dev.sh main`` runs): trainings, then analysis, report and Gephi export.
* ``quick``: ``wiring reproduce --quick --out <tmp>/paper --runs <tmp>/runs`` -- the
  CI-size reproduction of the paper: every study's sweep, then their analysis and
  the paper report.

Each command runs as a subprocess of this script, with ``-v`` (INFO log lines, which
name each sweep as it starts and ends) and ``-q`` (no progress bars); neither changes
what is computed. Measured:

* wall time;
* peak memory: the largest sum of RSS over the command's process tree, sampled
  every ``--interval`` seconds with psutil (the figure that matters on a shared
  machine), and the largest RSS of any one process (the larger of the samples and
  ``ru_maxrss`` from :func:`os.wait4`, which sees only reaped processes: forkserver
  workers are not);
* CPU time (user + system) of every process of the tree, from the same samples (the
  last reading of each process; ``os.wait4`` counts only the processes that were
  reaped by their parents), and so the mean number of busy cores;
* stages, from the files each stage writes last (their modification times): for the
  sweep, training (``sweep_status.parquet``), analysis (``analysis/settings.json``),
  report (``report/report.html``) and export (the newest ``gephi/`` file); for the
  reproduction, each study's sweep (``<runs>/<study>/sweep_status.parquet``), the
  analysis (``<out>/tables/``) and the report (``<out>/report.html``);
* every output line with the second it arrived (``timeline`` in the JSON).

Run:  .venv/bin/python benchmarks/bench_jobs.py [--jobs main quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
WIRING = Path(sys.executable).with_name("wiring")
STUDIES = ("phase", "sensitivity", "timescales", "development", "rules")


def _commands(tmp: Path) -> dict[str, list[str]]:
    return {
        "main": [str(WIRING), "-v", "sweep", "--out", str(tmp / "sweep"), "-q"],
        "quick": [str(WIRING), "-v", "reproduce", "--quick", "--out", str(tmp / "paper"),
                  "--runs", str(tmp / "runs"), "-q"],
    }


def _mtime(paths: list[Path], which=max) -> float | None:
    times = [p.stat().st_mtime for p in paths if p.is_file()]
    return which(times) if times else None


def _stage_marks(job: str, tmp: Path) -> list[tuple[str, float | None]]:
    """(stage, time its last file was written), in pipeline order."""
    if job == "main":
        out = tmp / "sweep"
        return [("training (sweep runs)", _mtime([out / "sweep_status.parquet"])),
                ("analysis (tables)", _mtime([out / "analysis" / "settings.json"])),
                ("report (HTML + Markdown)", _mtime([out / "report" / "report.html"])),
                ("export (Gephi GEXF)", _mtime(list((out / "gephi").rglob("*"))))]
    runs, out = tmp / "runs", tmp / "paper"
    marks = [(f"study {s} (sweep runs)", _mtime([runs / s / "sweep_status.parquet"]))
             for s in STUDIES]
    # the report adds tables/verdicts.* of its own: the analysis ends with the other tables
    tables = [p for p in (out / "tables").glob("*") if not p.name.startswith("verdicts")]
    marks.append(("analysis (tables)", _mtime(tables)))
    marks.append(("report (figures, claims, HTML)", _mtime([out / "report.html",
                                                             out / "summary.json"])))
    return marks


def _stages(marks: list[tuple[str, float | None]], start: float, end: float) -> dict:
    """Durations between consecutive marks (missing marks are skipped); the rest is 'other'."""
    out, prev = {}, start
    for name, t in marks:
        if t is None or t < prev:
            continue
        out[name] = t - prev
        prev = t
    out["after the last stage file (exit)"] = max(end - prev, 0.0)
    return out


def _pump(stream, sink: list, t0: float, echo: bool) -> None:
    for line in iter(stream.readline, ""):
        sink.append((round(time.time() - t0, 3), line.rstrip("\n")))
        if echo:
            print(f"  [{time.time() - t0:7.1f} s] {line.rstrip()}", flush=True)
    stream.close()


def run_job(job: str, cmd: list[str], tmp: Path, *, interval: float, echo: bool) -> dict:
    """Run one command: wall time, sampled peak RSS and CPU of its process tree, stages."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    lines: list[tuple[float, str]] = []
    start = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    reader = threading.Thread(target=_pump, args=(proc.stdout, lines, start, echo), daemon=True)
    reader.start()
    peak_tree, peak_one, peak_procs, done = 0, 0, 0, threading.Event()
    cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> user + system seconds

    def sample() -> None:
        nonlocal peak_tree, peak_one, peak_procs
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:  # already gone
            return
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                rss = 0
                for p in tree:
                    try:
                        with p.oneshot():
                            one = p.memory_info().rss
                            rss += one
                            peak_one = max(peak_one, one)
                            t = p.cpu_times()
                            cpu[(p.pid, p.create_time())] = t.user + t.system
                    except psutil.Error:
                        pass
                peak_tree = max(peak_tree, rss)
                peak_procs = max(peak_procs, len(tree))
            except psutil.Error:
                pass
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)  # the tree's reaped processes' usage
    wall = time.perf_counter() - t0
    end = time.time()
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    reader.join()
    cpu_reaped = usage.ru_utime + usage.ru_stime
    cpu_total = max(cpu_reaped, sum(cpu.values()))
    return {
        "command": " ".join(cmd).replace(str(tmp), "<tmp>"),
        "returncode": proc.returncode,
        "wall_s": wall,
        "cpu_s": cpu_total,
        "cpu_reaped_s": cpu_reaped,
        "cpu_sampled_s": sum(cpu.values()),
        "processes_seen": len(cpu),
        "mean_busy_cores": cpu_total / wall,
        "peak_rss_max_process_mb": max(usage.ru_maxrss * 1024, peak_one) / 2**20,
        "peak_rss_tree_sum_mb": peak_tree / 2**20,
        "max_processes": peak_procs,
        "stages_s": _stages(_stage_marks(job, tmp), start, end),
        "timeline": [(t, s.replace(str(tmp), "<tmp>")) for t, s in lines],
    }


def print_job(name: str, res: dict) -> None:
    ok = "ok" if res["returncode"] == 0 else f"FAILED (exit {res['returncode']})"
    print(f"\n== {name}: {res['command']}\n   {ok}; wall {res['wall_s']:.1f} s, CPU "
          f"{res['cpu_s']:.1f} s ({res['mean_busy_cores']:.2f} cores busy on average), peak "
          f"RSS {res['peak_rss_tree_sum_mb']:.0f} MB over the process tree (sampled; up to "
          f"{res['max_processes']} processes), {res['peak_rss_max_process_mb']:.0f} MB in the "
          "largest process")
    print(f"   {'stage':40s} {'seconds':>8s} {'share':>6s}")
    for stage, s in res["stages_s"].items():
        print(f"   {stage:40s} {s:8.1f} {100 * s / res['wall_s']:5.1f}%")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", nargs="+", choices=("main", "quick"), default=["main", "quick"])
    ap.add_argument("--interval", type=float, default=0.25, help="RSS sampling period, s")
    ap.add_argument("--keep", help="run in this directory and keep the outputs")
    ap.add_argument("--echo", action="store_true", help="print the commands' output live")
    ap.add_argument("--json")
    args = ap.parse_args()
    out = {"python": platform.python_version(), "cpu_count": os.cpu_count(),
           "memory_gb": psutil.virtual_memory().total / 2**30,
           "load_average_before": os.getloadavg(), "jobs": {}}
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as scratch:
        tmp = Path(args.keep) if args.keep else Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        cmds = _commands(tmp)
        for job in args.jobs:
            res = run_job(job, cmds[job], tmp, interval=args.interval, echo=args.echo)
            res["load_average_after"] = os.getloadavg()
            out["jobs"][job] = res
            print_job(job, res)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
