"""The report's evidence sections: the verdicts it opens with, structure and null models.

Three section builders over the tables of :mod:`community.tables` (nothing is recomputed
here; the thresholds and sentences are :mod:`community.regimes`'s):

* **Verdicts** -- one row per group and learning rate of the ``regimes`` table (more
  cell columns -- rule, pruning, graph family -- only where a group has several): the
  regime, runs analysed of all runs (and how many were unstable), for each signature
  (and block assortativity, where the table has it) how many runs beat the init-pruned
  null, the nulls each passing signature beat and the
  number of null draws; then one sentence per regime that appears
  (:data:`community.regimes.DEFINITIONS`), which null decides, the number of draws every
  z-score rests on, and what "changed" means.
* **Structure against the learning rate** -- per group, the signatures (and the block
  assortativity that confirms modularity) with the mean of each null model's draws,
  isolated and saturated fractions, weight growth and the Leiden partition's measures;
  learning rates whose runs were unstable are marked.
* **Null models** -- per group, the z-score of each signature against each null.

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> from community.report.kit import Inputs
>>> tables = {name: pd.DataFrame() for name in ("snapshots", "regimes", "runs")}
>>> inp = Inputs(sweep=Path("."), tables=tables, settings={}, describe="")
>>> [item.text for item in _verdicts(inp).items][0][:22]
'No regime table: no ve'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from community import plot, regimes
from community.report.kit import (
    Inputs,
    Item,
    Section,
    dropped_note,
    final_rows,
    group_name,
    group_order,
    has_data,
    informative,
    lr_text,
    of_group,
    panel_grid,
    sort_cells,
)
from community.tables import mixed_provenance

__all__: list[str] = []  # the report's own; community.report.build runs the builders

#: Signature -> (name in the report, observed column). Block assortativity ("ba") is not
#: a regime of its own: it confirms that high modularity is modules, not hubs
#: (:mod:`community.regimes`); it is shown where the tables have it.
SIGNATURES = {"q": ("modularity", "q_max"),
              "ba": ("block assortativity", "block_assortativity"),
              "bd": ("block disassortativity", "block_disassortativity"),
              "hub": ("hub share", "hub_share")}
#: Null model (column suffix) -> short name in legends and tables.
NULLS = {"init_pruned": "init-pruned", "shuffle": "shuffled", "rewire": "rewired"}
_NULL_LONG = {"init_pruned": "the init-pruned null (the run's initial weights, shuffled over "
                             "the initial synapses and pruned by |w| to the final number of "
                             "synapses)",
              "shuffle": "the shuffled-weights null (the trained weights permuted over the "
                         "surviving synapses)",
              "rewire": "the degree-preserving rewiring of the trained graph"}
_CELL_EXTRA = (("rule", "rule"), ("prune", "prune"), ("graph_family", "graph family"))
_REFS = {"within_excess": 1.0, "offdiag_index": 1.0}
_BEATEN = {sig: name for sig, (name, _) in SIGNATURES.items()}


# --------------------------------------------------------------------------- helpers


def _int(v: Any) -> int | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if np.isfinite(f) else None


def unstable_rates(inp: Inputs, group: Any) -> list[float]:
    """Learning rates of ``group`` whose cell is "unstable" (regimes table), else those
    where no run ended "ok" (runs table)."""
    reg = inp.tables.get("regimes", pd.DataFrame())
    if {"group", "learning_rate", "regime"} <= set(reg.columns) and len(reg):
        r = of_group(reg, group)
        return sorted(float(v) for v in pd.unique(r.loc[r["regime"] == "unstable",
                                                        "learning_rate"]))
    runs_t = inp.tables.get("runs", pd.DataFrame())
    if {"learning_rate", "run_status"} <= set(runs_t.columns) and len(runs_t):
        r = of_group(runs_t, group)
        ok = r.groupby("learning_rate")["run_status"].agg(lambda s: (s == "ok").any())
        return sorted(float(v) for v in ok.index[~ok])
    return []


def _n_null_values(df: pd.DataFrame, analysed: pd.Series | None = None) -> list[int]:
    if "n_null" not in df:
        return []
    v = pd.to_numeric(df["n_null"] if analysed is None else df.loc[analysed, "n_null"],
                      errors="coerce").dropna()
    return sorted({int(x) for x in v})


def _draws_text(values: list[int]) -> str:
    if not values:
        return "an unknown number of"
    return str(values[0]) if len(values) == 1 else f"{values[0]} to {values[-1]}"


def _beats_text(row: pd.Series) -> str:
    if _int(row.get("n_analysed")) == 0:
        return "not analysed"
    parts = [f"{name} {row[f'{sig}_beats']}" for sig, (name, _) in SIGNATURES.items()
             if f"{sig}_beats" in row and isinstance(row[f"{sig}_beats"], str)]
    return ", ".join(parts) or "n/a"


def _nulls_beaten_text(row: pd.Series) -> str:
    if _int(row.get("n_analysed")) == 0:
        return "not analysed"
    text = row.get("nulls_beaten")
    if not isinstance(text, str) or not text.strip():
        return "none"
    out = []
    for part in text.split(";"):
        sig, _, nulls = part.strip().partition(":")
        out.append(f"{_BEATEN.get(sig.strip(), sig.strip())}: {nulls.strip()}")
    return "; ".join(out)


def _runs_text(row: pd.Series) -> str:
    n, a, bad = (_int(row.get(c)) for c in ("n_runs", "n_analysed", "n_unstable"))
    if n is None:
        return "n/a"
    text = f"{a if a is not None else '?'}/{n}"
    return text + (f" ({bad} unstable)" if bad else "")


def verdict_table(reg: pd.DataFrame, order: list[Any]) -> pd.DataFrame:
    """The verdict table shown first in the report, one row per cell of ``reg``.

    ``order`` lists the groups in report order (others follow); rows are sorted by group,
    then numerically by learning rate (and the other cell columns).
    """
    reg = reg.copy()
    reg["group"] = reg["group"].fillna("")
    extra = [(c, title) for c, title in _CELL_EXTRA
             if c in reg and (reg.groupby("group")[c].nunique(dropna=False) > 1).any()]
    reg = sort_cells(reg, order)
    rows = []
    for _, r in reg.iterrows():
        analysed = _int(r.get("n_analysed")) != 0
        n_null = _int(r.get("n_null"))
        rows.append({
            "group": group_name(r["group"]),
            **{title: str(r[c]) for c, title in extra},
            "learning rate": lr_text(r["learning_rate"]),
            "regime": str(r["regime"]),
            "runs analysed": _runs_text(r),
            "beat the init-pruned null (runs)": _beats_text(r),
            "nulls beaten": _nulls_beaten_text(r),
            "null draws": f"{n_null} per null" if analysed and n_null is not None else "-",
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- sections


def _verdicts(inp: Inputs) -> Section:
    sec = Section("verdicts", "Verdicts")
    reg = inp.tables["regimes"]
    if reg.empty or not {"group", "learning_rate", "regime"} <= set(reg.columns):
        sec.text("No regime table: no verdicts (the analysis, community.tables.analyse_sweep, "
                 "writes analysis/regimes).")
        return sec
    order = (group_order(inp.tables.get("runs", pd.DataFrame()))
             or group_order(inp.tables["snapshots"]))
    for warning in mixed_provenance(inp.tables.get("runs", pd.DataFrame())):
        sec.text(f"Warning: {warning}. The same configuration and seed give the same weights "
                 "only from the same code; rerun the sweep with one commit to compare like "
                 "with like.")
    table = verdict_table(reg, order)
    sec.table("Verdict per group and learning rate (the Learning-rate regimes section "
              "gives the evidence). Runs analysed: runs that ended 'ok' of all runs of the "
              "cell; unstable runs are not analysed. Beat the init-pruned null: runs whose "
              f"signature has z >= {regimes.Z_MIN:g} and empirical p <= {regimes.P_MAX:g} "
              "against it. Nulls beaten: for each signature that passed, the nulls that "
              f"at least {regimes.SEED_SHARE:.0%} of the runs beat.", table)
    seen = [r for r in regimes.REGIMES if r in set(reg["regime"].astype(str))]
    seen += sorted(set(reg["regime"].astype(str)) - set(seen))
    sec.items.append(Item("terms", rows=[[r, regimes.DEFINITIONS.get(r, "")] for r in seen]))
    analysed = (pd.to_numeric(reg["n_analysed"], errors="coerce") > 0
                if "n_analysed" in reg else None)
    draws = _n_null_values(reg, analysed)
    primary = regimes.PRIMARY_NULL.replace("-", "_")
    sec.text(f"The null that decides is {_NULL_LONG.get(primary, regimes.PRIMARY_NULL)}: "
             "what pruning random weights alone builds. Under pruning the rule chooses which "
             "synapses survive, so a structure this null does not explain is the rule's "
             "doing. The shuffled-weights and degree-preserving-rewiring nulls are reported "
             "beside it (nulls beaten) but do not decide.")
    if draws:
        lowest = 1 / (draws[0] + 1)
        sec.text(f"Every z-score rests on {_draws_text(draws)} draws per null model and run "
                 f"(n_null in the tables); with {draws[0]} draws the smallest one-sided "
                 f"empirical p is 1/{draws[0] + 1} = {lowest:.3f}, reached only by beating "
                 f"every draw. Cells with fewer than {regimes.MIN_NULL_DRAWS} draws get no "
                 "structural verdict.")
    else:
        sec.text("The tables record no null draws (n_null): no z-score stands behind these "
                 "verdicts.")
    sec.text("'changed' means the weights moved but no signature passed: none beat the "
             f"init-pruned null in at least {regimes.SEED_SHARE:.0%} of the runs while "
             "clearing its minimum effect (a modularity gain of at least "
             f"{regimes.Q_EXCESS_MIN:g} confirmed by assortative blocks, a block "
             f"disassortativity of at least {regimes.BD_MIN:g}, a top-10% strength share of "
             f"at least {regimes.HUB_SHARE_MIN:g}). The counts of runs that beat the null "
             "are shown either way. 'changed' is not detected at this power (the cell's runs x "
             "the null draws), which is not the same as absent.")
    return sec


def _null_columns(df: pd.DataFrame, sig: str, kind: str) -> dict[str, str]:
    """Legend name -> column of ``sig``'s ``kind`` ("null" means, "z" scores) per null."""
    return {name: f"{sig}_{kind}_{m}" for m, name in NULLS.items()
            if has_data(df, f"{sig}_{kind}_{m}")}


