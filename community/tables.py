"""Run directories in, tidy tables out: the analysis step of a sweep.

:func:`analyse_sweep` reads every run of a sweep (or a single run directory),
detects communities in every weight snapshot, computes the measures of
:mod:`community.measures` and writes one Parquet + CSV file per table into
``<sweep>/analysis/``. Every table has one row per observation and every
identifying parameter as a column, so the report (and any user) can group,
filter and plot without going back to the snapshots.

Schema
------
``snapshots`` -- one row per run x snapshot:
    run_id, group, task, rule, learning_rate, seed, prune, pruning, graph_family, step,
    step_fraction (step / last step of the longest run with the same group, rule, prune,
    graph family and learning rate), is_final, snapshot_path, run_status,
    weight_mode, quality, resolution, nodes ("all" | "hidden"), n_nodes, n_edges
    (non-zero), density, weight_abs_mean, weight_abs_max, weight_change
    (``||W - B||_F / ||B||_F`` with ``B`` the run's first snapshot (before any
    threshold) pruned to the same
    density, :func:`prune_to_density`, so pruning alone is not counted as change),
    modularity, leiden_quality, q_initial_pruned (Leiden quality of ``B``: the
    initial-weights null model; final snapshots only),
    n_communities, largest_community_fraction, within_fraction, within_chance,
    within_excess (within_fraction / within_chance), offdiag_index, q_z_shuffle,
    q_z_rewire (z-scores of the Leiden quality against weight-shuffled and
    degree-preserving-rewired graphs; final snapshots only, NaN elsewhere),
    ari_seeds, nmi_seeds (mean agreement with the other seeds' partitions at the
    same group, learning rate and step_fraction; NaN with one seed), ari_final
    (agreement with the same run's final partition), louvain_ari,
    louvain_modularity (Louvain, networkx, as a cross-check of Leiden: agreement of the
    two partitions and Louvain's modularity; final snapshots, modes other than signed).
``neurons`` -- one row per run x snapshot x neuron:
    run_id, group, learning_rate, seed, step, is_final, weight_mode, neuron,
    community, in_strength, out_strength, participation_in, participation_out,
    participation, within_z, role, is_input, is_output, is_clamped.
``blocks`` -- one row per run x snapshot x (block_to, block_from):
    run_id, group, learning_rate, seed, step, weight_mode, block_to, block_from,
    mean_abs_weight, size_to, size_from.
``training`` -- the runs' own ``metrics`` tables, concatenated:
    their columns, plus run_id and group.
``skipped`` -- one row per run or snapshot that could not be analysed, and why:
    run_id, group, stage, reason (the report lists them).
``regimes`` -- one row per cell (group, rule, prune, graph family, learning rate):
    group, rule, prune, graph_family, learning_rate, regime, n_runs, n_unstable,
    weight_change_mean, modularity_mean, within_excess_mean, offdiag_index_mean,
    q_z_shuffle_mean, evidence (see :mod:`community.regimes`).

Where NaN may appear (and nowhere else): in ``snapshots``, the null-model and Louvain
columns of non-final snapshots; ``q_z_*`` also on a final snapshot whose null samples do
not vary (``std == 0``: e.g. no degree-preserving rewiring of a complete graph exists);
``louvain_*`` and ``q_initial_pruned`` of a final snapshot only with a ``skipped`` row
saying why; ``ari_seeds``/``nmi_seeds`` with one seed; ``offdiag_index`` as
:func:`community.measures.offdiagonal_index` defines it (fewer than two communities, or
no within- or across-community pair; ``inf`` when only the within-community blocks are
empty); ``within_excess`` when ``within_chance`` is 0; ``weight_change`` when the
baseline has no weight; ``modularity`` when the graph has no weight. In ``blocks``,
``mean_abs_weight`` on the diagonal of a one-neuron community (no pair of distinct
neurons). ``neurons`` has none. ``training`` is the runs' metrics as written (see
:func:`wiring.train.fit`): the epoch-0 row has no per-epoch training columns
(iterations, ``nonconverged``, ``seconds``); the row of an ``"unstable"`` epoch lacks
the test and weight statistics; losses are NaN when no sample settled. Snapshots whose
weights are far from 1 (beyond ``community.graphs.SAFE_WEIGHT``, e.g. ``1e200`` after a
run left the stable regime) are analysed on exactly rescaled weights, so such runs give
finite measures rather than NaN.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from community import detect, measures, nulls
from community.graphs import WEIGHT_MODES, _safe_scale
from wiring.errors import WiringError

__all__ = ["AnalysisSettings", "TABLES", "analyse_run", "analyse_sweep", "find_runs",
           "prune_to_density", "read_tables", "write_tables"]

log = logging.getLogger(__name__)

TABLES = ("snapshots", "neurons", "blocks", "training", "skipped", "regimes")
NODE_SETS = ("auto", "all", "hidden")


@dataclass(frozen=True)
class AnalysisSettings:
    """How weight graphs are built and partitioned (recorded in ``settings.json``).

    Attributes
    ----------
    weight_mode : {"abs", "pos", "neg", "signed"}
        Which weights form the graph (SCIENCE.md section 4).
    quality : {"modularity", "rb", "cpm"}
        Leiden quality function.
    resolution : float
        Resolution parameter (RB-configuration and CPM; 1 for modularity).
    leiden_runs : int
        Leiden runs with seeds 0..leiden_runs-1; more than one -> consensus partition.
    nodes : {"auto", "all", "hidden"}
        Neurons analysed: "auto" = hidden neurons of supervised runs, all neurons of
        the noise task.
    n_null : int
        Null-model samples per final snapshot (0 disables the null z-scores).
    threshold : float
        Drop ``|w|`` below this before detection (0: keep every non-zero weight).
    """

    weight_mode: str = "abs"
    quality: str = "modularity"
    resolution: float = 1.0
    leiden_runs: int = 1
    nodes: str = "auto"
    n_null: int = 3
    threshold: float = 0.0

    def __post_init__(self) -> None:
        if self.weight_mode not in WEIGHT_MODES:
            raise WiringError(f"unknown weight_mode {self.weight_mode!r}; choose one of "
                              f"{', '.join(WEIGHT_MODES)}")
        if self.quality not in detect.QUALITIES:
            raise WiringError(f"unknown quality {self.quality!r}; choose one of "
                              f"{', '.join(detect.QUALITIES)}")
        if self.nodes not in NODE_SETS:
            raise WiringError(f"unknown nodes {self.nodes!r}; choose one of "
                              f"{', '.join(NODE_SETS)}")
        if not (self.resolution > 0 and math.isfinite(self.resolution)):
            raise WiringError(f"`resolution` must be a positive number, got {self.resolution!r}")
        if self.quality == "modularity" and self.resolution != 1.0:
            raise WiringError("`resolution` other than 1 needs quality 'rb' (RB-configuration, "
                              "modularity with a resolution) or 'cpm'")
        if self.leiden_runs < 1 or self.n_null < 0 or self.threshold < 0:
            raise WiringError("`leiden_runs` must be >= 1, `n_null` and `threshold` >= 0")


def find_runs(path: str | Path) -> list[tuple[str, str, Path]]:
    """``(run_id, group, run_dir)`` of a sweep directory, or of one run directory.

    Parameters
    ----------
    path : str or Path
        A sweep output (with ``runs/``) or a single run directory (with ``config.toml``).

    Returns
    -------
    list of tuple

    Examples
    --------
    >>> find_runs("/nonexistent")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: no run directory or sweep at /nonexistent
    """
    path = Path(path)
    if (path / "config.toml").is_file():
        return [(path.name, "", path)]
    runs_dir = path / "runs"
    if not runs_dir.is_dir():
        raise WiringError(f"no run directory or sweep at {path}")
    groups = {}
    status_file = path / "sweep_status.parquet"
    if status_file.is_file():
        table = pd.read_parquet(status_file)
        if {"run_id", "group"} <= set(table.columns):
            groups = dict(zip(table["run_id"], table["group"], strict=True))
    out = []
    for d in sorted(runs_dir.iterdir()):
        if d.is_dir() and not d.name.startswith("."):
            out.append((d.name, str(groups.get(d.name, "")), d))
    return out


def _run_params(cfg: dict) -> dict:
    task = cfg.get("task", {}).get("kind", "supervised")
    family = str(cfg.get("graph", {}).get("family", ""))
    if task == "noise":
        if family == "recurrent":  # recorded by an earlier wiring, which built all-to-all
            family = "all-to-all"
        sim = cfg.get("simulation", {})
        return {"task": task, "rule": "balance", "learning_rate": sim.get("learning_rate"),
                "seed": cfg.get("task", {}).get("seed"), "prune": sim.get("prune"),
                "pruning": sim.get("pruning"), "graph_family": family}
    tr = cfg.get("train", {})
    return {"task": task, "rule": tr.get("rule"), "learning_rate": tr.get("learning_rate"),
            "seed": cfg.get("task", {}).get("seed"), "prune": 0.0, "pruning": "",
            "graph_family": family}


#: Columns that identify a cell of a sweep: runs that differ only in ``seed`` share them.
CELL = ["group", "rule", "prune", "graph_family", "learning_rate"]


def _node_set(snap: runs.Snapshot, settings: AnalysisSettings, task: str) -> np.ndarray:
    which = settings.nodes
    if which == "auto":
        which = "hidden" if task == "supervised" else "all"
    if which == "all":
        return np.arange(snap.n)
    mask = np.ones(snap.n, dtype=bool)
    mask[snap.inputs] = False
    mask[snap.outputs] = False
    return np.flatnonzero(mask)


def prune_to_density(W0: np.ndarray, n_keep: int) -> np.ndarray:
    """The initial weights pruned to another matrix's density.

    ``W0`` with all but its ``n_keep`` largest ``|w|`` set to zero (ties: lower index
    first): the baseline against which structure and change are judged.

    Parameters
    ----------
    W0 : ndarray
        Weights of any shape, e.g. a run's first snapshot as a dense matrix.
    n_keep : int
        How many entries keep their weight: the number of non-zero weights of the
        matrix whose density is matched.

    Returns
    -------
    ndarray
        Same shape and dtype as ``W0``.

    Examples
    --------
    >>> prune_to_density(np.array([[0.0, -3.0], [1.0, 2.0]]), 2).tolist()
    [[0.0, -3.0], [0.0, 2.0]]
    """
    flat = W0.ravel()
    out = np.zeros_like(flat)
    if n_keep > 0:
        # sort the non-zero entries only (they precede every zero in the stable order of
        # -|w|, in index order among ties): E log E instead of n^2 log n^2
        keep = np.flatnonzero(flat)
        if n_keep < keep.size:
            keep = keep[np.argsort(-np.abs(flat[keep]), kind="stable")[:n_keep]]
        out[keep] = flat[keep]
    return out.reshape(W0.shape)


def _transform(W: np.ndarray, mode: str) -> np.ndarray:
    if mode == "pos":
        return np.maximum(W, 0.0)
    if mode == "neg":
        return np.maximum(-W, 0.0)
    if mode == "sym":
        return (np.abs(W) + np.abs(W).T) / 2
    return np.abs(W) if mode == "abs" else W


def _partition(W: np.ndarray, settings: AnalysisSettings) -> detect.Partition:
    parts = [detect.leiden(W, quality=settings.quality, resolution=settings.resolution,
                           mode=settings.weight_mode, seed=s)
             for s in range(settings.leiden_runs)]
    return parts[0] if len(parts) == 1 else detect.consensus(parts, seed=0, graph=W)


def _quality_statistic(settings: AnalysisSettings, known: tuple[np.ndarray, float] | None = None
                       ) -> Callable[[np.ndarray], float]:
    def stat(W: np.ndarray) -> float:
        # ``known``: a matrix already partitioned with these settings and its quality; the
        # same weights give the same (seeded) partition, so it is not run again
        if known is not None and W.shape == known[0].shape and np.array_equal(W, known[0]):
            return known[1]
        return float(_partition(W, settings).quality)
    return stat


def analyse_run(run_id: str, group: str, run_dir: str | Path, *,
                settings: AnalysisSettings | None = None) -> dict[str, pd.DataFrame]:
    """Analyse every snapshot of one run directory.

    Parameters
    ----------
    run_id, group : str
        Identifiers written into every row.
    run_dir : str or Path
        A run directory of :mod:`wiring.runs`.
    settings : AnalysisSettings, optional

    Returns
    -------
    dict of DataFrame
        ``snapshots``, ``neurons``, ``blocks``, ``training``, ``skipped``. Problems
        (missing files, NaN weights, a graph left empty by thresholding) become rows
        of ``skipped``; they never stop the analysis.

    Examples
    --------
    >>> tabs = analyse_run("x", "g", "/nonexistent")
    >>> tabs["skipped"]["stage"].tolist()
    ['run']
    """
    settings = settings or AnalysisSettings()
    run_dir = Path(run_dir)
    rows, neuron_rows, block_rows, skipped = [], [], [], []
    empty = {k: pd.DataFrame() for k in ("snapshots", "neurons", "blocks", "training")}
    try:
        cfg = runs.read_config(run_dir)
        status = runs.read_status(run_dir) or {"status": "failed", "reason": "no status.json"}
        paths = runs.list_snapshots(run_dir)
    except (WiringError, OSError) as exc:
        return {**empty, "skipped": pd.DataFrame([{"run_id": run_id, "group": group,
                                                  "stage": "run", "reason": str(exc)}])}
    params = _run_params(cfg)
    ident = {"run_id": run_id, "group": group, **params}
    try:
        training = runs.read_metrics(run_dir)
        training.insert(0, "group", group)
        training.insert(0, "run_id", run_id)
    except (WiringError, OSError) as exc:
        training = pd.DataFrame()
        skipped.append({"run_id": run_id, "group": group, "stage": "metrics",
                        "reason": str(exc)})
    if not paths:
        skipped.append({"run_id": run_id, "group": group, "stage": "snapshots",
                        "reason": f"no snapshots in {run_dir / 'snapshots'}"})
    last_step = None
    W0 = None
    memberships = {}
    for path in paths:
        try:
            snap = runs.load_snapshot(path)
        except WiringError as exc:
            skipped.append({"run_id": run_id, "group": group, "stage": "snapshot",
                            "reason": str(exc)})
            continue
        last_step = snap.step if last_step is None else max(last_step, snap.step)
        nodes = _node_set(snap, settings, params["task"])
        W = snap.dense()[np.ix_(nodes, nodes)]
        if W0 is None:
            W0 = W  # the baseline is the unthresholded first snapshot
        if settings.threshold > 0:
            W = np.where(np.abs(W) >= settings.threshold, W, 0.0)
        try:
            part = _partition(W, settings)
        except WiringError as exc:
            skipped.append({"run_id": run_id, "group": group, "stage": f"step {snap.step}",
                            "reason": str(exc)})
            continue
        m = part.membership
        memberships[snap.step] = m
        Wm = _transform(W, settings.weight_mode)
        Wabs = np.abs(Wm)
        B = measures.block_matrix(Wabs, m)
        k_in, k_out = measures.strengths(Wabs)
        p_in = measures.participation(Wabs, m, direction="in")
        p_out = measures.participation(Wabs, m, direction="out")
        p_all = measures.participation(Wabs, m, direction="all")
        z = measures.within_module_z(Wabs, m, direction="all")
        role = measures.roles(p_all, z)
        sizes = measures.community_sizes(m)
        within = measures.within_fraction(Wabs, m)
        chance = measures.within_chance(m, self_loops=bool(np.any(snap.src == snap.dst)))
        base0 = prune_to_density(W0, int(np.count_nonzero(W)))
        # norms of weights near 1e200 overflow; the ratio is scale-invariant
        s = _safe_scale(max(np.abs(W).max(initial=0.0), np.abs(base0).max(initial=0.0)))
        n0 = np.linalg.norm(base0 / s)
        row = {
            **ident, "step": snap.step, "snapshot_path": str(Path(path).resolve()),
            "run_status": status.get("status", "failed"),
            "weight_mode": settings.weight_mode, "quality": settings.quality,
            "resolution": settings.resolution, "nodes": "hidden" if nodes.size < snap.n else "all",
            "n_nodes": int(nodes.size), "n_edges": int(np.count_nonzero(W)),
            "density": float(np.count_nonzero(W) / max(W.size, 1)),
            "weight_abs_mean": float(np.abs(W).mean()) if W.size else 0.0,
            "weight_abs_max": float(np.abs(W).max(initial=0.0)),
            "weight_change": (float(np.linalg.norm(W / s - base0 / s) / n0) if n0 > 0
                              else float("nan")),
            "modularity": measures.modularity(W if settings.weight_mode == "signed" else Wm, m,
                                              mode=settings.weight_mode
                                              if settings.weight_mode == "signed" else "abs"),
            "leiden_quality": float(part.quality),
            "n_communities": int(sizes.size),
            "largest_community_fraction": float(sizes.max() / m.size) if m.size else 0.0,
            "within_fraction": within, "within_chance": chance,
            "within_excess": within / chance if chance > 0 else float("nan"),
            "offdiag_index": measures.offdiagonal_index(B),
            "q_z_shuffle": float("nan"), "q_z_rewire": float("nan"),
            "q_initial_pruned": float("nan"),
            "louvain_ari": float("nan"), "louvain_modularity": float("nan"),
        }
        rows.append(row)
        base = {"run_id": run_id, "group": group, "learning_rate": params["learning_rate"],
                "seed": params["seed"], "step": snap.step, "weight_mode": settings.weight_mode}
        in_set = np.zeros(snap.n, dtype=bool)
        in_set[snap.inputs] = True
        out_set = np.zeros(snap.n, dtype=bool)
        out_set[snap.outputs] = True
        cl_set = np.zeros(snap.n, dtype=bool)
        cl_set[snap.clamped] = True
        neuron_rows.append(pd.DataFrame({
            **base, "neuron": nodes, "community": m, "in_strength": k_in,
            "out_strength": k_out, "participation_in": p_in, "participation_out": p_out,
            "participation": p_all, "within_z": z, "role": role,
            "is_input": in_set[nodes], "is_output": out_set[nodes], "is_clamped": cl_set[nodes],
        }))
        a, b = np.meshgrid(np.arange(B.shape[0]), np.arange(B.shape[1]), indexing="ij")
        block_rows.append(pd.DataFrame({
            **base, "block_to": a.ravel(), "block_from": b.ravel(),
            "mean_abs_weight": B.ravel(), "size_to": sizes[a.ravel()],
            "size_from": sizes[b.ravel()],
        }))
        row["_W"] = W  # kept for the null models of the final snapshot; dropped below
        row["_W0"] = base0
    if last_step is not None and last_step not in memberships:
        skipped.append({"run_id": run_id, "group": group, "stage": "final snapshot",
                        "reason": f"the final snapshot (step {last_step}) could not be "
                                  "analysed; the run is left out of the regimes table"})
    snaps = pd.DataFrame(rows)
    if len(snaps):
        snaps["step_fraction"] = snaps["step"] / max(last_step or 1, 1)
        snaps["is_final"] = snaps["step"] == last_step
        final_m = memberships.get(last_step)
        snaps["ari_final"] = [
            measures.agreement(memberships[s], final_m)["ari"] if final_m is not None
            else float("nan") for s in snaps["step"]]
        if settings.n_null > 0:
            fin = snaps.index[snaps["is_final"]]
            for i in fin:
                W = snaps.at[i, "_W"]
                stat = _quality_statistic(settings, (W, float(snaps.at[i, "leiden_quality"])))
                if settings.weight_mode != "signed":  # Louvain (networkx) as a cross-check
                    try:
                        lv = detect.louvain(W, mode=settings.weight_mode,
                                            seed=int(params["seed"] or 0))
                        m_final = memberships[last_step]
                        snaps.at[i, "louvain_ari"] = measures.agreement(lv.membership,
                                                                        m_final)["ari"]
                        snaps.at[i, "louvain_modularity"] = float(lv.quality)
                    except WiringError as exc:
                        skipped.append({"run_id": run_id, "group": group,
                                        "stage": "louvain", "reason": str(exc)})
                try:
                    snaps.at[i, "q_initial_pruned"] = stat(snaps.at[i, "_W0"])
                except WiringError as exc:
                    skipped.append({"run_id": run_id, "group": group,
                                    "stage": "null initial-pruned", "reason": str(exc)})
                for null in ("shuffle", "rewire"):
                    try:
                        res = nulls.null_zscore(W, stat, null=null, n=settings.n_null,
                                                seed=int(params["seed"] or 0))
                        snaps.at[i, f"q_z_{null}"] = res["z"]
                    except WiringError as exc:
                        skipped.append({"run_id": run_id, "group": group,
                                        "stage": f"null {null}", "reason": str(exc)})
        snaps = snaps.drop(columns=["_W", "_W0"])
    neurons = pd.concat(neuron_rows, ignore_index=True) if neuron_rows else pd.DataFrame()
    if len(neurons):
        neurons["is_final"] = neurons["step"] == last_step
    return {
        "snapshots": snaps, "neurons": neurons,
        "blocks": pd.concat(block_rows, ignore_index=True) if block_rows else pd.DataFrame(),
        "training": training,
        "skipped": pd.DataFrame(skipped, columns=["run_id", "group", "stage", "reason"]),
    }


def _seed_agreement(snaps: pd.DataFrame, neurons: pd.DataFrame) -> pd.DataFrame:
    """Mean ARI/NMI of each partition with the other seeds' at the same lr and time."""
    snaps = snaps.copy()
    snaps["ari_seeds"] = np.nan
    snaps["nmi_seeds"] = np.nan
    if snaps.empty or neurons.empty:
        return snaps
    memb = {(r, s): g.sort_values("neuron")["community"].to_numpy()
            for (r, s), g in neurons.groupby(["run_id", "step"])}
    snaps["_t"] = snaps["step_fraction"].round(6)
    for _, idx in snaps.groupby([*CELL, "_t"], dropna=False).groups.items():
        rows = snaps.loc[idx]
        if len(rows) < 2:
            continue
        for i, r in rows.iterrows():
            a = memb.get((r["run_id"], r["step"]))
            scores = [measures.agreement(a, memb[(o["run_id"], o["step"])])
                      for j, o in rows.iterrows()
                      if j != i and (o["run_id"], o["step"]) in memb
                      and a is not None and memb[(o["run_id"], o["step"])].size == a.size]
            if scores:
                snaps.at[i, "ari_seeds"] = float(np.mean([s["ari"] for s in scores]))
                snaps.at[i, "nmi_seeds"] = float(np.mean([s["nmi"] for s in scores]))
    return snaps.drop(columns="_t")


