"""The paper's claims judged on the tables: one verdict table, each row a test.

:func:`verdict_table` turns the inference tables (:mod:`community.paper.inference`) into
rows of ``claim``, ``method``, ``null``, ``effect``, ``ci``, ``p``, ``n``, ``verdict``;
the rule comparison and the predictions add their own rows
(:func:`community.paper.rules.rules_claims`,
:func:`community.paper.predictions.prediction_claims`).

Verdict words:

``holds`` / ``as predicted``
    significant (p < :data:`ALPHA`) in the paper's direction;
``reversed``
    significant against it;
``not detected``
    not significant: the row says which effect the test had 80% power to see
    (:func:`detectable_difference`); never "absent";
``beats null in k/n``
    per-run null-model tests: k of n runs beat the null (empirical p <= 0.05 over the
    null's draws, 20 in the full reproduction, and z >= 2), tested against the 5%
    false-positive rate of a run (one-sided binomial).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = ["holm", "verdict_table", "detectable_difference", "ALPHA", "VERDICT_COLUMNS"]

ALPHA = 0.05
VERDICT_COLUMNS = ("claim", "method", "null", "effect", "ci", "p", "n", "verdict")


def holm(p: np.ndarray) -> np.ndarray:
    """Holm--Bonferroni adjusted p-values (NaN stays NaN).

    Parameters
    ----------
    p : array_like of float

    Returns
    -------
    ndarray

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = order.size
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adj
    return out


def detectable_difference(sd: tuple[float, float], n: tuple[int, int], *,
                          power: float = 0.8, alpha: float = ALPHA) -> float:
    """The difference of means a two-sided test at ``alpha`` detects with ``power``
    (normal approximation): ``(z_{1-alpha/2} + z_power) sqrt(sd_a^2/n_a + sd_b^2/n_b)``
    for ``sd = (sd_a, sd_b)`` and ``n = (n_a, n_b)``.

    Examples
    --------
    >>> round(detectable_difference((1.0, 1.0), (20, 20)), 3)
    0.886
    """
    (sd_a, sd_b), (n_a, n_b) = sd, n
    if min(n_a, n_b) < 2:
        return float("nan")
    z = sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)
    return float(z * np.sqrt(sd_a ** 2 / n_a + sd_b ** 2 / n_b))


def _fmt(v: float, digits: int = 3) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.{digits}g}"


def _ci(lo: float, hi: float) -> str:
    return f"[{_fmt(lo)}, {_fmt(hi)}]"


def _direction(diff: float, p: float, predicted: int, mde: float = np.nan) -> str:
    if not np.isfinite(p):
        return "no data"
    if p < ALPHA and predicted != 0:
        return "holds" if np.sign(diff) == predicted else "reversed"
    if p < ALPHA:
        return "changed"
    power = f" (80% power for |effect| >= {_fmt(mde, 2)})" if np.isfinite(mde) else ""
    return "not detected" + power


_SIG_TEXT = {"q": "modularity Q", "bd": "block disassortativity", "hub": "hub share",
             "ba": "block assortativity", "log_offdiag": "log10 off-diagonal index"}


def _contrast_rows(t: dict) -> list[dict]:
    c = t.get("contrasts", pd.DataFrame())
    if c.empty:
        return []
    ref = c[np.isclose(c["prune"], 0.9) & np.isclose(c["sigma"], 0.1)]
    rows = []
    for comp, label in (("low vs high", "plastic high"), ("low vs runaway", "runaway")):
        for sig, pred, half in (("q", -1, "within-module"), ("bd", +1, "across-module")):
            r = ref[(ref["comparison"] == comp) & (ref["signature"] == sig)]
            if r.empty:
                continue
            r = r.iloc[0]
            mde = detectable_difference((r.get("sd_a", np.nan), r.get("sd_b", np.nan)),
                                        (int(r["n_a"]), int(r["n_b"])))
            more = "less" if pred < 0 else "more"
            rows.append({
                "claim": f"{half}: r = {r['r_b']:g} ({label}) gives {more} "
                         f"{_SIG_TEXT[sig]} than r = {r['r_a']:g} (reference cell)",
                "method": "Welch t over seeds (final weights, |W|)",
                "null": "rate contrast", "effect": f"{_fmt(r['diff'])} (g = "
                                                  f"{_fmt(r['hedges_g'], 2)})",
                "ci": _ci(r["diff_ci_low"], r["diff_ci_high"]), "p": r["p_welch"],
                "n": f"{int(r['n_a'])} + {int(r['n_b'])} runs",
                "verdict": _direction(r["diff"], r["p_welch"], pred, mde)})
    return rows


