"""Figures of the paper's predictions 1 and 2, drawn from the ``prediction*`` tables
(:mod:`community.paper.predictions`) only. Each function writes one PNG atomically and
returns its path, or None when its tables are missing or empty."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from community.paper.figures_phase import save_png
from community.paper.figures_rules import (
    _frame,
    _grid,
    _pairs,
    _rules,
    _style,
)

__all__ = ["prediction1", "prediction2", "draw_all", "RESIDUAL_FLOOR"]

#: the residual floor of prediction 2's log axis (exact zeros are drawn there)
RESIDUAL_FLOOR = 1e-17


def prediction1(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Prediction 1: retrograde amplitude vs balance value (log-log), binned median with
    interquartile range, and the fitted power law per rule.

    Parameters
    ----------
    tables : mapping
        Needs ``prediction1`` (``prediction1_fit`` for the fitted lines).
    out_dir : Path

    Returns
    -------
    Path or None
        ``prediction1.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> prediction1({}, Path(tempfile.mkdtemp())) is None
    True
    """
    p1 = _frame(tables, "prediction1", {"data", "graph", "rule", "balance", "amplitude_median",
                                        "amplitude_q25", "amplitude_q75"})
    if p1.empty:
        return None
    p1 = p1[(p1["balance"] > 0) & (p1["amplitude_median"] > 0)]
    if p1.empty:
        return None
    fits = _frame(tables, "prediction1_fit", {"data", "graph", "rule", "slope", "intercept"})
    pairs = _pairs(p1)
    fig, axes = _grid(len(pairs), size=(4.8, 3.8))
    for ax, (d, g) in zip(axes, pairs, strict=True):
        sub = p1[(p1["data"] == d) & (p1["graph"] == g)]
        rules = _rules(sub)
        for k, rule in enumerate(rules):
            r = sub[sub["rule"] == rule].sort_values("balance")
            st = _style(rule)
            dodge = 10 ** (0.008 * (k - (len(rules) - 1) / 2))
            med = r["amplitude_median"].to_numpy(float)
            err = np.clip([med - r["amplitude_q25"].to_numpy(float),
                           r["amplitude_q75"].to_numpy(float) - med], 0, None)
            ax.errorbar(r["balance"] * dodge, med, yerr=err, ls="none", capsize=2, ms=4, alpha=0.8,
                        mfc="none" if rule == "balance-exact" else st["color"], **st)
            f = fits[(fits["data"] == d) & (fits["graph"] == g) & (fits["rule"] == rule)] \
                if not fits.empty else fits
            label = rule
            if not f.empty:
                f = f.iloc[0]
                xs = np.geomspace(r["balance"].min(), r["balance"].max(), 50)
                label = (f"{rule}: slope {f['slope']:.2f} ± {f.get('slope_se', np.nan):.2f}, "
                         f"R² {f.get('r2', np.nan):.2f}, ρ {f.get('spearman_rho', np.nan):.2f}")
                ax.plot(xs, np.exp(f["intercept"]) * xs ** f["slope"], color=st["color"],
                        lw=1, ls="--" if rule == "balance-exact" else "-")
            ax.plot([], [], color=st["color"], marker=st["marker"], ms=4, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("balance value f(s_i)")
        ax.set_ylabel("retrograde amplitude Σ_j |g_ji|\n(bin median, IQR)", fontsize=8)
        ax.set_title(f"{d}, {g} graph", fontsize=9)
        ax.legend(fontsize=5.5, frameon=False, loc="upper left")
    fig.suptitle("Prediction 1: retrograde amplitude vs balance (lines: fit "
                 "exp(intercept) · balance^slope; ρ: Spearman)", fontsize=10)
    return save_png(fig, out_dir, "prediction1.png")


def prediction2(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Prediction 2: median and 99th-percentile |residual| of ``Δw_ij w_ij = r x_j g_ji``
    per rule (log scale, zeros drawn at the floor 1e-17), beside machine epsilon.

    Parameters
    ----------
    tables : mapping
        Needs ``prediction2``.
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
    p2 = _frame(tables, "prediction2", {"data", "graph", "rule", "median_abs_residual",
                                        "q99_abs_residual"})
    if p2.empty:
        return None
    pairs = _pairs(p2)
    fig, axes = _grid(len(pairs), size=(4.2, 3.4))
    eps = float(np.finfo(float).eps)
    for ax, (d, g) in zip(axes, pairs, strict=True):
        sub = p2[(p2["data"] == d) & (p2["graph"] == g)]
        rules = _rules(sub)
        for k, rule in enumerate(rules):
            r = sub[sub["rule"] == rule].iloc[0]
            st = _style(rule)
            for col, mk in (("median_abs_residual", "o"), ("q99_abs_residual", "^")):
                v = float(r[col])
                if not np.isfinite(v):
                    continue
                ax.scatter([k + (0.12 if mk == "^" else -0.12)], [max(v, RESIDUAL_FLOOR)],
                           marker=mk, s=30, edgecolors=st["color"], linewidths=1.2,
                           facecolors="none" if v <= RESIDUAL_FLOOR else st["color"])
        for mk, lab, fc in (("o", "median", "0.3"), ("^", "99th percentile", "0.3"),
                            ("o", "hollow: ≤ floor (e.g. exactly 0)", "none")):
            ax.scatter([], [], marker=mk, s=30, facecolors=fc, edgecolors="0.3", label=lab)
        ax.axhline(eps, color="0.4", lw=0.8, ls="--", label=f"machine ε ({eps:.1e})")
        ax.set_yscale("log")
        ax.set_ylim(RESIDUAL_FLOOR / 3, 3.0)
        ax.set_xticks(range(len(rules)), rules, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("|relative residual| of Δw·w = r·x_j·g_ji\n(floored at 1e-17)",
                      fontsize=8)
        ax.set_title(f"{d}, {g} graph", fontsize=9)
        ax.legend(fontsize=6, frameon=False, loc="center left")
    fig.suptitle("Prediction 2: Δw_ij / g_ji = x_j / w_ij on every synapse; residuals near "
                 "machine ε mean it holds to rounding", fontsize=10)
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
    out = {}
    for fn in (prediction1, prediction2):
        path = fn(tables, Path(out_dir))
        if path is not None:
            out[fn.__name__] = path
    return out
