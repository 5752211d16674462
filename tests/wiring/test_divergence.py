"""One divergence test for the engine (wiring.divergence): fit, simulate, the CLI, sweeps."""

import json

import numpy as np
import pandas as pd
import pytest

from wiring import Network, fit, simulate
from wiring.divergence import BLOWUP_FACTOR, WORSE_FACTOR, blew_up, loss_blowup
from wiring.errors import TrainingDiverged
from wiring.experiments.cli import main
from wiring.experiments.sweep import run_sweep
from wiring.graphs.builders import all_to_all, layered
from wiring.runs import read_metrics, read_status

RNG = np.random.default_rng(0)
X = RNG.random((30, 4))
Y = np.eye(3)[RNG.integers(0, 3, 30)]


def small_net():
    return Network(layered([4, 8, 3]), output_activation="linear", seed=0)


def xent(net, X, Y):
    """Mean cross-entropy of softmax(settled outputs) against one-hot Y, written out."""
    z = net.predict(X)
    z = z - z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - (z * Y).sum(axis=1)))


# --------------------------------------------------------------------------- the criterion


def test_factors_are_the_measured_ones():
    assert (BLOWUP_FACTOR, WORSE_FACTOR) == (2.0, 1.1)


@pytest.mark.parametrize(("start", "end", "trips"), [
    (2.0, 0.1, False), (2.0, 3.9, False), (2.0, 4.0, False), (2.0, 4.01, True),
    (2.0, np.inf, True), (2.0, np.nan, True), (np.nan, 50.0, False)])
def test_blowup_criterion_is_twice_the_untrained_loss(start, end, trips):
    assert blew_up(start, end) is trips
    reason = loss_blowup(start, end, epoch=2, weight_abs_max=9.0, weight_abs_max_start=0.5)
    assert bool(reason) is trips
    if trips:
        assert "epoch 2" in reason and "max |w| = 9 (untrained 0.5)" in reason
        assert "diverged" in reason


def test_loss_reason_names_both_losses_the_epoch_and_the_rate():
    reason = loss_blowup(2.3, 47.0, epoch=3, weight_abs_max=31.0, weight_abs_max_start=0.5,
                         learning_rate=50)
    assert reason == ("the training loss rose from 2.3 (untrained network) to 47 in epoch 3, "
                      "more than 2x; max |w| = 31 (untrained 0.5): the updates overshoot and "
                      "training diverged (learning rate 50)")
    nan = loss_blowup(2.3, np.nan, epoch=1, weight_abs_max=1.0, weight_abs_max_start=0.5)
    assert nan.startswith("the training loss is nan in epoch 1 (no training sample settled), "
                          "untrained network 2.3;")


# --------------------------------------------------------------------------- wiring.fit


def test_fit_at_a_huge_learning_rate_is_unstable_naming_the_loss():
    net = small_net()
    start = xent(net, X, Y)  # the untrained network, settled and scored here
    res = fit(net, (X, Y), loss="cross-entropy", learning_rate=10.0, epochs=3, seed=0)
    first, last = res.metrics[0], res.metrics[-1]
    assert first["train_loss"] == pytest.approx(start, rel=1e-9)
    # the rates settle and the weights stay far below weight_limit: only the loss shows it
    assert all(row["nonconverged"] == 0 for row in res.metrics[1:])
    assert last["weight_abs_max"] < 1e3 and np.isfinite(net.weight).all()
    assert last["train_loss"] > 2 * start
    assert res.status == "unstable"
    assert res.reason.startswith(f"the training loss rose from {start:.4g} (untrained network) "
                                 f"to {last['train_loss']:.4g} in epoch 3, more than 2x; ")
    assert f"max |w| = {last['weight_abs_max']:.3g}" in res.reason
    assert res.reason.endswith("(learning rate 10)")
    assert [row["status"] for row in res.metrics] == ["ok", "ok", "ok", "unstable"]


def test_fit_on_diverge_raise_raises_the_recorded_reason():
    recorded = fit(small_net(), (X, Y), loss="cross-entropy", learning_rate=10.0, epochs=3,
                   seed=0)
    with pytest.raises(TrainingDiverged, match="training loss rose") as info:
        fit(small_net(), (X, Y), loss="cross-entropy", learning_rate=10.0, epochs=3, seed=0,
            on_diverge="raise")
    assert str(info.value) == recorded.reason
    assert info.value.epoch == 3
    assert info.value.loss_start == recorded.metrics[0]["train_loss"]
    assert info.value.loss_end == recorded.metrics[-1]["train_loss"]


