"""The paper's predictions 1 and 2 tested with the network as the unit of analysis.

Prediction 1 (Fan & Mysore): a neuron's retrograde signal amplitude
``sum_j |g_ji| = |c_i| f(s_i) sum_j |b_ij|`` (``b`` the rule's credit carrier: ``W`` for
the balance rules) is largest when the neuron is balanced (``f`` high). The amplitude has
``f`` as a factor, so amplitude rising with ``f`` is largely true by construction, and a
bell of amplitude centred at ``s = 0`` is true by construction for ``f = sigma'``. The
statistic used here is not: within one network, the Spearman correlation between the
*carrier amplitude per unit balance* ``|c_i| sum_j |b_ij|`` and ``f(s_i)``. For the
supervised networks (many held-out samples per network) it is a partial correlation
controlling for the sample: both variables are ranked over the network's (sample, neuron)
points, the ranks are centred within each sample (the residuals of a least-squares fit on
sample indicators) and the residuals correlated. The reason: credit is linear in the
sample's output error, so a sample with a large error raises every neuron's ``|c|``;
if the same samples also drive neurons into saturation, a pooled correlation would say
which samples are hard, not which neurons are balanced. The pooled, uncontrolled Spearman
correlation is reported beside it. On Algorithm-1 networks (noise task) there is one state
per network (the final snapshot), its "samples" are the neurons of that state, and the
correlation has no control. Each network gives one number; the rows of ``prediction1``
test those numbers across networks (mean, t interval, one-sample t-test against 0, sign
count). The per-network log-log slope of amplitude on ``f`` is kept for continuity; it
equals ``1 +`` the slope of ``log |c| sum |b|`` on ``log f``, the 1 coming from the
factor ``f``.

Prediction 2: ``dw_ij / g_ji = x_j / w_ij`` on every synapse. The update and the signal
share the factor ``c_i f(s_i)``, so for the balance rules this is an algebraic identity
and its test checks that the engine implements the rule as written, not an empirical fact
about synapses. Under feedback alignment and sign-concordant feedback the credit travels
over ``B``, not ``W``, and the identity is expected to fail. It is measured on the
supervised networks' probes only: Algorithm-1 snapshots hold the state, not the engine's
update, and computing both sides from the same ``c``, ``f``, ``x`` would be the identity
itself.

Inputs are the run directories: ``<runs>/rules/runs/*`` (``retrograde.parquet``,
``synapses.parquet``, ``config.toml``, ``status.json``) and the Algorithm-1 studies
``<runs>/{phase,development}/runs/*`` (final snapshots). A probe sample whose firing or
credit did not settle was left out by the engine and counted (``unsettled_samples``); the
network keeps its row and the count is reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import wiring.runs as runs
from community.paper._sections import Context, Sec, fmt_p
from community.paper.claims import holm
from community.report.kit import Section
from wiring.errors import WiringError

__all__ = ["prediction_tables", "prediction_sections", "prediction_claims",
           "partial_spearman", "loglog_slope", "across_networks", "PREDICTION_TABLES",
           "ALGORITHM1_STUDIES", "ROW_KEYS", "CLAIM_KEYS", "HOLDS_TOL", "MIN_NETWORKS"]

#: the tables :func:`prediction_tables` returns, in this order
PREDICTION_TABLES = ("prediction1_networks", "prediction1", "prediction1_bins",
                     "prediction2_networks", "prediction2")
#: the noise-task studies whose networks (Algorithm 1) are tested on prediction 1
ALGORITHM1_STUDIES = ("phase", "development")
#: what makes one row of the across-network tables
ROW_KEYS = ("source", "study", "data", "graph", "rule", "condition", "learning_rate")
#: the keys of a row of the report's verdict table
CLAIM_KEYS = ("claim", "method", "null", "effect", "ci", "p", "n", "verdict")
#: prediction 2 holds on a network when every tested |residual| is at most this
HOLDS_TOL = 1e-6
#: a synapse-sample whose both sides are below this fraction of its sample's largest
#: signal is counted but not tested (saturated neurons: f at rounding level)
TESTED_FLOOR = 1e-10
#: rows with fewer networks are flagged (``few_networks``) and named in the text
MIN_NETWORKS = 3
#: bins of f per row in ``prediction1_bins`` (quantiles of the row's pooled f)
N_BINS = 10
ALPHA = 0.05
_EXACT = ("balance", "balance-exact")
_CARRIER = {"balance": "W", "balance-exact": "W", "fa": "B (fixed random)",
            "sign-concordant": "sign(W) * M"}


# ------------------------------------------------------------------ statistics
def partial_spearman(x: Any, y: Any, groups: Any = None) -> float:
    """Spearman correlation of ``x`` with ``y``, partial on group indicators.

    Both variables are ranked over all points (average ranks for ties); with ``groups``
    the ranks are centred within each group, which is the residual of a least-squares fit
    of the ranks on the group indicators, and the residuals are correlated (Pearson).
    Without ``groups`` this is Spearman's rho.

    Parameters
    ----------
    x, y : array_like of float
        One value per point.
    groups : array_like, optional
        A label per point (e.g. the sample) to control for.

    Returns
    -------
    float
        In [-1, 1]; NaN with fewer than 3 points or when a residual has no variance.

    Examples
    --------
    >>> partial_spearman([1, 2, 3, 4], [10, 20, 30, 40])
    1.0
    >>> round(partial_spearman([1, 2, 3, 4], [2, 1, 4, 3], groups=[0, 0, 1, 1]), 6)
    -1.0
    """
    from scipy.stats import rankdata

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    if x.size < 3:
        return float("nan")
    rx, ry = rankdata(x), rankdata(y)
    if groups is None:
        rx, ry = rx - rx.mean(), ry - ry.mean()
    else:
        g = pd.Series(np.asarray(groups)).to_numpy()
        if g.shape != x.shape:
            raise ValueError("groups must have one label per point")
        codes = pd.factorize(g)[0]
        rx = rx - (np.bincount(codes, rx) / np.bincount(codes))[codes]
        ry = ry - (np.bincount(codes, ry) / np.bincount(codes))[codes]
    den = np.sqrt(np.dot(rx, rx) * np.dot(ry, ry))
    if not den > 1e-12 * max(1.0, float(x.size) ** 3):
        return float("nan")
    return float(np.clip(np.dot(rx, ry) / den, -1.0, 1.0))


def loglog_slope(f: Any, amplitude: Any) -> tuple[float, int]:
    """Least-squares slope of ``log amplitude`` on ``log f`` over the points where both
    are positive.

    Parameters
    ----------
    f, amplitude : array_like of float

    Returns
    -------
    (float, int)
        The slope (NaN with fewer than 3 points or no spread in ``f``) and the number of
        points fitted.

    Examples
    --------
    >>> f = np.array([0.1, 0.2, 0.4, 0.8, 0.0])
    >>> slope, n = loglog_slope(f, 3 * f ** 2)
    >>> round(slope, 12), n
    (2.0, 4)
    """
    f = np.asarray(f, dtype=float)
    a = np.asarray(amplitude, dtype=float)
    ok = (f > 0) & (a > 0) & np.isfinite(f) & np.isfinite(a)
    n = int(ok.sum())
    if n < 3:
        return float("nan"), n
    lx, ly = np.log(f[ok]), np.log(a[ok])
    lx = lx - lx.mean()
    ss = float(np.dot(lx, lx))
    if not ss > 0:
        return float("nan"), n
    return float(np.dot(lx, ly - ly.mean()) / ss), n


def across_networks(values: Any) -> dict[str, float]:
    """One statistic per network summarised across networks: mean, 95% t interval,
    one-sample t-test against 0 (two-sided) and the number of positive networks.

    Parameters
    ----------
    values : array_like of float
        One value per network; NaN values are left out.

    Returns
    -------
    dict
        ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``t``, ``p``, ``n_positive``
        (interval, t and p are NaN for fewer than 2 networks; with no spread p is 0 when
        the mean is not 0).

    Examples
    --------
    >>> out = across_networks([0.1, 0.2, 0.3, np.nan])
    >>> out["n"], round(out["mean"], 3), out["n_positive"], round(out["p"], 4)
    (3, 0.2, 3, 0.0742)
    """
    from scipy import stats as sps

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    out = {"n": n, "mean": float(v.mean()) if n else np.nan, "sd": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "t": np.nan, "p": np.nan,
           "n_positive": int((v > 0).sum())}
    if n < 2:
        return out
    sd = float(v.std(ddof=1))
    se = sd / np.sqrt(n)
    half = float(sps.t.ppf(0.975, n - 1)) * se
    out.update(sd=sd, ci_low=out["mean"] - half, ci_high=out["mean"] + half)
    if se > 0:
        t = out["mean"] / se
        out.update(t=t, p=float(2 * sps.t.sf(abs(t), n - 1)))
    else:
        out.update(t=np.inf * np.sign(out["mean"]) if out["mean"] else np.nan,
                   p=0.0 if out["mean"] else 1.0)
    return out


# ------------------------------------------------------------------ reading runs
def _run_dirs(sweep_dir: Path) -> list[tuple[str, Path]]:
    """(group, run directory) of a sweep: from ``sweep_status.parquet`` when present,
    else every directory under ``runs/`` (group = the run id before ``__``)."""
    table = sweep_dir / "sweep_status.parquet"
    if table.is_file():
        st = pd.read_parquet(table, columns=["run_id", "group"])
        pairs = [(str(g), sweep_dir / "runs" / str(r))
                 for r, g in zip(st["run_id"], st["group"], strict=True)]
        return [(g, d) for g, d in pairs if d.is_dir()]
    root = sweep_dir / "runs"
    if not root.is_dir():
        return []
    return [(d.name.split("__")[0], d) for d in sorted(root.iterdir()) if d.is_dir()]


def _status(run_dir: Path) -> str:
    try:
        return str((runs.read_status(run_dir) or {}).get("status", "failed"))
    except (WiringError, OSError, ValueError):
        return "failed"


def _network_stats(points: pd.DataFrame, control: bool) -> dict[str, Any]:
    """Prediction 1 statistics of one network from its points (columns ``sample``,
    ``balance``, ``carrier``, ``amplitude``)."""
    if points.empty:
        return {"n_points": 0, "n_neurons": 0, "partial_rho": np.nan,
                "spearman_rho_pooled": np.nan, "loglog_slope": np.nan, "loglog_n": 0,
                "note": "no points"}
    groups = points["sample"].to_numpy() if control else None
    slope, n_fit = loglog_slope(points["balance"], points["amplitude"])
    rho = partial_spearman(points["carrier"], points["balance"], groups)
    out = {"n_points": len(points), "n_neurons": int(points["neuron"].nunique()),
           "partial_rho": rho,
           "spearman_rho_pooled": partial_spearman(points["carrier"], points["balance"]),
           "loglog_slope": slope, "loglog_n": n_fit}
    if not np.isfinite(rho):
        out["note"] = ("fewer than 3 points" if len(points) < 3 else
                       "no spread in f or |c| sum|w| (e.g. every neuron saturated)")
    return out


def _supervised(runs_dir: Path) -> tuple[list, list, list]:
    """Prediction 1 rows and points, and prediction 2 rows, of the ``rules`` runs."""
    p1, pts, p2 = [], [], []
    for group, d in _run_dirs(runs_dir / "rules"):
        try:
            cfg = runs.read_config(d)
        except (WiringError, OSError, ValueError, KeyError):
            continue
        rule = str(cfg["train"]["rule"])
        if rule == "dfa":  # no synaptic retrograde path: neither prediction applies
            continue
        lr = float(cfg["train"]["learning_rate"])
        ident = {"source": "supervised", "study": "rules", "data": str(cfg["data"]["name"]),
                 "graph": str(cfg["graph"]["family"]), "rule": rule,
                 "condition": f"r={lr:g}", "learning_rate": lr, "group": group,
                 "run_id": d.name, "seed": int(cfg["task"]["seed"]), "prune": np.nan,
                 "sigma": np.nan, "status": _status(d)}
        planned = int(cfg["train"].get("probes", 0) or 0)
        path = d / "retrograde.parquet"
        if path.is_file():
            r = pd.read_parquet(path)
            points = pd.DataFrame({
                "sample": r["sample"].to_numpy(), "neuron": r["neuron"].to_numpy(),
                "balance": r["balance"].to_numpy(float),
                "carrier": (r["credit"].abs() * r["carrier_sum"]).to_numpy(float),
                "amplitude": r["amplitude"].to_numpy(float)})
            probed = int(r["probe_samples"].iloc[0]) if len(r) else planned
            bad = int(r["unsettled_samples"].iloc[0]) if len(r) else planned
            note = "some samples did not settle (dropped, counted)" if bad else ""
        else:
            points = pd.DataFrame(columns=["sample", "neuron", "balance", "carrier",
                                           "amplitude"])
            # a finished run without the file: every probe sample failed to settle; a run
            # that did not finish was never probed
            probed = bad = planned if ident["status"] == "ok" else 0
            note = ("no sample settled" if ident["status"] == "ok"
                    else f"run {ident['status']}: no probes")
        stats = _network_stats(points, control=True)
        note = note or stats.pop("note", "")
        stats.pop("note", None)
        p1.append({**ident, "step": np.nan, "n_samples_probed": probed,
                   "unsettled_samples": bad,
                   "settled_samples": probed - bad, "control": "sample", **stats,
                   "note": note})
        if len(points):
            pts.append(points.assign(**{k: ident[k] for k in (*ROW_KEYS, "run_id")}))
        p2.append(_synapse_row(d, ident, planned))
    return p1, pts, p2


def _synapse_row(d: Path, ident: dict, planned: int) -> dict[str, Any]:
    """Prediction 2 per run: residual quantiles over the tested synapse-samples."""
    keep = {k: ident[k] for k in (*ROW_KEYS, "group", "run_id", "seed", "status")}
    missing = min(planned, 20) if ident["status"] == "ok" else 0
    row: dict[str, Any] = {**keep, "carrier": _CARRIER.get(ident["rule"], "?"),
                           "n_samples_probed": missing, "unsettled_samples": missing,
                           "n_synapse_samples": 0, "n_tested": 0,
                           "median_abs_residual": np.nan, "q99_abs_residual": np.nan,
                           "max_abs_residual": np.nan, "max_abs_residual_untested": np.nan,
                           "holds": False}
    path = d / "synapses.parquet"
    if not path.is_file():
        return row
    s = pd.read_parquet(path)
    if len(s):
        row.update(n_samples_probed=int(s["probe_samples"].iloc[0]),
                   unsettled_samples=int(s["unsettled_samples"].iloc[0]))
    lhs = (s["dw"] * s["w"]).abs()
    rhs = (ident["learning_rate"] * s["x_pre"] * s["g"]).abs()
    scale = rhs.groupby(s["sample"]).transform("max")
    tested = (lhs > TESTED_FLOOR * scale) | (rhs > TESTED_FLOOR * scale)
    r = s["residual"].abs()
    rt = r[tested]
    row.update(n_synapse_samples=len(s), n_tested=int(tested.sum()))
    if (~tested).any():
        row["max_abs_residual_untested"] = float(r[~tested].max())
    if len(rt):
        row.update(median_abs_residual=float(rt.median()),
                   q99_abs_residual=float(rt.quantile(0.99)),
                   max_abs_residual=float(rt.max()),
                   holds=bool(rt.max() <= HOLDS_TOL))
    return row


def _algorithm1(runs_dir: Path) -> tuple[list, list]:
    """Prediction 1 rows and points of the Algorithm-1 networks (final snapshots)."""
    p1, pts = [], []
    for study in ALGORITHM1_STUDIES:
        for group, d in _run_dirs(runs_dir / study):
            try:
                cfg = runs.read_config(d)
            except (WiringError, OSError, ValueError, KeyError):
                continue
            sim = cfg.get("simulation", {})
            lr = float(sim.get("learning_rate", np.nan))
            end = float(sim.get("learning_rate_end", 0.0) or 0.0)
            condition = (f"r={lr:g}" if study == "phase" else
                         f"{group}: r={lr:g}" + (f"->{end:g}" if end > 0 else ""))
            ident = {"source": "algorithm1", "study": study, "data": "noise",
                     "graph": str(cfg.get("graph", {}).get("family", "?")),
                     "rule": "algorithm1", "condition": condition, "learning_rate": lr,
                     "group": group, "run_id": d.name, "seed": int(cfg["task"]["seed"]),
                     "prune": float(sim.get("prune", np.nan)),
                     "sigma": float(sim.get("noise_rate", np.nan)), "status": _status(d)}
            points, note, step = None, "", np.nan
            if ident["status"] != "ok":
                note = f"run {ident['status']}: left out"
            else:
                points, note, step = _snapshot_points(d)
            stats = _network_stats(points if points is not None else pd.DataFrame(),
                                   control=False)
            note = note or stats.pop("note", "")
            stats.pop("note", None)
            p1.append({**ident, "step": step,
                       "n_samples_probed": 1 if points is not None else 0,
                       "unsettled_samples": 0, "settled_samples":
                       1 if points is not None else 0, "control": "none (one state)",
                       **stats, "note": note})
            if points is not None and len(points):
                pts.append(points.assign(**{k: ident[k] for k in (*ROW_KEYS, "run_id")}))
    return p1, pts


def _snapshot_points(d: Path) -> tuple[pd.DataFrame | None, str, float]:
    """The final snapshot's neurons with at least one incoming synapse and free credit:
    f, |c| sum_j |w_ij| and the amplitude |c| f sum_j |w_ij|; a note and the step."""
    try:
        paths = runs.list_snapshots(d)
        snap = runs.load_snapshot(paths[-1]) if paths else None
    except (WiringError, OSError, ValueError):
        snap = None
    if snap is None:
        return None, "no snapshot", np.nan
    extra = snap.extra or {}
    if "credit" not in extra or "balance" not in extra:
        return None, "snapshot without credit or balance", float(snap.step)
    W = np.asarray(snap.dense(), dtype=float)
    f = np.asarray(extra["balance"], dtype=float)
    c = np.asarray(extra["credit"], dtype=float)
    carrier_sum = np.abs(W).sum(axis=1)
    keep = (W != 0).any(axis=1) & np.isfinite(f) & np.isfinite(c)
    clamped = np.zeros(W.shape[0], dtype=bool)
    if snap.clamped is not None and len(snap.clamped):
        clamped[np.asarray(snap.clamped, dtype=int)] = True
    keep &= ~clamped  # credit held by the clamp, not received over synapses
    idx = np.flatnonzero(keep)
    carrier = np.abs(c[idx]) * carrier_sum[idx]
    return pd.DataFrame({"sample": 0, "neuron": idx, "balance": f[idx], "carrier": carrier,
                         "amplitude": carrier * f[idx]}), "", float(snap.step)


# ------------------------------------------------------------------ tables
def _row_frame(df: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    return df.groupby(list(ROW_KEYS), sort=True, dropna=False)


def _summary1(net: pd.DataFrame) -> pd.DataFrame:

    rows = []
    for key, df in _row_frame(net):
        rho = across_networks(df["partial_rho"])
        slope = across_networks(df["loglog_slope"])
        pooled = across_networks(df["spearman_rho_pooled"])
        cells = df[["group", "prune", "sigma"]].astype(str).drop_duplicates()
        rows.append({**dict(zip(ROW_KEYS, key, strict=True)), "n_runs": len(df),
                     "n_cells": len(cells),
                     "n_networks": rho["n"], "few_networks": rho["n"] < MIN_NETWORKS,
                     "n_runs_without_statistic": int(len(df) - rho["n"]),
                     "statistic": "Spearman partial rho(|c| sum|w|, f)",
                     "control": "; ".join(sorted(set(df["control"]))),
                     "mean_partial_rho": rho["mean"], "sd_partial_rho": rho["sd"],
                     "ci_low": rho["ci_low"], "ci_high": rho["ci_high"], "t": rho["t"],
                     "p": rho["p"], "n_positive": rho["n_positive"],
                     "mean_spearman_rho_pooled": pooled["mean"],
                     "mean_loglog_slope": slope["mean"], "slope_ci_low": slope["ci_low"],
                     "slope_ci_high": slope["ci_high"],
                     "n_slope_networks": slope["n"],
                     "n_slope_positive": slope["n_positive"],
                     "samples_probed": int(df["n_samples_probed"].sum()),
                     "unsettled_samples": int(df["unsettled_samples"].sum()),
                     "n_networks_with_unsettled": int((df["unsettled_samples"] > 0).sum()),
                     "median_points_per_network": float(df["n_points"].median())})
    out = pd.DataFrame(rows)
    if len(out):
        out["p_holm"] = holm(out["p"].to_numpy(float))
    return out


def _bins(points: pd.DataFrame) -> pd.DataFrame:
    """Per row: quantile bins of the pooled f; in each bin, the median of every network's
    median of |c| sum|w| and of the amplitude, and the range of those medians."""
    rows = []
    for key, df in _row_frame(points):
        f = df["balance"].to_numpy(float)
        edges = np.unique(np.quantile(f, np.linspace(0, 1, N_BINS + 1)))
        if edges.size < 2:
            edges = np.array([f.min(), f.max()])
        which = np.clip(np.searchsorted(edges, f, side="right") - 1, 0, edges.size - 2)
        per = (df.assign(bin=which).groupby(["bin", "run_id"])
               .agg(balance=("balance", "median"), carrier=("carrier", "median"),
                    amplitude=("amplitude", "median"), n=("balance", "size")))
        for b, part in per.groupby(level="bin"):
            inbin = f[which == b]
            rows.append({**dict(zip(ROW_KEYS, key, strict=True)), "bin": int(b),
                         "balance_low": float(edges[b]), "balance_high": float(edges[b + 1]),
                         "balance_median": float(np.median(inbin)),
                         "n_networks": len(part), "n_points": int(part["n"].sum()),
                         "carrier_median": float(part["carrier"].median()),
                         "carrier_low": float(part["carrier"].min()),
                         "carrier_high": float(part["carrier"].max()),
                         "amplitude_median": float(part["amplitude"].median()),
                         "amplitude_low": float(part["amplitude"].min()),
                         "amplitude_high": float(part["amplitude"].max())})
    return pd.DataFrame(rows)


def _summary2(net: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, df in _row_frame(net):
        tested = df[df["n_tested"] > 0]
        rows.append({**dict(zip(ROW_KEYS, key, strict=True)),
                     "carrier": "; ".join(sorted(set(df["carrier"]))), "n_runs": len(df),
                     "n_networks": len(tested), "few_networks": len(tested) < MIN_NETWORKS,
                     "n_tested": int(df["n_tested"].sum()),
                     "n_untested": int((df["n_synapse_samples"] - df["n_tested"]).sum()),
                     "samples_probed": int(df["n_samples_probed"].sum()),
                     "unsettled_samples": int(df["unsettled_samples"].sum()),
                     "median_network_median_abs_residual":
                         float(tested["median_abs_residual"].median()) if len(tested)
                         else np.nan,
                     "worst_q99_abs_residual": float(tested["q99_abs_residual"].max())
                     if len(tested) else np.nan,
                     "worst_max_abs_residual": float(tested["max_abs_residual"].max())
                     if len(tested) else np.nan,
                     "n_holding": int(tested["holds"].sum()),
                     f"share_holding_{HOLDS_TOL:g}": float(tested["holds"].mean())
                     if len(tested) else np.nan})
    return pd.DataFrame(rows)


def prediction_tables(runs_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Predictions 1 and 2 per network and across networks, read from the run directories.

    Parameters
    ----------
    runs_dir : path
        The reproduction's runs directory (``<runs>/rules``, ``<runs>/phase``,
        ``<runs>/development``; missing studies give empty tables).

    Returns
    -------
    dict
        :data:`PREDICTION_TABLES` -> DataFrame:

        ``prediction1_networks``
            one row per network (run): :data:`ROW_KEYS`, group, run_id, seed, prune,
            sigma, status, step (Algorithm 1: the final snapshot's), n_samples_probed,
            unsettled_samples, settled_samples, control, n_points, n_neurons,
            ``partial_rho`` (the statistic), spearman_rho_pooled, loglog_slope (amplitude
            on f; contains f by construction), loglog_n, note.
        ``prediction1``
            per row of :data:`ROW_KEYS`: n_runs, n_networks, few_networks (fewer than
            :data:`MIN_NETWORKS`), mean_partial_rho with its 95% t interval (ci_low,
            ci_high), t, p (one-sample t-test against 0 over networks), p_holm (over the
            table's rows), n_positive, mean_loglog_slope with its interval, samples
            probed and unsettled, networks with unsettled samples.
        ``prediction1_bins``
            per row and quantile bin of f: the median over networks of each network's
            median |c| sum|w| (``carrier_*``) and amplitude, with their range.
        ``prediction2_networks``
            one row per supervised network with a synaptic retrograde path: tested and
            untested synapse-samples, median/q99/max tested |residual|, holds (max at most
            :data:`HOLDS_TOL`).
        ``prediction2``
            per row: n_networks, worst network's q99 and max |residual|, networks holding.

    Examples
    --------
    >>> import tempfile
    >>> t = prediction_tables(tempfile.mkdtemp())
    >>> tuple(t) == PREDICTION_TABLES and all(df.empty for df in t.values())
    True
    """
    runs_dir = Path(runs_dir)
    p1, pts, p2 = _supervised(runs_dir)
    a1, apts = _algorithm1(runs_dir)
    net1 = pd.DataFrame(p1 + a1)
    points = pd.concat(pts + apts, ignore_index=True) if pts or apts else pd.DataFrame()
    net2 = pd.DataFrame(p2)
    return {"prediction1_networks": net1,
            "prediction1": _summary1(net1) if len(net1) else pd.DataFrame(),
            "prediction1_bins": _bins(points) if len(points) else pd.DataFrame(),
            "prediction2_networks": net2,
            "prediction2": _summary2(net2) if len(net2) else pd.DataFrame()}


