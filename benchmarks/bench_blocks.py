"""Block models and modularity maxima, against the field's references in the same run.

* :func:`community.blocks.fit_blocks` (numba, the default backend) against graph-tool's
  ``minimize_blockmodel_dl`` (``community.graphtool``, run out of process; its own fit
  time is measured inside the worker, graph-tool's import and the file transfer
  excluded), on planted directed graphs (a 4-block feed-forward chain with
  heavy-tailed degrees) of 300, 1,000 and 3,000 neurons at mean degree 30: seconds per
  fit, the ratio, the number of blocks each found, their agreement (ARI) and the
  description length each reached (ours measures both).
* :func:`community.modmax.max_modularity` (numba Louvain, best of 2) against
  ``leidenalg`` (:func:`community.detect.leiden`, run to convergence) on the same graphs:
  seconds and modularity.
* The evidence of one final snapshot (:func:`community.evidence.structure_evidence`, 20
  draws of each of three nulls) on a trained-like 300-neuron graph: seconds.

Everything single-threaded (``OMP_NUM_THREADS=1``); the median of ``--repeat`` runs.

Run:  .venv/bin/python benchmarks/bench_blocks.py [--sizes 300 1000 3000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from community import graphtool  # noqa: E402
from community.blocks import description_length, edge_list, fit_blocks  # noqa: E402
from community.detect import leiden  # noqa: E402
from community.evidence import structure_evidence  # noqa: E402
from community.measures import agreement  # noqa: E402
from community.modmax import max_modularity  # noqa: E402


def planted_chain(n: int, degree: float, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """A 4-block chain 0 -> 1 -> 2 -> 3 with Pareto(3) degree propensities, as W[i, j]
    (onto i from j), weights log-normal; mean total degree ``degree``."""
    rng = np.random.default_rng(seed)
    b = np.repeat(np.arange(4), n // 4)
    n = b.size
    theta = rng.pareto(3.0, n) + 1.0
    theta /= theta.mean()
    m = int(degree * n / 2)
    rows, cols = [], []
    while sum(r.size for r in rows) < m:
        k = 2 * m
        src = rng.choice(n, size=k, p=theta / theta.sum())
        dst = rng.choice(n, size=k, p=theta / theta.sum())
        ok = (dst != src) & ((b[dst] == (b[src] + 1) % 4) | (rng.random(k) < 0.15))
        rows.append(dst[ok])
        cols.append(src[ok])
    dst, src = np.concatenate(rows)[:m], np.concatenate(cols)[:m]
    W = sp.coo_matrix((rng.lognormal(0, 0.5, dst.size), (dst, src)), shape=(n, n)).tocsr()
    return W, b


def timed(fn, repeat: int):
    out, times = None, []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000])
    ap.add_argument("--degree", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    fit_blocks(planted_chain(80, 10, 0)[0])   # compile (cached on disk after the first run)
    max_modularity(planted_chain(80, 10, 0)[0])
    have_gt = graphtool.available()
    rows = []
    for n in args.sizes:
        W, b = planted_chain(n, args.degree, seed=n)
        ours, t_ours = timed(lambda W=W: fit_blocks(W, seed=0), args.repeat)
        row = {"n": int(W.shape[0]), "edges": int(W.nnz), "sbm_seconds": t_ours,
               "sbm_blocks": ours.n_communities, "sbm_dl": ours.quality,
               "sbm_ari_planted": agreement(ours.membership, b)["ari"]}
        if have_gt:
            (m_gt, _), = graphtool.fit_many([edge_list(W)], n_init=1, seed=0)
            row.update(graph_tool_seconds=graphtool.LAST_SECONDS[0],
                       graph_tool_blocks=int(np.unique(m_gt).size),
                       graph_tool_dl=description_length(W, m_gt),
                       ari_ours_vs_graph_tool=agreement(ours.membership, m_gt)["ari"])
            row["sbm_speedup_vs_graph_tool"] = row["graph_tool_seconds"] / t_ours
        mm, t_mm = timed(lambda W=W: max_modularity(W, seed=0), args.repeat)
        lei, t_lei = timed(lambda W=W: leiden(W.toarray(), seed=0), args.repeat)
        row.update(modmax_seconds=t_mm, modmax_q=mm.quality, leiden_seconds=t_lei,
                   leiden_q=lei.quality, modmax_speedup_vs_leiden=t_lei / t_mm)
        rows.append(row)
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                          for k, v in row.items()}))
    W, _ = planted_chain(300, args.degree, seed=7)
    W0 = np.random.default_rng(7).normal(size=W.shape)
    _, t_ev = timed(lambda: structure_evidence(W.toarray(), W0, n_null=20), 1)
    result = {"graph_tool": have_gt, "rows": rows, "evidence_seconds_n300": t_ev}
    print(f"evidence of one 300-neuron final snapshot (3 nulls x 20 draws): {t_ev:.2f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
