"""Run graph-tool's block-model inference on edge lists: a script for the system Python.

Debian's ``python3-graph-tool`` is built against numpy 1.x and cannot be imported next
to numpy 2, so :mod:`community.graphtool` runs this file as a separate process under
the interpreter that has graph-tool. It imports only numpy and graph_tool, never the
``community`` package. Usage::

    python3 _graphtool_worker.py IN.npz OUT.npz

``IN.npz`` holds ``n_graphs`` and, per graph ``k``, ``src_k``, ``dst_k``, ``weight_k``,
``n_k`` and ``opts_k`` (``[degree_corrected, weights_code, n_blocks, max_blocks, seed,
n_init, distributed]``, ``distributed`` 1 for graph-tool's distributed degree prior and 0
for the uniform one, weights code 0 none, 1 count, 2 exponential, 3 lognormal, ``n_blocks`` 0 for
model selection), and optionally ``given_k``: a partition whose description length is
wanted instead of a fit. ``OUT.npz`` gets ``membership_k``, ``entropy_k`` (graph-tool's
description length in nats, with the degree prior asked for) and ``seconds_k`` (the fit's
own time, graph-tool's import and the file transfer excluded: for benchmarks).
A fit is ``minimize_blockmodel_dl`` run ``n_init`` times (its merge-split search is
stochastic and can stop at a poorer partition); the lowest description length wins.
Written to a temporary name and renamed.
"""

import os
import sys
import time

import numpy as np


def _fit(gt, src, dst, weight, n, opts, given):
    deg_corr, code, n_blocks, max_blocks, seed, n_init, dist = (int(v) for v in opts)
    ENTROPY = {"degree_dl_kind": "distributed" if dist else "uniform"}
    gt.seed_rng(seed)
    np.random.seed(seed)  # noqa: NPY002 (graph-tool draws from numpy's global state)
    g = gt.Graph(directed=True)
    g.add_vertex(int(n))
    g.add_edge_list(np.column_stack([src, dst]))
    state_args = {"deg_corr": bool(deg_corr)}
    if code == 1:
        ew = g.new_ep("int")
        ew.a = np.round(weight).astype(np.int64)
        state_args["eweight"] = ew
    elif code in (2, 3):
        rec = g.new_ep("double")
        rec.a = weight if code == 2 else np.log(weight)
        state_args["recs"] = [rec]
        state_args["rec_types"] = ["real-exponential" if code == 2 else "real-normal"]
    if given is not None:
        state = gt.BlockState(g, b=g.new_vp("int", vals=given), **state_args)
        return np.asarray(given, dtype=np.int64), float(state.entropy(**ENTROPY))
    mcmc = {"entropy_args": dict(ENTROPY)}
    if n_blocks > 0:
        mcmc.update(B_min=n_blocks, B_max=n_blocks)
    elif max_blocks > 0:
        mcmc.update(B_max=max_blocks)
    best = None
    for _ in range(max(n_init, 1)):
        state = gt.minimize_blockmodel_dl(g, state_args=state_args, multilevel_mcmc_args=mcmc)
        s = float(state.entropy(**ENTROPY))
        if best is None or s < best[1]:
            best = (np.asarray(state.get_blocks().a, dtype=np.int64), s)
    return best


def main(argv):
    import graph_tool.all as gt

    src_path, out_path = argv[1], argv[2]
    data = np.load(src_path)
    out = {}
    for k in range(int(data["n_graphs"])):
        given = data[f"given_{k}"] if f"given_{k}" in data else None
        start = time.perf_counter()
        m, s = _fit(gt, data[f"src_{k}"], data[f"dst_{k}"], data[f"weight_{k}"],
                    int(data[f"n_{k}"]), data[f"opts_{k}"], given)
        out[f"seconds_{k}"] = np.array(time.perf_counter() - start)
        out[f"membership_{k}"] = m
        out[f"entropy_{k}"] = np.array(s)
    tmp = out_path + ".part.npz"
    np.savez(tmp, **out)
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main(sys.argv)
