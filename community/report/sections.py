"""The sections of the sweep report: what each one shows, built from the loaded inputs.

:mod:`community.report.build` loads the tables and settings into an ``_Inputs``,
calls each builder of ``_SECTIONS`` in order and renders the ``_Section`` objects
they return with the template files. This module holds that content model
(``_Item``, ``_Section``, ``_Inputs``), the helpers the sections share, and one
builder per section: summary; Leiden-ordered weight matrices (block-level, from the
``blocks`` table, above ``_Inputs.heatmap_max_neurons`` neurons); the interactive
network view (built in :mod:`community.report.network_section`); block matrices;
measures against the learning rate; null-model z-scores; communities; roles;
emergence over training; training and convergence; regimes; skipped;
configuration and provenance. Figures are drawn with :mod:`community.plot` and
kept in memory as PNG bytes (the network view's as plotly HTML); nothing here
writes files.

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
_Z_REF = 2.0
_OFFDIAG_REF = 1.0


# --------------------------------------------------------------------------- content model


@dataclass
class _Item:
    """One element of a section; ``kind`` is "text", "figure", "table", "code" or
    "interactive" (``html``: a plotly figure's div and script, see
    :mod:`community.report.network_view`)."""

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
    try:
        return f"{float(v):g}"
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
          draw: Callable[[str, Any], None], caption: str) -> None:
    """One figure with a panel per name, drawn by ``draw(name, ax)``."""
    if not names:
        return
    fig, axes = plot.panel_figure(len(names), ncols=min(len(names), 3), panel_size=(4.4, 3.4))
    for name, ax in zip(names, axes, strict=True):
        draw(name, ax)
    inp.figure(sec, fig, caption)


def _has_data(df: pd.DataFrame, col: str) -> bool:
    return col in df and pd.to_numeric(df[col], errors="coerce").notna().any()


# --------------------------------------------------------------------------- sections


def _summary(inp: _Inputs) -> _Section:
    sec = _Section("summary", "Summary")
    snaps, tabs = inp.tables["snapshots"], inp.tables
    ids: set[str] = set()
    for name in ("snapshots", "training", "skipped"):
        if "run_id" in tabs[name]:
            ids |= {str(r) for r in tabs[name]["run_id"].dropna()}
    final = _final(snaps)
    status = (final["run_status"].value_counts().sort_index() if "run_status" in final
              else pd.Series(dtype=int))
    s = inp.settings
    sec.text(f"{len(ids)} runs, {len(snaps)} analysed snapshots; skipped entries in the "
             f"analysis tables: {len(tabs['skipped'])}. Final status: "
             + (", ".join(f"{k} {v}" for k, v in status.items()) or "n/a") + ".")
    if s:
        sec.text("Analysis settings: " + "; ".join(f"{k} = {v}" for k, v in s.items()) + ".")
    else:
        sec.text("No analysis settings.json was found; settings are taken from the tables.")
    sec.text(inp.describe + " W[i, j] is the weight onto neuron i from neuron j.")
    if snaps.empty:
        sec.text("The snapshots table is empty or missing: nothing was analysed.")
        return sec
    rows = []
    for g in _groups(snaps):
        d = _of(snaps, g)
        fin = _final(d)
        rows.append({
            "group": _group_name(g),
            "task": ", ".join(map(str, pd.unique(d["task"]))) if "task" in d else "",
            "rule": ", ".join(map(str, pd.unique(d["rule"]))) if "rule" in d else "",
            "learning rates": ", ".join(_lr(v) for v in _lrs(d)),
            "seeds": ", ".join(str(v) for v in sorted(pd.unique(d["seed"]))) if "seed" in d
            else "",
            "runs": d["run_id"].nunique() if "run_id" in d else len(fin),
            "snapshots": len(d),
            "status (final)": ", ".join(f"{k} {v}" for k, v in
                                        fin["run_status"].value_counts().items())
            if "run_status" in fin else "",
        })
    sec.table(f"What ran, per group. {inp.describe}", pd.DataFrame(rows))
    reg = inp.tables["regimes"]
    if {"group", "learning_rate", "regime"} <= set(reg.columns) and len(reg):
        glance = reg[["group", "learning_rate", "regime"]
                     + (["n_runs"] if "n_runs" in reg else [])].copy()
        glance["group"] = glance["group"].fillna("").map(_group_name)
        glance["learning_rate"] = glance["learning_rate"].map(_lr)
        sec.table(f"Regimes at a glance (evidence in the Regimes section). {inp.describe}",
                  glance)
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


def _load_weights(inp: _Inputs, row: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The (node-set) weight matrix and membership of one snapshot row, or None (skipped)."""
    nrn = inp.tables["neurons"]
    if not {"run_id", "step", "neuron", "community"} <= set(nrn.columns):
        inp.skip(row, "report", "neurons table missing: no membership for the heatmap")
        return None
    sel = nrn[(nrn["run_id"] == row["run_id"]) & (nrn["step"] == row["step"])]
    sel = sel.sort_values("neuron")
    if sel.empty:
        inp.skip(row, "report", f"no neuron rows for step {row['step']}")
        return None
    snap = _snapshot_of(inp, row)
    if snap is None:
        return None
    idx = sel["neuron"].to_numpy(dtype=np.int64)
    if idx.max(initial=-1) >= snap.n:
        inp.skip(row, "report", f"neuron index beyond the snapshot's {snap.n} neurons")
        return None
    # the analysed neurons' matrix straight from the edge list: never the n x n of all
    # neurons (inputs and outputs included) when only the hidden ones are shown
    pos = np.full(snap.n, -1, dtype=np.int64)
    pos[idx] = np.arange(idx.size)
    keep = (pos[snap.src] >= 0) & (pos[snap.dst] >= 0)
    W = np.zeros((idx.size, idx.size))
    W[pos[snap.dst[keep]], pos[snap.src[keep]]] = snap.weight[keep]
    return W, sel["community"].to_numpy()


