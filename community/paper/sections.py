"""The report's results sections on Algorithm 1, written from the inference tables alone.

Each function takes the tables (:func:`community.paper.report.read_paper_tables`) and a
:class:`~community.paper._sections.Context` (the report directory, the drawn figures,
the running figure number), and returns a
:class:`~community.paper._sections.Sec`. Every number in the text is read from a table;
a sentence is only as strong as its test (:mod:`community.paper.claims`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community.paper._sections import Context, Sec, fmt_p
from community.paper.claims import ALPHA
from community.paper.inference import (
    PLASTIC_ISOLATED_MAX,
    PLASTIC_MOVING_MIN,
    PLASTIC_SATURATED_MAX,
    SIGNATURE_COLUMNS,
)

__all__ = ["setup_section", "regimes_section", "reference_section", "pooled_section",
           "duration_section", "sensitivity_section", "timescales_section",
           "development_section", "rates_of"]


def _g(v: float, digits: int = 3) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.{digits}g}"


def rates_of(t: dict) -> dict:
    """The contrast's rates from the ``rates`` table (empty dict if none).

    Examples
    --------
    >>> rates_of({"rates": pd.DataFrame({"name": ["low"], "learning_rate": [0.1]})})
    {'low': 0.1}
    """
    r = t.get("rates", pd.DataFrame())
    return {row.name: float(row.learning_rate) for row in r.itertuples()} if len(r) else {}


def n_neurons(t: dict) -> str:
    """The network size, from the Fig. 4 matrices ("n/a" without them).

    Examples
    --------
    >>> n_neurons({"fig4": {"low_trained": np.zeros((5, 5))}})
    '5'
    """
    for k, v in t.get("fig4", {}).items():
        if k.endswith("_trained"):
            return str(np.shape(v)[0])
    return "n/a"


def _runs(t: dict, study: str) -> pd.DataFrame:
    st = t.get("structure", pd.DataFrame())
    if st.empty:
        return st
    return st[(st["study"] == study) & (st["graph"] == "trained") & st["is_final"]
              & (st["variant"] == "abs_modularity")]


def setup_section(t: dict) -> Sec:
    """What was run: the design of the Algorithm-1 studies, from the runs themselves.

    Examples
    --------
    >>> setup_section({}).items[0].text
    'No Algorithm-1 runs were analysed.'
    """
    s = Sec("design", "Design")
    ph = _runs(t, "phase")
    if ph.empty:
        s.text("No Algorithm-1 runs were analysed.")
        return s
    first = ph.iloc[0]
    ref = ph[np.isclose(ph["prune"], 0.9) & np.isclose(ph["sigma"], 0.1)]
    other = ph.drop(ref.index)
    s.text(
        f"Algorithm 1 of the paper on {n_neurons(t)} neurons, all-to-all with self-loops (our "
        "choices "
        f"where the paper is silent): activation {first['activation']}, balance f = its "
        f"derivative, initial weights Gaussian with std {first['init_scale']:g}/sqrt(n), "
        f"{int(first['iterations'])} iterations of one firing, credit and plasticity step "
        f"each, {first['clamped_fraction']:.0%} of neurons credit-clamped, the smallest "
        "fraction p of |w| set to zero after every update ('regrow'). Learning rates r: "
        + ", ".join(f"{x:g}" for x in sorted(ph["learning_rate"].unique()))
        + f"; pruning p: {', '.join(f'{x:g}' for x in sorted(ph['prune'].unique()))}; "
        f"noise sigma: {', '.join(f'{x:g}' for x in sorted(ph['sigma'].unique()))}. "
        f"The reference cell (p = 0.9, sigma = 0.1) has {ref['seed'].nunique()} seeds per "
        f"rate, every other cell {other['seed'].nunique() if len(other) else 0}.")
    n_null = ref["ev_n_null"].max() if "ev_n_null" in ref else np.nan
    s.text(
        f"Every final snapshot at the reference cell is compared with {_g(n_null)} draws "
        "of each of three nulls: init-pruned (the run's initial weights pruned to the same "
        "number of synapses: what pruning random weights builds), shuffle (the trained "
        "weights permuted over the surviving synapses) and rewire (degree-preserving "
        "rewiring). The other cells, the duration, sensitivity, timescale and development "
        "studies enter comparisons between rates, choices or times, not against nulls, so "
        "their signatures are measured without null draws; at p < 0.8 (nearly complete "
        "graphs) only the Leiden measures are taken. The signatures: modularity Q of |W| "
        "(directed Louvain; within-module), block assortativity and block "
        "disassortativity of a degree-corrected stochastic block model chosen by "
        "description length (within- and across-module: the block model sees "
        "projections between blocks that modularity cannot), and the hub share (weight "
        "held by the top 10% of neurons).")
    return s


def regimes_section(t: dict, ctx: Context) -> Sec:
    """Which rates are plastic, which run away, which diverge; the rates of the contrast.

    Examples
    --------
    >>> from pathlib import Path
    >>> regimes_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("regimes", "Regimes along the rate axis")
    pl = t.get("plasticity", pd.DataFrame())
    rates = rates_of(t)
    if pl.empty:
        s.text("No reference-cell runs were analysed.")
        return s
    s.text(f"A rate is called plastic when every seed is stable and, in the median seed, at "
           f"least {PLASTIC_MOVING_MIN:.0%} of the surviving synapses still change by more "
           "than 1% between iterations 4,000 and 6,000 (the duration study's snapshots of "
           f"the same seeds), at most {PLASTIC_ISOLATED_MAX:.0%} of neurons are isolated and "
           f"at most {PLASTIC_SATURATED_MAX:.0%} more are saturated (f < 1e-3) than at the "
           "low rate. These criteria were fixed before the full runs.")
    s.table("Plasticity per rate at the reference cell (medians over seeds).", pl)
    high = rates.get("high", np.nan)
    run = pl[np.isclose(pl["learning_rate"], rates.get("runaway", np.nan))]
    text = (f"The contrast compares r = {rates.get('low', np.nan):g} with the largest "
            f"plastic rate, r = {_g(high)}" if np.isfinite(high) else
            "No rate above the low one is plastic, so there is no plastic-high contrast")
    if len(run):
        r = run.iloc[0]
        text += (f"; r = {r['learning_rate']:g} is kept as the runaway reference: max |w| "
                 f"grows {_g(r['weight_growth'])}-fold (median), {r['isolated']:.0%} of "
                 f"neurons end isolated, {r['saturated']:.0%} saturated, "
                 f"{_g(r['moving_share'], 2)} of synapses still move, {int(r['unstable'])} of "
                 f"{int(r['runs'])} seeds unstable")
    s.key(text + ".")
    div = t.get("divergence", pd.DataFrame())
    if len(div):
        bad = div[div["unstable"] > 0]
        if len(bad):
            s.text("Unstable runs (never analysed as results): "
                   + "; ".join(f"{r.study}/{r.group} r = {r.learning_rate:g}"
                               + (f", p = {r.prune:g}" if np.isfinite(r.prune) else "")
                               + f": {int(r.unstable)}/{int(r.runs)}"
                               for r in bad.itertuples()) + ".")
    ctx.figure(s, "plasticity", "Plasticity against the rate at the reference "
               "cell (isolated and saturated neurons, synapses still moving, weight growth), "
               "and max |w| over 54,000 iterations per rate (duration study).")
    return s