def _null_rows(t: dict) -> list[dict]:
    nc = t.get("null_counts", pd.DataFrame())
    rates = _rates(t)
    if nc.empty or not rates:
        return []
    ref = nc[(nc["study"] == "phase") & np.isclose(nc["prune"], 0.9)
             & np.isclose(nc["sigma"], 0.1)]
    rows = []
    for tag, sig, half in (("low", "q", "within-module"), ("high", "bd", "across-module"),
                           ("runaway", "bd", "across-module")):
        lr = rates.get(tag, np.nan)
        if not np.isfinite(lr):
            continue
        for null in ("init-pruned", "shuffle", "rewire"):
            r = ref[np.isclose(ref["learning_rate"], lr) & (ref["signature"] == sig)
                    & (ref["null"] == null)]
            if r.empty:
                continue
            r = r.iloc[0]
            k, n = int(r["beat"]), int(r["runs"])
            rows.append({
                "claim": f"{half}: {_SIG_TEXT[sig]} at r = {lr:g} beats its null",
                "method": f"per run: empirical p <= 0.05 and z >= 2 over "
                          f"{int(r['n_null'])} draws; count vs 5% (binomial)",
                "null": null, "effect": f"median z {_fmt(r['median_z'], 2)}",
                "ci": "", "p": r["p_binomial"], "n": f"{k}/{n} runs",
                "verdict": (f"beats {null} in {k}/{n}" if r["p_binomial"] < ALPHA
                            else f"not detected ({k}/{n})")})
    return rows


def _rates(t: dict) -> dict:
    r = t.get("rates", pd.DataFrame())
    return {row.name: float(row.learning_rate) for row in r.itertuples()} if len(r) else {}


def _pooled_rows(t: dict) -> list[dict]:
    pm = t.get("pooled", pd.DataFrame())
    if pm.empty:
        return []
    rows = []
    for rng in pm["range"].unique():
        for sig, pred in (("q", -1), ("bd", +1)):
            for term, what in (("log_r", "slope in log10 r (mean p, sigma)"),
                               ("log_r:prune", "interaction log10 r x prune ('with "
                                               "sufficient pruning')")):
                r = pm[(pm["signature"] == sig) & (pm["term"] == term) & (pm["range"] == rng)]
                if r.empty:
                    continue
                r = r.iloc[0]
                rows.append({
                    "claim": f"{_SIG_TEXT[sig]}: {what}, {rng} rates (r <= {r['r_max']:g})",
                    "method": f"OLS over r x p (p in {r['prunes']}) x sigma, SE clustered by "
                              "seed (statsmodels)",
                    "null": "coefficient = 0", "effect": _fmt(r["coef"]),
                    "ci": _ci(r["ci_low"], r["ci_high"]), "p": r["p"],
                    "n": f"{int(r['n_runs'])} runs, {int(r['n_seeds'])} seeds",
                    "verdict": _direction(r["coef"], r["p"], pred,
                                          (sps.norm.ppf(0.975) + sps.norm.ppf(0.8)) * r["se"])})
    return rows


def _alpha_ci(r: pd.Series) -> str:
    """The alpha interval; a bound on the searched grid's edge says so (the interval is
    then cut there, not closed)."""
    lo, hi = r["ci_low"], r["ci_high"]
    low = (f"<= {_fmt(lo)} (grid edge)" if lo <= r.get("grid_low", -np.inf)
           else _fmt(lo))
    high = (f">= {_fmt(hi)} (grid edge)" if hi >= r.get("grid_high", np.inf)
            else _fmt(hi))
    return f"[{low}, {high}]"


