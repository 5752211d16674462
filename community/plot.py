"""Figures from tidy tables and weight matrices: draw only, never compute or save.

Every function takes data that is already computed (a weight matrix and a
membership vector, a block matrix, or one of the tidy tables of
:mod:`community.tables`) and draws it. Single-panel functions take ``ax=None``
and return the :class:`~matplotlib.axes.Axes` they drew on (a new figure when
``ax`` is None); grid functions return a :class:`~matplotlib.figure.Figure`.
Nothing here writes files: :mod:`community.report` saves what it needs.

This module draws the measures and training curves from the tidy tables; the
matrix figures (:func:`weight_heatmap`, :func:`heatmap_grid`,
:func:`block_heatmap`, :func:`block_grid`, :func:`community_order`, and the
block-level views :func:`community_block_heatmap` and :func:`community_block_grid`
drawn instead of neuron-level heatmaps above :data:`HEATMAP_MAX_NEURONS` neurons) and
:func:`panel_figure` live in :mod:`community.plot_matrices` and are re-exported
here, so ``community.plot`` is the one import for every figure.

Figures are created with :class:`matplotlib.figure.Figure` (not ``pyplot``), so
no global figure list grows, and matplotlib is switched to the non-interactive
``Agg`` backend: these functions return figures, they never show them.
matplotlib and seaborn are imported inside the functions.

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
    heatmap_grid,
    panel_figure,
    weight_heatmap,
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
    "HEATMAP_MAX_NEURONS",
    "community_block_heatmap",
    "community_block_grid",
    "measure_vs_lr",
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

#: Axis labels for the table columns the report plots.
LABELS = {
    "learning_rate": "learning rate r",
    "step_fraction": "training time (fraction of the run)",
    "modularity": "modularity Q",
    "within_excess": "within-module weight / chance",
    "within_fraction": "within-module weight fraction",
    "offdiag_index": "off-diagonal block index",
    "n_communities": "number of communities",
    "largest_community_fraction": "largest community (fraction of neurons)",
    "q_z_shuffle": "Q z-score vs weight shuffle",
    "q_z_rewire": "Q z-score vs degree-preserving rewiring",
    "ari_seeds": "ARI with other seeds",
    "nmi_seeds": "NMI with other seeds",
    "ari_final": "ARI with the final partition",
    "weight_change": "||W - W0|| / ||W0||",
    "weight_abs_max": "max |w|",
    "weight_abs_mean": "mean |w|",
    "density": "density",
    "train_loss": "training loss",
    "test_loss": "test loss",
    "train_accuracy": "training accuracy",
    "test_accuracy": "test accuracy",
    "firing_iterations_mean": "firing settle iterations (mean)",
    "credit_iterations_mean": "credit settle iterations (mean)",
    "nonconverged": "non-converged samples",
    "settle_capped": "settles stopped at the cap",
    "participation": "participation coefficient P",
    "within_z": "within-module degree z",
}

# bootstrap samples of the CI bands of time series (one CI per time point; 1000 elsewhere)
_N_BOOT_TIME = 200


# --------------------------------------------------------------------------- helpers


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def _empty(ax: Axes, what: str) -> Axes:
    ax.text(0.5, 0.5, f"no data: {what}", ha="center", va="center", transform=ax.transAxes,
            color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _lr_cmap() -> Any:
    """viridis without its pale yellow end (readable on white)."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    return ListedColormap(colormaps["viridis"](np.linspace(0.0, 0.85, 256)), name="lr")


def _lr_norm(values: pd.Series) -> Any:
    """A log colour norm over the learning rates (linear if any is <= 0 or all equal)."""
    from matplotlib.colors import LogNorm, Normalize

    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if v.size == 0:
        return None
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        return None
    return LogNorm(lo, hi) if lo > 0 else Normalize(lo, hi)


def _tidy_legend(ax: Axes, title: str | None = None) -> None:
    """Small frameless legend; numeric labels written with ``:g`` (0.001, not 0.0010)."""
    leg = ax.get_legend()
    if leg is None:
        return
    handles, texts = leg.legend_handles, [t.get_text() for t in leg.get_texts()]
    labels = []
    for t in texts:
        try:
            labels.append(f"{float(t):g}")
        except ValueError:
            labels.append(_label(t) if t in LABELS else t)
    ax.legend(handles, labels, title=title, fontsize=7, title_fontsize=7, frameon=False)


def _time_column(df: pd.DataFrame, y: str) -> str | None:
    """``epoch`` if it has values where ``y`` has, else ``iteration``, else ``step``."""
    have = df[y].notna() if y in df else pd.Series(False, index=df.index)
    for x in ("epoch", "iteration", "step"):
        if x in df and (df[x].notna() & have).any():
            return x
    return None


# --------------------------------------------------------------------------- measures