def _n_neurons(inp: _Inputs, row: pd.Series) -> int:
    """Neurons of one analysed snapshot, from the tables (no snapshot is read)."""
    n = row.get("n_nodes")
    if n is not None and pd.notna(n):
        return int(n)
    nrn = inp.tables["neurons"]
    if {"run_id", "step"} <= set(nrn.columns):
        return int(((nrn["run_id"] == row["run_id"]) & (nrn["step"] == row["step"])).sum())
    return 0


def _load_block_view(inp: _Inputs, row: pd.Series) -> tuple[pd.DataFrame, np.ndarray] | None:
    """Block matrix (mean |w|) and community sizes of one snapshot from the blocks table."""
    blocks = inp.tables["blocks"]
    need = {"run_id", "step", "block_to", "block_from", "mean_abs_weight", "size_to"}
    if not need <= set(blocks.columns):
        inp.skip(row, "report", "blocks table missing: no block-level view of a graph of "
                 f"{_n_neurons(inp, row):,} neurons")
        return None
    b = blocks[(blocks["run_id"] == row["run_id"]) & (blocks["step"] == row["step"])]
    if b.empty:
        inp.skip(row, "report", f"no block rows for step {row['step']}")
        return None
    B = b.pivot_table(index="block_to", columns="block_from", values="mean_abs_weight",
                      dropna=False)
    B = B.reindex(index=B.index.union(B.columns), columns=B.index.union(B.columns))
    sizes = b.groupby("block_to")["size_to"].first().reindex(B.index).fillna(0)
    return B, sizes.to_numpy(dtype=np.int64)


