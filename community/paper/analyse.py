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
    variant, step, is_final, graph and the measures of :func:`community.paper.measure.structure`.
``cells``
    final snapshots summarised per (study, group, variant, graph, learning_rate, prune,
    sigma): n, mean, sd, ci_low, ci_high of every measure (stable runs only).
``divergence``
    per (study, group, learning_rate, prune, sigma): runs, unstable runs, fraction.
``contrasts``
    low vs high learning rate (and trained vs each null) per cell: the tests of
    :func:`community.stats.compare` on within_excess_strength, offdiag_index and modularity.
``rules_runs``, ``rules_curves``, ``rules_alignment``, ``rules_structure``, ``rules_roles``
    the supervised rule comparison: final accuracy per run, learning curves, cosine of each
    rule's update with the exact gradient, community structure of the hidden-to-hidden
    weights (with nulls), and the share of each node role.
``prediction1``, ``prediction1_fit``
    retrograde amplitude against the balance value, binned, and its fitted power law.
``prediction2``
    residuals of ``dw_ij w_ij = r x_j g_ji`` on every synapse (quantiles per run).
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
from community import stats
from community.paper.measure import REFERENCE, Variant, measure_run
from community.tables import AnalysisSettings, analyse_run
from wiring.errors import WiringError

__all__ = ["analyse_studies", "MEASURES", "R_LOW", "R_HIGH", "ANALYSIS_VARIANTS",
           "REFERENCE_CELL"]

log = logging.getLogger(__name__)

MEASURES = ("modularity", "n_communities", "n_nontrivial", "isolated_fraction",
            "largest_fraction", "within_fraction",
            "within_chance_size", "within_chance_strength", "within_excess_size",
            "within_excess_strength", "offdiag_index", "gini_strength", "top10_share",
            "participation_ratio", "density", "weight_abs_max", "clamped_strength_ratio")
CONTRASTED = ("within_excess_strength", "offdiag_index", "modularity")

#: the low and high learning rates of the Fig. 4 comparison
R_LOW, R_HIGH = 0.1, 10.0
#: the (prune, sigma) cell where the analysis choices are varied and Fig. 4 is drawn
REFERENCE_CELL = (0.9, 0.1)
#: the weight-graph and Leiden choices re-analysed at the reference cell
ANALYSIS_VARIANTS = (Variant("signed"), Variant("sym"), Variant("abs", "rb", 0.5),
                     Variant("abs", "rb", 2.0))


def _cache_key(run_dir: Path, variants: tuple, every: bool) -> str:
    """What a run's measurements depend on: the measuring code, the variants and the run's
    files (names, sizes, modification times)."""
    from community.paper import measure as _m

    h = hashlib.sha256(Path(_m.__file__).read_bytes())
    h.update(repr((variants, every)).encode())
    for p in sorted([run_dir / "status.json", *runs.list_snapshots(run_dir)]):
        if p.exists():
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _measure(task):
    """Measure one run, through a per-run cache in ``<study>/paper_analysis/`` (beside the
    runs, never in the report): re-analysing a finished sweep only measures what changed."""
    study, group, run_dir, variants, every = task
    cache = run_dir.parent.parent / "paper_analysis" / f"{run_dir.name}.pkl"
    try:
        key = _cache_key(run_dir, variants, every)
        if cache.is_file():
            with open(cache, "rb") as fh:
                stored = pickle.load(fh)
            if stored.get("key") == key:
                return study, stored["rows"], stored["extra"], ""
        rows, extra = measure_run(run_dir, variants, every_snapshot=every)
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


def _run_groups(sweep_dir: Path) -> list[tuple[str, Path]]:
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


def _noise_tasks(runs_dir: Path) -> list[tuple]:
    tasks = []
    for study in ("phase", "sensitivity", "timescales", "development"):
        sweep = runs_dir / study
        if not sweep.is_dir():
            continue
        for group, d in _run_groups(sweep):
            variants: tuple[Variant, ...] = (REFERENCE,)
            if study == "phase":
                cfg = runs.read_config(d)["simulation"]
                if (cfg["prune"], cfg["noise_rate"]) == REFERENCE_CELL:
                    variants = (REFERENCE, *ANALYSIS_VARIANTS)
            tasks.append((study, group, d, variants, study == "development"))
    return tasks


