"""Figures of the Fig. 4 reproduction (Algorithm 1 studies), drawn from the analysis tables.

Every function takes the tables written by :func:`community.paper.analyse.analyse_studies`
(name -> DataFrame, plus ``"fig4"``: the arrays of ``fig4_matrices.npz``; see
:func:`community.paper.report.read_paper_tables`) and an output directory, writes
one PNG atomically and returns its path, or None when the tables it needs are missing or
empty. Figures are :class:`matplotlib.figure.Figure` objects (no pyplot state to close) on
the Agg backend.

Unless a panel says otherwise, the weight graph is ``|W|`` partitioned by Leiden on
directed modularity (the ``abs_modularity`` variant), and ``trained`` is drawn beside the
two nulls of :mod:`community.paper.measure`: ``null_initial`` (initial weights pruned to
the same density) and ``null_shuffle`` (trained weights shuffled over the surviving synapses).
Where a panel marks the contrast's rates (low, plastic high, runaway), they are read from
the ``rates`` table (:func:`contrast_rates`). The Fig. 4 matrices and the null-model
evidence are drawn by :mod:`community.paper.figures_evidence`.
"""

from __future__ import annotations

import io
import tempfile  # noqa: F401 -- the docstring examples use it
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from community.paper.analyse import ANALYSIS_VARIANTS, REFERENCE_CELL
from community.paper.measure import REFERENCE
from community.plot_matrices import panel_figure
from community.report.kit import write_atomic

__all__ = ["LABELS", "GRAPH_LABELS", "RATE_LABELS", "save_png", "contrast_rates",
           "phase_heatmaps", "phase_curves", "sensitivity", "analysis_variants", "timescales",
           "development", "draw_all", "draw_each"]

DPI = 110
#: stages of the development study's geometric schedule (``wiring.experiments.studies``)
SCHEDULE_STAGES = 6
#: axis labels of the measures
LABELS = {
    "within_excess_strength": "within-module |w| / strength chance",
    "offdiag_index": "off-diagonal block index",
    "modularity": "modularity Q",
    "n_communities": "number of communities",
    "gini_strength": "Gini of neuron strength",
    "fraction_unstable": "fraction of runs unstable",
}
#: what each ``graph`` value is
GRAPH_LABELS = {"trained": "trained W", "null_initial": "null: initial W pruned",
                "null_shuffle": "null: trained W shuffled"}
_STYLE = {"trained": {"color": "C0", "ls": "-", "marker": "o"},
          "null_initial": {"color": "0.45", "ls": ":", "marker": "s"},
          "null_shuffle": {"color": "C3", "ls": "--", "marker": "^"}}
_HEAT_MEASURES = ("within_excess_strength", "offdiag_index", "modularity", "n_communities",
                  "gini_strength")
_MODES = {"abs": "|W|", "signed": "signed W (Q+ - Q-)", "sym": "(|W|+|W|ᵀ)/2", "pos": "W+",
          "neg": "|W-|"}
#: the sensitivity study's groups (``wiring.experiments.studies``); its reference is the
#: phase study's ``reference`` group (the same cell, rates and seeds)
_SENS_GROUPS = ("sigmoid", "init0.5", "init2", "structural", "clamp0.02", "clamp0.3")
#: the development study's groups, schedules first
_DEV_GROUPS = ("schedule_1", "schedule_0.316", "runaway_schedule", "constant_low",
               "constant_0.316", "constant_1")
#: how each rate of the contrast (the ``rates`` table) is named in the figures
RATE_LABELS = {"low": "low", "high": "plastic high", "runaway": "runaway reference"}
_REF = REFERENCE.name


# --------------------------------------------------------------------------- helpers


def _variant_text(name: str) -> str:
    mode, _, quality = name.partition("_")
    q = "Leiden modularity" if quality == "modularity" else (
        f"Leiden RB γ={quality[2:]}" if quality.startswith("rb") else f"Leiden {quality}")
    return f"{_MODES.get(mode, mode)}, {q}"


_REF_TEXT = _variant_text(_REF)
_RATES_NOTE = "; dotted: the contrast's low, plastic-high and runaway rates"


def _frame(tables: Mapping[str, Any], name: str) -> pd.DataFrame:
    df = tables.get(name) if isinstance(tables, Mapping) else None
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame()


