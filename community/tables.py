"""Run directories in, tidy tables out: the analysis step of a sweep.

:func:`analyse_sweep` reads every run of a sweep (or a single run directory),
detects communities in every weight snapshot, computes the measures of
:mod:`community.measures` and writes one Parquet + CSV file per table into
``<sweep>/analysis/``. Every table has one row per observation and every
identifying parameter as a column, so the report (and any user) can group,
filter and plot without going back to the snapshots.

Schema
------
``runs`` -- one row per run directory:
    run_id, group, task, rule, learning_rate, seed, prune, pruning, graph_family,
    run_status ("ok" | "unstable" | "failed"), reason, n_snapshots, and from its
    provenance: produced_by (the commit that produced it), produced_dirty,
    wiring_version, numba_version, numpy_version (:func:`mixed_provenance` warns when
    they differ across the runs). Only "ok" runs are analysed: the last weights of a run
    that diverged are not a result.
``snapshots`` -- one row per snapshot of an "ok" run:
    run_id, group, task, rule, learning_rate, seed, prune, pruning, graph_family, step,
    step_fraction (step / last step of the longest run with the same group, rule, prune,
    graph family and learning rate), is_final, snapshot_path, run_status,
    pruned_initial (True for the first snapshot of a run that prunes: analysed as the
    initial weights pruned to the next snapshot's density, so that pruning alone is not
    shown as learning), weight_mode, quality, resolution, nodes ("all" | "hidden"),
    n_nodes, n_edges (non-zero), density, weight_abs_mean, weight_abs_max, weight_change
    (``||W - B||_F / ||B||_F`` with ``B`` the run's first snapshot (before any
    threshold) pruned to the same density, :func:`prune_to_density`, so pruning alone
    is not counted as change), modularity (of the Leiden partition), leiden_quality,
    n_communities, largest_community_fraction, within_fraction, within_chance,
    within_excess (within_fraction / within_chance), offdiag_index, ari_seeds,
    nmi_seeds (mean agreement with the other seeds' partitions at the same group,
    learning rate and step_fraction; NaN with one seed), ari_final (agreement with the
    same run's final partition), louvain_ari, louvain_modularity (Louvain, networkx, as
    a cross-check of Leiden: agreement of the two partitions and Louvain's modularity;
    final snapshots, modes other than signed).

    The structural evidence of :mod:`community.evidence` (final snapshots only; NaN
    elsewhere): q_max (modularity maximised by the fast Louvain used with its nulls),
    block_disassortativity and block_assortativity (over the block model's blocks),
    hub_share (larger top-10% share of in- or out-strength), sbm_blocks, sbm_dl
    (description length, nats), sbm_weights, n_null (draws per null), and for each
    signature ``x`` in (q, bd, hub, ba)
    and null ``m`` in (init_pruned, shuffle, rewire): ``x_z_m``, ``x_p_m`` (z-score and
    one-sided empirical p) and ``x_null_m`` (mean over the draws); q_initial_pruned
    (= q_null_init_pruned); isolated_fraction, saturated_fraction (NaN when the snapshot
    records no balance values), reciprocity, gini_in, gini_out, top_share_in,
    top_share_out, rich_club_rho, rich_club_p, weight_growth (``max |W| / max |W0|``).
``neurons`` -- one row per run x snapshot x neuron:
    run_id, group, learning_rate, seed, step, is_final, weight_mode, neuron,
    name (only when a run of the analysis has a nodes file, :func:`wiring.runs.read_nodes`:
    the neuron's name, e.g. a connectome's cell name or a graph file's node id; for a
    run without one the index as text, ``"12"``), community (Leiden), block (the block
    model's, final snapshots; -1 elsewhere), in_strength, out_strength, participation_in,
    participation_out, participation, within_z, role, is_input, is_output, is_clamped.
    The neurons' other attributes (a connectome's ``class``, ...) stay in the run's
    nodes file: join on ``neuron``.
``blocks`` -- one row per run x snapshot x (block_to, block_from) of the Leiden partition:
    run_id, group, learning_rate, seed, step, weight_mode, block_to, block_from,
    mean_abs_weight, size_to, size_from.
``training`` -- the runs' own ``metrics`` tables, concatenated (unstable runs included):
    their columns, plus run_id, group and run_status.
``skipped`` -- one row per run or snapshot that could not be analysed, and why:
    run_id, group, stage, reason (the report lists them).
``regimes`` -- one row per cell (group, rule, prune, graph family, learning rate): the
    regime and its evidence (see :mod:`community.regimes`).

Where NaN may appear (and nowhere else): in ``snapshots``, the evidence and Louvain
columns of non-final snapshots; ``x_z_m`` where the null draws do not vary and equal the
observation (``inf`` where they do not vary and differ from it), ``x_z_m``/``x_p_m``
with ``n_null = 0`` or a null left out (the init-pruned one, and ``weight_growth``, for a
run whose ``config.toml`` says ``task.initial_snapshot = false``: weights trained
elsewhere without their initial snapshot); ``saturated_fraction`` without recorded
balance values; ``louvain_*`` and the evidence of a final snapshot only with a
``skipped`` row saying why; ``ari_seeds``/``nmi_seeds`` with one seed; ``offdiag_index``
as :func:`community.measures.offdiagonal_index` defines it (fewer than two communities,
or no within- or across-community pair; ``inf`` when only the within-community blocks
are empty); ``within_excess`` when ``within_chance`` is 0; ``weight_change`` when the
baseline has no weight or the run has no initial snapshot; ``modularity`` when the graph
has no weight. In ``blocks``, ``mean_abs_weight`` on the diagonal of a one-neuron
community (no pair of distinct neurons). ``neurons`` has none. ``training`` is the runs'
metrics as written (see :func:`wiring.train.fit`): the epoch-0 row has no per-epoch training columns
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
from community import detect, evidence, measures
from community.evidence import prune_to_density
from community.graphs import WEIGHT_MODES, _safe_scale
from wiring.errors import WiringError

__all__ = ["AnalysisSettings", "PROVENANCE_COLUMNS", "TABLES", "analyse_run",
           "analyse_sweep", "find_runs", "mixed_provenance", "prune_to_density",
           "read_tables", "write_tables"]

log = logging.getLogger(__name__)

TABLES = ("runs", "snapshots", "neurons", "blocks", "training", "skipped", "regimes")
NODE_SETS = ("auto", "all", "hidden")


@dataclass(frozen=True)
class AnalysisSettings:
    """How weight graphs are built and partitioned (recorded in ``settings.json``).

    Attributes
    ----------
    weight_mode : {"abs", "pos", "neg", "signed"}
        Which weights form the graph (:data:`community.graphs.WEIGHT_MODES`).
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
        Draws of each null model per final snapshot (0 disables the null z-scores);
        :mod:`community.evidence`. At least 20 for a verdict (:mod:`community.regimes`).
    nulls : tuple of str
        The null models (:data:`community.evidence.NULL_MODELS`).
    block_weights : {"auto", "none", "lognormal", "exponential"}
        How the block model uses weights (:func:`community.blocks.fit_blocks`);
        ``"auto"``: the surviving synapses (``"none"``) when the run pruned, their
        magnitudes (``"lognormal"``) when the topology was fixed.
    threshold : float
        Drop ``|w|`` below this before detection (0: keep every non-zero weight).
    """

    weight_mode: str = "abs"
    quality: str = "modularity"
    resolution: float = 1.0
    leiden_runs: int = 1
    nodes: str = "auto"
    n_null: int = 20
    nulls: tuple[str, ...] = evidence.NULL_MODELS
    block_weights: str = "auto"
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
        if isinstance(self.nulls, str) or not all(m in evidence.NULL_MODELS
                                                   for m in self.nulls):
            raise WiringError(f"`nulls` must be a list drawn from "
                              f"{', '.join(evidence.NULL_MODELS)}, got {self.nulls!r}")
        object.__setattr__(self, "nulls", tuple(self.nulls))
        if self.block_weights not in evidence.BLOCK_WEIGHT_CHOICES:
            raise WiringError(f"unknown block_weights {self.block_weights!r}; choose one of "
                              f"{', '.join(evidence.BLOCK_WEIGHT_CHOICES)}")


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


#: Provenance columns of the ``runs`` table (from each run's ``provenance.json``).
PROVENANCE_COLUMNS = ("produced_by", "produced_dirty", "wiring_version", "numba_version",
                      "numpy_version")


def _provenance(run_dir: Path) -> dict:
    """The commit that produced a run and the versions that computed it ("" if unknown)."""
    try:
        prov = runs.read_provenance(run_dir)
    except (WiringError, OSError):
        prov = {}
    versions = prov.get("versions") if isinstance(prov.get("versions"), dict) else {}
    return {"produced_by": str(prov.get("produced_by") or prov.get("git_commit") or ""),
            "produced_dirty": bool(prov.get("git_dirty", False)),
            "wiring_version": str(prov.get("wiring_version") or ""),
            "numba_version": str(versions.get("numba") or ""),
            "numpy_version": str(versions.get("numpy") or "")}


def mixed_provenance(runs_table: pd.DataFrame) -> list[str]:
    """Warnings when the runs of one analysis were produced by different code.

    A table that pools runs from different commits, or from different versions of wiring,
    numba or numpy (which compile and feed the kernels), may pool different numbers for
    the same configuration and seed.

    Parameters
    ----------
    runs_table : DataFrame
        The ``runs`` table.

    Returns
    -------
    list of str
        One sentence per field that takes more than one value (empty: one provenance).

    Examples
    --------
    >>> t = pd.DataFrame({"run_id": ["a", "b"], "produced_by": ["1a2b3c4d5e", "9f8e7d6c5b"],
    ...                   "wiring_version": ["0.1.0", "0.1.0"]})
    >>> mixed_provenance(t)
    ['the runs were produced by 2 different commits (1a2b3c4d5e: a; 9f8e7d6c5b: b)']
    """
    out = []
    names = {"produced_by": "commits", "wiring_version": "wiring versions",
             "numba_version": "numba versions", "numpy_version": "numpy versions"}
    for col, what in names.items():
        if col not in runs_table or runs_table.empty:
            continue
        values = runs_table[col].fillna("").astype(str)
        known = values[values != ""]
        if known.nunique() > 1:
            groups = runs_table.assign(_v=values).groupby("_v")["run_id"]
            listed = "; ".join(f"{v[:10] if col == 'produced_by' else v}: "
                               + ", ".join(sorted(map(str, ids))[:3])
                               + (" ..." if len(ids) > 3 else "")
                               for v, ids in groups if v)
            out.append(f"the runs were produced by {known.nunique()} different {what} "
                       f"({listed})")
    if "produced_dirty" in runs_table and runs_table["produced_dirty"].astype(bool).any():
        n = int(runs_table["produced_dirty"].astype(bool).sum())
        out.append(f"{n} run(s) were produced from a working tree with uncommitted changes: "
                   "their commit does not pin the code")
    return out


def _token(null: str) -> str:
    """Column token of a null model (``"init-pruned"`` -> ``"init_pruned"``)."""
    return null.replace("-", "_")


def _block_weights(settings: AnalysisSettings, params: dict) -> str:
    """``"auto"``: the surviving synapses carry the rule's choice when the run pruned;
    with a fixed topology only the magnitudes can."""
    if settings.block_weights != "auto":
        return settings.block_weights
    return "none" if (params.get("prune") or 0) > 0 else "lognormal"


def _evidence_columns(ev: dict | None) -> dict:
    """The snapshot-table columns of :func:`community.evidence.structure_evidence`."""
    nan = float("nan")
    ev = ev or {}
    row = {"q_max": ev.get("q", nan), "block_disassortativity": ev.get("bd", nan),
           "hub_share": ev.get("hub", nan), "block_assortativity": ev.get("ba", nan),
           "sbm_blocks": ev.get("sbm_blocks", nan),
           "sbm_dl": ev.get("sbm_dl", nan), "sbm_weights": ev.get("sbm_weights", ""),
           "n_null": ev.get("n_null", 0)}
    for key in ("isolated_fraction", "saturated_fraction", "reciprocity", "gini_in",
                "gini_out", "top_share_in", "top_share_out", "rich_club_rho", "rich_club_p",
                "weight_growth"):
        row[key] = ev.get(key, nan)
    for sig in evidence.SIGNATURES:
        for null in evidence.NULL_MODELS:
            t = _token(null)
            row[f"{sig}_z_{t}"] = ev.get(f"{sig}_z_{null}", nan)
            row[f"{sig}_p_{t}"] = ev.get(f"{sig}_p_{null}", nan)
            row[f"{sig}_null_{t}"] = ev.get(f"{sig}_null_mean_{null}", nan)
    row["q_initial_pruned"] = row["q_null_init_pruned"]
    return row


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
        ``runs``, ``snapshots``, ``neurons``, ``blocks``, ``training``, ``skipped``;
        ``neurons`` has a ``name`` column when the run has a nodes file (its neurons'
        names, :func:`wiring.runs.read_nodes`), none otherwise. Problems (missing
        files, NaN weights, a graph left empty by thresholding, an unreadable nodes
        file) become rows of ``skipped``; they never stop the analysis. A run that ended
        ``"unstable"`` or ``"failed"`` is not analysed: its weights are not a result
        (``skipped`` says why; ``runs`` and ``training`` keep it).

    Examples
    --------
    >>> tabs = analyse_run("x", "g", "/nonexistent")
    >>> tabs["skipped"]["stage"].tolist()
    ['run']
    """
    settings = settings or AnalysisSettings()
    run_dir = Path(run_dir)
    rows, neuron_rows, block_rows, skipped = [], [], [], []
    empty = {k: pd.DataFrame() for k in ("runs", "snapshots", "neurons", "blocks", "training")}
    try:
        cfg = runs.read_config(run_dir)
        status = runs.read_status(run_dir) or {"status": "failed", "reason": "no status.json"}
        paths = runs.list_snapshots(run_dir)
    except (WiringError, OSError) as exc:
        return {**empty, "skipped": pd.DataFrame([{"run_id": run_id, "group": group,
                                                  "stage": "run", "reason": str(exc)}])}
    params = _run_params(cfg)
    ident = {"run_id": run_id, "group": group, **params}
    run_status = str(status.get("status", "failed"))
    run_row = pd.DataFrame([{**ident, "run_status": run_status,
                             "reason": str(status.get("reason", "")),
                             "n_snapshots": len(paths), **_provenance(run_dir)}])
    try:
        training = runs.read_metrics(run_dir)
        training.insert(0, "group", group)
        training.insert(0, "run_id", run_id)
        training["run_status"] = run_status
    except (WiringError, OSError) as exc:
        training = pd.DataFrame()
        skipped.append({"run_id": run_id, "group": group, "stage": "metrics",
                        "reason": str(exc)})
    if run_status != "ok":
        skipped.append({"run_id": run_id, "group": group, "stage": "run",
                        "reason": f"run ended {run_status}: {status.get('reason', '')}; its "
                                  "weights are not a result and are not analysed"})
        return {**empty, "runs": run_row, "training": training,
                "skipped": pd.DataFrame(skipped, columns=["run_id", "group", "stage",
                                                          "reason"])}
    if not paths:
        skipped.append({"run_id": run_id, "group": group, "stage": "snapshots",
                        "reason": f"no snapshots in {run_dir / 'snapshots'}"})
    snaps_in = []
    for path in paths:
        try:
            snaps_in.append((path, runs.load_snapshot(path)))
        except WiringError as exc:
            skipped.append({"run_id": run_id, "group": group, "stage": "snapshot",
                            "reason": str(exc)})
    names = None  # the neurons' names, where the run has a nodes file
    if snaps_in:
        try:
            table = runs.read_nodes(run_dir, n=snaps_in[0][1].n)
            names = None if table is None else table["name"].to_numpy(dtype=object)
        except WiringError as exc:
            skipped.append({"run_id": run_id, "group": group, "stage": "nodes",
                            "reason": f"{exc}; the neurons table has no names for this run"})
    last_step = max((snap.step for _, snap in snaps_in), default=None)
    W0 = None
    # weights trained elsewhere may come without their initial snapshot (config.toml's
    # task.initial_snapshot = false): no baseline, so no weight change, weight growth or
    # init-pruned null (NaN, and the regimes say why)
    has_initial = bool(cfg.get("task", {}).get("initial_snapshot", True))
    memberships = {}
    final_ev = None
    for k, (path, snap) in enumerate(snaps_in):
        nodes = _node_set(snap, settings, params["task"])
        W = snap.dense()[np.ix_(nodes, nodes)]
        pruned_initial = False
        if k == 0 and has_initial:
            W0 = W  # the baseline is the unthresholded first snapshot
            if k + 1 < len(snaps_in):
                # a run that prunes starts dense: its first point is the initial weights
                # pruned to the next snapshot's density, so that pruning is not shown
                # as learning
                nxt = snaps_in[k + 1][1]
                n_next = int(np.count_nonzero(nxt.dense()[np.ix_(nodes, nodes)]))
                if n_next < np.count_nonzero(W):
                    W = prune_to_density(W, n_next)
                    pruned_initial = True
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
        base0 = prune_to_density(W0 if W0 is not None else np.zeros_like(W),
                                 int(np.count_nonzero(W)))
        # norms of weights near 1e200 overflow; the ratio is scale-invariant
        s = _safe_scale(max(np.abs(W).max(initial=0.0), np.abs(base0).max(initial=0.0)))
        n0 = np.linalg.norm(base0 / s)
        is_final = snap.step == last_step
        ev = None
        if is_final:
            balance = snap.extra.get("balance")
            try:
                ev = evidence.structure_evidence(
                    Wm if settings.weight_mode != "signed" else W,
                    None if W0 is None else _transform(W0, settings.weight_mode),
                    n_null=settings.n_null,
                    null_models=settings.nulls, block_weights=_block_weights(settings, params),
                    balance=None if balance is None else np.asarray(balance)[nodes],
                    seed=int(params["seed"] or 0))
                final_ev = ev
            except WiringError as exc:
                skipped.append({"run_id": run_id, "group": group, "stage": "evidence",
                                "reason": str(exc)})
        row = {
            **ident, "step": snap.step, "snapshot_path": str(Path(path).resolve()),
            "run_status": run_status, "pruned_initial": pruned_initial,
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
            "louvain_ari": float("nan"), "louvain_modularity": float("nan"),
            **_evidence_columns(ev),
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
            **base, "neuron": nodes, **({"name": names[nodes]} if names is not None else {}),
            "community": m,
            "block": (ev["membership_sbm"] if ev is not None
                      else np.full(nodes.size, -1, dtype=np.int64)),
            "in_strength": k_in,
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
        if is_final and settings.weight_mode != "signed":  # Louvain (networkx): cross-check
            try:
                lv = detect.louvain(W, mode=settings.weight_mode, seed=int(params["seed"] or 0))
                row["louvain_ari"] = measures.agreement(lv.membership, m)["ari"]
                row["louvain_modularity"] = float(lv.quality)
            except WiringError as exc:
                skipped.append({"run_id": run_id, "group": group, "stage": "louvain",
                                "reason": str(exc)})
    if last_step is not None and last_step not in memberships:
        skipped.append({"run_id": run_id, "group": group, "stage": "final snapshot",
                        "reason": f"the final snapshot (step {last_step}) could not be "
                                  "analysed; the run is left out of the regimes table"})
    del final_ev
    snaps = pd.DataFrame(rows)
    if len(snaps):
        snaps["step_fraction"] = snaps["step"] / max(last_step or 1, 1)
        snaps["is_final"] = snaps["step"] == last_step
        final_m = memberships.get(last_step)
        snaps["ari_final"] = [
            measures.agreement(memberships[s], final_m)["ari"] if final_m is not None
            else float("nan") for s in snaps["step"]]
    neurons = pd.concat(neuron_rows, ignore_index=True) if neuron_rows else pd.DataFrame()
    if len(neurons):
        neurons["is_final"] = neurons["step"] == last_step
    return {
        "runs": run_row, "snapshots": snaps, "neurons": neurons,
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
    from threadpoolctl import threadpool_limits

    run_id, group, run_dir, settings = args
    # one BLAS thread: the matrices are small and the runs already fill the cores;
    # threaded BLAS on a busy machine made block matrices ~10x slower
    with threadpool_limits(limits=1, user_api="blas"):
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
    for name in ("runs", "snapshots", "neurons", "blocks", "training", "skipped"):
        frames = [p[name] for p in parts if len(p[name])]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    nrn = tables["neurons"]
    if "name" in nrn and nrn["name"].isna().any():  # runs without a nodes file beside named
        nrn["name"] = nrn["name"].where(nrn["name"].notna(), nrn["neuron"].astype(str))
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
    tables["regimes"] = classify(tables["snapshots"], tables["runs"])
    for warning in mixed_provenance(tables["runs"]):
        log.warning("analysis of %s: %s", path, warning)
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
