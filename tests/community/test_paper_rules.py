"""The rule comparison's tables, tests, section and verdict rows
(:mod:`community.paper.rules`), on small synthetic run directories and tables with planted
answers."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import wiring.runs as runs
from community.paper import rules as R
from community.paper._sections import Context
from community.paper.claims import holm

#: the study's starting grid (full size) and one extension past the high edge
GRID = (0.005, 0.02, 0.08)
EXT = 0.32


def _run(sweep, group, lr, seed, *, acc, status="ok", nonconv=0, samples=300, epochs=2,
         holdout="validation", metrics=True, old_engine=False):
    """One run directory and its sweep_status row; the final epoch has ``acc`` over the
    settled samples and ``nonconv`` unsettled ones."""
    data, graph, rule = R.split_group(group)
    run_id = f"{group}__lr{lr:g}_s{seed}_r{rule}"
    d = runs.prepare_run_dir(sweep / "runs" / run_id, overwrite=True)
    runs.write_config(d, {"task": {"kind": "supervised", "seed": seed},
                          "data": {"name": data, "holdout": holdout, "test_fraction": 0.25,
                                   "validation_fraction": 0.2, "n_samples": 600},
                          "graph": {"family": graph},
                          "train": {"rule": rule, "learning_rate": lr, "epochs": epochs}})
    if metrics:
        rows = []
        for epoch in range(epochs + 1):
            last = epoch == epochs
            row = {"epoch": epoch, "step": 100 * epoch, "train_loss": 2.0 - 0.5 * epoch,
                   "test_accuracy": acc if last else 0.1,
                   "test_nonconverged": nonconv if last else 0, "status": "ok"}
            if not old_engine:
                row["test_samples"] = samples
                row["test_accuracy_all"] = -1.0  # recomputed from the columns above
            rows.append(row)
        runs.write_metrics(d, pd.DataFrame(rows))
    runs.write_status(d, status)
    return {"run_id": run_id, "group": group, "learning_rate": lr, "seed": seed,
            "rule": rule, "status": status, "reason": "", "seconds": 1.0, "resumed": False}


def _sweep(root, name, rows):
    sweep = root / name
    (sweep / "runs").mkdir(parents=True, exist_ok=True)
    status = pd.DataFrame([_run(sweep, **r) for r in rows])
    status.to_parquet(sweep / "sweep_status.parquet")
    return sweep


#: stage-1 accuracies (group -> rate -> (seed 100, seed 101)); planted choices:
#: fa -> 0.02 (interior), balance-exact -> 0.32 (the extension, still the high edge),
#: dfa -> 0.02 (0.08 has the best ok run, but its other run diverged and scores 0),
#: balance -> 0.005 (a tie with 0.08: the smaller rate; the low edge)
SELECT = {
    "digits_recurrent__fa": {0.005: (0.5, 0.6), 0.02: (0.7, 0.8), 0.08: (0.6, 0.6)},
    "digits_recurrent__balance-exact": {0.005: (0.4, 0.4), 0.02: (0.5, 0.5),
                                        0.08: (0.6, 0.7), EXT: (0.8, 0.8)},
    "digits_recurrent__dfa": {0.005: (0.5, 0.5), 0.02: (0.7, 0.7), 0.08: (0.9, None)},
    "digits_recurrent__balance": {0.005: (0.7, 0.7), 0.02: (0.6, 0.6), 0.08: (0.7, 0.7)},
}


def _select_rows():
    rows = []
    for group, rates in SELECT.items():
        for lr, accs in rates.items():
            for seed, acc in zip((100, 101), accs, strict=True):
                if acc is None:  # diverged: its metrics say 0.99, its score is 0
                    rows.append({"group": group, "lr": lr, "seed": seed, "acc": 0.99,
                                 "status": "unstable"})
                else:
                    rows.append({"group": group, "lr": lr, "seed": seed, "acc": acc})
    return rows


#: stage-2 accuracies per rule (5 seeds): fa 0.05 below balance-exact, dfa the same
#: values reordered with small shifts (no gap), balance 0.002 above
REF = (0.900, 0.905, 0.895, 0.910, 0.890)
FINAL = {"balance-exact": REF,
         "fa": tuple(v - 0.05 for v in (0.902, 0.897, 0.908, 0.893, 0.900)),
         "dfa": (0.905, 0.890, 0.910, 0.895, 0.901),
         "balance": tuple(v + 0.002 for v in REF[::-1])}
CHOSEN = {"balance-exact": EXT, "fa": 0.02, "dfa": 0.02, "balance": 0.005}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    select = _sweep(root, "rules_select", _select_rows())
    pd.DataFrame({"group": [f"digits_recurrent__{r}" for r in CHOSEN],
                  "learning_rate": list(CHOSEN.values())}).to_csv(
        select / "chosen_rates.csv", index=False)
    rows = []
    for rule, accs in FINAL.items():
        for seed, acc in enumerate(accs):
            # layered graph (no structure analysis) so the fixture stays cheap
            rows.append({"group": f"digits_layered__{rule}", "lr": CHOSEN[rule], "seed": seed,
                         "acc": acc, "holdout": "test"})
    _sweep(root, "rules", rows)
    return root, R.rules_tables(root)


# --------------------------------------------------------------------------- stage 1


def test_tables_are_the_declared_ones_and_groups_parse(study):
    _root, t = study
    assert tuple(t) == R.RULES_TABLES
    assert set(t["rules_selection"]["graph"]) == {"recurrent"}
    assert set(t["rules_runs"]["graph"]) == {"layered"}
    assert set(t["rules_runs"]["rule"]) == set(FINAL)
    assert set(t["rules_runs"]["data"]) == {"digits"}


def test_chosen_rate_is_the_best_validation_mean(study):
    _root, t = study
    ch = t["rules_chosen"].set_index("rule")
    want = {"fa": 0.02, "balance-exact": EXT, "dfa": 0.02, "balance": 0.005}
    assert ch["learning_rate"].to_dict() == want
    assert ch.loc["fa", "validation_mean"] == pytest.approx(0.75)
    assert ch.loc["balance-exact", "validation_mean"] == pytest.approx(0.8)
    # the planted rule, recomputed by hand from the selection table
    sel = t["rules_selection"]
    for rule, lr in want.items():
        means = sel[sel["rule"] == rule].groupby("learning_rate")["score"].mean()
        assert lr == min(means.index[np.isclose(means, means.max())])


def test_a_diverged_run_scores_zero_in_the_choice(study):
    _root, t = study
    sel = t["rules_selection"]
    bad = sel[sel["status"] == "unstable"].iloc[0]
    assert bad["validation_accuracy_all"] == pytest.approx(0.99) and bad["score"] == 0.0
    assert bad["rate_mean"] == pytest.approx(0.45)


def test_edges_extensions_and_the_study_grid(study):
    _root, t = study
    ch = t["rules_chosen"].set_index("rule")
    assert ch["edge"].to_dict() == {"fa": "", "balance-exact": "high", "dfa": "",
                                    "balance": "low"}
    assert ch["on_edge"].to_dict() == {"fa": False, "balance-exact": True, "dfa": False,
                                       "balance": True}
    assert set(ch["base_grid"]) == {" ".join(f"{v:g}" for v in GRID)}
    assert ch.loc["balance-exact", "extended_high"] == 1
    assert ch.loc["balance-exact", "grid"] == "0.005 0.02 0.08 0.32"
    assert (ch.drop("balance-exact")[["extended_low", "extended_high"]] == 0).all().all()
    # the recorded choice and the rate stage 2 ran agree with the recomputed one
    assert ch["agrees"].all()
    assert ch["recorded_rate"].to_dict() == CHOSEN


def test_a_single_rate_grid_is_on_both_edges():
    sel = pd.DataFrame({"data": "d", "graph": "g", "rule": "fa", "learning_rate": 0.02,
                        "score": [0.5, 0.6]})
    c = R.choose(sel, [0.02])
    assert c["edge"].tolist() == ["only rate"] and c["on_edge"].tolist() == [True]
    assert c["validation_mean"].tolist() == [pytest.approx(0.55)]


def test_unsettled_samples_count_wrong(tmp_path):
    # 0.9 over the settled samples, 30 of 300 unsettled: 0.9 x 270 / 300 = 0.81
    _sweep(tmp_path, "rules_select", [{"group": "digits_layered__fa", "lr": 0.02, "seed": 100,
                                       "acc": 0.9, "nonconv": 30, "samples": 300}])
    # an older engine without test_samples: digits' test split is ceil(0.25 x 1797) = 450;
    # 0.8 over the settled, 45 unsettled: 0.8 x 405 / 450 = 0.72
    _sweep(tmp_path, "rules", [{"group": "digits_layered__fa", "lr": 0.02, "seed": 0,
                                "acc": 0.8, "nonconv": 45, "holdout": "test",
                                "old_engine": True}])
    t = R.rules_tables(tmp_path)
    s = t["rules_selection"].iloc[0]
    assert s["validation_accuracy"] == pytest.approx(0.9)
    assert s["validation_accuracy_all"] == pytest.approx(0.81)
    assert s["score"] == pytest.approx(0.81)
    r = t["rules_runs"].iloc[0]
    assert r["test_samples"] == 450
    assert r["test_accuracy_all"] == pytest.approx(0.72)
    assert r["scored_accuracy"] == pytest.approx(0.72)
    assert r["test_nonconverged_fraction"] == pytest.approx(0.1)
    assert t["rules_curves"]["test_accuracy_all"].iloc[-1] == pytest.approx(0.72)


def test_a_run_without_metrics_scores_zero(tmp_path):
    _sweep(tmp_path, "rules", [{"group": "digits_layered__fa", "lr": 0.02, "seed": 0,
                                "acc": 0.8, "status": "failed", "metrics": False,
                                "holdout": "test"}])
    r = R.rules_tables(tmp_path)["rules_runs"].iloc[0]
    assert r["status"] == "failed" and math.isnan(r["test_accuracy_all"])
    assert r["scored_accuracy"] == 0.0


def test_split_group():
    assert R.split_group("mnist1d_recurrent__sign-concordant") == (
        "mnist1d", "recurrent", "sign-concordant")
    assert R.split_group("digits_layered", rule="dfa") == ("digits", "layered", "dfa")


# --------------------------------------------------------------------------- stage 2 tests


def test_planted_gap_is_detected_with_its_sign(study):
    _root, t = study
    tests = t["rules_tests"].set_index("rule")
    fa = tests.loc["fa"]
    assert fa["significant"] and fa["diff"] < 0 and fa["hedges_g"] < 0
    assert fa["diff"] == pytest.approx(np.mean(FINAL["fa"]) - np.mean(REF))
    assert fa["ci_low"] < fa["diff"] < fa["ci_high"] < 0
    assert fa["reading"].startswith("lower than balance-exact")
    assert fa["n_rule"] == fa["n_reference"] == 5


def test_no_gap_is_not_significant_and_never_reads_equal(study):
    _root, t = study
    tests = t["rules_tests"].set_index("rule")
    for rule in ("dfa", "balance"):
        r = tests.loc[rule]
        assert not r["significant"] and r["p_holm"] > 0.05
        assert r["ci_low"] < 0 < r["ci_high"]
        assert "no difference detected at this power" in r["reading"]
        assert "equal" not in r["reading"]


def test_welch_p_interval_and_holm_by_hand(study):
    _root, t = study
    tests = t["rules_tests"]
    for r in tests.itertuples():
        w = sps.ttest_ind(FINAL[r.rule], REF, equal_var=False)
        assert r.p_welch == pytest.approx(w.pvalue)
        lo, hi = w.confidence_interval(0.95)
        assert (r.ci_low, r.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    # Holm by hand: sorted p_(1) <= ... <= p_(m); adjusted p_(i) = max_{j<=i} min(1,
    # (m - j + 1) p_(j))
    p = tests["p_welch"].to_numpy()
    order = np.argsort(p)
    m = p.size
    want = np.empty(m)
    running = 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[k]))
        want[k] = running
    np.testing.assert_allclose(tests["p_holm"].to_numpy(), want)
    np.testing.assert_allclose(holm(p), want)
    assert (tests["significant"] == (tests["p_holm"] < R.ALPHA)).all()


def test_holm_is_over_every_comparison_of_the_table():
    rows = []
    for graph in ("recurrent", "layered"):
        for rule, accs in FINAL.items():
            rows += [{"data": "digits", "graph": graph, "rule": rule, "status": "ok",
                      "scored_accuracy": a} for a in accs]
    tests = R.accuracy_tests(pd.DataFrame(rows))
    assert len(tests) == 6
    np.testing.assert_allclose(tests["p_holm"], holm(tests["p_welch"].to_numpy()))
    assert (tests["p_holm"] >= tests["p_welch"]).all()


def test_identical_constant_samples_are_not_a_difference():
    rr = pd.DataFrame({"data": "d", "graph": "g", "status": "ok",
                       "rule": ["balance-exact"] * 3 + ["balance"] * 3,
                       "scored_accuracy": [0.9] * 6})
    r = R.accuracy_tests(rr).iloc[0]
    assert r["p_welch"] == 1.0 and not r["significant"] and r["diff"] == 0.0


def test_accuracy_summary_counts_failed_runs_as_zero():
    rr = pd.DataFrame({"data": "d", "graph": "g", "rule": "fa", "learning_rate": 0.1,
                       "status": ["ok", "ok", "unstable"], "scored_accuracy": [0.8, 0.9, 0.0],
                       "test_nonconverged_fraction": [0.0, 0.1, np.nan]})
    s = R.accuracy_summary(rr).iloc[0]
    assert (s["runs"], s["failed"]) == (3, 1)
    assert s["mean"] == pytest.approx(1.7 / 3)
    half = sps.t.ppf(0.975, 2) * np.std([0.8, 0.9, 0.0], ddof=1) / math.sqrt(3)
    assert s["ci_high"] - s["mean"] == pytest.approx(half)


# --------------------------------------------------------------------------- report


def test_claims_rows(study):
    _root, t = study
    rows = R.rules_claims(t)
    assert all(set(r) == {"claim", "method", "null", "effect", "ci", "p", "n", "verdict"}
               for r in rows)
    acc = [r for r in rows if "balance-exact's test accuracy" in r["claim"]]
    assert len(acc) == 1
    row = acc[0]
    assert row["verdict"].startswith("rejected: fa below balance-exact")
    assert row["effect"].startswith("fa - balance-exact = -0.05")
    lo, hi = (float(v) for v in row["ci"].strip("[]").split(", "))
    assert lo < hi < 0 and row["p"] < 0.05 and row["n"] == "5 vs 5 seeds"
    edge = [r for r in rows if "inside the grid" in r["claim"]][0]
    assert edge["effect"] == "2 of 4 choices on an edge"
    assert "balance-exact (high)" in edge["verdict"] and "balance (low)" in edge["verdict"]


def test_claims_without_a_gap_are_not_rejected(study):
    _root, t = study
    tests = t["rules_tests"]
    rows = R.rules_claims({"rules_tests": tests[tests["rule"] != "fa"]})
    assert len(rows) == 1
    assert rows[0]["verdict"].startswith("not rejected: no gap detected at this power")


def test_section_states_the_selection_the_tests_and_no_threshold(study, tmp_path):
    _root, t = study
    s = R.rules_section(t, Context(tmp_path))
    text = " ".join(i.text for i in s.items if i.kind == "text")
    captions = [i.caption for i in s.items if i.kind == "table"]
    assert "validation split" in text and "factor 4" in text
    assert "on an edge of the final grid" in " ".join(s.highlights)
    assert "2 points" not in text and "within 2" not in text
    assert "not equality" in text
    assert any("Holm" in c for c in captions)
    assert any(h.startswith("digits, layered graph, against balance-exact: fa lower")
               for h in s.highlights)
    # every figure is announced as not drawn when absent, none numbered
    assert all(i.kind != "figure" for i in s.items)


def test_empty_runs_dir_gives_empty_tables_and_a_section(tmp_path):
    t = R.rules_tables(tmp_path)
    assert tuple(t) == R.RULES_TABLES and all(df.empty for df in t.values())
    s = R.rules_section(t, Context(tmp_path))
    assert s.highlights == [] and R.rules_claims(t) == []
