"""The sections of the sweep report: what each one shows, built from the loaded inputs.

:mod:`community.report.build` loads the tables and settings into an ``_Inputs``,
calls each section builder in order and renders the ``_Section`` objects they return
with the template files. This module holds that content model (``_Item``,
``_Section``, ``_Inputs``), the helpers the sections share (loading a snapshot, the
run chosen per learning rate), and the builders of the summary; communities; roles;
emergence over training; training and convergence; regimes; skipped; configuration and
provenance. The verdicts the report opens with, the structure-against-learning-rate
figures and the null models are in :mod:`community.report.verdicts`, the weight matrices
(Leiden order beside block-model order) and block matrices in
:mod:`community.report.matrices`, the interactive network view in
:mod:`community.report.network_section`. Figures are drawn with :mod:`community.plot`
and kept in memory as PNG bytes (the network view's as plotly HTML); nothing here
writes files.

Only analysed runs are drawn: :mod:`community.report.build` drops every run whose
``run_status`` is not "ok" from the snapshots, neurons and blocks tables before any
section runs, so an unstable run's last weights never appear as a result; the training
curves keep such runs, drawn dashed.

Everything but :data:`FIGURE_DIR` (re-exported by :mod:`community.report`) is
private to the report package.

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> tables = {name: pd.DataFrame() for name in ("snapshots", "regimes", "skipped")}
>>> inp = _Inputs(sweep=Path("."), tables=tables, settings={}, describe="")
>>> [item.text for item in _skipped(inp).items]
['Nothing was skipped.']
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import wiring.runs as runs
from community import plot
from community.report import network_view
from wiring.errors import WiringError

__all__ = ["FIGURE_DIR"]

FIGURE_DIR = "figures"

_SKIP_COLUMNS = ["run_id", "group", "stage", "reason"]
_DPI = 80


# --------------------------------------------------------------------------- content model


@dataclass
class _Item:
    """One element of a section; ``kind`` is "text", "figure", "table", "code",
    "terms" (``rows`` of ``[term, definition]``) or "interactive" (``html``: a plotly
    figure's div and script, see :mod:`community.report.network_view`)."""

    kind: str
    text: str = ""
    caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    lang: str = ""
    png: bytes = b""
    file: str = ""
    number: int = 0
    html: str = ""

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class _Section:
    id: str
    title: str
    items: list[_Item] = field(default_factory=list)

    def text(self, text: str) -> None:
        self.items.append(_Item("text", text=text))

    def code(self, caption: str, text: str, lang: str = "") -> None:
        self.items.append(_Item("code", caption=caption, text=text, lang=lang))

    def table(self, caption: str, df: pd.DataFrame) -> None:
        rows = [[_fmt(v) for v in r] for r in df.itertuples(index=False, name=None)]
        columns = [str(c).replace("_", " ") for c in df.columns]
        self.items.append(_Item("table", caption=caption, columns=columns, rows=rows))


@dataclass
class _Inputs:
    sweep: Path
    tables: dict[str, pd.DataFrame]
    settings: dict[str, Any]
    describe: str
    skipped: list[dict[str, str]] = field(default_factory=list)
    figures: list[_Item] = field(default_factory=list)
    chosen: dict[tuple[str, float], pd.Series] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    heatmap_max_neurons: int = plot.HEATMAP_MAX_NEURONS
    network_max_neurons: int = network_view.NETWORK_MAX_NEURONS
    network_max_edges: int = network_view.NETWORK_MAX_EDGES

    def figure(self, section: _Section, fig: Any, caption: str) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=_DPI)
        number = len(self.figures) + 1
        item = _Item("figure", caption=f"{caption} {self.describe}", png=buf.getvalue(),
                     number=number, file=f"{FIGURE_DIR}/fig-{number:02d}-{section.id}.png")
        self.figures.append(item)
        section.items.append(item)

    def skip(self, row: pd.Series, stage: str, reason: str) -> None:
        self.skipped.append({"run_id": str(row.get("run_id", "")),
                             "group": str(row.get("group", "")), "stage": stage,
                             "reason": reason})



