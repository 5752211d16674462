"""When do the batch kernel's threads pay, and what does a busy machine do to them?

One epoch of digits (1,347 training samples) on recurrent nets of growing size, batch
32, float64, trained by ``fit(kernel="batch")`` on 1 thread and on numba's full pool
(2 threads here), best of 3 in one process. The ratio against work (edges x batch)
sets ``wiring.train.AUTO_THREADS_MIN_WORK``, the automatic choice of ``threads=None``.

``--busy`` repeats the small case (174 neurons, batch 8) with a busy-looping process
beside it, in two child processes: numba's OpenMP default (threads spin while waiting)
and ``OMP_WAIT_POLICY=passive`` (the variable must be set before the library loads,
hence the children). Reports min and max of 3 epochs.

Run:  .venv/bin/python benchmarks/bench_threads.py [--busy] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time

import numba

from wiring.data import load_digits
from wiring.graphs.builders import recurrent
from wiring.network import Network
from wiring.train import fit

HIDDEN = (100, 300, 600, 1000)


def epoch_seconds(hidden: int, batch: int, threads: int, repeats: int = 3) -> list[float]:
    """Wall seconds of one epoch, ``repeats`` times (after a warm-up epoch)."""
    data = load_digits()
    times = []
    for k in range(repeats + 1):
        net = Network(recurrent(64, hidden, 10, seed=0), seed=0)
        t0 = time.perf_counter()
        fit(net, data, learning_rate=0.002, epochs=1, batch_size=batch, seed=0,
            threads=threads, kernel="batch")
        if k:
            times.append(time.perf_counter() - t0)
    return times


def _spin(seconds: float) -> None:
    end = time.time() + seconds
    while time.time() < end:
        pass


def busy_rows() -> list[dict]:
    """The 174-neuron case at batch 8 beside a busy process, both OpenMP wait policies."""
    rows = []
    pool = numba.config.NUMBA_NUM_THREADS
    code = ("import json, sys; sys.path.insert(0, 'benchmarks'); from bench_threads import "
            f"epoch_seconds as e; print(json.dumps({{t: e(100, 8, t) for t in (1, {pool})}}))")
    for policy in ("default", "passive"):
        env = dict(os.environ)
        env.pop("OMP_WAIT_POLICY", None)
        if policy == "passive":
            env["OMP_WAIT_POLICY"] = "passive"
        spinner = mp.Process(target=_spin, args=(600,))
        spinner.start()
        try:
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=True, timeout=900)
        finally:
            spinner.terminate()
            spinner.join()
        for threads, times in json.loads(out.stdout.strip().splitlines()[-1]).items():
            rows.append({"policy": policy, "threads": int(threads), "min_s": min(times),
                         "max_s": max(times)})
            print(f"busy, OMP {policy:8s} threads {threads}: {min(times):.2f}-{max(times):.2f} s",
                  flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busy", action="store_true", help="also the busy-machine comparison")
    ap.add_argument("--json")
    args = ap.parse_args()
    pool = numba.config.NUMBA_NUM_THREADS
    rows = []
    for hidden in HIDDEN:
        g = recurrent(64, hidden, 10, seed=0)
        one, many = min(epoch_seconds(hidden, 32, 1)), min(epoch_seconds(hidden, 32, pool))
        rows.append({"neurons": g.n, "edges": g.n_edges, "work": g.n_edges * 32,
                     "one_thread_s": one, "pool_s": many, "pool": pool, "speedup": one / many})
        print(f"{g.n:5d} neurons {g.n_edges:7d} edges work {g.n_edges * 32:.1e}: "
              f"1 thread {one:.2f} s, {pool} threads {many:.2f} s, {one / many:.2f}x", flush=True)
    busy = busy_rows() if args.busy else []
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump({"batch": 32, "rows": rows, "busy": busy}, fh, indent=2)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