def _select(df: pd.DataFrame, **eq: Any) -> pd.DataFrame:
    """Rows equal to every keyword (floats compared with isclose); empty if a column lacks."""
    if df.empty or not set(eq) <= set(df.columns):
        return df.iloc[0:0]
    keep = np.ones(len(df), dtype=bool)
    for k, v in eq.items():
        col = df[k]
        keep &= (np.isclose(pd.to_numeric(col, errors="coerce"), v) if isinstance(v, float)
                 else (col == v).to_numpy(dtype=bool))
    return df[keep]


def _cells(tables: Mapping[str, Any], measure: str, **eq: Any) -> pd.DataFrame:
    c = _select(_frame(tables, "cells"), column=measure, **eq)
    if c.empty or not {"learning_rate", "mean"} <= set(c.columns):
        return c.iloc[0:0]
    c = c[np.isfinite(c["mean"].astype(float)) & (c["learning_rate"] > 0)]
    return c.sort_values("learning_rate")


def _line(ax: Any, df: pd.DataFrame, label: str, *, color: Any, ls: str = "-",
          marker: str = "o", band: bool = True, x: str = "learning_rate",
          alpha: float = 0.15) -> bool:
    """Mean line (and CI band) of a ``cells`` slice; False if nothing to draw."""
    if df.empty:
        return False
    xs = df[x].to_numpy(float)
    ax.plot(xs, df["mean"].to_numpy(float), color=color, ls=ls, marker=marker, ms=3.5,
            lw=1.4, label=label)
    if band and {"ci_low", "ci_high"} <= set(df.columns):
        ax.fill_between(xs, df["ci_low"].to_numpy(float), df["ci_high"].to_numpy(float),
                        color=color, alpha=alpha, lw=0)
    return True


def _lr_axis(ax: Any, ylabel: str, title: str) -> None:
    ax.set_xscale("log")
    ax.set_xlabel("learning rate r")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(title, fontsize=8.5)


