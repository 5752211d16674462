"""Scale: a 10^5-neuron, 10^7-edge sparse random recurrent graph trains in float32.

Builds ``erdos_renyi(n, p)`` (p = edges / n^2), makes the network, and trains a few
mini-batches of random inputs and targets with the batch kernel in float32.
Reports the time of each stage, samples/s, settle sweeps per batch, and the
process's peak resident memory (``ru_maxrss``) after each stage. Run it in a fresh
process so the peak is this job's alone.

Run:  .venv/bin/python benchmarks/bench_scale.py [--neurons 100000] [--edges 10000000]
          [--samples 128] [--batch 32] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numba
import numpy as np

from wiring.graphs.builders import erdos_renyi
from wiring.network import Network
from wiring.train import fit


def peak_gb() -> float:
    """Peak resident memory of this process so far, in GB (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=int, default=100_000)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--inputs", type=int, default=100)
    ap.add_argument("--outputs", type=int, default=10)
    ap.add_argument("--samples", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--threads", type=int, default=numba.config.NUMBA_NUM_THREADS)
    ap.add_argument("--json")
    args = ap.parse_args()
    n = args.neurons
    out = {"neurons": n, "dtype": args.dtype, "batch": args.batch, "threads": args.threads,
           "samples": args.samples, "peak_gb_start": peak_gb()}
    t = time.perf_counter()
    g = erdos_renyi(n, args.edges / (n * (n - 1)), n_inputs=args.inputs,
                    n_outputs=args.outputs, seed=0)
    out["edges"] = int(g.n_edges)
    out["graph_seconds"] = time.perf_counter() - t
    out["peak_gb_graph"] = peak_gb()
    t = time.perf_counter()
    net = Network(g, seed=0, init_scale=0.5)
    out["network_seconds"] = time.perf_counter() - t
    out["peak_gb_network"] = peak_gb()
    rng = np.random.default_rng(1)
    X = rng.standard_normal((args.samples, args.inputs))
    Y = np.tanh(rng.standard_normal((args.samples, args.outputs)))
    rows = []
    t = time.perf_counter()
    res = fit(net, (X, Y), learning_rate=0.01, epochs=args.epochs, batch_size=args.batch,
              seed=0, loss="mse", dtype=args.dtype, kernel="batch", threads=args.threads,
              max_iter=500, on_epoch=rows.append)
    out["fit_seconds"] = time.perf_counter() - t
    out["peak_gb_train"] = peak_gb()
    last = res.metrics[-1]
    out.update({
        "status": res.status,
        "samples_per_second": last.get("samples_per_second"),
        "epoch_seconds": last.get("seconds"),
        "firing_sweeps_mean": last.get("firing_iterations_mean"),
        "credit_sweeps_mean": last.get("credit_iterations_mean"),
        "nonconverged": last.get("nonconverged"),
        "train_loss_before": res.metrics[0].get("train_loss"),
        "train_loss_after": last.get("train_loss"),
        "edge_visits_per_second": (last.get("samples_per_second") or 0.0) * g.n_edges
        * ((last.get("firing_iterations_mean") or 0) + (last.get("credit_iterations_mean") or 0)
           + 1),
    })
    for k, v in out.items():
        print(f"{k:26s} {v:.4g}" if isinstance(v, float) else f"{k:26s} {v}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
