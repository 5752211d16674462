"""Figures from tidy tables and weight matrices: draw only, never compute or save.

Every function takes data that is already computed (a weight matrix and a
membership vector, a block matrix, or one of the tidy tables of
:mod:`community.tables`) and draws it. Single-panel functions take ``ax=None``
and return the :class:`~matplotlib.axes.Axes` they drew on (a new figure when
``ax`` is None); grid functions return a :class:`~matplotlib.figure.Figure`.
Nothing here writes files: :mod:`community.report` saves what it needs.

This module draws the measures against the learning rate -- each measure with the
means of its null models and the learning rates whose runs were unstable marked
(:func:`measure_vs_lr`), the z-scores against each null (:func:`null_zscores`), community
counts -- and the role map. Every mean comes with the 95% t-interval of the mean over
seeds (``mean +- t(0.975, n - 1) sd / sqrt(n)``, computed once per line, no bootstrap).
The figures over training time (:func:`emergence`, :func:`training_curves`,
:func:`convergence`) and :data:`LABELS` live in :mod:`community.plot_series`, the
matrix figures (:func:`weight_heatmap`, :func:`heatmap_grid`,
:func:`block_heatmap`, :func:`block_grid`, :func:`community_order`, and the
block-level views :func:`community_block_heatmap` and :func:`community_block_grid`
drawn instead of neuron-level heatmaps above :data:`HEATMAP_MAX_NEURONS` neurons) and
:func:`panel_figure` in :mod:`community.plot_matrices`; both are re-exported here, so
``community.plot`` is the one import for every figure.

Figures are created with :class:`matplotlib.figure.Figure` (not ``pyplot``), so
no global figure list grows, and matplotlib is switched to the non-interactive
``Agg`` backend: these functions return figures, they never show them.
matplotlib (and scipy, for the t quantiles of the CIs) is imported inside the functions.

**Matrix convention.** ``W[i, j]`` is the weight onto neuron ``i`` from neuron
``j`` (rows are postsynaptic, columns presynaptic), as in :mod:`wiring.runs`.
Block matrices follow it: ``B[a, b]`` is the mean ``|w|`` onto block ``a`` from
block ``b``.

Examples
--------
>>> from community import plot_matrices
>>> weight_heatmap is plot_matrices.weight_heatmap
True
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from community.plot_matrices import (
    HEATMAP_MAX_NEURONS,
    _new_axes,
    block_grid,
    block_heatmap,
    community_block_grid,
    community_block_heatmap,
    community_order,
    group_singleton_blocks,
    heatmap_grid,
    panel_figure,
    weight_heatmap,
)
from community.plot_series import (
    LABELS,
    _empty,
    _label,
    _legend,
    _lr_axis,
    _mark_unstable,
    _mean_ci,
    _mean_line,
    _tidy_y,
    convergence,
    emergence,
    training_curves,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

__all__ = [
    "ROLE_ORDER",
    "GA_HUB_Z",
    "GA_NONHUB_P",
    "GA_HUB_P",
    "LABELS",
    "community_order",
    "panel_figure",
    "weight_heatmap",
    "heatmap_grid",
    "block_heatmap",
    "block_grid",
    "group_singleton_blocks",
    "HEATMAP_MAX_NEURONS",
    "community_block_heatmap",
    "community_block_grid",
    "measure_vs_lr",
    "null_zscores",
    "community_counts",
    "role_map",
    "emergence",
    "training_curves",
    "convergence",
]

log = logging.getLogger(__name__)

#: Guimerà–Amaral role names, R1..R7, in the order they are coloured and listed.
ROLE_ORDER = (
    "ultra-peripheral",
    "peripheral",
    "non-hub connector",
    "non-hub kinless",
    "provincial hub",
    "connector hub",
    "kinless hub",
)
#: Within-module z-score separating hubs (above) from non-hubs.
GA_HUB_Z = 2.5
#: Participation boundaries between the non-hub roles R1|R2|R3|R4.
GA_NONHUB_P = (0.05, 0.62, 0.80)
#: Participation boundaries between the hub roles R5|R6|R7.
GA_HUB_P = (0.30, 0.75)


# --------------------------------------------------------------------------- measures


def _level_colour(level: Any, k: int, color: Any, colors: Mapping[Any, Any] | None) -> Any:
    """The colour of hue level ``level`` (the ``k``-th drawn; None without hue)."""
    if level is None:
        return "C0" if color is None else color
    if colors is not None and level in colors:
        return colors[level]
    return f"C{k}"


def measure_vs_lr(df: pd.DataFrame, y: str, *, hue: str | None = None,
                  ax: Axes | None = None, logx: bool = True,
                  refline: float | str | None = "auto",
                  nulls: Mapping[str, str] | None = None,
                  unstable: Sequence[float] = (), logy: bool = False,
                  legend: bool = True, color: Any = None,
                  colors: Mapping[Any, Any] | None = None) -> Axes:
    """A measure against the learning rate: mean over seeds with its 95% CI, and its nulls.

    The CI is the t-interval of the mean over the rows (seeds) at a learning rate,
    ``mean +- t(0.975, n - 1) sd / sqrt(n)``, drawn as error bars (none with one seed).

    Parameters
    ----------
    df : DataFrame
        One row per run (e.g. the final rows of the ``snapshots`` table), with
        ``learning_rate`` and ``y`` columns.
    y : str
        Column to plot.
    hue : str, optional
        Column separating lines (e.g. ``"group"``).
    ax : Axes, optional
    logx : bool
        Logarithmic learning-rate axis (ignored if a learning rate is <= 0).
    refline : float, "auto" or None
        Dashed horizontal reference line; ``"auto"`` draws the chance level 1 for
        ``within_excess`` and nothing otherwise.
    nulls : dict of str to str, optional
        Null models to draw beside the observation: legend name -> column holding the
        mean of that null's draws for each run (e.g. ``{"init-pruned":
        "q_null_init_pruned"}``). Each is drawn as its mean over seeds, one dashed,
        dotted or dash-dotted grey line per null, labelled ``"null: <name>"``.
    unstable : sequence of float
        Learning rates whose runs were unstable (not analysed): marked with a grey band
        and an ``x`` on the axis, labelled ``"unstable: not analysed"``.
    logy : bool
        Logarithmic y axis (if every value is positive).
    legend : bool
        Draw the legend (when there is more than the observation to name); ``False``
        for panels that share the legend of another.
    color : matplotlib colour, optional
        Colour of the observation without ``hue`` (default ``"C0"``), e.g. its group's.
    colors : mapping, optional
        Colour of each ``hue`` level (e.g. group -> colour, so a group keeps its colour
        in every figure); levels not in it get ``"C<k>"`` by order of appearance.

    Returns
    -------
    Axes
        One line per hue level (gid ``"mean"``, markers at the learning rates, CI as
        error bars of gid ``"ci"``), one line per null (gid ``"null:<name>"``), the
        reference line (gid ``"refline"``) and the unstable marks (gid ``"unstable"``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"learning_rate": [0.01, 0.01, 0.1, 0.1],
    ...                    "within_excess": [1.5, 1.7, 1.1, 0.9],
    ...                    "null_mean": [1.0, 1.2, 1.0, 1.0]})
    >>> ax = measure_vs_lr(df, "within_excess", nulls={"shuffled": "null_mean"},
    ...                    unstable=[1.0])
    >>> [line.get_gid() for line in ax.lines if line.get_gid() in
    ...  ("mean", "null:shuffled", "refline", "unstable")]
    ['mean', 'null:shuffled', 'refline', 'unstable']
    >>> ax.lines[0].get_ydata().tolist(), ax.get_xscale()
    ([1.6, 1.0], 'log')
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['observed', 'null: shuffled', 'unstable: not analysed']
    """
    ax = _new_axes(ax)
    marks = list(unstable)
    if y not in df or "learning_rate" not in df or df[y].notna().sum() == 0:
        if marks:
            _mark_unstable(ax, marks, logx)
            _lr_axis(ax, marks, logx)
            ax.set_ylabel(_label(y))
            if legend:
                _legend(ax)
            return ax
        return _empty(ax, _label(y))
    data = df[df[y].notna()]
    levels = list(pd.unique(data[hue])) if hue else [None]
    styles = ("--", ":", "-.")
    for k, level in enumerate(levels):
        d = data if level is None else data[data[hue] == level]
        colour = _level_colour(level, k, color, colors)
        s = _mean_ci(d, ["learning_rate"], y)
        _mean_line(ax, s, "learning_rate", color=colour, marker="o", ms=4,
                   label="observed" if level is None else str(level))
        for j, (name, col) in enumerate((nulls or {}).items()):
            if col not in d or d[col].notna().sum() == 0:
                continue
            m = _mean_ci(d, ["learning_rate"], col)
            ax.plot(m["learning_rate"], m["mean"], ls=styles[j % 3], lw=1.3,
                    color="0.35" if level is None else colour, gid=f"null:{name}",
                    label=f"null: {name}" if k == 0 else "_nolegend_")
    if refline == "auto":
        refline = 1.0 if y == "within_excess" else None
    if refline is not None:
        ax.axhline(float(refline), ls="--", lw=1, color="0.45", zorder=0, gid="refline")
    _mark_unstable(ax, marks, logx)
    lrs = np.concatenate([pd.to_numeric(data["learning_rate"]).to_numpy(dtype=float),
                          np.asarray(marks, dtype=float)])
    _lr_axis(ax, lrs, logx)
    if logy and (pd.to_numeric(data[y]) > 0).all():
        from matplotlib.ticker import NullLocator

        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())
    _tidy_y(ax)
    ax.set_ylabel(_label(y))
    if legend and (hue or nulls or marks):
        _legend(ax, _label(hue) if hue else None)
    return ax


def null_zscores(df: pd.DataFrame, columns: Mapping[str, str], *, ax: Axes | None = None,
                 refline: float | None = 2.0, unstable: Sequence[float] = (),
                 logx: bool = True, ylabel: str = "z-score", legend: bool = True) -> Axes:
    """z-scores against several null models and the learning rate, one line per null.

    Each line is the mean over seeds of the finite z-scores with its 95% t-interval (as
    :func:`measure_vs_lr`). Infinite z-scores (every draw of a null equal, the
    observation not) cannot enter a mean: each learning rate with one is marked with a
    triangle at the top (``+inf``) or bottom (``-inf``) edge. The y axis is symmetric-log
    (linear within +-10) when a mean or CI leaves +-20.

    Parameters
    ----------
    df : DataFrame
        One row per run with ``learning_rate`` and the z-score columns.
    columns : dict of str to str
        Null name (legend, colour in order) -> z-score column.
    ax : Axes, optional
    refline : float or None
        Dashed reference line (default 2, the z a signature needs to beat a null).
    unstable : sequence of float
        Learning rates whose runs were unstable, marked as in :func:`measure_vs_lr`.
    logx : bool
        Logarithmic learning-rate axis (if every rate is positive).
    ylabel : str
        Axis label.
    legend : bool
        Draw the legend (``False`` for panels that share another's).

    Returns
    -------
    Axes
        One line per null with data (gid ``"null:<name>"``, label the name), CI error bars
        (gid ``"ci"``), infinite-z markers (gid ``"z-inf"``), the reference line and the
        unstable marks.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"learning_rate": [0.1, 0.1, 1.0, 1.0],
    ...                    "z_a": [3.0, 5.0, 0.0, 1.0], "z_b": [1.0, 1.0, np.inf, 2.0]})
    >>> ax = null_zscores(df, {"init-pruned": "z_a", "rewired": "z_b"})
    >>> [(ln.get_gid(), ln.get_ydata().tolist()) for ln in ax.lines
    ...  if ln.get_gid() in ("null:init-pruned", "null:rewired")]
    [('null:init-pruned', [4.0, 0.5]), ('null:rewired', [1.0, 2.0])]
    >>> [ln.get_xdata().tolist() for ln in ax.lines if ln.get_gid() == "z-inf"]
    [[1.0]]
    """
    ax = _new_axes(ax)
    marks = list(unstable)
    have = {k: c for k, c in columns.items()
            if c in df and pd.to_numeric(df[c], errors="coerce").notna().any()}
    if not have or "learning_rate" not in df:
        if not marks:
            return _empty(ax, ylabel)
    peak = 0.0
    for k, (name, col) in enumerate(columns.items()):
        if name not in have:
            continue
        colour = f"C{k}"
        z = pd.to_numeric(df[col], errors="coerce")
        s = _mean_ci(df, ["learning_rate"], col)
        if len(s):
            _mean_line(ax, s, "learning_rate", color=colour, marker="o", ms=4, label=name,
                       gid=f"null:{name}")
            peak = max(peak, float(np.nanmax(np.abs(s[["mean", "lo", "hi"]].to_numpy()))))
        for sign, where, marker in ((1, 0.97, "^"), (-1, 0.03, "v")):
            lr = np.unique(df.loc[np.isinf(z) & (np.sign(z) == sign), "learning_rate"])
            if lr.size:
                ax.plot(lr, np.full(lr.size, where), ls="none", marker=marker, ms=6,
                        color=colour, transform=ax.get_xaxis_transform(), gid="z-inf",
                        label=f"{name}: z = {'+' if sign > 0 else '-'}inf", clip_on=False)
    if refline is not None:
        ax.axhline(float(refline), ls="--", lw=1, color="0.45", zorder=0, gid="refline")
    if peak > 20:  # linear within +-10, log beyond; ticks at 0, +-10, +-100, ...
        from matplotlib.ticker import NullLocator

        ax.set_yscale("symlog", linthresh=10.0)
        lo, hi = ax.get_ylim()
        ticks = [v for v in (-1e4, -1e3, -100, -10, 0, 10, 100, 1e3, 1e4) if lo <= v <= hi]
        ax.set_yticks(ticks, [f"{v:g}" for v in ticks])
        ax.yaxis.set_minor_locator(NullLocator())
    _mark_unstable(ax, marks, logx)
    lrs = np.concatenate([pd.to_numeric(df["learning_rate"]).to_numpy(dtype=float)
                          if "learning_rate" in df else np.zeros(0),
                          np.asarray(marks, dtype=float)])
    _lr_axis(ax, lrs, logx)
    ax.set_ylabel(ylabel)
    if legend:
        _legend(ax, "null model")
    return ax


def community_counts(df: pd.DataFrame, *, hue: str | None = None,
                     ax: Axes | None = None,
                     colors: Mapping[Any, Any] | None = None) -> Axes:
    """Number of communities against the learning rate: each seed, and the mean with CI.

    Parameters
    ----------
    df : DataFrame
        One row per run with ``learning_rate`` and ``n_communities``.
    hue : str, optional
    ax : Axes, optional
    colors : mapping, optional
        Colour of each ``hue`` level, as in :func:`measure_vs_lr`.

    Returns
    -------
    Axes
        The mean line(s) (gid ``"mean"``, 95% t-interval as error bars) plus, last, one
        scatter collection of the individual runs.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"learning_rate": [0.1, 0.1, 1.0], "n_communities": [3, 4, 7]})
    >>> ax = community_counts(df)
    >>> ax.lines[0].get_ydata().tolist(), len(ax.collections[-1].get_offsets())
    ([3.5, 7.0], 3)
    """
    from matplotlib.ticker import MaxNLocator

    ax = _new_axes(ax)
    if "n_communities" not in df or df["n_communities"].notna().sum() == 0:
        return _empty(ax, "community counts")
    data = df[df["n_communities"].notna()]
    levels = list(pd.unique(data[hue])) if hue else [None]
    colours = []
    for k, level in enumerate(levels):
        d = data if level is None else data[data[hue] == level]
        s = _mean_ci(d, ["learning_rate"], "n_communities")
        colour = _level_colour(level, k, None, colors)
        _mean_line(ax, s, "learning_rate", color=colour, label=str(level))
        colours += [colour if hue else "0.3"] * len(d)
    order = pd.concat([data if lv is None else data[data[hue] == lv] for lv in levels])
    ax.scatter(order["learning_rate"], order["n_communities"], s=18, alpha=0.5, c=colours,
               linewidths=0)
    _lr_axis(ax, data["learning_rate"], True)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(_label("n_communities"))
    if hue:
        _legend(ax, _label(hue))
    return ax


def role_map(neurons: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Participation coefficient against within-module z, coloured by Guimerà–Amaral role.

    The role boundaries are drawn: ``z = 2.5`` between hubs and non-hubs,
    ``P = 0.05, 0.62, 0.80`` between non-hub roles, ``P = 0.30, 0.75`` between hubs.

    Parameters
    ----------
    neurons : DataFrame
        Rows of the ``neurons`` table (``participation``, ``within_z``, ``role``).
    ax : Axes, optional

    Returns
    -------
    Axes
        One scatter collection with a point per neuron with finite values, one
        horizontal line and two collections of vertical boundary segments.

    Examples
    --------
    >>> import pandas as pd
    >>> nrn = pd.DataFrame({"participation": [0.0, 0.3, 0.7], "within_z": [0.1, -1.0, 3.0],
    ...                     "role": ["ultra-peripheral", "peripheral", "connector hub"]})
    >>> ax = role_map(nrn)
    >>> len(ax.collections[0].get_offsets())
    3
    >>> sum(a.get_gid() == "role-boundary" for a in [*ax.lines, *ax.collections])
    3
    """
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    ax = _new_axes(ax, (4.6, 3.8))
    need = {"participation", "within_z"}
    if not need <= set(neurons.columns):
        return _empty(ax, "participation / within-module z")
    data = neurons[np.isfinite(neurons["participation"].astype(float))
                   & np.isfinite(neurons["within_z"].astype(float))]
    if data.empty:
        return _empty(ax, "participation / within-module z")
    handles, colours = [], "C0"
    if "role" in data:
        roles = data["role"].astype(str)
        present = [str(r) for r in pd.unique(roles)]
        order = [r for r in ROLE_ORDER if r in present] + sorted(
            r for r in present if r not in ROLE_ORDER)
        tab10 = colormaps["tab10"]
        extra = (tab10((len(ROLE_ORDER) + k) % 10) for k in range(len(order)))
        palette = {r: tab10(ROLE_ORDER.index(r)) if r in ROLE_ORDER else next(extra)
                   for r in order}
        colours = [palette[r] for r in roles]
        handles = [Line2D([], [], ls="none", marker="o", ms=4, color=palette[r], label=r)
                   for r in order]
    # one collection for every neuron (a role's colour each), the legend from proxies
    ax.scatter(data["participation"], data["within_z"], c=colours, s=14, alpha=0.75,
               linewidths=0)
    z = data["within_z"].to_numpy(dtype=float)
    lo = min(float(z.min()), -1.0) - 0.5
    hi = max(float(z.max()), GA_HUB_Z + 1.0) + 0.5
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.02, 1.0)
    ax.axhline(GA_HUB_Z, color="0.3", lw=0.8, ls="--", gid="role-boundary")
    ax.vlines(GA_NONHUB_P, lo, GA_HUB_Z, colors="0.3", lw=0.8, linestyles="--",
              gid="role-boundary")
    ax.vlines(GA_HUB_P, GA_HUB_Z, hi, colors="0.3", lw=0.8, linestyles="--",
              gid="role-boundary")
    ax.set_xlabel(_label("participation"))
    ax.set_ylabel(_label("within_z"))
    if handles:
        ax.legend(handles=handles, fontsize=6, title="role", title_fontsize=7,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


