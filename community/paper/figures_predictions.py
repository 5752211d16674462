"""Figures of the paper's predictions 1 and 2, drawn from the ``prediction*`` tables
(:func:`community.paper.predictions.prediction_tables`) only. Each function writes one PNG
atomically and returns its path, or None when its tables are missing or empty. The
network is the unit: every point of ``prediction1`` and ``prediction2`` is one network."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from community.paper.figures_phase import draw_each, save_png
from community.paper.figures_rules import _frame, _grid, _pairs, _rules, _style
from community.plot_matrices import panel_figure

__all__ = ["prediction1", "prediction1_bins", "prediction2", "draw_all", "RESIDUAL_FLOOR"]

#: the residual floor of prediction 2's log axis (exact zeros are drawn there)
RESIDUAL_FLOOR = 1e-17
_SOURCES = (("supervised", "supervised (partial on the sample)"),
            ("algorithm1", "Algorithm 1 (final state, no control)"))
_ROW = ["source", "study", "data", "graph", "rule", "condition", "learning_rate"]


def _label(r: Mapping[str, Any]) -> str:
    if r["source"] == "supervised":
        return f"{r['rule']}, {r['data']}/{r['graph']}"
    return f"{r['study']} {r['condition']}"


def prediction1(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Prediction 1 per network: the Spearman (partial) correlation of ``|c_i| sum_j
    |b_ij|`` with ``f(s_i)``, one point per network, and per row the mean over networks
    with its 95% t interval; rows with fewer than 3 networks are marked.

    Parameters
    ----------
    tables : mapping
        Needs ``prediction1_networks`` (``prediction1`` for the means and intervals).
    out_dir : Path

    Returns
    -------
    Path or None
        ``prediction1.png``; None without a finite statistic.

    Examples
    --------
    >>> import tempfile
    >>> prediction1({}, Path(tempfile.mkdtemp())) is None
    True
    """
    nets = _frame(tables, "prediction1_networks", {*_ROW, "partial_rho"})
    if nets.empty or not np.isfinite(nets["partial_rho"].to_numpy(float)).any():
        return None
    summ = _frame(tables, "prediction1", {*_ROW, "mean_partial_rho", "ci_low", "ci_high",
                                          "n_networks"})
    sources = [(s, t) for s, t in _SOURCES if (nets["source"] == s).any()]
    rows_per = [nets[nets["source"] == s][_ROW].drop_duplicates() for s, _ in sources]
    height = max(2.5, 0.32 * max(len(r) for r in rows_per) + 1.2)
    fig, axes = panel_figure(len(sources), ncols=len(sources), panel_size=(5.2, height))
    rng = np.random.default_rng(0)
    for ax, (_, title), rows in zip(axes, sources, rows_per, strict=True):
        rows = rows.sort_values(["study", "data", "graph", "rule", "learning_rate",
                                 "condition"]).reset_index(drop=True)
        labels = []
        for k, row in rows.iterrows():
            sel = np.ones(len(nets), bool)
            for c in _ROW:
                sel &= (nets[c] == row[c]).to_numpy() | (nets[c].isna() & pd.isna(row[c]))
            v = nets.loc[sel, "partial_rho"].to_numpy(float)
            v = v[np.isfinite(v)]
            st = _style(str(row["rule"]))
            y = -k + rng.uniform(-0.15, 0.15, v.size)
            ax.scatter(v, y, s=14, color=st["color"], marker=st["marker"], alpha=0.7, lw=0)
            n = v.size
            if not summ.empty:
                ss = np.ones(len(summ), bool)
                for c in _ROW:
                    ss &= (summ[c] == row[c]).to_numpy() | (summ[c].isna() & pd.isna(row[c]))
                if ss.any():
                    s = summ[ss].iloc[0]
                    m, lo, hi = (float(s[c]) for c in ("mean_partial_rho", "ci_low", "ci_high"))
                    if np.isfinite(lo) and np.isfinite(hi):
                        ax.errorbar([m], [-k + 0.3], xerr=[[m - lo], [hi - m]], fmt="D",
                                    color="k", ms=4, capsize=2, lw=1)
                    elif np.isfinite(m):
                        ax.plot([m], [-k + 0.3], "D", color="k", ms=4)
            labels.append(_label(row) + f"  (n={n}{', < 3' if n < 3 else ''})")
        ax.axvline(0, color="0.5", lw=0.8, ls="--")
        ax.set_yticks(-np.arange(len(rows)), labels, fontsize=6.5)
        ax.set_ylim(-len(rows) + 0.4, 0.8)
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("Spearman rho of |c_i| Σ_j |b_ij| with f(s_i), per network", fontsize=8)
        ax.set_title(title, fontsize=9)
    fig.suptitle("Prediction 1, network by network (points: networks; black: mean and 95% "
                 "t interval over networks)", fontsize=10)
    return save_png(fig, out_dir, "prediction1.png")