def _analyse_one(args):
    run_id, group, run_dir, settings = args
    return analyse_run(run_id, group, run_dir, settings=settings)


def analyse_sweep(path: str | Path, *, settings: AnalysisSettings | None = None,
                  workers: int = 1, progress: Callable[[int, int], None] | None = None,
                  write: bool = True) -> dict[str, pd.DataFrame]:
    """Analyse every run of a sweep (or one run directory) into the tidy tables.

    Parameters
    ----------
    path : str or Path
        Sweep output directory (``runs/`` inside) or a single run directory.
    settings : AnalysisSettings, optional
    workers : int
        Processes analysing runs in parallel (1: in this process).
    progress : callable(done, total), optional
    write : bool
        Write the tables to ``<path>/analysis/`` (Parquet + CSV) and ``settings.json``.

    Returns
    -------
    dict of DataFrame
        The tables of :data:`TABLES` (schema in the module docstring).

    Examples
    --------
    >>> analyse_sweep("/nonexistent")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: no run directory or sweep at /nonexistent
    """
    from community.regimes import classify

    settings = settings or AnalysisSettings()
    found = find_runs(path)
    parts: list[dict[str, pd.DataFrame]] = []
    jobs = [(rid, grp, d, settings) for rid, grp, d in found]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing as mp

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_analyse_one, j) for j in jobs]
            for k, fut in enumerate(as_completed(futures), 1):
                parts.append(fut.result())
                if progress:
                    progress(k, len(jobs))
    else:
        for k, j in enumerate(jobs, 1):
            parts.append(_analyse_one(j))
            if progress:
                progress(k, len(jobs))
    tables = {}
    for name in ("snapshots", "neurons", "blocks", "training", "skipped"):
        frames = [p[name] for p in parts if len(p[name])]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if tables["skipped"].empty:
        tables["skipped"] = pd.DataFrame(columns=["run_id", "group", "stage", "reason"])
    if len(tables["snapshots"]):
        snaps = tables["snapshots"]
        # time as a fraction of the longest run of the cell, so a run that stopped early
        # (unstable) is compared with the other seeds at the same training time
        longest = snaps.groupby(CELL, dropna=False)["step"].transform("max")
        snaps["step_fraction"] = snaps["step"] / longest.clip(lower=1)
        tables["snapshots"] = _seed_agreement(tables["snapshots"], tables["neurons"]).sort_values(
            ["group", "learning_rate", "seed", "step"], ignore_index=True)
    tables["regimes"] = classify(tables["snapshots"])
    if write:
        write_tables(Path(path) / "analysis", tables, settings=settings)
    return tables