# --------------------------------------------------------------------------- helpers


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        return "n/a" if not np.isfinite(v) else f"{float(v):.4g}"
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v)


def _lr(v: Any) -> str:
    """A learning rate, compactly (three significant digits): 0.00398, 251, 1e+04."""
    try:
        return f"{float(v):.3g}"
    except (TypeError, ValueError):
        return str(v)


def _group_name(g: Any) -> str:
    return str(g) if str(g) else "(single run)"


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _pretty_json(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=False)
    except ValueError:
        return text


def _final(snaps: pd.DataFrame) -> pd.DataFrame:
    if snaps.empty or "is_final" not in snaps:
        return snaps.iloc[0:0]
    return snaps[snaps["is_final"]]


def _groups(df: pd.DataFrame) -> list[Any]:
    """Groups of ``df``, noise-task groups first."""
    if df.empty:
        return []
    if "group" not in df:
        return [""]
    groups = sorted(pd.unique(df["group"].fillna("")), key=str)
    if "task" in df:
        noise = set(df.loc[df["task"] == "noise", "group"])
        groups.sort(key=lambda g: g not in noise)
    return groups


def _of(df: pd.DataFrame, group: Any) -> pd.DataFrame:
    return df[df["group"].fillna("") == group] if "group" in df else df


def _lrs(df: pd.DataFrame) -> list[Any]:
    return sorted(pd.unique(df["learning_rate"].dropna())) if "learning_rate" in df else []


def _grid(inp: _Inputs, sec: _Section, names: Sequence[str],
          draw: Callable[..., None], caption: str, *, one_legend: bool = False,
          gaps: tuple[float, float] = (0.95, 1.05),
          margins: tuple[float, float, float, float] = (0.8, 0.25, 0.55, 0.55)) -> None:
    """One figure with a panel per name, drawn by ``draw(name, ax)``.

    Fixed margins, no layout engine (:func:`community.plot.panel_figure`): the figure is
    drawn once when saved. With ``one_legend`` only the first panel draws a legend (the
    panels share their entries): ``draw(name, ax, legend=...)`` is called.
    """
    if not names:
        return
    fig, axes = plot.panel_figure(len(names), ncols=min(len(names), 3), panel_size=(4.4, 3.4),
                                  layout="fixed", gaps=gaps, margins=margins)
    for k, (name, ax) in enumerate(zip(names, axes, strict=True)):
        if one_legend:
            draw(name, ax, legend=k == 0)
        else:
            draw(name, ax)
    inp.figure(sec, fig, caption)


def _has_data(df: pd.DataFrame, col: str) -> bool:
    return col in df and pd.to_numeric(df[col], errors="coerce").notna().any()


# --------------------------------------------------------------------------- sections


def _status_counts(df: pd.DataFrame) -> str:
    if "run_status" not in df or df.empty:
        return ""
    per_run = df.drop_duplicates("run_id") if "run_id" in df else df
    return ", ".join(f"{k} {v}" for k, v in per_run["run_status"].value_counts().items())


