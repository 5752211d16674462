"""The reproduction's inference on the Algorithm-1 studies: every test the report states.

All functions read the ``structure`` table of :func:`community.paper.analyse.analyse_studies`
(one row per run x analysis variant x snapshot x graph, with the null-model evidence in
``ev_*`` columns) and return tidy tables; :mod:`community.paper.report` words them.

The choices are fixed here, before any data are seen, as named constants:

* **the plastic high rate** (:func:`choose_rates`): the largest rate of the half-decade
  grid at the reference cell whose runs are all stable and where, in the median seed,
  at least :data:`PLASTIC_MOVING_MIN` of the surviving synapses still change by more than
  1% between iterations 4,000 and 6,000 (the duration study's snapshots, same seeds),
  at most :data:`PLASTIC_ISOLATED_MAX` of the neurons are isolated and at most
  :data:`PLASTIC_SATURATED_MAX` more are saturated (``f < 1e-3``) than at the low rate
  (some neurons saturate at every rate: the noise drives them). The low rate is
  :data:`R_LOW`; ``r = 10`` is the runaway reference.
* **a signature beats a null** in one run when its empirical p over 20 draws is at most
  0.05 and its z at least 2 (:mod:`community.evidence`); over the seeds of a cell the
  count of such runs is tested against the 5% a run would reach by chance (one-sided
  binomial).
* **the pooled model** (:func:`pooled_models`): ordinary least squares of each signature
  on ``log10 r`` x pruning fraction x ``log10 sigma`` (centred) over every stable phase
  run at the plastic rates, with standard errors clustered by seed (the same seed gives
  the same initial weights in every cell), :mod:`statsmodels`. The paper's "with
  sufficient pruning" is the ``log10 r : prune`` interaction.
* **r versus r x T** (:func:`collapse`): each signature as a smooth (cubic) function of
  ``log10 r + alpha log10 T``; alpha minimises the residual sum of squares on a grid,
  with a percentile bootstrap interval over seeds. alpha = 0: r alone sets the
  structure; alpha = 1: only r x T does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from community import stats
from community.evidence import NULL_MODELS, P_MAX, SIGNATURES, Z_MIN
from community.paper.claims import holm

__all__ = ["NULL_MODELS", "R_LOW", "R_RUNAWAY", "PLASTIC_MOVING_MIN", "PLASTIC_ISOLATED_MAX",
           "PLASTIC_SATURATED_MAX", "SIGNATURE_COLUMNS", "final_runs", "plasticity",
           "choose_rates", "null_counts", "contrasts", "pooled_models", "collapse",
           "bimodality", "development", "timescales", "sensitivity", "bimodality_coefficient",
           "binomial_p"]

#: the low learning rate of the contrast (the first reproduction's low rate, a decade
#: below r = 1)
R_LOW = 0.1
#: the runaway reference
R_RUNAWAY = 10.0
#: the plastic-high criteria (module docstring)
PLASTIC_MOVING_MIN = 0.1
PLASTIC_ISOLATED_MAX = 0.05
PLASTIC_SATURATED_MAX = 0.05
#: the reference cell (prune, sigma)
REFERENCE_CELL = (0.9, 0.1)
#: the signatures tested, with their columns and what they carry
SIGNATURE_COLUMNS = {
    "q": ("ev_q", "modularity Q (within-module)"),
    "ba": ("ev_ba", "block assortativity (within-module)"),
    "bd": ("ev_bd", "block disassortativity (across-module)"),
    "hub": ("ev_hub", "hub share (top-10% strength)"),
    "log_offdiag": ("log_offdiag", "log10 off-diagonal index (Leiden blocks)"),
}
#: the direction the paper predicts for each signature as r rises (+1 up, -1 down)
PREDICTED = {"q": -1, "ba": -1, "bd": +1, "log_offdiag": +1, "hub": 0}


def _log_offdiag(values: pd.Series) -> pd.Series:
    v = values.astype(float).replace([np.inf, -np.inf], np.nan)
    return np.log10(v.where(v > 0))


def final_runs(structure: pd.DataFrame, study: str = "phase", *,
               variant: str = "abs_modularity") -> pd.DataFrame:
    """One row per run: the trained graph's final snapshot (any status).

    Parameters
    ----------
    structure : DataFrame
    study : str
    variant : str

    Returns
    -------
    DataFrame
        With a ``log_offdiag`` column added.

    Examples
    --------
    >>> st = pd.DataFrame({"study": ["phase"] * 2, "graph": ["trained", "null_initial"],
    ...                    "is_final": [True, True], "variant": ["abs_modularity"] * 2,
    ...                    "offdiag_index": [10.0, 1.0]})
    >>> final_runs(st)["log_offdiag"].tolist()
    [1.0]
    """
    if structure.empty:
        return structure
    sel = ((structure["study"] == study) & (structure["graph"] == "trained")
           & structure["is_final"] & (structure["variant"] == variant))
    out = structure[sel].copy()
    out["log_offdiag"] = (_log_offdiag(out["offdiag_index"]) if "offdiag_index" in out
                          else np.nan)
    return out


def _reference(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    return df[np.isclose(df["prune"], REFERENCE_CELL[0])
              & np.isclose(df["sigma"], REFERENCE_CELL[1])]


def binomial_p(k: int, n: int, rate: float = P_MAX) -> float:
    """One-sided p of ``k`` or more successes in ``n`` trials at ``rate``.

    Examples
    --------
    >>> round(binomial_p(3, 20), 3)
    0.075
    >>> binomial_p(0, 0)
    nan
    """
    if n == 0:
        return float("nan")
    return float(sps.binom.sf(k - 1, n, rate))


def plasticity(structure: pd.DataFrame) -> pd.DataFrame:
    """Per learning rate at the reference cell: is the network still plastic?

    Parameters
    ----------
    structure : DataFrame

    Returns
    -------
    DataFrame
        ``learning_rate``, ``runs``, ``unstable``, medians over seeds of
        ``isolated``, ``saturated``, ``weight_growth`` (max |w| / initial max |w|),
        ``weight_abs_max``, ``hub_share`` (top-10% strength share), ``hub_clamped_share``
        (share of those top-10% neurons that are credit-clamped; 0.1 by chance),
        ``moving_share`` (synapses still changing between the
        duration study's snapshots at 4,000 and 6,000 iterations) and ``plastic``
        (module docstring; the saturated share is compared with the low rate's).

    Examples
    --------
    >>> plasticity(pd.DataFrame()).empty
    True
    """
    if structure.empty:
        return pd.DataFrame()
    fin = _reference(final_runs(structure))
    dur = structure[(structure["study"] == "duration") & (structure["graph"] == "trained")
                    & (structure["variant"] == "abs_modularity")]
    rows = []
    low = fin[np.isclose(fin["learning_rate"], R_LOW) & (fin["status"] == "ok")]
    sat_low = float(low["ev_saturated_fraction"].median()) if len(low) else 0.0
    for lr, g in fin.groupby("learning_rate"):
        ok = g[g["status"] == "ok"]
        d = dur[np.isclose(dur["learning_rate"], lr)]
        at6 = d[d["step"] == _step_near(d, 6000)] if len(d) else d
        moving = float(at6["moving_share"].median()) if len(at6) else float("nan")
        row = {"learning_rate": float(lr), "runs": len(g),
               "unstable": int((g["status"] != "ok").sum()),
               "isolated": float(ok["ev_isolated_fraction"].median()) if len(ok) else np.nan,
               "saturated": float(ok["ev_saturated_fraction"].median()) if len(ok) else np.nan,
               "weight_growth": float(ok["ev_weight_growth"].median()) if len(ok) else np.nan,
               "weight_abs_max": float(ok["weight_abs_max"].median()) if len(ok) else np.nan,
               "hub_share": _median(ok, "ev_hub"),
               "hub_clamped_share": _median(ok, "hub_clamped_share"),
               "moving_share": moving}
        row["plastic"] = bool(row["unstable"] == 0 and np.isfinite(moving)
                              and moving >= PLASTIC_MOVING_MIN
                              and row["isolated"] <= PLASTIC_ISOLATED_MAX
                              and row["saturated"] <= sat_low + PLASTIC_SATURATED_MAX)
        rows.append(row)
    return pd.DataFrame(rows)


def _median(df: pd.DataFrame, col: str) -> float:
    return float(df[col].median()) if col in df and len(df) else float("nan")


def _step_near(d: pd.DataFrame, step: int) -> int:
    steps = np.sort(d["step"].unique())
    return int(steps[np.argmin(np.abs(steps - step))])


def choose_rates(plast: pd.DataFrame) -> dict:
    """The rates of the contrast: ``low`` (:data:`R_LOW`), ``high`` (the largest plastic
    rate above it, NaN if none), ``runaway`` (:data:`R_RUNAWAY`) and ``plastic_max`` (the
    largest plastic rate of all, the upper end of the pooled model's plastic range).

    Examples
    --------
    >>> p = pd.DataFrame({"learning_rate": [0.1, 0.316, 1.0, 10.0],
    ...                   "plastic": [True, True, False, False]})
    >>> choose_rates(p)["high"]
    0.316
    """
    high = plastic_max = float("nan")
    if len(plast):
        ok = plast[plast["plastic"] & (plast["learning_rate"] > R_LOW)
                   & (plast["learning_rate"] < R_RUNAWAY)]
        if len(ok):
            high = float(ok["learning_rate"].max())
        if plast["plastic"].any():
            plastic_max = float(plast.loc[plast["plastic"], "learning_rate"].max())
    return {"low": R_LOW, "high": high, "runaway": R_RUNAWAY, "plastic_max": plastic_max}


def null_counts(structure: pd.DataFrame) -> pd.DataFrame:
    """Per cell (study, group, prune, sigma, learning rate): for each signature and null,
    how many runs beat the null, the median z, and the binomial p of that count.

    Returns
    -------
    DataFrame
        ``study``, ``group``, ``prune``, ``sigma``, ``learning_rate``, ``signature``,
        ``null``, ``runs`` (stable runs with that null's draws), ``beat``, ``n_null``
        (draws per run), ``median_z``, ``p_binomial``.

    Examples
    --------
    >>> null_counts(pd.DataFrame()).empty
    True
    """
    if structure.empty or "ev_n_null" not in structure:
        return pd.DataFrame()
    fin = structure[(structure["graph"] == "trained") & structure["is_final"]
                    & (structure["variant"] == "abs_modularity") & (structure["status"] == "ok")]
    fin = fin[fin["ev_n_null"].fillna(0) > 0]
    rows = []
    keys = ["study", "group", "prune", "sigma", "learning_rate"]
    for key, g in fin.groupby(keys):
        for sig in SIGNATURES:
            for null in NULL_MODELS:
                z = g.get(f"ev_{sig}_z_{null}")
                p = g.get(f"ev_{sig}_p_{null}")
                if z is None or p is None:
                    continue
                have = z.notna() | p.notna()
                n = int(have.sum())
                if n == 0:
                    continue
                beat = int(((p <= P_MAX) & (z >= Z_MIN))[have].sum())
                rows.append({**dict(zip(keys, key, strict=True)), "signature": sig,
                             "null": null, "runs": n, "beat": beat,
                             "n_null": int(g["ev_n_null"].median()),
                             "median_z": float(z[have].replace([np.inf, -np.inf], np.nan)
                                               .median()),
                             "p_binomial": binomial_p(beat, n)})
    return pd.DataFrame(rows)


def contrasts(structure: pd.DataFrame, rates: dict, *, study: str = "phase",
              group_keys: tuple[str, ...] = ("prune", "sigma")) -> pd.DataFrame:
    """Low against plastic-high and against runaway rate, per cell, on every signature.

    Returns
    -------
    DataFrame
        Cell keys, ``comparison`` ("low vs high" or "low vs runaway"), ``r_a``, ``r_b``,
        ``signature``, ``sd_a``, ``sd_b`` and the columns of
        :func:`community.stats.compare` (b minus a), with ``p_holm`` (Holm over the
        cells of one comparison and signature).

    Examples
    --------
    >>> contrasts(pd.DataFrame(), {"low": 0.1, "high": 1.0, "runaway": 10.0}).empty
    True
    """
    fin = final_runs(structure, study)
    if fin.empty:
        return pd.DataFrame()
    fin = fin[fin["status"] == "ok"]
    rows = []
    for label, rb in (("low vs high", rates["high"]), ("low vs runaway", rates["runaway"])):
        if not np.isfinite(rb):
            continue
        for key, cell in fin.groupby(list(group_keys)):
            lo = cell[np.isclose(cell["learning_rate"], rates["low"])]
            hi = cell[np.isclose(cell["learning_rate"], rb)]
            for sig, (col, _what) in SIGNATURE_COLUMNS.items():
                if col not in cell:
                    continue
                a, b = lo[col].dropna().to_numpy(float), hi[col].dropna().to_numpy(float)
                if len(a) < 2 or len(b) < 2:
                    continue
                key = key if isinstance(key, tuple) else (key,)
                rows.append({**dict(zip(group_keys, key, strict=True)), "comparison": label,
                             "r_a": rates["low"], "r_b": rb, "signature": sig,
                             "sd_a": float(a.std(ddof=1)), "sd_b": float(b.std(ddof=1)),
                             **stats.compare(a, b, n_perm=2000, n_boot=2000)})
    out = pd.DataFrame(rows)
    if len(out):
        out["p_holm"] = np.nan
        for _k, idx in out.groupby(["comparison", "signature"]).groups.items():
            out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_welch"].to_numpy())
    return out


def pooled_models(structure: pd.DataFrame, rates: dict) -> pd.DataFrame:
    """One OLS per signature over the phase runs (module docstring), in two ranges: the
    plastic rates (up to ``rates["plastic_max"]``) and every stable rate (runaway
    included).

    Returns
    -------
    DataFrame
        ``signature``, ``range``, ``prunes`` (the pruning fractions in the fit), ``term``
        (``log_r``, ``prune``, ``log_sigma``, ``log_r:prune``,
        ``log_r:log_sigma``, and ``slope at p=...``: the model's log r slope at each
        pruning fraction), ``coef``, ``se`` (clustered by seed), ``ci_low``, ``ci_high``,
        ``p``, ``n_runs``, ``n_seeds``, ``r_max``.

    Examples
    --------
    >>> pooled_models(pd.DataFrame(), {"plastic_max": 1.0}).empty
    True
    """
    fin = final_runs(structure)
    if fin.empty:
        return pd.DataFrame()
    fin = fin[fin["status"] == "ok"]
    ranges = {"all stable": fin}
    top = rates.get("plastic_max", np.nan)
    if np.isfinite(top):
        ranges = {"plastic": fin[fin["learning_rate"] <= top * 1.0001], **ranges}
    out = [_pooled(sub, label) for label, sub in ranges.items()
           if sub["learning_rate"].nunique() >= 2]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _pooled(fin: pd.DataFrame, label: str) -> pd.DataFrame:
    import statsmodels.formula.api as smf

    fin = fin.reset_index(drop=True)
    d = pd.DataFrame({"log_r": np.log10(fin["learning_rate"].to_numpy(float)),
                      "prune": fin["prune"].to_numpy(float),
                      "log_sigma": np.log10(fin["sigma"].to_numpy(float)),
                      "seed": fin["seed"].to_numpy(int)})
    centre = d[["log_r", "prune", "log_sigma"]].mean()
    for c in centre.index:
        d[c] = d[c] - centre[c]
    rows = []
    for sig, (col, _what) in SIGNATURE_COLUMNS.items():
        if col not in fin:
            continue
        d["y"] = fin[col].to_numpy(float)
        dd = d.dropna(subset=["y"])
        if len(dd) < 10 or dd["prune"].nunique() < 2:
            continue
        terms = "log_r * prune + log_r * log_sigma" if dd["log_sigma"].nunique() > 1 else \
            "log_r * prune"
        fit = smf.ols(f"y ~ {terms}", data=dd).fit(cov_type="cluster",
                                                    cov_kwds={"groups": dd["seed"]})
        ci = fit.conf_int()
        base = {"signature": sig, "range": label, "n_runs": int(fit.nobs),
                "n_seeds": int(dd["seed"].nunique()),
                "r_max": float(fin["learning_rate"].max()),
                "prunes": " ".join(f"{v:g}" for v in sorted(fin.loc[dd.index, "prune"]
                                                           .unique()))}
        for term in fit.params.index:
            if term == "Intercept":
                continue
            rows.append({**base, "term": term, "coef": float(fit.params[term]),
                         "se": float(fit.bse[term]), "ci_low": float(ci.loc[term, 0]),
                         "ci_high": float(ci.loc[term, 1]), "p": float(fit.pvalues[term])})
        cov = fit.cov_params()
        names = list(fit.params.index)
        for p in sorted(fin.loc[dd.index, "prune"].unique()):
            v = np.zeros(len(names))
            v[names.index("log_r")] = 1.0
            v[names.index("log_r:prune")] = p - centre["prune"]
            est = float(v @ fit.params.to_numpy())
            se = float(np.sqrt(v @ cov.to_numpy() @ v))
            z = est / se if se > 0 else np.nan
            rows.append({**base, "term": f"slope at p={p:g}", "coef": est, "se": se,
                         "ci_low": est - 1.96 * se, "ci_high": est + 1.96 * se,
                         "p": float(2 * sps.norm.sf(abs(z))) if np.isfinite(z) else np.nan})
    return pd.DataFrame(rows)


#: the alpha grid of :func:`collapse`
ALPHA_GRID = np.round(np.linspace(-1.0, 2.0, 301), 4)


def _collapse_alpha(x_r: np.ndarray, x_t: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    rss = np.empty(ALPHA_GRID.size)
    for k, a in enumerate(ALPHA_GRID):
        x = x_r + a * x_t
        X = np.vander(x - x.mean(), 4)
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        rss[k] = float(np.sum((y - X @ coef) ** 2))
    return float(ALPHA_GRID[int(np.argmin(rss))]), rss


def collapse(structure: pd.DataFrame, rates: dict, *, n_boot: int = 200,
             seed: int = 0) -> pd.DataFrame:
    """The collapse exponent alpha of each signature over the duration study.

    Parameters
    ----------
    structure : DataFrame
    rates : dict
        From :func:`choose_rates`; two fits: the plastic rates (``<= plastic_max``) and
        every stable rate.
    n_boot : int
        Bootstrap resamples of seeds.
    seed : int

    Returns
    -------
    DataFrame
        ``signature``, ``range``, ``alpha``, ``ci_low``, ``ci_high``, ``rss_alpha``,
        ``rss_r`` (alpha = 0), ``rss_rT`` (alpha = 1), ``n_points``, ``n_seeds``,
        ``n_rates``, ``n_boot``, ``grid_low``/``grid_high`` (the searched alpha range: an
        interval bound there is cut by the grid).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rows = []
    >>> for s in range(6):
    ...     for r in (0.1, 0.3, 1.0, 3.0):
    ...         for T in (2000, 6000, 18000, 54000):
    ...             x = np.log10(r) + 0.5 * np.log10(T)
    ...             rows.append({"study": "duration", "graph": "trained", "step": T,
    ...                          "variant": "abs_modularity", "status": "ok",
    ...                          "learning_rate": r, "seed": s,
    ...                          "ev_q": np.tanh(x - 2) + 0.01 * rng.normal()})
    >>> c = collapse(pd.DataFrame(rows), {"high": 3.0}, n_boot=50)
    >>> row = c[(c.signature == "q") & (c.range == "plastic")].iloc[0]
    >>> bool(row.ci_low <= 0.5 <= row.ci_high)
    True
    """
    if structure.empty:
        return pd.DataFrame()
    d = structure[(structure["study"] == "duration") & (structure["graph"] == "trained")
                  & (structure["variant"] == "abs_modularity")
                  & (structure["status"] == "ok") & (structure["step"] > 0)].copy()
    if d.empty:
        return pd.DataFrame()
    if "offdiag_index" in d:
        d["log_offdiag"] = _log_offdiag(d["offdiag_index"])
    rng = np.random.default_rng(seed)
    rows = []
    ranges = {"all stable": d}
    top = rates.get("plastic_max", rates.get("high", np.nan))
    if np.isfinite(top):
        ranges = {"plastic": d[d["learning_rate"] <= top * 1.0001], **ranges}
    for label, sub in ranges.items():
        for sig, (col, _what) in SIGNATURE_COLUMNS.items():
            if col not in sub:
                continue
            s = sub.dropna(subset=[col])
            if s["learning_rate"].nunique() < 2 or s["step"].nunique() < 2 or len(s) < 8:
                continue
            xr = np.log10(s["learning_rate"].to_numpy(float))
            xt = np.log10(s["step"].to_numpy(float))
            y = s[col].to_numpy(float)
            alpha, rss = _collapse_alpha(xr, xt, y)
            seeds = s["seed"].to_numpy()
            uniq = np.unique(seeds)
            boots = []
            for _ in range(n_boot):
                pick = rng.choice(uniq, size=uniq.size, replace=True)
                idx = np.concatenate([np.flatnonzero(seeds == k) for k in pick])
                boots.append(_collapse_alpha(xr[idx], xt[idx], y[idx])[0])
            lo, hi = np.percentile(boots, [2.5, 97.5])
            rows.append({"signature": sig, "range": label, "alpha": alpha,
                         "ci_low": float(lo), "ci_high": float(hi),
                         "rss_alpha": float(rss.min()),
                         "rss_r": float(rss[np.argmin(np.abs(ALPHA_GRID))]),
                         "rss_rT": float(rss[np.argmin(np.abs(ALPHA_GRID - 1))]),
                         "n_points": len(s), "n_seeds": int(uniq.size),
                         "n_rates": int(s["learning_rate"].nunique()), "n_boot": n_boot,
                         "grid_low": float(ALPHA_GRID[0]), "grid_high": float(ALPHA_GRID[-1])})
    return pd.DataFrame(rows)


def bimodality_coefficient(x: np.ndarray) -> float:
    """Sarle's bimodality coefficient ``(g^2 + 1) / (k + 3 (n-1)^2 / ((n-2)(n-3)))`` with
    sample skewness g and excess kurtosis k (bias-corrected); above 5/9 (0.555) the
    sample is more bimodal than a uniform distribution.

    Examples
    --------
    >>> x = np.r_[np.zeros(10), np.ones(10)] + np.linspace(0, 0.01, 20)
    >>> bimodality_coefficient(x) > 5 / 9
    True
    >>> bimodality_coefficient(np.random.default_rng(0).normal(size=200)) < 5 / 9
    True
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n < 4 or np.ptp(x) == 0:
        return float("nan")
    g = sps.skew(x, bias=False)
    k = sps.kurtosis(x, bias=False)
    return float((g ** 2 + 1) / (k + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))))


def bimodality(structure: pd.DataFrame) -> pd.DataFrame:
    """Per rate at the reference cell and signature: the bimodality coefficient over
    seeds and how the seeds split on beating the init-pruned null.

    Returns
    -------
    DataFrame
        ``learning_rate``, ``signature``, ``n``, ``bimodality`` (Sarle), ``beat``,
        ``split`` (both outcomes in at least 20% of the seeds).

    Examples
    --------
    >>> bimodality(pd.DataFrame()).empty
    True
    """
    fin = _reference(final_runs(structure))
    if fin.empty:
        return pd.DataFrame()
    fin = fin[fin["status"] == "ok"]
    rows = []
    for lr, g in fin.groupby("learning_rate"):
        for sig in SIGNATURES:
            col = f"ev_{sig}"
            if col not in g:
                continue
            x = g[col].to_numpy(float)
            z, p = g.get(f"ev_{sig}_z_init-pruned"), g.get(f"ev_{sig}_p_init-pruned")
            beat = int(((p <= P_MAX) & (z >= Z_MIN)).sum()) if z is not None else 0
            n = int(np.isfinite(x).sum())
            rows.append({"learning_rate": float(lr), "signature": sig, "n": n,
                         "bimodality": bimodality_coefficient(x), "beat": beat,
                         "split": bool(n and 0.2 <= beat / n <= 0.8)})
    return pd.DataFrame(rows)


def _paired(a: pd.DataFrame, b: pd.DataFrame, col: str) -> dict:
    m = a[["seed", col]].merge(b[["seed", col]], on="seed").dropna()
    if len(m) < 2:
        return {"n_pairs": len(m), "mean_a": np.nan, "mean_b": np.nan, "diff": np.nan,
                "ci_low": np.nan, "ci_high": np.nan, "p_paired": np.nan}
    d = m[f"{col}_y"].to_numpy(float) - m[f"{col}_x"].to_numpy(float)
    se = d.std(ddof=1) / np.sqrt(d.size)
    t = sps.t.ppf(0.975, d.size - 1)
    p = float(sps.ttest_1samp(d, 0.0).pvalue) if se > 0 else (0.0 if d.mean() else np.nan)
    return {"n_pairs": len(m), "mean_a": float(m[f"{col}_x"].mean()),
            "mean_b": float(m[f"{col}_y"].mean()), "diff": float(d.mean()),
            "ci_low": float(d.mean() - t * se), "ci_high": float(d.mean() + t * se),
            "p_paired": p}


#: the development comparisons: (schedule group, comparison group)
DEVELOPMENT_PAIRS = (("schedule_1", "constant_low"), ("schedule_0.316", "constant_low"),
                     ("schedule_1", "constant_1"), ("schedule_0.316", "constant_0.316"),
                     ("runaway_schedule", "constant_low"))


def development(structure: pd.DataFrame, balance: pd.DataFrame | None = None) -> pd.DataFrame:
    """End states of the development study's schedules against constant rates (paired by
    seed: the same seed starts from the same weights), and each schedule's early (first
    snapshot) against its end.

    Returns
    -------
    DataFrame
        ``comparison``, ``group_a``, ``group_b``, ``signature`` and the paired
        difference (b minus a) with its 95% t interval and p.

    Examples
    --------
    >>> development(pd.DataFrame()).empty
    True
    """
    if structure.empty:
        return pd.DataFrame()
    d = structure[(structure["study"] == "development") & (structure["graph"] == "trained")
                  & (structure["variant"] == "abs_modularity") & (structure["status"] == "ok")
                  & (structure["step"] > 0)].copy()
    if d.empty:
        return d
    d["log_offdiag"] = _log_offdiag(d["offdiag_index"])
    if balance is not None and len(balance):
        d = d.merge(balance[["run_id", "step", "balance_mean"]], on=["run_id", "step"],
                    how="left")
    cols = {**{k: v[0] for k, v in SIGNATURE_COLUMNS.items()}, "isolated": "ev_isolated_fraction",
            "saturated": "ev_saturated_fraction", "balance_mean": "balance_mean"}
    end = d[d["is_final"]]
    rows = []
    for ga, gb in DEVELOPMENT_PAIRS:
        a, b = end[end["group"] == gb], end[end["group"] == ga]
        for sig, col in cols.items():
            if col in end and len(a) and len(b):
                rows.append({"comparison": f"{ga} end vs {gb} end", "group_a": gb,
                             "group_b": ga, "signature": sig, **_paired(a, b, col)})
    for g, sub in d.groupby("group"):
        first = sub[sub["step"] == sub["step"].min()]
        last = sub[sub["is_final"]]
        for sig, col in cols.items():
            if col in sub:
                rows.append({"comparison": f"{g}: early vs end", "group_a": f"{g} early",
                             "group_b": f"{g} end", "signature": sig,
                             **_paired(first, last, col)})
    return pd.DataFrame(rows)


def timescales(structure: pd.DataFrame) -> pd.DataFrame:
    """Settled against one-step mode at each rate: runs, unstable runs and every
    signature (Welch, b = settled minus a = one-step).

    Examples
    --------
    >>> timescales(pd.DataFrame()).empty
    True
    """
    fin = final_runs(structure, "timescales")
    if fin.empty:
        return pd.DataFrame()
    rows = []
    for lr, g in fin.groupby("learning_rate"):
        one, st = g[g["group"] == "one-step"], g[g["group"] == "settled"]
        base = {"learning_rate": float(lr), "runs_one_step": len(one),
                "unstable_one_step": int((one["status"] != "ok").sum()),
                "runs_settled": len(st), "unstable_settled": int((st["status"] != "ok").sum())}
        one, st = one[one["status"] == "ok"], st[st["status"] == "ok"]
        for sig, (col, _w) in SIGNATURE_COLUMNS.items():
            a, b = one[col].dropna().to_numpy(float), st[col].dropna().to_numpy(float)
            res = stats.compare(a, b, n_perm=1000, n_boot=1000) if len(a) > 1 and len(b) > 1 \
                else {}
            rows.append({**base, "signature": sig, "one_step": res.get("mean_a", np.nan),
                         "settled": res.get("mean_b", np.nan), "diff": res.get("diff", np.nan),
                         "p_welch": res.get("p_welch", np.nan)})
    return pd.DataFrame(rows)


def sensitivity(structure: pd.DataFrame, rates: dict) -> pd.DataFrame:
    """The low-versus-plastic-high contrast under every unstated choice: the sensitivity
    study's groups (activation, initial scale, pruning reading, clamped fraction) and the
    re-analyses of the reference cell (signed, symmetrised weights; other resolutions).

    Returns
    -------
    DataFrame
        ``choice``, ``comparison``, ``signature`` and the columns of
        :func:`community.stats.compare`, with ``direction`` ("as predicted", "reversed"
        or "not detected") from the sign of the difference and Welch p < 0.05.

    Examples
    --------
    >>> sensitivity(pd.DataFrame(), {"low": 0.1, "high": 1.0, "runaway": 10.0}).empty
    True
    """
    if structure.empty:
        return pd.DataFrame()
    rows = []
    sens = contrasts(structure, rates, study="sensitivity", group_keys=("group",))
    if len(sens):
        rows.append(sens.rename(columns={"group": "choice"}))
    ref = structure[(structure["study"] == "phase") & np.isclose(structure["prune"], 0.9)
                    & np.isclose(structure["sigma"], 0.1) & (structure["graph"] == "trained")
                    & structure["is_final"] & (structure["status"] == "ok")]
    for variant, g in ref.groupby("variant"):
        if variant == "abs_modularity":
            continue
        for label, rb in (("low vs high", rates["high"]), ("low vs runaway", rates["runaway"])):
            if not np.isfinite(rb):
                continue
            a = g[np.isclose(g["learning_rate"], rates["low"])]
            b = g[np.isclose(g["learning_rate"], rb)]
            for sig, col in (("q", "modularity"), ("log_offdiag", "offdiag_index")):
                x = a[col] if sig == "q" else _log_offdiag(a[col])
                y = b[col] if sig == "q" else _log_offdiag(b[col])
                x, y = x.dropna().to_numpy(float), y.dropna().to_numpy(float)
                if len(x) > 1 and len(y) > 1:
                    rows.append(pd.DataFrame([{"choice": f"analysis: {variant}",
                                               "comparison": label, "r_a": rates["low"],
                                               "r_b": rb, "signature": sig,
                                               **stats.compare(x, y, n_perm=2000)}]))
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True)
    pred = out["signature"].map(PREDICTED).fillna(0)
    sign = np.sign(out["diff"])
    sig_ = out["p_welch"] < 0.05
    out["direction"] = np.where(~sig_ | (pred == 0), "not detected",
                                np.where(sign == pred, "as predicted", "reversed"))
    out.loc[sig_ & (pred == 0), "direction"] = "changed"
    return out