def reference_section(t: dict, ctx: Context) -> Sec:
    """The Fig. 4 claim at the reference cell: contrasts and null counts, 20 seeds.

    Examples
    --------
    >>> from pathlib import Path
    >>> reference_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("reference", "Fig. 4 at the reference cell: low against high rate")
    c = t.get("contrasts", pd.DataFrame())
    nc = t.get("null_counts", pd.DataFrame())
    if c.empty:
        s.text("No contrast could be computed (a rate without two stable runs).")
        return s
    ref = c[np.isclose(c["prune"], 0.9) & np.isclose(c["sigma"], 0.1)]
    cols = ["comparison", "r_a", "r_b", "signature", "n_a", "n_b", "mean_a", "mean_b", "diff",
            "diff_ci_low", "diff_ci_high", "p_welch", "p_mannwhitney", "hedges_g"]
    s.table("Low against plastic-high and runaway rate at the reference cell, every "
            "signature (b minus a; 95% bootstrap interval; Welch t and Mann-Whitney p).",
            ref[[x for x in cols if x in ref]])
    for comp in ("low vs high", "low vs runaway"):
        part = ref[ref["comparison"] == comp]
        if part.empty:
            continue
        bits = []
        for sig in ("q", "ba", "bd", "hub"):
            r = part[part["signature"] == sig]
            if r.empty:
                continue
            r = r.iloc[0]
            word = ("higher" if r["diff"] > 0 else "lower") if r["p_welch"] < ALPHA else \
                "not detectably different"
            bits.append(f"{SIGNATURE_COLUMNS[sig][1]} {word} (diff {_g(r['diff'])}, p "
                        f"{fmt_p(r['p_welch'])})")
        r0 = part.iloc[0]
        s.key(f"At r = {r0['r_b']:g} against r = {r0['r_a']:g} ({int(r0['n_b'])} and "
              f"{int(r0['n_a'])} stable seeds): " + "; ".join(bits) + ".")
    if len(nc):
        nref = nc[(nc["study"] == "phase") & np.isclose(nc["prune"], 0.9)
                  & np.isclose(nc["sigma"], 0.1)]
        if len(nref):
            piv = nref.assign(cell=lambda d: d["beat"].astype(str) + "/" + d["runs"].astype(str)
                              + " (z " + d["median_z"].round(1).astype(str) + ")")
            piv = piv.pivot_table(index=["learning_rate", "signature"], columns="null",
                                  values="cell", aggfunc="first").reset_index()
            s.table("Runs beating each null per rate and signature at the reference cell "
                    "(beat/runs, median z; a run beats a null with empirical p <= 0.05 over "
                    f"{int(nref['n_null'].max())} draws and z >= 2).", piv)
    bm = t.get("bimodality", pd.DataFrame())
    if len(bm):
        split = bm[bm["split"] | (bm["bimodality"] > 5 / 9)]
        if len(split):
            s.text("Seeds that split between regimes (at least 20% on each side of the "
                   "init-pruned null, or Sarle's bimodality coefficient above 5/9): "
                   + "; ".join(f"r = {r.learning_rate:g}, {r.signature}: {r.beat}/{r.n} beat"
                               f", b = {_g(r.bimodality, 2)}" for r in split.itertuples())
                   + ".")
        else:
            s.text("No rate's seeds split between regimes on any signature (bimodality "
                   "coefficient at most 5/9 and fewer than 20% on one side of the null).")
    ctx.figure(s, "signatures", "Signatures against the rate at the reference "
               "cell: mean and 95% interval over seeds of the trained weights, and the mean "
               "of each null's draws.")
    return s


def pooled_section(t: dict, ctx: Context) -> Sec:
    """One model over the whole phase grid: r x p x sigma, seed as the unit.

    Examples
    --------
    >>> from pathlib import Path
    >>> pooled_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("pooled", "The whole grid in one model")
    pm = t.get("pooled", pd.DataFrame())
    if pm.empty:
        s.text("The pooled model needs at least two rates and two pruning fractions.")
        return s
    s.text("Ordinary least squares of each signature on log10 r, p and log10 sigma (centred) "
           "and the interactions of log10 r with both, standard errors clustered by seed (the "
           "same seed gives the same initial weights in every cell), in two ranges: the "
           "plastic rates and every stable rate (runaway included). The block-model "
           "signatures exist at p >= 0.8 only (below, the graph is nearly complete); the "
           "Leiden off-diagonal index at every p. The paper's 'with sufficient pruning' is "
           "the log10 r x p term; 'slope at p' is the model's log10 r slope at each pruning "
           "fraction. This replaces separate small tests per cell.")
    s.table("Pooled model coefficients.", pm)
    for rng in pm["range"].unique():
        for sig, pred in (("q", -1), ("bd", +1), ("log_offdiag", +1)):
            sub = pm[(pm["signature"] == sig) & (pm["range"] == rng)]
            r, i = sub[sub["term"] == "log_r"], sub[sub["term"] == "log_r:prune"]
            if r.empty:
                continue
            r = r.iloc[0]
            word = ("falls" if r["coef"] < 0 else "rises") if r["p"] < ALPHA else \
                "shows no detectable trend"
            txt = (f"{rng.capitalize()} rates (r <= {r['r_max']:g}, {int(r['n_runs'])} runs, "
                   f"{int(r['n_seeds'])} seeds): {SIGNATURE_COLUMNS[sig][1]} {word} with "
                   f"log10 r (slope {_g(r['coef'])}, 95% CI [{_g(r['ci_low'])}, "
                   f"{_g(r['ci_high'])}], p {fmt_p(r['p'])}; the paper predicts "
                   f"{'a fall' if pred < 0 else 'a rise'})")
            if len(i):
                i = i.iloc[0]
                txt += (f"; the pruning interaction is {_g(i['coef'])} [{_g(i['ci_low'])}, "
                        f"{_g(i['ci_high'])}], p {fmt_p(i['p'])}")
            s.key(txt + ".")
    for sigma in sorted({k for k in ctx.figs if k.startswith("phase_heatmaps_sigma")}):
        ctx.figure(s, sigma, f"Measures over (r, p) at sigma = "
                   f"{sigma.removeprefix('phase_heatmaps_sigma')}: trained, both nulls, and "
                   "trained minus the shuffled null; grey = no stable run.")
    ctx.figure(s, "pooled", "The model's log10 r slope at each pruning "
               "fraction with its 95% interval, per signature.")
    return s