def _no_data(ax: Any, what: str) -> None:
    ax.text(0.5, 0.5, f"no data: {what}", ha="center", va="center", transform=ax.transAxes,
            color="0.4", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def contrast_rates(tables: Mapping[str, Any]) -> dict[str, float]:
    """The rates of the contrast, from the ``rates`` table (rows ``name``, ``learning_rate``;
    chosen from the data by :func:`community.paper.inference.choose_rates`).

    Parameters
    ----------
    tables : mapping

    Returns
    -------
    dict
        Name (``low``, ``high``, ``runaway``) -> rate, finite rates only, in the table's order.

    Examples
    --------
    >>> rates = pd.DataFrame({"name": ["low", "high", "runaway"],
    ...                       "learning_rate": [0.1, float("nan"), 10.0]})
    >>> contrast_rates({"rates": rates})
    {'low': 0.1, 'runaway': 10.0}
    >>> contrast_rates({})
    {}
    """
    df = _frame(tables, "rates")
    if df.empty or not {"name", "learning_rate"} <= set(df.columns):
        return {}
    lr = pd.to_numeric(df["learning_rate"], errors="coerce")
    return {str(n): float(v) for n, v in zip(df["name"], lr, strict=True)
            if np.isfinite(v) and v > 0}


def _rate_lines(ax: Any, rates: Mapping[str, float], *, label: bool = False) -> None:
    """Dotted vertical lines at the contrast's rates (labelled at the top with ``label``)."""
    for name, r in rates.items():
        ax.axvline(r, color="0.6", lw=0.8, ls=":", zorder=0)
        if label:
            ax.text(r, 0.98, f" {RATE_LABELS.get(name, name)}", rotation=90, va="top",
                    ha="right", fontsize=6, color="0.35",
                    transform=ax.get_xaxis_transform())


def save_png(fig: Any, out_dir: str | Path, name: str) -> Path:
    """Write ``fig`` to ``out_dir / name`` atomically (rendered in memory, then
    :func:`community.report.kit.write_atomic`: temporary file, ``os.replace``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    out_dir : str or Path
        Created if missing.
    name : str
        File name, e.g. ``"phase_curves.png"``.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> save_png(Figure(figsize=(1, 1)), tempfile.mkdtemp(), "x.png").name
    'x.png'
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, dpi=DPI, format="png")
    finally:
        fig.clear()
    return write_atomic(out_dir / name, buf.getvalue())


# --------------------------------------------------------------------------- phase diagram


def _phase_grid(tables: Mapping[str, Any], sigma: float) -> dict | None:
    """Heatmap arrays (prune x learning rate) of the phase study at one noise level."""
    c = _select(_frame(tables, "cells"), study="phase", variant=_REF, sigma=float(sigma))
    d = _select(_frame(tables, "divergence"), study="phase", sigma=float(sigma))
    rs, ps = ([float(v) for v in pd.concat([c.get(k, pd.Series()), d.get(k, pd.Series())])
               .dropna().unique()] for k in ("learning_rate", "prune"))
    rs, ps = sorted(rs), sorted(ps)
    if not rs or not ps:
        return None

    def grid(df: pd.DataFrame, value: str) -> np.ndarray:
        if df.empty:
            return np.full((len(ps), len(rs)), np.nan)
        piv = df.pivot_table(index="prune", columns="learning_rate", values=value,
                             aggfunc="mean", dropna=False)
        return piv.reindex(index=ps, columns=rs).to_numpy(dtype=float)

    vals = {}
    for m in _HEAT_MEASURES:
        for g in GRAPH_LABELS:
            vals[m, g] = grid(_select(c, column=m, graph=g), "mean")
        vals[m, "difference"] = vals[m, "trained"] - vals[m, "null_shuffle"]
    frac = grid(d, "fraction_unstable") if "fraction_unstable" in d else grid(d.iloc[0:0], "")
    return {"r": rs, "p": ps, "values": vals, "fraction_unstable": frac,
            "unstable": np.nan_to_num(frac, nan=0.0) >= 1.0}


def _heat(ax: Any, M: np.ndarray, grid: dict, *, cmap: str, norm: Any,
          unstable: np.ndarray | None, title: str) -> Any:
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    cm = colormaps[cmap].with_extremes(bad="0.93")
    im = ax.imshow(np.ma.masked_invalid(M), origin="lower", cmap=cm, norm=norm, aspect="auto",
                   interpolation="nearest")
    ax.set_xticks(range(len(grid["r"])), [f"{v:g}" for v in grid["r"]], fontsize=6)
    ax.set_yticks(range(len(grid["p"])), [f"{v:g}" for v in grid["p"]], fontsize=6)
    ax.set_xlabel("learning rate r (log-spaced)", fontsize=7)
    ax.set_ylabel("pruning fraction p", fontsize=7)
    ax.set_title(title, fontsize=7.5)
    for (i, j), v in np.ndenumerate(M):
        if unstable is not None and unstable[i, j]:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.8", edgecolor="0.5",
                                   hatch="///", lw=0, gid="unstable"))
            ax.text(j, i, "unstable", ha="center", va="center", fontsize=5.5, color="0.1",
                    bbox={"facecolor": "0.8", "edgecolor": "none", "pad": 0.5})
        elif np.isfinite(v):
            rgb = cm(norm(v))[:3]
            dark = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 0.5
            ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=6,
                    color="white" if dark else "black")
        else:
            ax.text(j, i, "n/a", ha="center", va="center", fontsize=5.5, color="0.45")
    return im


def _phase_figure(grid: dict, sigma: float) -> Any:
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    panel_figure(1)  # switches matplotlib to Agg
    fig = Figure(figsize=(14.0, 15.0), layout="constrained")
    axes = fig.subplots(len(_HEAT_MEASURES) + 1, 4, squeeze=False)
    unst = grid["unstable"]
    for i, m in enumerate(_HEAT_MEASURES):
        trip = np.concatenate([grid["values"][m, g].ravel() for g in GRAPH_LABELS])
        trip = trip[np.isfinite(trip)]
        lo, hi = (float(trip.min()), float(trip.max())) if trip.size else (0.0, 1.0)
        norm = Normalize(lo, hi if hi > lo else lo + 1e-9)
        for j, g in enumerate(GRAPH_LABELS):
            im = _heat(axes[i, j], grid["values"][m, g], grid, cmap="viridis", norm=norm,
                       unstable=unst, title=f"{LABELS[m]}\n{GRAPH_LABELS[g]}")
        fig.colorbar(im, ax=list(axes[i, :3]), label=LABELS[m], shrink=0.9, pad=0.01)
        diff = grid["values"][m, "difference"]
        a = float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 1.0
        norm = Normalize(-(a or 1.0), a or 1.0)
        im = _heat(axes[i, 3], diff, grid, cmap="RdBu_r", norm=norm, unstable=unst,
                   title=f"{LABELS[m]}\ntrained − shuffled null (difference of means)")
        fig.colorbar(im, ax=axes[i, 3], label="Δ " + LABELS[m], shrink=0.9, pad=0.01)
    last = axes[-1]
    im = _heat(last[3], grid["fraction_unstable"], grid, cmap="Reds", norm=Normalize(0, 1),
               unstable=None, title="fraction of runs unstable (diverged)")
    fig.colorbar(im, ax=last[3], label=LABELS["fraction_unstable"], shrink=0.9, pad=0.01)
    for ax in last[:3]:
        ax.axis("off")
    note = last[0].text(0.0, 0.9, "Cells: mean over the stable seeds.\n"
                        "Hatched 'unstable': every run of the cell diverged.\n"
                        "'n/a': no value (e.g. a single community, or no run).\n"
                        f"Weight graph {_REF_TEXT}.\n"
                        "The three graph columns share one colour scale per measure.",
                        va="top", fontsize=9, transform=last[0].transAxes)
    note.set_in_layout(False)
    fig.suptitle(f"Phase diagram at noise σ = {sigma:g}: community structure of the trained "
                 "weights and of two nulls, learning rate r × pruning p", fontsize=11)
    return fig


def _phase_sigmas(tables: Mapping[str, Any]) -> list[float]:
    vals: set[float] = set()
    for name in ("cells", "divergence"):
        df = _select(_frame(tables, name), study="phase")
        if "sigma" in df:
            vals |= {float(s) for s in df["sigma"].dropna()}
    return sorted(vals)


def _phase_heatmaps_all(tables: Mapping[str, Any], out_dir: Path) -> dict[float, Path]:
    out = {}
    for sigma in _phase_sigmas(tables):
        grid = _phase_grid(tables, sigma)
        if grid is not None:
            out[sigma] = save_png(_phase_figure(grid, sigma), out_dir,
                                  f"phase_heatmaps_sigma{sigma:g}.png")
    return out


def phase_heatmaps(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Phase diagrams (r x p) of five measures for trained, both nulls and their difference.

    One PNG per noise level (``phase_heatmaps_sigma{σ}.png``), with the fraction of
    unstable runs; cells whose runs all diverged are hatched and labelled ``unstable``.

    Parameters
    ----------
    tables : mapping
        Needs ``cells`` (and ``divergence``) rows of study ``phase``.
    out_dir : Path

    Returns
    -------
    Path or None
        The reference noise level's figure (or the first one written); None without data.

    Examples
    --------
    >>> phase_heatmaps({}, Path(tempfile.mkdtemp())) is None
    True
    """
    written = _phase_heatmaps_all(tables, Path(out_dir))
    if not written:
        return None
    ref = [s for s in written if np.isclose(s, REFERENCE_CELL[1])]
    return written[ref[0]] if ref else next(iter(written.values()))


# --------------------------------------------------------------------------- curves vs r


def _curve_figure(tables: Mapping[str, Any], panels: list[tuple[str, list[tuple]]], *,
                  title: str, ncols: int, name: str, out_dir: Path,
                  shared_legend: bool = False) -> Path | None:
    """Panels of (ylabel, [(cells slice, label, style, band)]) against r; None if all empty."""
    if not any(not df.empty for _, lines in panels for df, *_ in lines):
        return None
    rates = contrast_rates(tables)
    fig, axes = panel_figure(len(panels), ncols=ncols, panel_size=(4.4, 3.4))
    for ax, (ylabel, lines) in zip(axes, panels, strict=True):
        drawn = [_line(ax, df, label, band=band, **style) for df, label, style, band in lines]
        if not any(drawn):
            _no_data(ax, ylabel.split("\n")[0])
            continue
        _rate_lines(ax, rates)
        _lr_axis(ax, ylabel, ylabel.split("\n")[0] + " vs r")
        if not shared_legend:
            ax.legend(fontsize=6.5, frameon=False)
    if shared_legend:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=7,
                   frameon=False)
    fig.suptitle(title + f"  (mean, 95% bootstrap CI over seeds{_RATES_NOTE if rates else ''})",
                 fontsize=10)
    return save_png(fig, out_dir, name)