def _log_ratio(values: pd.Series) -> pd.Series:
    """log10 of a ratio measure, rank-preserving: inf (no within-module weight) becomes 10x
    the largest finite value, 0 a tenth of the smallest positive one."""
    v = values.to_numpy(dtype=float).copy()
    finite = v[np.isfinite(v) & (v > 0)]
    if finite.size == 0:
        return pd.Series(np.nan, index=values.index)
    v[np.isposinf(v)] = finite.max() * 10
    v[v == 0] = finite.min() / 10
    return pd.Series(np.log10(v), index=values.index)


def _paired_p(a: pd.DataFrame, b: pd.DataFrame, measure: str) -> float:
    """Paired t-test p of ``measure`` between two graphs of the same runs."""
    from scipy import stats as sps

    m = a[["run_id", measure]].merge(b[["run_id", measure]], on="run_id").dropna()
    if len(m) < 2:
        return float("nan")
    d = m[f"{measure}_y"] - m[f"{measure}_x"]
    if np.all(d == d.iloc[0]):
        return 0.0 if d.iloc[0] != 0 else float("nan")
    return float(sps.ttest_rel(m[f"{measure}_y"], m[f"{measure}_x"]).pvalue)


def _contrasts(structure: pd.DataFrame) -> pd.DataFrame:
    """Low vs high r in every cell, and trained vs each null at every r.

    ``offdiag_index`` (a ratio that is infinite when no weight stays within modules) is
    compared on a log10 scale with infinities capped (:func:`_log_ratio`): the means and
    tests of that measure are of log10 values; ``n_inf_a``/``n_inf_b`` count the capped
    runs."""
    fin = structure[structure["is_final"] & (structure["status"] == "ok")].copy()
    keys = ["study", "group", "variant", "prune", "sigma"]
    rows = []
    for key, cell in fin.groupby(keys, dropna=False):
        ident = dict(zip(keys, key, strict=True))
        cell = cell.copy()
        n_inf = {}
        for measure in CONTRASTED:
            n_inf[measure] = np.isinf(cell[measure].to_numpy(dtype=float))
            if measure == "offdiag_index":
                cell[measure] = _log_ratio(cell[measure])
        for measure in CONTRASTED:
            inf = pd.Series(n_inf[measure], index=cell.index)
            lo_sel = (cell["graph"] == "trained") & np.isclose(cell["learning_rate"], R_LOW)
            hi_sel = (cell["graph"] == "trained") & np.isclose(cell["learning_rate"], R_HIGH)
            lo = cell.loc[lo_sel, measure].dropna()
            hi = cell.loc[hi_sel, measure].dropna()
            scale = "log10" if measure == "offdiag_index" else "linear"
            if len(lo) and len(hi):
                rows.append({**ident, "comparison": f"r={R_LOW:g} vs r={R_HIGH:g}",
                             "learning_rate": np.nan, "measure": measure, "scale": scale,
                             "n_inf_a": int(inf[lo_sel].sum()),
                             "n_inf_b": int(inf[hi_sel].sum()),
                             **stats.compare(lo.to_numpy(), hi.to_numpy(), n_perm=5000),
                             "p_paired": np.nan})
            for lr, at in cell.groupby("learning_rate"):
                tr = at[at["graph"] == "trained"]
                t = tr[measure].dropna().to_numpy()
                for null in ("null_initial", "null_shuffle"):
                    nl = at[at["graph"] == null]
                    n = nl[measure].dropna().to_numpy()
                    if len(t) and len(n):
                        rows.append({**ident, "comparison": f"{null} vs trained",
                                     "learning_rate": lr, "measure": measure, "scale": scale,
                                     "n_inf_a": int(inf[nl.index].sum()),
                                     "n_inf_b": int(inf[tr.index].sum()),
                                     **stats.compare(n, t, n_perm=2000),
                                     "p_paired": _paired_p(nl, tr, measure)})
    return pd.DataFrame(rows)


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


