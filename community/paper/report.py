"""``reports/paper``: the reproduction report, from the tables alone.

:func:`build_paper_report` reads ``<out>/tables/`` (written by
:func:`community.paper.analyse.analyse_studies`), draws every figure into
``<out>/figures/``, judges the paper's claims (:mod:`community.paper.claims`) and writes
``report.md`` and a self-contained ``report.html`` with the templates of
:mod:`community.report`. Every sentence with a number in it is computed here from the
tables, so a rerun on other data says what that data shows.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

import wiring.runs as runs
from community import stats
from community.paper import claims, figures_phase, figures_predictions, figures_rules
from community.paper._sections import Sec, add_figure, fmt_p
from community.paper.analyse import ANALYSIS_VARIANTS, R_HIGH, R_LOW, REFERENCE_CELL
from community.paper.predictions import prediction_sections
from community.paper.rules import rules_section
from community.report.kit import Section, environment, fmt, write_atomic

__all__ = ["build_paper_report", "read_paper_tables", "PAPER_TABLES", "gather_inputs"]

log = logging.getLogger(__name__)

PAPER_TABLES = ("structure", "cells", "divergence", "contrasts", "rules_runs", "rules_curves",
                "rules_alignment", "rules_structure", "rules_roles", "prediction1",
                "prediction1_fit", "prediction2", "errors")


def read_paper_tables(out: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of ``<out>/tables`` (empty DataFrames for missing ones) and the Fig. 4
    matrices under ``"fig4"``.

    Parameters
    ----------
    out : str or Path

    Returns
    -------
    dict

    Examples
    --------
    >>> read_paper_tables("/nonexistent")["structure"].empty
    True
    """
    tdir = Path(out) / "tables"
    tables: dict = {}
    for name in PAPER_TABLES:
        path = tdir / f"{name}.parquet"
        tables[name] = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    npz = tdir / "fig4_matrices.npz"
    if npz.is_file():
        with np.load(npz) as z:
            tables["fig4"] = {k: z[k] for k in z.files}
    else:
        tables["fig4"] = {}
    return tables


