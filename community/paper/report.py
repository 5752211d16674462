"""``reports/paper``: the reproduction report, from the tables alone.

:func:`build_paper_report` reads ``<out>/tables/`` (written by
:func:`community.paper.analyse.analyse_studies`), draws every figure into
``<out>/figures/``, judges the paper's claims (:mod:`community.paper.claims`) and writes
``report.md`` and a self-contained ``report.html`` with the templates of
:mod:`community.report`. It opens with an abstract and one verdict table, both generated
from the tables, and the key figure; the sections hold the details. Every number is
computed here from the tables, so a rerun on other data says what that data shows, and
rebuilding from the same tables gives the same report byte for byte (no clock, no
absolute path).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from community.paper import (
    claims,
    figures_evidence,
    figures_phase,
    figures_predictions,
    figures_rules,
    sections,
)
from community.paper._sections import Context, Sec, fmt_p
from community.paper.predictions import (
    PREDICTION_TABLES,
    prediction_claims,
    prediction_sections,
)
from community.paper.rules import RULES_TABLES, rules_claims, rules_section
from community.report.kit import Section, environment, fmt, write_atomic

__all__ = ["build_paper_report", "read_paper_tables", "PAPER_TABLES", "gather_inputs",
           "ABSTRACT_WORDS"]

log = logging.getLogger(__name__)

#: the tables of the Algorithm-1 studies (:mod:`community.paper.analyse`)
NOISE_TABLES = ("structure", "cells", "divergence", "plasticity", "rates", "null_counts",
                "contrasts", "pooled", "collapse", "bimodality", "development", "balance",
                "timescales", "sensitivity", "dynamics", "errors")
PAPER_TABLES = (*NOISE_TABLES, *RULES_TABLES, *PREDICTION_TABLES)
#: the abstract's length limit, in words
ABSTRACT_WORDS = 220


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


def _g(v: float, digits: int = 3) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.{digits}g}"


def _row(v: pd.DataFrame, claim_start: str) -> pd.Series | None:
    hit = v[v["claim"].str.startswith(claim_start)]
    return None if hit.empty else hit.iloc[0]


def _abstract(t: dict, v: pd.DataFrame) -> list[str]:
    """The abstract's sentences, each read from a table (empty parts are left out)."""
    ph = sections._runs(t, "phase")
    rates = sections.rates_of(t)
    out = []
    if len(ph):
        ref = ph[np.isclose(ph["prune"], 0.9) & np.isclose(ph["sigma"], 0.1)]
        out.append(
            f"Algorithm 1 ({sections.n_neurons(t)} neurons): "
            f"{ph['learning_rate'].nunique()} rates x {ph['prune'].nunique()} pruning "
            f"fractions x {ph['sigma'].nunique()} noise levels; {ref['seed'].nunique()} seeds "
            "at the reference cell (p = 0.9, sigma = 0.1), each against "
            f"{_g(ph['ev_n_null'].max() if 'ev_n_null' in ph else np.nan)} draws of three "
            "nulls.")
    pl = t.get("plasticity", pd.DataFrame())
    if len(pl) and rates:
        run = pl[np.isclose(pl["learning_rate"], rates.get("runaway", np.nan))]
        high = rates.get("high", np.nan)
        txt = (f"Weights stay plastic up to r = {_g(high)}" if np.isfinite(high) else
               "No rate above r = 0.1 stays plastic")
        if len(run):
            r = run.iloc[0]
            txt += (f"; at r = {r['learning_rate']:g} weights run away (max |w| grows "
                    f"{_g(r['weight_growth'], 2)}-fold, {r['isolated']:.0%} of neurons "
                    "isolated)")
        out.append(txt + ".")
    sig_of = {"within-module": "modularity Q", "across-module": "block disassortativity"}
    halves = []
    for half, sig in sig_of.items():
        hits = v[v["claim"].str.startswith(f"{half}: r = ")]
        halves += [f"{sig} at r = {h['claim'].split('r = ')[1].split(' ')[0]} "
                   f"{_signed(h['effect'].split(' (')[0])} (p {fmt_p(h['p'])}, {h['verdict']})"
                   for _i, h in hits.iterrows()]
    if halves:
        out.append(f"Against r = {_g(rates.get('low', np.nan))}: " + "; ".join(halves) + ".")
    nulls = v[v["claim"].str.contains("beats its null") & (v["null"] == "init-pruned")]
    if len(nulls):
        out.append("Beating the init-pruned null: " + "; ".join(
            f"{h['claim'].split(': ', 1)[1].replace(' beats its null', '')} in "
            f"{h['n'].replace(' runs', '')}" for _i, h in nulls.iterrows()) + " runs.")
    bits = []
    for sig in ("modularity Q", "block disassortativity"):
        hits = v[v["claim"].str.startswith(f"{sig}: slope in log10 r")]
        if len(hits):
            bits.append(f"{sig} " + ", ".join(
                f"{h['verdict'].split(' (')[0]} over "
                f"{h['claim'].split(', ')[-1].split(' (')[0]} (slope {h['effect']})"
                for _i, h in hits.iterrows()))
    if bits:
        out.append("Pooled trend in log10 r: " + "; ".join(bits) + ".")
    col = v[v["claim"].str.startswith("r, not r x T")]
    if len(col):
        out.append("Rate or rate x time (collapse exponent, 95% CI): " + "; ".join(
            f"{h['claim'].split('controls ')[1].split(' (')[0]} "
            f"{h['verdict'].split(' (')[0]}" for _i, h in col.iterrows()) + ".")
    dev = v[v["claim"].str.startswith("prediction 3 (schedule_1: early vs end)")]
    if len(dev):
        out.append("Development under r = 1 -> 0.0316: " + "; ".join(
            f"{h['claim'].split('): ', 1)[-1]}: {h['verdict'].split(' (')[0]}"
            for _i, h in dev.iterrows()) + ".")
    rules = v[v["claim"].str.contains("every rule reaches")]
    if not _has_rules(t):
        out.append("The rule comparison is not in this report: its runs had not finished.")
    elif len(rules):
        verdicts = rules["verdict"].str.split(" (", regex=False).str[0]
        out.append(f"Rules against balance-exact's test accuracy, in {len(rules)} (data, graph) "
                   "settings: " + "; ".join(f"{k} in {n}" for k, n in
                                            verdicts.value_counts(sort=False).items()) + ".")
    rev = v[v["verdict"] == "reversed"]
    names = (rev["claim"].str.split(" - ").str[0].str.split(" \\(").str[0]
             .value_counts(sort=False))
    out.append(f"Reversed against the paper: {len(rev)} of {len(v)} tests"
               + (" (" + "; ".join(k + (f" (x{n})" if n > 1 else "")
                                   for k, n in names.head(6).items()) + ")"
                  if len(rev) else "") + ".")
    return out