def phase_curves(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Four measures vs r at the reference cell, trained beside both nulls.

    Parameters
    ----------
    tables : mapping
        Needs ``cells`` rows of study ``phase`` at :data:`REFERENCE_CELL`.
    out_dir : Path

    Returns
    -------
    Path or None
        ``phase_curves.png``; None without data.

    Examples
    --------
    >>> phase_curves({"cells": pd.DataFrame()}, Path(tempfile.mkdtemp())) is None
    True
    """
    p, s = REFERENCE_CELL
    panels = [(f"{LABELS[m]}\n({_REF_TEXT})",
               [(_cells(tables, m, study="phase", variant=_REF, graph=g, prune=p, sigma=s),
                 GRAPH_LABELS[g], _STYLE[g], True) for g in GRAPH_LABELS])
              for m in ("within_excess_strength", "offdiag_index", "modularity", "n_communities")]
    return _curve_figure(tables, panels, ncols=2, name="phase_curves.png", out_dir=out_dir,
                         title=f"Structure vs learning rate at p = {p:g}, σ = {s:g}")


def sensitivity(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Sensitivity study: three measures of the trained weights vs r for each unstated
    choice of the simulation, beside the reference (the phase study's ``reference`` group
    at the same cell) and its shuffled null.

    Parameters
    ----------
    tables : mapping
        Needs ``cells`` rows of study ``sensitivity`` (the reference line, rows of study
        ``phase`` and group ``reference``, is drawn where present).
    out_dir : Path

    Returns
    -------
    Path or None
        ``sensitivity.png``; None without sensitivity rows.

    Examples
    --------
    >>> sensitivity({}, Path(tempfile.mkdtemp())) is None
    True
    """
    c = _select(_frame(tables, "cells"), study="sensitivity", variant=_REF)
    if c.empty or "group" not in c:
        return None
    present = set(c["group"])
    groups = [g for g in _SENS_GROUPS if g in present] + sorted(present - set(_SENS_GROUPS))
    pal = [f"C{k}" for k in (0, 1, 2, 3, 4, 5, 6, 8, 9)]
    colour = {g: pal[k % len(pal)] for k, g in enumerate(groups)}
    rates = contrast_rates(tables)
    p, s = REFERENCE_CELL
    measures = ("within_excess_strength", "offdiag_index", "modularity")
    fig, axes = panel_figure(len(measures), ncols=3, panel_size=(4.6, 3.8))
    for ax, m in zip(axes, measures, strict=True):
        ref = dict(study="phase", variant=_REF, group="reference", prune=p, sigma=s)
        drawn = _line(ax, _cells(tables, m, graph="trained", **ref),
                      "reference (phase study)", color="black", alpha=0.1)
        drawn |= _line(ax, _cells(tables, m, graph="null_shuffle", **ref),
                       "reference, shuffled null", color="0.5", ls="--", marker="^",
                       band=False)
        for g in groups:
            drawn |= _line(ax, _cells(tables, m, study="sensitivity", variant=_REF,
                                      graph="trained", group=g), g, color=colour[g],
                           alpha=0.07)
        if not drawn:
            _no_data(ax, LABELS[m])
            continue
        _rate_lines(ax, rates)
        _lr_axis(ax, f"{LABELS[m]}\n(trained W; {_REF_TEXT})", f"{LABELS[m]} vs r")
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=7,
                   frameon=False)
    fig.suptitle(f"Sensitivity to the simulation's choices at p = {p:g}, σ = {s:g} (mean, "
                 f"95% CI over seeds{_RATES_NOTE if rates else ''})", fontsize=10)
    return save_png(fig, out_dir, "sensitivity.png")


