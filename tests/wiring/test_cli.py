"""The wiring command line and configuration files."""

import json

import numpy as np
import pytest

from wiring.config import TrainConfig, apply_overrides, load_config
from wiring.errors import ConfigError, WiringError
from wiring.experiments.cli import main
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
    err = capsys.readouterr().err
    assert "pass --overwrite" in err and "is not empty" in err  # the flag, not only Python's
    assert main(["train", str(cfg), "--out", str(out), "-q", "--overwrite"]) == 0


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
    from wiring.experiments.jobs import run_train

    cfg = apply_overrides(TrainConfig(), [setting])
    with pytest.raises(ConfigError, match=setting.split("=")[0]):
        run_train(cfg, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_failed_job_records_failed_status(tmp_path):
    from wiring.experiments.jobs import run_train
    from wiring.runs import read_status

    cfg = apply_overrides(TrainConfig(), ["data.name='npz'",
                                          f"data.path='{tmp_path / 'missing.npz'}'"])
    with pytest.raises(WiringError, match="missing.npz"):
        run_train(cfg, tmp_path / "run")
    status = read_status(tmp_path / "run")
    assert status["status"] == "failed" and "missing.npz" in status["reason"]


def test_epochs_alone_is_a_valid_setting(tmp_path, capsys):
    # the default snapshot epochs [0, 1, 2, 4, 8] used to reject train.epochs=2
    out = tmp_path / "run"
    assert main(["train", "--set", "train.epochs=2", "--set", "graph.hidden=8", "--set",
                 "data.test_fraction=0.5", "--out", str(out), "-q"]) == 0
    assert read_config(out)["train"]["snapshot_epochs"] == [0, 1, 2]
    assert main(["train", "--set", "train.epochs=2", "--set", "train.snapshot_epochs=[0, 4]",
                 "--out", str(tmp_path / "bad"), "-q"]) == 2
    assert "'train.snapshot_epochs' holds 4, outside [0, 2]" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "hint"), [
    (["--set", "train.learning_rate", "0.05"], "did you mean --set train.learning_rate=0.05?"),
    (["train.epochs=2"], "to override one value write --set train.epochs=2"),
    (["0.05"], "looks like a value; override config values with --set SECTION.KEY=VALUE"),
    (["true"], "looks like a value"),
    (["--set", "train.epochs"], "expected SECTION.KEY=VALUE, one word with '='"),
])
def test_a_value_read_as_the_config_file_hints_at_set(tmp_path, capsys, argv, hint):
    out = tmp_path / "run"
    assert main(["train", *argv, "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert hint in err, err
    assert not out.exists()


def test_a_missing_config_file_is_reported_without_a_set_hint(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "my.toml", "-q"]) == 2
    err = capsys.readouterr().err
    assert "cannot read config file my.toml" in err and "--set" not in err
    # a file whose name looks like a value is still read as the config file
    (tmp_path / "0.05").write_text("[train]\nepochs = 0\n[graph]\nhidden = 4\n")
    assert main(["train", "0.05", "--out", "run", "-q"]) == 0
    assert read_config(tmp_path / "run")["train"]["epochs"] == 0


def test_noise_task_records_the_graph_it_built(tmp_path):
    """`wiring train` with the noise task: config.toml says what was built, and
    graph.self_loops = false is honoured (it used to be ignored)."""
    for flag, loops in (([], True), (["--set", "graph.self_loops=false"], False)):
        out = tmp_path / f"noise{loops}"
        assert main(["train", "--set", "task.kind=noise", "--set", "graph.n=12", "--set",
                     "simulation.iterations=5", "--set", "simulation.snapshots=1", *flag,
                     "--out", str(out), "-q"]) == 0
        graph = read_config(out)["graph"]
        assert (graph["family"], graph["self_loops"]) == ("all-to-all", loops)
        snap = load_snapshot(list_snapshots(out)[0])
        assert snap.n_edges == (144 if loops else 132)  # 12 * 12, or 12 * 11
        assert int(np.sum(snap.src == snap.dst)) == (12 if loops else 0)


def test_noise_task_with_no_iterations_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--set", "task.kind=noise", "--set", "graph.n=5", "--set",
                 "simulation.iterations=0", "--out", str(out), "-q"]) == 0
    assert "last checkpoint: none" in capsys.readouterr().out


