"""Figures of the paper reproduction, drawn from small synthetic tables of the real schema."""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from community import stats
from community.paper import figures_phase as fp
from community.paper import figures_predictions as fpr
from community.paper import figures_rules as fr
from community.paper.analyse import REFERENCE_CELL
from community.paper.predictions import PREDICTION_TABLES, ROW_KEYS

MEASURES = ("modularity", "n_communities", "within_excess_strength", "offdiag_index",
            "gini_strength")
PHASE_FUNCS = (fp.phase_heatmaps, fp.phase_curves, fp.sensitivity,
               fp.analysis_variants, fp.timescales, fp.development)
RULE_FUNCS = (fr.rules_selection, fr.rules_accuracy, fr.rules_curves, fr.rules_alignment,
              fr.rules_structure, fpr.prediction1, fpr.prediction1_bins,
              fpr.prediction2)
ALL_FUNCS = PHASE_FUNCS + RULE_FUNCS
TABLES = ("structure", "cells", "divergence", "contrasts", "rules_selection", "rules_chosen",
          "rules_runs", "rules_tests", "rules_curves", "rules_alignment", "rules_structure",
          "rules_roles", *PREDICTION_TABLES)
P_REF, S_REF = REFERENCE_CELL
LRS = (0.1, 10.0)  # a low rate and the runaway reference
UNSTABLE = (10.0, 0.5, S_REF)  # the phase cell (r, p, sigma) where every run diverged


def _row(rng, **ident):
    row = {"learning_rate_end": 0.0, "iterations": 600, "mode": "one-step", "step": 600,
           "is_final": True, "status": "ok", "variant": "abs_modularity", **ident}
    row["run_id"] = "_".join(f"{k}{v}" for k, v in ident.items() if k != "graph")
    if (row["study"] == "phase" and (row["learning_rate"], row["prune"], row["sigma"])
            == UNSTABLE):
        row["status"] = "unstable"
        return {**row, **dict.fromkeys(MEASURES, np.nan)}
    return {**row, **{m: float(rng.uniform(0.5, 2.0)) for m in MEASURES}}


def _structure(rng):
    rows = []
    groups = {"phase": ["sigma0.1", "sigma0.3"], "sensitivity": ["sigmoid", "clamp0.3"],
              "timescales": ["one-step", "settled"]}
    for study, gs in groups.items():
        for g, lr, p, seed, graph in itertools.product(gs, LRS, (0.5, P_REF), (0, 1),
                                                       ("trained", "null_initial",
                                                        "null_shuffle")):
            sigma = float(g[5:]) if study == "phase" else S_REF
            if study != "phase" and p != P_REF:
                continue
            row = _row(rng, study=study, group=g, learning_rate=lr, prune=p, sigma=sigma,
                       seed=seed, graph=graph)
            rows.append(row)
            if study == "phase" and (p, sigma) == REFERENCE_CELL:
                rows.append({**row, "variant": "signed_modularity"})
    for g, lr, end in (("schedule_1", 1.0, 0.0316), ("constant_low", 0.0316, 0.0)):
        for seed, step, graph in itertools.product((0, 1), (0, 300, 600),
                                                   ("trained", "null_shuffle")):
            rows.append({**_row(rng, study="development", group=g, learning_rate=lr,
                                prune=P_REF, sigma=S_REF, seed=seed, graph=graph),
                         "learning_rate_end": end, "step": step, "is_final": step == 600})
    return pd.DataFrame(rows)