def measure_vs_lr(df: pd.DataFrame, y: str, *, hue: str | None = None,
                  ax: Axes | None = None, logx: bool = True,
                  refline: float | str | None = "auto") -> Axes:
    """A measure against the learning rate: mean over seeds with its 95% CI.

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

    Returns
    -------
    Axes
        One line per hue level (markers at the learning rates, CI as error bars),
        plus the reference line if drawn.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"learning_rate": [0.01, 0.01, 0.1, 0.1],
    ...                    "within_excess": [1.5, 1.7, 1.1, 0.9]})
    >>> ax = measure_vs_lr(df, "within_excess")
    >>> [line.get_gid() for line in ax.lines if line.get_gid()], ax.get_xscale()
    (['refline'], 'log')
    >>> sorted(ax.lines[0].get_xdata().tolist())   # the mean line, one point per rate
    [0.01, 0.1]
    """
    import seaborn as sns

    ax = _new_axes(ax)
    if y not in df or "learning_rate" not in df or df[y].notna().sum() == 0:
        return _empty(ax, _label(y))
    data = df[df[y].notna()]
    sns.lineplot(data=data, x="learning_rate", y=y, hue=hue, errorbar=("ci", 95),
                 err_style="bars", marker="o", seed=0, ax=ax)
    if refline == "auto":
        refline = 1.0 if y == "within_excess" else None
    if refline is not None:
        ax.axhline(float(refline), ls="--", lw=1, color="0.45", zorder=0, gid="refline")
    if logx and (pd.to_numeric(data["learning_rate"]) > 0).all():
        ax.set_xscale("log")
    ax.set_xlabel(_label("learning_rate"))
    ax.set_ylabel(_label(y))
    return ax


def community_counts(df: pd.DataFrame, *, hue: str | None = None,
                     ax: Axes | None = None) -> Axes:
    """Number of communities against the learning rate: each seed, and the mean with CI.

    Parameters
    ----------
    df : DataFrame
        One row per run with ``learning_rate`` and ``n_communities``.
    hue : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes
        The mean line(s) plus one scatter collection of the individual runs.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"learning_rate": [0.1, 0.1, 1.0], "n_communities": [3, 4, 7]})
    >>> ax = community_counts(df)
    >>> ax.lines[0].get_ydata().tolist(), len(ax.collections[-1].get_offsets())
    ([3.5, 7.0], 3)
    """
    import seaborn as sns

    ax = _new_axes(ax)
    if "n_communities" not in df or df["n_communities"].notna().sum() == 0:
        return _empty(ax, "community counts")
    data = df[df["n_communities"].notna()]
    sns.lineplot(data=data, x="learning_rate", y="n_communities", hue=hue,
                 errorbar=("ci", 95), err_style="bars", seed=0, ax=ax, legend=hue is not None)
    sns.scatterplot(data=data, x="learning_rate", y="n_communities", hue=hue, alpha=0.5,
                    s=18, color="0.3" if hue is None else None, ax=ax, legend=False)
    if (pd.to_numeric(data["learning_rate"]) > 0).all():
        ax.set_xscale("log")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_label("learning_rate"))
    ax.set_ylabel(_label("n_communities"))
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
    import seaborn as sns

    ax = _new_axes(ax, (4.6, 3.8))
    need = {"participation", "within_z"}
    if not need <= set(neurons.columns):
        return _empty(ax, "participation / within-module z")
    data = neurons[np.isfinite(neurons["participation"].astype(float))
                   & np.isfinite(neurons["within_z"].astype(float))]
    if data.empty:
        return _empty(ax, "participation / within-module z")
    hue, palette, order = None, None, None
    if "role" in data:
        present = [str(r) for r in pd.unique(data["role"].astype(str))]
        order = [r for r in ROLE_ORDER if r in present] + sorted(
            r for r in present if r not in ROLE_ORDER)
        colours = sns.color_palette("tab10", len(ROLE_ORDER) + len(order))
        known = dict(zip(ROLE_ORDER, colours, strict=False))
        extra = iter(colours[len(ROLE_ORDER):])
        palette = {r: known[r] if r in known else next(extra) for r in order}
        hue = data["role"].astype(str)
    sns.scatterplot(data=data, x="participation", y="within_z", hue=hue, hue_order=order,
                    palette=palette, s=14, alpha=0.75, linewidth=0, ax=ax)
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
    if ax.get_legend() is not None:
        ax.legend(fontsize=6, title="role", title_fontsize=7, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), markerscale=0.8, frameon=False)
    return ax


def emergence(df: pd.DataFrame, y: str, *, ax: Axes | None = None,
              hue: str = "learning_rate") -> Axes:
    """A measure over training time (``step_fraction``), one line per learning rate.

    Lines are coloured on a logarithmic learning-rate scale; bands are the 95% CI
    over seeds.

    Parameters
    ----------
    df : DataFrame
        Rows of the ``snapshots`` table (all steps).
    y : str
        Column to plot.
    ax : Axes, optional
    hue : str
        Column for the colour (default ``"learning_rate"``).

    Returns
    -------
    Axes
        One line per hue level.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"step_fraction": [0, 1, 0, 1], "learning_rate": [0.01, 0.01, 1, 1],
    ...                    "modularity": [0.1, 0.4, 0.1, 0.2]})
    >>> ax = emergence(df, "modularity")
    >>> [line.get_ydata().tolist() for line in ax.lines[:2]]
    [[0.1, 0.4], [0.1, 0.2]]
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['0.01', '1']
    """
    import seaborn as sns

    ax = _new_axes(ax)
    if y not in df or "step_fraction" not in df or df[y].notna().sum() == 0:
        return _empty(ax, _label(y))
    data = df[df[y].notna()]
    use_hue = hue if hue in data and data[hue].nunique() > 0 else None
    norm = _lr_norm(data[use_hue]) if use_hue else None
    sns.lineplot(data=data, x="step_fraction", y=y, hue=use_hue, hue_norm=norm,
                 palette=_lr_cmap() if use_hue else None, errorbar=("ci", 95), marker="o",
                 markersize=4, n_boot=_N_BOOT_TIME, seed=0, ax=ax,
                 legend="full" if use_hue else False)
    _tidy_legend(ax, _label(hue))
    ax.set_xlabel(_label("step_fraction"))
    ax.set_ylabel(_label(y))
    return ax