#: The columns of ``rules_structure`` (the final snapshots' rows of the sweep tables that
#: the rules section reads; the sweep tables hold more).
RULES_STRUCTURE_COLUMNS = (
    "run_id", "group", "task", "rule", "learning_rate", "seed", "prune", "pruning",
    "graph_family", "step", "snapshot_path", "run_status", "weight_mode", "quality",
    "resolution", "nodes", "n_nodes", "n_edges", "density", "weight_abs_mean",
    "weight_abs_max", "weight_change", "modularity", "leiden_quality", "n_communities",
    "largest_community_fraction", "within_fraction", "within_chance", "within_excess",
    "offdiag_index", "q_z_shuffle", "q_z_rewire", "q_initial_pruned", "louvain_ari",
    "louvain_modularity", "step_fraction", "is_final", "ari_final")


def _rules_tables(sweep_dir: Path, workers: int) -> dict[str, pd.DataFrame]:
    rows, curves, align, pred1, pred2, struct, roles = [], [], [], [], [], [], []
    settings = AnalysisSettings(n_null=10)
    pairs = _run_groups(sweep_dir)
    for group, d in pairs:
        cfg = runs.read_config(d)
        status = (runs.read_status(d) or {}).get("status", "failed")
        data, family = group.split("_", 1)
        ident = {"run_id": d.name, "group": group, "data": data, "graph": family,
                 "rule": cfg["train"]["rule"], "learning_rate": cfg["train"]["learning_rate"],
                 "seed": cfg["task"]["seed"], "status": status}
        try:
            m = runs.read_metrics(d)
        except (WiringError, OSError):
            rows.append({**ident, "test_accuracy": np.nan})
            continue
        n_test = _test_samples(m, cfg)
        m = m.drop(columns=["test_samples", "test_accuracy_all"], errors="ignore").assign(**ident)
        m["test_samples"] = n_test
        # accuracy over every test sample, a sample whose firing did not settle counted wrong
        # (the engine's test_accuracy is over the settled samples only)
        m["test_accuracy_all"] = (m["test_accuracy"].fillna(0.0)
                                  * (n_test - m["test_nonconverged"]) / n_test)
        m["test_nonconverged_fraction"] = m["test_nonconverged"] / n_test
        curves.append(m)
        last = m.iloc[-1]
        rows.append({**ident, "test_accuracy_all": float(last["test_accuracy_all"]),
                     "test_nonconverged_fraction": float(last["test_nonconverged_fraction"]),
                     "test_accuracy": float(last.get("test_accuracy", np.nan)),
                     "train_loss": float(last.get("train_loss", np.nan)),
                     "epochs_done": int(last.get("epoch", 0))})
        for name, sink in (("probes", align), ("retrograde", pred1), ("synapses", pred2)):
            path = d / f"{name}.parquet"
            if path.is_file():
                sink.append(pd.read_parquet(path).assign(**ident))
    if workers > 1 and len(pairs) > 1:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_analyse_rules_run, [(g, d, settings) for g, d in pairs
                                                         if g.endswith("recurrent")]))
    else:
        results = [_analyse_rules_run((g, d, settings)) for g, d in pairs
                   if g.endswith("recurrent")]
    ident_by_run = {r["run_id"]: r for r in rows}
    for snaps, neurons in results:
        if len(snaps):
            fin = snaps[snaps["is_final"]]
            fin = fin[[c for c in RULES_STRUCTURE_COLUMNS if c in fin]]
            struct.append(fin.assign(**{k: ident_by_run[fin["run_id"].iloc[0]][k]
                                        for k in ("data", "graph", "rule")}))
        if len(neurons):
            fin_n = neurons[neurons["is_final"]]
            share = fin_n["role"].value_counts(normalize=True)
            rid = fin_n["run_id"].iloc[0]
            roles.extend({**{k: ident_by_run[rid][k] for k in ("run_id", "data", "graph", "rule",
                                                                "learning_rate", "seed")},
                          "role": role, "share": float(v)} for role, v in share.items())
    out = {"rules_runs": pd.DataFrame(rows),
           "rules_curves": pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
           "rules_alignment": _with_error_column(align),
           "rules_structure": pd.concat(struct, ignore_index=True) if struct else pd.DataFrame(),
           "rules_roles": pd.DataFrame(roles)}
    out.update(_prediction_tables(pred1, pred2))
    return out


