"""Run directories -> tidy tables -> regimes, report and Gephi files, end to end."""

import numpy as np
import pandas as pd
import pytest

from community.export_run import export_sweep
from community.regimes import CHANGE_MIN, classify
from community.tables import AnalysisSettings, analyse_sweep, prune_to_density, read_tables
from wiring.errors import WiringError
from wiring.runs import prepare_run_dir, write_config, write_snapshot, write_status


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    from wiring.experiments.sweep import run_sweep

    root = tmp_path_factory.mktemp("sw")
    cfg = root / "tiny.toml"
    cfg.write_text("""
[sweep]
name = "tiny"
learning_rates = [0.0001, 0.05]
seeds = [0, 1]
workers = 1
[task]
kind = "noise"
[graph]
family = "all-to-all"
n = 30
self_loops = true
[simulation]
iterations = 600
snapshots = 3
prune = 0.5
""")
    out = root / "out"
    run_sweep(cfg, out, workers=1)
    # a broken run next to the good ones: NaN weights in its only snapshot
    bad = prepare_run_dir(out / "runs" / "broken")
    write_config(bad, {"task": {"kind": "noise", "seed": 0},
                       "simulation": {"learning_rate": 0.05, "prune": 0.5,
                                      "pruning": "regrow"}})
    np.savez_compressed(bad / "snapshots" / "step_0.npz", src=np.array([0]), dst=np.array([1]),
                        weight=np.array([np.nan]), bias=np.zeros(2), inputs=np.zeros(0, int),
                        outputs=np.zeros(0, int), clamped=np.zeros(0, int), n=np.int64(2),
                        step=np.int64(0))
    write_status(bad, "ok")
    tables = analyse_sweep(out, settings=AnalysisSettings(n_null=2))
    return out, tables


def test_tables_are_tidy_and_complete(sweep):
    out, t = sweep
    snaps = t["snapshots"]
    assert len(snaps) == 2 * 2 * 4  # lrs x seeds x snapshots (0, 200, 400, 600)
    for col in ("run_id", "learning_rate", "seed", "step", "weight_mode", "quality",
                "modularity", "within_excess", "offdiag_index", "weight_change", "q_z_shuffle",
                "bd_z_init_pruned", "hub_p_rewire", "block_disassortativity", "sbm_blocks",
                "saturated_fraction", "ari_seeds", "ari_final", "pruned_initial"):
        assert col in snaps.columns, col
    assert (snaps["weight_mode"] == "abs").all()
    final = snaps[snaps["is_final"]]
    assert final["q_p_shuffle"].notna().all() and (final["n_null"] == 2).all()
    assert snaps[~snaps["is_final"]]["q_z_shuffle"].isna().all()
    # the runs record their neurons' balance values: the saturated fraction is measured
    assert final["saturated_fraction"].between(0, 1).all()
    # the first point of a run that prunes is the initial weights pruned, not the dense start
    first = snaps[snaps["step"] == 0]
    assert first["pruned_initial"].all() and (first["density"] <= 0.5 + 1e-9).all()
    assert set(t["runs"]["run_status"]) == {"ok"} and len(t["runs"]) == 5
    assert np.allclose(final["ari_final"], 1.0)
    # Louvain cross-check: found, and never better than Leiden by more than noise
    assert final["louvain_ari"].notna().all()
    assert (final["louvain_modularity"] <= final["modularity"] + 0.02).all()
    # the per-neuron table has one row per neuron and snapshot, communities numbered 0..K-1
    neurons = t["neurons"]
    assert len(neurons) == 16 * 30
    assert set(neurons["role"]) <= {"ultra-peripheral", "peripheral", "non-hub connector",
                                    "non-hub kinless", "provincial hub", "connector hub",
                                    "kinless hub"}
    # written to disk as Parquet and CSV, and read back equal
    back = read_tables(out / "analysis")
    pd.testing.assert_frame_equal(back["snapshots"], snaps, check_dtype=False)
    assert (out / "analysis" / "snapshots.csv").is_file()


