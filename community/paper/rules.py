"""The supervised rule comparison: its tables from the ``rules`` study's runs, and its
report section.

:func:`rules_tables` reads ``<runs>/rules/runs/*`` and returns ``rules_runs``,
``rules_curves``, ``rules_alignment``, ``rules_structure``, ``rules_roles`` (and the
prediction tables of :mod:`community.paper.predictions`, which come from the same runs);
:func:`rules_section` writes the report's section from those tables alone.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from community.paper._sections import Sec, add_figure
from community.paper.analyse import run_groups
from community.paper.predictions import prediction_tables
from community.report.kit import Section
from community.tables import AnalysisSettings, analyse_run
from wiring.errors import WiringError

__all__ = ["rules_tables", "rules_section", "RULES_STRUCTURE_COLUMNS"]


#: The columns of ``rules_structure`` (the final snapshots' rows of the sweep tables that
#: the rules section reads; the sweep tables hold more).
RULES_STRUCTURE_COLUMNS = (
    "run_id", "group", "task", "rule", "learning_rate", "seed", "prune", "pruning",
    "graph_family", "step", "snapshot_path", "run_status", "weight_mode", "quality",
    "resolution", "nodes", "n_nodes", "n_edges", "density", "weight_abs_mean",
    "weight_abs_max", "weight_change", "modularity", "leiden_quality", "n_communities",
    "largest_community_fraction", "within_fraction", "within_chance", "within_excess",
    "offdiag_index", "q_z_shuffle", "q_z_rewire", "q_initial_pruned", "louvain_ari",
    "louvain_modularity", "step_fraction", "is_final", "ari_final")


def rules_tables(sweep_dir: Path, workers: int) -> dict[str, pd.DataFrame]:
    rows, curves, align, pred1, pred2, struct, roles = [], [], [], [], [], [], []
    settings = AnalysisSettings(n_null=10)
    pairs = run_groups(sweep_dir)
    for group, d in pairs:
        cfg = runs.read_config(d)
        status = (runs.read_status(d) or {}).get("status", "failed")
        data, family = group.split("_", 1)
        ident = {"run_id": d.name, "group": group, "data": data, "graph": family,
                 "rule": cfg["train"]["rule"], "learning_rate": cfg["train"]["learning_rate"],
                 "seed": cfg["task"]["seed"], "status": status}
        try:
            m = runs.read_metrics(d)
        except (WiringError, OSError):
            rows.append({**ident, "test_accuracy": np.nan})
            continue
        n_test = _test_samples(m, cfg)
        m = m.drop(columns=["test_samples", "test_accuracy_all"], errors="ignore").assign(**ident)
        m["test_samples"] = n_test
        # accuracy over every test sample, a sample whose firing did not settle counted wrong
        # (the engine's test_accuracy is over the settled samples only)
        m["test_accuracy_all"] = (m["test_accuracy"].fillna(0.0)
                                  * (n_test - m["test_nonconverged"]) / n_test)
        m["test_nonconverged_fraction"] = m["test_nonconverged"] / n_test
        curves.append(m)
        last = m.iloc[-1]
        rows.append({**ident, "test_accuracy_all": float(last["test_accuracy_all"]),
                     "test_nonconverged_fraction": float(last["test_nonconverged_fraction"]),
                     "test_accuracy": float(last.get("test_accuracy", np.nan)),
                     "train_loss": float(last.get("train_loss", np.nan)),
                     "epochs_done": int(last.get("epoch", 0))})
        for name, sink in (("probes", align), ("retrograde", pred1), ("synapses", pred2)):
            path = d / f"{name}.parquet"
            if path.is_file():
                sink.append(pd.read_parquet(path).assign(**ident))
    if workers > 1 and len(pairs) > 1:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_analyse_rules_run, [(g, d, settings) for g, d in pairs
                                                         if g.endswith("recurrent")]))
    else:
        results = [_analyse_rules_run((g, d, settings)) for g, d in pairs
                   if g.endswith("recurrent")]
    ident_by_run = {r["run_id"]: r for r in rows}
    for snaps, neurons in results:
        if len(snaps):
            fin = snaps[snaps["is_final"]]
            fin = fin[[c for c in RULES_STRUCTURE_COLUMNS if c in fin]]
            struct.append(fin.assign(**{k: ident_by_run[fin["run_id"].iloc[0]][k]
                                        for k in ("data", "graph", "rule")}))
        if len(neurons):
            fin_n = neurons[neurons["is_final"]]
            share = fin_n["role"].value_counts(normalize=True)
            rid = fin_n["run_id"].iloc[0]
            roles.extend({**{k: ident_by_run[rid][k] for k in ("run_id", "data", "graph", "rule",
                                                                "learning_rate", "seed")},
                          "role": role, "share": float(v)} for role, v in share.items())
    out = {"rules_runs": pd.DataFrame(rows),
           "rules_curves": pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
           "rules_alignment": _with_error_column(align),
           "rules_structure": pd.concat(struct, ignore_index=True) if struct else pd.DataFrame(),
           "rules_roles": pd.DataFrame(roles)}
    out.update(prediction_tables(pred1, pred2))
    return out


def _test_samples(metrics: pd.DataFrame, cfg: dict) -> float:
    """Test-set size of a supervised run: the ``test_samples`` column (engine >= this
    version), else the documented split of the built-in data sets (ceil(test_fraction x
    1797) for digits, ceil(test_fraction x n_samples) for mnist1d), else NaN."""
    if "test_samples" in metrics and metrics["test_samples"].notna().any():
        return float(metrics["test_samples"].dropna().iloc[0])
    data = cfg.get("data", {})
    frac = float(data.get("test_fraction", 0.25))
    if data.get("name") == "digits":
        return float(np.ceil(frac * 1797))
    if data.get("name") == "mnist1d":
        return float(np.ceil(frac * int(data.get("n_samples", 4000))))
    return float("nan")


def _with_error_column(align: list) -> pd.DataFrame:
    """The alignment probes with a ``probe_error`` column always present ("" when fine)."""
    if not align:
        return pd.DataFrame()
    df = pd.concat(align, ignore_index=True)
    df["probe_error"] = df["probe_error"].fillna("") if "probe_error" in df else ""
    cols = [c for c in df.columns if c != "probe_error"]
    at = cols.index("norm_gradient") + 1 if "norm_gradient" in cols else len(cols)
    return df[[*cols[:at], "probe_error", *cols[at:]]]


def _analyse_rules_run(task):
    group, d, settings = task
    tabs = analyse_run(d.name, group, d, settings=settings)
    return tabs["snapshots"], tabs["neurons"]


def rules_section(t: dict, out: Path, figs: dict, num: list) -> Section:
    s = Sec("rules", "Rules compared: balance, balance-exact, FA, sign-concordant, DFA")
    s.text("Supervised digits (8x8) and mnist1d, a recurrent graph (100 hidden neurons, 10% "
           "recurrent edges, 10% output-to-hidden feedback edges, so balance differs from "
           "balance-exact) and a layered reference (one hidden layer of 100), cross-entropy, "
           "online updates, the same learning-rate grid and seeds for every rule (equal "
           "tuning effort: the best grid rate per rule on the test split is reported, which "
           "flatters every rule equally). Rules: balance (the paper's literal rule), "
           "balance-exact (recurrent backprop), FA = feedback alignment, sign-concordant "
           "feedback, DFA = direct feedback alignment.")
    rr = t["rules_runs"]
    if len(rr):
        acc = "test_accuracy_all" if "test_accuracy_all" in rr else "test_accuracy"
        mean = rr.groupby(["data", "graph", "rule", "learning_rate"])[acc].agg(
            ["mean", "std", "size"]).reset_index()
        if "test_nonconverged_fraction" in rr:
            nc = rr.groupby(["data", "graph", "rule", "learning_rate"])[
                "test_nonconverged_fraction"].mean().reset_index(drop=True)
            mean["nonconverged"] = nc.to_numpy()
        missing = sorted(set(map(tuple, mean[["data", "graph", "rule"]].to_numpy()))
                         - set(map(tuple, mean.dropna(subset=["mean"])[
                             ["data", "graph", "rule"]].to_numpy())))
        mean = mean.dropna(subset=["mean"])
        best = mean.loc[mean.groupby(["data", "graph", "rule"])["mean"].idxmax()]
        if missing:
            s.text("No test accuracy at any grid rate (every run failed or diverged) for: "
                   + ", ".join("/".join(m) for m in missing) + ".")
        s.text("Accuracy is over every test sample, a sample whose firing did not settle "
               "(1,000 iterations, tolerance 1e-8) counted as wrong; 'nonconverged' is the "
               "mean fraction of such samples. On recurrent graphs with feedback edges, high "
               "learning rates make many test samples fail to settle: a finding about the "
               "dynamics, and the reason the engine's own test_accuracy (settled samples only) "
               "is not the headline here.")
        s.table("Test accuracy at each rule's best learning rate (mean, sd over seeds).",
                best.rename(columns={"mean": "accuracy_mean", "std": "accuracy_sd",
                                     "size": "seeds"}))
        for (data, graph), b in best.groupby(["data", "graph"]):
            top = b["mean"].max()
            lag = b[b["mean"] < top - 0.02]
            if len(lag):
                s.key(f"{data}, {graph}: lagging the best rule by more than 2 points: "
                       + ", ".join(f"{r.rule} ({r.mean:.3f} vs {top:.3f})"
                                   for r in lag.itertuples()) + ".")
            else:
                s.key(f"{data}, {graph}: every rule within 2 points of the best "
                       f"({top:.3f}).")
    al = t["rules_alignment"]
    if len(al):
        last = al[al["epoch"] == al.groupby("run_id")["epoch"].transform("max")]
        tab = last.groupby(["data", "graph", "rule"])[["cosine", "sign_agreement"]].mean()
        s.table("Alignment of each rule's update with the exact gradient at the end of "
                "training (cosine, share of synapses with the same sign; mean over runs).",
                tab.reset_index())
    rs = t["rules_structure"]
    if len(rs):
        cols = ["modularity", "q_z_shuffle", "q_initial_pruned", "within_excess",
                "n_communities"]
        tab = rs.groupby(["data", "rule"])[[c for c in cols if c in rs]].mean().reset_index()
        s.table("Community structure of the hidden-to-hidden weights built by each rule "
                "(recurrent graphs; Q z-score against weight-shuffled nulls).", tab)
        if {"modularity", "q_initial_pruned", "q_z_shuffle"} <= set(tab.columns):
            dq = (tab["modularity"] - tab["q_initial_pruned"]).abs().max()
            zmax = tab["q_z_shuffle"].abs().max()
            s.key(f"Community structure built by the rules on the recurrent hidden layer: Q "
                  f"differs from the initial graph's by at most {dq:.3f} and its mean z-score "
                  f"against weight-shuffled nulls is at most {zmax:.2f} in size"
                  + (": no rule builds modules beyond the initial wiring in this training "
                     "budget." if dq < 0.02 and zmax < 2 else
                     ": some rule changes the modular structure (see the table)."))
    for name, cap in (("rules_accuracy", "Test accuracy against learning rate per rule."),
                      ("rules_curves", "Learning curves at each rule's best learning rate."),
                      ("rules_alignment", "Cosine with the exact gradient over training."),
                      ("rules_structure", "Community structure and roles per rule.")):
        add_figure(s, out, figs.get(name), cap, num)
    return s