def duration_section(t: dict, ctx: Context) -> Sec:
    """r against r x T: the collapse exponent.

    Examples
    --------
    >>> from pathlib import Path
    >>> duration_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("duration", "Rate or rate x time?")
    c = t.get("collapse", pd.DataFrame())
    s.text("The reference cell's rates ran 54,000 iterations (seeds 0-7) with a snapshot "
           "every 2,000; with a constant rate the snapshot at T is exactly the run of length "
           "T. Each signature is fitted as a cubic in log10 r + alpha log10 T; alpha "
           "minimises the residual sum of squares over a grid from -1 to 2, its interval is "
           "a percentile bootstrap over seeds. alpha = 0 means the rate alone sets the "
           "structure, alpha = 1 that only the product r x T does.")
    if c.empty:
        s.text("No duration runs were analysed.")
        return s
    s.table("Collapse exponent per signature and rate range.", c)
    plastic = c[c["range"] == c["range"].iloc[0]]
    s.key("Collapse exponents (" + str(plastic["range"].iloc[0]) + " rates): "
          + "; ".join(f"{SIGNATURE_COLUMNS[r.signature][1]} alpha = {_g(r.alpha, 2)} "
                      f"[{_g(r.ci_low, 2)}, {_g(r.ci_high, 2)}]"
                      for r in plastic.itertuples() if r.signature in SIGNATURE_COLUMNS)
          + ". An interval holding neither 0 nor 1 means neither r nor r x T alone is the "
          "control variable.")
    ctx.figure(s, "collapse", "Each signature against log10 r (colour: T) and "
               "against log10 r + alpha log10 T at the fitted alpha.")
    return s


def sensitivity_section(t: dict, ctx: Context) -> Sec:
    """The contrast under every unstated choice; reversals named.

    Examples
    --------
    >>> from pathlib import Path
    >>> sensitivity_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("sensitivity", "Sensitivity to the unstated choices, and reversals")
    sv = t.get("sensitivity", pd.DataFrame())
    s.text("Each choice changes one thing at the reference cell, 5 seeds: sigmoid "
           "activation, initial scale 0.5 or 2, structural pruning (a pruned synapse never "
           "returns), 2% or 30% credit-clamped neurons; and re-analyses of the reference "
           "runs: signed weights (Q+ - Q-), symmetrised weights, other Leiden resolutions. "
           "'reversed' = significant (Welch p < 0.05) against the paper's direction.")
    if sv.empty:
        s.text("No sensitivity runs were analysed.")
        return s
    cols = ["choice", "comparison", "r_a", "r_b", "signature", "n_a", "n_b", "mean_a", "mean_b",
            "diff", "p_welch", "hedges_g", "direction"]
    s.table("Low against high rate under each choice.", sv[[c for c in cols if c in sv]])
    rev = sv[sv["direction"] == "reversed"]
    if len(rev):
        s.key("Reversed against the paper's direction: "
              + "; ".join(f"{r.choice}, {r.comparison}, {r.signature} (diff {_g(r.diff)}, "
                          f"p {fmt_p(r.p_welch)})" for r in rev.itertuples()) + ".")
    else:
        s.key("No choice reverses the contrast significantly.")
    ctx.figure(s, "sensitivity", "Signatures against r under each choice.")
    ctx.figure(s, "analysis_variants", "The reference runs under other weight "
               "graphs and Leiden qualities.")
    return s


