"""Predictions 1 and 2 with the network as the unit, on synthetic run directories whose
planted relation is known."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import wiring.runs as runs
from community.paper import predictions as pr
from community.paper._sections import Context

LR = 0.02


def _sweep_status(sweep, rows):
    runs.write_table(sweep, "sweep_status", pd.DataFrame(rows, columns=["run_id", "group"]))


def _supervised_run(root, rule, seed, *, beta, rng, data="digits", graph="recurrent",
                    n_samples=12, n_neurons=30, unsettled=0, status="ok", probes=True,
                    sample_confound=False):
    """A ``rules`` run whose |c| sum|w| = exp(beta * f + noise) per (sample, neuron)."""
    group = f"{data}_{graph}__{rule}"
    run_id = f"{group}__lr{LR}_s{seed}_r{rule}"
    d = runs.prepare_run_dir(root / "rules" / "runs" / run_id)
    runs.write_config(d, {"task": {"kind": "supervised", "seed": seed},
                          "data": {"name": data}, "graph": {"family": graph},
                          "train": {"rule": rule, "learning_rate": LR, "probes": n_samples}})
    runs.write_status(d, status)
    if probes and rule != "dfa":
        settled = n_samples - unsettled
        sample = np.repeat(np.arange(settled), n_neurons)
        neuron = np.tile(np.arange(n_neurons) + 64, settled)
        f = rng.uniform(0.05, 1.0, sample.size)
        carrier = np.exp(beta * f + 0.3 * rng.normal(size=sample.size))
        if sample_confound:  # samples differ in f and in their credit scale, together
            level = sample / settled
            f = np.clip(0.1 + 0.8 * level + 0.05 * rng.uniform(size=sample.size), 0.01, 1)
            carrier = np.exp(3 * level) * rng.uniform(0.5, 1.5, sample.size)
        csum = np.tile(rng.uniform(1.0, 3.0, n_neurons), settled)
        credit = carrier / csum * rng.choice([-1.0, 1.0], sample.size)
        runs.write_table(d, "retrograde", pd.DataFrame({
            "sample": sample, "neuron": neuron, "s": np.arctanh(np.sqrt(1 - f)),
            "balance": f, "credit": credit, "effective": credit * f,
            "amplitude": np.abs(credit * f) * csum, "carrier_sum": csum,
            "probe_samples": n_samples, "unsettled_samples": unsettled}))
        _synapses(d, rule, rng, min(n_samples, 20), min(unsettled, 20))
    return run_id, group


def _synapses(d, rule, rng, probed, unsettled, n=50):
    sample = np.repeat(np.arange(probed - unsettled), n)
    eff = rng.normal(size=sample.size)
    x = rng.uniform(0.1, 1.0, sample.size)
    w = rng.normal(size=sample.size)
    carrier = w if rule in ("balance", "balance-exact") else rng.normal(size=sample.size)
    dw, g = LR * eff * x, eff * carrier
    lhs, rhs = dw * w, LR * x * g
    runs.write_table(d, "synapses", pd.DataFrame({
        "sample": sample, "edge": np.tile(np.arange(n), probed - unsettled), "dw": dw, "g": g,
        "x_pre": x, "w": w, "residual": (lhs - rhs) / (np.abs(lhs) + np.abs(rhs)),
        "probe_samples": probed, "unsettled_samples": unsettled}))


def _supervised_study(root, specs):
    rng = np.random.default_rng(0)
    rows = [_supervised_run(root, rng=rng, **spec) for spec in specs]
    _sweep_status(root / "rules", rows)


def _algorithm1_run(root, study, group, seed, *, lr, W, f, c, clamped=(), status="ok"):
    run_id = f"{group}__lr{lr:g}_s{seed}"
    d = runs.prepare_run_dir(root / study / "runs" / run_id)
    runs.write_config(d, {"task": {"kind": "noise", "seed": seed},
                          "graph": {"family": "all-to-all"},
                          "simulation": {"learning_rate": lr, "learning_rate_end": 0.0,
                                         "prune": 0.9, "noise_rate": 0.1}})
    n = W.shape[0]
    dst, src = np.nonzero(W)
    runs.write_snapshot(d, 0, src=src, dst=dst, weight=np.ones(src.size), bias=np.zeros(n),
                        inputs=[], outputs=[], n=n, rate=np.zeros(n), balance=np.zeros(n),
                        credit=np.zeros(n))
    runs.write_snapshot(d, 100, src=src, dst=dst, weight=W[dst, src], bias=np.zeros(n),
                        inputs=[], outputs=[], clamped=list(clamped), n=n, rate=np.zeros(n),
                        balance=f, credit=c)
    runs.write_status(d, status, reason="" if status == "ok" else "diverged")
    return run_id, group


def _random_net(rng, n=40, density=0.3):
    W = rng.normal(size=(n, n)) * (rng.uniform(size=(n, n)) < density)
    return W


# ---------------------------------------------------------------- statistics
def test_partial_spearman_is_the_correlation_of_rank_residuals_on_sample_indicators():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=90), rng.normal(size=90)
    y += 0.5 * x
    x[:5] = x[5]  # ties
    groups = np.repeat(np.arange(6), 15)
    rx, ry = sps.rankdata(x), sps.rankdata(y)
    Z = (groups[:, None] == np.arange(6)).astype(float)  # sample indicators
    ex = rx - Z @ np.linalg.lstsq(Z, rx, rcond=None)[0]
    ey = ry - Z @ np.linalg.lstsq(Z, ry, rcond=None)[0]
    want = ex @ ey / np.sqrt((ex @ ex) * (ey @ ey))
    assert pr.partial_spearman(x, y, groups) == pytest.approx(want, abs=1e-12)
    # without control: Spearman's rho
    assert pr.partial_spearman(x, y) == pytest.approx(sps.spearmanr(x, y).statistic,
                                                      abs=1e-12)
    assert np.isnan(pr.partial_spearman([1.0, 2.0], [1.0, 2.0]))
    assert np.isnan(pr.partial_spearman(np.ones(10), np.arange(10.0)))


def test_loglog_slope_is_least_squares_on_positive_points():
    rng = np.random.default_rng(2)
    f = rng.uniform(0.01, 1, 50)
    amp = 2 * f ** 1.5 * np.exp(0.1 * rng.normal(size=50))
    f[:3] = 0.0
    slope, n = pr.loglog_slope(f, amp)
    assert n == 47
    assert slope == pytest.approx(sps.linregress(np.log(f[3:]), np.log(amp[3:])).slope)


def test_across_networks_is_a_t_interval_and_one_sample_t_test():
    v = np.array([0.3, 0.1, 0.25, 0.4, -0.05])
    out = pr.across_networks(v)
    lo, hi = sps.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=sps.sem(v))
    assert (out["n"], out["n_positive"]) == (5, 4)
    assert (out["ci_low"], out["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert out["p"] == pytest.approx(sps.ttest_1samp(v, 0).pvalue)
    one = pr.across_networks([0.2])
    assert one["n"] == 1 and np.isnan(one["p"]) and np.isnan(one["ci_low"])


# ---------------------------------------------------------------- prediction 1, supervised
@pytest.fixture(scope="module")
def supervised(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    specs = [{"rule": "balance-exact", "seed": s, "beta": 2.0} for s in range(4)]
    specs += [{"rule": "fa", "seed": s, "beta": 0.0} for s in range(5)]
    specs += [{"rule": "balance", "seed": s, "beta": 0.0, "sample_confound": True}
              for s in range(3)]
    specs += [{"rule": "sign-concordant", "seed": 0, "beta": 2.0, "unsettled": 3},
              {"rule": "sign-concordant", "seed": 1, "beta": 2.0},
              {"rule": "sign-concordant", "seed": 2, "beta": 2.0, "probes": False},
              {"rule": "dfa", "seed": 0, "beta": 0.0}]
    _supervised_study(root, specs)
    return pr.prediction_tables(root)


def _row(table, rule):
    rows = table[table["rule"] == rule]
    assert len(rows) == 1
    return rows.iloc[0]


def test_tables_are_the_exported_names(supervised):
    assert tuple(supervised) == pr.PREDICTION_TABLES
    assert set(pr.ROW_KEYS) <= set(supervised["prediction1"].columns)


def test_a_planted_positive_relation_is_detected_over_networks(supervised):
    nets = supervised["prediction1_networks"]
    exact = nets[nets["rule"] == "balance-exact"]
    assert len(exact) == 4 and (exact["partial_rho"] > 0.3).all()
    row = _row(supervised["prediction1"], "balance-exact")
    assert (row["n_networks"], row["n_positive"], row["few_networks"]) == (4, 4, False)
    assert row["p"] < 0.01 and row["ci_low"] > 0
    assert row["mean_partial_rho"] == pytest.approx(exact["partial_rho"].mean())
    claim = pr.prediction_claims(supervised)[0]
    assert claim["n"] == 4 and claim["verdict"] == "holds" and claim["effect"] > 0.3


def test_an_independent_carrier_is_not_detected(supervised):
    row = _row(supervised["prediction1"], "fa")
    assert row["n_networks"] == 5 and row["p"] > 0.05
    assert abs(row["mean_partial_rho"]) < 0.1
    assert pr._verdict(row["mean_partial_rho"], row["p"], 5) == "not detected at this power"


def test_the_sample_control_removes_a_relation_carried_by_the_samples(supervised):
    nets = supervised["prediction1_networks"]
    conf = nets[nets["rule"] == "balance"]
    assert (conf["spearman_rho_pooled"] > 0.5).all()  # pooled: samples make it look real
    assert (conf["partial_rho"].abs() < 0.2).all()  # within samples: nothing


def test_unsettled_samples_keep_the_network_and_are_counted(supervised):
    nets = supervised["prediction1_networks"]
    sc = nets[nets["rule"] == "sign-concordant"].set_index("seed")
    assert sc.loc[0, "unsettled_samples"] == 3 and sc.loc[0, "settled_samples"] == 9
    assert np.isfinite(sc.loc[0, "partial_rho"])
    assert sc.loc[0, "n_points"] == 9 * 30
    # no sample settled: the run keeps a row, without a statistic
    assert sc.loc[2, "unsettled_samples"] == 12 and np.isnan(sc.loc[2, "partial_rho"])
    assert sc.loc[2, "note"] == "no sample settled"
    row = _row(supervised["prediction1"], "sign-concordant")
    assert (row["n_runs"], row["n_networks"], row["n_runs_without_statistic"]) == (3, 2, 1)
    assert row["unsettled_samples"] == 3 + 12 and row["n_networks_with_unsettled"] == 2
    assert row["few_networks"]
    p2 = _row(supervised["prediction2_networks"].query("seed == 0"), "sign-concordant")
    assert p2["unsettled_samples"] == 3 and p2["n_samples_probed"] == 12


def test_a_run_that_did_not_finish_keeps_a_row_but_no_unsettled_count(tmp_path):
    _supervised_study(tmp_path, [{"rule": "balance", "seed": 0, "beta": 1.0,
                                  "status": "failed", "probes": False}])
    t = pr.prediction_tables(tmp_path)
    row = t["prediction1_networks"].iloc[0]
    assert row["note"] == "run failed: no probes" and np.isnan(row["partial_rho"])
    assert row["n_samples_probed"] == row["unsettled_samples"] == 0
    assert t["prediction1"].iloc[0]["n_runs_without_statistic"] == 1
    assert t["prediction2_networks"].iloc[0]["unsettled_samples"] == 0


def test_dfa_has_no_retrograde_path_and_no_row(supervised):
    for name in ("prediction1_networks", "prediction2_networks"):
        assert "dfa" not in set(supervised[name]["rule"])


def test_bins_take_the_median_over_networks(supervised):
    bins = supervised["prediction1_bins"]
    b = bins[bins["rule"] == "balance-exact"].sort_values("bin")
    assert len(b) == pr.N_BINS and (b["n_networks"] == 4).all()
    assert b["n_points"].sum() == 4 * 12 * 30
    assert b["carrier_median"].iloc[-1] > b["carrier_median"].iloc[0]
    assert (b["carrier_low"] <= b["carrier_median"]).all()
    assert (b["carrier_median"] <= b["carrier_high"]).all()


# ---------------------------------------------------------------- prediction 2
def test_prediction2_per_network_and_across(supervised):
    n2 = supervised["prediction2_networks"]
    exact = n2[n2["rule"] == "balance-exact"]
    assert len(exact) == 4 and exact["holds"].all()
    assert (exact["max_abs_residual"] < 1e-12).all()
    fa = n2[n2["rule"] == "fa"]
    assert not fa["holds"].any() and (fa["carrier"] == "B (fixed random)").all()
    row = _row(supervised["prediction2"], "balance-exact")
    assert (row["n_networks"], row["n_holding"]) == (4, 4)
    assert row[f"share_holding_{pr.HOLDS_TOL:g}"] == 1.0
    assert row["worst_max_abs_residual"] == exact["max_abs_residual"].max()
    claims = pr.prediction_claims(supervised)
    assert claims[2]["verdict"] == "holds (implementation check)"
    assert claims[2]["n"] == 4 + 3  # balance-exact and balance networks
    assert claims[3]["verdict"] == "fails, as expected (credit over B)"


def test_prediction2_leaves_untested_the_synapses_below_the_floor(tmp_path):
    rng = np.random.default_rng(5)
    _supervised_study(tmp_path, [{"rule": "balance", "seed": 0, "beta": 0.0}])
    d = tmp_path / "rules" / "runs" / "digits_recurrent__balance__lr0.02_s0_rbalance"
    s = pd.read_parquet(d / "synapses.parquet")
    tiny = s["sample"] == 0
    s.loc[tiny, ["dw", "g"]] *= 1e-14  # both sides far below the sample's largest signal
    s.loc[tiny & (s["edge"] < 5), "g"] = 1.0  # ... except a few, which set the scale
    s.loc[tiny, "residual"] = rng.uniform(0.5, 1.0, int(tiny.sum()))
    s.loc[tiny & (s["edge"] < 5), "residual"] = 0.0
    runs.write_table(d, "synapses", s)
    row = pr.prediction_tables(tmp_path)["prediction2_networks"].iloc[0]
    assert row["n_synapse_samples"] == len(s) and row["n_tested"] == len(s) - 45
    assert row["max_abs_residual"] < 1e-12 and row["max_abs_residual_untested"] >= 0.5
    assert row["holds"]


# ---------------------------------------------------------------- Algorithm 1
@pytest.fixture(scope="module")
def algorithm1(tmp_path_factory):
    root = tmp_path_factory.mktemp("a1")
    rng = np.random.default_rng(3)
    rows, nets = [], {}
    for seed in range(4):
        W = _random_net(rng)
        W[7, :] = 0.0  # a neuron without incoming synapse
        carrier_sum = np.abs(W).sum(axis=1)
        f = rng.uniform(0.0, 1.0, W.shape[0])
        want = np.exp(2 * f + 0.2 * rng.normal(size=f.size))  # |c| sum|w| rises with f
        c = want / np.where(carrier_sum > 0, carrier_sum, 1) * rng.choice([-1, 1], f.size)
        rows.append(_algorithm1_run(root, "phase", "reference", seed, lr=0.1, W=W, f=f,
                                    c=c, clamped=[0, 1, 2]))
        nets[rows[-1][0]] = (W, f, c)
    W = _random_net(rng)
    rows.append(_algorithm1_run(root, "phase", "reference", 9, lr=10.0, W=W,
                                f=rng.uniform(size=40), c=rng.normal(size=40),
                                status="unstable"))
    _sweep_status(root / "phase", rows)
    return pr.prediction_tables(root), nets


def test_algorithm1_final_snapshot_free_neurons_with_inputs(algorithm1):
    tables, nets = algorithm1
    a1 = tables["prediction1_networks"].set_index("run_id")
    for run_id, (W, f, c) in nets.items():
        keep = np.ones(W.shape[0], bool)
        keep[[0, 1, 2, 7]] = False  # credit-clamped, and no incoming synapse
        keep &= (W != 0).any(axis=1)
        carrier = np.abs(c[keep]) * np.abs(W[keep]).sum(axis=1)
        row = a1.loc[run_id]
        assert row["n_points"] == keep.sum() and row["n_samples_probed"] == 1
        assert row["partial_rho"] == pytest.approx(sps.spearmanr(carrier, f[keep]).statistic)
        assert row["control"] == "none (one state)" and row["source"] == "algorithm1"


def test_algorithm1_rows_per_learning_rate_and_unstable_runs_left_out(algorithm1):
    tables, _ = algorithm1
    summ = tables["prediction1"].set_index("learning_rate")
    assert summ.loc[0.1, "n_networks"] == 4 and summ.loc[0.1, "p"] < 0.01
    assert summ.loc[0.1, "condition"] == "r=0.1" and summ.loc[0.1, "study"] == "phase"
    assert summ.loc[10.0, "n_networks"] == 0 and summ.loc[10.0, "n_runs"] == 1
    assert summ.loc[10.0, "few_networks"]
    nets = tables["prediction1_networks"]
    assert nets.loc[nets["status"] == "unstable", "note"].iloc[0] == "run unstable: left out"
    claim = pr.prediction_claims(tables)[1]
    assert claim["n"] == 4 and claim["verdict"] == "holds"
    assert tables["prediction2_networks"].empty  # no update stored on Algorithm-1 networks


# ---------------------------------------------------------------- report pieces
def test_sections_state_networks_per_row_and_unsettled(supervised, tmp_path):
    s1, s2 = pr.prediction_sections(supervised, Context(tmp_path))
    text1 = " ".join(i.text for i in s1.items if i.kind == "text")
    assert "Networks per row: 2 to 5" in text1
    assert "15 of" in text1 and "did not settle" in text1
    assert "fewer than 3 networks" in text1 and "sign-concordant on digits/recurrent" in text1
    assert "not detected at this power" in text1 and "not significant" not in text1
    assert "no sample settled (1)" in text1
    assert [i.kind for i in s1.items].count("table") == 1
    text2 = " ".join(i.text for i in s2.items if i.kind == "text")
    assert "holds to 1e-06 in 7 of 7 networks" in text2 and "algebraic identity" in text2


def test_sections_and_claims_without_tables(tmp_path):
    s1, s2 = pr.prediction_sections({}, Context(tmp_path))
    assert any("empty" in i.text for i in s1.items if i.kind == "text")
    claims = pr.prediction_claims({})
    assert len(claims) == 4
    assert all(tuple(c) == pr.CLAIM_KEYS for c in claims)
    assert {c["verdict"] for c in claims} == {"no data"}


def test_claim_ci_is_text(supervised):
    c = pr.prediction_claims(supervised)[0]
    lo, hi = (float(v) for v in c["ci"].strip("[]").split(","))
    assert lo < c["effect"] < hi