def _measures(inp: Inputs) -> Section:
    sec = Section("measures", "Structure against the learning rate")
    final = final_rows(inp.tables["snapshots"])
    for g in group_order(final):
        d = of_group(final, g)
        unstable = unstable_rates(inp, g)
        sigs = [col for _, col in SIGNATURES.values() if has_data(d, col)]
        more = [c for c in ("isolated_fraction", "saturated_fraction", "weight_growth")
                if has_data(d, c)]
        leiden = [c for c in ("modularity", "within_excess", "offdiag_index")
                  if has_data(d, c)]
        nulls = {col: _null_columns(d, sig, "null") for sig, (_, col) in SIGNATURES.items()}

        def columns(y: str, nulls: dict = nulls) -> list[str]:
            return [y, *(nulls.get(y) or {}).values()]  # flat only with its nulls flat too

        panels, flat = informative(d, sigs + more + leiden, columns)
        if flat:
            sec.text(dropped_note(d, flat, f"Group {group_name(g)}", columns=columns))
        if not panels:
            continue
        def draw(y: str, ax: Any, d: pd.DataFrame = d, nulls: dict = nulls,
                 unstable: list = unstable, colour: str = inp.colour(g),
                 legend: bool = True) -> None:
            plot.measure_vs_lr(d, y, ax=ax, refline=_REFS.get(y), nulls=nulls.get(y),
                               unstable=unstable, logy=y == "weight_growth", legend=legend,
                               color=colour)

        draws = _draws_text(_n_null_values(d))
        panel_grid(inp, sec, panels, draw=draw, caption=(
              f"Group {group_name(g)}, final snapshots of the analysed runs: the "
              "signatures -- modularity (maximised by Louvain), block assortativity and "
              "block disassortativity of the degree-corrected block model's blocks (the "
              "first confirms that modularity is modules, not hubs) and the top-10% share "
              "of in- or out-strength -- each with the mean of every null model's draws "
              "(grey; dashed: init-pruned, "
              "dotted: shuffled weights, dash-dotted: degree-preserving rewiring; "
              f"{draws} draws per null and run); the fractions of isolated and saturated "
              "neurons and the growth of max |w| (log scale) where recorded; the Leiden "
              "partition's modularity Q, within-module weight relative to its size-matched "
              "chance level and off-diagonal block index (dashed: 1). Mean over seeds with "
              "the 95% t-interval of the mean (no bar with one seed). Grey band and x: "
              "learning rates whose runs were unstable, not analysed. The legend of the "
              "first panel holds for all."), one_legend=True)
    if not sec.items:
        sec.text("No measures to plot.")
    return sec