# ------------------------------------------------------------------ report
def _table(t: Mapping[str, Any], name: str, need: Iterable[str]) -> pd.DataFrame:
    df = t.get(name) if isinstance(t, Mapping) else None
    if not isinstance(df, pd.DataFrame) or df.empty or not set(need) <= set(df.columns):
        return pd.DataFrame()
    return df


def _g(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.2g}"


def _ci(lo: float, hi: float, digits: int = 2) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "n/a"
    return f"[{lo:.{digits}f}, {hi:.{digits}f}]"


def _verdict(mean: float, p: float, n: int) -> str:
    if n == 0:
        return "no data"
    if n < 2 or not np.isfinite(p):
        return "too few networks to test"
    if p < ALPHA:
        return "holds" if mean > 0 else "reversed"
    return "not detected at this power"


def _label(r: Any) -> str:
    if r.source == "supervised":
        return f"{r.rule} on {r.data}/{r.graph}"
    return f"Algorithm 1, {r.study} {r.condition}"


def _p1_sentence(r: Any) -> str:
    n = int(r.n_networks)
    if n == 0:
        return f"{_label(r)}: no network with a statistic"
    if n == 1:
        return f"{_label(r)}: one network, rho {r.mean_partial_rho:+.2f} (no test)"
    v = _verdict(r.mean_partial_rho, r.p, n)
    return (f"{_label(r)}: mean rho {r.mean_partial_rho:+.2f} {_ci(r.ci_low, r.ci_high)}, "
            f"{int(r.n_positive)} of {n} networks positive, p {fmt_p(r.p)} ({v})")


