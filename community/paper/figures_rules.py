"""Figures of the supervised rule comparison (the predictions' figures are in
:mod:`community.paper.figures_predictions`).

Drawn from the ``rules_*`` tables of :func:`community.paper.rules.rules_tables` only (stage 1,
``rules_selection``/``rules_chosen``: the rate chosen on a validation split; stage 2, the
other tables: each rule at its chosen rate on the test split). Every function takes the tables
(name -> DataFrame) and an output directory, writes one PNG atomically and returns its
path, or None when the tables it needs are missing or empty. One panel per
(data set, graph family) unless stated; rules keep one colour throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from community.paper.figures_phase import draw_each, save_png
from community.plot import ROLE_ORDER
from community.plot_matrices import panel_figure

__all__ = ["RULE_ORDER", "rules_selection", "rules_accuracy", "rules_curves", "rules_alignment",
           "rules_structure", "draw_all"]

#: the rules in the order (and colours C0, C1, ...) they are drawn
RULE_ORDER = ("balance", "balance-exact", "fa", "sign-concordant", "dfa")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _frame(tables: Mapping[str, Any], name: str, need: set[str]) -> pd.DataFrame:
    df = tables.get(name) if isinstance(tables, Mapping) else None
    if not isinstance(df, pd.DataFrame) or df.empty:
        return pd.DataFrame()
    if "test_accuracy_all" in df:  # every test sample, unsettled ones counted wrong
        df = df.assign(test_accuracy=df["test_accuracy_all"])
    if not need <= set(df.columns):
        return pd.DataFrame()
    return df


def _rules(df: pd.DataFrame) -> list[str]:
    present = {str(r) for r in df["rule"].dropna()}
    return [r for r in RULE_ORDER if r in present] + sorted(present - set(RULE_ORDER))


def _style(rule: str) -> dict:
    k = RULE_ORDER.index(rule) if rule in RULE_ORDER else len(RULE_ORDER) + sum(map(ord, rule))
    return {"color": f"C{k % 10}", "marker": _MARKERS[k % len(_MARKERS)]}


def _pairs(df: pd.DataFrame) -> list[tuple[str, str]]:
    return sorted({(str(d), str(g)) for d, g in zip(df["data"], df["graph"], strict=True)})


def _grid(n: int, size: tuple[float, float] = (4.4, 3.5)) -> tuple[Any, list]:
    return panel_figure(n, ncols=min(n, 2 if n == 4 else 3), panel_size=size)


def _lr_ticks(ax: Any, lrs: Any) -> None:
    """Log x axis with a labelled tick at each learning rate used (and room around them)."""
    from matplotlib.ticker import NullLocator

    v = np.unique(np.asarray(lrs, dtype=float))
    ax.set_xscale("log")
    ax.set_xticks(v, [f"{x:g}" for x in v])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(v.min() / 1.6, v.max() * 1.6)


def _shared_legend(fig: Any, axes: list, ncols: int = 5) -> None:
    seen: dict[str, Any] = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=ncols,
                   fontsize=7, frameon=False)


def _chosen_lr(tables: Mapping[str, Any]) -> dict[tuple[str, str, str], float]:
    """(data, graph, rule) -> the rate stage 2 ran (``rules_chosen``: ``stage2_rate``, else
    the chosen ``learning_rate``)."""
    ch = _frame(tables, "rules_chosen", {"data", "graph", "rule", "learning_rate"})
    out = {}
    for r in ch.itertuples(index=False):
        lr = float(getattr(r, "stage2_rate", np.nan))
        out[(str(r.data), str(r.graph), str(r.rule))] = (
            lr if np.isfinite(lr) else float(r.learning_rate))
    return out


def _t_half(v: np.ndarray) -> float:
    """Half-width of the 95% t interval of the mean of ``v`` (NaN below 2 values)."""
    from scipy import stats as sps

    v = v[np.isfinite(v)]
    if v.size < 2:
        return float("nan")
    return float(sps.t.ppf(0.975, v.size - 1) * np.std(v, ddof=1) / np.sqrt(v.size))


def rules_selection(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Stage 1: validation accuracy vs learning rate per rule, the chosen rate ringed.

    A point per seed (``score``: every validation sample, unsettled ones wrong; a run that
    did not end ``ok`` is a cross at its score, 0), a line through the means per rate.

    Parameters
    ----------
    tables : mapping
        Needs ``rules_selection``; ``rules_chosen`` for the rings (else the best mean).
    out_dir : Path

    Returns
    -------
    Path or None
        ``rules_selection.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> rules_selection({}, Path(tempfile.mkdtemp())) is None
    True
    """
    sel = _frame(tables, "rules_selection", {"data", "graph", "rule", "learning_rate",
                                             "score"})
    sel = sel[sel["learning_rate"] > 0] if not sel.empty else sel
    if sel.empty or not sel["score"].notna().any():
        return None
    chosen = _frame(tables, "rules_chosen", {"data", "graph", "rule", "learning_rate"})
    edge = {(str(r.data), str(r.graph), str(r.rule)): str(getattr(r, "edge", ""))
            for r in chosen.itertuples(index=False)}
    pick = {(str(r.data), str(r.graph), str(r.rule)): float(r.learning_rate)
            for r in chosen.itertuples(index=False)}
    pairs = _pairs(sel)
    rules = _rules(sel)
    fig, axes = _grid(len(pairs))
    for ax, (d, g) in zip(axes, pairs, strict=True):
        sub = sel[(sel["data"] == d) & (sel["graph"] == g)]
        for k, rule in enumerate(rules):
            r = sub[sub["rule"] == rule]
            if r.empty:
                continue
            st = _style(rule)
            jitter = 10 ** (0.03 * (k - (len(rules) - 1) / 2))
            ok = (r["status"] == "ok") if "status" in r else pd.Series(True, index=r.index)
            score = r["score"].astype(float)
            ax.scatter(r["learning_rate"][ok] * jitter, score[ok], s=14, alpha=0.5,
                       color=st["color"], marker=st["marker"], lw=0)
            if (~ok).any():
                ax.scatter(r["learning_rate"][~ok] * jitter, score[~ok].fillna(0.0), s=22,
                           color=st["color"], marker="x", lw=1)
            mean = r.groupby("learning_rate")["score"].mean().dropna().sort_index()
            if mean.empty:
                continue
            lr = pick.get((d, g, rule), float(mean.idxmax()))
            at = edge.get((d, g, rule), "")
            label = f"{rule} (r = {lr:g}{', ' + at + ' edge' if at in ('low', 'high') else ''})"
            ax.plot(mean.index * jitter, mean.to_numpy(), color=st["color"], lw=1.2,
                    marker=st["marker"], ms=4, label=label)
            near = np.isclose(mean.index.to_numpy(dtype=float), lr)
            if near.any():
                ax.scatter(lr * jitter, mean.to_numpy()[near][0], s=130, facecolors="none",
                           edgecolors=st["color"], lw=1.6, zorder=3)
        _lr_ticks(ax, sub["learning_rate"])
        ax.set_xlabel("learning rate r")
        ax.set_ylabel("validation accuracy, final epoch\n(unsettled samples count wrong)")
        ax.set_title(f"{d}, {g} graph", fontsize=9)
        ax.legend(fontsize=6, frameon=False, loc="best")
    fig.suptitle("Stage 1, rate selection on the validation split (points: seeds; line: "
                 "mean; ring: chosen rate; ×: failed or diverged run, scored 0)", fontsize=10)
    return save_png(fig, out_dir, "rules_selection.png")