def _signed(effect: str) -> str:
    """An effect as printed, with its sign (``"0.5"`` -> ``"+0.5"``)."""
    return effect if effect.startswith(("-", "+")) else f"+{effect}"


def _has_rules(t: dict) -> bool:
    return any(len(t.get(name, pd.DataFrame())) for name in ("rules_runs", "rules_selection"))


def _rules_pending() -> Sec:
    s = Sec("rules", "Rules compared: not in this report")
    s.text("The rule comparison (configs/rules_select.toml, then rules.toml) had not finished "
           "when this report was cut, so it is left out rather than reported from part of "
           "its runs. `wiring reproduce` resumes it (finished runs are kept) and the rebuilt "
           "report includes it; predictions 1 and 2 on supervised networks wait for it too.")
    return s


def _verdict_section(v: pd.DataFrame, ctx: Context) -> Sec:
    s = Sec("verdicts", "Verdicts and key figure")
    s.text("One row per test. 'holds' and 'reversed' are significant (p < 0.05) for and "
           "against the paper's direction; 'not detected' is not significant and says the "
           "effect the test had 80% power to see; 'beats null in k/n' counts runs that beat "
           "a null model (empirical p <= 0.05 over its draws and z >= 2), tested against the "
           "5% a run reaches by chance.")
    s.table("Every claim, its method, null, effect, interval, p and n.",
            v.assign(p=[fmt_p(x) if isinstance(x, float) else x for x in v["p"]]))
    ctx.figure(s, "key_figure", "The Fig. 4 comparison at p = 0.9, sigma = "
               "0.1, seed 0: |W| at the low rate, the plastic-high rate (when one exists) and the "
               "runaway rate, ordered "
               "by the degree-corrected block model (top) and by Leiden (middle), beside the "
               "initial weights pruned to the same density (bottom).")
    return s


