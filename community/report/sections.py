"""The sections of the sweep report: what each one shows, built from the loaded inputs.

:mod:`community.report.build` loads the tables and settings into an ``Inputs``,
calls each section builder in order and renders the ``Section`` objects they return
with the template files. The content model (``Item``, ``Section``, ``Inputs``) and the
helpers every section shares are the public section kit, :mod:`community.report.kit`;
this module holds the builders of the summary; communities; roles;
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

The builders are private to the report package: :mod:`community.report.build` runs
them in order.

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> from community.report.kit import Inputs
>>> tables = {name: pd.DataFrame() for name in ("snapshots", "regimes", "skipped")}
>>> inp = Inputs(sweep=Path("."), tables=tables, settings={}, describe="")
>>> [item.text for item in _skipped(inp).items]
['Nothing was skipped.']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from community import plot
from community.report.kit import (
    Inputs,
    Section,
    chosen_rows,
    dropped_note,
    final_rows,
    group_name,
    group_order,
    has_data,
    informative,
    learning_rates,
    lr_text,
    of_group,
    panel_grid,
    pretty_json,
    read_text,
    sort_cells,
)

__all__: list[str] = []  # the report's own; community.report.build runs the builders

_SKIP_COLUMNS = ["run_id", "group", "stage", "reason"]


# --------------------------------------------------------------------------- sections


def _status_counts(df: pd.DataFrame) -> str:
    if "run_status" not in df or df.empty:
        return ""
    per_run = df.drop_duplicates("run_id") if "run_id" in df else df
    return ", ".join(f"{k} {v}" for k, v in per_run["run_status"].value_counts().items())


def _count(n: int, noun: str) -> str:
    """``"1 run"``, ``"3 runs"``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _summary(inp: Inputs) -> Section:
    sec = Section("summary", "Summary")
    snaps, tabs = inp.tables["snapshots"], inp.tables
    runs_t = tabs.get("runs", pd.DataFrame())
    ids: set[str] = set()
    for name in ("runs", "snapshots", "training", "skipped"):
        if "run_id" in tabs.get(name, pd.DataFrame()):
            ids |= {str(r) for r in tabs.get(name, pd.DataFrame())["run_id"].dropna()}
    analysed = snaps["run_id"].nunique() if "run_id" in snaps else 0
    status = _status_counts(runs_t) or _status_counts(final_rows(snaps)) or "n/a"
    s = inp.settings
    if inp.kind == "run":
        sec.text(f"One run ({status}): {'analysed' if analysed else 'not analysed'} "
                 f"(only a run that ended 'ok' is), {_count(len(snaps), 'analysed snapshot')}"
                 f"; skipped entries in the analysis tables: {len(tabs['skipped'])}.")
    else:
        sec.text(f"{_count(len(ids), 'run')} ({status}); {analysed} analysed (only runs that "
                 f"ended 'ok' are), {_count(len(snaps), 'analysed snapshot')}; skipped "
                 f"entries in the analysis tables: {len(tabs['skipped'])}.")
    if inp.dropped:
        sec.text(f"{len(inp.dropped)} runs that did not end 'ok' had rows in the analysis "
                 "tables; they are left out of every figure and table but the training "
                 "curves (listed under Skipped).")
    if s:
        sec.text("Analysis settings: " + "; ".join(f"{k} = {v}" for k, v in s.items()) + ".")
    else:
        sec.text("No analysis settings.json was found; settings are taken from the tables.")
    sec.text("W[i, j] is the weight onto neuron i from neuron j. The weight mode and "
             "quality function stated at the top hold for every figure and table.")
    source = runs_t if {"run_id", "group"} <= set(runs_t.columns) and len(runs_t) else snaps
    if snaps.empty:
        sec.text("The snapshots table is empty or missing: nothing was analysed.")
        if source is snaps:
            return sec
    rows = []
    for g in group_order(source):
        d, sn = of_group(source, g), of_group(snaps, g)
        rows.append({
            "group": group_name(g),
            "task": ", ".join(map(str, pd.unique(d["task"]))) if "task" in d else "",
            "rule": ", ".join(map(str, pd.unique(d["rule"]))) if "rule" in d else "",
            "learning rates": ", ".join(lr_text(v) for v in learning_rates(d)),
            "seeds": ", ".join(str(v) for v in sorted(pd.unique(d["seed"]))) if "seed" in d
            else "",
            "runs": d["run_id"].nunique() if "run_id" in d else len(final_rows(d)),
            "analysed": sn["run_id"].nunique() if "run_id" in sn else len(final_rows(sn)),
            "snapshots": len(sn),
            "status": _status_counts(d) or _status_counts(final_rows(d)),
        })
    sec.table("What ran, per group.", pd.DataFrame(rows))
    return sec





