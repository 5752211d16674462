"""Speed of the paper's Algorithm 1 on 300 all-to-all neurons (the paper's dense W).

Iterations/s of ``wiring.simulate`` against the same literal algorithm written in
numpy and in PyTorch (CPU, one thread), measured in this one process, without
pruning and with p = 0.9 pruning (``regrow``). Equality of the algorithm with the
numpy form is tested in tests/wiring/test_simulate.py.

``--before REV`` instead times this engine against the one at git revision ``REV``
(its ``wiring/`` extracted to a temporary directory): each side runs in its own
subprocess, alternately, three times, and the best rate of each side is kept (the
reproducibility cost of issue 14: ``docs/reproducibility.rst``). The rates include
drawing the noise.

Run:  .venv/bin/python benchmarks/bench_algorithm1.py [--iterations 20000] [--json F]
      .venv/bin/python benchmarks/bench_algorithm1.py --before d1aead5 [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from _before import before_after  # benchmarks/_before.py (the script's own folder)

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from wiring.graphs.builders import all_to_all  # noqa: E402
from wiring.simulate import simulate  # noqa: E402

N, LR, SIGMA, CLAMPED = 300, 1e-3, 0.1, 0.1
ROOT = Path(__file__).resolve().parents[1]


def numpy_alg1(iterations, prune, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((N, N)) / np.sqrt(N)
    x = rng.standard_normal(N) * SIGMA
    c = rng.standard_normal(N) * SIGMA
    cl = rng.choice(N, int(CLAMPED * N), replace=False)
    k = int(np.floor(prune * N * N))
    nx = rng.standard_normal((iterations, N)) * SIGMA
    nc = rng.standard_normal((iterations, N)) * SIGMA
    t0 = time.perf_counter()
    for t in range(iterations):
        s = W @ x
        th = np.tanh(s)
        x = th + nx[t]
        f = 1.0 - th * th
        cn = W.T @ (f * c)
        cn[cl] = c[cl]
        c = cn + nc[t]
        W += LR * np.outer(c * f, x)
        if k:
            a = np.abs(W)
            thr = np.partition(a.ravel(), k)[k]
            W[a < thr] = 0.0
    return iterations / (time.perf_counter() - t0)


def torch_alg1(iterations, prune, seed=0):
    import torch

    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((N, N), generator=g, dtype=torch.float64) / N**0.5
    x = torch.randn(N, generator=g, dtype=torch.float64) * SIGMA
    c = torch.randn(N, generator=g, dtype=torch.float64) * SIGMA
    cl = torch.randperm(N, generator=g)[: int(CLAMPED * N)]
    k = int(np.floor(prune * N * N))
    nx = torch.randn((iterations, N), generator=g, dtype=torch.float64) * SIGMA
    nc = torch.randn((iterations, N), generator=g, dtype=torch.float64) * SIGMA
    t0 = time.perf_counter()
    with torch.no_grad():
        for t in range(iterations):
            s = W @ x
            th = torch.tanh(s)
            x = th + nx[t]
            f = 1.0 - th * th
            cn = W.T @ (f * c)
            cn[cl] = c[cl]
            c = cn + nc[t]
            W += LR * torch.outer(c * f, x)
            if k:
                a = W.abs()
                thr = torch.kthvalue(a.reshape(-1), k + 1).values
                W[a < thr] = 0.0
    return iterations / (time.perf_counter() - t0)


def engine(graph, iterations, prune):
    simulate(graph, learning_rate=LR, iterations=200, prune=prune, seed=1)  # compile/warm
    t0 = time.perf_counter()
    res = simulate(graph, learning_rate=LR, iterations=iterations, prune=prune, seed=0,
                   noise_rate=SIGMA, noise_credit=SIGMA, clamped_fraction=CLAMPED,
                   checkpoint_every=iterations)
    assert res.status == "ok", res.reason
    return iterations / (time.perf_counter() - t0)


def worker(iterations):
    """Iterations/s of this process's engine, as one JSON line (for --before)."""
    import wiring

    graph = all_to_all(N, self_loops=True)
    rates = {f"Algorithm 1, {N} all-to-all, p = {p:g}": engine(graph, iterations, p)
             for p in (0.0, 0.9)}
    print(json.dumps({"wiring": wiring.__file__, **rates}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=20000)
    ap.add_argument("--ref-iterations", type=int, default=2000)
    ap.add_argument("--before", metavar="REV", help="time against the engine at REV")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.worker:
        worker(args.iterations)
        return
    if args.before:
        rows = before_after(__file__, args.before, ["--iterations", str(args.iterations)])
        text = json.dumps({"before": args.before, "unit": "iterations/s", "rows": rows},
                          indent=2)
        print(text)
        if args.json:
            with open(args.json, "w") as fh:
                fh.write(text)
        return
    graph = all_to_all(N, self_loops=True)
    out = {"n": N, "edges": graph.n_edges, "pruning": "regrow"}
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        out["torch"] = "not installed: pip install torch==2.13.0"
    for p in (0.0, 0.9):
        key = f"p{p:g}"
        out[f"engine_it_per_s_{key}"] = engine(graph, args.iterations, p)
        out[f"numpy_it_per_s_{key}"] = numpy_alg1(args.ref_iterations, p)
        eng = out[f"engine_it_per_s_{key}"]
        out[f"speedup_vs_numpy_{key}"] = eng / out[f"numpy_it_per_s_{key}"]
        if have_torch:
            out[f"torch_it_per_s_{key}"] = torch_alg1(args.ref_iterations, p)
            out[f"speedup_vs_torch_{key}"] = eng / out[f"torch_it_per_s_{key}"]
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