@pytest.mark.parametrize("batch_size", [1, 8])
def test_fit_at_a_sane_rate_stays_ok(batch_size):
    res = fit(small_net(), (X, Y), loss="cross-entropy", learning_rate=0.05, epochs=3,
              seed=0, batch_size=batch_size, on_diverge="raise")
    assert res.status == "ok" and res.reason == ""
    assert all(row["status"] == "ok" for row in res.metrics)


def test_fit_without_epochs_is_not_judged():
    res = fit(small_net(), (X, Y), loss="cross-entropy", learning_rate=10.0, epochs=0)
    assert res.status == "ok" and len(res.metrics) == 1


# --------------------------------------------------------------------------- consistent reasons


def test_weight_limit_reasons_read_the_same_in_fit_and_simulate():
    res = fit(small_net(), (X, Y), loss="mse", learning_rate=10.0, epochs=3, seed=0,
              weight_limit=1e3)
    assert res.status == "unstable"
    assert res.reason.startswith("the weights diverged at epoch ")
    assert "(learning rate 10): max |w| = " in res.reason
    assert res.reason.endswith("passed weight_limit 1000")
    sim = simulate(all_to_all(20), learning_rate=1e3, iterations=400, seed=0, weight_limit=10)
    assert sim.status == "unstable"
    assert sim.reason.startswith("the weights diverged at iteration ")
    assert "(learning rate 1000): max |w| = " in sim.reason
    assert sim.reason.endswith("passed weight_limit 10")


def test_dynamics_reasons_read_the_same_in_fit_and_simulate():
    sim = simulate(all_to_all(20), learning_rate=1e3, iterations=400, seed=0,
                   activation="linear")
    assert sim.status == "unstable"
    assert sim.reason.startswith("firing dynamics diverged at iteration ")
    assert "(learning rate 1000; max |w| = " in sim.reason
    assert sim.reason.endswith("): the weights grew past the stable regime")
    assert np.isfinite(sim.weight).all()
    net = Network(layered([4, 8, 3]), activation="linear", seed=0)
    res = fit(net, (X, Y), loss="mse", learning_rate=100.0, epochs=3, seed=0)
    assert res.status == "unstable"
    assert " dynamics diverged at epoch 1, sample " in res.reason
    assert "(learning rate 100; max |w| = " in res.reason
    assert res.reason.endswith("): the weights grew past the stable regime")


# --------------------------------------------------------------------------- CLI and sweep

TINY = ["--set", "graph.hidden=8", "--set", "data.test_fraction=0.5", "--set",
        "train.epochs=2"]


def test_cli_train_at_a_huge_learning_rate_ends_unstable(tmp_path, capsys):
    """``wiring train --set train.learning_rate=1000 --set train.epochs=2`` (the defaults
    otherwise: digits, 100 hidden neurons)."""
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "-q", "--set", "train.learning_rate=1000",
                 "--set", "train.epochs=2"]) == 0
    printed = capsys.readouterr().out
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "unstable"
    assert status["reason"].startswith("the training loss rose from ")
    assert f"status: unstable ({status['reason']})" in printed
    metrics = read_metrics(out)
    assert metrics["status"].tolist() == ["ok", "ok", "unstable"]


def test_cli_train_at_a_sane_learning_rate_ends_ok(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "-q", *TINY]) == 0
    assert "status: ok" in capsys.readouterr().out
    assert read_status(out)["status"] == "ok"


def test_sweep_records_a_blown_up_loss_as_unstable_with_its_reason(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text('[sweep]\nname = "blowup"\nlearning_rates = [0.03, 1000.0]\n'
                      'seeds = [0]\n[graph]\nhidden = 8\n[data]\ntest_fraction = 0.5\n'
                      '[train]\nepochs = 1\n')
    res = run_sweep(config, tmp_path / "out", workers=1)
    assert res.counts == {"ok": 1, "unstable": 1, "failed": 0, "skipped": 0}
    table = pd.read_csv(tmp_path / "out" / "sweep_status.csv")
    row = table[table["status"] == "unstable"].iloc[0]
    assert row["learning_rate"] == 1000.0
    assert row["reason"].startswith("the training loss rose from ")
    assert row["reason"] == read_status(tmp_path / "out" / "runs" / row["run_id"])["reason"]
