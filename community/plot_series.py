"""Line figures over training time, and the helpers every line figure shares.

:func:`emergence` (a measure over the fraction of training), :func:`training_curves` and
:func:`convergence` (the ``training`` table over epochs or iterations) draw one line per
learning rate: the mean over the runs that ended "ok" with the 95% t-interval of that
mean as a band, and every run that did not (unstable, failed) on its own, dashed, so its
last weights never pass for a result. The intervals are computed once per figure from
the seed values (:func:`_mean_ci`: ``mean +- t(0.975, n - 1) sd / sqrt(n)``, no
resampling), which with a handful of seeds is both faster and more honest than a
bootstrap.

Draw only, like every ``plot*`` module: tables in, the :class:`~matplotlib.axes.Axes`
drawn on out (a new figure when ``ax`` is None); nothing is computed from the weights
or saved. :mod:`community.plot` re-exports the public names here, so ``community.plot``
is the one import for every figure. matplotlib and scipy are imported inside the
functions.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"step_fraction": [0.0, 1.0, 0.0, 1.0], "learning_rate": 0.1,
...                    "modularity": [0.1, 0.3, 0.1, 0.5]})
>>> ax = emergence(df, "modularity")
>>> ax.lines[0].get_ydata().tolist()
[0.1, 0.4]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from community.plot_matrices import _new_axes

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

__all__ = ["LABELS", "emergence", "training_curves", "convergence"]

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
    "q_max": "modularity (max, Louvain)",
    "block_assortativity": "block assortativity (SBM)",
    "block_disassortativity": "block disassortativity (SBM)",
    "hub_share": "hub share (top-10% strength)",
    "isolated_fraction": "isolated neurons (fraction)",
    "saturated_fraction": "saturated neurons (fraction)",
    "weight_growth": "max |w| / initial max |w|",
    "sbm_blocks": "SBM blocks",
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


def _lr_colours(values: pd.Series) -> dict[Any, Any]:
    """One colour per learning rate, on a log scale (linear if any is <= 0)."""
    from matplotlib.colors import LogNorm, Normalize

    levels = sorted(pd.unique(values.dropna()))
    v = np.asarray(levels, dtype=float)
    cmap = _lr_cmap()
    if v.size < 2 or v.min() == v.max():
        return {lv: cmap(0.0) for lv in levels}
    norm = LogNorm(v.min(), v.max()) if v.min() > 0 else Normalize(v.min(), v.max())
    return {lv: cmap(float(norm(x))) for lv, x in zip(levels, v, strict=True)}


def _lr_text(v: Any) -> str:
    """A learning rate, compactly: 0.0001, 0.00398, 251, 1e+04."""
    try:
        return f"{float(v):.3g}"
    except (TypeError, ValueError):
        return str(v)


def _t975(count: np.ndarray) -> np.ndarray:
    """The 97.5% quantile of Student's t with ``count - 1`` degrees of freedom (NaN below 2)."""
    from scipy.stats import t

    n = np.asarray(count, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n >= 2
    out[ok] = t.ppf(0.975, n[ok] - 1)
    return out


def _mean_ci(df: pd.DataFrame, by: list[str], y: str) -> pd.DataFrame:
    """Mean of the finite ``y`` per ``by`` group and its 95% t-interval.

    No resampling: ``mean +- t(0.975, n - 1) * sd / sqrt(n)`` over the rows of a group
    (the seeds), with sums per group in numpy (one pass; a pandas groupby per call costs
    more than the figure it feeds); ``lo``/``hi`` are NaN for a single row. Columns:
    ``by``, mean, std, count, lo, hi, sorted by ``by``.
    """
    if not by:
        raise ValueError("`by` must name at least one column")
    v = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(v) & df[by].notna().all(axis=1).to_numpy()
    v = v[keep]
    codes, levels = [], []
    for col in by:
        c, u = pd.factorize(df[col].to_numpy()[keep], sort=True)
        codes.append(c)
        levels.append(u)
    key = np.zeros(v.size, dtype=np.int64)
    for c, u in zip(codes, levels, strict=True):
        key = key * max(len(u), 1) + c
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    count = np.bincount(inv, minlength=uniq.size).astype(float)
    mean = np.bincount(inv, weights=v, minlength=uniq.size) / np.maximum(count, 1)
    dev = np.bincount(inv, weights=(v - mean[inv]) ** 2, minlength=uniq.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.where(count > 1, np.sqrt(dev / (count - 1)), np.nan)
        half = _t975(count) * std / np.sqrt(count)
    out = pd.DataFrame({col: u[c[first]] for col, c, u in zip(by, codes, levels, strict=True)})
    out["mean"], out["std"], out["count"] = mean, std, count.astype(int)
    out["lo"], out["hi"] = mean - half, mean + half
    return out


def _mean_line(ax: Axes, s: pd.DataFrame, x: str, *, color: Any, label: str,
               gid: str = "mean", band: bool = False, **kw: Any) -> Any:
    """Draw ``s`` (from :func:`_mean_ci`): the mean line, its CI as error bars or a band."""
    (line,) = ax.plot(s[x], s["mean"], color=color, label=label, gid=gid, **kw)
    has = s["lo"].notna().to_numpy()
    if has.any():
        if band:
            ax.fill_between(s[x][has], s["lo"][has], s["hi"][has], color=line.get_color(),
                            alpha=0.18, lw=0, gid="ci")
        else:
            c = ax.errorbar(s[x][has], s["mean"][has],
                            yerr=[(s["mean"] - s["lo"])[has], (s["hi"] - s["mean"])[has]],
                            fmt="none", ecolor=line.get_color(), elinewidth=1, capsize=2)
            for art in (*c.lines[1], *c.lines[2]):
                art.set_gid("ci")
    return line


def _lr_axis(ax: Axes, lrs: Any, logx: bool) -> None:
    """Learning-rate axis: log scale if asked (and all > 0), ticks at the rates shown."""
    from matplotlib.ticker import NullLocator

    v = np.unique(np.asarray(lrs, dtype=float))
    v = v[np.isfinite(v)]
    if logx and v.size and (v > 0).all():
        ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    if 0 < v.size <= 8:
        ax.set_xticks(v, [_lr_text(x) for x in v], fontsize=7)
    ax.set_xlabel(_label("learning_rate"))


def _tidy_y(ax: Axes) -> None:
    """At most about five y ticks, labelled as plain numbers (no mathtext on log axes)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

    scale = ax.get_yscale()
    if scale == "linear":
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    elif scale == "log":
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_locator(NullLocator())


def _tidy_x(ax: Axes, integer: bool = False) -> None:
    """At most about five x ticks on a linear (time) axis; whole numbers if ``integer``."""
    from matplotlib.ticker import MaxNLocator

    if ax.get_xscale() == "linear":
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=integer))


def _mark_unstable(ax: Axes, unstable: Any, logx: bool) -> None:
    """A grey band and an ``x`` at each learning rate whose runs were unstable."""
    v = np.unique(np.asarray(list(unstable), dtype=float))
    if not v.size:
        return
    log = logx and (v > 0).all()
    for x in v:
        lo, hi = (x / 1.25, x * 1.25) if log else (x - 0.02 * max(abs(x), 1e-12),
                                                   x + 0.02 * max(abs(x), 1e-12))
        ax.axvspan(lo, hi, color="0.88", zorder=0, lw=0, gid="unstable-band")
    ax.plot(v, np.full(v.size, 0.05), ls="none", marker="x", ms=7, mew=1.6, color="0.25",
            transform=ax.get_xaxis_transform(), gid="unstable", label="unstable: not analysed",
            clip_on=False)


def _legend(ax: Axes, title: str | None = None, extra: list[Any] | None = None) -> None:
    """Small frameless legend of the labelled artists (plus ``extra`` handles)."""
    handles, labels = ax.get_legend_handles_labels()
    for h in extra or []:
        handles.append(h)
        labels.append(h.get_label())
    if handles:
        ax.legend(handles, labels, title=title, fontsize=7, title_fontsize=7, frameon=False)


def _time_column(df: pd.DataFrame, y: str) -> str | None:
    """``epoch`` if it has values where ``y`` has, else ``iteration``, else ``step``."""
    have = df[y].notna() if y in df else pd.Series(False, index=df.index)
    for x in ("epoch", "iteration", "step"):
        if x in df and (df[x].notna() & have).any():
            return x
    return None


def _is_unstable(df: pd.DataFrame) -> pd.Series:
    """Rows of runs that did not end "ok" (``run_status``; all False without the column)."""
    if "run_status" not in df:
        return pd.Series(False, index=df.index)
    return df["run_status"].fillna("ok").astype(str) != "ok"


def _over_time(ax: Axes, data: pd.DataFrame, x: str, y: str, *, by: list[str] | None = None,
               styles: Mapping[Any, str] | None = None) -> list[Any]:
    """Mean over seeds of ``y`` against ``x`` with a 95% band, one line per learning rate
    (and per ``by`` level, drawn with ``styles[level]``); unstable runs one dashed line
    each. Returns the extra legend handles."""
    from matplotlib.lines import Line2D

    by = by or []
    hue = "learning_rate" if "learning_rate" in data else None
    colours = _lr_colours(data[hue]) if hue else {}
    bad = _is_unstable(data)
    ok, unstable = data[~bad], data[bad]
    keys = [hue] if hue else []
    if len(ok):
        s = _mean_ci(ok, keys + by + [x], y)
        groups = [(k if isinstance(k, tuple) else (k,), g)
                  for k, g in (s.groupby(keys + by, sort=True) if keys + by else [((), s)])]
        if styles and by:  # the styles' order (firing before credit), within each rate
            order = list(styles)
            groups.sort(key=lambda kg: (kg[0][:-1], order.index(kg[0][-1])))
        for key, g in groups:
            lr = key[0] if hue else None
            style = styles[key[-1]] if styles and by else "-"
            label = (_lr_text(lr) if hue and (not by or key[-1] == next(iter(styles)))
                     else "_nolegend_")
            _mean_line(ax, g, x, color=colours.get(lr, "C0"), label=label, band=True,
                       ls=style, lw=1.4)
    extra = []
    if len(unstable):
        run = "run_id" if "run_id" in unstable else ("seed" if "seed" in unstable else None)
        named: set[Any] = set()
        for key, g in unstable.groupby(keys + ([run] if run else []) + by, sort=True):
            key = key if isinstance(key, tuple) else (key,)
            lr = key[0] if hue else None
            g = g.sort_values(x)
            ax.plot(g[x], g[y], ls=(0, (4, 2)) if not by else ":", lw=1.1,
                    color=colours.get(lr, "0.3"), gid="unstable-run", label="_nolegend_")
            if hue and lr not in set(ok[hue]) and lr not in named:  # no stable run
                named.add(lr)
                ax.plot([], [], color=colours[lr], ls=(0, (4, 2)) if not by else ":",
                        label=f"{_lr_text(lr)} (unstable)")
        extra.append(Line2D([], [], color="0.3", lw=1.1, ls=(0, (4, 2)) if not by else ":",
                            label="unstable run (not analysed)"))
    return extra


def emergence(df: pd.DataFrame, y: str, *, ax: Axes | None = None,
              hue: str = "learning_rate", legend: bool = True) -> Axes:
    """A measure over training time (``step_fraction``), one line per learning rate.

    Lines are coloured on a logarithmic learning-rate scale; bands are the 95%
    t-interval of the mean over seeds at each time point.

    Parameters
    ----------
    df : DataFrame
        Rows of the ``snapshots`` table (all steps).
    y : str
        Column to plot.
    ax : Axes, optional
    hue : str
        Column for the colour (default ``"learning_rate"``).
    legend : bool
        Draw the legend (``False`` for panels that share another's).

    Returns
    -------
    Axes
        One line per hue level (gid ``"mean"``) with its band (gid ``"ci"``).

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
    ax = _new_axes(ax)
    if y not in df or "step_fraction" not in df or df[y].notna().sum() == 0:
        return _empty(ax, _label(y))
    data = df[df[y].notna()]
    if hue != "learning_rate" and hue in data:
        data = data.drop(columns=["learning_rate"], errors="ignore").rename(
            columns={hue: "learning_rate"})
    extra = _over_time(ax, data, "step_fraction", y)
    if legend:
        _legend(ax, _label(hue), extra)
    _tidy_y(ax)
    _tidy_x(ax)
    ax.set_xlabel(_label("step_fraction"))
    ax.set_ylabel(_label(y))
    return ax


# --------------------------------------------------------------------------- training


def training_curves(training: pd.DataFrame, *, y: str | None = None,
                    ax: Axes | None = None, legend: bool = True) -> Axes:
    """A training metric over time, one line per learning rate; unstable runs dashed.

    Time is ``epoch`` for supervised runs and ``iteration`` for noise-driven runs
    (whichever has values where ``y`` has). Runs that ended "ok" are pooled per
    learning rate (mean over seeds, band: 95% t-interval); a run whose ``run_status``
    is not "ok" (unstable or failed: not analysed) is drawn on its own, dashed, in its
    learning rate's colour, so its last weights never pass for a result.

    Parameters
    ----------
    training : DataFrame
        The ``training`` table (columns vary by task; ``run_status`` optional).
    y : str, optional
        Column; default the first present of ``train_loss``, ``test_accuracy``,
        ``weight_abs_max``, ``weight_abs_mean``.
    ax : Axes, optional
    legend : bool
        Draw the legend (``False`` for panels that share another's).

    Returns
    -------
    Axes
        Mean lines (gid ``"mean"``), bands (gid ``"ci"``) and one line per unstable run
        (gid ``"unstable-run"``; legend entry ``"unstable run (not analysed)"``).

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({"epoch": [0, 1] * 3, "train_loss": [1.0, 0.5, 1.0, 0.8, 1.0, 9.0],
    ...                    "learning_rate": [0.1, 0.1, 0.01, 0.01, 0.01, 0.01],
    ...                    "seed": [0, 0, 0, 0, 1, 1],
    ...                    "run_status": ["ok"] * 4 + ["unstable"] * 2})
    >>> ax = training_curves(tr)
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('epoch', ['0.01', '0.1', 'unstable run (not analysed)'])
    >>> [ln.get_ydata().tolist() for ln in ax.lines if ln.get_gid() == "unstable-run"]
    [[1.0, 9.0]]
    """
    ax = _new_axes(ax)
    if y is None:
        y = next((c for c in ("train_loss", "test_accuracy", "weight_abs_max",
                              "weight_abs_mean") if c in training and training[c].notna().any()),
                 None)
    x = _time_column(training, y) if y else None
    if y is None or x is None:
        return _empty(ax, _label(y or "training metrics"))
    data = training[training[x].notna() & training[y].notna()]
    extra = _over_time(ax, data, x, y)
    if legend:
        _legend(ax, _label("learning_rate"), extra)
    _tidy_x(ax, integer=True)
    if y.startswith("weight_abs") and (data[y] > 0).all():
        from matplotlib.ticker import NullLocator

        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())
    _tidy_y(ax)
    ax.set_xlabel(x)
    ax.set_ylabel(_label(y))
    return ax


def convergence(training: pd.DataFrame, *, y: str = "iterations",
                ax: Axes | None = None, legend: bool = True) -> Axes:
    """Settle diagnostics over time, one colour per learning rate; unstable runs dotted.

    Parameters
    ----------
    training : DataFrame
        The ``training`` table.
    y : str
        ``"iterations"`` (default): mean firing (solid) and credit (dashed) settle
        iterations; or a column such as ``"nonconverged"`` or ``"settle_capped"``.
    ax : Axes, optional
    legend : bool
        Draw the legend (``False`` for panels that share another's).

    Returns
    -------
    Axes
        Mean lines (gid ``"mean"``) with bands; runs that did not end "ok" one dotted
        line each (gid ``"unstable-run"``).

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({"iteration": [10, 20], "learning_rate": [0.1, 0.1],
    ...                    "firing_iterations_mean": [5.0, 6.0],
    ...                    "credit_iterations_mean": [7.0, 9.0]})
    >>> ax = convergence(tr)
    >>> [line.get_ydata().tolist() for line in ax.lines[:2]]
    [[5.0, 6.0], [7.0, 9.0]]
    >>> [line.get_linestyle() for line in ax.lines[:2]]
    ['-', '--']
    """
    from matplotlib.lines import Line2D

    ax = _new_axes(ax)
    styles = None
    if y == "iterations":
        cols = [c for c in ("firing_iterations_mean", "credit_iterations_mean")
                if c in training and training[c].notna().any()]
        if not cols:
            return _empty(ax, "settle iterations")
        x = _time_column(training, cols[0])
        if x is None:
            return _empty(ax, "settle iterations")
        keep = [c for c in (x, "learning_rate", "seed", "run_id", "run_status")
                if c in training]
        data = training.melt(id_vars=keep, value_vars=cols, var_name="process",
                             value_name="iterations")
        data["process"] = data["process"].str.replace("_iterations_mean", "", regex=False)
        data = data[data[x].notna() & data["iterations"].notna()]
        styles = {p: s for p, s in zip(("firing", "credit"), ("-", "--"), strict=True)
                  if p in set(data["process"])}
        ylabel = "settle iterations (mean per sample)"
    else:
        x = _time_column(training, y) if y in training else None
        if x is None:
            return _empty(ax, _label(y))
        data = training[training[x].notna() & training[y].notna()]
        ylabel = _label(y)
    extra = _over_time(ax, data, x, y, by=["process"] if styles else None, styles=styles)
    if styles:
        extra += [Line2D([], [], color="0.3", ls=s, label=p) for p, s in styles.items()]
    if legend:
        _legend(ax, _label("learning_rate"), extra)
    _tidy_y(ax)
    _tidy_x(ax, integer=True)
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    return ax