def _nulls(inp: Inputs) -> Section:
    sec = Section("nulls", "Null models")
    final = final_rows(inp.tables["snapshots"])
    made = False
    for g in group_order(final):
        d = of_group(final, g)
        columns = {sig: _null_columns(d, sig, "z") for sig in SIGNATURES}
        if not _null_columns(d, "q", "z") and has_data(d, "q_z_shuffle"):
            columns["q"] = {"shuffled": "q_z_shuffle"}  # tables of an older analysis
        columns = {s: c for s, c in columns.items() if c}
        if not columns:
            continue
        unstable = unstable_rates(inp, g)

        def draw(sig: str, ax: Any, d: pd.DataFrame = d, columns: dict = columns,
                 unstable: list = unstable, legend: bool = True) -> None:
            plot.null_zscores(d, columns[sig], ax=ax, unstable=unstable,
                              refline=regimes.Z_MIN, legend=legend,
                              ylabel=f"z-score of the {SIGNATURES[sig][0]}")
            ax.set_title(SIGNATURES[sig][0], fontsize=9)

        draws = _n_null_values(d)
        panel_grid(inp, sec, list(columns), draw=draw, caption=(
              f"Group {group_name(g)}: z-score of each signature of the final weights "
              "against each null model (colour), z = (observed - mean of the draws) / sd of "
              f"the draws over {_draws_text(draws)} draws per null and run; mean over seeds "
              f"with the 95% t-interval. Dashed: z = {regimes.Z_MIN:g}; a run beats a null "
              f"at z >= {regimes.Z_MIN:g} and empirical p <= {regimes.P_MAX:g}. Triangles: "
              "infinite z (every draw of that null equal, the observation not). Symmetric-log "
              "axis (linear within +-10) where z-scores run large. Grey band and x: learning "
              "rates whose runs were unstable, not analysed."), one_legend=True)
        made = True
    if not made:
        sec.text("No null-model z-scores were computed.")
    return sec