def _slope_phrase(r: Any) -> str:
    n = int(r.n_slope_networks)
    spread = (f"{_ci(r.slope_ci_low, r.slope_ci_high)}, {int(r.n_slope_positive)} of {n} "
              "positive" if n > 1 else "(one network)")
    return f"{_label(r)}: {r.mean_loglog_slope:.2f} {spread}"


P1_COLUMNS = ("source", "study", "data", "graph", "rule", "condition", "n_cells", "n_networks",
              "few_networks", "mean_partial_rho", "ci_low", "ci_high", "p", "p_holm",
              "n_positive", "mean_loglog_slope", "slope_ci_low", "slope_ci_high",
              "samples_probed", "unsettled_samples", "n_networks_with_unsettled")
P2_COLUMNS = ("data", "graph", "rule", "carrier", "n_networks", "n_tested", "n_untested",
              "unsettled_samples", "median_network_median_abs_residual",
              "worst_q99_abs_residual", "worst_max_abs_residual", "n_holding")


def prediction_sections(t: Mapping[str, Any], ctx: Context) -> list[Section]:
    """The report's two prediction sections, written from :func:`prediction_tables`'
    tables alone.

    Parameters
    ----------
    t : mapping
        Table name -> DataFrame (missing or empty tables give a sentence saying so).
    ctx : Context
        The report directory, the drawn figures and the running figure number.

    Returns
    -------
    list of Section
        ``prediction-1`` and ``prediction-2``.

    Examples
    --------
    >>> import tempfile
    >>> s1, s2 = prediction_sections({}, Context(Path(tempfile.mkdtemp())))
    >>> s1.id, s2.id
    ('prediction-1', 'prediction-2')
    """
    return [_section1(t, ctx), _section2(t, ctx)]