def _heatmaps(inp: _Inputs) -> _Section:
    sec = _Section("heatmaps", "Leiden-ordered weight matrices")
    final = _final(inp.tables["snapshots"])
    if final.empty or "snapshot_path" not in final:
        sec.text("No final snapshots to show.")
        return sec
    limit = inp.heatmap_max_neurons
    sec.text("Final weights of one seed per learning rate (the lowest seed whose snapshot "
             "could be read), neurons ordered by their Leiden community; lines mark "
             "community boundaries. Colours: red excitatory, blue inhibitory, limits at the "
             "99th percentile of |W| of each panel. Axes: presynaptic j (x), "
             f"postsynaptic i (y). Groups with graphs of more than {limit:,} neurons are "
             "shown as a block-level view instead: one cell per pair of communities, "
             "coloured by the mean |w| onto community a (rows) from community b (columns), "
             "as tall and wide as the communities are large.")
    for g in _groups(final):
        d = _of(final, g)
        blocky = max((_n_neurons(inp, row) for _, row in d.iterrows()), default=0) > limit
        load = _load_block_view if blocky else _load_weights
        panels = []
        for lr in _lrs(d):
            for _, row in d[d["learning_rate"] == lr].sort_values("seed").iterrows():
                loaded = load(inp, row)
                if loaded is None:
                    continue
                inp.chosen[(g, lr)] = row
                q = float(row.get("modularity", np.nan))
                panels.append((f"r = {_lr(lr)}, seed {row.get('seed', '?')}, Q = {q:.2f}",
                               *loaded))
                break
        if not panels:
            sec.text(f"Group {_group_name(g)}: no snapshot could be loaded (see Skipped).")
            continue
        if blocky:
            inp.figure(sec, plot.community_block_grid(panels),
                       f"Group {_group_name(g)}: block-level view of the final weights (more "
                       f"than {limit:,} neurons, too many to draw one by one): mean |w| onto "
                       "community a (rows) from community b (columns), communities in Leiden "
                       "order, each cell as tall and wide as its two communities are large "
                       "(sizes on the axes), one panel per learning rate.")
        else:
            inp.figure(sec, plot.heatmap_grid(panels),
                       f"Group {_group_name(g)}: final signed weights W, neurons ordered by "
                       f"Leiden community, one panel per learning rate.")
    return sec


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


def _blocks(inp: _Inputs) -> _Section:
    sec = _Section("blocks", "Block matrices")
    blocks = inp.tables["blocks"]
    need = {"run_id", "step", "block_to", "block_from", "mean_abs_weight"}
    if not need <= set(blocks.columns) or blocks.empty:
        sec.text("No block table.")
        return sec
    sec.text("Mean |w| onto community a (rows) from community b (columns) of the final "
             "snapshot shown above for each learning rate. A block-diagonal matrix is "
             "within-module wiring; strong off-diagonal blocks are across-module wiring.")
    for g in _groups(inp.tables["snapshots"]):
        panels = []
        for row in _chosen_rows(inp, g):
            b = blocks[(blocks["run_id"] == row["run_id"]) & (blocks["step"] == row["step"])]
            if b.empty:
                continue
            B = b.pivot_table(index="block_to", columns="block_from", values="mean_abs_weight")
            panels.append((f"r = {_lr(row['learning_rate'])}, seed {row.get('seed', '?')}", B))
        if panels:
            inp.figure(sec, plot.block_grid(panels, ncols=min(len(panels), 4)),
                       f"Group {_group_name(g)}: block matrices (mean |w|), final snapshot.")
    return sec


def _measures(inp: _Inputs) -> _Section:
    sec = _Section("measures", "Modular structure against the learning rate")
    final = _final(inp.tables["snapshots"])
    ys = [y for y in ("modularity", "within_excess", "offdiag_index") if _has_data(final, y)]
    if not ys:
        sec.text("No measures to plot.")
        return sec
    hue = "group" if "group" in final and final["group"].nunique() > 1 else None
    refs = {"within_excess": 1.0, "offdiag_index": _OFFDIAG_REF}
    _grid(inp, sec, ys,
          lambda y, ax: plot.measure_vs_lr(final, y, hue=hue, ax=ax, refline=refs.get(y)),
          "Final snapshots: modularity Q, within-module weight relative to its size-matched "
          "chance level (dashed: chance = 1) and off-diagonal block index (dashed: 1, an "
          "across-module block as strong as a typical within-module block) against the "
          "learning rate; mean over seeds with 95% CI.")
    return sec


