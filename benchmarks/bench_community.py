"""Where the time of the default community analysis goes, on weight graphs of 1e4 .. 1e6 edges.

For each size a sweep directory with one run is synthesised with the project's own
writers (:mod:`wiring.runs`): a directed random graph with planted modules (``K``
communities, ``--within`` of each neuron's inputs from its own community), at the
engine's default recurrent density (``--density``, so ``n = sqrt(E / density)``),
``--snapshots`` weight snapshots whose within-module weights grow over "training"
and ~10% of which are pruned (zero) at the end. Then the pipeline of ``wiring report``
runs on it, exactly as the CLI calls it (:func:`community.tables.analyse_sweep` with
the default :class:`~community.tables.AnalysisSettings`: abs weights, modularity,
one Leiden run per snapshot, 3 null samples of each kind on the final snapshot,
Louvain cross-check; :func:`community.report.build_report`;
:func:`community.export.export_sweep` to GEXF), with every stage function
wrapped by a timer that records *exclusive* time (a stage's own time, minus the
stages it called) per call path, so the rows add up to the wall time.

Reference ratios, measured in the same process on the same final snapshot:

* our :func:`community.detect.leiden` on the dense matrix (graph build included) and
  on a prebuilt :class:`~community.graphs.WeightGraph`, against a bare
  ``leidenalg.find_partition`` on the same igraph graph (same edge order, same
  seed, same iterations; the partitions must be identical);
* :func:`community.graphs.weight_graph` (dense matrix -> igraph) against building
  the igraph graph straight from the snapshot's edge arrays;
* :func:`community.measures.modularity` against ``igraph.Graph.modularity``
  (directed, weighted; the values must agree).

Each size runs in a fresh child process (peak RSS per size; a size that runs out
of memory does not take the others with it).

Run:  .venv/bin/python benchmarks/bench_community.py [--edges 1e4 1e5 1e6] [--json out.json]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

DENSITY = 0.1          # the engine's default recurrent_density (wiring/config.py)
K = 10                 # planted communities
WITHIN = 0.6           # fraction of each neuron's inputs from its own community
PRUNED = 0.1           # fraction of synapses at zero in the final snapshot


# --------------------------------------------------------------------------- synthetic runs


def planted_edges(n: int, n_edges: int, *, k: int, within: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n_edges`` distinct directed edges, no self-loops, ``within`` of them inside modules.

    Returns ``(src, dst, community)`` with edges sorted by ``(dst, src)``.
    """
    community = np.arange(n) % k            # community c = neurons c, c + k, c + 2k, ...
    size = np.bincount(community, minlength=k)
    keys = np.zeros(0, dtype=np.int64)
    while keys.size < n_edges:
        m = int(1.3 * (n_edges - keys.size)) + 16
        dst = rng.integers(0, n, m)
        src = rng.integers(0, n, m)
        inside = rng.random(m) < within
        c = community[dst[inside]]
        src[inside] = c + k * rng.integers(0, size[c])   # a member of the target's community
        ok = src != dst
        keys = np.unique(np.concatenate([keys, dst[ok] * n + src[ok]]))
    keys = np.sort(rng.choice(keys, n_edges, replace=False))
    return keys % n, keys // n, community