def _summary(inp: _Inputs) -> _Section:
    sec = _Section("summary", "Summary")
    snaps, tabs = inp.tables["snapshots"], inp.tables
    runs_t = tabs.get("runs", pd.DataFrame())
    ids: set[str] = set()
    for name in ("runs", "snapshots", "training", "skipped"):
        if "run_id" in tabs.get(name, pd.DataFrame()):
            ids |= {str(r) for r in tabs.get(name, pd.DataFrame())["run_id"].dropna()}
    analysed = snaps["run_id"].nunique() if "run_id" in snaps else 0
    status = _status_counts(runs_t) or _status_counts(_final(snaps)) or "n/a"
    s = inp.settings
    sec.text(f"{len(ids)} runs ({status}); {analysed} analysed (only runs that ended 'ok' "
             f"are), {len(snaps)} analysed snapshots; skipped entries in the analysis "
             f"tables: {len(tabs['skipped'])}.")
    if inp.dropped:
        sec.text(f"{len(inp.dropped)} runs that did not end 'ok' had rows in the analysis "
                 "tables; they are left out of every figure and table but the training "
                 "curves (listed under Skipped).")
    if s:
        sec.text("Analysis settings: " + "; ".join(f"{k} = {v}" for k, v in s.items()) + ".")
    else:
        sec.text("No analysis settings.json was found; settings are taken from the tables.")
    sec.text(inp.describe + " W[i, j] is the weight onto neuron i from neuron j.")
    source = runs_t if {"run_id", "group"} <= set(runs_t.columns) and len(runs_t) else snaps
    if snaps.empty:
        sec.text("The snapshots table is empty or missing: nothing was analysed.")
        if source is snaps:
            return sec
    rows = []
    for g in _groups(source):
        d, sn = _of(source, g), _of(snaps, g)
        rows.append({
            "group": _group_name(g),
            "task": ", ".join(map(str, pd.unique(d["task"]))) if "task" in d else "",
            "rule": ", ".join(map(str, pd.unique(d["rule"]))) if "rule" in d else "",
            "learning rates": ", ".join(_lr(v) for v in _lrs(d)),
            "seeds": ", ".join(str(v) for v in sorted(pd.unique(d["seed"]))) if "seed" in d
            else "",
            "runs": d["run_id"].nunique() if "run_id" in d else len(_final(d)),
            "analysed": sn["run_id"].nunique() if "run_id" in sn else len(_final(sn)),
            "snapshots": len(sn),
            "status": _status_counts(d) or _status_counts(_final(d)),
        })
    sec.table(f"What ran, per group. {inp.describe}", pd.DataFrame(rows))
    return sec


def _snapshot_of(inp: _Inputs, row: pd.Series, what: str = "") -> Any | None:
    """The snapshot file of a table row, or None (the reason listed as skipped).

    ``what`` prefixes the reason (e.g. ``"network view: "``).
    """
    step = row["step"]
    path = row.get("snapshot_path")
    if not isinstance(path, str) or not path:
        inp.skip(row, "report", f"{what}no snapshot_path for step {step}")
        return None
    try:
        return runs.load_snapshot(path)
    except (WiringError, OSError) as exc:
        inp.skip(row, "report", f"{what}snapshot of step {step} not loaded: {exc}")
        return None


def _n_neurons(inp: _Inputs, row: pd.Series) -> int:
    """Neurons of one analysed snapshot, from the tables (no snapshot is read)."""
    n = row.get("n_nodes")
    if n is not None and pd.notna(n):
        return int(n)
    nrn = inp.tables["neurons"]
    if {"run_id", "step"} <= set(nrn.columns):
        return int(((nrn["run_id"] == row["run_id"]) & (nrn["step"] == row["step"])).sum())
    return 0


def _chosen_rows(inp: _Inputs, group: Any) -> list[pd.Series]:
    """Representative final snapshot per learning rate: the heatmap's, else lowest seed."""
    final = _of(_final(inp.tables["snapshots"]), group)
    out = []
    for lr in _lrs(final):
        row = inp.chosen.get((group, lr))
        if row is None:
            d = final[final["learning_rate"] == lr]
            row = d.sort_values("seed").iloc[0] if "seed" in d else d.iloc[0]
        out.append(row)
    return out


def _communities(inp: _Inputs) -> _Section:
    sec = _Section("communities", "Communities")
    final = _final(inp.tables["snapshots"])
    if not _has_data(final, "n_communities"):
        sec.text("No community counts.")
        return sec
    hue = "group" if "group" in final and final["group"].nunique() > 1 else None
    panels = ["n_communities"] + [c for c in ("largest_community_fraction", "ari_seeds")
                                  if _has_data(final, c)]

    def draw(y: str, ax: Any) -> None:
        if y == "n_communities":
            plot.community_counts(final, hue=hue, ax=ax)
        else:
            plot.measure_vs_lr(final, y, hue=hue, ax=ax)

    _grid(inp, sec, panels, draw,
          "Final snapshots: number of communities (points: single runs), largest community "
          "as a fraction of the neurons, and agreement (ARI) of each partition with the "
          "other seeds' at the same learning rate; mean with 95% CI.")
    return sec


