"""Mini-batch kernel speed: against this machine's SpMM bound, across threads, and PyTorch.

All figures are measured in this one process (best of several repeats, so a busy
machine inflates them less). Sections:

1. ``bound``: a tight CSR x dense-batch kernel (``kernels.batch.spmm_rows``) on
   the graph's own arrays, against one Jacobi firing sweep (SpMM + tanh + per-sample
   residual), one credit sweep (SpMM + the balance product) and scipy.sparse's
   CSR @ dense; float64 and float32; a sparse recurrent graph and the paper's
   300-neuron all-to-all graph.
2. ``threads``: one training epoch on 1 and on 2 numba threads, and whether the
   learnt weights are bit-identical.
3. ``torch``: layered mini-batch training (balance-exact = backprop) against PyTorch
   autograd + SGD on the same MLP, initial weights, sample order, batch, float type
   and thread count (digits 64-100-10, mnist1d 40-100-10), with the weights after
   one epoch compared.
4. ``float32``: test accuracy and weights after training in float32 and float64.

``--before REV`` instead times the mini-batch kernel against the one at git revision
``REV`` (its ``wiring/`` extracted to a temporary directory): one epoch of digits on
the 2,000-neuron recurrent graph of section 2, batch 32, float64 and float32, on one
thread; each side in its own subprocess, alternately, three times, keeping each
side's best (the reproducibility cost of issue 14: ``docs/reproducibility.rst``).

Run:  .venv/bin/python benchmarks/bench_batch.py [--quick] [--json out.json]
      .venv/bin/python benchmarks/bench_batch.py --before d1aead5 [--json out.json]
"""

# ruff: noqa: B023  (the timed closures run inside the iteration that defines them)
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from _before import before_after  # benchmarks/_before.py (the script's own folder)

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numba  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from wiring._batched import run_batched  # noqa: E402
from wiring.data import load_digits, load_mnist1d  # noqa: E402
from wiring.graphs.builders import all_to_all, erdos_renyi, layered  # noqa: E402
from wiring.kernels import batch as kb  # noqa: E402
from wiring.network import Network  # noqa: E402
from wiring.train import FLOAT32_TOL, fit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def best_time(f, repeats=7):
    """Best wall time of ``repeats`` calls of ``f`` (after one warm-up call)."""
    f()
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def bound_section(quick):
    rows = []
    graphs = {"erdos_renyi n=2000 p=0.02": erdos_renyi(2000, 0.02, n_inputs=50, n_outputs=10,
                                                       seed=1),
              "all-to-all n=300 (paper)": all_to_all(300, n_inputs=30, n_outputs=10)}
    numba.set_num_threads(1)
    for name, g in graphs.items():
        net = Network(g, seed=0, init_scale=0.5)
        free = np.flatnonzero(net._clamp == 0).astype(np.int64)
        all_rows = np.arange(g.n, dtype=np.int64)
        empty = (np.zeros(1, np.int64), np.zeros(0, np.int64), 0)
        for ft in (np.float64, np.float32):
            for B in ((32,) if quick else (32, 128)):
                rng = np.random.default_rng(0)
                w = net._w_in.astype(ft)
                wo = net._w_out.astype(ft)
                bias = net._bias.astype(ft)
                X = rng.standard_normal((g.n, B)).astype(ft)
                Y = np.zeros_like(X)
                S = np.zeros_like(X)
                buf = np.zeros_like(X)
                F = rng.random((g.n, B)).astype(ft)
                E = rng.standard_normal((g.n, B)).astype(ft)  # non-zero: credit never at rest
                D = np.zeros_like(X)
                fixed = np.zeros(g.n, np.uint8)
                res = np.zeros(B, ft)
                res_t = np.zeros((1, B), ft)
                it = np.zeros(B, np.int64)
                rs = np.zeros(B)
                st = np.zeros(B, np.int64)
                t_bound = best_time(lambda: kb.spmm_rows(g.in_indptr, g.in_src, w, free, X, Y))
                X0 = X.copy()
                sweeps = 20

                def firing(m):
                    X[:] = X0
                    kb.firing_batch((g.in_indptr, g.in_src), w, bias, net._act, free, empty, X,
                                    buf, S, 0.0, m, res_t, res, it, rs, st)

                def credit(m):
                    Y[:] = 0.0
                    kb.credit_batch((g.out_indptr, g.out_dst), wo, F, E, fixed, empty, all_rows,
                                    Y, buf, D, 0.0, m, res_t, res, it, rs, st)

                t_fire = (best_time(lambda: firing(sweeps + 1)) - best_time(lambda: firing(1)))
                t_cred = (best_time(lambda: credit(sweeps + 1)) - best_time(lambda: credit(1)))
                t_fire /= sweeps
                t_cred /= sweeps
                A = sp.csr_matrix((w, g.in_src.astype(np.int64), g.in_indptr), shape=(g.n, g.n))
                t_scipy = best_time(lambda: A @ X)
                flops = 2.0 * g.n_edges * B
                rows.append({
                    "graph": name, "edges": int(g.n_edges), "dtype": np.dtype(ft).name,
                    "batch": B,
                    "bound_gflops": flops / t_bound / 1e9,
                    "firing_sweep_gflops": flops / t_fire / 1e9,
                    "credit_sweep_gflops": flops / t_cred / 1e9,
                    "scipy_gflops": flops / t_scipy / 1e9,
                    "firing_vs_bound": t_bound / t_fire,
                    "credit_vs_bound": t_bound / t_cred,
                    "scipy_vs_bound": t_bound / t_scipy,
                })
    return rows


