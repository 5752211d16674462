"""Time from launching ``wiring train`` (default config) to the start of training.

Runs the command twice: the first run may compile the numba kernels into the
cache, the second must load them. Reports seconds until the "training started"
log line for each, and the total wall time.

Run:  .venv/bin/python benchmarks/bench_startup.py [--json F]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(out: Path) -> dict:
    exe = Path(sys.executable).with_name("wiring")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), "-v", "train", "-q", "--out", str(out), "--overwrite"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    started = None
    for line in proc.stderr:
        if "training started" in line and started is None:
            started = time.perf_counter() - t0
    proc.wait()
    return {"seconds_to_training": started, "seconds_total": time.perf_counter() - t0,
            "returncode": proc.returncode}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first = one_run(Path(tmp) / "a")
        second = one_run(Path(tmp) / "b")
    out = {"first_run": first, "second_run": second}
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