def _verdict_table(v: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    cols = [*by, "within_low", "within_high", "p_within", "p_mw_within", "g_within",
            "offdiag_low", "offdiag_high", "p_offdiag", "p_mw_offdiag", "g_offdiag",
            "within_minus_null", "p_within_vs_null", "offdiag_minus_null",
            "p_offdiag_vs_null", "unstable_high", "verdict"]
    return v[[c for c in cols if c in v.columns]]


def _count(v: pd.DataFrame) -> str:
    counts = v["verdict"].value_counts()
    return ", ".join(f"{k}: {int(counts[k])}" for k in claims.VERDICTS if k in counts)


def _phase_section(t: dict, v: pd.DataFrame, out: Path, figs: dict, num: list) -> Section:
    s = Sec("phase-diagram", "Phase diagram: learning rate x pruning x noise (Fig. 4)")
    st = t["structure"]
    ph = st[(st["study"] == "phase")] if len(st) else st
    if ph.empty:
        s.text("No phase-diagram runs were analysed.")
        return s
    first = ph.iloc[0]
    s.text(
        f"Set-up (our choices where the paper is silent): Algorithm 1 on {300} neurons, "
        f"all-to-all with self-loops; activation {first['activation']} with the balance "
        "f = derivative of the activation; initial weights Gaussian with std "
        f"{first['init_scale']:g}/sqrt(300); {int(first['iterations'])} iterations, one step "
        "of firing, credit and plasticity each; pruning read as 'regrow' (the smallest "
        f"|w| set to zero after every update); {first['clamped_fraction']:.0%} of neurons "
        "credit-clamped; rate and credit noise of the same sigma; Leiden (modularity on "
        "|W|, seed = run seed). Axes: r in "
        f"{', '.join(f'{x:g}' for x in sorted(ph['learning_rate'].unique()))}; p in "
        f"{', '.join(f'{x:g}' for x in sorted(ph['prune'].unique()))}; sigma in "
        f"{', '.join(f'{x:g}' for x in sorted(ph['sigma'].unique()))}; "
        f"{ph['seed'].nunique()} seeds per cell.")
    s.text("Null models beside every trained graph: null_initial = the initial weights "
           "pruned to the same density; null_shuffle = the trained weights shuffled over "
           "the surviving synapses. Within-module fraction is compared with two chance "
           "levels: size-matched (sum of n_c^2 / n^2) and strength-matched (sum of "
           "K_c^in K_c^out / S^2, the configuration model); within_excess_strength is their "
           "ratio to the latter. offdiag_index = strongest across-module block / mean "
           "within-module block (> 1: across-module wiring dominates).")
    for sigma in sorted(ph["sigma"].unique()):
        path = out / "figures" / f"phase_heatmaps_sigma{sigma:g}.png"
        add_figure(s, out, path if path.is_file() else None,
                f"Measures over (r, p) at sigma = {sigma:g}: trained, both nulls, and "
                "trained minus the shuffled null; grey = no stable run.", num)
    add_figure(s, out, figs.get("fig4_pair"),
            f"The Fig. 4 pair at p = {REFERENCE_CELL[0]:g}, sigma = {REFERENCE_CELL[1]:g}, "
            f"seed 0: |W| ordered by Leiden at r = {R_LOW:g} and r = {R_HIGH:g}, each beside "
            "the initial weights pruned to the same density (ordered by their own Leiden "
            "partition).", num)
    add_figure(s, out, figs.get("phase_curves"),
            "Measures against r at the reference cell, mean and 95% bootstrap interval over "
            "seeds, trained vs both nulls.", num)
    pv = v[(v["study"] == "phase") & (v["variant"] == "abs_modularity")] if len(v) else v
    if len(pv):
        s.text("How the claim is judged: its within half by the modularity Q of the Leiden "
               "partition (within_low/within_high below), its across half by offdiag_index "
               "(offdiag_low/offdiag_high); each must differ between the rates in the "
               "paper's direction AND beat the weight-shuffled null at the rate that carries "
               "it (within_minus_null at low r, offdiag_minus_null at high r). "
               "Caution, shown by a test on a planted projection b -> b+1: Leiden cuts a "
               "purely disassortative graph so that offdiag_index stays below 1; the index "
               "detects across-module blocks only beside modules, as in the paper's figure.")
        s.key(f"Verdict per (p, sigma) cell, r = {R_LOW:g} vs r = {R_HIGH:g} (Welch t-test "
               "over seeds, Holm-corrected over the cells; Mann-Whitney p uncorrected; "
               f"g = Hedges' g of high minus low): {_count(pv)}.")
        both = pv[(pv["p_within"] < claims.ALPHA) & (pv["diff_within"] < 0)
                  & (pv["p_offdiag"] < claims.ALPHA) & (pv["diff_offdiag"] > 0)]
        if len(both):
            s.key("Direction of the claim reproduced (Q higher at low r AND offdiag_index "
                  "higher at high r, both Holm-significant) at: "
                  + "; ".join(f"p = {r.prune:g}, sigma = {r.sigma:g} (Q {r.within_low:.3f} vs "
                              f"{r.within_high:.3f}, Hedges' g {r.g_within:.1f}; log10 offdiag "
                              f"{r.offdiag_low:.2f} vs {r.offdiag_high:.2f}, g "
                              f"{r.g_offdiag:.1f})" for r in both.itertuples())
                  + ". There the low-r Q exceeds its shuffled null by "
                  + ", ".join(f"{r.within_minus_null:.3f} (Holm p {fmt_p(r.p_within_vs_null)})"
                              for r in both.itertuples())
                  + ", and the high-r log10 offdiag_index exceeds its shuffled null by "
                  + ", ".join(f"{r.offdiag_minus_null:.3f} (Holm p {fmt_p(r.p_offdiag_vs_null)})"
                              for r in both.itertuples())
                  + ". A difference beside the null that is significant is real structure "
                  "built by the rule; one that is not is explained by which synapses survive "
                  "and how unequal their weights are.")
        else:
            s.key("In no cell are both halves of the claim significant in the paper's "
                  "direction.")
        holds = pv[pv["verdict"] == "holds"]
        if len(holds):
            s.key("The paper's claim holds (both halves, beyond the shuffled null) at: "
                   + "; ".join(f"p = {r.prune:g}, sigma = {r.sigma:g}"
                               for r in holds.itertuples()) + ".")
        else:
            s.key("The paper's claim, in full (within-module wiring at low r AND "
                   "across-module wiring at high r, both beyond the shuffled null), holds in "
                   "no cell of this grid.")
        s.table("Low vs high learning rate per cell (phase study, |W|, modularity; "
                "offdiag columns are means of log10 offdiag_index).",
                _verdict_table(pv, ["prune", "sigma"]))
        c = t["contrasts"]
        hi = c[(c["study"] == "phase") & (c["variant"] == "abs_modularity")
               & (c["measure"] == "offdiag_index")
               & (c["comparison"] == "null_shuffle vs trained")
               & np.isclose(c["learning_rate"], R_HIGH)]
        if len(hi):
            beats = int(((hi["p_paired"] < 0.05) & (hi["diff"] > 0)).sum())
            s.key(f"Across-module wiring at r = {R_HIGH:g} beyond the arrangement of its "
                   f"own weights: the trained offdiag_index exceeds its weight-shuffled null "
                   f"(paired p < 0.05, uncorrected) in {beats} of {len(hi)} (p, sigma) cells. "
                   "Where it does not, the rise of offdiag_index with r in the heatmaps is "
                   "reproduced by shuffling the surviving weights, i.e. it comes from which "
                   "synapses survive and how unequal the weights are, not from where the "
                   "strong ones sit.")
    return s


def _sensitivity_section(t: dict, v: pd.DataFrame, out: Path, figs: dict,
                         num: list) -> Section:
    s = Sec("sensitivity", "Sensitivity to the unstated choices")
    s.text("Each group changes one choice at the reference cell (p = "
           f"{REFERENCE_CELL[0]:g}, sigma = {REFERENCE_CELL[1]:g}): activation (sigmoid), "
           "initial weight scale (0.5, 2), number of iterations (a third, three times), the "
           "pruning reading (structural: a pruned synapse never returns), the fraction of "
           "credit-clamped neurons (2%, 30%); the weight graph (signed: Q+ - Q-, "
           "symmetrised) and the Leiden quality (RB-configuration at resolution 0.5, 2) are "
           "re-analyses of the phase runs at that cell.")
    sv = v[v["study"] == "sensitivity"] if len(v) else v
    if len(sv):
        s.key(f"Verdicts over the sensitivity groups: {_count(sv)}.")
        s.table("Low vs high r per sensitivity group.", _verdict_table(sv, ["group"]))
    av = v[(v["study"] == "phase") & (v["prune"] == REFERENCE_CELL[0])
           & (v["sigma"] == REFERENCE_CELL[1])] if len(v) else v
    if len(av):
        s.table("Low vs high r at the reference cell per weight graph / quality function "
                f"({', '.join(x.name for x in ANALYSIS_VARIANTS)} beside abs_modularity).",
                _verdict_table(av, ["variant"]))
    add_figure(s, out, figs.get("sensitivity"), "within_excess_strength and offdiag_index "
            "against r per group; last panel against r x iterations.", num)
    add_figure(s, out, figs.get("analysis_variants"), "Modularity and within_excess_strength "
            "against r per weight graph and quality (trained solid, shuffled null dashed).",
            num)
    st = t["structure"]
    ref = st[(st["study"] == "sensitivity") & st["is_final"] & (st["graph"] == "trained")
             & st["group"].isin(["reference", "iters_third", "iters_triple"])
             & (st["status"] == "ok")] if len(st) else st
    if len(ref):
        ref = ref.assign(rT=ref["learning_rate"] * ref["iterations"])
        spread_r, spread_rt = _collapse(ref, "learning_rate"), _collapse(ref, "rT")
        s.key("Is r or r x iterations the control variable? One cubic in log r, and one in "
               "log (r x T), fitted to modularity Q of every run with T = a third, once and "
               "three times the reference iterations: RMS residual "
               f"{spread_r:.3g} against r, {spread_rt:.3g} against r x T. "
               + ("r x T predicts Q better: the product is the control variable."
                  if spread_rt < spread_r else
                  "r alone predicts Q at least as well as r x T: the product is not the "
                  "better control variable on this grid."))
    cl = st[(st["study"] == "phase") & st["is_final"] & (st["graph"] == "trained")
            & (st["variant"] == "abs_modularity") & (st["status"] == "ok")
            & (st["prune"] == REFERENCE_CELL[0]) & (st["sigma"] == REFERENCE_CELL[1])] \
        if len(st) else st
    if len(cl) and "clamped_strength_ratio" in cl:
        c = cl.groupby("learning_rate")["clamped_strength_ratio"].agg(["mean", "std", "size"])
        s.table("Credit-clamped neurons: their share of the total strength relative to their "
                "share of neurons (1 = like any neuron), per r at the reference cell.",
                c.reset_index())
    return s


def _collapse(df: pd.DataFrame, x: str, y: str = "modularity") -> float:
    """RMS residual of one cubic in log10 ``x`` fitted to every run of every group: the
    smaller, the better ``x`` alone predicts ``y`` (the same runs for either ``x``)."""
    d = df[[x, y]].replace([np.inf, -np.inf], np.nan).dropna()
    d = d[d[x] > 0]
    if len(d) < 6 or d[x].nunique() < 4:
        return float("nan")
    lx = np.log10(d[x].to_numpy())
    coef = np.polyfit(lx, d[y].to_numpy(), 3)
    return float(np.sqrt(np.mean((d[y].to_numpy() - np.polyval(coef, lx)) ** 2)))


def _timescale_section(v: pd.DataFrame, out: Path, figs: dict, num: list) -> Section:
    s = Sec("timescales", "Timescales: settled processes vs one step")
    s.text("mode = settled: firing and credit iterated to their fixed points every "
           "iteration (tolerance 1e-8), the paper's timescale separation; one-step: "
           "Algorithm 1 as written. Both at the reference cell with the same (smaller) "
           "number of iterations.")
    tv = v[v["study"] == "timescales"] if len(v) else v
    if len(tv):
        s.table("Low vs high r per mode.", _verdict_table(tv, ["group"]))
        same = tv.set_index("group")["verdict"]
        if {"one-step", "settled"} <= set(same.index):
            a, b = same["one-step"], same["settled"]
            s.key(f"Verdict one-step: {a}; settled: {b}. "
                   + ("The two modes cannot be compared on this verdict (a mode has no data "
                      "or diverges at the high rate)." if {a, b} & {"no data", "unstable"}
                      else "The regime structure is the same in both modes." if a == b
                      else "The regime structure differs between the modes."))
    add_figure(s, out, figs.get("timescales"), "Measures against r, one-step vs settled.", num)
    return s


def _development_section(t: dict, out: Path, figs: dict, num: list) -> Section:
    s3 = Sec("prediction-3", "Prediction 3: development from across- to within-module")
    s3.text("Two schedules, r = 10 -> 0.1 ('schedule') and r = 1 -> 0.01 ('schedule_mild'), "
            "each in 6 geometric stages, beside constant r = 10 and r = 0.1, same iterations "
            "and seeds; measures at every snapshot after the first pruning (trained, and the "
            "shuffled null). 'early' is the first snapshot after step 0, at 1/12 of the run, "
            "inside the first (highest-rate) stage; early and final are compared within "
            "seeds (paired).")
    st = t["structure"]
    # step 0 is the dense initial matrix, not comparable with the pruned snapshots
    dv = st[(st["study"] == "development") & (st["graph"] == "trained")
            & (st["status"] == "ok") & (st["step"] > 0)] if len(st) else st
    if len(dv):
        rows = []
        for group, g in dv.groupby("group"):
            steps = sorted(g["step"].unique())
            early = steps[0]
            a = g[g["step"] == early]
            b = g[g["step"] == steps[-1]]
            for m in ("modularity", "within_excess_strength", "offdiag_index"):
                x = a[m].replace([np.inf, -np.inf], np.nan).dropna().to_numpy()
                y = b[m].replace([np.inf, -np.inf], np.nan).dropna().to_numpy()
                res = stats.compare(x, y, n_perm=2000) if len(x) and len(y) else {}
                pair = a[["seed", m]].merge(b[["seed", m]], on="seed").replace(
                    [np.inf, -np.inf], np.nan).dropna()
                p_pair = (float(sps.ttest_rel(pair[f"{m}_x"], pair[f"{m}_y"]).pvalue)
                          if len(pair) >= 2 else np.nan)
                rows.append({"group": group, "measure": m, "early_step": early,
                             "final_step": steps[-1], "early": res.get("mean_a", np.nan),
                             "final": res.get("mean_b", np.nan),
                             "p_paired": p_pair,
                             "hedges_g": res.get("hedges_g", np.nan)})
        dt = pd.DataFrame(rows)
        s3.table("Early (inside the first stage) vs final snapshot per group.", dt)
        for name in ("schedule", "schedule_mild"):
            _development_claim(s3, dt, dv, name)
    add_figure(s3, out, figs.get("development"), "Measures against iteration per schedule; "
            "the learning-rate stages below.", num)
    return s3


def _development_claim(s3: Section, dt: pd.DataFrame, dv: pd.DataFrame, name: str) -> None:
    sch = dt[dt["group"] == name].set_index("measure")
    if len(sch) == 3:
        w, o = sch.loc["modularity"], sch.loc["offdiag_index"]
        shift = (w["final"] > w["early"] and o["final"] < o["early"])
        frozen = _frozen_note(dv[dv["group"] == name])
        s3.key(f"Under '{name}', modularity Q goes from "
                f"{w['early']:.3g} to {w['final']:.3g} (paired t-test over seeds, p = "
                f"{fmt_p(w['p_paired'])}) and offdiag_index from {o['early']:.3g} to "
                f"{o['final']:.3g} (p = {fmt_p(o['p_paired'])}). "
                + ("Across-module wiring gives way to within-module wiring, as predicted."
                   if shift and w["p_paired"] < 0.05 and o["p_paired"] < 0.05 else
                   "This is not the predicted across-to-within shift (or not "
                   "significant).") + frozen)


#: weight changes between snapshots below this fraction of max |w| count as "frozen"
FROZEN_RELATIVE = 1e-3


def _frozen_note(g: pd.DataFrame) -> str:
    """Say when learning stops: the last snapshot after which the largest weight change
    between snapshots stays below :data:`FROZEN_RELATIVE` of max |w| (every seed)."""
    if g.empty or "max_change" not in g:
        return ""
    rel = (g["max_change"] / g["weight_abs_max"]).groupby(g["step"]).max().dropna()
    if rel.empty:
        return ""
    moving = rel.index[rel.to_numpy() >= FROZEN_RELATIVE]
    last = int(moving.max()) if len(moving) else int(g["step"].min())
    end = int(rel.index.max())
    if last >= end:
        return ""
    return (f" After step {last} of {end} no weight of any seed moves by more than "
            f"{FROZEN_RELATIVE:g} of max |w| between snapshots: the structure set by the "
            "high-rate stage is frozen in. The likely mechanism: that stage makes the "
            "surviving weights so large that the neurons they feed saturate, f = tanh' is "
            "(nearly) 0, and later, smaller rates cannot move weights of that size.")


def _provenance_section(out: Path, runs_dir: Path | None, quick: bool) -> Section:
    s = Sec("provenance", "Configuration and provenance")
    cmd = "wiring reproduce" + (" --quick" if quick else "")
    s.text(f"Regenerate: `{cmd} --out {out.name}` (runs resume; analysis and report are "
           "rebuilt from the runs). Study configurations are in configs/, the report's "
           "provenance in provenance.json, and each study's run table (status, reason, "
           "seconds per run) and provenance (the commit the runs were made with) in "
           "sweeps/<study>/.")
    for path in sorted((out / "configs").glob("*.toml")):
        s.code(f"configs/{path.name}", path.read_text(), "toml")
    prov = out / "provenance.json"
    if prov.is_file():
        s.code("provenance.json", prov.read_text(), "json")
    return s


def gather_inputs(out: str | Path, runs_dir: str | Path, *, studies: tuple[str, ...],
                  quick: bool = False) -> Path:
    """Copy what the report stands on into ``out`` and record how it was made.

    The studies' sweep configurations (``<runs_dir>/configs/*.toml`` -> ``configs/``),
    each study's status table and provenance (-> ``sweeps/<study>/``), and a
    ``provenance.json`` of its own (job ``reproduce``, ``quick``, the runs directory).

    Parameters
    ----------
    out : str or Path
        The report directory (created if missing).
    runs_dir : str or Path
        Where :func:`wiring.experiments.studies.run_studies` wrote the studies.
    studies : tuple of str
        The study names whose sweep files to copy.
    quick : bool
        Whether this is the CI-size reproduction.

    Returns
    -------
    Path
        ``out``.

    Examples
    --------
    >>> import tempfile
    >>> out = gather_inputs(tempfile.mkdtemp(), tempfile.mkdtemp(), studies=("phase",))
    >>> sorted(p.name for p in out.iterdir())
    ['configs', 'provenance.json']
    """
    out, runs_dir = Path(out), Path(runs_dir)
    (out / "configs").mkdir(parents=True, exist_ok=True)
    for path in sorted((runs_dir / "configs").glob("*.toml")):
        write_atomic(out / "configs" / path.name, path.read_bytes())
    for study in studies:  # each sweep's status table and provenance, beside the report
        for name in ("sweep_status.csv", "provenance.json"):
            src = runs_dir / study / name
            if src.is_file():
                (out / "sweeps" / study).mkdir(parents=True, exist_ok=True)
                write_atomic(out / "sweeps" / study / name, src.read_bytes())
    runs.write_provenance(out, seed=None, extra={"job": "reproduce", "quick": quick,
                                                 "runs": str(runs_dir)})
    return out


def build_paper_report(out: str | Path, *, runs_dir: str | Path | None = None,
                       quick: bool = False) -> tuple[Path, Path]:
    """Draw the figures and write ``report.md`` and ``report.html`` into ``out``.

    Parameters
    ----------
    out : str or Path
        Report directory holding ``tables/`` (and ``configs/``).
    runs_dir : str or Path, optional
        Where the runs are (named in the report).
    quick : bool
        Whether this is the CI-size reproduction (named in the title).

    Returns
    -------
    tuple of Path
        ``(html, md)``.

    Examples
    --------
    >>> import tempfile
    >>> html, md = build_paper_report(tempfile.mkdtemp())
    >>> "Phase diagram" in md.read_text()
    True
    """
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    t = read_paper_tables(out)
    figs = {**figures_phase.draw_all(t, out / "figures"),
            **figures_rules.draw_all(t, out / "figures"),
            **figures_predictions.draw_all(t, out / "figures")}
    verdicts = claims.cell_verdicts(t["contrasts"], t["divergence"], r_low=R_LOW,
                                    r_high=R_HIGH)
    if len(verdicts):
        runs.write_table(out / "tables", "verdicts", verdicts)
    num = [0]
    body = [_phase_section(t, verdicts, out, figs, num),
                _sensitivity_section(t, verdicts, out, figs, num),
                _timescale_section(verdicts, out, figs, num),
                *prediction_sections(t, out, figs, num),
                _development_section(t, out, figs, num),
                rules_section(t, out, figs, num),
                _provenance_section(out, Path(runs_dir) if runs_dir else None, quick)]
    summary = Sec("summary", "Summary: what the data say")
    summary.text("The key sentences of every section below, computed from the tables "
                 "(details, tests and figures in the sections).")
    for sec in body:
        for text in getattr(sec, "highlights", []):
            summary.text(f"[{sec.title.split(':')[0]}] {text}")
    sections = [summary, *body]
    if len(t["errors"]):
        sections[-1].table("Runs that could not be measured.", t["errors"])
    context = {"title": "Contribute to balance, wire in accordance: reproduction report"
                        + (" (quick size)" if quick else ""),
               "kind": "Studies",
               "sweep_dir": str(Path(runs_dir).resolve()) if runs_dir else "(not given)",
               "generated": datetime.now(UTC).isoformat(timespec="seconds"),
               "describe": "Every number below is computed from tables/ by "
                           "community.paper.report.",
               "sections": sections}
    env = environment()
    md = env.get_template("report.md.j2").render(**context)
    html = env.get_template("report.html.j2").render(**context)
    md_path = write_atomic(out / "report.md", md.encode("utf-8"))
    html_path = write_atomic(out / "report.html", html.encode("utf-8"))
    summary = {"verdicts": {} if verdicts.empty else
               verdicts.groupby(["study", "variant"])["verdict"].value_counts().unstack(
                   fill_value=0).reset_index().to_dict(orient="records")}
    write_atomic(out / "summary.json", json.dumps(summary, indent=2, default=fmt).encode())
    return html_path, md_path