def write_tables(directory: str | Path, tables: dict[str, pd.DataFrame], *,
                 settings: AnalysisSettings | None = None) -> Path:
    """Write each table as ``<name>.parquet`` and ``<name>.csv`` (atomically).

    Parameters
    ----------
    directory : str or Path
    tables : dict of DataFrame
    settings : AnalysisSettings, optional
        Also written, as ``settings.json``.

    Returns
    -------
    Path
        The directory.

    Examples
    --------
    >>> import tempfile
    >>> d = write_tables(tempfile.mkdtemp(), {"skipped": pd.DataFrame({"a": [1]})})
    >>> sorted(p.name for p in d.iterdir())
    ['skipped.csv', 'skipped.parquet']
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        runs.write_table(directory, name, table.reset_index(drop=True))
    if settings is not None:
        runs.write_json(directory / "settings.json", asdict(settings))
    return directory


def read_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """Read the tables written by :func:`write_tables` (missing ones are empty).

    Parameters
    ----------
    directory : str or Path
        An ``analysis/`` directory.

    Returns
    -------
    dict of DataFrame

    Examples
    --------
    >>> sorted(read_tables("/nonexistent"))[:2]
    ['blocks', 'neurons']
    """
    directory = Path(directory)
    out = {}
    for name in TABLES:
        p = directory / f"{name}.parquet"
        out[name] = pd.read_parquet(p) if p.is_file() else pd.DataFrame()
    return out