def synthesise_sweep(root: Path, n_edges: int, *, density: float, snapshots: int,
                     seed: int = 0) -> tuple[Path, dict]:
    """A sweep directory with one planted-module run of ``n_edges`` synapses."""
    import wiring.runs as runs

    rng = np.random.default_rng(seed)
    n = max(int(round(np.sqrt(n_edges / density))), K + 1)
    src, dst, community = planted_edges(n, n_edges, k=K, within=WITHIN, rng=rng)
    run = runs.prepare_run_dir(root / "runs" / f"planted-{n_edges}", overwrite=True)
    runs.write_config(run, {
        "task": {"kind": "noise", "seed": seed},
        "graph": {"family": "planted", "n": n, "density": density},
        "simulation": {"learning_rate": 0.01, "prune": PRUNED, "pruning": "magnitude"}})
    runs.write_provenance(run, seed=seed, extra={"benchmark": "bench_community"})
    w0 = rng.normal(0.0, 0.1, src.size)
    inside = community[src] == community[dst]
    pruned = rng.random(src.size) < PRUNED
    steps = [int(s) for s in np.linspace(0, 1000, snapshots)]
    rows = []
    for t, step in enumerate(steps):
        frac = t / max(len(steps) - 1, 1)
        w = w0 * (1.0 + 3.0 * frac * inside)
        if t == len(steps) - 1:
            w = np.where(pruned, 0.0, w)
        runs.write_snapshot(run, step, src=src, dst=dst, weight=w, bias=np.zeros(n),
                            inputs=np.zeros(0, np.int64), outputs=np.zeros(0, np.int64), n=n)
        rows.append({"iteration": step, "weight_abs_max": float(np.abs(w).max()),
                     "weight_abs_mean": float(np.abs(w).mean()),
                     "density": float(np.count_nonzero(w) / (n * n))})
    runs.write_metrics(run, rows)
    runs.write_status(run, "ok")
    return root, {"n": n, "edges": int(src.size), "communities_planted": K,
                  "within_fraction_planted": WITHIN, "snapshots": len(steps)}


# --------------------------------------------------------------------------- stage timer