def _section1(t: Mapping[str, Any], ctx: Context) -> Sec:
    s = Sec("prediction-1", "Prediction 1: retrograde signal amplitude vs balance")
    s.text("A neuron's retrograde amplitude sum_j |g_ji| = |c_i| f(s_i) sum_j |b_ij| (b the "
           "rule's credit carrier, W for the balance rules) has f as a factor, so amplitude "
           "rising with f is largely true by construction, and so is a bell of amplitude "
           "centred at s = 0 when f = sigma'; neither is used as evidence here. The statistic "
           "that is not true by construction is the Spearman correlation, within one network, "
           "of the carrier amplitude per unit balance |c_i| sum_j |b_ij| with f(s_i). On "
           "supervised networks (hidden neurons x held-out samples) it is a partial "
           "correlation controlling for the sample (ranks centred within each sample: a "
           "sample's output error scales every neuron's credit). On Algorithm-1 networks "
           "(noise task, final snapshot of runs that stayed stable) the points are the "
           "neurons of that one state with at least one incoming synapse and unclamped "
           "credit, without control. The network is the unit: one correlation per network, "
           "then across networks per row the mean, its 95% t interval, a one-sample t-test "
           "against 0 and the count of positive networks. The log-log slope of amplitude on f "
           "is shown for continuity; it equals 1 plus the slope of log |c| sum|b| on log f, "
           "the 1 coming from the factor f.")
    summ = _table(t, "prediction1", ("n_networks", "mean_partial_rho", "p"))
    nets = _table(t, "prediction1_networks", ("partial_rho", "unsettled_samples"))
    if summ.empty:
        s.text("No network was tested: the prediction-1 tables are empty.")
    else:
        s.table("Prediction 1 across networks per row (rho: Spearman partial correlation "
                "of |c_i| sum_j |b_ij| with f(s_i), one per network; interval and p over "
                "networks; p_holm over the rows; per-network values in "
                "prediction1_networks).",
                summ[[c for c in P1_COLUMNS if c in summ.columns]])
        _disclose1(s, summ, nets)
        for source, name in (("supervised", "Supervised networks"),
                             ("algorithm1", "Algorithm-1 networks")):
            rows = summ[summ["source"] == source]
            if rows.empty:
                continue
            s.key(f"{name}, rho per row: "
                  + "; ".join(_p1_sentence(r) for r in rows.itertuples()) + ".")
            sl = rows[np.isfinite(rows["mean_loglog_slope"].to_numpy(float))]
            if len(sl):
                s.text(f"{name}, log-log slope of amplitude on f (contains the factor f; "
                       "above 0 means balanced neurons send the larger signals): "
                       + "; ".join(_slope_phrase(r) for r in sl.itertuples()) + ".")
            rev = rows[(rows["p"] < ALPHA) & (rows["mean_partial_rho"] < 0)]
            if len(rev):
                up = rev[rev["slope_ci_low"] > 0]
                s.text(f"{name}: in {len(rev)} row(s) |c| sum|b| falls significantly as f "
                       f"rises; in {len(up)} of them the amplitude's slope on f is still "
                       "above 0 (interval above 0): there balanced neurons send the larger "
                       "signals only through the factor f.")
    ctx.figure(s, "prediction1", "Prediction 1 per network: the Spearman "
               "(partial) correlation of |c_i| sum_j |b_ij| with f(s_i), one point per "
               "network, with the across-network mean and 95% t interval per row.")
    ctx.figure(s, "prediction1_bins", "Carrier amplitude per unit balance "
               "|c_i| sum_j |b_ij| against f(s_i): per quantile bin of f, the median over "
               "networks of each network's median, with the range of network medians.")
    return s