# --------------------------------------------------------------------------- training


def training_curves(training: pd.DataFrame, *, y: str | None = None,
                    ax: Axes | None = None) -> Axes:
    """A training metric over time, one line per learning rate (95% CI over seeds).

    Time is ``epoch`` for supervised runs and ``iteration`` for noise-driven
    runs (whichever has values where ``y`` has).

    Parameters
    ----------
    training : DataFrame
        The ``training`` table (columns vary by task).
    y : str, optional
        Column; default the first present of ``train_loss``, ``test_accuracy``,
        ``weight_abs_max``, ``weight_abs_mean``.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({"epoch": [0, 1, 0, 1], "train_loss": [1.0, 0.5, 1.0, 0.8],
    ...                    "learning_rate": [0.1, 0.1, 0.01, 0.01], "seed": 0})
    >>> ax = training_curves(tr)
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('epoch', ['0.01', '0.1'])
    """
    import seaborn as sns

    ax = _new_axes(ax)
    if y is None:
        y = next((c for c in ("train_loss", "test_accuracy", "weight_abs_max",
                              "weight_abs_mean") if c in training and training[c].notna().any()),
                 None)
    x = _time_column(training, y) if y else None
    if y is None or x is None:
        return _empty(ax, _label(y or "training metrics"))
    data = training[training[x].notna() & training[y].notna()]
    hue = "learning_rate" if "learning_rate" in data else None
    norm = _lr_norm(data[hue]) if hue else None
    sns.lineplot(data=data, x=x, y=y, hue=hue, hue_norm=norm,
                 palette=_lr_cmap() if hue else None, errorbar=("ci", 95), n_boot=_N_BOOT_TIME,
                 seed=0, ax=ax,
                 legend="full" if hue else False)
    _tidy_legend(ax, _label("learning_rate"))
    if y.startswith("weight_abs") and (data[y] > 0).all():
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(_label(y))
    return ax


def convergence(training: pd.DataFrame, *, y: str = "iterations",
                ax: Axes | None = None) -> Axes:
    """Settle diagnostics over time, one colour per learning rate.

    Parameters
    ----------
    training : DataFrame
        The ``training`` table.
    y : str
        ``"iterations"`` (default): mean firing (solid) and credit (dashed) settle
        iterations; or a column such as ``"nonconverged"`` or ``"settle_capped"``.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({"iteration": [10, 20], "learning_rate": [0.1, 0.1],
    ...                    "firing_iterations_mean": [5.0, 6.0],
    ...                    "credit_iterations_mean": [7.0, 9.0]})
    >>> ax = convergence(tr)
    >>> [line.get_ydata().tolist() for line in ax.lines[:2]]
    [[5.0, 6.0], [7.0, 9.0]]
    """
    import seaborn as sns

    ax = _new_axes(ax)
    if y == "iterations":
        cols = [c for c in ("firing_iterations_mean", "credit_iterations_mean")
                if c in training and training[c].notna().any()]
        if not cols:
            return _empty(ax, "settle iterations")
        x = _time_column(training, cols[0])
        if x is None:
            return _empty(ax, "settle iterations")
        keep = [c for c in (x, "learning_rate", "seed", "run_id") if c in training]
        data = training.melt(id_vars=keep, value_vars=cols, var_name="process",
                             value_name="iterations")
        data["process"] = data["process"].str.replace("_iterations_mean", "", regex=False)
        data = data[data[x].notna() & data["iterations"].notna()]
        style, ylabel = "process", "settle iterations (mean per sample)"
    else:
        x = _time_column(training, y) if y in training else None
        if x is None:
            return _empty(ax, _label(y))
        data = training[training[x].notna() & training[y].notna()]
        style, ylabel = None, _label(y)
    hue = "learning_rate" if "learning_rate" in data else None
    norm = _lr_norm(data[hue]) if hue else None
    sns.lineplot(data=data, x=x, y=y, hue=hue, hue_norm=norm, style=style,
                 palette=_lr_cmap() if hue else None, errorbar=("ci", 95), n_boot=_N_BOOT_TIME,
                 seed=0, ax=ax,
                 legend="full" if hue or style else False)
    _tidy_legend(ax, None if style else _label("learning_rate"))
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    return ax
