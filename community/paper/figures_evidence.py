"""Figures of the reproduction's evidence: the Fig. 4 matrices at the data-chosen rates, the
signatures against their nulls, the plasticity criteria, r against r x T, and the pooled model.

Every function takes the tables written by :func:`community.paper.analyse.analyse_studies`
(name -> DataFrame, plus ``"fig4"``: the arrays of ``fig4_matrices.npz``; see
:func:`community.paper.report.read_paper_tables`) and an output directory, writes one PNG
atomically (:func:`community.paper.figures_phase.save_png`) and returns its path, or None
when the tables it needs are missing or empty. The figures draw what the tables of
:mod:`community.paper.inference` hold; they compute nothing beyond selecting rows and
averaging them over seeds (means with 95% t-intervals).

The rates of the contrast (low, plastic high, runaway) are those of the ``rates`` table
(:func:`community.paper.figures_phase.contrast_rates`).
"""

from __future__ import annotations

import tempfile  # noqa: F401 -- the docstring examples use it
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from community.paper.analyse import REFERENCE_CELL
from community.paper.figures_phase import (
    RATE_LABELS,
    _frame,
    _no_data,
    _rate_lines,
    _select,
    contrast_rates,
    draw_each,
    save_png,
)
from community.paper.inference import (
    NULL_MODELS,
    PLASTIC_ISOLATED_MAX,
    PLASTIC_MOVING_MIN,
    PLASTIC_SATURATED_MAX,
    SIGNATURE_COLUMNS,
)
from community.plot_matrices import panel_figure, weight_heatmap

__all__ = ["TAGS", "key_figure", "signatures", "plasticity", "collapse", "pooled",
           "draw_all", "mean_ci"]

#: the columns of the key figure: the rates of the contrast, in the ``fig4`` arrays' tags
TAGS = ("low", "high", "runaway")
#: the signatures drawn against the nulls, in panel order
_EV_SIGNATURES = ("q", "ba", "bd", "hub")
#: the signatures of the collapse figure
_COLLAPSE_SIGNATURES = ("q", "bd", "hub")
_NULL_STYLE = {"init-pruned": "0.45", "shuffle": "C3", "rewire": "C2"}
_NULL_LABELS = {"init-pruned": "null: initial W pruned", "shuffle": "null: weights shuffled",
                "rewire": "null: synapses rewired"}


def _signature_label(sig: str) -> str:
    return SIGNATURE_COLUMNS[sig][1] if sig in SIGNATURE_COLUMNS else sig


def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of the finite values and its two-sided t-interval.

    Parameters
    ----------
    values : array_like of float
    level : float

    Returns
    -------
    tuple of float
        ``(mean, low, high)``; the interval is NaN under two values, the mean under one.

    Examples
    --------
    >>> [round(v, 3) for v in mean_ci([1.0, 2.0, 3.0])]
    [2.0, -0.484, 4.484]
    >>> mean_ci([np.nan, 5.0])
    (5.0, nan, nan)
    """
    from scipy import stats as sps

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, float("nan"), float("nan")
    half = float(sps.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def _by_rate(df: pd.DataFrame, col: str, x: str = "learning_rate") -> pd.DataFrame:
    """Mean and 95% t-interval of ``col`` over the rows (seeds) of each ``x``, sorted."""
    rows = []
    if col in df and x in df:
        for v, g in df.groupby(x):
            m, lo, hi = mean_ci(g[col])
            if np.isfinite(m):
                rows.append({x: float(v), "mean": m, "ci_low": lo, "ci_high": hi,
                             "n": int(np.isfinite(g[col].to_numpy(float)).sum())})
    return pd.DataFrame(rows, columns=[x, "mean", "ci_low", "ci_high", "n"])


def _finish(ax: Any, *, xlabel: str, ylabel: str, title: str, logx: bool = True) -> None:
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(title, fontsize=8.5)


# --------------------------------------------------------------------------- key figure


def _scalar(mats: Mapping[str, Any], key: str) -> float:
    v = mats.get(key)
    try:
        return float(np.asarray(v, dtype=float)) if v is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def _log_norm(*mats: np.ndarray) -> Any:
    """A log colour scale over the non-zero |w| of the matrices: 1st percentile to max."""
    from matplotlib.colors import LogNorm

    nz = np.concatenate([np.abs(m[np.isfinite(m)]).ravel() for m in mats])
    nz = nz[nz > 0]
    if nz.size == 0:
        return LogNorm(1e-3, 1.0)
    lo, hi = float(np.percentile(nz, 1)), float(nz.max())
    return LogNorm(lo, hi if hi > lo else lo * 10)


def _matrix_panel(ax: Any, A: np.ndarray, m: np.ndarray, norm: Any, title: str) -> Any:
    """|A| ordered by ``m`` (block boundaries drawn) on the log scale ``norm``, zeros white."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    weight_heatmap(A, m, ax=ax, colorbar=False, absolute=True, group_singletons=True,
                   title=title)
    im = ax.images[0]
    # the palest reds left out, so the weakest synapse stays distinct from white (none)
    reds = ListedColormap(colormaps["Reds"](np.linspace(0.15, 1.0, 256)), name="Reds_from15")
    im.set_cmap(reds.with_extremes(bad="white"))
    im.set_norm(norm)
    ax.set_title(title, fontsize=7.5)
    ax.xaxis.label.set_fontsize(7)
    ax.yaxis.label.set_fontsize(7)
    return im