def _disclose1(s: Sec, summ: pd.DataFrame, nets: pd.DataFrame) -> None:
    n = summ["n_networks"].astype(int)
    text = (f"Networks per row: {int(n.min())} to {int(n.max())} "
            f"({int(n.sum())} in all, over {len(summ)} rows).")
    few = summ[summ["few_networks"]] if "few_networks" in summ else summ.iloc[:0]
    if len(few):
        text += (f" Rows with fewer than {MIN_NETWORKS} networks, too few for a test across "
                 "networks to say much: " + "; ".join(f"{_label(r)} ({int(r.n_networks)})"
                                                       for r in few.itertuples()) + ".")
    if "unsettled_samples" in summ:
        sup = summ[summ["source"] == "supervised"]
        if len(sup):
            bad = int(sup["unsettled_samples"].sum())
            text += (f" Supervised probes: {bad} of {int(sup['samples_probed'].sum())} "
                     "held-out samples did not settle and were left out")
            text += (f", in {int(sup['n_networks_with_unsettled'].sum())} networks that keep "
                     "their rows." if bad else ".")
    pooled = summ[summ["n_cells"] > 1] if "n_cells" in summ else summ.iloc[:0]
    if len(pooled):
        text += (" Rows that pool several cells of their study (group, prune, sigma) at one "
                 "rate: " + "; ".join(f"{_label(r)} ({int(r.n_cells)} cells)"
                                      for r in pooled.itertuples())
                 + " (per-network rows keep the cell).")
    if len(nets) and "note" in nets:
        none = nets[~np.isfinite(nets["partial_rho"].to_numpy(float))]
        if len(none):
            why = none["note"].replace("", "no statistic").value_counts()
            text += (f" {len(none)} run(s) give no statistic: "
                     + ", ".join(f"{k} ({v})" for k, v in why.items()) + ".")
    s.text(text)


