"""The teacher task (``data.name = "teacher"``): a fixed random linear map labels each
sample with the output it drives most, so a circuit whose inputs and outputs are given
(a connectome's sensory and motor neurons) can be trained on a supervised task.

The labels are checked against the documented draws (teacher first, then samples, from
``numpy.random.default_rng(seed)``) and, independently of that order, by recovering the
teacher from the data with a linear classifier; the configuration keys that size the
task are checked for the errors they give; a connectome trains on it from the CLI.
"""

import logging

import numpy as np
import pandas as pd
import pytest

from wiring import runs
from wiring.config import TrainConfig, apply_overrides
from wiring.data import DATASETS, load_dataset, load_teacher
from wiring.errors import ConfigError, DataError
from wiring.experiments.cli import main
from wiring.experiments.jobs import build_dataset, run_train, validate

WORM = ["data.name=teacher", "graph.family=connectome", "graph.name=witvliet2021-1",
        "graph.inputs=class=sensory", "graph.outputs=class=motor"]


def _teacher(seed, n_features, n_classes, n_samples):
    """The documented draws: T (n_features x n_classes, N(0, 1/n_features)), then X."""
    rng = np.random.default_rng(seed)
    T = rng.standard_normal((n_features, n_classes)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples, n_features))
    return T, X


def _rows(X):
    return sorted(map(bytes, np.ascontiguousarray(X)))


# --------------------------------------------------------------------------- the data


def test_labels_are_the_argmax_of_the_documented_teacher():
    ds = load_teacher(n_features=7, n_classes=4, n_samples=300, test_fraction=0.2, seed=3)
    T, X = _teacher(3, 7, 4, 300)
    # the two splits are exactly the drawn samples, not standardised or rescaled
    assert _rows(np.vstack([ds.X_train, ds.X_test])) == _rows(X)
    for part in ("train", "test"):
        Xp, labels = getattr(ds, f"X_{part}"), getattr(ds, f"labels_{part}")
        drive = Xp @ T
        np.testing.assert_array_equal(labels, np.argmax(drive, axis=1))
        # the label's output is driven strictly most (no ties to break)
        top2 = np.sort(drive, axis=1)[:, -2:]
        assert np.all(top2[:, 1] > top2[:, 0])
        np.testing.assert_array_equal(getattr(ds, f"Y_{part}").argmax(axis=1), labels)
    assert (ds.n_train, ds.n_test, ds.n_features, ds.n_classes) == (240, 60, 7, 4)
    assert ds.name == "teacher" and ds.X_train.dtype == np.float64


def test_a_linear_classifier_recovers_the_teachers_decision_boundaries():
    """Independent of the draw order: the boundary between classes i and j is
    (T_i - T_j) . x = 0, which a multinomial logistic regression fitted to the data finds
    (up to the scale argmax ignores)."""
    from sklearn.linear_model import LogisticRegression

    ds = load_teacher(n_features=5, n_classes=4, n_samples=4000, seed=11)
    clf = LogisticRegression(C=1e4, fit_intercept=False, max_iter=5000)
    clf.fit(ds.X_train, ds.labels_train)
    assert clf.score(ds.X_test, ds.labels_test) > 0.97
    T, _ = _teacher(11, 5, 4, 4000)
    W = clf.coef_  # (n_classes, n_features)
    for i in range(4):
        for j in range(i + 1, 4):
            a, b = W[i] - W[j], T[:, i] - T[:, j]
            assert a @ b / (np.linalg.norm(a) * np.linalg.norm(b)) > 0.97, (i, j)
    # and labels that were not made this way are not recovered
    shuffled = np.random.default_rng(0).permutation(ds.labels_train)
    assert LogisticRegression(max_iter=2000).fit(ds.X_train, shuffled).score(
        ds.X_test, ds.labels_test) < 0.5


def test_a_seed_gives_the_same_task_and_another_seed_another():
    a = load_teacher(n_features=6, n_classes=3, n_samples=200, seed=5)
    b = load_dataset("teacher", n_features=6, n_classes=3, n_samples=200, seed=5)
    for key in ("X_train", "X_test", "labels_train", "labels_test", "Y_test"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
    c = load_teacher(n_features=6, n_classes=3, n_samples=200, seed=6)
    assert not np.array_equal(a.X_train, c.X_train)
    g1 = load_teacher(n_features=6, n_classes=3, n_samples=200,
                      seed=np.random.default_rng(1))
    g2 = load_teacher(n_features=6, n_classes=3, n_samples=200,
                      seed=np.random.default_rng(1))
    np.testing.assert_array_equal(g1.X_train, g2.X_train)
    assert "teacher" in DATASETS


def test_the_split_is_stratified_by_class():
    ds = load_teacher(n_features=10, n_classes=5, n_samples=1000, test_fraction=0.25, seed=0)
    train = np.bincount(ds.labels_train, minlength=5)
    test = np.bincount(ds.labels_test, minlength=5)
    assert np.all(np.abs(test - 0.25 * (train + test)) <= 1)


def test_classes_without_samples_keep_their_output_and_are_named(caplog):
    # one feature: only the classes with the largest and smallest teacher entry can win
    with caplog.at_level(logging.WARNING, logger="wiring.data"):
        ds = load_teacher(n_features=1, n_classes=4, n_samples=200, seed=0)
    present = np.unique(np.concatenate([ds.labels_train, ds.labels_test]))
    assert present.size == 2
    assert ds.n_classes == 4 and ds.Y_train.shape == (ds.n_train, 4)
    assert "2 of `n_classes` = 4 classes got no sample" in caplog.text
    empty = sorted(set(range(4)) - set(present.tolist()))
    assert f"({empty[0]}, {empty[1]})" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="wiring.data"):
        load_teacher(n_features=20, n_classes=3, n_samples=300, seed=0)
    assert "no sample" not in caplog.text