def _nulls(inp: _Inputs) -> _Section:
    sec = _Section("nulls", "Null models")
    final = _final(inp.tables["snapshots"])
    cols = [c for c in ("q_z_shuffle", "q_z_rewire") if _has_data(final, c)]
    if not cols:
        sec.text(f"No null-model z-scores were computed. {inp.describe}")
        return sec
    keep = [c for c in ("group", "learning_rate", "seed", "run_id") if c in final]
    long = final.melt(id_vars=keep, value_vars=cols, var_name="null", value_name="z")
    long["null"] = long["null"].map({"q_z_shuffle": "weights shuffled",
                                     "q_z_rewire": "degree-preserving rewiring"})
    groups = _groups(final) or [""]
    _grid(inp, sec, [str(g) for g in groups],
          lambda g, ax: (plot.measure_vs_lr(_of(long, g), "z", hue="null", ax=ax,
                                            refline=_Z_REF),
                         ax.set_title(f"group {_group_name(g)}", fontsize=9)),
          f"z-score of the Leiden quality of the final weights against null models "
          f"(dashed: z = {_Z_REF:g}); mean over seeds with 95% CI.")
    return sec


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
              f"one panel per learning rate.")
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
        _grid(inp, sec, ys, lambda y, ax, d=d: plot.emergence(d, y, ax=ax),
              f"Group {_group_name(g)}: measures against training time (step / last step), "
              f"colour = learning rate (log scale), mean over seeds with 95% CI.")
    return sec


def _training(inp: _Inputs) -> _Section:
    sec = _Section("training", "Training and convergence")
    tr = inp.tables["training"]
    if tr.empty:
        sec.text("No training metrics.")
        return sec
    for g in _groups(tr) or [""]:
        d = _of(tr, g)
        ys = [y for y in ("train_loss", "test_loss", "train_accuracy", "test_accuracy",
                          "weight_abs_max", "weight_abs_mean", "density") if _has_data(d, y)]
        _grid(inp, sec, ys[:6], lambda y, ax, d=d: plot.training_curves(d, y=y, ax=ax),
              f"Group {_group_name(g)}: training metrics over time, colour = learning rate "
              f"(log scale), mean over seeds with 95% CI.")
        conv = ["iterations"] * any(_has_data(d, c) for c in ("firing_iterations_mean",
                                                               "credit_iterations_mean"))
        conv += [y for y in ("nonconverged", "test_nonconverged", "settle_capped")
                 if _has_data(d, y)]
        _grid(inp, sec, conv, lambda y, ax, d=d: plot.convergence(d, y=y, ax=ax),
              f"Group {_group_name(g)}: settle diagnostics (firing solid, credit dashed; "
              f"samples or settles that hit the iteration cap).")
    return sec


def _regimes(inp: _Inputs) -> _Section:
    sec = _Section("regimes", "Learning-rate regimes")
    reg = inp.tables["regimes"]
    if reg.empty:
        sec.text(f"No regime table. {inp.describe}")
        return sec
    sec.text("Each (group, learning rate) is classified from the final snapshots of all "
             "seeds; the evidence column gives the rule that decided and the numbers.")
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


def _network(inp: _Inputs) -> _Section:
    # its own module (it imports this one): community.report.network_section
    from community.report.network_section import _network_section

    return _network_section(inp)


_SECTIONS = (_summary, _heatmaps, _network, _blocks, _measures, _nulls, _communities, _roles,
             _emergence, _training, _regimes, _skipped, _config)