def _section2(t: Mapping[str, Any], ctx: Context) -> Sec:
    s = Sec("prediction-2", "Prediction 2: dw_ij / g_ji = x_j / w_ij")
    s.text("On every synapse of the trained supervised networks and up to 20 held-out samples "
           "each, the engine's update dw_ij (learning rate r) against the retrograde signal "
           "g_ji: residual = (dw w - r x_j g) / (|dw w| + |r x_j g|), scale-free. A "
           f"synapse-sample whose both sides are below {TESTED_FLOOR:g} of its sample's "
           "largest signal (saturated neurons, f at rounding level) is counted but not "
           f"tested. A network holds the identity when every tested |residual| is at most "
           f"{HOLDS_TOL:g}. For the balance rules the update and the signal share the factor "
           "c_i f(s_i), so this is an algebraic identity: it checks that the engine "
           "implements the rule as written, not an empirical fact about synapses. Under fa "
           "and sign-concordant feedback the credit travels over B, not W, and the identity "
           "is expected to fail. Algorithm-1 networks are not tested: their snapshots hold "
           "the state, not the engine's update, and both sides computed from the same c, f "
           "and x would be the identity itself.")
    p2 = _table(t, "prediction2", ("rule", "n_networks", "n_holding",
                                   "worst_max_abs_residual"))
    if p2.empty:
        s.text("No network was tested: the prediction-2 tables are empty.")
    else:
        s.table("Prediction 2 per row: networks, tested synapse-samples, the worst network's "
                "99th percentile and largest |residual|, and networks holding the identity "
                f"to {HOLDS_TOL:g} (per-network values in prediction2_networks).",
                p2[[c for c in P2_COLUMNS if c in p2.columns]])
        if "unsettled_samples" in p2:
            s.text(f"Networks per row: {int(p2['n_networks'].min())} to "
                   f"{int(p2['n_networks'].max())}; {int(p2['unsettled_samples'].sum())} of "
                   f"{int(p2['samples_probed'].sum())} probe samples did not settle and were "
                   "left out, their networks kept.")
        for rules, name in ((_EXACT, "balance and balance-exact"),
                            (("fa", "sign-concordant"), "fa and sign-concordant")):
            rows = p2[p2["rule"].isin(rules)]
            if rows.empty:
                continue
            n, k = int(rows["n_networks"].sum()), int(rows["n_holding"].sum())
            worst = float(rows["worst_max_abs_residual"].max())
            if rules == _EXACT:
                s.key(f"{name}: the identity holds to {HOLDS_TOL:g} in {k} of {n} networks "
                      f"(largest tested |residual| {_g(worst)}): the engine implements the "
                      "rule as written (an implementation check, not a finding).")
            else:
                med = float(rows["median_network_median_abs_residual"].median())
                s.key(f"{name}: the identity holds in {k} of {n} networks (median of the "
                      f"networks' median |residual| {_g(med)}), "
                      + ("as expected: their credit carrier is not w_ij." if k == 0 else
                         "unexpected for a carrier other than w_ij."))
    ctx.figure(s, "prediction2", "Prediction 2 per network: median and 99th "
               "percentile of the tested |residual| (zeros drawn at the floor), per rule.")
    return s


