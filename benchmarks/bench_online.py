"""Online training speed of "balance-exact" on a sparse recurrent graph.

n = 1,000 neurons, ~5% density, 50 source inputs, 10 outputs, tol 1e-10, tanh.
Reports, all measured in this one process on one core:

* the machine's CSR mat-vec bound (a tight numba kernel on the same arrays),
* the engine's samples/s and edge visits/s (firing + credit sweeps + update),
* the same algorithm in numpy + scipy.sparse, PyTorch dense and torch.sparse CSR
  (when torch is installed), with a check that all reach the same fixed points.

``--before REV`` instead times the per-sample kernel against the one at git revision
``REV`` (its ``wiring/`` extracted to a temporary directory): online training
(Jacobi, mse) and settling alone, each side in its own subprocess, alternately, three
times, keeping each side's best (the reproducibility cost of issue 14:
``docs/reproducibility.rst``).

Run:  .venv/bin/python benchmarks/bench_online.py [--samples 300] [--json out.json]
      .venv/bin/python benchmarks/bench_online.py --before d1aead5 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from _before import before_after  # benchmarks/_before.py (the script's own folder)

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from numba import njit  # noqa: E402

from wiring.graphs.builders import erdos_renyi  # noqa: E402
from wiring.network import Network  # noqa: E402
from wiring.train import fit  # noqa: E402

TOL = 1e-10
LR = 1e-3
ROOT = Path(__file__).resolve().parents[1]


@njit(cache=True, error_model="numpy")  # no fastmath, like the engine
def csr_matvec(indptr, idx, w, x, y):
    n = indptr.size - 1
    for i in range(n):
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        k = indptr[i]
        hi = indptr[i + 1]
        while k + 4 <= hi:
            a0 += w[k] * x[idx[k]]
            a1 += w[k + 1] * x[idx[k + 1]]
            a2 += w[k + 2] * x[idx[k + 2]]
            a3 += w[k + 3] * x[idx[k + 3]]
            k += 4
        while k < hi:
            a0 += w[k] * x[idx[k]]
            k += 1
        y[i] = (a0 + a1) + (a2 + a3)


def bound(graph, w_in, seconds=1.0):
    x = np.random.default_rng(0).standard_normal(graph.n)
    y = np.zeros(graph.n)
    csr_matvec(graph.in_indptr, graph.in_src, w_in, x, y)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(200):
            csr_matvec(graph.in_indptr, graph.in_src, w_in, x, y)
        reps += 200
    return reps * graph.n_edges / (time.perf_counter() - t0)


def numpy_online(graph, weight, X, Y, n_samples):
    """The same algorithm (Jacobi firing, Jacobi credit, online update) in numpy + scipy."""
    n = graph.n
    A = sp.csr_matrix((weight, (graph.dst, graph.src)), shape=(n, n))
    A.sort_indices()
    AT = A.T.tocsr()
    AT.sort_indices()
    # map A.data positions to AT.data positions: both sorted, so use the graph's CSR maps
    order_in = np.lexsort((graph.src, graph.dst))
    order_out = np.lexsort((graph.dst, graph.src))
    pos_out = np.empty_like(order_out)
    pos_out[order_out] = np.arange(order_out.size)
    in_to_out = pos_out[order_in]
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    free = np.ones(n, bool)
    free[graph.inputs] = False
    outs = graph.outputs
    xs = []
    t0 = time.perf_counter()
    for r in range(n_samples):
        x = np.zeros(n)
        x[graph.inputs] = X[r]
        for _ in range(1000):
            s = A @ x
            xn = np.where(free, np.tanh(s), x)
            res = np.max(np.abs(xn - x))
            x = xn
            if res <= TOL:
                break
        f = np.where(free, 1 - x * x, 0.0)
        e = np.zeros(n)
        e[outs] = Y[r] - x[outs]
        c = np.zeros(n)
        for _ in range(1000):
            cn = e + AT @ (f * c)
            res = np.max(np.abs(cn - c))
            c = cn
            if res <= TOL:
                break
        d = f * c
        A.data += LR * d[rows] * x[A.indices]
        AT.data[in_to_out] = A.data
        xs.append(x)
    return n_samples / (time.perf_counter() - t0), np.array(xs)


def torch_online(graph, weight, X, Y, n_samples, *, sparse):
    import torch

    torch.set_num_threads(1)
    n = graph.n
    W = torch.zeros((n, n), dtype=torch.float64)
    W[torch.as_tensor(graph.dst), torch.as_tensor(graph.src)] = torch.as_tensor(weight)
    free = torch.ones(n, dtype=torch.bool)
    free[torch.as_tensor(graph.inputs)] = False
    inputs = torch.as_tensor(graph.inputs)
    outs = torch.as_tensor(graph.outputs)
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)
    mask = W != 0
    if sparse:
        # CSR of W (rows = dst) and of W^T (rows = src); both sorted like the graph's CSR,
        # so W^T's values are W's values permuted by graph.in_to_out
        Ws = W.to_sparse_csr()
        WTs = W.T.contiguous().to_sparse_csr()
        crow = Ws.crow_indices()
        col = Ws.col_indices()
        rows = torch.repeat_interleave(torch.arange(n), crow[1:] - crow[:-1])
        in_to_out = torch.as_tensor(graph.in_to_out)
    xs = []
    t0 = time.perf_counter()
    with torch.no_grad():
        for r in range(n_samples):
            x = torch.zeros(n, dtype=torch.float64)
            x[inputs] = Xt[r]
            for _ in range(1000):
                s = (Ws @ x) if sparse else (W @ x)
                xn = torch.where(free, torch.tanh(s), x)
                res = (xn - x).abs().max().item()
                x = xn
                if res <= TOL:
                    break
            f = torch.where(free, 1 - x * x, torch.zeros_like(x))
            e = torch.zeros(n, dtype=torch.float64)
            e[outs] = Yt[r] - x[outs]
            c = torch.zeros(n, dtype=torch.float64)
            for _ in range(1000):
                cn = e + ((WTs @ (f * c)) if sparse else (W.T @ (f * c)))
                res = (cn - c).abs().max().item()
                c = cn
                if res <= TOL:
                    break
            d = f * c
            if sparse:
                vals = Ws.values()
                vals += LR * d[rows] * x[col]
                WTs.values()[in_to_out] = vals
            else:
                W += LR * torch.outer(d, x) * mask
            xs.append(x.numpy().copy())
    return n_samples / (time.perf_counter() - t0), np.array(xs)


def _problem(samples):
    g = erdos_renyi(1000, 0.05, n_inputs=50, n_outputs=10, seed=0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (samples, 50))
    Y = rng.uniform(-0.5, 0.5, (samples, 10))
    w = np.random.default_rng(1).standard_normal(g.n_edges) * 0.5 / np.sqrt(50)
    return g, w, X, Y


def worker(samples):
    """Samples/s of this process's per-sample kernel, as one JSON line (for --before)."""
    import wiring

    g, w, X, Y = _problem(samples)
    net = Network(g, w, output_activation="tanh")
    fit(net.copy(), (X[:5], Y[:5]), learning_rate=LR, epochs=1, tol=TOL, loss="mse")
    res = fit(net.copy(), (X, Y), learning_rate=LR, epochs=1, tol=TOL, loss="mse", seed=0)
    name = f"per-sample: online epoch, n = {g.n}, {g.n_edges} edges"
    rates = {name: res.metrics[-1]["samples_per_second"]}
    net.settle(X[:5], tol=TOL)
    t0 = time.perf_counter()
    net.settle(X, tol=TOL)
    rates[f"per-sample: settle only, n = {g.n}"] = samples / (time.perf_counter() - t0)
    print(json.dumps({"wiring": wiring.__file__, **rates}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--ref-samples", type=int, default=60)
    ap.add_argument("--before", metavar="REV", help="time against the engine at REV")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.worker:
        worker(args.samples)
        return
    if args.before:
        rows = before_after(__file__, args.before, ["--samples", str(args.samples)])
        text = json.dumps({"before": args.before, "unit": "samples/s", "rows": rows}, indent=2)
        print(text)
        if args.json:
            with open(args.json, "w") as fh:
                fh.write(text)
        return
    g = erdos_renyi(1000, 0.05, n_inputs=50, n_outputs=10, seed=0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (args.samples, 50))
    Y = rng.uniform(-0.5, 0.5, (args.samples, 10))
    net = Network(g, seed=0, init_scale=0.5, output_activation="tanh")
    w0 = net.weight
    out = {"n": g.n, "edges": g.n_edges, "inputs": 50, "outputs": 10, "tol": TOL}
    fit(net.copy(), (X[:5], Y[:5]), learning_rate=LR, epochs=1, tol=TOL, loss="mse")  # compile
    out["csr_bound_edges_per_s"] = bound(g, net._w_in)
    eng = net.copy()
    t0 = time.perf_counter()
    res = fit(eng, (X, Y), learning_rate=LR, epochs=1, tol=TOL, loss="mse", seed=0)
    dt = time.perf_counter() - t0
    row = res.metrics[-1]
    fi, ci = row["firing_iterations_mean"], row["credit_iterations_mean"]
    # per sample: fi firing sweeps + ci credit sweeps over all edges, + 2 update passes
    visits = args.samples * g.n_edges * (fi + ci + 2)
    out["engine_samples_per_s"] = row["samples_per_second"]
    out["engine_edge_visits_per_s"] = visits / row["seconds"]
    out["engine_fit_wall_s"] = dt
    out["firing_iterations_mean"] = fi
    out["credit_iterations_mean"] = ci
    out["fraction_of_bound"] = out["engine_edge_visits_per_s"] / out["csr_bound_edges_per_s"]
    gs = fit(net.copy(), (X, Y), learning_rate=LR, epochs=1, tol=TOL, loss="mse", seed=0,
             method="gauss-seidel").metrics[-1]
    out["engine_gauss_seidel_samples_per_s"] = gs["samples_per_second"]
    out["gauss_seidel_firing_iterations_mean"] = gs["firing_iterations_mean"]
    out["gauss_seidel_credit_iterations_mean"] = gs["credit_iterations_mean"]
    # references: same weights, same samples in order (fit shuffles: use seed order)
    order = np.random.default_rng(0).permutation(args.samples)[: args.ref_samples]
    Xr, Yr = X[order], Y[order]
    ref_net = net.copy()
    ref = fit(ref_net, (Xr, Yr), learning_rate=LR, epochs=1, tol=TOL, loss="mse",
              seed=np.random.default_rng([0]))  # any order; fixed points checked below
    del ref
    sps, xs_np = numpy_online(g, w0, Xr, Yr, args.ref_samples)
    out["numpy_scipy_samples_per_s"] = sps
    # same fixed points: the engine settles the numpy reference's first sample identically
    x_eng = net.copy().settle(Xr[:1], tol=TOL)[0]
    out["max_abs_diff_vs_numpy_first_sample"] = float(np.max(np.abs(x_eng - xs_np[0])))
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        out["torch"] = "not installed: pip install torch==2.13.0"
    if have_torch:
        import torch

        out["torch_version"] = torch.__version__
        sps_d, xs_d = torch_online(g, w0, Xr, Yr, args.ref_samples, sparse=False)
        sps_s, xs_s = torch_online(g, w0, Xr, Yr, args.ref_samples, sparse=True)
        out["torch_dense_samples_per_s"] = sps_d
        out["torch_sparse_csr_samples_per_s"] = sps_s
        out["max_abs_diff_torch_dense_vs_numpy"] = float(np.max(np.abs(xs_d - xs_np)))
        out["max_abs_diff_torch_sparse_vs_numpy"] = float(np.max(np.abs(xs_s - xs_np)))
        out["speedup_vs_torch_dense"] = out["engine_samples_per_s"] / sps_d
        out["speedup_vs_torch_sparse"] = out["engine_samples_per_s"] / sps_s
    out["speedup_vs_numpy_scipy"] = out["engine_samples_per_s"] / sps
    out["gauss_seidel_speedup_vs_numpy_scipy_jacobi"] = (
        out["engine_gauss_seidel_samples_per_s"] / sps)
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
