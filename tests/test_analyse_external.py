"""`wiring analyse`: weights trained elsewhere -> a sweep directory -> tables, regimes,
report and Gephi files (wiring.experiments.external)."""

import hashlib
import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from wiring import runs
from wiring.errors import ConfigError, GraphFileError, WiringError
from wiring.experiments.cli import main
from wiring.experiments.external import convert, parse_name

N, K = 60, 3
PLANTED = np.repeat(np.arange(K), N // K)


def planted(seed, n=N, k=K):
    """Positive weights on a planted SBM: dense inside the blocks, sparse across."""
    rng = np.random.default_rng(seed)
    b = np.repeat(np.arange(k), n // k)
    P = np.where(b[:, None] == b[None, :], 0.5, 0.04)
    W = rng.lognormal(size=(n, n)) * (rng.random((n, n)) < P)
    np.fill_diagonal(W, 0.0)
    return W


def analyse(*args):
    return main(["analyse", *map(str, args), "--workers", "1", "-q"])


def test_a_folder_of_npz_files_gives_the_report_gephi_files_and_the_planted_blocks(tmp_path):
    folder = tmp_path / "weights"
    folder.mkdir()
    for k, lr in enumerate((0.01, 0.1, 1.0)):
        for seed in (0, 1):
            np.savez(folder / f"lr{lr}_s{seed}.npz", W=planted(10 * k + seed))
    out = tmp_path / "out"
    assert analyse(folder, "--out", out, "--n-null", "0") == 0
    assert (out / "report" / "report.md").is_file() and (out / "report" / "report.html").is_file()
    assert len(list((out / "gephi").rglob("*.gexf"))) >= 3
    tables = {name: pd.read_parquet(out / "analysis" / f"{name}.parquet")
              for name in ("runs", "neurons", "regimes")}
    assert sorted(tables["runs"]["learning_rate"].unique()) == [0.01, 0.1, 1.0]
    assert sorted(tables["runs"]["seed"].unique()) == [0, 1]
    assert len(tables["regimes"]) == 3
    final = tables["neurons"][tables["neurons"]["is_final"]]
    assert final["run_id"].nunique() == 6
    for run_id, g in final.groupby("run_id"):
        blocks = g.sort_values("neuron")["block"].to_numpy()
        assert adjusted_rand_score(PLANTED, blocks) >= 0.9, run_id
    # provenance: every source file and its SHA-256
    prov = json.loads((out / "provenance.json").read_text())
    recorded = {s["name"]: s["sha256"] for s in prov["extra"]["sources"]}
    assert recorded == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in folder.glob("*.npz")}
    cfg = runs.read_config(out / "runs" / "external__lr0.1_s1")
    assert cfg["external"]["sha256"] == [recorded["lr0.1_s1.npz"]]
    assert cfg["task"]["initial_snapshot"] is False


def test_a_csv_edge_list_and_a_graphml_file_go_through(tmp_path):
    csv = tmp_path / "worm_lr0.5.csv"
    csv.write_text("src,dst,weight\nAVAL,AVAR,2\nAVAR,AVAL,1.5\nAVAL,PVC,0.3\nPVC,AVAR,1\n"
                   "PVC,AVAL,0.2\n")
    G = nx.DiGraph()
    W = planted(3, n=24, k=2)
    for i, j in zip(*np.nonzero(W), strict=True):
        G.add_edge(f"n{j}", f"n{i}", weight=float(W[i, j]))
    nx.write_graphml(G, tmp_path / "ring_s2.graphml")
    out = tmp_path / "out"
    assert analyse(csv, tmp_path / "ring_s2.graphml", "--out", out, "--n-null", "0") == 0
    status = pd.read_parquet(out / "sweep_status.parquet").set_index("run_id")
    assert set(status.index) == {"worm__lr0.5_s0", "ring__s2"}
    worm = runs.open_run(out / "runs" / "worm__lr0.5_s0")
    snap = worm.snapshot()
    assert snap.n == 3 and snap.dense()[1, 0] == 2.0           # AVAL -> AVAR: W[AVAR, AVAL]
    assert pd.read_csv(worm.path / "nodes.csv")["name"].tolist() == ["AVAL", "AVAR", "PVC"]
    ring = runs.open_run(out / "runs" / "ring__s2").snapshot()
    names = pd.read_csv(out / "runs" / "ring__s2" / "nodes.csv")["name"].tolist()
    order = [names.index(f"n{i}") for i in range(24)]
    np.testing.assert_array_equal(ring.dense()[np.ix_(order, order)], W)
    assert (out / "report" / "report.md").is_file()
    assert len(list((out / "gephi").rglob("*.gexf"))) >= 2


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.csv", "src,dst,weight\n0,1,0.5\n1,2,oops\n", "line 3: weight 'oops'"),
    ("bad.csv", "from,to\n0,1\n", "no src,dst"),
    ("dup.csv", "src,dst\n0,1\n0,1\n", "edge 0 -> 1 appears more than once"),
    ("bad.npz", b"not a zip archive", "not a readable .npz archive"),
    ("rect.npz", {"W": np.ones((3, 4))}, "cannot tell which array"),
    ("nan.npz", {"W": np.array([[0.0, np.nan], [1.0, 0.0]])}, "non-finite"),
    ("two.npz", {"A": np.eye(3), "B": np.eye(3)}, "cannot tell which array"),
    ("bad.graphml", "<graphml><graph", "GraphML"),
    ("notes.txt", "hello", "unsupported file type"),
])
def test_a_bad_file_is_an_error_naming_the_file(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if isinstance(content, dict):
        np.savez(path, **content)
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    good = tmp_path / "good_s0.npz"
    np.savez(good, W=np.eye(3))
    assert analyse(good, path, "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err, err
    assert not (tmp_path / "out").exists()  # nothing written before every file was read


def test_labels_toml_overrides_the_file_names(tmp_path):
    (tmp_path / "in").mkdir()
    np.savez(tmp_path / "in" / "lr0.1_s3_step200.npz", W=planted(0, n=9))
    np.savez(tmp_path / "in" / "other.npz", W=planted(1, n=9))
    (tmp_path / "in" / "labels.toml").write_text(
        '["lr0.1_s3_step200.npz"]\nlearning_rate = 0.25\ngroup = "rnn"\n'
        '["other.npz"]\nlearning_rate = 0.25\nseed = 3\nstep = 0\ngroup = "rnn"\n')
    out = convert(tmp_path / "in", tmp_path / "out")
    (run,) = [p.name for p in (out / "runs").iterdir()]
    assert run == "rnn__lr0.25_s3"  # learning rate and group from the TOML, seed from the name
    view = runs.open_run(out / "runs" / run)
    assert view.steps == [0, 200] and view.config["task"]["initial_snapshot"] is True
    assert view.config["train"]["learning_rate"] == 0.25
    # an explicit --labels file wins over the folder's; a key naming no input is an error
    other = tmp_path / "mine.toml"
    other.write_text('["missing.npz"]\nseed = 1\n')
    with pytest.raises(ConfigError, match=r"mine.toml: \['missing.npz'\] names no input"):
        convert(tmp_path / "in", tmp_path / "out2", labels=other)
    other.write_text('["other.npz"]\nseed = -1\n')
    with pytest.raises(ConfigError, match="`seed` must be an integer >= 0"):
        convert(tmp_path / "in", tmp_path / "out2", labels=other)


def test_file_names_give_learning_rate_seed_step_and_group():
    assert parse_name("lr0.1_s3_step2000.npz") == {"learning_rate": 0.1, "seed": 3,
                                                   "step": 2000}
    assert parse_name("rnn_lr1e-3_seed2.csv") == {"learning_rate": 0.001, "seed": 2,
                                                  "group": "rnn"}
    assert parse_name("connectome.graphml") == {"group": "connectome"}
    with pytest.raises(ConfigError, match="twice"):
        parse_name("s1_s2.npz")


def test_every_npz_layout_converts(tmp_path):
    W0, W = planted(0, n=12, k=2), planted(1, n=12, k=2)
    d = tmp_path / "in"
    d.mkdir()
    np.savez(d / "seq_s0.npz", snapshots=np.stack([W0, W]), steps=np.array([0, 50]))
    np.savez(d / "named_s1.npz", W0=W0, W=W, step=50, bias=np.ones(12))
    np.savez(d / "named_s5_step50.npz", W0=W0, W=W)  # the name's step is the trained W's
    np.savez(d / "stepped_s2.npz", step_0=W0, step_50=W)
    dst, src = np.nonzero(W)
    np.savez(d / "edges_s3_step50.npz", src=src, dst=dst, weight=W[dst, src], n=12)
    sp.save_npz(d / "sparse_s4_step50.npz", sp.csr_matrix(W))
    out = convert(d, tmp_path / "out")
    for run, steps in (("seq__s0", [0, 50]), ("named__s1", [0, 50]), ("stepped__s2", [0, 50]),
                       ("edges__s3", [50]), ("sparse__s4", [50]), ("named__s5", [0, 50])):
        view = runs.open_run(out / "runs" / run)
        assert view.steps == steps, run
        np.testing.assert_array_equal(view.snapshot(50).dense(), W)
        if steps[0] == 0:
            np.testing.assert_array_equal(view.snapshot(0).dense(), W0)
    assert runs.open_run(out / "runs" / "named__s1").snapshot().bias.tolist() == [1.0] * 12
    # two unlabelled files of one run collide at step 1: say so
    np.savez(d / "x_s9.npz", W=W)
    np.savez(d / "x_s9_copy.npz", W=W)
    (d / "labels.toml").write_text('["x_s9_copy.npz"]\ngroup = "x"\n')
    with pytest.raises(WiringError, match="two snapshots of group 'x'.* at step 1"):
        convert(d, tmp_path / "out3")
    assert not (tmp_path / "out3").exists()  # checked before anything is written
    with pytest.raises(WiringError, match="is not empty; pass --overwrite"):
        convert(d / "seq_s0.npz", out)
    assert convert(d / "seq_s0.npz", out, overwrite=True) == out
    with pytest.raises(GraphFileError, match="no such file"):
        convert(d / "nope.npz", tmp_path / "out4")


def test_without_initial_weights_the_regime_says_there_is_no_init_pruned_null(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    W0 = np.random.default_rng(5).normal(size=(30, 30)) * 0.1
    W = planted(2, n=30, k=2)
    np.savez(d / "trained_s0.npz", W=W)                 # no initial weights
    np.savez(d / "withinit_s0.npz", W0=W0, W=W0 + W)    # initial weights at step 0
    out = tmp_path / "out"
    assert analyse(d, "--out", out, "--n-null", "20", "--nulls", "init-pruned") == 0
    snaps = pd.read_parquet(out / "analysis" / "snapshots.parquet").set_index("run_id")
    final = snaps[snaps["is_final"]]
    assert np.isnan(final.loc["trained__s0", ["q_z_init_pruned", "weight_change",
                                              "weight_growth"]].astype(float)).all()
    assert np.isfinite(final.loc["withinit__s0", ["q_p_init_pruned", "weight_change"]]
                       .astype(float)).all()
    regimes = pd.read_parquet(out / "analysis" / "regimes.parquet").set_index("group")
    assert regimes.loc["trained", "regime"] == "changed"
    assert "no init-pruned null" in regimes.loc["trained", "evidence"]
    assert "no init-pruned null" not in regimes.loc["withinit", "evidence"]
    assert "no init-pruned null" in (out / "report" / "report.md").read_text()


def test_named_nodes_and_their_attributes_reach_the_nodes_file(tmp_path):
    G = nx.DiGraph()
    G.add_node("A&B", kind="sensory", size=1.5)
    G.add_node('<say "hi">', kind="motor", size=2.0)
    G.add_node("C", kind="inter", size=0.5)
    G.add_weighted_edges_from([("A&B", "C", 1.0), ("C", '<say "hi">', -0.5)])
    nx.write_graphml(G, tmp_path / "worm_s0.graphml")
    out = convert(tmp_path / "worm_s0.graphml", tmp_path / "out")
    run = runs.open_run(out / "runs" / "worm__s0")
    nodes = run.nodes()
    assert nodes["name"].tolist() == ["A&B", '<say "hi">', "C"]
    assert nodes["kind"].tolist() == ["sensory", "motor", "inter"]
    assert nodes["size"].tolist() == [1.5, 2.0, 0.5]
    assert run.snapshot().dense()[2, 0] == 1.0                 # A&B -> C: W[C, A&B]


def test_named_files_of_one_run_are_numbered_by_name(tmp_path):
    """Each CSV numbers its names in order of first appearance: the second file's order
    differs, and its neurons are renumbered to the first file's."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "w_step0.csv").write_text("src,dst,weight\nA,B,1\nB,C,2\nC,A,3\n")
    (tmp_path / "in" / "w_step10.csv").write_text("src,dst,weight\nC,B,5\nB,A,6\nA,C,7\n")
    out = convert(tmp_path / "in", tmp_path / "out")
    run = runs.open_run(out / "runs" / "w__s0")
    assert run.nodes()["name"].tolist() == ["A", "B", "C"]
    a, b, c = 0, 1, 2
    W0, W10 = run.snapshot(0).dense(), run.snapshot(10).dense()
    assert (W0[b, a], W0[c, b], W0[a, c]) == (1.0, 2.0, 3.0)
    assert (W10[b, c], W10[a, b], W10[c, a]) == (5.0, 6.0, 7.0)
    (tmp_path / "in" / "w_step10.csv").write_text("src,dst,weight\nA,B,1\nB,D,2\n")
    with pytest.raises(WiringError, match="must name the same neurons: .*w_step10.csv"):
        convert(tmp_path / "in", tmp_path / "out2")