def _communities(inp: Inputs) -> Section:
    sec = Section("communities", "Communities")
    final = final_rows(inp.tables["snapshots"])
    if not has_data(final, "n_communities"):
        sec.text("No community counts.")
        return sec
    hue = "group" if "group" in final and final["group"].nunique() > 1 else None
    panels, flat = informative(final, ["n_communities"] + [
        c for c in ("largest_community_fraction", "ari_seeds") if has_data(final, c)])
    if flat:
        sec.text(dropped_note(final, flat, "Final snapshots"))

    colour = inp.colour(final["group"].iloc[0]) if "group" in final and len(final) else None

    def draw(y: str, ax: Any) -> None:
        if y == "n_communities":
            plot.community_counts(final, hue=hue, ax=ax, colors=inp.colours)
        else:
            plot.measure_vs_lr(final, y, hue=hue, ax=ax, color=colour, colors=inp.colours)

    caption = ("Final snapshots: number of communities (points: single runs), largest "
               "community as a fraction of the neurons, and agreement (ARI) of each "
               "partition with the other seeds' at the same learning rate; mean with 95% "
               "CI; colour: group, as in every figure.")
    noise = "task" in final and (final["task"] == "noise").any()
    if "ari_seeds" in panels and noise:
        caption += (" Seed agreement of the noise task: each seed also clamps the credit of "
                    "a different set of neurons (drawn from the task seed) and draws its "
                    "own noise, so its seeds differ in more than their initial weights; "
                    "their partitions need not agree even where the rule builds the same "
                    "kind of structure.")
    panel_grid(inp, sec, panels, draw=draw, caption=caption)
    return sec


def _roles(inp: Inputs) -> Section:
    sec = Section("roles", "Neuron roles")
    nrn = inp.tables["neurons"]
    if not {"participation", "within_z", "run_id", "step"} <= set(nrn.columns) or nrn.empty:
        sec.text("No neuron table.")
        return sec
    sec.text("Guimerà–Amaral roles: participation coefficient P (spread of a neuron's "
             "weight over communities) against its within-module strength z-score; dashed "
             "lines are the role boundaries (z = 2.5; P = 0.05, 0.62, 0.80 for non-hubs; "
             "P = 0.30, 0.75 for hubs).")
    for g in group_order(inp.tables["snapshots"]):
        rows = chosen_rows(inp, g)
        parts = {lr_text(r["learning_rate"]): nrn[(nrn["run_id"] == r["run_id"])
                                              & (nrn["step"] == r["step"])] for r in rows}
        parts = {k: v for k, v in parts.items() if len(v)}
        if not parts:
            continue
        panel_grid(inp, sec, list(parts),
              draw=lambda lr, ax, parts=parts: (plot.role_map(parts[lr], ax=ax),
                                                ax.set_title(f"r = {lr}", fontsize=9)),
              caption=f"Group {group_name(g)}: neuron roles in the final snapshot shown "
              f"above, one panel per learning rate.", gaps=(2.2, 1.05),
              margins=(0.8, 1.9, 0.55, 0.55))
        fin = nrn[nrn["is_final"].astype(bool)] if "is_final" in nrn else nrn
        fin = of_group(fin, g)
        if "role" in fin and "learning_rate" in fin and len(fin):
            # rows by the numeric learning rate (as text, "1e+04" would sort before "251")
            counts = pd.crosstab(pd.to_numeric(fin["learning_rate"]), fin["role"],
                                 normalize="index").sort_index()
            order = [r for r in plot.ROLE_ORDER if r in counts.columns]
            counts = counts[order + [c for c in counts.columns if c not in order]]
            counts.index = counts.index.map(lr_text)
            counts = counts.reset_index().rename(columns={"learning_rate": "learning rate"})
            sec.table(f"Group {group_name(g)}: fraction of neurons in each role, final "
                      f"snapshots, all seeds.", counts)
    return sec


def _emergence(inp: Inputs) -> Section:
    sec = Section("emergence", "Emergence over training")
    snaps = inp.tables["snapshots"]
    if snaps.empty or "step_fraction" not in snaps:
        sec.text("No snapshots over training time.")
        return sec
    for g in group_order(snaps):
        d = of_group(snaps, g)
        ys, flat = informative(d, [y for y in ("modularity", "within_excess", "offdiag_index",
                                               "ari_final", "weight_change", "n_communities")
                                   if has_data(d, y)])
        if flat:
            sec.text(dropped_note(d, flat, f"Group {group_name(g)}"))
        panel_grid(inp, sec, ys,
              draw=lambda y, ax, d=d, **kw: plot.emergence(d, y, ax=ax, **kw),
              caption=f"Group {group_name(g)}: measures against training time (step / last "
              "step), colour = learning rate (log scale, legend in the first panel), mean "
              "over seeds with the 95% t-interval of the mean (band).", one_legend=True)
    return sec


_ITERATIONS = ("firing_iterations_mean", "credit_iterations_mean")


def _panel_columns(name: str) -> tuple[str, ...]:
    """The training-table columns a convergence panel draws."""
    return _ITERATIONS if name == "iterations" else (name,)


