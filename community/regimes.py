"""Learning-rate regimes, classified from the ``runs`` and ``snapshots`` tables only.

For each cell (group, rule, pruning fraction, graph family, learning rate) the final
snapshots of its seeds are pooled and the regime is the first of these that applies
(the thresholds are the named constants below; the evidence for each verdict is written
beside it, naming the null models beaten):

``"unstable"``
    at least :data:`UNSTABLE_SHARE` of the runs diverged or failed (non-finite dynamics,
    the weight limit, or a training loss blow-up): their weights are not a result.
``"runaway"``
    the weights grew at least :data:`RUNAWAY_GROWTH` times their initial maximum and at
    least :data:`ISOLATED_MIN` of the neurons were left without a synapse, or at least
    :data:`SATURATED_MIN` saturated (``f(s) < 1e-3``: learning stops there) (medians
    over seeds).
``"unchanged"``
    the weights moved less than :data:`CHANGE_MIN` (median relative Frobenius change
    from the initial weights pruned to the same density).
``"within-module"``
    modularity beats the init-pruned null (:data:`PRIMARY_NULL`) by at least
    :data:`Q_EXCESS_MIN`, *and* the block model's blocks are assortative beyond that
    null (block assortativity at least :data:`BA_MIN`), and no other signature passes.
    Modularity alone also rises around hubs (a neuron with a large in-strength gathers
    its senders into a "module"); the degree-corrected block model explains hubs by
    their degrees, so it confirms that the modules are modules.
``"across-module"``
    block-level disassortativity of the block model's blocks beats the init-pruned null
    and is at least :data:`BD_MIN`, and no other signature does.
``"hub-dominated"``
    the top 10% of neurons hold at least :data:`HUB_SHARE_MIN` of the in- or of the
    out-strength, beating the init-pruned null, and no other signature does.
``"mixed"``
    more than one of the three signatures passed; the evidence names them.
``"changed"``
    the weights changed, but no signature passed (beat its null in enough runs *and*
    cleared its minimum effect): not detected at this power (runs x null draws), which is
    not the same as absent. A signature can beat its null in every run and still not pass,
    e.g. a modularity gain below :data:`Q_EXCESS_MIN` or without assortative blocks; the
    evidence gives each signature's count.

Without the init-pruned null (runs without initial weights, e.g. weights trained
elsewhere without their initial snapshot, or an analysis that left it out) no structural
verdict is made: the cell is ``"changed"`` and its evidence says why.

A signature *passes* in a cell when at least :data:`SEED_SHARE` of its runs beat the
primary null (``z >= Z_MIN`` and one-sided empirical ``p <= P_MAX`` with at least
:data:`MIN_NULL_DRAWS` draws, :mod:`community.evidence`) and the median effect clears
its minimum. The init-pruned null (what pruning random weights builds) decides because
under pruning the rule itself chooses which synapses survive: a structure "explained by
the surviving topology" is still the rule's doing. The evidence also reports, per
signature, how many runs beat the shuffled-weights and degree-preserving-rewiring
nulls, and says when seeds split.

Examples
--------
>>> runs_t = pd.DataFrame({"run_id": ["a", "b"], "group": ["g", "g"],
...     "learning_rate": [1e-4, 1.0], "run_status": ["ok", "unstable"]})
>>> snaps = pd.DataFrame({"run_id": ["a"], "group": ["g"], "learning_rate": [1e-4],
...     "is_final": [True], "weight_change": [0.001], "n_null": [20]})
>>> classify(snaps, runs_t)["regime"].tolist()
['unchanged', 'unstable']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["REGIMES", "DEFINITIONS", "UNSTABLE_SHARE", "RUNAWAY_GROWTH", "ISOLATED_MIN",
           "SATURATED_MIN", "CHANGE_MIN", "Q_EXCESS_MIN", "BA_MIN", "BD_MIN", "HUB_SHARE_MIN",
           "SEED_SHARE", "MIN_NULL_DRAWS", "Z_MIN", "P_MAX", "PRIMARY_NULL", "classify"]

REGIMES = ("unstable", "runaway", "unchanged", "within-module", "across-module",
           "hub-dominated", "mixed", "changed")
UNSTABLE_SHARE = 0.5
RUNAWAY_GROWTH = 100.0
ISOLATED_MIN = 0.10
SATURATED_MIN = 0.25
CHANGE_MIN = 0.05
Q_EXCESS_MIN = 0.02
BA_MIN = 0.05
BD_MIN = 0.2
HUB_SHARE_MIN = 0.3
SEED_SHARE = 0.5
MIN_NULL_DRAWS = 20
Z_MIN = 2.0
P_MAX = 0.05
PRIMARY_NULL = "init_pruned"
_NULL_NAMES = {"init_pruned": "init-pruned", "shuffle": "shuffled weights",
               "rewire": "degree-preserving rewiring"}
_SIGNATURES = {"q": ("within-module", "modularity", "q_max"),
               "bd": ("across-module", "block disassortativity", "block_disassortativity"),
               "hub": ("hub-dominated", "top-10% strength share", "hub_share")}
#: Evidence that must accompany a signature: within-module modularity needs assortative
#: blocks of the degree-corrected block model (not hubs).
_CONFIRM = {"q": ("ba", "block assortativity", "block_assortativity")}

#: One sentence per regime, for reports.
DEFINITIONS = {
    "unstable": f"at least {UNSTABLE_SHARE:.0%} of the runs diverged (non-finite dynamics, "
                "the weight limit, or a training loss above twice the untrained one); their "
                "weights are not analysed.",
    "runaway": f"max |w| grew at least {RUNAWAY_GROWTH:g}x and at least {ISOLATED_MIN:.0%} "
               f"of the neurons lost every synapse or {SATURATED_MIN:.0%} saturated "
               "(f(s) < 1e-3).",
    "unchanged": f"the weights moved less than {CHANGE_MIN:g} (relative to the initial "
                 "weights pruned to the same density).",
    "within-module": f"modularity beats the init-pruned null by at least {Q_EXCESS_MIN:g} "
                     "and the degree-corrected block model finds assortative blocks beyond "
                     f"that null (block assortativity >= {BA_MIN:g}); no other signature "
                     "passes.",
    "across-module": "block-level disassortativity of the block model's blocks beats the "
                     f"init-pruned null and is at least {BD_MIN:g}; no other signature "
                     "passes.",
    "hub-dominated": f"the top 10% of neurons hold at least {HUB_SHARE_MIN:.0%} of the in- "
                     "or out-strength, beating the init-pruned null; no other signature "
                     "passes.",
    "mixed": "more than one signature passes; the evidence names them.",
    "changed": "the weights changed but no signature passed (beat the init-pruned null in "
               "enough runs and cleared its minimum effect): not detected at this power.",
}

#: A cell: runs that differ only in their seed (missing columns are ignored).
CELL = ["group", "rule", "prune", "graph_family", "learning_rate"]
COLUMNS = ["group", "rule", "prune", "graph_family", "learning_rate", "regime", "n_runs",
           "n_analysed", "n_unstable", "n_null", "weight_change_median",
           "weight_growth_median", "isolated_median", "saturated_median", "sbm_blocks_median",
           "q_median", "q_null_median", "q_beats", "ba_median", "ba_null_median", "ba_beats",
           "bd_median", "bd_null_median", "bd_beats", "hub_median", "hub_null_median",
           "hub_beats", "signatures", "nulls_beaten", "seeds_split", "evidence"]


def _fmt(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.3g}"


def _median(g: pd.DataFrame, col: str) -> float:
    if col not in g:
        return float("nan")
    v = pd.to_numeric(g[col], errors="coerce").to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    return float(np.median(v)) if v.size else float("nan")


def _beats(g: pd.DataFrame, sig: str, null: str) -> tuple[int, int]:
    """(runs beating the null, runs with that null computed)."""
    z, p = f"{sig}_z_{null}", f"{sig}_p_{null}"
    if z not in g or p not in g:
        return 0, 0
    zv = pd.to_numeric(g[z], errors="coerce").to_numpy(dtype=float)
    pv = pd.to_numeric(g[p], errors="coerce").to_numpy(dtype=float)
    has = ~np.isnan(pv)
    return int(np.sum(has & (pv <= P_MAX) & (zv >= Z_MIN))), int(has.sum())


def _signature(g: pd.DataFrame, sig: str) -> dict:
    """Whether one signature passes in a cell, with its evidence."""
    _, name, col = _SIGNATURES[sig] if sig in _SIGNATURES else (None, *_CONFIRM["q"][1:])
    value = _median(g, col)
    null_value = _median(g, f"{sig}_null_{PRIMARY_NULL}")
    beat, n = _beats(g, sig, PRIMARY_NULL)
    if sig == "q":
        effect_ok = np.isfinite(value - null_value) and value - null_value >= Q_EXCESS_MIN
        effect = f"{name} {_fmt(value)} vs {_fmt(null_value)} init-pruned"
    elif sig == "ba":
        effect_ok = np.isfinite(value) and value >= BA_MIN
        effect = f"{name} {_fmt(value)} vs {_fmt(null_value)} init-pruned"
    elif sig == "bd":
        effect_ok = np.isfinite(value) and value >= BD_MIN
        effect = (f"{name} {_fmt(value)} vs {_fmt(null_value)} init-pruned "
                  f"({_fmt(_median(g, 'sbm_blocks'))} blocks)")
    else:
        effect_ok = np.isfinite(value) and value >= HUB_SHARE_MIN
        effect = f"{name} {_fmt(value)} vs {_fmt(null_value)} init-pruned"
    passes = bool(n and beat >= SEED_SHARE * n and effect_ok)
    others, beaten = [], [_NULL_NAMES[PRIMARY_NULL]] if passes else []
    for null in ("shuffle", "rewire"):
        b, m = _beats(g, sig, null)
        if m:
            others.append(f"{_NULL_NAMES[null]} {b}/{m}")
            if passes and b >= SEED_SHARE * m:
                beaten.append(_NULL_NAMES[null])
    zmed = _median(g, f"{sig}_z_{PRIMARY_NULL}")
    text = (f"{effect}: beat init-pruned in {beat}/{n} runs (median z {_fmt(zmed)})"
            + (f"; also beat {', '.join(others)}" if others else ""))
    return {"passes": passes, "value": value, "null": null_value, "beats": f"{beat}/{n}",
            "split": 0 < beat < n, "text": text, "nulls_beaten": beaten}


def classify(snapshots: pd.DataFrame, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per cell: the regime and the evidence for it.

    Parameters
    ----------
    snapshots : DataFrame
        The ``snapshots`` table of :mod:`community.tables` (its final snapshots).
    runs : DataFrame, optional
        The ``runs`` table (every run, with ``run_status``); without it the runs are
        those of ``snapshots``, all taken as analysed.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: the cell, ``regime``, run counts, medians over seeds of
        the measures, for each signature the number of runs that beat the init-pruned
        null (``q_beats`` ...), the signatures that passed, the nulls they beat, whether
        seeds split, and a sentence of ``evidence``.

    Examples
    --------
    >>> snaps = pd.DataFrame({"run_id": ["a", "b"], "group": "g", "learning_rate": 1.0,
    ...     "is_final": True, "weight_change": 2.0, "n_null": 20, "weight_growth": 3.0,
    ...     "hub_share": 0.6, "hub_null_init_pruned": 0.13, "hub_z_init_pruned": 40.0,
    ...     "hub_p_init_pruned": 1 / 21})
    >>> r = classify(snaps)
    >>> r["regime"].tolist(), r["hub_beats"].tolist(), r["nulls_beaten"].tolist()
    (['hub-dominated'], ['2/2'], ['hub: init-pruned'])
    """
    snapshots = snapshots if snapshots is not None else pd.DataFrame()
    final = (snapshots[snapshots["is_final"].astype(bool)]
             if "is_final" in snapshots else snapshots.iloc[0:0])
    if runs is None or runs.empty:
        runs = final.assign(run_status="ok") if len(final) else pd.DataFrame()
    if runs.empty:
        return pd.DataFrame(columns=COLUMNS)
    cell = [c for c in CELL if c in runs.columns]
    rows = []
    for key, r in runs.groupby(cell, sort=True, dropna=False):
        ident = dict(zip(cell, key if isinstance(key, tuple) else (key,), strict=True))
        n = len(r)
        bad = r["run_status"].astype(str) != "ok"
        n_bad = int(bad.sum())
        g = final[final["run_id"].isin(r.loc[~bad, "run_id"])] if "run_id" in final else final
        if len(g) == 0 and n_bad == 0:
            continue    # ran, but nothing could be analysed: the skipped table says why
        n_null = int(pd.to_numeric(g["n_null"], errors="coerce").min()) \
            if "n_null" in g and len(g) and g["n_null"].notna().any() else 0
        med = {c: _median(g, c) for c in ("weight_change", "weight_growth",
                                          "isolated_fraction", "saturated_fraction",
                                          "sbm_blocks")}
        sigs = {s: _signature(g, s) for s in (*_SIGNATURES, "ba")}
        if sigs["q"]["passes"] and not sigs["ba"]["passes"]:
            sigs["q"] = {**sigs["q"], "passes": False, "nulls_beaten": [],
                         "text": sigs["q"]["text"] + " (not confirmed: the degree-corrected "
                                 "block model finds no assortative blocks beyond the null)"}
        passed = [s for s in _SIGNATURES if sigs[s]["passes"]]
        facts = [f"{len(g)} of {n} runs analysed"
                 + (f" ({n_bad} unstable or failed, left out)" if n_bad else ""),
                 f"weight change {_fmt(med['weight_change'])}, max |w| x"
                 f"{_fmt(med['weight_growth'])}, isolated {_fmt(med['isolated_fraction'])}, "
                 f"saturated {_fmt(med['saturated_fraction'])}"]
        facts += [sigs[s]["text"] for s in (*_SIGNATURES, "ba")]
        split = [s for s in _SIGNATURES if sigs[s]["split"]]
        if split:
            facts.append("seeds split on " + ", ".join(_SIGNATURES[s][1] for s in split))
        if passed and "q" in passed:
            sigs["q"]["nulls_beaten"] = sorted(set(sigs["q"]["nulls_beaten"])
                                               & set(sigs["ba"]["nulls_beaten"])) or \
                sigs["q"]["nulls_beaten"][:1]
        if n_bad >= UNSTABLE_SHARE * n or len(g) == 0:
            reasons = sorted(set(r.loc[bad, "reason"].astype(str))) if "reason" in r else []
            regime = "unstable"
            why = (f"{n_bad}/{n} runs unstable or failed"
                   + (f" (e.g. {reasons[0]})" if reasons else ""))
        elif (med["weight_growth"] >= RUNAWAY_GROWTH
              and (med["isolated_fraction"] >= ISOLATED_MIN
                   or med["saturated_fraction"] >= SATURATED_MIN)):
            regime = "runaway"
            why = (f"max |w| grew {_fmt(med['weight_growth'])}x (>= {RUNAWAY_GROWTH:g}) with "
                   f"{_fmt(med['isolated_fraction'])} isolated / "
                   f"{_fmt(med['saturated_fraction'])} saturated")
        elif np.isfinite(med["weight_change"]) and med["weight_change"] < CHANGE_MIN:
            regime, why = "unchanged", f"weight change < {CHANGE_MIN:g}"
        elif n_null < MIN_NULL_DRAWS:
            regime = "changed"
            why = (f"only {n_null} null draws (< {MIN_NULL_DRAWS}): no structural verdict "
                   "made")
        elif not any(_beats(g, s, PRIMARY_NULL)[1] for s in _SIGNATURES):
            regime = "changed"
            why = ("no init-pruned null, which every verdict must beat (the runs have no "
                   "initial weights, e.g. weights trained elsewhere without their initial "
                   "snapshot, or the analysis left that null out): no structural verdict "
                   "made; the shuffled-weights and rewiring nulls are reported below")
        elif len(passed) == 1:
            regime = _SIGNATURES[passed[0]][0]
            why = f"{_SIGNATURES[passed[0]][1]} passed"
        elif passed:
            regime = "mixed"
            why = "several signatures passed: " + ", ".join(_SIGNATURES[s][1] for s in passed)
        else:
            regime = "changed"
            why = (f"no signature passed (beat the init-pruned null in >= {SEED_SHARE:.0%} "
                   f"of {len(g)} runs x {n_null} draws and cleared its minimum effect): not "
                   "detected at this power")
        beaten = "; ".join(f"{s}: {', '.join(sigs[s]['nulls_beaten'])}" for s in passed)
        rows.append({
            **ident, "regime": regime, "n_runs": n, "n_analysed": len(g), "n_unstable": n_bad,
            "n_null": n_null, "weight_change_median": med["weight_change"],
            "weight_growth_median": med["weight_growth"],
            "isolated_median": med["isolated_fraction"],
            "saturated_median": med["saturated_fraction"],
            "sbm_blocks_median": med["sbm_blocks"],
            **{f"{s}_median": sigs[s]["value"] for s in sigs},
            **{f"{s}_null_median": sigs[s]["null"] for s in sigs},
            **{f"{s}_beats": sigs[s]["beats"] for s in sigs},
            "signatures": ", ".join(_SIGNATURES[s][0] for s in passed),
            "nulls_beaten": beaten, "seeds_split": bool(split),
            "evidence": f"{why}. " + "; ".join(facts),
        })
    return pd.DataFrame(rows, columns=COLUMNS)