def _blocks_text(m: np.ndarray, noun: str = "blocks") -> str:
    labels, sizes = np.unique(m, return_counts=True)
    single = int(sizes[sizes == 1].sum())
    tail = f", {single} singletons (last block)" if single > 1 else ""
    return f"{labels.size} {noun}{tail}"


def key_figure(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """The Fig. 4 comparison: |W| at the low, plastic-high and runaway rates (columns),
    ordered by the block model's partition, by Leiden, and the init-pruned null by its own
    Leiden partition (rows).

    Log colour scale of |w| per column (shared by its three panels; zeros white); the
    partitions and modularity come from the tables (nothing is computed here).

    Parameters
    ----------
    tables : mapping
        Needs ``"fig4"``: a mapping of the arrays of ``fig4_matrices.npz``, per tag in
        :data:`TAGS` ``{tag}_trained``, ``{tag}_null_initial`` and ``{tag}_membership``,
        with ``{tag}_membership_sbm``, ``{tag}_null_membership``, ``{tag}_q_trained``,
        ``{tag}_q_null`` and ``{tag}_learning_rate`` where measured (a missing block-model
        partition leaves its panel empty, a missing null partition draws the null as one
        block, a missing Q reads n/a). Any tag may be missing.
    out_dir : Path

    Returns
    -------
    Path or None
        ``key_figure.png``; None without matrices.

    Examples
    --------
    >>> key_figure({"fig4": {}}, Path(tempfile.mkdtemp())) is None
    True
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    mats = tables.get("fig4") if isinstance(tables, Mapping) else None
    if not isinstance(mats, Mapping):
        return None
    tags = [t for t in TAGS if {f"{t}_trained", f"{t}_null_initial", f"{t}_membership"}
            <= set(mats)]
    if not tags:
        return None
    rates = contrast_rates(tables)
    p, sigma = REFERENCE_CELL
    ncols = len(tags)
    fig, axes = panel_figure(3 * ncols, ncols=ncols, panel_size=(4.3, 4.3))
    for j, tag in enumerate(tags):
        lr = _scalar(mats, f"{tag}_learning_rate")
        lr = lr if np.isfinite(lr) else rates.get(tag, float("nan"))
        head = f"r = {lr:g} ({RATE_LABELS.get(tag, tag)})"
        W = np.abs(np.asarray(mats[f"{tag}_trained"], dtype=float))
        W0 = np.abs(np.asarray(mats[f"{tag}_null_initial"], dtype=float))
        norm = _log_norm(W, W0)
        m = np.asarray(mats[f"{tag}_membership"])
        m0 = mats.get(f"{tag}_null_membership")
        m0 = np.zeros(W0.shape[0], dtype=int) if m0 is None else np.asarray(m0)
        sbm = mats.get(f"{tag}_membership_sbm")
        q, q0 = _scalar(mats, f"{tag}_q_trained"), _scalar(mats, f"{tag}_q_null")

        def qtext(v: float) -> str:
            return f"{v:.3f}" if np.isfinite(v) else "n/a"

        ax = axes[j]
        if sbm is None:
            _no_data(ax, "block-model partition")
            ax.set_title(f"{head}\ntrained |W|, block model", fontsize=7.5)
        else:
            sbm = np.asarray(sbm)
            _matrix_panel(ax, W, sbm, norm, f"{head}\ntrained |W| ordered by the block "
                          f"model: {_blocks_text(sbm)}")
        im = _matrix_panel(axes[ncols + j], W, m, norm,
                           f"{head}\ntrained |W| ordered by Leiden, Q = {qtext(q)}\n"
                           f"{_blocks_text(m, 'communities')}")
        _matrix_panel(axes[2 * ncols + j], W0, m0, norm,
                      f"{head}\nnull: initial |W| pruned, own Leiden, Q = {qtext(q0)}\n"
                      f"{_blocks_text(m0, 'communities')}")
        cb = fig.colorbar(im, ax=[axes[j], axes[ncols + j], axes[2 * ncols + j]],
                          location="bottom", shrink=0.8, pad=0.02,
                          label="|w| (log scale, this column; white: no synapse)")
        cb.ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        cb.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.3g}"))
        cb.ax.xaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(f"Fig. 4 at p = {p:g}, σ = {sigma:g}, seed 0: |W| ordered by the block model "
                 "(top) and by Leiden (middle),\nbeside the initial weights pruned to the same "
                 "density (bottom)", fontsize=10)
    return save_png(fig, out_dir, "key_figure.png")


# --------------------------------------------------------------------------- signatures


def _phase_reference(tables: Mapping[str, Any]) -> pd.DataFrame:
    st = _frame(tables, "structure")
    p, s = REFERENCE_CELL
    st = _select(st, study="phase", graph="trained", variant="abs_modularity", status="ok",
                 prune=float(p), sigma=float(s))
    if st.empty or "is_final" not in st or "learning_rate" not in st:
        return st.iloc[0:0]
    st = st[st["is_final"].astype(bool)]
    return st[pd.to_numeric(st["learning_rate"], errors="coerce") > 0]


def signatures(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Each signature of the trained weights vs r at the reference cell, beside the mean of
    each null model.

    Mean and 95% t-interval over seeds of the trained value; dashed, the mean over seeds of
    each null's mean over its draws (``ev_{sig}_null_mean_{null}``); dotted verticals, the
    contrast's rates.

    Parameters
    ----------
    tables : mapping
        Needs ``structure`` (final trained snapshots of study ``phase`` at
        :data:`~community.paper.analyse.REFERENCE_CELL`, variant ``abs_modularity``,
        status ``ok``); ``rates`` for the marks.
    out_dir : Path

    Returns
    -------
    Path or None
        ``signatures.png``; None without data.

    Examples
    --------
    >>> signatures({"structure": pd.DataFrame()}, Path(tempfile.mkdtemp())) is None
    True
    """
    st = _phase_reference(tables)
    sigs = [s for s in _EV_SIGNATURES if f"ev_{s}" in st and st[f"ev_{s}"].notna().any()]
    if not sigs:
        return None
    rates = contrast_rates(tables)
    fig, axes = panel_figure(len(sigs), ncols=2, panel_size=(4.6, 3.6))
    for ax, sig in zip(axes, sigs, strict=True):
        tr = _by_rate(st, f"ev_{sig}")
        x = tr["learning_rate"].to_numpy(float)
        ax.plot(x, tr["mean"], color="C0", marker="o", ms=3.5, lw=1.4,
                label="trained W (mean over seeds)")
        ax.fill_between(x, tr["ci_low"].to_numpy(float), tr["ci_high"].to_numpy(float),
                        color="C0", alpha=0.18, lw=0, label="95% t-interval")
        for null in NULL_MODELS:
            nm = _by_rate(st, f"ev_{sig}_null_mean_{null}")
            if len(nm):
                ax.plot(nm["learning_rate"], nm["mean"], color=_NULL_STYLE.get(null, "0.3"),
                        ls="--", lw=1.0, marker=".", ms=3,
                        label=_NULL_LABELS.get(null, null) + " (mean)")
        _rate_lines(ax, rates, label=True)
        _finish(ax, xlabel="learning rate r", ylabel=_signature_label(sig),
                title=f"{_signature_label(sig)} vs r")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=7, frameon=False)
    p, s = REFERENCE_CELL
    fig.suptitle(f"Signatures against the nulls at p = {p:g}, σ = {s:g} (trained: mean, 95% "
                 "t-interval over seeds; dashed: each null's mean)", fontsize=10)
    return save_png(fig, out_dir, "signatures.png")