def _provenance_section(out: Path, quick: bool) -> Section:
    s = Sec("provenance", "Configuration and provenance")
    cmd = "wiring reproduce" + (" --quick" if quick else "")
    s.text(f"Regenerate: `{cmd} --out {out.name}` (runs resume; analysis and report are "
           "rebuilt from the runs). Study configurations are in configs/, the report's "
           "provenance in provenance.json, and each study's run table (status, reason, "
           "seconds per run) and provenance (the commit the runs were made with) in "
           "sweeps/<study>/.")
    commits, seconds = set(), 0.0
    for d in sorted((out / "sweeps").glob("*")):
        prov = d / "provenance.json"
        if prov.is_file():
            rec = json.loads(prov.read_text())
            commits.add(str(rec.get("produced_by", rec.get("git_commit", "")))[:12])
        status = d / "sweep_status.csv"
        if status.is_file():
            seconds += float(pd.read_csv(status)["seconds"].sum())
    if commits:
        s.text(f"The runs were made by commit(s) {', '.join(sorted(commits))}; summed run time "
               f"{seconds / 3600:.2f} CPU hours.")
    for path in sorted((out / "configs").glob("*.toml")):
        s.code(f"configs/{path.name}", path.read_text(), "toml")
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
        Report directory holding ``tables/`` (and ``configs/``, ``sweeps/``,
        ``provenance.json``).
    runs_dir : str or Path, optional
        Where the runs are (named by its last component only).
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
    >>> "Verdicts" in md.read_text()
    True
    """
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    t = read_paper_tables(out)
    figs = {**figures_phase.draw_all(t, out / "figures"),
            **figures_evidence.draw_all(t, out / "figures"),
            **figures_rules.draw_all(t, out / "figures"),
            **figures_predictions.draw_all(t, out / "figures")}
    verdicts = claims.verdict_table(t, [*prediction_claims(t), *rules_claims(t)])
    (out / "tables").mkdir(exist_ok=True)
    runs.write_table(out / "tables", "verdicts", verdicts)
    ctx = Context(out, figs)
    abstract = Sec("abstract", "Abstract")
    sentences = _abstract(t, verdicts)
    abstract.text(" ".join(sentences) if sentences else "No runs were analysed.")
    body = [_verdict_section(verdicts, ctx),
            sections.setup_section(t),
            sections.regimes_section(t, ctx),
            sections.reference_section(t, ctx),
            sections.pooled_section(t, ctx),
            sections.duration_section(t, ctx),
            sections.sensitivity_section(t, ctx),
            sections.timescales_section(t, ctx),
            sections.development_section(t, ctx),
            *prediction_sections(t, ctx),
            (rules_section(t, ctx) if _has_rules(t) else _rules_pending()),
            _provenance_section(out, quick)]
    if len(t["errors"]):
        body[-1].table("Runs that could not be measured.", t["errors"])
    prov = out / "provenance.json"
    stamp = (json.loads(prov.read_text()).get("timestamp", "(unknown)") if prov.is_file()
             else "(unknown)")
    context = {"title": "Contribute to balance, wire in accordance: reproduction report"
                        + (" (quick size)" if quick else ""),
               "kind": "Studies",
               "sweep_dir": Path(runs_dir).name if runs_dir else "(not given)",
               "generated": stamp,
               "describe": "Every number below is computed from tables/ by "
                           "community.paper.report; the time is the analysis's.",
               "sections": [abstract, *body]}
    env = environment()
    md = env.get_template("report.md.j2").render(**context)
    html = env.get_template("report.html.j2").render(**context)
    md_path = write_atomic(out / "report.md", md.encode("utf-8"))
    html_path = write_atomic(out / "report.html", html.encode("utf-8"))
    summary = {"abstract": sentences,
               "verdicts": verdicts.to_dict(orient="records")}
    write_atomic(out / "summary.json", json.dumps(summary, indent=2, default=fmt).encode())
    return html_path, md_path
