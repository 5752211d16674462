"""The wiring command line and configuration files."""

import json

import numpy as np
import pytest

from wiring.cli import main
from wiring.config import TrainConfig, apply_overrides, load_config
from wiring.errors import ConfigError, WiringError
from wiring.runs import list_snapshots, load_snapshot, read_config, read_metrics


def test_unknown_key_names_file_and_key(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[train]\nlearning_rat = 0.1\n")
    with pytest.raises(ConfigError, match=r"bad\.toml.*train\.learning_rat"):
        load_config(p)


def test_unknown_section(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[trian]\nepochs = 1\n")
    with pytest.raises(ConfigError, match="trian"):
        load_config(p)


@pytest.mark.parametrize(("text", "key"), [("[train]\nepochs = 'ten'\n", "train.epochs"),
                                           ("[train]\nlearning_rate = true\n", "learning_rate"),
                                           ("[train]\nsnapshot_epochs = [1, 'x']\n",
                                            "snapshot_epochs"),
                                           ("[task]\nseed = 1.5\n", "task.seed")])
def test_wrong_type_names_key(tmp_path, text, key):
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=key):
        load_config(p)


def test_toml_syntax_error_names_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("[train\n")
    with pytest.raises(ConfigError, match="broken.toml"):
        load_config(p)


def test_overrides_and_int_for_float():
    cfg = apply_overrides(TrainConfig(), ["train.learning_rate=1", "train.rule=fa"])
    assert cfg.train.learning_rate == 1.0 and isinstance(cfg.train.learning_rate, float)
    with pytest.raises(ConfigError, match="train.nope"):
        apply_overrides(TrainConfig(), ["train.nope=1"])


def test_train_writes_run_directory(tmp_path, capsys):
    cfg = tmp_path / "tiny.toml"
    cfg.write_text('[graph]\nhidden = 20\n[train]\nepochs = 2\nsnapshot_epochs = [0, 2]\n'
                   '[data]\ntest_fraction = 0.5\n')
    out = tmp_path / "run"
    assert main(["train", str(cfg), "--out", str(out), "-q"]) == 0
    assert "status: ok" in capsys.readouterr().out
    for name in ("config.toml", "provenance.json", "metrics.parquet", "metrics.csv",
                 "status.json"):
        assert (out / name).is_file(), name
    assert read_config(out)["graph"]["hidden"] == 20
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["seed"] == 0 and "numba" in prov["versions"] and "git_commit" in prov
    snaps = list_snapshots(out)
    assert len(snaps) == 2
    a, b = load_snapshot(snaps[0]), load_snapshot(snaps[1])
    assert a.step == 0 and b.step > 0 and a.n == 64 + 20 + 10
    np.testing.assert_array_equal(a.src, b.src)
    assert not np.array_equal(a.weight, b.weight)
    m = read_metrics(out)
    assert list(m["epoch"]) == [0, 1, 2] and {"rule", "learning_rate", "seed"} <= set(m.columns)
    # an existing run directory is never overwritten silently
    assert main(["train", str(cfg), "--out", str(out), "-q"]) == 2
    assert "overwrite" in capsys.readouterr().err


def test_noise_task_run(tmp_path):
    out = tmp_path / "noise"
    rc = main(["train", "--out", str(out), "-q", "--set", "task.kind='noise'",
               "--set", "graph.n=30", "--set", "simulation.iterations=300",
               "--set", "simulation.snapshots=3"])
    assert rc == 0
    snaps = [load_snapshot(p) for p in list_snapshots(out)]
    assert [s.step for s in snaps] == [0, 100, 200, 300]
    assert snaps[-1].clamped.size == 3
    assert np.mean(snaps[-1].weight == 0) >= 0.89


def test_cli_reports_config_errors(tmp_path, capsys):
    assert main(["train", "--out", str(tmp_path / "x"), "--set", "train.rule=hebb", "-q"]) == 2
    assert "rule" in capsys.readouterr().err


@pytest.mark.parametrize("setting", ["simulation.iterations=-5",
                                     "simulation.clamped_fraction=1.5", "train.batch_size=0",
                                     "graph.density=2.0", "train.snapshot_epochs=[99]",
                                     "neurons.balance_width=0"])
def test_numeric_config_values_are_checked_before_anything_is_written(tmp_path, setting):
    from wiring.jobs import run_train

    cfg = apply_overrides(TrainConfig(), [setting])
    with pytest.raises(ConfigError, match=setting.split("=")[0]):
        run_train(cfg, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_failed_job_records_failed_status(tmp_path):
    from wiring.jobs import run_train
    from wiring.runs import read_status

    cfg = apply_overrides(TrainConfig(), ["data.name='npz'",
                                          f"data.path='{tmp_path / 'missing.npz'}'"])
    with pytest.raises(WiringError, match="missing.npz"):
        run_train(cfg, tmp_path / "run")
    status = read_status(tmp_path / "run")
    assert status["status"] == "failed" and "missing.npz" in status["reason"]