def _roles(inp: _Inputs) -> _Section:
    sec = _Section("roles", "Neuron roles")
    nrn = inp.tables["neurons"]
    if not {"participation", "within_z", "run_id", "step"} <= set(nrn.columns) or nrn.empty:
        sec.text("No neuron table.")
        return sec
    sec.text("Guimerà–Amaral roles: participation coefficient P (spread of a neuron's "
             "weight over communities) against its within-module strength z-score; dashed "
             "lines are the role boundaries (z = 2.5; P = 0.05, 0.62, 0.80 for non-hubs; "
             "P = 0.30, 0.75 for hubs).")
    for g in _groups(inp.tables["snapshots"]):
        rows = _chosen_rows(inp, g)
        parts = {_lr(r["learning_rate"]): nrn[(nrn["run_id"] == r["run_id"])
                                              & (nrn["step"] == r["step"])] for r in rows}
        parts = {k: v for k, v in parts.items() if len(v)}
        if not parts:
            continue
        _grid(inp, sec, list(parts),
              lambda lr, ax, parts=parts: (plot.role_map(parts[lr], ax=ax),
                                           ax.set_title(f"r = {lr}", fontsize=9)),
              f"Group {_group_name(g)}: neuron roles in the final snapshot shown above, "
              f"one panel per learning rate.", gaps=(2.2, 1.05), margins=(0.8, 1.9, 0.55, 0.55))
        fin = nrn[nrn["is_final"].astype(bool)] if "is_final" in nrn else nrn
        fin = _of(fin, g)
        if "role" in fin and "learning_rate" in fin and len(fin):
            counts = pd.crosstab(fin["learning_rate"].map(_lr), fin["role"], normalize="index")
            order = [r for r in plot.ROLE_ORDER if r in counts.columns]
            counts = counts[order + [c for c in counts.columns if c not in order]]
            counts = counts.reset_index().rename(columns={"learning_rate": "learning rate"})
            sec.table(f"Group {_group_name(g)}: fraction of neurons in each role, final "
                      f"snapshots, all seeds. {inp.describe}", counts)
    return sec


def _emergence(inp: _Inputs) -> _Section:
    sec = _Section("emergence", "Emergence over training")
    snaps = inp.tables["snapshots"]
    if snaps.empty or "step_fraction" not in snaps:
        sec.text("No snapshots over training time.")
        return sec
    for g in _groups(snaps):
        d = _of(snaps, g)
        ys = [y for y in ("modularity", "within_excess", "offdiag_index", "ari_final",
                          "weight_change", "n_communities") if _has_data(d, y)]
        _grid(inp, sec, ys, lambda y, ax, d=d, **kw: plot.emergence(d, y, ax=ax, **kw),
              f"Group {_group_name(g)}: measures against training time (step / last step), "
              "colour = learning rate (log scale, legend in the first panel), mean over "
              "seeds with the 95% t-interval of the mean (band).", one_legend=True)
    return sec


def _unstable_list(training: pd.DataFrame) -> str:
    """The runs of a training table that did not end "ok", with their learning rates."""
    if "run_status" not in training or "run_id" not in training:
        return ""
    bad = training[training["run_status"].fillna("ok").astype(str) != "ok"]
    runs_ = bad.drop_duplicates("run_id")
    return ", ".join(f"{r.run_id} (r = {_lr(getattr(r, 'learning_rate', ''))}, "
                     f"{r.run_status})" for r in runs_.itertuples())


