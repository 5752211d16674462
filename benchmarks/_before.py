"""``--before REV`` of the engine benchmarks: time the engine as of a git revision against
the working tree, in fresh subprocesses, alternately (a busy machine hits both sides).

A benchmark script with a ``--worker`` mode prints one JSON line: ``{"wiring":
wiring.__file__, <workload>: <rate>, ...}``; :func:`before_after` runs that script with
``PYTHONPATH`` pointing at each tree and keeps each side's best rate.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tree_at(rev: str) -> Path:
    """A temporary copy of wiring/ as of git revision ``rev``."""
    tmp = Path(tempfile.mkdtemp(prefix="wiring-before-"))
    data = subprocess.run(["git", "archive", rev, "wiring"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp


def before_after(script: str, rev: str, worker_args: list[str], rounds: int = 3) -> list[dict]:
    """Best rate of ``script --worker`` at ``rev`` and in the working tree, each run
    ``rounds`` times in fresh subprocesses, alternately."""
    trees = {"before": tree_at(rev), "after": ROOT}
    best: dict[str, dict[str, float]] = {side: {} for side in trees}
    for _ in range(rounds):
        for side, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree)}
            proc = subprocess.run([sys.executable, script, "--worker", *worker_args],
                                  cwd=ROOT, env=env, capture_output=True, text=True,
                                  check=True)
            rates = json.loads(proc.stdout.strip().splitlines()[-1])
            where = Path(rates.pop("wiring")).resolve()
            assert where.is_relative_to(tree.resolve()), f"{side} imported {where}"
            for key, value in rates.items():
                best[side][key] = max(best[side].get(key, 0.0), value)
    return [{"kernel": key, "before": best["before"][key], "after": best["after"][key],
             "after_over_before": best["after"][key] / best["before"][key]}
            for key in best["after"]]
