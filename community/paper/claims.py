"""The paper's claims judged on the tables: verdicts with their evidence.

The Fig. 4 claim has two halves, tested separately in every (study, group, variant,
prune, sigma) cell between the low and the high learning rate
(:data:`community.paper.analyse.R_LOW`, :data:`~community.paper.analyse.R_HIGH`):

* **within**: the modularity Q of the Leiden partition (within-module weight fraction
  minus its strength-matched chance level, the standard measure of block-diagonal
  structure) is larger at low r;
* **across**: the off-diagonal-block index (``offdiag_index``) is larger at high r;

each a two-sided Welch t-test over seeds with Holm's correction over the cells of one
study and analysis variant (with 5 seeds per side the smallest possible two-sided
Mann--Whitney p is 2/252 = 0.008, which no cell could pass after correcting over 15
cells, so the rank test is reported beside it, uncorrected). The claim *holds* in a
cell when both halves are significant in the paper's direction **and** the trained
graph beats its weight-shuffled null (paired t-test over the runs, Holm) on the measure
that carries it (within at low r, across at high r); *mixed* when one half holds and
the other is significantly reversed; *reversed* when a half is significant the other
way and none the paper's way; *partial* when one half holds (or both, without beating
the null); *not significant* otherwise; *unstable* when the high rate diverges in every
seed. ``offdiag_index`` is compared on a log10 scale with infinite values capped (see
:func:`community.paper.analyse._contrasts`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["holm", "cell_verdicts", "VERDICTS"]

VERDICTS = ("holds", "partial", "mixed", "reversed", "not significant", "unstable",
            "no data")
ALPHA = 0.05
#: the measures carrying the two halves of the claim
WITHIN, ACROSS = "modularity", "offdiag_index"
_KEYS = ["study", "group", "variant", "prune", "sigma"]


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


def _pick(contrasts: pd.DataFrame, measure: str, comparison: str,
          lr: float | None = None) -> pd.DataFrame:
    sel = (contrasts["measure"] == measure) & (contrasts["comparison"] == comparison)
    if lr is not None:
        sel &= np.isclose(contrasts["learning_rate"], lr)
    cols = [*_KEYS, "mean_a", "mean_b", "diff", "p_welch", "p_mannwhitney", "hedges_g",
            "cliffs_delta", "p_paired"]
    return contrasts.loc[sel, [c for c in cols if c in contrasts.columns]]


def cell_verdicts(contrasts: pd.DataFrame, divergence: pd.DataFrame, *, r_low: float,
                  r_high: float) -> pd.DataFrame:
    """One verdict per cell on the low-vs-high claim (see the module docstring).

    Parameters
    ----------
    contrasts : DataFrame
        The ``contrasts`` table of :mod:`community.paper.analyse`.
    divergence : DataFrame
        The ``divergence`` table.
    r_low, r_high : float
        The two learning rates compared.

    Returns
    -------
    DataFrame
        Cell keys; ``within_low``, ``within_high``, ``p_within`` (Holm), ``g_within``;
        ``offdiag_low``, ``offdiag_high``, ``p_offdiag`` (Holm), ``g_offdiag``;
        ``p_within_vs_null`` and ``p_offdiag_vs_null`` (trained vs shuffled at the rate
        that carries each half, Holm); ``unstable_high`` (fraction of runs); ``verdict``.

    Examples
    --------
    >>> cell_verdicts(pd.DataFrame(columns=["study"]), pd.DataFrame(), r_low=0.1,
    ...               r_high=10.0).empty
    True
    """
    if contrasts.empty or "measure" not in contrasts:
        return pd.DataFrame()
    label = f"r={r_low:g} vs r={r_high:g}"
    w = _pick(contrasts, WITHIN, label).rename(columns={
        "mean_a": "within_low", "mean_b": "within_high", "p_welch": "p_within",
        "p_mannwhitney": "p_mw_within",
        "hedges_g": "g_within", "cliffs_delta": "delta_within", "diff": "diff_within"})
    o = _pick(contrasts, ACROSS, label).rename(columns={
        "mean_a": "offdiag_low", "mean_b": "offdiag_high", "p_welch": "p_offdiag",
        "p_mannwhitney": "p_mw_offdiag",
        "hedges_g": "g_offdiag", "cliffs_delta": "delta_offdiag", "diff": "diff_offdiag"})
    wn = _pick(contrasts, WITHIN, "null_shuffle vs trained", r_low)[
        [*_KEYS, "diff", "p_paired"]].rename(columns={
            "diff": "within_minus_null", "p_paired": "p_within_vs_null"})
    on = _pick(contrasts, ACROSS, "null_shuffle vs trained", r_high)[
        [*_KEYS, "diff", "p_paired"]].rename(columns={
            "diff": "offdiag_minus_null", "p_paired": "p_offdiag_vs_null"})
    cells = contrasts[_KEYS].drop_duplicates()
    out = cells.merge(w, on=_KEYS, how="left").merge(o, on=_KEYS, how="left")
    out = out.merge(wn, on=_KEYS, how="left").merge(on, on=_KEYS, how="left")
    if len(divergence):
        hi = divergence[np.isclose(divergence["learning_rate"], r_high)][
            ["study", "group", "prune", "sigma", "fraction_unstable"]].rename(
                columns={"fraction_unstable": "unstable_high"})
        out = out.merge(hi, on=["study", "group", "prune", "sigma"], how="left")
    else:
        out["unstable_high"] = np.nan
    for col in ("p_within", "p_offdiag", "p_within_vs_null", "p_offdiag_vs_null"):
        out[col] = out.groupby(["study", "variant"])[col].transform(
            lambda s: pd.Series(holm(s.to_numpy()), index=s.index))
    out["verdict"] = [_verdict(r) for r in out.itertuples(index=False)]
    return out.sort_values(_KEYS).reset_index(drop=True)


def _verdict(r) -> str:
    if getattr(r, "unstable_high", np.nan) == 1.0:
        return "unstable"
    if np.isnan(r.p_within) and np.isnan(r.p_offdiag):
        return "no data"
    within = r.p_within < ALPHA and r.diff_within < 0  # diff = high - low
    across = r.p_offdiag < ALPHA and r.diff_offdiag > 0
    rev = ((r.p_within < ALPHA and r.diff_within > 0)
           or (r.p_offdiag < ALPHA and r.diff_offdiag < 0))
    null_ok = (r.p_within_vs_null < ALPHA and r.within_minus_null > 0
               and r.p_offdiag_vs_null < ALPHA and r.offdiag_minus_null > 0)
    if within and across and null_ok:
        return "holds"
    if rev:
        return "mixed" if (within or across) else "reversed"
    if within or across:
        return "partial"
    return "not significant"