def rules_accuracy(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Stage 2: test accuracy per rule at its chosen rate: a point per seed, the mean with
    its 95% t interval, and a star over a rule whose difference from balance-exact is
    significant after Holm's adjustment (``rules_tests``).

    The accuracy is ``scored_accuracy`` when present (every test sample, unsettled ones
    wrong; 0 for a run that failed or diverged, drawn as a cross).

    Parameters
    ----------
    tables : mapping
        Needs ``rules_runs``; ``rules_tests`` for the stars.
    out_dir : Path

    Returns
    -------
    Path or None
        ``rules_accuracy.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> rules_accuracy({}, Path(tempfile.mkdtemp())) is None
    True
    """
    runs = _frame(tables, "rules_runs", {"data", "graph", "rule", "test_accuracy"})
    if not runs.empty and "scored_accuracy" in runs:
        runs = runs.assign(test_accuracy=runs["scored_accuracy"])
    if runs.empty or not runs["test_accuracy"].notna().any():
        return None
    tests = _frame(tables, "rules_tests", {"data", "graph", "rule", "significant"})
    star = {(str(r.data), str(r.graph), str(r.rule)) for r in tests.itertuples(index=False)
            if r.significant is True or r.significant == 1}
    pairs = _pairs(runs)
    rules = _rules(runs)
    fig, axes = _grid(len(pairs))
    rng = np.random.default_rng(0)
    for ax, (d, g) in zip(axes, pairs, strict=True):
        sub = runs[(runs["data"] == d) & (runs["graph"] == g)]
        labels = []
        for k, rule in enumerate(rules):
            r = sub[sub["rule"] == rule]
            lrs = sorted(set(r["learning_rate"].dropna())) if "learning_rate" in r else []
            labels.append(rule + ("\nr = " + ", ".join(f"{v:g}" for v in lrs) if lrs else ""))
            if r.empty:
                continue
            st = _style(rule)
            ok = ((r["status"] == "ok") if "status" in r
                  else pd.Series(True, index=r.index)).to_numpy()
            acc = r["test_accuracy"].astype(float).to_numpy()
            x = k + rng.uniform(-0.15, 0.15, len(r))
            good = ok & np.isfinite(acc)
            ax.scatter(x[good], acc[good], s=16, alpha=0.6, lw=0, color=st["color"],
                       marker=st["marker"])
            if (~good).any():
                ax.scatter(x[~good], np.nan_to_num(acc[~good]), s=22, marker="x", lw=1,
                           color=st["color"])
            v = acc[np.isfinite(acc)]
            if v.size:
                half = _t_half(v)
                top = v.mean() + (half if np.isfinite(half) else 0.0)
                ax.errorbar(k + 0.3, v.mean(), yerr=half if np.isfinite(half) else None,
                            color=st["color"], marker="_", ms=12, capsize=3, lw=1.3)
                if (d, g, rule) in star:
                    ax.annotate("*", (k + 0.3, top), ha="center", va="bottom", fontsize=12,
                                color=st["color"])
        ref = sub.loc[sub["rule"] == "balance-exact", "test_accuracy"].astype(float).dropna()
        if len(ref):
            ax.axhline(ref.mean(), color="0.6", lw=0.7, ls=":", zorder=0)
        ax.set_xticks(range(len(rules)), labels, rotation=30, ha="right", fontsize=7)
        ax.set_xlim(-0.6, len(rules) - 0.2)
        ax.set_ylabel("test accuracy, final epoch\n(unsettled samples count wrong)")
        ax.set_title(f"{d}, {g} graph", fontsize=9)
    fig.suptitle("Stage 2, test accuracy at each rule's chosen rate (points: seeds; bar: mean "
                 "± 95% t interval;\n*: differs from balance-exact (dotted: its mean), Holm p "
                 "< 0.05; ×: failed or diverged run, scored 0)", fontsize=9)
    return save_png(fig, out_dir, "rules_accuracy.png")


def _over_epochs(tables: Mapping[str, Any], name: str, y: str, *, ylabel: str, title: str,
                 out: str, out_dir: Path, note: Any = None) -> Path | None:
    """Per (data, graph) panel: ``y`` vs epoch per rule at its chosen learning rate,
    mean line and min-max band over seeds."""
    from matplotlib.ticker import MaxNLocator

    df = _frame(tables, name, {"data", "graph", "rule", "learning_rate", "epoch", y})
    if df.empty or not df[y].notna().any():
        return None
    chosen = _chosen_lr(tables)
    pairs = _pairs(df)
    fig, axes = _grid(len(pairs))
    for ax, (d, g) in zip(axes, pairs, strict=True):
        sub = df[(df["data"] == d) & (df["graph"] == g)]
        for rule in _rules(sub):
            r = sub[sub["rule"] == rule]
            lr = chosen.get((d, g, rule))
            if lr is not None and np.isclose(r["learning_rate"], lr).any():
                r = r[np.isclose(r["learning_rate"], lr)]
            else:  # no recorded choice: the smallest learning rate present
                lr = float(r["learning_rate"].min())
                r = r[r["learning_rate"] == lr]
            agg = r.groupby("epoch")[y].agg(["mean", "min", "max"]).dropna()
            if agg.empty:
                continue
            st = _style(rule)
            ax.plot(agg.index, agg["mean"], color=st["color"], marker=st["marker"], ms=3,
                    lw=1.3, label=f"{rule} (r = {lr:g})",
                    mfc="none" if rule == "balance-exact" else None)
            ax.fill_between(agg.index, agg["min"], agg["max"], color=st["color"], alpha=0.12,
                            lw=0)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(ylabel)
        ax.set_title(f"{d}, {g} graph", fontsize=9)
        ax.legend(fontsize=6, frameon=False, loc="best")
        if note is not None:
            note(ax, g)
    fig.suptitle(title + " (mean, band: min-max over seeds; each rule at its chosen "
                 "learning rate)", fontsize=10)
    return save_png(fig, out_dir, out)


def rules_curves(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Test accuracy vs epoch per rule, each at its chosen learning rate (stage 2).

    Parameters
    ----------
    tables : mapping
        Needs ``rules_curves`` (and ``rules_chosen`` for the rate each rule ran at).
    out_dir : Path

    Returns
    -------
    Path or None
        ``rules_curves.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> rules_curves({}, Path(tempfile.mkdtemp())) is None
    True
    """
    return _over_epochs(tables, "rules_curves", "test_accuracy",
                        ylabel="test accuracy (unsettled samples count wrong)",
                        title="Learning curves", out="rules_curves.png", out_dir=out_dir)


def _alignment_note(ax: Any, graph: str) -> None:
    ax.set_ylim(min(0.0, ax.get_ylim()[0]) - 0.05, 1.05)
    ax.axhline(1.0, color="0.7", lw=0.6, ls=":")


def rules_alignment(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Cosine between each rule's update and the exact gradient (all synapses) vs epoch.

    Parameters
    ----------
    tables : mapping
        Needs ``rules_alignment`` (and ``rules_chosen`` for the rate each rule ran at).
    out_dir : Path

    Returns
    -------
    Path or None
        ``rules_alignment.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> rules_alignment({}, Path(tempfile.mkdtemp())) is None
    True
    """
    return _over_epochs(tables, "rules_alignment", "cosine", note=_alignment_note,
                        ylabel="cosine(rule's Δw, −∂L/∂w), all synapses",
                        title="Alignment with the exact gradient: balance-exact IS the "
                              "gradient (cosine = 1 by construction);\non layered graphs "
                              "balance = balance-exact. ", out="rules_alignment.png",
                        out_dir=out_dir)


def _strip(ax: Any, df: pd.DataFrame, y: str, rules: list[str], rng: np.random.Generator) -> None:
    for k, rule in enumerate(rules):
        v = df.loc[df["rule"] == rule, y].astype(float).dropna()
        if v.empty:
            continue
        st = _style(rule)
        ax.scatter(k + rng.uniform(-0.15, 0.15, v.size), v, s=16, alpha=0.7, lw=0, **st)
        ax.hlines(v.mean(), k - 0.3, k + 0.3, color=st["color"], lw=1.5)
    ax.set_xticks(range(len(rules)), rules, rotation=30, ha="right", fontsize=7)


def rules_structure(tables: Mapping[str, Any], out_dir: Path) -> Path | None:
    """Community structure of the hidden-to-hidden weights of recurrent graphs per rule:
    modularity, its z-score against weight shuffles, within-module excess (a point per run)
    and the share of each node role.

    Parameters
    ----------
    tables : mapping
        Needs ``rules_structure`` and/or ``rules_roles``.
    out_dir : Path

    Returns
    -------
    Path or None
        ``rules_structure.png``; None without data.

    Examples
    --------
    >>> import tempfile
    >>> rules_structure({}, Path(tempfile.mkdtemp())) is None
    True
    """
    st = _frame(tables, "rules_structure", {"data", "graph", "rule"})
    roles = _frame(tables, "rules_roles", {"data", "graph", "rule", "role", "share"})
    st = st[st["graph"] == "recurrent"] if not st.empty else st
    roles = roles[roles["graph"] == "recurrent"] if not roles.empty else roles
    if st.empty and roles.empty:
        return None
    datas = sorted({*map(str, st.get("data", [])), *map(str, roles.get("data", []))})
    rules = _rules(pd.concat([st.get("rule", pd.Series()), roles.get("rule", pd.Series())])
                   .to_frame("rule"))
    graph = "|W|, Leiden modularity"
    if {"weight_mode", "quality"} <= set(st.columns):
        mode, quality = str(st["weight_mode"].iloc[0]), str(st["quality"].iloc[0])
        graph = f"{'|W|' if mode == 'abs' else mode} W, Leiden {quality}"
    cols = (("modularity", "modularity Q"), ("q_z_shuffle", "Q z-score vs weight shuffles"),
            ("within_excess", "within-module |w| / chance"))
    fig, axes = panel_figure(4 * len(datas), ncols=4, panel_size=(3.6, 3.3))
    rng = np.random.default_rng(0)
    for i, d in enumerate(datas):
        sd = st[st["data"] == d] if not st.empty else st
        for j, (col, label) in enumerate(cols):
            ax = axes[4 * i + j]
            if sd.empty or col not in sd or not sd[col].notna().any():
                ax.text(0.5, 0.5, f"no data: {col}", ha="center", transform=ax.transAxes)
                continue
            _strip(ax, sd, col, rules, rng)
            if col == "q_z_shuffle":
                for yv, ls in ((0, "-"), (2, ":"), (-2, ":")):
                    ax.axhline(yv, color="0.6", lw=0.7, ls=ls)
            ax.set_ylabel(f"{label}\n(hidden→hidden {graph})", fontsize=7.5)
            ax.set_title(f"{d}, recurrent: {label}", fontsize=8.5)
        ax = axes[4 * i + 3]
        rd = roles[roles["data"] == d] if not roles.empty else roles
        if rd.empty:
            ax.text(0.5, 0.5, "no data: roles", ha="center", transform=ax.transAxes)
            continue
        share = rd.groupby(["rule", "role"])["share"].mean().unstack(fill_value=0.0)
        share = share.div(share.sum(axis=1), axis=0).reindex([r for r in rules
                                                              if r in share.index])
        present = [r for r in ROLE_ORDER if r in share] + sorted(set(share) - set(ROLE_ORDER))
        bottom = np.zeros(len(share))
        for role in present:
            k = ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
            ax.bar(range(len(share)), share[role], bottom=bottom, color=f"C{k % 10}",
                   label=role, width=0.7)
            bottom += share[role].to_numpy()
        ax.set_xticks(range(len(share)), share.index, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("share of hidden neurons (mean over runs)", fontsize=7.5)
        ax.set_title(f"{d}, recurrent: Guimerà–Amaral roles", fontsize=8.5)
        ax.legend(fontsize=5.5, frameon=False, loc="lower left", bbox_to_anchor=(1.0, 0.0))
    fig.suptitle("Community structure of the trained hidden→hidden weights per rule "
                 "(points: runs; bars: mean)", fontsize=10)
    return save_png(fig, out_dir, "rules_structure.png")


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
    return draw_each((rules_selection, rules_accuracy, rules_curves, rules_alignment,
                      rules_structure), tables, out_dir)