def _rules_tables(rng):
    runs, curves, align, struct, roles = ([] for _ in range(5))
    selection, chosen = [], []
    for data, graph, rule, lr, seed in itertools.product(
            ("digits",), ("recurrent", "layered"), fr.RULE_ORDER, (0.01, 0.1), (100, 101)):
        ok = not (rule == "dfa" and lr == 0.1 and seed == 101)
        selection.append({"data": data, "graph": graph, "rule": rule, "learning_rate": lr,
                          "seed": seed, "status": "ok" if ok else "unstable",
                          "score": rng.uniform(0.5, 0.9) if ok else 0.0})
    for (data, graph, rule), sel in pd.DataFrame(selection).groupby(["data", "graph", "rule"]):
        mean = sel.groupby("learning_rate")["score"].mean()
        chosen.append({"data": data, "graph": graph, "rule": rule,
                       "learning_rate": float(mean.idxmax()), "edge": "high"
                       if mean.idxmax() == 0.1 else "low", "stage2_rate": float(mean.idxmax())})
    rates = {(c["graph"], c["rule"]): c["learning_rate"] for c in chosen}
    for data, graph, rule, seed in itertools.product(
            ("digits",), ("recurrent", "layered"), fr.RULE_ORDER, range(5)):
        lr = rates[(graph, rule)]
        ident = {"data": data, "graph": graph, "rule": rule, "learning_rate": lr,
                 "seed": seed, "run_id": f"{graph}{rule}{lr}{seed}"}
        ok = not (rule == "dfa" and seed == 1)
        acc = rng.uniform(0.5, 0.9) if ok else np.nan
        runs.append({**ident, "status": "ok" if ok else "failed", "test_accuracy": acc,
                     "scored_accuracy": acc if ok else 0.0})
        for epoch in range(3):
            curves.append({**ident, "epoch": epoch, "test_accuracy": 0.1 + 0.3 * epoch})
            align.append({**ident, "epoch": epoch,
                          "cosine": 1.0 if rule == "balance-exact" else rng.uniform(0.2, 1)})
        if graph == "recurrent":
            struct.append({**ident, "weight_mode": "abs", "quality": "modularity",
                           "modularity": rng.uniform(0.2, 0.3), "q_z_shuffle": rng.normal(),
                           "within_excess": rng.uniform(2, 3)})
            roles += [{**ident, "role": "peripheral", "share": 0.3},
                      {**ident, "role": "non-hub connector", "share": 0.7}]
    tests = [{"data": "digits", "graph": g, "rule": r, "significant": r == "fa"}
             for g, r in itertools.product(("recurrent", "layered"), fr.RULE_ORDER[2:])]
    return {"rules_selection": pd.DataFrame(selection), "rules_chosen": pd.DataFrame(chosen),
            "rules_tests": pd.DataFrame(tests),
            "rules_runs": pd.DataFrame(runs), "rules_curves": pd.DataFrame(curves),
            "rules_alignment": pd.DataFrame(align), "rules_structure": pd.DataFrame(struct),
            "rules_roles": pd.DataFrame(roles), **_prediction_tables(rng)}


def _prediction_tables(rng):
    """The prediction tables' schema: supervised rows per (graph, rule), Algorithm-1 rows
    per rate; the first row has too few networks."""
    nets, summ, bins, n2, s2 = ([] for _ in range(5))
    idents = [{"source": "supervised", "study": "rules", "data": "digits", "graph": graph,
               "rule": rule, "condition": "r=0.02", "learning_rate": 0.02}
              for graph, rule in itertools.product(("recurrent", "layered"),
                                                   fr.RULE_ORDER[:4])]
    idents += [{"source": "algorithm1", "study": "phase", "data": "noise",
                "graph": "all-to-all", "rule": "algorithm1", "condition": f"r={lr:g}",
                "learning_rate": lr} for lr in LRS]
    for k, ident in enumerate(idents):
        n = 2 if k == 0 else 4
        rho = rng.normal(0.2, 0.1, n)
        nets += [{**ident, "run_id": f"{k}_{s}", "seed": s, "partial_rho": r,
                  "loglog_slope": 1 + r} for s, r in enumerate(rho)]
        half = 2 * rho.std(ddof=1)
        summ.append({**ident, "n_networks": n, "mean_partial_rho": rho.mean(),
                     "ci_low": rho.mean() - half, "ci_high": rho.mean() + half})
        for b in range(5):
            bal = 0.2 * (b + 1)
            bins.append({**ident, "bin": b, "balance_median": bal,
                         "carrier_median": 0.1 * bal, "carrier_low": 0.05 * bal,
                         "carrier_high": 0.2 * bal, "n_networks": n})
        if ident["source"] == "supervised":
            exact = ident["rule"].startswith("balance")
            n2 += [{**ident, "run_id": f"{k}_{s}", "seed": s,
                    "median_abs_residual": 0.0 if exact else 0.5,
                    "q99_abs_residual": 2e-16 if exact else 0.99,
                    "max_abs_residual": 3e-16 if exact else 1.0} for s in range(n)]
            s2.append({**ident, "n_networks": n, "worst_q99_abs_residual":
                       2e-16 if exact else 0.99})
    assert set(ROW_KEYS) <= set(summ[0])
    return dict(zip(PREDICTION_TABLES, map(pd.DataFrame, (nets, summ, bins, n2, s2)),
                    strict=True))