@pytest.mark.parametrize("kwargs, match", [
    ({"n_features": 0}, r"`n_features` must be a positive integer, got 0"),
    ({"n_classes": 1}, r"`n_classes` must be an integer >= 2, got 1"),
    ({"n_classes": 2.5}, r"`n_classes`"),
    ({"n_samples": 1}, r"`n_samples` must be an integer >= 2, got 1"),
    ({"n_samples": 3, "test_fraction": 0.9}, r"`test_fraction` = 0.9 splits 3 samples"),
    ({"test_fraction": 1.0}, r"`test_fraction` must be a number in \(0, 1\)"),
    ({"seed": -1}, r"`seed` must be in \[0, 2\*\*32\)"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(DataError, match=match):
        load_teacher(**kwargs)


# --------------------------------------------------------------------------- configuration


def test_a_built_family_takes_the_sizes_from_the_config_and_trains(tmp_path):
    cfg = apply_overrides(TrainConfig(), [
        "data.name=teacher", "data.n_features=6", "data.n_classes=3", "data.n_samples=60",
        "graph.hidden=8", "train.epochs=1"])
    ds = build_dataset(cfg)
    assert (ds.n_features, ds.n_classes, ds.n_train + ds.n_test) == (6, 3, 60)
    ref = load_teacher(n_features=6, n_classes=3, n_samples=60, test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(ds.X_test, ref.X_test)  # task.seed seeds the teacher
    run = run_train(cfg, tmp_path / "run")
    assert runs.read_status(run)["status"] == "ok"
    assert runs.read_config(run)["data"]["n_features"] == 6


@pytest.mark.parametrize("overrides, match", [
    (["data.name=teacher"], r"'data\.n_features' = 0 means \"from the graph\", but "
                            r"graph\.family = 'recurrent'"),
    (["data.name=teacher", "data.n_features=5"], r"'data\.n_classes' = 0 means"),
    (["data.name=teacher", "data.n_features=5", "data.n_classes=1"],
     r"'data\.n_classes' = 1: the teacher task needs at least 2 classes"),
    (["data.name=teacher", "data.n_features=-1"], r"data\.n_features"),
    (["data.n_features=5"], r"'data\.n_features' = 5 sizes the teacher task .* data\.name "
                            r"= 'digits' has its own"),
    (["data.n_classes=3", "data.name=mnist1d"], r"'data\.n_classes' = 3 sizes the teacher"),
    (["data.name=teachers"], r"data\.name 'teachers'; choose one of digits, mnist1d, teacher"),
])
def test_config_errors_name_the_key(overrides, match):
    cfg = apply_overrides(TrainConfig(), overrides)
    with pytest.raises(ConfigError, match=match):
        validate(cfg)


def test_a_read_graph_must_pick_the_neurons_it_gives_the_teacher(tmp_path):
    # a connectome with no outputs chosen: n_classes = 0 has nothing to count
    cfg = apply_overrides(TrainConfig(), [*WORM[:-1], "data.n_samples=100"])
    validate(cfg)  # what the connectome holds is only known once it is read
    with pytest.raises(ConfigError, match=r"'data\.n_classes' = 0 takes the teacher's "
                                          r"classes from the graph's output neurons, but "
                                          r"'graph\.outputs' = '' picks 0"):
        build_dataset(cfg)
    # sizes given for a read graph must fit it
    cfg = apply_overrides(TrainConfig(), [*WORM, "data.n_classes=3", "data.n_samples=100",
                                          "train.epochs=0"])
    with pytest.raises(ConfigError, match=r"61 input and 32 output neurons; the data set "
                                          r"needs 61 inputs \(features\) and 3 outputs"):
        run_train(cfg, tmp_path / "run")
    assert runs.read_status(tmp_path / "run")["status"] == "failed"


# --------------------------------------------------------------------------- a connectome


def test_a_connectome_trains_sensory_to_motor_from_the_cli(tmp_path):
    run = tmp_path / "worm"
    argv = ["train", "--out", str(run), "-q", "--set", "task.kind=supervised"]
    for item in [*WORM, "data.n_samples=200", "train.rule=balance-exact",
                 "train.learning_rate=0.003", "train.epochs=3"]:
        argv += ["--set", item]
    assert main(argv) == 0
    assert runs.read_status(run)["status"] == "ok"
    data = runs.read_config(run)["data"]
    # config.toml records the sizes taken from the graph: 61 sensory, 32 motor neurons
    assert (data["name"], data["n_features"], data["n_classes"]) == ("teacher", 61, 32)
    metrics = runs.read_metrics(run)
    assert metrics["epoch"].tolist() == [0, 1, 2, 3]
    assert {"nonconverged", "test_nonconverged", "test_accuracy", "test_accuracy_all",
            "test_samples"} <= set(metrics.columns)
    last = metrics.iloc[-1]
    assert last["test_samples"] == 50 and 0 <= last["test_nonconverged"] <= 50
    assert 0 <= last["nonconverged"] <= 150
    assert 0.0 <= last["test_accuracy_all"] <= last["test_accuracy"] <= 1.0
    assert (metrics["rule"] == "balance-exact").all() and (metrics["data"] == "teacher").all()
    nodes = pd.read_csv(run / "nodes.csv")
    snap = runs.load_snapshot(runs.list_snapshots(run)[0])
    assert set(nodes["class"].iloc[snap.outputs]) == {"motor"}
    assert set(nodes["class"].iloc[snap.inputs]) == {"sensory"}
    assert (snap.inputs.size, snap.outputs.size) == (61, 32)