def _collapse_rows(t: dict) -> list[dict]:
    c = t.get("collapse", pd.DataFrame())
    if c.empty:
        return []
    rows = []
    for sig in ("q", "bd", "hub"):
        r = c[(c["signature"] == sig) & (c["range"] == c["range"].iloc[0])]
        if r.empty:
            continue
        r = r.iloc[0]
        zero = r["ci_low"] <= 0 <= r["ci_high"]
        one = r["ci_low"] <= 1 <= r["ci_high"]
        verdict = ("r alone sets it (alpha CI holds 0, not 1)" if zero and not one else
                   "r x T sets it (alpha CI holds 1, not 0)" if one and not zero else
                   "undetermined (CI holds 0 and 1)" if zero and one else
                   f"r T^alpha with alpha = {_fmt(r['alpha'], 2)} (neither 0 nor 1)")
        rows.append({
            "claim": f"r, not r x T, controls {_SIG_TEXT[sig]} ({r['range']} rates)",
            "method": "collapse exponent: cubic in log10 r + alpha log10 T over the duration "
                      "study's T",
            "null": "alpha = 0 (r) vs 1 (r x T)", "effect": f"alpha = {_fmt(r['alpha'], 2)}",
            "ci": _alpha_ci(r), "p": np.nan,
            "n": f"{int(r['n_seeds'])} seeds x {int(r['n_rates'])} rates, "
                 f"{int(r['n_boot'])} bootstraps",
            "verdict": verdict})
    return rows


def _development_rows(t: dict) -> list[dict]:
    d = t.get("development", pd.DataFrame())
    if d.empty:
        return []
    rows = []
    for comp, sig, pred in (("schedule_1: early vs end", "q", +1),
                            ("schedule_1: early vs end", "bd", -1),
                            ("schedule_0.316: early vs end", "q", +1),
                            ("schedule_0.316: early vs end", "bd", -1),
                            ("schedule_1 end vs constant_low end", "q", 0),
                            ("schedule_1 end vs constant_low end", "bd", 0)):
        r = d[(d["comparison"] == comp) & (d["signature"] == sig)]
        if r.empty:
            continue
        r = r.iloc[0]
        rows.append({
            "claim": f"prediction 3 ({comp}): {_SIG_TEXT[sig]}"
                     + (" rises" if pred > 0 else " falls" if pred < 0 else " differs"),
            "method": "paired t over seeds (same initial weights)",
            "null": "no change", "effect": _fmt(r["diff"]),
            "ci": _ci(r["ci_low"], r["ci_high"]), "p": r["p_paired"],
            "n": f"{int(r['n_pairs'])} pairs",
            "verdict": _direction(r["diff"], r["p_paired"], pred,
                                  (sps.norm.ppf(0.975) + sps.norm.ppf(0.8))
                                  * (r["ci_high"] - r["ci_low"]) / (2 * 1.96))})
    return rows


def _reversal_rows(t: dict) -> list[dict]:
    s = t.get("sensitivity", pd.DataFrame())
    if s.empty:
        return []
    rev = s[s["direction"] == "reversed"]
    return [{"claim": f"under '{r['choice']}': {_SIG_TEXT.get(r['signature'], r['signature'])}"
                      f" at r = {r['r_b']:g} vs {r['r_a']:g} ({r['comparison']})",
             "method": "Welch t over seeds", "null": "rate contrast",
             "effect": _fmt(r["diff"]), "ci": _ci(r["diff_ci_low"], r["diff_ci_high"]),
             "p": r["p_welch"], "n": f"{int(r['n_a'])} + {int(r['n_b'])} runs",
             "verdict": "reversed"} for _i, r in rev.iterrows()]


def verdict_table(t: dict, extra_rows: list[dict] = ()) -> pd.DataFrame:
    """Every claim's test, one row each (module docstring).

    Parameters
    ----------
    t : dict
        The report's tables (:func:`community.paper.report.read_paper_tables`).
    extra_rows : list of dict
        Rows from the rule comparison and the predictions.

    Returns
    -------
    DataFrame
        Columns :data:`VERDICT_COLUMNS`.

    Examples
    --------
    >>> verdict_table({}).columns.tolist()
    ['claim', 'method', 'null', 'effect', 'ci', 'p', 'n', 'verdict']
    """
    rows = [*_contrast_rows(t), *_null_rows(t), *_pooled_rows(t), *_collapse_rows(t),
            *_reversal_rows(t), *_development_rows(t), *extra_rows]
    out = pd.DataFrame(rows, columns=list(VERDICT_COLUMNS))
    # one type per column: p a number, everything else text (a float effect reads as 3 digits)
    out["p"] = pd.to_numeric(out["p"], errors="coerce").astype(float)
    for col in VERDICT_COLUMNS:
        if col != "p":
            out[col] = [(_fmt(x) if isinstance(x, float | np.floating) else
                         "" if x is None else str(x)) for x in out[col]]
    return out