def _test_samples(metrics: pd.DataFrame, cfg: dict) -> float:
    """Test-set size of a supervised run: the ``test_samples`` column (engine >= this
    version), else the documented split of the built-in data sets (ceil(test_fraction x
    1797) for digits, ceil(test_fraction x n_samples) for mnist1d), else NaN."""
    if "test_samples" in metrics and metrics["test_samples"].notna().any():
        return float(metrics["test_samples"].dropna().iloc[0])
    data = cfg.get("data", {})
    frac = float(data.get("test_fraction", 0.25))
    if data.get("name") == "digits":
        return float(np.ceil(frac * 1797))
    if data.get("name") == "mnist1d":
        return float(np.ceil(frac * int(data.get("n_samples", 4000))))
    return float("nan")


def _with_error_column(align: list) -> pd.DataFrame:
    """The alignment probes with a ``probe_error`` column always present ("" when fine)."""
    if not align:
        return pd.DataFrame()
    df = pd.concat(align, ignore_index=True)
    df["probe_error"] = df["probe_error"].fillna("") if "probe_error" in df else ""
    cols = [c for c in df.columns if c != "probe_error"]
    at = cols.index("norm_gradient") + 1 if "norm_gradient" in cols else len(cols)
    return df[[*cols[:at], "probe_error", *cols[at:]]]


def _analyse_rules_run(task):
    group, d, settings = task
    tabs = analyse_run(d.name, group, d, settings=settings)
    return tabs["snapshots"], tabs["neurons"]


def _prediction_tables(pred1: list, pred2: list) -> dict[str, pd.DataFrame]:
    """Prediction 1 binned with its fit, prediction 2 residual quantiles, per run."""
    from scipy import stats as sps

    bins, fits, q2 = [], [], []
    keys = ["data", "graph", "rule"]
    if pred1:
        p1 = pd.concat(pred1, ignore_index=True)
        for key, df in p1.groupby(keys):
            ident = dict(zip(keys, key, strict=True))
            ok = (df["amplitude"] > 0) & (df["balance"] > 0)
            x, y = np.log(df.loc[ok, "balance"]), np.log(df.loc[ok, "amplitude"])
            if len(x) > 2:
                fit = sps.linregress(x, y)
                rho = sps.spearmanr(df["balance"], df["amplitude"])
                rho_c = sps.spearmanr(df["balance"], df["credit"].abs())
                fits.append({**ident, "n": int(ok.sum()), "slope": fit.slope,
                             "slope_se": fit.stderr, "intercept": fit.intercept,
                             "r2": fit.rvalue ** 2, "spearman_rho": rho.statistic,
                             "spearman_p": rho.pvalue,
                             "credit_spearman_rho": rho_c.statistic,
                             **_bell(df["s"].to_numpy(), df["amplitude"].to_numpy())})
            edges = np.unique(np.quantile(df["balance"], np.linspace(0, 1, 13)))
            which = np.clip(np.searchsorted(edges, df["balance"], side="right") - 1, 0,
                            len(edges) - 2)
            for b, part in df.groupby(which):
                bins.append({**ident, "bin": int(b), "balance": float(part["balance"].median()),
                             "amplitude_median": float(part["amplitude"].median()),
                             "amplitude_q25": float(part["amplitude"].quantile(0.25)),
                             "amplitude_q75": float(part["amplitude"].quantile(0.75)),
                             "n": len(part)})
    if pred2:
        p2 = pd.concat(pred2, ignore_index=True)
        lhs = (p2["dw"] * p2["w"]).abs()
        rhs = (p2["learning_rate"] * p2["x_pre"] * p2["g"]).abs()
        # a synapse whose both sides are below 1e-10 of the largest signal of its sample
        # (saturated neurons, f at rounding level) carries no test of the identity
        scale = rhs.groupby([p2["run_id"], p2["sample"]]).transform("max")
        p2["tested"] = (lhs > 1e-10 * scale) | (rhs > 1e-10 * scale)
        for key, df in p2.groupby(keys):
            r = df["residual"].abs()
            rt = r[df["tested"]]
            q2.append({**dict(zip(keys, key, strict=True)), "n_synapse_samples": len(df),
                       "n_tested": int(df["tested"].sum()),
                       "median_abs_residual": float(rt.median()) if len(rt) else np.nan,
                       "q99_abs_residual": float(rt.quantile(0.99)) if len(rt) else np.nan,
                       "max_abs_residual": float(rt.max()) if len(rt) else np.nan,
                       "max_abs_residual_untested": float(r[~df["tested"]].max())
                       if (~df["tested"]).any() else np.nan,
                       "share_below_1e-12": float((rt < 1e-12).mean()) if len(rt) else np.nan,
                       "share_below_0.1": float((rt < 0.1).mean()) if len(rt) else np.nan})
    return {"prediction1": pd.DataFrame(bins), "prediction1_fit": pd.DataFrame(fits),
            "prediction2": pd.DataFrame(q2)}