def prediction1_bins(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Binned ``|c_i| sum_j |b_ij|`` against ``f(s_i)``: per quantile bin of f, the median
    over networks of each network's median (line) and the range of those medians (band);
    one panel per (study, data, graph), a line per rule or condition.

    Parameters
    ----------
    tables : mapping
        Needs ``prediction1_bins``.
    out_dir : Path

    Returns
    -------
    Path or None
        ``prediction1_bins.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> prediction1_bins({}, Path(tempfile.mkdtemp())) is None
    True
    """
    b = _frame(tables, "prediction1_bins", {*_ROW, "bin", "balance_median", "carrier_median",
                                            "carrier_low", "carrier_high"})
    if b.empty:
        return None
    b = b[np.isfinite(b["carrier_median"].to_numpy(float))
          & np.isfinite(b["balance_median"].to_numpy(float))]
    if b.empty:
        return None
    panels = sorted({(str(s), str(d), str(g)) for s, d, g in
                     zip(b["study"], b["data"], b["graph"], strict=True)})
    fig, axes = _grid(len(panels), size=(4.4, 3.4))
    for ax, (study, d, g) in zip(axes, panels, strict=True):
        sub = b[(b["study"] == study) & (b["data"] == d) & (b["graph"] == g)]
        lines = sub[_ROW].drop_duplicates().sort_values(["rule", "learning_rate", "condition"])
        for k, (_, row) in enumerate(lines.iterrows()):
            r = sub[(sub["rule"] == row["rule"]) & (sub["condition"] == row["condition"])]
            r = r.sort_values("bin")
            supervised = row["source"] == "supervised"
            color = _style(str(row["rule"]))["color"] if supervised else f"C{k % 10}"
            label = str(row["rule"] if supervised else row["condition"])
            ax.plot(r["balance_median"], r["carrier_median"], marker="o", ms=3, lw=1,
                    color=color, label=label)
            ax.fill_between(r["balance_median"], r["carrier_low"], r["carrier_high"],
                            color=color, alpha=0.15, lw=0)
        pos = sub[["carrier_low", "carrier_median"]].to_numpy(float)
        if (pos[np.isfinite(pos)] > 0).all():
            ax.set_yscale("log")
        f = sub["balance_median"].to_numpy(float)
        xlabel = "balance value f(s_i) (bin median)"
        if (f > 0).any() and f[f > 0].min() < 1e-2:  # saturated neurons: f spans decades
            ax.set_xscale("symlog", linthresh=1e-4)
            ax.set_xlim(left=0)
            xlabel += ", symlog"
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel("|c_i| Σ_j |b_ij|\n(median over networks; band: range)", fontsize=8)
        ax.set_title(f"{study}: {d}, {g}", fontsize=9)
        ax.legend(fontsize=6, frameon=False)
    fig.suptitle("Carrier amplitude per unit balance against f (the part of prediction 1 "
                 "that is not the factor f)", fontsize=10)
    return save_png(fig, out_dir, "prediction1_bins.png")


def prediction2(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Prediction 2 per network: median and 99th-percentile tested |residual| of
    ``dw_ij w_ij = r x_j g_ji`` per rule (log scale, zeros drawn at the floor 1e-17),
    beside machine epsilon.

    Parameters
    ----------
    tables : mapping
        Needs ``prediction2_networks``.
    out_dir : Path

    Returns
    -------
    Path or None
        ``prediction2.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> prediction2({}, Path(tempfile.mkdtemp())) is None
    True
    """
    p2 = _frame(tables, "prediction2_networks", {"data", "graph", "rule",
                                                 "median_abs_residual", "q99_abs_residual"})
    if p2.empty:
        return None
    pairs = _pairs(p2)
    fig, axes = _grid(len(pairs), size=(4.2, 3.4))
    eps = float(np.finfo(float).eps)
    for ax, (d, g) in zip(axes, pairs, strict=True):
        sub = p2[(p2["data"] == d) & (p2["graph"] == g)]
        rules = _rules(sub)
        for k, rule in enumerate(rules):
            r = sub[sub["rule"] == rule]
            st = _style(rule)
            for col, mk, dx in (("median_abs_residual", "o", -0.12),
                                ("q99_abs_residual", "^", 0.12)):
                v = r[col].to_numpy(float)
                v = v[np.isfinite(v)]
                if not v.size:
                    continue
                x = k + dx + np.linspace(-0.05, 0.05, v.size)
                floor = v <= RESIDUAL_FLOOR
                ax.scatter(x, np.maximum(v, RESIDUAL_FLOOR), marker=mk, s=22,
                           edgecolors=st["color"], linewidths=1,
                           facecolors=np.where(floor, "none", st["color"]))
        for mk, lab, fc in (("o", "median (one per network)", "0.3"),
                            ("^", "99th percentile", "0.3"),
                            ("o", "hollow: ≤ floor (e.g. exactly 0)", "none")):
            ax.scatter([], [], marker=mk, s=22, facecolors=fc, edgecolors="0.3", label=lab)
        ax.axhline(eps, color="0.4", lw=0.8, ls="--", label=f"machine ε ({eps:.1e})")
        ax.set_yscale("log")
        ax.set_ylim(RESIDUAL_FLOOR / 3, 5.0)
        n = [int(np.isfinite(sub.loc[sub["rule"] == rule, "q99_abs_residual"]
                             .to_numpy(float)).sum()) for rule in rules]
        ax.set_xticks(range(len(rules)), [f"{rule} (n={k})" for rule, k in zip(rules, n,
                                                                              strict=True)],
                      rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("|relative residual| of Δw·w = r·x_j·g_ji\n(floored at 1e-17)",
                      fontsize=8)
        ax.set_title(f"{d}, {g} graph", fontsize=9)
        ax.legend(fontsize=6, frameon=False, loc="center left")
    fig.suptitle("Prediction 2 per network (balance rules: an identity, so an implementation "
                 "check; fa, sign-concordant: credit over B)", fontsize=9)
    return save_png(fig, out_dir, "prediction2.png")


def draw_all(tables: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Draw every figure of this module that has data.

    Parameters
    ----------
    tables : mapping
        Table name -> DataFrame.
    out_dir : Path

    Returns
    -------
    dict
        Figure name -> PNG path.

    Examples
    --------
    >>> import tempfile
    >>> draw_all({}, Path(tempfile.mkdtemp()))
    {}
    """
    return draw_each((prediction1, prediction1_bins, prediction2), tables, out_dir)