class StageTimer:
    """Exclusive wall time per call path of wrapped functions."""

    def __init__(self) -> None:
        self.stack: list[list] = []
        self.excl: dict[tuple[str, ...], float] = defaultdict(float)
        self.calls: dict[tuple[str, ...], int] = defaultdict(int)
        self.order: list[tuple[str, ...]] = []
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, label: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self.stack.append([label, time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                lab, t0, child = self.stack.pop()
                dt = time.perf_counter() - t0
                path = tuple(s[0] for s in self.stack) + (lab,)
                if path not in self.excl:
                    self.order.append(path)
                self.excl[path] += dt - child
                self.calls[path] += 1
                if self.stack:
                    self.stack[-1][2] += dt
        return timed

    def patch(self, owner: object, name: str, label: str | None = None) -> None:
        original = getattr(owner, name)
        self._undo.append((owner, name, original))
        setattr(owner, name, self.wrap(label or name, original))

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def rows(self) -> list[dict]:
        return [{"path": " > ".join(p), "calls": self.calls[p], "seconds": self.excl[p]}
                for p in self.order]


def instrument(timer: StageTimer) -> None:
    """Wrap the stage functions of the default pipeline (module attributes, as called)."""
    import community.detect as detect
    import community.export.gexf as gexf
    import community.export.sweep as export_sweep
    import community.graphs as graphs
    import community.measures as measures
    import community.nulls as nulls
    import community.regimes as regimes
    import community.report.build as build
    import community.report.kit as kit
    import community.tables as tables
    import wiring.runs as runs
    import wiring.runs.snapshots as snapshots

    timer.patch(runs, "load_snapshot", "load snapshot")
    timer.patch(snapshots.Snapshot, "dense", "snapshot -> dense")
    for mod in (graphs, measures, nulls):
        timer.patch(mod, "dense_weights", "validate+copy dense")
    timer.patch(detect, "weight_graph", "build weight graph")
    timer.patch(detect, "leiden", "leiden")
    timer.patch(detect, "louvain", "louvain (networkx)")
    timer.patch(graphs.WeightGraph, "to_networkx", "to networkx")
    timer.patch(detect, "_layer_partitions", "leidenalg partition objects")
    for name in ("block_matrix", "strengths", "participation", "within_module_z", "roles",
                 "community_sizes", "within_fraction", "within_chance", "modularity",
                 "offdiagonal_index", "agreement"):
        timer.patch(measures, name, f"measures.{name}")
    timer.patch(tables, "prune_to_density", "prune_to_density")
    timer.patch(tables, "_transform", "transform")
    timer.patch(tables, "analyse_run", "analyse_run")
    timer.patch(tables, "_seed_agreement", "seed agreement")
    timer.patch(tables, "write_tables", "write tables")
    timer.patch(regimes, "classify", "regimes")
    timer.patch(nulls, "null_zscore", "null z-score")
    timer.patch(nulls, "shuffle_weights", "draw shuffle")
    timer.patch(nulls, "rewire", "draw rewire")
    import community.evidence as evidence

    timer.patch(evidence, "structure_evidence", "null evidence (20 draws x 3 nulls)")
    timer._undo.append((build, "_SECTIONS", build._SECTIONS))
    build._SECTIONS = tuple(timer.wrap(f"section {f.__name__.strip('_')}", f)
                            for f in build._SECTIONS)
    timer.patch(build, "_load_inputs", "read tables")
    timer.patch(kit.Inputs, "figure", "PNG encode")
    timer.patch(build, "environment", "templates")
    timer.patch(build, "_write_figures", "write figures")
    timer.patch(build, "write_atomic", "write file")
    timer.patch(gexf, "write_gexf", "write GEXF")
    timer.patch(gexf, "write_dynamic_gexf", "write dynamic GEXF")
    timer.patch(export_sweep, "read_tables", "read tables")


def category(path: str) -> str:
    """The summary stage a call path belongs to (the issue's list of stages)."""
    parts = path.split(" > ")
    last = parts[-1]
    if parts[0] == "export":
        return "export (GEXF)"
    if parts[0] == "report":
        if "section heatmaps" in parts and last in ("load snapshot", "snapshot -> dense"):
            return "report: load snapshots"
        if last == "PNG encode":
            return "report: PNG encode"
        if last.startswith("section"):
            return "report: figures (" + last.removeprefix("section ") + ")"
        return "report: read/render/write"
    if "null z-score" in parts:
        return "nulls (3 shuffle + 3 rewire, Leiden each)"
    if "louvain (networkx)" in parts:
        return "louvain cross-check (networkx)"
    if "quality statistic" in parts:
        return "leiden on pruned initial weights"
    if last in ("load snapshot", "snapshot -> dense"):
        return "load snapshot"
    if last == "build weight graph" or (len(parts) > 1 and parts[-2] == "build weight graph"):
        return "build weight graph"
    if "leiden" in parts:
        return "leiden (one per snapshot)"
    if last.startswith("measures.") or last == "validate+copy dense" or last == "transform":
        return "measures"
    if last == "prune_to_density":
        return "weight change baseline (prune_to_density)"
    if last in ("write tables",):
        return "tables write"
    return "analysis: other (slicing, DataFrames, regimes)"


# --------------------------------------------------------------------------- references


def references(sweep: Path, *, repeat: int) -> dict:
    """Our calls against bare leidenalg / igraph on the final snapshot, same process."""
    import igraph as ig
    import leidenalg as la

    import wiring.runs as runs
    from community import detect, measures
    from community.graphs import weight_graph

    run = next((sweep / "runs").iterdir())
    snap = runs.load_snapshot(runs.list_snapshots(run)[-1])
    W = snap.dense()
    keep = snap.weight != 0
    order = np.lexsort((snap.src[keep], snap.dst[keep]))  # our layer's edge order
    src, dst = snap.src[keep][order], snap.dst[keep][order]
    w = np.abs(snap.weight[keep][order])

    def interleaved(fns: dict) -> tuple[dict, dict]:
        """Best of ``repeat`` for each call, the calls taking turns (load hits all alike)."""
        times = {k: [] for k in fns}
        outs = {}
        for _ in range(repeat):
            for k, fn in fns.items():
                t0 = time.perf_counter()
                outs[k] = fn()
                times[k].append(time.perf_counter() - t0)
        return {k: min(v) for k, v in times.items()}, outs

    def bare_graph():  # the quickest plain igraph construction from the edge arrays
        g = ig.Graph(n=snap.n, edges=list(zip(src.tolist(), dst.tolist(), strict=True)),
                     directed=True)
        g.es["weight"] = w.tolist()
        return g

    t, o = interleaved({"ours": lambda: weight_graph(W, mode="abs"), "bare": bare_graph})
    t_ours_build, t_bare_build, wg, g = t["ours"], t["bare"], o["ours"], o["bare"]
    t, o = interleaved({
        "dense": lambda: detect.leiden(W, seed=0), "graph": lambda: detect.leiden(wg, seed=0),
        "bare": lambda: la.find_partition(g, la.ModularityVertexPartition, weights="weight",
                                          n_iterations=-1, seed=0)})
    t_ours_dense, t_ours_graph, t_bare = t["dense"], t["graph"], t["bare"]
    p_dense, p_graph, bare = o["dense"], o["graph"], o["bare"]
    same = bool(np.array_equal(p_graph.membership, detect.relabel(bare.membership)))
    m = p_graph.membership
    t, o = interleaved({
        "ours": lambda: measures.modularity(W, m),
        "igraph": lambda: g.modularity(m.tolist(), weights="weight", directed=True)})
    t_q_ours, t_q_ig, q_ours, q_ig = t["ours"], t["igraph"], o["ours"], o["igraph"]
    return {
        "weight_graph_s": t_ours_build, "igraph_from_edges_s": t_bare_build,
        "weight_graph_vs_igraph_from_edges": t_ours_build / t_bare_build,
        "leiden_dense_s": t_ours_dense, "leiden_weightgraph_s": t_ours_graph,
        "bare_find_partition_s": t_bare,
        "leiden_dense_vs_bare": t_ours_dense / t_bare,
        "leiden_weightgraph_vs_bare": t_ours_graph / t_bare,
        "leiden_same_partition_as_bare": same,
        "leiden_same_partition_dense_vs_graph": bool(np.array_equal(p_dense.membership, m)),
        "n_communities_found": int(m.max()) + 1,
        "modularity_s": t_q_ours, "igraph_modularity_s": t_q_ig,
        "modularity_vs_igraph": t_q_ours / t_q_ig,
        "modularity_abs_diff_vs_igraph": abs(q_ours - q_ig),
        "modularity": q_ours,
    }


# --------------------------------------------------------------------------- one size


def run_one(n_edges: int, args) -> dict:
    from community.export import export_sweep
    from community.report import build_report
    from community.tables import AnalysisSettings, analyse_sweep

    with tempfile.TemporaryDirectory(prefix="bench-community-") as tmp:
        t0 = time.perf_counter()
        sweep, info = synthesise_sweep(Path(tmp) / "sweep", n_edges, density=args.density,
                                       snapshots=args.snapshots)
        info["synthesise_s"] = time.perf_counter() - t0
        timer = StageTimer()
        instrument(timer)
        phases = {}
        # what `wiring report <path>` runs (wiring/experiments/cli.py, _analyse_report_export)
        for name, call in (
                ("analyse", lambda: analyse_sweep(sweep, settings=AnalysisSettings(),
                                                  workers=1)),
                ("report", lambda: build_report(sweep)),
                ("export", lambda: export_sweep(sweep, fmt="gexf"))):
            t = time.perf_counter()
            timer.wrap(name, call)()
            phases[name] = time.perf_counter() - t
        timer.undo()
        peak_pipeline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures = sorted(p.name for p in (sweep / "report" / "figures").glob("*.png"))
        refs = references(sweep, repeat=args.repeat) if not args.no_references else {}
    rows = timer.rows()
    total = sum(phases.values())
    cats: dict[str, float] = defaultdict(float)
    for r in rows:
        cats[category(r["path"])] += r["seconds"]
    return {**info, "phases_s": phases, "pipeline_s": total,
            "peak_rss_mb": peak_pipeline, "stages_s": dict(cats), "paths": rows,
            "figures": figures, "references": refs}


# --------------------------------------------------------------------------- output


def print_size(res: dict) -> None:
    print(f"\n== {res['edges']:,} edges, n = {res['n']:,} neurons, {res['snapshots']} snapshots:"
          f" pipeline {res['pipeline_s']:.2f} s (analyse {res['phases_s']['analyse']:.2f}, "
          f"report {res['phases_s']['report']:.2f}, export {res['phases_s']['export']:.2f}),"
          f" peak RSS {res['peak_rss_mb']:.0f} MB")
    total = res["pipeline_s"]
    print(f"  {'stage':58s} {'seconds':>9s} {'share':>6s}")
    for name, s in sorted(res["stages_s"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:58s} {s:9.3f} {100 * s / total:5.1f}%")
    print("  slowest call paths (exclusive time):")
    for r in sorted(res["paths"], key=lambda r: -r["seconds"])[:12]:
        print(f"    {r['seconds']:8.3f} s  {r['calls']:4d} x  {r['path']}")
    ref = res["references"]
    if ref:
        print(f"  references: leiden (dense in) {ref['leiden_dense_s']:.3f} s, "
              f"leiden (WeightGraph in) {ref['leiden_weightgraph_s']:.3f} s, bare "
              f"leidenalg.find_partition {ref['bare_find_partition_s']:.3f} s -> ratios "
              f"{ref['leiden_dense_vs_bare']:.2f} / {ref['leiden_weightgraph_vs_bare']:.2f}"
              f" (same partition: {ref['leiden_same_partition_as_bare']})")
        print(f"              weight_graph {ref['weight_graph_s']:.3f} s vs igraph from edge "
              f"arrays {ref['igraph_from_edges_s']:.3f} s -> "
              f"{ref['weight_graph_vs_igraph_from_edges']:.1f}x")
        print(f"              modularity {ref['modularity_s']:.4f} s vs igraph "
              f"{ref['igraph_modularity_s']:.4f} s -> {ref['modularity_vs_igraph']:.1f}x "
              f"(|dQ| = {ref['modularity_abs_diff_vs_igraph']:.1e})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=float, nargs="+", default=[1e4, 1e5, 1e6],
                    help="graph sizes (synapses)")
    ap.add_argument("--density", type=float, default=DENSITY,
                    help="connection density; n = sqrt(edges / density)")
    ap.add_argument("--snapshots", type=int, default=3, help="snapshots per run")
    ap.add_argument("--repeat", type=int, default=3, help="repeats of each reference timing")
    ap.add_argument("--no-references", action="store_true")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per size")
    ap.add_argument("--json")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        Path(args.child_out).write_text(json.dumps(run_one(args.child, args)))
        return
    out = {"density": args.density, "snapshots": args.snapshots, "cpu_count": os.cpu_count(),
           "threads": 1, "sizes": []}
    for e in args.edges:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            child_out = fh.name
        cmd = [sys.executable, __file__, "--child", str(int(e)), "--child-out", child_out,
               "--density", str(args.density), "--snapshots", str(args.snapshots),
               "--repeat", str(args.repeat)] + (["--no-references"] * args.no_references)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            ok = proc.returncode == 0
            err = proc.stderr[-2000:]
        except subprocess.TimeoutExpired:
            ok, err = False, f"timed out after {args.timeout:.0f} s"
        if ok:
            res = json.loads(Path(child_out).read_text())
            res["child_wall_s"] = time.perf_counter() - t0
            print_size(res)
        else:
            res = {"edges": int(e), "error": err}
            print(f"\n== {int(e):,} edges: FAILED\n{err}")
        Path(child_out).unlink(missing_ok=True)
        out["sizes"].append(res)
        sys.stdout.flush()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
