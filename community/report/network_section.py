"""The report section "Interactive network view": snapshots and tables in, plotly figures out.

For each group and learning rate, the run the weight-matrix section showed (the
lowest seed whose final snapshot could be read; :func:`community.report.sections._chosen_rows`)
gets one interactive figure (:mod:`community.report.network_view`) with a frame per
snapshot of the run listed in the ``snapshots`` table. A frame needs the snapshot file
and the run's rows of the ``neurons`` table for that step (the community membership
and per-neuron measures of the analysis; nothing is recomputed here). The drawn
neurons are the analysed ones (``snapshots.nodes``: hidden neurons of supervised runs,
all neurons of the noise task).

Nothing stops the build: a snapshot that cannot be read, a step without neuron rows,
a run with more than ``Inputs.network_max_neurons`` neurons or a missing plotly
package becomes a row of *Skipped* (stage ``report``, reason starting with
"network view").

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> from community.report.kit import Inputs
>>> tables = {name: pd.DataFrame() for name in ("snapshots", "neurons")}
>>> inp = Inputs(sweep=Path("."), tables=tables, settings={}, describe="")
>>> [item.text for item in _network_section(inp).items]
['No snapshots to show.']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from community.report import network_view as nv
from community.report.kit import (
    Inputs,
    Item,
    Section,
    chosen_rows,
    final_rows,
    group_name,
    group_order,
    load_snapshot_of,
    lr_text,
    n_neurons,
)

__all__: list[str] = []  # the report's own; community.report.sections calls it

_NEED = {"run_id", "step", "neuron", "community"}
_FLAGS = ("is_input", "is_output", "is_clamped")


def _frame(inp: Inputs, row: pd.Series, rows: pd.DataFrame
           ) -> tuple[np.ndarray, nv.NetworkFrame, list[str], list[str] | None] | None:
    """Neuron ids, frame, neuron kinds and names (the neurons table's ``name`` column, if
    it has one) of one snapshot row, or None (listed as skipped)."""
    step = row["step"]
    sel = rows[rows["step"] == step].sort_values("neuron")
    if sel.empty:
        inp.skip(row, "report", f"network view: no neuron rows for step {step}")
        return None
    snap = load_snapshot_of(inp, row, "network view: ")
    if snap is None:
        return None
    ids = sel["neuron"].to_numpy(dtype=np.int64)
    if ids.max(initial=-1) >= snap.n or ids.min(initial=0) < 0:
        inp.skip(row, "report", f"network view: neuron ids of step {step} outside the "
                 f"snapshot's {snap.n} neurons")
        return None
    pos = np.full(snap.n, -1, dtype=np.int64)
    pos[ids] = np.arange(ids.size)
    keep = (pos[snap.src] >= 0) & (pos[snap.dst] >= 0)

    def col(name: str) -> np.ndarray | None:
        return sel[name].to_numpy(dtype=float) if name in sel else None

    q, k = row.get("modularity"), row.get("n_communities")
    title = ", ".join(
        ([f"modularity {float(q):.3f}"] if q is not None and pd.notna(q) else [])
        + [f"{len(pd.unique(sel['community']))} communities" if k is None or pd.isna(k)
           else f"{int(k)} communities"])
    frame = nv.NetworkFrame(
        step=int(step), src=pos[snap.src[keep]], dst=pos[snap.dst[keep]],
        weight=snap.weight[keep], membership=sel["community"].to_numpy(),
        participation=col("participation"), within_z=col("within_z"),
        role=[str(r) for r in sel["role"]] if "role" in sel else None, title=title)
    kinds = nv.kind_labels(ids, {f: sel[f].to_numpy(dtype=bool) for f in _FLAGS if f in sel})
    names = [str(a) for a in sel["name"]] if "name" in sel else None
    if names is not None and names == [str(i) for i in ids]:
        names = None  # a run without names in a sweep with named runs: nothing to add
    return ids, frame, kinds, names


def _run_frames(inp: Inputs, final_row: pd.Series
                ) -> tuple[np.ndarray, list[nv.NetworkFrame], list[str], list[str] | None
                           ] | None:
    """Every readable frame of the run of ``final_row``, on the node set of the last one."""
    snaps = inp.tables["snapshots"]
    run_rows = snaps[snaps["run_id"] == final_row["run_id"]].sort_values("step")
    nrn = inp.tables["neurons"]
    rows = nrn[nrn["run_id"] == final_row["run_id"]]
    loaded = [(r, got) for _, r in run_rows.iterrows() if (got := _frame(inp, r, rows))]
    if not loaded:
        return None
    ids, last, kinds, names = loaded[-1][1]
    frames = []
    for r, (other, frame, _, _) in loaded:
        if not np.array_equal(other, ids):
            inp.skip(r, "report", f"network view: step {frame.step} analysed other neurons "
                     f"than step {last.step}")
            continue
        frames.append(frame)
    return ids, frames, kinds, names


def _network_section(inp: Inputs) -> Section:
    """The interactive network view: one plotly figure per group and learning rate."""
    sec = Section("network", "Interactive network view")
    final = final_rows(inp.tables["snapshots"])
    if final.empty or "snapshot_path" not in final:
        sec.text("No snapshots to show.")
        return sec
    try:
        import plotly  # noqa: F401
    except ImportError:
        sec.text("The plotly package is not installed (pip install plotly): no "
                 "interactive view.")
        inp.skipped.append({"run_id": "", "group": "", "stage": "report",
                            "reason": "network view: plotly is not installed"})
        return sec
    have_neurons = _NEED <= set(inp.tables["neurons"].columns)
    max_n, max_e = inp.network_max_neurons, inp.network_max_edges
    sec.text(
        "The weight graph of one run per learning rate (the run of the weight-matrix "
        "section), one frame per snapshot: move the slider to step through training. "
        "Drag to pan, scroll to zoom, double-click to reset; hover over a neuron for its "
        "attributes (its name too, where the run names its neurons; strengths: sum of "
        "|w| onto / from the neuron over all its edges among the drawn neurons; "
        "degrees: non-zero weights; participation, within-module z and role from the "
        "neurons table). Drawn neurons: the analysed "
        "ones (hidden neurons of supervised runs, all neurons of the noise task); runs "
        f"with more than {max_n:,} neurons are not drawn. Colours: communities of the "
        "neurons table, each snapshot's matched to the last snapshot's by largest "
        f"overlap so a colour follows a community (colours repeat beyond "
        f"{len(nv.PALETTE)} communities). Positions: fixed for the whole run, a "
        "Fruchterman-Reingold layout (seed 0) of |w| of the last snapshot shown, with "
        f"edges inside one of its communities pulling {nv.WITHIN_PULL:g} times harder. "
        f"Edges: at most the {max_e:,} strongest by |w| of each snapshot (red excitatory, "
        "blue inhibitory; direction and self-loops not drawn); each frame's title gives "
        "how many of its edges are drawn.")
    number = 0
    for g in group_order(final):
        for row in chosen_rows(inp, g):
            if not have_neurons:
                inp.skip(row, "report", "network view: neurons table missing: no "
                         "community membership to colour the neurons")
                continue
            n = n_neurons(inp, row)
            if n > max_n:
                inp.skip(row, "report", f"network view: {n:,} neurons, more than "
                         f"network_max_neurons = {max_n:,}")
                continue
            got = _run_frames(inp, row)
            if got is None or not got[1]:
                inp.skip(row, "report", "network view: no snapshot of the run could be shown")
                continue
            ids, frames, kinds, names = got
            number += 1
            name = (f"group {group_name(g)}, r = {lr_text(row['learning_rate'])}, "
                    f"seed {row.get('seed', '?')}")
            fig = nv.network_figure(ids, frames, kinds=kinds, names=names, title=name,
                                    max_edges=max_e)
            counts = [f.n_edges for f in frames]
            drawn = [min(c, max_e) for c in counts]
            when = (f"{len(frames)} snapshots (steps {frames[0].step}-{frames[-1].step})"
                    if len(frames) > 1 else f"1 snapshot (step {frames[0].step}), no slider")
            caption = (f"Group {group_name(g)}, learning rate {lr_text(row['learning_rate'])}, "
                       f"run {row['run_id']}: {ids.size:,} neurons, {when}; edges drawn per "
                       f"snapshot {_span(drawn)} of {_span(counts)}; positions and "
                       f"colour reference from step {frames[-1].step}.")
            sec.items.append(Item("interactive", caption=caption, number=number,
                                   html=nv.figure_html(fig, f"network-{number}")))
    if not number:
        sec.text("No run could be drawn (see Skipped).")
    return sec


def _span(values: list[Any]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"