def _training(inp: _Inputs) -> _Section:
    sec = _Section("training", "Training and convergence")
    tr = inp.tables["training"]
    if tr.empty:
        sec.text("No training metrics.")
        return sec
    runs_t = inp.tables.get("runs", pd.DataFrame())
    for g in _groups(tr) or [""]:
        d = _of(tr, g)
        if {"run_id", "run_status"} <= set(runs_t.columns) and "run_id" in d:
            r = _of(runs_t, g)
            silent = r[(r["run_status"].astype(str) != "ok") & ~r["run_id"].isin(d["run_id"])]
            if len(silent):
                sec.text(f"Group {_group_name(g)}: runs that stopped before recording any "
                         "training metrics (not analysed): " + ", ".join(
                             f"{x.run_id} ({x.run_status})" for x in silent.itertuples())
                         + ".")
        ys = [y for y in ("train_loss", "test_loss", "train_accuracy", "test_accuracy",
                          "weight_abs_max", "weight_abs_mean", "density") if _has_data(d, y)]
        _grid(inp, sec, ys[:6], lambda y, ax, d=d, **kw: plot.training_curves(d, y=y, ax=ax,
                                                                       **kw),
              f"Group {_group_name(g)}: training metrics over time, colour = learning rate "
              "(log scale); runs that ended 'ok': mean over seeds with the 95% t-interval "
              "(band); dashed: each unstable run on its own (not analysed: its last weights "
              "are not a result)" + (f"; unstable runs: {_unstable_list(d)}" if
                                     _unstable_list(d) else "")
              + ". The legend of the first panel holds for all.", one_legend=True)
        conv = ["iterations"] * any(_has_data(d, c) for c in ("firing_iterations_mean",
                                                               "credit_iterations_mean"))
        conv += [y for y in ("nonconverged", "test_nonconverged", "settle_capped")
                 if _has_data(d, y)]
        _grid(inp, sec, conv, lambda y, ax, d=d, **kw: plot.convergence(d, y=y, ax=ax, **kw),
              f"Group {_group_name(g)}: settle diagnostics (firing solid, credit dashed; "
              "samples or settles that hit the iteration cap); mean over the seeds that "
              "ended 'ok' with the 95% t-interval, unstable runs dotted, each on its own; "
              "legend in the first panel.", one_legend=True)
    return sec


def _regimes(inp: _Inputs) -> _Section:
    sec = _Section("regimes", "Learning-rate regimes")
    reg = inp.tables["regimes"]
    if reg.empty:
        sec.text(f"No regime table. {inp.describe}")
        return sec
    sec.text("Each cell (group, rule, pruning, graph family, learning rate) is classified "
             "from the final snapshots of its analysed seeds (the verdict table at the top "
             "summarises it); the evidence column gives the rule that decided and the "
             "numbers, naming the nulls each signature beat.")
    reg = reg.copy()
    if "group" in reg:
        reg["group"] = reg["group"].fillna("").map(_group_name)
    if "learning_rate" in reg:
        reg["learning_rate"] = reg["learning_rate"].map(_lr)
    sec.table(f"Regimes with their evidence. {inp.describe}", reg)
    return sec


def _skipped(inp: _Inputs) -> _Section:
    sec = _Section("skipped", "Skipped")
    frames = [inp.tables["skipped"], pd.DataFrame(inp.skipped, columns=_SKIP_COLUMNS)]
    frames = [f for f in frames if len(f)]
    if not frames:
        sec.text("Nothing was skipped.")
        return sec
    df = pd.concat(frames, ignore_index=True)
    df = df[[c for c in _SKIP_COLUMNS if c in df] + [c for c in df if c not in _SKIP_COLUMNS]]
    sec.text(f"{len(df)} runs, snapshots or stages could not be analysed or shown "
             "(stage 'report': found while building this report).")
    sec.table(f"What was skipped and why. {inp.describe}", df)
    return sec


def _config(inp: _Inputs) -> _Section:
    sec = _Section("config", "Configuration and provenance")
    sources = ((inp.sweep / "sweep.toml", "toml", False),
               (inp.sweep / "provenance.json", "json", True),
               (inp.sweep / "analysis" / "settings.json", "json", True))
    for path, lang, is_json in sources:
        text = _read_text(path)
        if text is None:
            sec.text(f"{path.name}: not found.")
            continue
        sec.code(f"{path.relative_to(inp.sweep)}", _pretty_json(text) if is_json else text,
                 lang)
    return sec