def _train_epoch(net, data, order, *, batch, lr, dtype, threads):
    numba.set_num_threads(threads)
    X, Y = data
    tol = FLOAT32_TOL if dtype == "float32" else 1e-10  # float32 cannot resolve 1e-10
    return run_batched(net, X, Y, rule="balance-exact", loss="mse", tol=tol, max_iter=1000,
                       lr=lr, batch_size=batch, order=order, dtype=dtype)


def threads_section(quick):
    rows = []
    d = load_digits()
    cases = {"layered digits 64-100-10": layered([64, 100, 10]),
             "recurrent digits (100 hidden, density 0.1)": erdos_renyi(
                 174, 0.1, n_inputs=64, n_outputs=10, seed=3),
             "recurrent digits (2000 neurons, density 0.02)": erdos_renyi(
                 2000, 0.02, n_inputs=64, n_outputs=10, seed=3)}
    for name, g in cases.items():
        order = np.random.default_rng(0).permutation(d.X_train.shape[0]).astype(np.int64)
        for dtype in ("float64", "float32"):
            out = {}
            for threads in (1, 2):
                nets = []

                def run(threads=threads, nets=nets):
                    net = Network(g, seed=0, init_scale=0.8)
                    _train_epoch(net, (d.X_train, d.Y_train), order, batch=32, lr=0.02,
                                 dtype=dtype, threads=threads)
                    nets.append(net)

                out[threads] = (best_time(run, 2 if quick else 5), nets[-1].weight)
            rows.append({
                "case": name, "dtype": dtype,
                "samples_per_s_1_thread": order.size / out[1][0],
                "samples_per_s_2_threads": order.size / out[2][0],
                "speedup_2_threads": out[1][0] / out[2][0],
                "bit_identical": bool(np.array_equal(out[1][1], out[2][1])),
            })
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return rows


def torch_mlp_epoch(torch, W, b, X, Y, order, batch, lr):
    """One epoch of SGD on 0.5 * mean_batch ||y - tanh MLP(x)||^2 with autograd."""
    Ws = [torch.nn.Parameter(w.clone()) for w in W]
    bs = [torch.nn.Parameter(v.clone()) for v in b]
    opt = torch.optim.SGD([*Ws, *bs], lr=lr)
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)
    for t0 in range(0, order.size, batch):
        idx = torch.as_tensor(order[t0:t0 + batch])
        h = Xt[idx]
        for w, v in zip(Ws, bs, strict=True):
            h = torch.tanh(h @ w.T + v)
        loss = 0.5 * ((Yt[idx] - h) ** 2).sum() / idx.numel()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return Ws, bs


def _layers(net, sizes):
    """Dense per-layer weight matrices and biases of a layered network."""
    Wd = net.dense()
    starts = np.cumsum([0, *sizes])
    W, b = [], []
    for li in range(1, len(sizes)):
        rows = slice(starts[li], starts[li + 1])
        W.append(Wd[rows, starts[li - 1]:starts[li]])
        b.append(net.bias[rows])
    return W, b


def torch_section(quick):
    try:
        import torch
    except ImportError:
        return {"skipped": "torch not installed: pip install torch==2.13.0"}
    rows = []
    datasets = {"digits": (load_digits(), [64, 100, 10]),
                "mnist1d": (load_mnist1d(), [40, 100, 10])}
    for name, (d, sizes) in datasets.items():
        order = np.random.default_rng(0).permutation(d.X_train.shape[0]).astype(np.int64)
        for dtype, tdt in (("float32", torch.float32), ("float64", torch.float64)):
            for threads in (1, 2):
                torch.set_num_threads(threads)
                for batch in ((32,) if quick else (32, 128)):
                    X = d.X_train.astype(dtype)
                    Y = d.Y_train.astype(dtype)
                    net0 = Network(layered(sizes), seed=0)
                    W0, b0 = _layers(net0, sizes)
                    Wt = [torch.as_tensor(w, dtype=tdt).contiguous() for w in W0]
                    bt = [torch.as_tensor(v, dtype=tdt).contiguous() for v in b0]
                    lr = 0.05
                    holder = {}

                    def ours(net0=net0, batch=batch, threads=threads, dtype=dtype, X=X, Y=Y):
                        net = net0.copy()
                        _train_epoch(net, (X, Y), order, batch=batch, lr=lr, dtype=dtype,
                                     threads=threads)
                        holder["ours"] = net

                    def theirs(Wt=Wt, bt=bt, batch=batch, X=X, Y=Y):
                        holder["torch"] = torch_mlp_epoch(torch, Wt, bt, X, Y, order, batch, lr)

                    reps = 2 if quick else 5
                    t_ours = best_time(ours, reps)
                    t_torch = best_time(theirs, reps)
                    W1, _ = _layers(holder["ours"], sizes)
                    Wtorch = [w.detach().numpy() for w in holder["torch"][0]]
                    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(W1, Wtorch,
                                                                             strict=True))
                    rows.append({
                        "data": name, "sizes": sizes, "dtype": dtype, "threads": threads,
                        "batch": batch,
                        "ours_samples_per_s": order.size / t_ours,
                        "torch_samples_per_s": order.size / t_torch,
                        "speedup_vs_torch": t_torch / t_ours,
                        "max_weight_diff_after_epoch": diff,
                    })
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return {"torch_version": torch.__version__, "rows": rows}