# --------------------------------------------------------------------------- plasticity


def plasticity(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """The plastic-high criteria vs r, and the weights' growth during the duration runs.

    Panels: isolated and saturated fraction of neurons, share of synapses still moving
    (with the :data:`~community.paper.inference.PLASTIC_MOVING_MIN` threshold), weight
    growth (log y) vs r, all medians over seeds from ``plasticity`` (filled markers: rates
    that pass every criterion); and the median over seeds of max |w| vs iteration per rate
    (study ``duration`` of ``dynamics``).

    Parameters
    ----------
    tables : mapping
        ``plasticity`` and/or ``dynamics``; ``rates`` for the marks.
    out_dir : Path

    Returns
    -------
    Path or None
        ``plasticity.png``; None when both tables are missing or empty.

    Examples
    --------
    >>> plasticity({}, Path(tempfile.mkdtemp())) is None
    True
    """
    pl = _frame(tables, "plasticity")
    if not pl.empty and "learning_rate" in pl:
        pl = pl[pd.to_numeric(pl["learning_rate"], errors="coerce") > 0]
        pl = pl.sort_values("learning_rate")
    else:
        pl = pl.iloc[0:0]
    dyn = _select(_frame(tables, "dynamics"), study="duration")
    need = {"learning_rate", "seed", "iteration", "weight_abs_max"}
    dyn = dyn if need <= set(dyn.columns) else dyn.iloc[0:0]
    if pl.empty and dyn.empty:
        return None
    rates = contrast_rates(tables)
    fig, axes = panel_figure(4, ncols=2, panel_size=(4.6, 3.5))
    x = pl["learning_rate"].to_numpy(float) if len(pl) else np.array([])
    plastic = (pl["plastic"].fillna(False).astype(bool).to_numpy() if "plastic" in pl
               else np.zeros(len(pl), dtype=bool))

    def series(ax: Any, col: str, label: str, color: str) -> bool:
        if col not in pl or not pl[col].notna().any():
            return False
        y = pl[col].to_numpy(float)
        ax.plot(x, y, color=color, lw=1.2, label=label)
        ax.plot(x[plastic], y[plastic], "o", color=color, ms=4)
        ax.plot(x[~plastic], y[~plastic], "o", mfc="white", mec=color, ms=4)
        return True

    ax = axes[0]
    drawn = series(ax, "isolated", "isolated neurons", "C0")
    drawn |= series(ax, "saturated", "saturated neurons (f < 1e-3)", "C1")
    if drawn:
        for thr, col in ((PLASTIC_ISOLATED_MAX, "C0"), (PLASTIC_SATURATED_MAX, "C1")):
            ax.axhline(thr, color=col, ls="--", lw=0.8, alpha=0.7)
        _rate_lines(ax, rates, label=True)
        _finish(ax, xlabel="learning rate r", ylabel="fraction of neurons (median over seeds)",
                title=f"isolated and saturated neurons (criteria ≤ {PLASTIC_ISOLATED_MAX:g}, "
                      f"≤ {PLASTIC_SATURATED_MAX:g})")
        ax.legend(fontsize=6.5, frameon=False)
    else:
        _no_data(ax, "isolated / saturated (plasticity)")
    ax = axes[1]
    if series(ax, "moving_share", "moving share", "C2"):
        ax.axhline(PLASTIC_MOVING_MIN, color="0.3", ls="--", lw=0.9,
                   label=f"criterion ≥ {PLASTIC_MOVING_MIN:g}")
        _rate_lines(ax, rates, label=True)
        _finish(ax, xlabel="learning rate r",
                ylabel="share of synapses moving >1%\n(iterations 4,000-6,000; median)",
                title="synapses still changing")
        ax.legend(fontsize=6.5, frameon=False)
    else:
        _no_data(ax, "moving share (plasticity)")
    ax = axes[2]
    if series(ax, "weight_growth", "max |w| / initial max |w|", "C3"):
        ax.set_yscale("log")
        _rate_lines(ax, rates, label=True)
        _finish(ax, xlabel="learning rate r", ylabel="weight growth (median over seeds)",
                title="growth of the largest weight")
    else:
        _no_data(ax, "weight growth (plasticity)")
    ax = axes[3]
    if not dyn.empty:
        from matplotlib import colormaps

        lrs = sorted(float(v) for v in dyn["learning_rate"].unique())
        cmap = colormaps["plasma"]
        for k, lr in enumerate(lrs):
            d = dyn[np.isclose(dyn["learning_rate"], lr)]
            med = d.groupby("iteration")["weight_abs_max"].median().sort_index()
            med = med[med > 0]
            ax.plot(med.index.to_numpy(float), med.to_numpy(float), lw=1.2,
                    color=cmap(0.85 * k / max(len(lrs) - 1, 1)), label=f"r = {lr:g}")
        ax.set_yscale("log")
        _finish(ax, xlabel="iteration", ylabel="max |w| (median over seeds)",
                title="weights during the duration runs", logx=False)
        ax.legend(fontsize=6.5, frameon=False, ncols=2)
    else:
        _no_data(ax, "dynamics of the duration study")
    p, s = REFERENCE_CELL
    fig.suptitle(f"Is the network still plastic? Criteria of the plastic-high rate at p = {p:g}, "
                 f"σ = {s:g} (filled: every criterion met)", fontsize=10)
    return save_png(fig, out_dir, "plasticity.png")


# --------------------------------------------------------------------------- collapse


def _duration_means(tables: Mapping[str, Any]) -> pd.DataFrame:
    """Mean over seeds per (r, T) of the collapse signatures in the duration study."""
    st = _select(_frame(tables, "structure"), study="duration", graph="trained",
                 variant="abs_modularity", status="ok")
    cols = [f"ev_{s}" for s in _COLLAPSE_SIGNATURES if f"ev_{s}" in st]
    if st.empty or not cols or not {"step", "learning_rate"} <= set(st.columns):
        return pd.DataFrame()
    st = st[(st["step"] > 0) & (st["learning_rate"] > 0)]
    if st.empty:
        return pd.DataFrame()
    return st.groupby(["learning_rate", "step"], as_index=False)[cols].mean()


def collapse(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """r against r x T: each signature vs log10 r per duration T, and vs
    ``log10 r + alpha log10 T`` with the alpha of the ``collapse`` table.

    Left: mean over seeds per (r, T), one line per T. Right: the same points against the
    collapsed axis, with the alpha (and its bootstrap interval) of the first range listed
    for that signature in ``collapse``; curves that fall on one line collapse.

    Parameters
    ----------
    tables : mapping
        Needs ``structure`` rows of study ``duration`` (trained, ``abs_modularity``,
        status ``ok``, step > 0); ``collapse`` for the right column.
    out_dir : Path

    Returns
    -------
    Path or None
        ``collapse.png``; None without duration rows.

    Examples
    --------
    >>> collapse({}, Path(tempfile.mkdtemp())) is None
    True
    """
    d = _duration_means(tables)
    sigs = [s for s in _COLLAPSE_SIGNATURES if f"ev_{s}" in d and d[f"ev_{s}"].notna().any()]
    if not sigs:
        return None
    from matplotlib import colormaps

    fits = _frame(tables, "collapse")
    steps = sorted(float(v) for v in d["step"].unique())
    cmap = colormaps["viridis"]
    colour = {t: cmap(0.9 * k / max(len(steps) - 1, 1)) for k, t in enumerate(steps)}
    fig, axes = panel_figure(2 * len(sigs), ncols=2, panel_size=(4.6, 3.4))
    for i, sig in enumerate(sigs):
        col = f"ev_{sig}"
        left, right = axes[2 * i], axes[2 * i + 1]
        fit = _select(fits, signature=sig)
        fit = fit[np.isfinite(pd.to_numeric(fit["alpha"], errors="coerce"))] \
            if "alpha" in fit else fit.iloc[0:0]
        row = fit.iloc[0] if len(fit) else None
        for t in steps:
            g = d[np.isclose(d["step"], t)].dropna(subset=[col]).sort_values("learning_rate")
            if g.empty:
                continue
            xr = np.log10(g["learning_rate"].to_numpy(float))
            y = g[col].to_numpy(float)
            left.plot(xr, y, marker="o", ms=3, lw=1.2, color=colour[t], label=f"T = {t:g}")
            if row is not None:
                xc = xr + float(row["alpha"]) * np.log10(t)
                right.plot(xc, y, marker="o", ms=3, lw=1.2, color=colour[t])
        _finish(left, xlabel="log10 r", ylabel=_signature_label(sig),
                title=f"{_signature_label(sig)} vs r, per duration T", logx=False)
        left.legend(fontsize=6.5, frameon=False, title="T (iterations)", title_fontsize=6.5)
        if row is None:
            _no_data(right, f"collapse fit of {sig}")
            continue
        ci = (f" [{float(row['ci_low']):.2f}, {float(row['ci_high']):.2f}]"
              if {"ci_low", "ci_high"} <= set(row.index) else "")
        span = f" ({row['range']} rates)" if "range" in row.index else ""
        _finish(right, xlabel=f"log10 r + α log10 T   (α = {float(row['alpha']):.2f})",
                ylabel=_signature_label(sig),
                title=f"collapsed: α = {float(row['alpha']):.2f}{ci}{span}", logx=False)
    fig.suptitle("Rate or rate × time? Duration study at the reference cell (mean over seeds; "
                 "α = 0: r alone sets the structure, α = 1: only r·T does)", fontsize=10)
    return save_png(fig, out_dir, "collapse.png")


# --------------------------------------------------------------------------- pooled model


def pooled(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """The pooled model's log10 r slope at each pruning fraction, per signature, with its
    95% interval (clustered by seed); filled markers where p < 0.05.

    Parameters
    ----------
    tables : mapping
        Needs ``pooled`` rows whose ``term`` starts with ``"slope at p="``.
    out_dir : Path

    Returns
    -------
    Path or None
        ``pooled.png``; None without such rows.

    Examples
    --------
    >>> pooled({"pooled": pd.DataFrame()}, Path(tempfile.mkdtemp())) is None
    True
    """
    pm = _frame(tables, "pooled")
    if pm.empty or not {"signature", "term", "coef"} <= set(pm.columns):
        return None
    pm = pm[pm["term"].astype(str).str.startswith("slope at p=")].copy()
    if "range" in pm and len(pm):  # one range per figure: the first (the plastic rates)
        pm = pm[pm["range"] == pm["range"].iloc[0]]
    if pm.empty:
        return None
    pm["prune"] = pd.to_numeric(pm["term"].str.removeprefix("slope at p="), errors="coerce")
    pm = pm.dropna(subset=["prune"]).sort_values("prune")
    present = list(dict.fromkeys(pm["signature"]))
    sigs = [s for s in SIGNATURE_COLUMNS if s in present] + [
        s for s in present if s not in SIGNATURE_COLUMNS]
    if not sigs:
        return None
    fig, axes = panel_figure(len(sigs), ncols=min(len(sigs), 3), panel_size=(4.2, 3.4))
    for ax, sig in zip(axes, sigs, strict=True):
        g = pm[pm["signature"] == sig]
        x, y = g["prune"].to_numpy(float), g["coef"].to_numpy(float)
        if {"ci_low", "ci_high"} <= set(g.columns):
            err = np.vstack([y - g["ci_low"].to_numpy(float), g["ci_high"].to_numpy(float) - y])
            ax.errorbar(x, y, yerr=np.abs(err), fmt="none", ecolor="C0", elinewidth=1.1,
                        capsize=3)
        sig_ = (g["p"].to_numpy(float) < 0.05) if "p" in g else np.zeros(len(g), dtype=bool)
        ax.plot(x, y, color="C0", lw=0.8)
        ax.plot(x[sig_], y[sig_], "o", color="C0", ms=5, label="p < 0.05")
        ax.plot(x[~sig_], y[~sig_], "o", mfc="white", mec="C0", ms=5, label="p ≥ 0.05")
        ax.axhline(0.0, color="0.4", lw=0.8)
        _finish(ax, xlabel="pruning fraction p", ylabel="d signature / d log10 r",
                title=f"{_signature_label(sig)}: log10 r slope", logx=False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    rates = f"the {pm['range'].iloc[0]} rates" if "range" in pm else "the fitted rates"
    fig.suptitle(f"Pooled model over the phase runs at {rates}: the log10 r slope at "
                 "each pruning fraction (95% interval, standard errors clustered by seed)",
                 fontsize=10)
    return save_png(fig, out_dir, "pooled.png")


# --------------------------------------------------------------------------- all


def draw_all(tables: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Draw every figure of this module that has data.

    Parameters
    ----------
    tables : mapping
        Table name -> DataFrame (and ``"fig4"``), as from
        :func:`community.paper.report.read_paper_tables`.
    out_dir : Path

    Returns
    -------
    dict
        Figure name (``key_figure``, ``signatures``, ``plasticity``, ``collapse``,
        ``pooled``) -> PNG path.

    Examples
    --------
    >>> draw_all({}, Path(tempfile.mkdtemp()))
    {}
    """
    return draw_each((key_figure, signatures, plasticity, collapse, pooled), tables, out_dir)