def _bell(s: np.ndarray, amp: np.ndarray) -> dict:
    """Gaussian fit of amplitude against net input: log amp = a + b s + c s^2 (least
    squares); a bell (c < 0) has centre -b / 2c and width sqrt(-1 / 2c)."""
    ok = (amp > 0) & np.isfinite(s) & np.isfinite(amp)
    if ok.sum() < 4:
        return {"bell_center": np.nan, "bell_width": np.nan, "bell_r2": np.nan}
    y = np.log(amp[ok])
    c, b, a = np.polyfit(s[ok], y, 2)
    pred = a + b * s[ok] + c * s[ok] ** 2
    r2 = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
    bell = c < 0
    return {"bell_center": -b / (2 * c) if bell else np.nan,
            "bell_width": np.sqrt(-1 / (2 * c)) if bell else np.nan, "bell_r2": float(r2)}


def _fig4(results: list, structure: pd.DataFrame) -> dict[str, np.ndarray]:
    """The Fig. 4 matrices: seed 0 at the reference cell, low and high r.

    Per ``tag`` in low, high: ``{tag}_trained`` and ``{tag}_null_initial`` (W), the
    Leiden partitions that order them, ``{tag}_membership`` and
    ``{tag}_null_membership`` (absent where the null has no synapse), and their
    modularity, ``{tag}_q_trained`` and ``{tag}_q_null`` (0-d arrays; NaN where not
    measured). The figure draws these and computes nothing.
    """
    out = {}
    for _study, rows, extra, _err in results:
        if not rows or not extra:
            continue
        r = rows[0]
        if (r["study"] == "phase" and r["seed"] == 0
                and (r["prune"], r["sigma"]) == REFERENCE_CELL):
            for tag, lr in (("low", R_LOW), ("high", R_HIGH)):
                if np.isclose(r["learning_rate"], lr):
                    out[f"{tag}_trained"] = extra["final"]
                    out[f"{tag}_null_initial"] = extra["initial_pruned"]
                    out[f"{tag}_membership"] = extra["membership"]
                    if "null_membership" in extra:
                        out[f"{tag}_null_membership"] = extra["null_membership"]
                    out[f"{tag}_q_trained"] = np.float64(extra.get("q", np.nan))
                    out[f"{tag}_q_null"] = np.float64(extra.get("null_q", np.nan))
    return out


def analyse_studies(runs_dir: str | Path, out: str | Path, *, workers: int = 1) -> dict:
    """Analyse every study under ``runs_dir`` and write the tables into ``<out>/tables``.

    Parameters
    ----------
    runs_dir : str or Path
        Where :func:`wiring.experiments.studies.run_studies` wrote the studies.
    out : str or Path
        Report directory; tables go to ``<out>/tables/``.
    workers : int
        Processes for the per-run measurements.

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
    runs_dir, out = Path(runs_dir), Path(out)
    tasks = _noise_tasks(runs_dir) if runs_dir.is_dir() else []
    if workers > 1 and len(tasks) > 1:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_measure, tasks, chunksize=4))
    else:
        results = [_measure(t) for t in tasks]
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
        tables["contrasts"] = _contrasts(structure)
    rules_dir = runs_dir / "rules"
    if rules_dir.is_dir():
        tables.update(_rules_tables(rules_dir, workers))
    tdir = out / "tables"
    tdir.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        runs.write_table(tdir, name, df.reset_index(drop=True))
    mats = _fig4(results, structure)
    if mats:
        tmp = tdir / "fig4_matrices.tmp.npz"
        np.savez_compressed(tmp, **mats)
        tmp.replace(tdir / "fig4_matrices.npz")
    return tables