def _unstable_list(training: pd.DataFrame) -> str:
    """The runs of a training table that did not end "ok", with their learning rates."""
    if "run_status" not in training or "run_id" not in training:
        return ""
    bad = training[training["run_status"].fillna("ok").astype(str) != "ok"]
    runs_ = bad.drop_duplicates("run_id")
    return ", ".join(f"{r.run_id} (r = {lr_text(getattr(r, 'learning_rate', ''))}, "
                     f"{r.run_status})" for r in runs_.itertuples())


def _training(inp: Inputs) -> Section:
    sec = Section("training", "Training and convergence")
    tr = inp.tables["training"]
    if tr.empty:
        sec.text("No training metrics.")
        return sec
    runs_t = inp.tables.get("runs", pd.DataFrame())
    for g in group_order(tr) or [""]:
        d = of_group(tr, g)
        if {"run_id", "run_status"} <= set(runs_t.columns) and "run_id" in d:
            r = of_group(runs_t, g)
            silent = r[(r["run_status"].astype(str) != "ok") & ~r["run_id"].isin(d["run_id"])]
            if len(silent):
                sec.text(f"Group {group_name(g)}: runs that stopped before recording any "
                         "training metrics (not analysed): " + ", ".join(
                             f"{x.run_id} ({x.run_status})" for x in silent.itertuples())
                         + ".")
        ys, flat = informative(d, [y for y in ("train_loss", "test_loss", "train_accuracy",
                                               "test_accuracy", "weight_abs_max",
                                               "weight_abs_mean", "density")
                                   if has_data(d, y)])
        panel_grid(inp, sec, ys[:6],
              draw=lambda y, ax, d=d, **kw: plot.training_curves(d, y=y, ax=ax, **kw),
              caption=f"Group {group_name(g)}: training metrics over time, colour = learning rate "
              "(log scale); runs that ended 'ok': mean over seeds with the 95% t-interval "
              "(band); dashed: each unstable run on its own (not analysed: its last weights "
              "are not a result)" + (f"; unstable runs: {_unstable_list(d)}" if
                                     _unstable_list(d) else "")
              + ". The legend of the first panel holds for all.", one_legend=True)
        conv = ["iterations"] * any(has_data(d, c) for c in _ITERATIONS)
        conv += [y for y in ("nonconverged", "test_nonconverged", "settle_capped")
                 if has_data(d, y)]
        conv, flat_conv = informative(d, conv, _panel_columns)
        if flat or flat_conv:
            sec.text(dropped_note(d, flat + flat_conv, f"Group {group_name(g)}",
                                  columns=_panel_columns))
        panel_grid(inp, sec, conv,
              draw=lambda y, ax, d=d, **kw: plot.convergence(d, y=y, ax=ax, **kw),
              caption=f"Group {group_name(g)}: settle diagnostics (firing solid, credit dashed; "
              "samples or settles that hit the iteration cap); mean over the seeds that "
              "ended 'ok' with the 95% t-interval, unstable runs dotted, each on its own; "
              "legend in the first panel.", one_legend=True)
    return sec


def _regimes(inp: Inputs) -> Section:
    sec = Section("regimes", "Learning-rate regimes")
    reg = inp.tables["regimes"]
    if reg.empty:
        sec.text("No regime table.")
        return sec
    sec.text("Each cell (group, rule, pruning, graph family, learning rate) is classified "
             "from the final snapshots of its analysed seeds (the verdict table at the top "
             "summarises it); the evidence column gives the rule that decided and the "
             "numbers, naming the nulls each signature beat.")
    reg = sort_cells(reg, group_order(inp.tables.get("runs", pd.DataFrame()))
                     or group_order(inp.tables["snapshots"]))
    if "group" in reg:
        reg["group"] = reg["group"].fillna("").map(group_name)
    if "learning_rate" in reg:
        reg["learning_rate"] = reg["learning_rate"].map(lr_text)
    sec.table("Regimes with their evidence.", reg)
    return sec


def _skipped(inp: Inputs) -> Section:
    sec = Section("skipped", "Skipped")
    frames = [inp.tables["skipped"], pd.DataFrame(inp.skipped, columns=_SKIP_COLUMNS)]
    frames = [f for f in frames if len(f)]
    if not frames:
        sec.text("Nothing was skipped.")
        return sec
    df = pd.concat(frames, ignore_index=True)
    df = df[[c for c in _SKIP_COLUMNS if c in df] + [c for c in df if c not in _SKIP_COLUMNS]]
    sec.text(f"{len(df)} runs, snapshots or stages could not be analysed or shown "
             "(stage 'report': found while building this report).")
    sec.table("What was skipped and why.", df)
    return sec


def _config(inp: Inputs) -> Section:
    sec = Section("config", "Configuration and provenance")
    sources = ((inp.sweep / ("config.toml" if inp.kind == "run" else "sweep.toml"), "toml",
                False),
               (inp.sweep / "provenance.json", "json", True),
               (inp.sweep / "analysis" / "settings.json", "json", True))
    for path, lang, is_json in sources:
        text = read_text(path)
        if text is None:
            sec.text(f"{path.name}: not found.")
            continue
        sec.code(f"{path.relative_to(inp.sweep)}", pretty_json(text) if is_json else text,
                 lang)
    return sec