def timescales_section(t: dict, ctx: Context) -> Sec:
    """Settled (each timescale to equilibrium) against one step per process.

    Examples
    --------
    >>> from pathlib import Path
    >>> timescales_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("timescales", "The paper's own dynamics: settled timescales")
    ts = t.get("timescales", pd.DataFrame())
    s.text("Settled mode runs firing and credit to equilibrium before every plasticity "
           "step, as the paper's separation of timescales assumes; one-step mode takes one "
           "step of each (Algorithm 1). Same rates, seeds and iterations.")
    if ts.empty:
        s.text("No timescale runs were analysed.")
        return s
    s.table("Settled against one-step per rate (b = settled).", ts)
    stab = ts.drop_duplicates("learning_rate")
    bad = stab[stab["unstable_settled"] > 0]
    s.key("Settled mode is stable at r = "
          + ", ".join(f"{x:g}" for x in stab[stab["unstable_settled"] == 0]["learning_rate"])
          + (("; unstable at " + ", ".join(f"r = {r.learning_rate:g} "
                                           f"({int(r.unstable_settled)}/{int(r.runs_settled)})"
                                           for r in bad.itertuples())) if len(bad) else "")
          + ". Where both are stable, signatures that differ (Welch p < 0.05): "
          + (", ".join(f"{r.signature} at r = {r.learning_rate:g} ({_g(r.one_step)} -> "
                       f"{_g(r.settled)})" for r in ts[ts["p_welch"] < ALPHA].itertuples())
             or "none detected at 5 seeds") + ".")
    ctx.figure(s, "timescales", "Signatures against r, one-step against "
               "settled.")
    return s


def development_section(t: dict, ctx: Context) -> Sec:
    """Prediction 3: schedules from a high (not runaway) rate to a low one.

    Examples
    --------
    >>> from pathlib import Path
    >>> development_section({}, Context(Path("."))).items != []
    True
    """
    s = Sec("development", "Prediction 3: development under a falling rate")
    d = t.get("development", pd.DataFrame())
    s.text("Schedules 1 -> 0.0316 and 0.316 -> 0.0316 (6 geometric stages, 12,000 "
           "iterations) start below runaway; they are compared with constant 0.0316, 0.316 "
           "and 1 (same seeds, so the same initial weights: paired tests), and the runaway "
           "schedule 10 -> 0.1 is kept as a labelled reference. The balance f is measured at "
           "every snapshot (balance_mean; saturated = f < 1e-3). 'early' is the first "
           "snapshot, inside the first stage.")
    if d.empty:
        s.text("No development runs were analysed.")
        return s
    s.table("Paired comparisons (b minus a) per signature.", d)
    for comp in ("schedule_1: early vs end", "schedule_0.316: early vs end",
                 "schedule_1 end vs constant_low end", "schedule_0.316 end vs constant_low end"):
        part = d[d["comparison"] == comp]
        if part.empty:
            continue
        bits = [f"{r.signature} {_g(r.mean_a)} -> {_g(r.mean_b)} (p {fmt_p(r.p_paired)})"
                for r in part.itertuples() if r.signature in ("q", "bd", "hub", "balance_mean")]
        s.key(f"{comp}: " + "; ".join(bits) + ".")
    ctx.figure(s, "development", "Signatures and balance over iterations per "
               "schedule; the rate schedule below.")
    return s