def test_broken_run_is_skipped_with_its_reason(sweep):
    _, t = sweep
    sk = t["skipped"]
    row = sk[(sk["run_id"] == "broken") & (sk["stage"] == "snapshot")]
    assert len(row) == 1
    assert "step_0.npz" in row["reason"].iloc[0] and "weight" in row["reason"].iloc[0]
    assert "broken" not in set(t["snapshots"]["run_id"])


def test_slow_learning_rate_is_unchanged_and_weight_change_ignores_pruning(sweep):
    _, t = sweep
    reg = t["regimes"].set_index("learning_rate")
    assert reg.loc[0.0001, "regime"] == "unchanged"
    assert reg.loc[0.05, "regime"] != "unchanged"
    slow = t["snapshots"].query("learning_rate == 0.0001 and is_final")
    assert (slow["weight_change"] < CHANGE_MIN).all()  # pruning alone does not count


def test_prune_to_density_keeps_largest():
    W = np.array([[0.1, -5.0, 0.0], [2.0, 0.3, -0.2], [0.0, 0.0, 4.0]])
    P = prune_to_density(W, 3)
    assert np.count_nonzero(P) == 3 and set(P[P != 0]) == {-5.0, 2.0, 4.0}


def test_export_writes_stable_ids_and_skips_pruned(sweep):
    import networkx as nx

    out, _ = sweep
    files = export_sweep(out, snapshots="all")
    run = sorted(p for p in files if "lr0.05_s0" in str(p) and p.name.startswith("step_"))
    assert len(run) == 4
    g0, g1 = nx.read_gexf(run[0]), nx.read_gexf(run[-1])
    assert g0.number_of_edges() == 900 and g1.number_of_edges() == 450  # pruned left out
    ids0 = {d["id"] for *_, d in g0.edges(data=True)}
    ids1 = {d["id"] for *_, d in g1.edges(data=True)}
    assert ids1 <= ids0  # the same synapse keeps its id
    node = next(iter(g1.nodes(data=True)))[1]
    assert isinstance(node["community"], int) and isinstance(node["clamped"], bool)


def test_missing_sweep_directory_is_a_clear_error(tmp_path):
    with pytest.raises(WiringError, match="no run directory or sweep"):
        analyse_sweep(tmp_path / "nope")


def test_empty_graph_after_threshold_is_skipped(tmp_path):
    run = prepare_run_dir(tmp_path / "run")
    write_config(run, {"task": {"kind": "noise", "seed": 0}, "simulation": {}})
    write_snapshot(run, 0, src=[0, 1], dst=[1, 0], weight=[0.1, 0.2], bias=[0.0, 0.0],
                   inputs=[], outputs=[], n=2)
    write_status(run, "ok")
    t = analyse_sweep(run, settings=AnalysisSettings(threshold=1.0, n_null=0), write=False)
    assert t["snapshots"].empty
    assert any("no edges" in r for r in t["skipped"]["reason"])


def test_seed_agreement_and_regimes_never_pool_different_rules():
    from community.tables import _seed_agreement

    rows, neurons = [], []
    memb = {("b", 0): [0, 0, 1, 1], ("b", 1): [0, 0, 1, 1],   # balance: seeds agree
            ("f", 0): [0, 1, 0, 1], ("f", 1): [0, 0, 1, 1]}   # fa: seeds disagree
    for (rule, seed), m in memb.items():
        rid = f"{rule}{seed}"
        rows.append({"run_id": rid, "group": "g", "rule": rule, "prune": 0.0,
                     "graph_family": "x", "learning_rate": 0.1, "step": 5,
                     "step_fraction": 1.0, "is_final": True, "run_status": "ok",
                     "weight_change": 1.0, "modularity": 0.3, "within_excess": 2.0,
                     "offdiag_index": 0.5, "q_z_shuffle": 5.0})
        neurons.append(pd.DataFrame({"run_id": rid, "step": 5, "neuron": range(4),
                                     "community": m}))
    snaps = _seed_agreement(pd.DataFrame(rows), pd.concat(neurons))
    by = snaps.set_index("run_id")["ari_seeds"]
    assert by["b0"] == 1.0 and by["b1"] == 1.0 and by["f0"] < 1.0
    reg = classify(snaps)
    assert len(reg) == 2 and set(reg["rule"]) == {"b", "f"} and (reg["n_runs"] == 2).all()
