"""Fewer settle sweeps: warm starts, Gauss-Seidel and Anderson against plain Jacobi.

On recurrent networks (digits and mnist1d, 100 hidden neurons at density 0.1 with
feedback edges, as in ``wiring reproduce``'s rule study) trained for a few epochs,
and on the mnist1d network with its initial weights scaled 3x and 4x (near and past
where plain iteration stops settling: the high-learning-rate failure of issue 5),
500 test samples' firing and credit settle five ways with the weights fixed:
Jacobi from rest (the plain iteration), Jacobi warm-started from the previous
sample's state, Gauss-Seidel from rest and warm-started, and Anderson-accelerated
Jacobi (history 5) from rest. Reports mean
sweeps (firing, credit), wall time, and the largest distance of each method's fixed
point from a reference solved to tol 1e-13 (the same fixed points, to ``tol``).

Run:  .venv/bin/python benchmarks/bench_settle.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from wiring.data import load_digits, load_mnist1d
from wiring.graphs.builders import recurrent
from wiring.network import Network
from wiring.train import fit

METHODS = {"jacobi, from rest": ("jacobi", False), "jacobi, warm start": ("jacobi", True),
           "gauss-seidel, from rest": ("gauss-seidel", False),
           "gauss-seidel, warm start": ("gauss-seidel", True),
           "anderson, from rest": ("anderson", False)}


def settle_all(net, X, Y, method, warm, tol):
    """Settle firing and credit for every row (no learning); return stats, rates, credit."""
    done, stats, rec = net._run(X, Y, rule="balance-exact", loss="cross-entropy", tol=tol,
                                max_iter=20_000, method=method, warm_start=warm, record=True)
    assert done == X.shape[0]
    return stats, rec[0], rec[2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--tol", type=float, default=1e-10)
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = []
    digits, mnist1d = load_digits(), load_mnist1d()
    cases = [("digits, trained", digits, 1.0, True), ("mnist1d, trained", mnist1d, 1.0, True),
             ("mnist1d, init x3", mnist1d, 3.0, False),
             ("mnist1d, init x4", mnist1d, 4.0, False)]
    for name, d, scale, train in cases:
        g = recurrent(d.X_train.shape[1], 100, 10, recurrent_density=0.1,
                      feedback_density=0.1, seed=0)
        net = Network(g, seed=0, init_scale=scale)
        if train:
            fit(net, d, rule="balance-exact", loss="cross-entropy", learning_rate=0.02,
                epochs=args.epochs, seed=0, tol=1e-8)
        X, Y = d.X_test[:500], d.Y_test[:500]
        ref_stats, x_ref, c_ref = settle_all(net, X, Y, "jacobi", False, 1e-13)
        ref_ok = (ref_stats[:, 2] == 0) & (ref_stats[:, 5] == 0)
        settle_all(net, X[:2], Y[:2], "gauss-seidel", True, args.tol)  # compile
        for label, (method, warm) in METHODS.items():
            t = time.perf_counter()
            stats, x, c = settle_all(net, X, Y, method, warm, args.tol)
            seconds = time.perf_counter() - t
            ok = (stats[:, 2] == 0) & (stats[:, 5] == 0)
            both = ok & ref_ok  # fixed points compared where plain iteration settles too
            rows.append({
                "data": name, "method": label, "samples": int(X.shape[0]),
                "converged": int(ok.sum()),
                "firing_sweeps": float(stats[:, 0].mean()),
                "credit_sweeps": float(stats[:, 3].mean()),
                "seconds": seconds,
                "max_rate_diff": float(np.max(np.abs(x[both] - x_ref[both]))),
                "max_credit_diff": float(np.max(np.abs(c[both] - c_ref[both]))),
            })
        base = next(r for r in rows if r["data"] == name and r["method"] == "jacobi, from rest")
        for r in rows:
            if r["data"] == name:
                r["sweeps_vs_plain"] = ((r["firing_sweeps"] + r["credit_sweeps"])
                                        / (base["firing_sweeps"] + base["credit_sweeps"]))
                r["time_vs_plain"] = r["seconds"] / base["seconds"]
    keys = list(rows[0])
    print("  ".join(keys))
    for r in rows:
        print("  ".join(f"{r[k]:.3g}" if isinstance(r[k], float) else str(r[k]) for k in keys))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"tol": args.tol, "epochs": args.epochs, "rows": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