def _fig4(rng, n=40):
    out = {}
    for tag in ("low", "high"):
        W = rng.normal(size=(n, n)) * (rng.uniform(size=(n, n)) < 0.2)
        out[f"{tag}_trained"] = W
        out[f"{tag}_null_initial"] = rng.normal(size=(n, n)) * (rng.uniform(size=(n, n)) < 0.2)
        member = np.repeat(np.arange(4), n // 4)
        member[:3] = [4, 5, 6]  # singletons
        out[f"{tag}_membership"] = member
        out[f"{tag}_null_membership"] = np.arange(n) % 3
        out[f"{tag}_q_trained"] = np.float64(0.25 if tag == "low" else 0.125)
        out[f"{tag}_q_null"] = np.float64(0.0625)
    return out


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    structure = _structure(rng)
    fin = structure[structure["is_final"] & (structure["status"] == "ok")]
    keys = ["study", "group", "variant", "graph", "learning_rate", "prune", "sigma"]
    cells = stats.summarise(fin, keys, list(MEASURES), n_boot=50)
    per_run = structure.drop_duplicates("run_id")
    div = (per_run.groupby(["study", "group", "learning_rate", "prune", "sigma"])["status"]
           .agg(runs="size", unstable=lambda s: int((s == "unstable").sum())).reset_index())
    div["fraction_unstable"] = div["unstable"] / div["runs"]
    return {"structure": structure, "cells": cells, "divergence": div, "fig4": _fig4(rng),
            **_rules_tables(rng)}


@pytest.fixture(scope="module")
def drawn(tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    return out, {**fp.draw_all(tables, out), **fr.draw_all(tables, out),
                 **fpr.draw_all(tables, out)}


@pytest.mark.parametrize("empty", [{}, {**{t: pd.DataFrame() for t in TABLES}, "fig4": {}}],
                         ids=["no-tables", "empty-tables"])
def test_every_figure_is_none_without_data(empty, tmp_path):
    for fn in ALL_FUNCS:
        assert fn(empty, tmp_path) is None, fn.__name__
    assert fp.draw_all(empty, tmp_path) == {} and fr.draw_all(empty, tmp_path) == {}
    assert fpr.draw_all(empty, tmp_path) == {}
    assert list(tmp_path.iterdir()) == []


def test_all_nan_measures_do_not_raise(tables, tmp_path):
    nan = {k: v for k, v in tables.items() if k != "fig4"}
    nan["cells"] = nan["cells"].assign(mean=np.nan, ci_low=np.nan, ci_high=np.nan)
    nan["structure"] = nan["structure"].assign(**dict.fromkeys(MEASURES, np.nan))
    for name in ("rules_runs", "rules_curves"):
        nan[name] = nan[name].assign(test_accuracy=np.nan)
    nan["rules_runs"] = nan["rules_runs"].assign(scored_accuracy=np.nan)
    nan["rules_selection"] = nan["rules_selection"].assign(score=np.nan)
    for name, col in (("rules_alignment", "cosine"), ("prediction1_networks", "partial_rho"),
                      ("prediction1", "mean_partial_rho"), ("prediction1_bins", "carrier_median"),
                      ("prediction2_networks", "median_abs_residual")):
        nan[name] = nan[name].assign(**{col: np.nan})
    for fn in ALL_FUNCS:
        path = fn(nan, tmp_path)
        assert path is None or path.stat().st_size > 0, fn.__name__


@pytest.mark.parametrize("fn", ALL_FUNCS, ids=lambda f: f.__name__)
def test_each_figure_writes_a_readable_png(fn, drawn):
    out, paths = drawn
    path = paths[f"phase_heatmaps_sigma{S_REF:g}" if fn is fp.phase_heatmaps else fn.__name__]
    assert path.parent == out and path.stat().st_size > 0
    img = imread(path)
    assert img.ndim == 3 and min(img.shape[:2]) > 200
    assert not list(out.glob(".*.png"))  # no temporary file left behind


def test_phase_heatmaps_one_file_per_sigma_and_returns_the_reference(tables, drawn):
    out, paths = drawn
    assert {p.name for k, p in paths.items() if k.startswith("phase_heatmaps")} == {
        "phase_heatmaps_sigma0.1.png", "phase_heatmaps_sigma0.3.png"}
    assert fp.phase_heatmaps(tables, out).name == f"phase_heatmaps_sigma{S_REF:g}.png"


def test_heatmap_marks_an_all_unstable_cell(tables):
    grid = fp._phase_grid(tables, S_REF)
    i, j = grid["p"].index(UNSTABLE[1]), grid["r"].index(UNSTABLE[0])
    assert grid["unstable"][i, j] and grid["unstable"].sum() == 1
    assert np.isnan(grid["values"]["modularity", "trained"][i, j])
    fig = fp._phase_figure(grid, S_REF)
    heat = fig.axes[0]
    assert [p.get_gid() for p in heat.patches] == ["unstable"]
    assert "unstable" in [t.get_text() for t in heat.texts]
    # the fraction panel shows the fraction itself, not the hatch
    frac = [ax for ax in fig.axes if ax.get_title().startswith("fraction of runs")][0]
    assert not frac.patches and "1" in [t.get_text() for t in frac.texts]


def test_schedule_stages_are_geometric():
    edges, rates = fp._schedule(pd.Series({"learning_rate": 10.0, "learning_rate_end": 0.1,
                                           "iterations": 1200}))
    np.testing.assert_allclose(rates, np.geomspace(10, 0.1, fp.SCHEDULE_STAGES))
    np.testing.assert_allclose(edges, np.arange(7) * 200)
    edges, rates = fp._schedule(pd.Series({"learning_rate": 0.1, "learning_rate_end": 0.0,
                                           "iterations": 600}))
    assert rates.tolist() == [0.1] and edges.tolist() == [0, 600]


def test_read_paper_tables_reads_parquet_and_fig4(tables, tmp_path):
    from community.paper.report import PAPER_TABLES, read_paper_tables

    (tmp_path / "tables").mkdir()
    tables["prediction2"].to_parquet(tmp_path / "tables" / "prediction2.parquet")
    np.savez(tmp_path / "tables" / "fig4_matrices.npz", **tables["fig4"])
    got = read_paper_tables(tmp_path)
    assert set(got) == {*PAPER_TABLES, "fig4"}
    pd.testing.assert_frame_equal(got["prediction2"], tables["prediction2"])
    assert all(got[name].empty for name in PAPER_TABLES if name != "prediction2")
    np.testing.assert_array_equal(got["fig4"]["low_membership"],
                                  tables["fig4"]["low_membership"])


def test_analysis_writes_fig4_partitions_and_modularity():
    from community.paper.analyse import _fig4

    rng = np.random.default_rng(3)
    results = []
    rates = {"low": 0.1, "high": 1.0, "runaway": 10.0}
    for lr in rates.values():
        extra = {"final": rng.normal(size=(6, 6)), "initial_pruned": rng.normal(size=(6, 6)),
                 "membership": np.arange(6) % 2, "q": 0.5 * lr,
                 "null_membership": np.arange(6) % 3, "null_q": 0.1 * lr}
        row = {"study": "phase", "seed": 0, "prune": P_REF, "sigma": S_REF,
               "learning_rate": lr}
        results.append(("phase", [row], extra, ""))
    out = _fig4(results, rates)
    assert set(out) == {f"{t}_{k}" for t in rates for k in (
        "trained", "null_initial", "membership", "null_membership", "q_trained", "q_null",
        "learning_rate")}
    for tag, lr in rates.items():
        np.testing.assert_array_equal(out[f"{tag}_null_membership"], np.arange(6) % 3)
        assert float(out[f"{tag}_q_trained"]) == 0.5 * lr
        assert float(out[f"{tag}_q_null"]) == 0.1 * lr


def test_paper_imports_no_private_name_of_the_report():
    """community/paper builds on the report's public section kit only."""
    import ast
    from pathlib import Path

    import community.paper

    found = []
    for path in sorted(Path(community.paper.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "community.report"):
                found += [(path.name, node.module, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                found += [(path.name, a.name, "") for a in node.names
                          if a.name.startswith("community.report")]
    assert found, "the paper report renders with the report's kit"
    private = [f for f in found if f[2].startswith("_")
               or any(part.startswith("_") for part in f[1].split("."))]
    assert private == []