def analysis_variants(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Modularity and within-module excess vs r for each weight-graph / Leiden variant at the
    reference cell: trained solid, shuffled null dashed.

    Parameters
    ----------
    tables : mapping
        Needs ``cells`` rows of study ``phase`` at :data:`REFERENCE_CELL`.
    out_dir : Path

    Returns
    -------
    Path or None
        ``analysis_variants.png``; None without data.

    Examples
    --------
    >>> analysis_variants({}, Path(tempfile.mkdtemp())) is None
    True
    """
    p, s = REFERENCE_CELL
    names = [_REF, *(v.name for v in ANALYSIS_VARIANTS)]
    ylabels = {"modularity": "modularity Q\n(on each variant's own weight graph)",
               "within_excess_strength": f"{LABELS['within_excess_strength']}\n(|W|, each "
                                         "variant's partition)"}
    panels = [(ylabels[m], [(_cells(tables, m, study="phase", variant=v, graph=g, prune=p,
                                    sigma=s),
                             f"{_variant_text(v)}{'' if g == 'trained' else ', shuffled null'}",
                             {"color": f"C{k}", "ls": "-" if g == "trained" else "--",
                              "marker": "o" if g == "trained" else "^"}, g == "trained")
                            for k, v in enumerate(names) for g in ("trained", "null_shuffle")])
              for m in ("modularity", "within_excess_strength")]
    return _curve_figure(tables, panels, ncols=2, name="analysis_variants.png", out_dir=out_dir,
                         shared_legend=True,
                         title=f"Analysis choices at p = {p:g}, σ = {s:g}: weight graph and "
                               "Leiden quality")


def timescales(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """One step of each process per iteration vs settled firing and credit: three measures
    and the fraction of unstable runs vs r.

    Parameters
    ----------
    tables : mapping
        Needs ``cells`` (and ``divergence``) rows of study ``timescales``.
    out_dir : Path

    Returns
    -------
    Path or None
        ``timescales.png``; None without data.

    Examples
    --------
    >>> timescales({}, Path(tempfile.mkdtemp())) is None
    True
    """
    groups = (("one-step", "C0"), ("settled", "C1"))
    panels = [(f"{LABELS[m]}\n({_REF_TEXT})",
               [(_cells(tables, m, study="timescales", variant=_REF, graph=gr, group=g),
                 f"{g}{'' if gr == 'trained' else ', shuffled null'}",
                 {"color": col, "ls": "-" if gr == "trained" else "--",
                  "marker": "o" if gr == "trained" else "^"}, gr == "trained")
                for g, col in groups for gr in ("trained", "null_shuffle")])
              for m in ("within_excess_strength", "offdiag_index", "modularity")]
    d = _select(_frame(tables, "divergence"), study="timescales")
    frac = []
    for g, col in groups:
        dg = _select(d, group=g)
        if not dg.empty:
            dg = dg.groupby("learning_rate", as_index=False)["fraction_unstable"].mean()
            frac.append((dg.rename(columns={"fraction_unstable": "mean"}), g,
                         {"color": col}, False))
    panels.append((f"{LABELS['fraction_unstable']}\n(diverged runs / runs)", frac))
    return _curve_figure(tables, panels, ncols=2, name="timescales.png", out_dir=out_dir,
                         title="Timescales: one step per process vs settled fixed points")


# --------------------------------------------------------------------------- development


def _schedule(row: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Stage edges (iterations) and rates of a run: geometric lr -> lr_end, or constant."""
    lr, end, T = float(row["learning_rate"]), float(row.get("learning_rate_end", 0.0) or 0.0), \
        float(row["iterations"])
    if end > 0 and end != lr:
        return np.linspace(0, T, SCHEDULE_STAGES + 1), np.geomspace(lr, end, SCHEDULE_STAGES)
    return np.array([0.0, T]), np.array([lr])


def development(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Development study: three measures vs training step per learning-rate schedule
    (mean ± 95% t-interval over seeds; trained solid, shuffled null dashed), and the
    learning rate of each stage.

    Parameters
    ----------
    tables : mapping
        Needs ``structure`` rows of study ``development`` (every snapshot).
    out_dir : Path

    Returns
    -------
    Path or None
        ``development.png``; None without data.

    Examples
    --------
    >>> development({"structure": pd.DataFrame()}, Path(tempfile.mkdtemp())) is None
    True
    """
    from scipy import stats as sps

    st = _select(_frame(tables, "structure"), study="development", variant=_REF)
    need = {"group", "graph", "step", "status", "learning_rate", "iterations"}
    if st.empty or not need <= set(st.columns):
        return None
    # step 0 is the dense initial matrix, not comparable with the pruned snapshots
    st = st[(st["status"] == "ok") & st["graph"].isin(["trained", "null_shuffle"])
            & (st["step"] > 0)]
    measures = [m for m in ("within_excess_strength", "offdiag_index", "modularity")
                if m in st and st[m].notna().any()]
    if not measures:
        return None
    present = set(st["group"])
    groups = [g for g in _DEV_GROUPS if g in present] + sorted(present - set(_DEV_GROUPS))
    colour = {g: f"C{k}" for k, g in enumerate(groups)}
    fig, axes = panel_figure(len(measures) + 1, ncols=2, panel_size=(4.8, 3.5))
    for ax, m in zip(axes, measures, strict=False):
        for g in groups:
            for gr, ls in (("trained", "-"), ("null_shuffle", "--")):
                d = st[(st["group"] == g) & (st["graph"] == gr)].groupby("step")[m]
                agg = d.agg(["mean", "std", "count"]).dropna(subset=["mean"])
                if agg.empty:
                    continue
                x = agg.index.to_numpy(float)
                lab = f"{g}, {'trained' if gr == 'trained' else 'shuffled null'}"
                ax.plot(x, agg["mean"], color=colour[g], ls=ls, lw=1.3 if ls == "-" else 0.9,
                        marker="o" if ls == "-" else None, ms=2.5, label=lab)
                n = agg["count"].to_numpy(float)
                half = np.where(n > 1, sps.t.ppf(0.975, np.maximum(n - 1, 1))
                                * agg["std"].to_numpy(float) / np.sqrt(n), np.nan)
                if gr == "trained" and np.isfinite(half).any():
                    ax.fill_between(x, agg["mean"] - half, agg["mean"] + half,
                                    color=colour[g], alpha=0.15, lw=0)
        ax.set_xlabel("training step (iteration)")
        ax.set_ylabel(f"{LABELS[m]}\n({_REF_TEXT})", fontsize=8)
        ax.set_title(f"{LABELS[m]} during training", fontsize=8.5)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=6.5,
               frameon=False)
    ax = axes[len(measures)]
    for g in groups:
        row = st[st["group"] == g].iloc[0]
        edges, rates = _schedule(row)
        ax.stairs(rates, edges, color=colour[g], lw=1.5, label=g, baseline=None,
                  zorder=3 if "schedule" in g else 2)
    ax.set_yscale("log")
    ax.set_xlabel("training step (iteration)")
    ax.set_ylabel("learning rate r (per stage)", fontsize=8)
    ax.set_title(f"learning rate schedule ({SCHEDULE_STAGES} geometric stages)", fontsize=8.5)
    ax.legend(fontsize=6.5, frameon=False)
    fig.suptitle("Development: does wiring go from across-module (early, high r) to "
                 "within-module (late, low r)?", fontsize=10)
    return save_png(fig, out_dir, "development.png")


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
        Figure name -> PNG path (``phase_heatmaps_sigma{σ}`` for each noise level).

    Examples
    --------
    >>> draw_all({}, Path(tempfile.mkdtemp()))
    {}
    """
    out_dir = Path(out_dir)
    out = {f"phase_heatmaps_sigma{s:g}": p for s, p in _phase_heatmaps_all(tables, out_dir).items()}
    return {**out, **draw_each((phase_curves, sensitivity, analysis_variants, timescales,
                                development), tables, out_dir)}


def draw_each(functions: tuple, tables: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Call each figure function on the tables; its name -> the PNG it drew (a function
    that returns None, having no data, is left out). Every figure module's ``draw_all``.

    Examples
    --------
    >>> import tempfile
    >>> draw_each((lambda t, d: None,), {}, Path(tempfile.mkdtemp()))
    {}
    """
    out = {}
    for fn in functions:
        path = fn(tables, Path(out_dir))
        if path is not None:
            out[fn.__name__] = path
    return out
