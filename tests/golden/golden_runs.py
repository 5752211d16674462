"""The reference runs of the golden test and the SHA-256 of their final weights.

Each run is small (a few seconds once compiled) but long enough that a one-ulp
difference anywhere in its arithmetic grows into different weights: Algorithm 1
at r = 0.1 and online training at r = 0.1 amplify rounding within a few hundred
steps, so equal hashes mean equal bits throughout. The hash of a run is the
SHA-256 of its final weights (float64, little-endian, in the graph's edge order)
followed by its biases.

``tests/golden/hashes.json`` holds the expected hashes. ``test_golden.py`` recomputes
them in this process and in subprocesses that change what the machine offers
(numba compiling for a generic x86-64; numpy, glibc and OpenBLAS without their
AVX/FMA code paths). A hash changes only in a commit that says why.

Run::

    .venv/bin/python -m tests.golden.golden_runs            # print {run: hash} as JSON
    .venv/bin/python -m tests.golden.golden_runs --write    # rewrite hashes.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numba
import numpy as np

HASHES = Path(__file__).with_name("hashes.json")

#: What each reference run is (stored beside its hash in hashes.json).
DESCRIPTIONS = {
    "algorithm1_regrow": "Algorithm 1, 120 neurons all-to-all with self-loops, r = 0.1, "
                         "p = 0.9 regrow, 3,000 one-step iterations, tanh, seed 0",
    "algorithm1_structural": "Algorithm 1, 120 neurons all-to-all with self-loops, r = 0.1, "
                             "p = 0.9 structural, 3,000 iterations, Gaussian balance "
                             "(center 0, width 1), seed 1",
    "online_digits_balance_exact": "online (batch 1, per-sample kernel) balance-exact, "
                                   "cross-entropy, r = 0.1, one epoch of 300 digits, "
                                   "recurrent 64-60-10 graph (Jacobi settling), seed 0",
    "online_digits_fa": "online fa (fixed random feedback), mse, r = 0.1, sigmoid outputs, "
                        "one epoch of 300 digits, recurrent 64-60-10 graph, seed 0",
    "minibatch_float32_2threads": "mini-batch kernel in float32 on 2 numba threads, "
                                  "balance-exact, cross-entropy, sigmoid outputs, "
                                  "batch 16, r = 0.3, two epochs of 300 digits, recurrent "
                                  "64-60-10 graph, seed 0",
    "sweep_run_lr0.03": "local sweep (2 worker processes, no Dask), noise task, 60 neurons, "
                        "r = 0.03 falling to 0.01 in 3 stages, p = 0.9, 2,000 iterations",
    "sweep_run_lr0.3": "the same sweep's second run: r = 0.3 falling to 0.01",
}

SWEEP = """\
[sweep]
name = "golden"

[sweep.groups.noise]
lr_min = 0.03
lr_max = 0.3
lr_count = 2
seeds = [0]

[sweep.groups.noise.task]
kind = "noise"

[sweep.groups.noise.graph]
family = "all-to-all"
n = 60
self_loops = true

[sweep.groups.noise.simulation]
iterations = 2000
prune = 0.9
pruning = "regrow"
learning_rate_end = 0.01
stages = 3
snapshots = 1
"""


def digest(weight, bias) -> str:
    """SHA-256 of float64 little-endian ``weight`` then ``bias`` bytes."""
    h = hashlib.sha256()
    for arr in (weight, bias):
        h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
    return h.hexdigest()


def _algorithm1(pruning: str, seed: int, **kw) -> str:
    from wiring.graphs.builders import all_to_all
    from wiring.simulate import simulate

    res = simulate(all_to_all(120, self_loops=True), learning_rate=0.1, iterations=3000,
                   prune=0.9, pruning=pruning, seed=seed, **kw)
    assert res.status == "ok", res.reason
    return digest(res.weight, res.bias)


def _digits():
    from wiring.data import load_digits, subsample
    from wiring.graphs.builders import recurrent

    ds = subsample(load_digits(seed=0), n_train=300, n_test=50, seed=0)
    return ds, recurrent(64, 60, 10, seed=0)


def _online(rule: str, loss: str, **net_kw) -> str:
    from wiring.network import Network
    from wiring.train import fit

    ds, graph = _digits()
    net = Network(graph, seed=0, **net_kw)
    res = fit(net, ds, rule=rule, loss=loss, learning_rate=0.1, epochs=1, batch_size=1,
              kernel="sample", seed=0)
    assert res.status == "ok", res.reason
    return digest(net.weight, net.bias)


def _minibatch_float32() -> str:
    from wiring.network import Network
    from wiring.train import fit

    ds, graph = _digits()
    net = Network(graph, seed=0, output_activation="sigmoid")
    threads = min(2, numba.config.NUMBA_NUM_THREADS)  # bit-identical for any count
    res = fit(net, ds, rule="balance-exact", loss="cross-entropy", learning_rate=0.3,
              epochs=2, batch_size=16, kernel="batch", dtype="float32", threads=threads,
              seed=0)
    assert res.status == "ok", res.reason
    return digest(net.weight, net.bias)


def _sweep() -> dict[str, str]:
    from wiring import runs
    from wiring.experiments.sweep import load_sweep, run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "golden.toml"
        path.write_text(SWEEP)
        result = run_sweep(load_sweep(path), Path(tmp) / "out", workers=2)
        assert result.counts["ok"] == 2, result.table
        out = {}
        for run_id in result.table["run_id"]:
            snap = runs.load_snapshot(runs.list_snapshots(Path(tmp) / "out" / "runs" / run_id)[-1])
            lr = run_id.split("lr")[1].split("_")[0]
            out[f"sweep_run_lr{lr}"] = digest(snap.weight, snap.bias)
        return out


def compute() -> dict[str, str]:
    """Run every reference run; return {name: SHA-256 hex digest}."""
    out = {
        "algorithm1_regrow": _algorithm1("regrow", 0),
        "algorithm1_structural": _algorithm1("structural", 1, balance="gaussian"),
        "online_digits_balance_exact": _online("balance-exact", "cross-entropy"),
        "online_digits_fa": _online("fa", "mse", output_activation="sigmoid"),
        "minibatch_float32_2threads": _minibatch_float32(),
    }
    out.update(_sweep())
    return out


def expected() -> dict[str, str]:
    """The stored hashes, {name: SHA-256 hex digest}."""
    return {name: entry["sha256"] for name, entry in json.loads(HASHES.read_text()).items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite hashes.json")
    args = ap.parse_args(argv)
    hashes = compute()
    if args.write:
        HASHES.write_text(json.dumps(
            {name: {"sha256": h, "run": DESCRIPTIONS[name]} for name, h in hashes.items()},
            indent=2) + "\n")
    json.dump(hashes, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
