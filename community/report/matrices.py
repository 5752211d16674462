"""The report's weight-matrix sections: weights in Leiden and block-model order, block matrices.

*Weight matrices*: for each group and learning rate, the final weights of the lowest
analysed seed whose snapshot can be read (the run the network view, block matrices and
roles then show too: ``Inputs.chosen``), drawn twice side by side -- neurons in Leiden
order and in the order of the degree-corrected stochastic block model's blocks (the
``block`` column of the neurons table, with the number of blocks and the block
disassortativity of the snapshots table) -- or, above ``Inputs.heatmap_max_neurons``
neurons, as a block-level view of the ``blocks`` table without reading any snapshot.
*Block matrices*: the ``blocks`` table's mean ``|w|`` between Leiden communities of the
same runs.

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> from community.report.kit import Inputs
>>> tables = {name: pd.DataFrame() for name in ("snapshots", "neurons", "blocks")}
>>> inp = Inputs(sweep=Path("."), tables=tables, settings={}, describe="")
>>> [item.text for item in _heatmaps(inp).items], [item.text for item in _blocks(inp).items]
(['No final snapshots to show.'], ['No block table.'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community import plot
from community.report.kit import (
    Inputs,
    Section,
    chosen_rows,
    final_rows,
    group_name,
    group_order,
    learning_rates,
    load_snapshot_of,
    lr_text,
    n_neurons,
    of_group,
)

__all__: list[str] = []  # the report's own; community.report.build runs the builders


def _load_weights(inp: Inputs, row: pd.Series
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """The (node-set) weight matrix, Leiden membership and block-model membership (None
    without a ``block`` column or with no block assigned) of one snapshot row, or None
    (listed as skipped)."""
    nrn = inp.tables["neurons"]
    if not {"run_id", "step", "neuron", "community"} <= set(nrn.columns):
        inp.skip(row, "report", "neurons table missing: no membership for the heatmap")
        return None
    sel = nrn[(nrn["run_id"] == row["run_id"]) & (nrn["step"] == row["step"])]
    sel = sel.sort_values("neuron")
    if sel.empty:
        inp.skip(row, "report", f"no neuron rows for step {row['step']}")
        return None
    snap = load_snapshot_of(inp, row)
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
    block = sel["block"].to_numpy() if "block" in sel else None
    if block is not None and (pd.isna(block).any() or (block.astype(float) < 0).any()):
        block = None  # no block model on this snapshot (not final, or not fitted)
    return W, sel["community"].to_numpy(), block


def _load_block_view(inp: Inputs, row: pd.Series) -> tuple[pd.DataFrame, np.ndarray] | None:
    """Block matrix (mean |w|) and community sizes of one snapshot from the blocks table."""
    blocks = inp.tables["blocks"]
    need = {"run_id", "step", "block_to", "block_from", "mean_abs_weight", "size_to"}
    if not need <= set(blocks.columns):
        inp.skip(row, "report", "blocks table missing: no block-level view of a graph of "
                 f"{n_neurons(inp, row):,} neurons")
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


def _sbm_note(row: pd.Series, block: np.ndarray, *, short: bool = True) -> str:
    k = row.get("sbm_blocks")
    k = int(k) if k is not None and pd.notna(k) else int(np.unique(block).size)
    bd = row.get("block_disassortativity")
    bd_text = f"{float(bd):.2f}" if bd is not None and pd.notna(bd) else "n/a"
    return (f"{k} block{'s' if k != 1 else ''}, "
            f"{'BD =' if short else 'block disassortativity'} {bd_text}")


def _heatmaps(inp: Inputs) -> Section:
    sec = Section("heatmaps", "Weight matrices: Leiden and block-model order")
    final = final_rows(inp.tables["snapshots"])
    if final.empty or "snapshot_path" not in final:
        sec.text("No final snapshots to show.")
        return sec
    limit = inp.heatmap_max_neurons
    sec.text("Final weights of one analysed run per learning rate (the lowest seed whose "
             "snapshot could be read), drawn twice side by side: neurons ordered by their "
             "Leiden community (left; neurons alone in their community gathered in one "
             "last block, 'single') and by the blocks of the degree-corrected stochastic "
             "block model (right; the neurons table's block), which groups neurons by "
             "their connection pattern, so across-module, feed-forward and hub structure "
             "show as off-diagonal blocks. Lines mark community or block boundaries. "
             "Colours: red excitatory, blue inhibitory, limits at the 99th percentile of "
             "|W| of each panel. Axes: presynaptic j (x), postsynaptic i (y). Groups with "
             f"graphs of more than {limit:,} neurons are shown as a block-level view "
             "instead: one cell per pair of Leiden communities, coloured by the mean |w| "
             "onto community a (rows) from community b (columns), as tall and wide as the "
             "communities are large.")
    for g in group_order(final):
        d = of_group(final, g)
        blocky = max((n_neurons(inp, row) for _, row in d.iterrows()), default=0) > limit
        load = _load_block_view if blocky else _load_weights
        panels, sbm, notes = [], [], []
        for lr in learning_rates(d):
            for _, row in d[d["learning_rate"] == lr].sort_values("seed").iterrows():
                loaded = load(inp, row)
                if loaded is None:
                    continue
                inp.chosen[(g, lr)] = row
                q = float(row.get("modularity", np.nan))
                head = f"r = {lr_text(lr)}, seed {row.get('seed', '?')}"
                if blocky:
                    panels.append((f"{head}, Q = {q:.2f}", *loaded))
                    break
                W, comm, block = loaded
                panels.append((f"{head}\nLeiden: Q = {q:.2f}", W, comm))
                sbm.append(None if block is None else
                           (f"{head}\nSBM: {_sbm_note(row, block)}", W, block))
                if block is not None:
                    notes.append(f"r = {lr_text(lr)}: {_sbm_note(row, block, short=False)}")
                break
        if not panels:
            sec.text(f"Group {group_name(g)}: no snapshot could be loaded (see Skipped).")
            continue
        if blocky:
            inp.figure(sec, plot.community_block_grid(panels, layout="fixed"),
                       f"Group {group_name(g)}: block-level view of the final weights (more "
                       f"than {limit:,} neurons, too many to draw one by one): mean |w| onto "
                       "community a (rows) from community b (columns), communities in Leiden "
                       "order, each cell as tall and wide as its two communities are large "
                       "(sizes on the axes), one panel per learning rate. No block-model view "
                       "at this size.")
        elif all(p is not None for p in sbm):
            pairs = [x for leiden, block in zip(panels, sbm, strict=True)
                     for x in (leiden, block)]
            inp.figure(sec, plot.heatmap_grid(pairs, ncols=2, group_singletons=True,
                                              layout="fixed",
                                              colorbars=[False, True] * len(panels)),
                       f"Group {group_name(g)}: final signed weights W, one row per "
                       "learning rate; left: neurons in Leiden order, right: the same "
                       "matrix in the order of the block model's blocks, sharing its "
                       "colour scale (BD: block disassortativity; "
                       + "; ".join(notes) + "). Block disassortativity: the share of the weight "
                       "that block-to-block projections carry in excess of the denser of "
                       "their two blocks inside (0 for assortative modules, 1 for a pure "
                       "sender -> receiver graph).")
        else:
            missing = [p[0].split("\n")[0] for p, b in zip(panels, sbm, strict=True)
                       if b is None]
            inp.figure(sec, plot.heatmap_grid(panels, group_singletons=True, layout="fixed"),
                       f"Group {group_name(g)}: final signed weights W, neurons ordered by "
                       "Leiden community, one panel per learning rate (no block-model view: "
                       "the neurons table has no block-model membership for "
                       + "; ".join(missing) + ").")
    return sec


def _blocks(inp: Inputs) -> Section:
    sec = Section("blocks", "Block matrices")
    blocks = inp.tables["blocks"]
    need = {"run_id", "step", "block_to", "block_from", "mean_abs_weight"}
    if not need <= set(blocks.columns) or blocks.empty:
        sec.text("No block table.")
        return sec
    sec.text("Mean |w| onto community a (rows) from community b (columns) of the final "
             "snapshot shown above for each learning rate. A block-diagonal matrix is "
             "within-module wiring; strong off-diagonal blocks are across-module wiring.")
    for g in group_order(inp.tables["snapshots"]):
        panels = []
        for row in chosen_rows(inp, g):
            b = blocks[(blocks["run_id"] == row["run_id"]) & (blocks["step"] == row["step"])]
            if b.empty:
                continue
            B = b.pivot_table(index="block_to", columns="block_from", values="mean_abs_weight")
            B = B.reindex(index=B.index.union(B.columns), columns=B.index.union(B.columns))
            head = f"r = {lr_text(row['learning_rate'])}, seed {row.get('seed', '?')}"
            if "size_to" in b:
                sizes = b.groupby("block_to")["size_to"].first().reindex(B.index).fillna(0)
                singles = int((sizes == 1).sum())
                if singles > 1:
                    head += f"\n{singles} single neurons: one block"
                panels.append((head, B, sizes.to_numpy()))
            else:
                panels.append((head, B))
        if panels:
            inp.figure(sec, plot.block_grid(panels, ncols=min(len(panels), 4), layout="fixed",
                                            group_singletons=True),
                       f"Group {group_name(g)}: block matrices (mean |w|), final snapshot; "
                       "communities of one neuron gathered in one last block, 'single' (its "
                       "cells: mean |w| over the neuron pairs they hold).")
    return sec