def prediction_claims(t: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of the report's verdict table for predictions 1 and 2.

    Prediction 1: the mean over networks of the Spearman (partial) correlation of
    ``|c_i| sum_j |b_ij|`` with ``f(s_i)``, one-sample t-test against 0, for the
    supervised balance-exact networks (all data sets and graphs pooled) and for every
    stable Algorithm-1 network (all studies and rates pooled). Prediction 2: the identity
    on the balance rules' networks (an implementation check) and on fa / sign-concordant
    (a control where it should fail).

    Parameters
    ----------
    t : mapping
        Needs ``prediction1_networks`` and ``prediction2_networks``.

    Returns
    -------
    list of dict
        Keys :data:`CLAIM_KEYS`; ``effect`` and ``p`` are floats (NaN when not
        applicable), ``n`` the number of networks, ``ci`` text ``"[lo, hi]"`` or "n/a".

    Examples
    --------
    >>> prediction_claims({})[0]["verdict"]
    'no data'
    """
    rows = []
    nets = _table(t, "prediction1_networks", ("source", "rule", "partial_rho"))
    for sel, who in ((("supervised", "balance-exact"),
                      "supervised balance-exact networks (data sets and graphs pooled)"),
                     (("algorithm1", None),
                      "stable Algorithm-1 networks, final snapshot (studies and rates "
                      "pooled)")):
        part = nets[(nets["source"] == sel[0]) & ((nets["rule"] == sel[1]) if sel[1]
                                                   else True)] if len(nets) else nets
        a = across_networks(part["partial_rho"] if len(part) else [])
        rows.append({"claim": "Prediction 1: balanced neurons carry more |c| sum|w| "
                              f"(beyond the factor f) - {who}",
                     "method": "Spearman correlation of |c_i| sum_j |w_ij| with f(s_i) per "
                               "network (" + ("partial on the sample" if sel[0] == "supervised"
                                              else "one state, no control")
                               + "); one-sample t-test over networks",
                     "null": "mean correlation over networks = 0",
                     "effect": a["mean"], "ci": _ci(a["ci_low"], a["ci_high"], 3),
                     "p": a["p"], "n": a["n"], "verdict": _verdict(a["mean"], a["p"], a["n"])})
    p2 = _table(t, "prediction2_networks", ("rule", "n_tested", "holds", "max_abs_residual"))
    for rules, who in ((_EXACT, "balance and balance-exact networks"),
                       (("fa", "sign-concordant"), "fa and sign-concordant networks "
                                                   "(control)")):
        part = p2[p2["rule"].isin(rules) & (p2["n_tested"] > 0)] if len(p2) else p2
        n, k = len(part), int(part["holds"].sum()) if len(part) else 0
        if n == 0:
            verdict = "no data"
        elif rules == _EXACT:
            verdict = ("holds (implementation check)" if k == n
                       else f"fails on {n - k} networks")
        else:
            verdict = ("fails, as expected (credit over B)" if k == 0
                       else f"holds on {k} networks (unexpected)")
        rows.append({"claim": f"Prediction 2: dw_ij / g_ji = x_j / w_ij - {who}",
                     "method": f"largest tested |relative residual| per network; holds when "
                               f"at most {HOLDS_TOL:g}",
                     "null": ("n/a: an algebraic identity for the balance rules (checks "
                              "the implementation)" if rules == _EXACT else
                              "n/a: expected to fail, the credit travels over B, not W"),
                     "effect": float(part["max_abs_residual"].max()) if n else np.nan,
                     "ci": "n/a", "p": np.nan, "n": n, "verdict": verdict})
    return rows
