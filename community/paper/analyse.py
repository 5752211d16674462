"""The reproduction's tables: every study's run directories in, tidy tables out.

:func:`analyse_studies` reads ``<runs>/<study>/runs/*`` (written by
:func:`wiring.experiments.studies.run_studies`) and writes into ``<out>/tables/`` one Parquet + CSV
file per table, plus ``fig4_matrices.npz`` (the Fig. 4 matrices with the partitions that
order them and their modularity). The report and every figure are drawn from
these files alone (:mod:`community.paper.report`).

Tables
------
``structure``
    one row per run x analysis variant x snapshot x graph (trained, null_initial,
    null_shuffle); columns: study, group, run parameters (learning_rate, prune, sigma,
    iterations, mode, pruning, clamped_fraction, activation, init_scale, seed), status,
    variant, step, is_final, graph, ``max_change``, ``moving_share``, ``weights_sha256``
    (final trained rows), the measures of :func:`community.paper.measure.structure` and
    the evidence (``ev_*``: signatures, and at the reference cell their z and p against
    each null).
``cells``, ``divergence``, ``dynamics``, ``balance``
    final snapshots summarised per cell; unstable runs per cell; per-checkpoint weights
    of the duration and development runs; the balance f at every development snapshot.
``plasticity``, ``rates``, ``null_counts``, ``contrasts``, ``pooled``, ``collapse`` ...
    the tests of :mod:`community.paper.inference` (also ``bimodality``,
    ``development``, ``timescales``, ``sensitivity``).
``rules_*``
    the rule comparison (:mod:`community.paper.rules`).
``prediction*``
    predictions 1 and 2 (:mod:`community.paper.predictions`).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from community import evidence, stats
from community.paper import inference as inf
from community.paper.measure import EVIDENCE_MIN_PRUNE, N_NULL, REFERENCE, Variant, measure_run
from community.paper.predictions import prediction_tables
from community.paper.rules import rules_tables
from wiring.errors import WiringError

__all__ = ["analyse_studies", "measure_studies", "write_tables", "MEASURES",
           "ANALYSIS_VARIANTS", "REFERENCE_CELL", "NOISE_STUDIES", "task_options", "run_groups"]

log = logging.getLogger(__name__)

MEASURES = ("modularity", "n_communities", "n_nontrivial", "isolated_fraction",
            "largest_fraction", "within_fraction",
            "within_chance_size", "within_chance_strength", "within_excess_size",
            "within_excess_strength", "offdiag_index", "gini_strength", "top10_share",
            "participation_ratio", "density", "weight_abs_max", "clamped_strength_ratio")

#: the (prune, sigma) cell where the analysis choices are varied and Fig. 4 is drawn
REFERENCE_CELL = (0.9, 0.1)
#: the weight-graph and Leiden choices re-analysed at the reference cell
ANALYSIS_VARIANTS = (Variant("signed"), Variant("sym"), Variant("abs", "rb", 0.5),
                     Variant("abs", "rb", 2.0))


def _code_digest(path: Path) -> bytes:
    """SHA-256 of a module's code without its docstrings and type annotations (editing a
    docstring, an example or a hint does not make every run be measured again; changing
    the code does)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(
                    getattr(body[0], "value", None), ast.Constant) and isinstance(
                    body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        if isinstance(node, ast.arg):
            node.annotation = None
    return hashlib.sha256(ast.dump(tree).encode()).digest()


def _cache_key(run_dir: Path, variants: tuple, options: dict) -> str:
    """What a run's measurements depend on: the measuring code, the variants, the options
    and the run's files (names, sizes, modification times)."""
    from community.paper import measure as _m

    h = hashlib.sha256(_code_digest(Path(_m.__file__)))
    h.update(_code_digest(Path(evidence.__file__)))
    h.update(repr((variants, sorted(options.items()))).encode())
    for p in sorted([run_dir / "status.json", *runs.list_snapshots(run_dir)]):
        if p.exists():
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


#: the metrics columns kept per checkpoint in the ``dynamics`` table
DYNAMICS_COLUMNS = ("iteration", "weight_abs_max", "weight_abs_mean", "weight_std",
                    "credit_abs_mean", "rate_abs_mean")


def _dynamics(run_dir: Path) -> list[dict]:
    """Per-checkpoint weight and activity statistics of a run (its metrics table)."""
    try:
        m = runs.read_metrics(run_dir)
    except (WiringError, OSError):
        return []
    cols = [c for c in DYNAMICS_COLUMNS if c in m]
    return m[cols].to_dict("records")


def _measure(task):
    """Measure one run, through a per-run cache in ``<study>/paper_analysis/`` (beside the
    runs, never in the report): re-analysing a finished sweep only measures what changed."""
    study, group, run_dir, variants, options = task
    cache = run_dir.parent.parent / "paper_analysis" / f"{run_dir.name}.pkl"
    try:
        key = _cache_key(run_dir, variants, options)
        if cache.is_file():
            with open(cache, "rb") as fh:
                stored = pickle.load(fh)
            if stored.get("key") == key:
                return study, stored["rows"], stored["extra"], ""
        rows, extra = measure_run(run_dir, variants, **options)
        if study in DYNAMICS_STUDIES:
            extra["dynamics"] = _dynamics(run_dir)
    except (WiringError, OSError) as exc:
        return study, [], {}, f"{run_dir.name}: {exc}"
    for r in rows:
        r["study"], r["group"] = study, group
    try:
        cache.parent.mkdir(exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump({"key": key, "rows": rows, "extra": extra}, fh)
        os.replace(tmp, cache)
    except OSError as exc:  # a read-only runs directory: no cache, same results
        log.info("no analysis cache for %s: %s", run_dir.name, exc)
    return study, rows, extra, ""


def run_groups(sweep_dir: Path) -> list[tuple[str, Path]]:
    """The (group, run directory) pairs of a sweep, from its ``sweep_status`` table.

    Raises
    ------
    WiringError
        When the directory holds no sweep.

    Examples
    --------
    >>> run_groups(Path("/nonexistent"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: /nonexistent holds no sweep_status.parquet: run the study ...
    """
    table = sweep_dir / "sweep_status.parquet"
    if not table.is_file():
        raise WiringError(f"{sweep_dir} holds no sweep_status.parquet: run the study first "
                          "(`wiring reproduce` does)")
    status = pd.read_parquet(table)
    out = []
    for run_id, group in zip(status["run_id"], status["group"], strict=True):
        d = sweep_dir / "runs" / run_id
        if d.is_dir():
            out.append((group, d))
    return out


#: studies whose per-checkpoint dynamics are tabulated (``dynamics``)
DYNAMICS_STUDIES = ("duration", "development")


#: the Algorithm-1 studies (:data:`wiring.experiments.studies.NOISE_STUDIES`; community
#: reads their run directories and never imports the study code)
NOISE_STUDIES = ("phase", "duration", "sensitivity", "timescales", "development")


def _noise_tasks(runs_dir: Path, n_null: int = N_NULL) -> list[tuple]:
    tasks = []
    for study in NOISE_STUDIES:
        sweep = runs_dir / study
        if not sweep.is_dir():
            continue
        for group, d in run_groups(sweep):
            tasks.append((study, group, d, *task_options(study, d, n_null)))
    return tasks


def task_options(study: str, run_dir: Path, n_null: int = N_NULL) -> tuple[tuple, dict]:
    """The analysis variants and :func:`~community.paper.measure.measure_run` options of
    one run.

    The null-model draws (``n_null`` of each null) go where a verdict rests on them: the
    phase study's reference cell, whose 20 seeds per rate carry the Fig. 4 contrast and the
    null counts. Elsewhere the signatures are measured without nulls (they enter the
    pooled model, the collapse exponent, the sensitivity, timescale and development
    comparisons, none of which uses the null draws), and below
    :data:`~community.paper.measure.EVIDENCE_MIN_PRUNE` (nearly complete graphs, where a
    block model of every synapse costs about ten times more) only the Leiden measures are
    taken. The reference cell's runs are also analysed under :data:`ANALYSIS_VARIANTS`.

    Examples
    --------
    >>> task_options("sensitivity", Path("x"))
    ((Variant(weight_mode='abs', quality='modularity', resolution=1.0),), {'n_null': 0})
    """
    variants: tuple[Variant, ...] = (REFERENCE,)
    options: dict = {"n_null": 0}
    if study == "phase":
        cfg = runs.read_config(run_dir)["simulation"]
        if (cfg["prune"], cfg["noise_rate"]) == REFERENCE_CELL:
            variants = (REFERENCE, *ANALYSIS_VARIANTS)
            options["n_null"] = n_null
        elif cfg["prune"] < EVIDENCE_MIN_PRUNE:
            options["evidence_steps"] = "none"
    elif study == "duration":
        sim = runs.read_config(run_dir)["simulation"]
        options.update(steps=_duration_steps(sim["iterations"], sim["snapshots"]),
                       evidence_steps="measured")
    elif study == "development":
        options.update(every_snapshot=True, evidence_steps="measured")
    return variants, options


def _duration_steps(iterations: int, snapshots: int) -> tuple[int, ...]:
    """The measured snapshots of a duration run: the design's durations (1, 3, 9 and 27
    snapshot intervals, :data:`wiring.experiments.studies.DURATIONS`) and the interval
    before the second (so the weights still moving there are measured).

    Examples
    --------
    >>> _duration_steps(54000, 27)
    (2000, 4000, 6000, 18000, 54000)
    """
    every = iterations // max(snapshots, 1)
    return tuple(every * k for k in (1, 2, 3, 9, 27) if every * k <= iterations)


def _balance(runs_dir: Path) -> pd.DataFrame:
    """Mean and median balance f(s) and the saturated share (f < 1e-3) of every snapshot of
    the development study (the paper's prediction 3 says how f moves as wiring develops)."""
    rows = []
    sweep = runs_dir / "development"
    if not (sweep / "sweep_status.parquet").is_file():
        return pd.DataFrame()
    for group, d in run_groups(sweep):
        for path in runs.list_snapshots(d):
            f = runs.load_snapshot(path).extra.get("balance")
            if f is None:
                continue
            f = np.asarray(f, dtype=float)
            rows.append({"run_id": d.name, "group": group,
                         "step": int(path.stem.split("_")[-1]),
                         "balance_mean": float(f.mean()), "balance_median": float(np.median(f)),
                         "saturated_share": float(np.mean(f < 1e-3))})
    return pd.DataFrame(rows)


def _inference_tables(structure: pd.DataFrame, runs_dir: Path) -> dict[str, pd.DataFrame]:
    """The tests of :mod:`community.paper.inference`, with the contrast's rates."""
    plast = inf.plasticity(structure)
    rates = inf.choose_rates(plast)
    balance = _balance(runs_dir)
    return {"plasticity": plast,
            "rates": pd.DataFrame([{"name": k, "learning_rate": v} for k, v in rates.items()]),
            "null_counts": inf.null_counts(structure),
            "contrasts": inf.contrasts(structure, rates),
            "pooled": inf.pooled_models(structure, rates),
            "collapse": inf.collapse(structure, rates),
            "bimodality": inf.bimodality(structure),
            "development": inf.development(structure, balance),
            "balance": balance,
            "timescales": inf.timescales(structure),
            "sensitivity": inf.sensitivity(structure, rates)}


def _finite(df: pd.DataFrame) -> pd.DataFrame:
    """Infinite measures (an off-diagonal index with no within-module weight) as NaN for
    the statistics; the ``structure`` table keeps them."""
    cols = [c for c in MEASURES if c in df.columns]
    return df.assign(**{c: df[c].replace([np.inf, -np.inf], np.nan) for c in cols})


def _divergence(structure: pd.DataFrame) -> pd.DataFrame:
    per_run = structure.drop_duplicates("run_id")
    keys = ["study", "group", "learning_rate", "prune", "sigma"]
    g = per_run.groupby(keys, dropna=False)["status"]
    out = g.agg(runs="size", unstable=lambda s: int((s == "unstable").sum())).reset_index()
    out["fraction_unstable"] = out["unstable"] / out["runs"]
    return out


def _fig4(results: list, rates: dict) -> dict[str, np.ndarray]:
    """The Fig. 4 matrices: seed 0 at the reference cell, at the low, plastic-high and
    runaway rates.

    Per ``tag`` in low, high, runaway: ``{tag}_trained`` and ``{tag}_null_initial`` (W),
    the Leiden partitions that order them, ``{tag}_membership`` and
    ``{tag}_null_membership`` (absent where the null has no synapse), the block model's
    partition ``{tag}_membership_sbm``, their modularity ``{tag}_q_trained`` and
    ``{tag}_q_null`` (0-d arrays; NaN where not measured) and ``{tag}_learning_rate``. The
    figure draws these and computes nothing.
    """
    out = {}
    for _study, rows, extra, _err in results:
        if not rows or "final" not in extra:
            continue
        r = rows[0]
        if not (r["study"] == "phase" and r["seed"] == 0
                and (r["prune"], r["sigma"]) == REFERENCE_CELL):
            continue
        for tag in ("low", "high", "runaway"):
            lr = rates.get(tag, np.nan)
            if np.isfinite(lr) and np.isclose(r["learning_rate"], lr):
                out[f"{tag}_trained"] = extra["final"]
                out[f"{tag}_null_initial"] = extra["initial_pruned"]
                out[f"{tag}_membership"] = extra["membership"]
                if "null_membership" in extra:
                    out[f"{tag}_null_membership"] = extra["null_membership"]
                if extra.get("membership_sbm") is not None:
                    out[f"{tag}_membership_sbm"] = np.asarray(extra["membership_sbm"])
                out[f"{tag}_q_trained"] = np.float64(extra.get("q", np.nan))
                out[f"{tag}_q_null"] = np.float64(extra.get("null_q", np.nan))
                out[f"{tag}_learning_rate"] = np.float64(lr)
    return out


def analyse_studies(runs_dir: str | Path, out: str | Path, *, workers: int = 1,
                    n_null: int = N_NULL) -> dict:
    """Analyse every study under ``runs_dir`` and write the tables into ``<out>/tables``.

    Parameters
    ----------
    runs_dir : str or Path
        Where :func:`wiring.experiments.studies.run_studies` wrote the studies.
    out : str or Path
        Report directory; tables go to ``<out>/tables/``.
    workers : int
        Processes for the per-run measurements.
    n_null : int
        Draws of each null model per run (:func:`community.paper.measure.measure_run`;
        the quick reproduction uses fewer).

    Returns
    -------
    dict
        Table name -> DataFrame (also written), plus ``"errors"``: runs that could not
        be measured, with the reason.

    Examples
    --------
    >>> analyse_studies("/nonexistent", "/tmp/x")["structure"].empty
    True
    """
    results = measure_studies(runs_dir, workers=workers, n_null=n_null)
    return write_tables(results, runs_dir, out, workers=workers)


def measure_studies(runs_dir: str | Path, *, workers: int = 1,
                    n_null: int = N_NULL) -> list[tuple]:
    """Measure every Algorithm-1 run under ``runs_dir`` (through the per-run cache).

    Parameters
    ----------
    runs_dir : str or Path
    workers : int
    n_null : int

    Returns
    -------
    list of tuple
        ``(study, rows, extra, error)`` per run, for :func:`write_tables`.

    Examples
    --------
    >>> measure_studies("/nonexistent")
    []
    """
    runs_dir = Path(runs_dir)
    tasks = _noise_tasks(runs_dir, n_null) if runs_dir.is_dir() else []
    if workers > 1 and len(tasks) > 1:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            return list(pool.map(_measure, tasks, chunksize=4))
    return [_measure(t) for t in tasks]


def write_tables(results: list[tuple], runs_dir: str | Path, out: str | Path, *,
                 workers: int = 1) -> dict:
    """Every table from the runs' measurements (:func:`measure_studies`), the rule
    comparison and the predictions, written into ``<out>/tables``.

    Parameters
    ----------
    results : list of tuple
    runs_dir : str or Path
    out : str or Path
    workers : int

    Returns
    -------
    dict
        Table name -> DataFrame.

    Examples
    --------
    >>> import tempfile
    >>> sorted(write_tables([], "/nonexistent", tempfile.mkdtemp()))[:2]
    ['dynamics', 'errors']
    """
    runs_dir, out = Path(runs_dir), Path(out)
    rows = [r for _s, rr, _e, _err in results for r in rr]
    errors = pd.DataFrame({"error": [e for *_x, e in results if e]}, dtype=object)
    structure = pd.DataFrame(rows)
    tables: dict[str, pd.DataFrame] = {"structure": structure, "errors": errors}
    if len(structure):
        fin = _finite(structure[structure["is_final"] & (structure["status"] == "ok")])
        keys = ["study", "group", "variant", "graph", "learning_rate", "prune", "sigma"]
        cols = [c for c in MEASURES if c in fin.columns]
        tables["cells"] = stats.summarise(fin, keys, cols, n_boot=1000)
        tables["divergence"] = _divergence(structure)
        tables.update(_inference_tables(structure, runs_dir))
    tables["dynamics"] = pd.DataFrame(
        [{"study": s, "run_id": rr[0]["run_id"], "group": rr[0]["group"],
          "learning_rate": rr[0]["learning_rate"], "seed": rr[0]["seed"], **row}
         for s, rr, extra, _err in results if rr for row in extra.get("dynamics", [])])
    if (runs_dir / "rules").is_dir():
        tables.update(rules_tables(runs_dir, workers))
    if runs_dir.is_dir():
        tables.update(prediction_tables(runs_dir))
    tdir = out / "tables"
    tdir.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        runs.write_table(tdir, name, df.reset_index(drop=True))
    rates = ({row.name: row.learning_rate for row in tables["rates"].itertuples()}
             if "rates" in tables else {})
    mats = _fig4(results, rates)
    if mats:
        tmp = tdir / "fig4_matrices.tmp.npz"
        np.savez_compressed(tmp, **mats)
        tmp.replace(tdir / "fig4_matrices.npz")
    return tables