def test_a_foreign_community_package_is_named_not_a_traceback(tmp_path, monkeypatch, capsys):
    # python-louvain installs a top-level `community` too; the CLI must say so plainly
    import sys
    import types

    foreign = types.ModuleType("community")
    foreign.__file__ = "/site-packages/community/__init__.py"
    foreign.best_partition = lambda graph: {}
    monkeypatch.setitem(sys.modules, "community", foreign)
    assert main(["export", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "/site-packages/community/__init__.py" in err and "python-louvain" in err
    assert "Traceback" not in err


def test_a_failed_run_is_rerun_without_overwrite_once_its_input_is_fixed(tmp_path, capsys):
    from wiring.graphs import all_to_all, to_networkx

    graph = tmp_path / "g.graphml"
    argv = ["train", "--out", str(tmp_path / "run"), "-q", "--set", "task.kind='noise'",
            "--set", "graph.family='file'", "--set", f"graph.path='{graph}'",
            "--set", "simulation.iterations=20"]
    assert main(argv) == 2 and "does not exist" in capsys.readouterr().err
    import networkx as nx

    nx.write_graphml(to_networkx(all_to_all(12)), graph)
    assert main(argv) == 0  # the failed run is replaced, no --overwrite needed
    assert json.loads((tmp_path / "run" / "status.json").read_text())["status"] == "ok"
    assert main(argv) == 2  # a finished run is still protected
    assert "--overwrite" in capsys.readouterr().err


def test_the_noise_task_prints_integer_iterations(tmp_path, capsys):
    assert main(["train", "--out", str(tmp_path / "n"), "-q", "--set", "task.kind='noise'",
                 "--set", "graph.n=20", "--set", "simulation.iterations=20000",
                 "--set", "simulation.learning_rate=0.0", "--set", "simulation.snapshots=1"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert "iteration=20000," in line and "e+04" not in line


def test_every_option_with_a_default_shows_it_in_its_help(capsys):
    import argparse

    from wiring.experiments.cli import build_parser

    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for name, sub in subs.choices.items():
        text = sub.format_help()
        fmt = sub._get_formatter()
        for action in sub._actions:
            if action.option_strings and action.nargs != 0:  # every option taking a value
                assert "default" in fmt._get_help_string(action).lower(), \
                    f"`wiring {name} --help` says nothing of {action.dest}'s default"
            if action.option_strings and action.default not in (None, False, "==SUPPRESS=="):
                assert action.help, f"{name} {action.option_strings} has no help"
                shown = (" ".join(map(str, action.default))
                         if isinstance(action.default, list | tuple) else str(action.default))
                flat = " ".join(text.split())
                assert f"default: {shown}" in flat or "default" in action.help.lower(), \
                    f"`wiring {name} --help` does not show the default of {action.dest}"
                checked += 1
    assert checked >= 3
    assert "digits" in " ".join(subs.choices["sweep"].format_help().split())


def test_config_prints_the_resolved_defaults_and_the_default_sweep(capsys):
    import tomllib

    from wiring.config import config_to_dict, resolve_config

    assert main(["config", "--show"]) == 0
    printed = tomllib.loads(capsys.readouterr().out)
    assert printed == config_to_dict(resolve_config(TrainConfig()))
    assert main(["config", "--set", "train.learning_rate=0.5"]) == 0
    assert tomllib.loads(capsys.readouterr().out)["train"]["learning_rate"] == 0.5
    assert main(["config", "--sweep"]) == 0
    sweep = tomllib.loads(capsys.readouterr().out)
    assert {g for g in sweep["sweep"]["groups"]} == {"noise", "digits"}