def float32_section(quick):
    rows = []
    epochs = 5 if quick else 20
    d = load_digits()
    cases = {"layered digits 64-100-10": layered([64, 100, 10]),
             "recurrent digits (density 0.1)": erdos_renyi(174, 0.1, n_inputs=64, n_outputs=10,
                                                           seed=3)}
    for name, g in cases.items():
        res = {}
        for dtype in ("float64", "float32"):
            net = Network(g, seed=0, init_scale=0.8)
            r = fit(net, d, learning_rate=0.02, epochs=epochs, batch_size=32, seed=0,
                    kernel="batch", dtype=dtype)
            res[dtype] = (r.metrics[-1], net.weight)
        w64, w32 = res["float64"][1], res["float32"][1]
        rows.append({
            "case": name, "epochs": epochs,
            "test_accuracy_float64": res["float64"][0]["test_accuracy_all"],
            "test_accuracy_float32": res["float32"][0]["test_accuracy_all"],
            "test_loss_float64": res["float64"][0]["test_loss"],
            "test_loss_float32": res["float32"][0]["test_loss"],
            "weight_rel_diff": float(np.linalg.norm(w64 - w32) / np.linalg.norm(w64)),
            "weight_max_abs_diff": float(np.max(np.abs(w64 - w32))),
        })
    return rows


def _table(rows):
    if not rows:
        return ""
    keys = list(rows[0])
    fmt = [f"{r[k]:.3g}" if isinstance(r[k], float) else str(r[k]) for r in rows for k in keys]
    widths = [max(len(k), *(len(fmt[i * len(keys) + j]) for i in range(len(rows))))
              for j, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True))]
    for i in range(len(rows)):
        lines.append("  ".join(fmt[i * len(keys) + j].ljust(widths[j])
                               for j in range(len(keys))))
    return "\n".join(lines)


def worker():
    """Samples/s of this process's mini-batch kernel, as one JSON line (for --before)."""
    import wiring

    d = load_digits()
    g = erdos_renyi(2000, 0.02, n_inputs=64, n_outputs=10, seed=3)
    w = np.random.default_rng(1).standard_normal(g.n_edges) * 0.8 / np.sqrt(40)
    order = np.random.default_rng(0).permutation(d.X_train.shape[0]).astype(np.int64)
    rates = {}
    for dtype in ("float64", "float32"):
        def run(dtype=dtype):
            _train_epoch(Network(g, w), (d.X_train, d.Y_train), order, batch=32, lr=0.02,
                         dtype=dtype, threads=1)

        name = f"batch: digits epoch, n = {g.n}, batch 32, {dtype}, 1 thread"
        rates[name] = order.size / best_time(run, 3)
    print(json.dumps({"wiring": wiring.__file__, **rates}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--only", nargs="*", choices=["bound", "threads", "torch", "float32"])
    ap.add_argument("--before", metavar="REV", help="time against the engine at REV")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker()
        return
    if args.before:
        rows = before_after(__file__, args.before, [])
        print(_table(rows))
        if args.json:
            with open(args.json, "w") as fh:
                json.dump({"before": args.before, "unit": "samples/s", "rows": rows}, fh,
                          indent=2)
        return
    sections = {"bound": bound_section, "threads": threads_section, "torch": torch_section,
                "float32": float32_section}
    out = {"cpu_count": os.cpu_count(), "numba_threads": numba.config.NUMBA_NUM_THREADS,
           "numba": numba.__version__, "numpy": np.__version__}
    for name, fn in sections.items():
        if args.only and name not in args.only:
            continue
        t = time.perf_counter()
        out[name] = fn(args.quick)
        rows = out[name]["rows"] if isinstance(out[name], dict) and "rows" in out[name] \
            else out[name]
        print(f"\n== {name} ({time.perf_counter() - t:.0f} s)")
        print(_table(rows) if isinstance(rows, list) else rows)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
