"""Tests of the run-directory format (wiring.runs)."""

from __future__ import annotations

import json
import math
import os
import struct
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wiring import runs
from wiring.errors import ConfigError, WiringError
from wiring.runs import (
    RunFormatError,
    dump_toml,
    list_snapshots,
    load_snapshot,
    load_snapshots,
    prepare_run_dir,
    provenance,
    read_config,
    read_metrics,
    read_provenance,
    read_status,
    write_config,
    write_metrics,
    write_provenance,
    write_snapshot,
    write_status,
)


def _edges(rng, n, E):
    pairs = rng.choice(n * n, size=E, replace=False)
    return (pairs % n).astype(np.int64), (pairs // n).astype(np.int64)  # src, dst


def _snapshot_kwargs(n=6, E=10, seed=0):
    rng = np.random.default_rng(seed)
    src, dst = _edges(rng, n, E)
    return dict(
        src=src,
        dst=dst,
        weight=rng.normal(size=E),
        bias=rng.normal(size=n),
        inputs=np.array([0, 1]),
        outputs=np.array([n - 1]),
        clamped=np.array([0, 1]),
        n=n,
    )


@pytest.fixture
def run(tmp_path):
    return prepare_run_dir(tmp_path / "run")


def _leftovers(directory):
    """Temp files of atomic writes start with '.'; none may survive."""
    return [p.name for p in directory.iterdir() if p.name.startswith(".")]


# ----------------------------------------------------------------------------- snapshots


def test_snapshot_round_trip_exact(run):
    kw = _snapshot_kwargs()
    path = write_snapshot(run, 7, **kw)
    assert path == run / "snapshots" / "step_7.npz"
    s = load_snapshot(path)
    assert (s.n, s.step, s.path) == (6, 7, path)
    for name in ("src", "dst", "inputs", "outputs", "clamped"):
        got = getattr(s, name)
        assert got.dtype == np.int64, name
        np.testing.assert_array_equal(got, kw[name])
    for name in ("weight", "bias"):
        got = getattr(s, name)
        assert got.dtype == np.float64, name
        assert np.array_equal(got, kw[name])  # bit-exact, no tolerance
    assert s.n_edges == 10 and s.extra == {}
    # the raw file holds the documented dtypes and 0-d scalars
    with np.load(path, allow_pickle=False) as z:
        assert set(runs.SNAPSHOT_FIELDS) <= set(z.files)
        assert z["n"].shape == () and z["n"].dtype == np.int64
        assert z["step"].shape == () and int(z["step"]) == 7
        assert z["src"].dtype == np.int64 and z["weight"].dtype == np.float64


def test_snapshot_empty_clamped_default(run):
    kw = _snapshot_kwargs()
    del kw["clamped"]
    s = load_snapshot(write_snapshot(run, 0, **kw))
    assert s.clamped.dtype == np.int64 and s.clamped.size == 0


def test_snapshot_extra_arrays_kept(run):
    kw = _snapshot_kwargs()
    rates = np.arange(12, dtype=np.float32).reshape(3, 4)
    s = load_snapshot(write_snapshot(run, 1, **kw, rates=rates, loss=np.float64(0.5)))
    assert set(s.extra) == {"rates", "loss"}
    assert s.extra["rates"].dtype == np.float32
    np.testing.assert_array_equal(s.extra["rates"], rates)
    assert s.extra["loss"].shape == () and float(s.extra["loss"]) == 0.5


def test_snapshot_extra_object_dtype_rejected(run):
    with pytest.raises(RunFormatError, match="mystery"):
        write_snapshot(run, 1, **_snapshot_kwargs(), mystery=np.array([{}, None], dtype=object))
    assert list_snapshots(run) == []


def test_dense_matches_loop(run):
    kw = _snapshot_kwargs(n=7, E=20, seed=3)
    s = load_snapshot(write_snapshot(run, 0, **kw))
    W = np.zeros((7, 7))
    for j, i, w in zip(kw["src"], kw["dst"], kw["weight"], strict=True):
        W[i, j] = w  # weight onto i from j
    np.testing.assert_array_equal(s.dense(), W)
    x = np.arange(7.0)
    np.testing.assert_allclose(
        s.dense() @ x, [sum(W[i, j] * x[j] for j in range(7)) for i in range(7)]
    )


def test_list_snapshots_numeric_order(run):
    kw = _snapshot_kwargs()
    for k in (10, 2, 100, 0, 33):
        write_snapshot(run, k, **kw)
    (run / "snapshots" / "notes.txt").write_text("ignored")
    (run / "snapshots" / ".step_5.npz.abc.tmp").write_bytes(b"partial")
    names = [p.name for p in list_snapshots(run)]
    assert names == ["step_0.npz", "step_2.npz", "step_10.npz", "step_33.npz", "step_100.npz"]
    assert [s.step for s in load_snapshots(run)] == [0, 2, 10, 33, 100]


def test_list_snapshots_duplicate_step(run):
    path = write_snapshot(run, 3, **_snapshot_kwargs())
    (run / "snapshots" / "step_03.npz").write_bytes(path.read_bytes())
    with pytest.raises(RunFormatError, match="step_03.npz"):
        list_snapshots(run)


def test_list_snapshots_missing_run_dir(tmp_path):
    with pytest.raises(RunFormatError, match="nowhere"):
        list_snapshots(tmp_path / "nowhere")


def _write_raw(path, **arrays):
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def _raw_fields(**overrides):
    kw = _snapshot_kwargs()
    kw.update(n=np.int64(kw["n"]), step=np.int64(4))
    kw.update(overrides)
    return kw


@pytest.mark.parametrize("field", ["bias", "weight", "clamped", "step", "n"])
def test_load_missing_field(tmp_path, field):
    fields = _raw_fields()
    del fields[field]
    path = _write_raw(tmp_path / "step_4.npz", **fields)
    with pytest.raises(RunFormatError, match=rf"step_4\.npz.*\b{field}\b"):
        load_snapshot(path)


def test_load_corrupt_npz(tmp_path, run):
    path = write_snapshot(run, 5, **_snapshot_kwargs())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(RunFormatError, match="step_5.npz"):
        load_snapshot(path)
    garbage = tmp_path / "step_6.npz"
    garbage.write_bytes(b"this is not a zip file at all" * 10)
    with pytest.raises(RunFormatError, match="step_6.npz"):
        load_snapshot(garbage)


def test_load_corrupt_member(tmp_path):
    path = _write_raw(tmp_path / "step_4.npz", **_raw_fields())
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("weight.npy")
    offset = info.header_offset
    name_len, extra_len = struct.unpack("<HH", raw[offset + 26 : offset + 30])
    start = offset + 30 + name_len + extra_len + 5  # inside the deflated data
    raw[start : start + 8] = b"\xff" * 8  # damage compressed bytes, keep the zip directory
    path.write_bytes(bytes(raw))
    with pytest.raises(RunFormatError, match="step_4.npz"):
        load_snapshot(path)


def test_load_npy_not_npz(tmp_path):
    path = tmp_path / "step_1.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(RunFormatError, match="step_1.npz"):
        load_snapshot(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(RunFormatError, match="step_9.npz.*does not exist"):
        load_snapshot(tmp_path / "step_9.npz")


def test_load_bad_contents(tmp_path):
    cases = {
        "weight": dict(weight=np.zeros(9)),
        "bias": dict(bias=np.zeros(5)),
        "NaN": dict(weight=np.r_[np.nan, np.zeros(9)]),
        "dst": dict(dst=np.r_[6, np.arange(1, 10) % 6]),
        "src": dict(src=np.full(10, 0.5)),
        "step": dict(step=np.array([4, 4])),
    }
    for i, (pattern, override) in enumerate(cases.items()):
        path = _write_raw(
            tmp_path / f"step_{i}.npz", **_raw_fields(**{"step": np.int64(i), **override})
        )
        with pytest.raises(RunFormatError, match=rf"step_{i}\.npz.*{pattern}"):
            load_snapshot(path)


def test_load_step_disagrees_with_name(tmp_path):
    path = _write_raw(tmp_path / "step_8.npz", **_raw_fields(step=np.int64(4)))
    with pytest.raises(RunFormatError, match="step_8.npz.*step"):
        load_snapshot(path)


def test_write_weight_length_mismatch(run):
    kw = _snapshot_kwargs()
    kw["weight"] = kw["weight"][:-1]
    with pytest.raises(RunFormatError, match="weight"):
        write_snapshot(run, 0, **kw)
    assert list(run.joinpath("snapshots").iterdir()) == []


def test_write_nan_weight(run):
    kw = _snapshot_kwargs()
    kw["weight"][3] = np.nan
    with pytest.raises(RunFormatError, match="weight.*non-finite"):
        write_snapshot(run, 0, **kw)


@pytest.mark.parametrize("field", ["src", "dst", "inputs", "outputs", "clamped"])
def test_write_index_out_of_range(run, field):
    kw = _snapshot_kwargs()
    kw[field] = np.array(kw[field], copy=True)
    kw[field][0] = kw["n"]
    with pytest.raises(RunFormatError, match=rf"`{field}` holds index 6, outside \[0, 6\)"):
        write_snapshot(run, 0, **kw)


def test_write_other_bad_inputs(run):
    kw = _snapshot_kwargs()
    with pytest.raises(RunFormatError, match="bias"):
        write_snapshot(run, 0, **{**kw, "bias": np.zeros(5)})
    with pytest.raises(RunFormatError, match="duplicate edge"):
        write_snapshot(
            run,
            0,
            **{
                **kw,
                "src": np.r_[kw["src"][:1], kw["src"][:1]],
                "dst": np.r_[kw["dst"][:1], kw["dst"][:1]],
                "weight": np.zeros(2),
            },
        )
    with pytest.raises(RunFormatError, match="step"):
        write_snapshot(run, -1, **kw)
    with pytest.raises(RunFormatError, match="`n`"):
        write_snapshot(run, 0, **{**kw, "n": 2.5})


def test_write_snapshot_needs_run_dir(tmp_path):
    with pytest.raises(RunFormatError, match="missing.*prepare_run_dir"):
        write_snapshot(tmp_path / "missing", 0, **_snapshot_kwargs())


# ----------------------------------------------------------------------------- config


def test_toml_round_trip():
    config = {
        "name": 'quote " backslash \\ tab\t newline\n é',
        "seed": 12345678901234,
        "neg": -3,
        "flags": [True, False],
        "lr": 0.1,
        "tiny": 1e-10,
        "huge": 1.7976931348623157e308,
        "third": 1 / 3,
        "neg_zero": -0.0,
        "infinite": math.inf,
        "np_float": np.float64(0.1),
        "np_int": np.int64(7),
        "mixed": [1, 2.5, "three", [4, [5]]],
        "empty_list": [],
        "spaced key": 1,
        "train": {
            "epochs": 3,
            "rates": [0.1, 0.2, 0.30000000000000004],
            "opt": {"name": "sgd", "momentum": 0.9, "deep": {"x": 1.0}},
            "points": [{"a": 1}, {"b": [True]}],
        },
        "empty": {},
        "after": {"k": "v"},
    }
    text = dump_toml(config)
    back = tomllib.loads(text)
    assert back == config
    for key in ("lr", "tiny", "huge", "third", "np_float"):
        assert back[key] == float(config[key]) and type(back[key]) is float
    assert math.copysign(1.0, back["neg_zero"]) == -1.0
    assert "[train.opt.deep]" in text and "\n[train]\n" in text
    assert math.isnan(tomllib.loads(dump_toml({"x": math.nan}))["x"])
    assert dump_toml({}) == "" and tomllib.loads(dump_toml({})) == {}


@pytest.mark.parametrize(
    ("config", "key"),
    [({"a": {"b": None}}, "a.b"), ({"a": [1, object()]}, r"a\[1\]"), ({1: 2}, "1")],
)
def test_toml_unsupported(config, key):
    with pytest.raises(ConfigError, match=key):
        dump_toml(config)


def test_config_file_round_trip(run):
    config = {"seed": 0, "train": {"lr": 1e-10, "epochs": 2, "nested": {"on": True}}}
    path = write_config(run, config)
    assert path == run / "config.toml"
    assert read_config(run) == config


def test_config_bad_file(run, tmp_path):
    (run / "config.toml").write_text("a = [1,\n")
    with pytest.raises(RunFormatError, match="config.toml"):
        read_config(run)
    (run / "config.toml").unlink()
    with pytest.raises(RunFormatError, match="config.toml.*does not exist"):
        read_config(run)
    with pytest.raises(ConfigError, match=r"config\.toml.*a\.b"):
        write_config(run, {"a": {"b": None}})
    assert not (run / "config.toml").exists()


# ----------------------------------------------------------------------------- metrics


def test_metrics_round_trip(run):
    df = pd.DataFrame(
        {
            "epoch": np.arange(4, dtype=np.int64),
            "loss": [0.1, 1e-10, 1 / 3, 2.5],
            "rule": ["balance"] * 4,
            "converged": [True, True, False, True],
        }
    )
    pq, csv = write_metrics(run, df)
    assert (pq.name, csv.name) == ("metrics.parquet", "metrics.csv")
    pd.testing.assert_frame_equal(read_metrics(run), df, check_dtype=False, check_exact=True)
    from_csv = pd.read_csv(csv)
    assert from_csv["loss"].tolist() == df["loss"].tolist()  # floats round-trip exactly
    pq.unlink()
    pd.testing.assert_frame_equal(read_metrics(run), df, check_dtype=False, check_exact=True)


def test_metrics_from_records(run):
    rows = [{"step": 0, "acc": 0.5}, {"step": 10, "acc": 0.75}]
    write_metrics(run, rows)
    assert read_metrics(run).to_dict("records") == rows


def test_metrics_bad_input(run):
    with pytest.raises(RunFormatError, match="reset_index"):
        write_metrics(run, pd.DataFrame({"a": [1, 2]}, index=[5, 6]))
    with pytest.raises(RunFormatError, match="column name 0"):
        write_metrics(run, pd.DataFrame([[1, 2]]))
    with pytest.raises(RunFormatError, match="neither"):
        read_metrics(run)
    (run / "metrics.parquet").write_bytes(b"not parquet")
    with pytest.raises(RunFormatError, match="metrics.parquet"):
        read_metrics(run)


# ----------------------------------------------------------------------------- provenance


def test_provenance(run):
    write_provenance(run, seed=np.int64(42), extra={"rule": "balance", "lr": np.float64(0.5)})
    p = read_provenance(run)
    expected = {
        "seed",
        "wiring_version",
        "versions",
        "git_commit",
        "git_dirty",
        "produced_by",
        "resumed_by",
        "cpu",
        "numba_target",
        "timestamp",
        "hostname",
        "platform",
        "command",
        "extra",
    }
    assert expected <= set(p)
    assert p["seed"] == 42 and p["extra"] == {"rule": "balance", "lr": 0.5}
    assert set(p["versions"]) == {
        "python",
        "numpy",
        "numba",
        "llvmlite",
        "scipy",
        "networkx",
        "igraph",
        "leidenalg",
        "pandas",
        "pyarrow",
        "scikit-learn",
    }
    assert p["versions"]["numpy"] == np.__version__
    assert isinstance(p["wiring_version"], str) and p["wiring_version"]
    assert isinstance(p["git_dirty"], bool)
    assert p["git_commit"] is None or (len(p["git_commit"]) == 40 and int(p["git_commit"], 16) >= 0)
    assert p["timestamp"].endswith("+00:00")
    assert isinstance(p["command"], list)
    assert p["produced_by"] == p["git_commit"] and p["resumed_by"] == []
    assert p["cpu"]["machine"] and isinstance(p["cpu"]["flags"], list)
    if Path("/proc/cpuinfo").exists():
        assert p["cpu"]["model"] and p["cpu"]["flags"]
    import llvmlite.binding
    import numba

    assert p["numba_target"]["cpu_name"] == (numba.config.CPU_NAME
                                             or llvmlite.binding.get_host_cpu_name())
    assert isinstance(p["numba_target"]["cpu_features"], str)


def test_resume_keeps_the_producer_and_adds_its_own(run, monkeypatch):
    monkeypatch.setattr(provenance, "_git_state", lambda d: ("a" * 40, False))
    write_provenance(run, seed=1)
    monkeypatch.setattr(provenance, "_git_state", lambda d: ("b" * 40, True))
    runs.record_resume(run, kept=["x"], ran=["y"])
    monkeypatch.setattr(provenance, "_git_state", lambda d: ("c" * 40, False))
    runs.record_resume(run)
    p = read_provenance(run)
    assert p["produced_by"] == p["git_commit"] == "a" * 40
    assert [(r["commit"], r["dirty"]) for r in p["resumed_by"]] == [("b" * 40, True),
                                                                    ("c" * 40, False)]
    assert set(p["resumed_by"][0]) == {"commit", "dirty", "timestamp", "hostname", "cpu_model",
                                       "kept", "ran"}
    assert p["resumed_by"][0]["kept"] == ["x"] and p["resumed_by"][1]["ran"] == []


def test_resume_of_a_run_written_before_produced_by_existed(run, monkeypatch):
    old = {"seed": 0, "git_commit": "d" * 40, "git_dirty": False, "extra": {}}
    (run / "provenance.json").write_text(json.dumps(old))
    monkeypatch.setattr(provenance, "_git_state", lambda d: ("e" * 40, False))
    runs.record_resume(run)
    p = read_provenance(run)
    assert p["produced_by"] == "d" * 40 and p["resumed_by"][0]["commit"] == "e" * 40


def test_provenance_without_git(monkeypatch):
    def no_git(args, cwd):
        return None  # as if git were not installed

    monkeypatch.setattr(provenance, "_git", no_git)
    p = runs.collect_provenance(None)
    assert p["git_commit"] is None and p["git_dirty"] is False and p["seed"] is None


def test_provenance_bad_seed_and_extra(run):
    with pytest.raises(WiringError, match="seed"):
        runs.collect_provenance(1.5)
    with pytest.raises(RunFormatError, match="provenance.json"):
        write_provenance(run, seed=0, extra={"x": object()})
    assert not (run / "provenance.json").exists()


# ----------------------------------------------------------------------------- status


def test_status_round_trip(run):
    assert read_status(run) is None
    write_status(run, "failed", reason="settle diverged", step=40, loss=float("nan"))
    s = read_status(run)
    assert (s["status"], s["reason"], s["step"]) == ("failed", "settle diverged", 40)
    assert math.isnan(s["loss"]) and s["finished"].endswith("+00:00")


def test_status_bad(run):
    with pytest.raises(WiringError, match="status.*ok, unstable, failed"):
        write_status(run, "done")
    with pytest.raises(WiringError, match="finished"):
        write_status(run, "ok", finished="yesterday")
    (run / "status.json").write_text(json.dumps({"status": "weird"}))
    with pytest.raises(RunFormatError, match="status.json.*weird"):
        read_status(run)
    (run / "status.json").write_text("{")
    with pytest.raises(RunFormatError, match="status.json"):
        read_status(run)


# ----------------------------------------------------------------------------- atomicity


def test_failed_replace_leaves_nothing(run, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    writes = [
        lambda: write_snapshot(run, 3, **_snapshot_kwargs()),
        lambda: write_config(run, {"a": 1}),
        lambda: write_metrics(run, [{"a": 1}]),
        lambda: write_provenance(run, seed=1),
        lambda: write_status(run, "ok"),
    ]
    for write in writes:
        with pytest.raises(OSError, match="disk on fire"):
            write()
    assert sorted(p.name for p in run.iterdir()) == ["snapshots"]
    assert list((run / "snapshots").iterdir()) == []


def test_failed_write_keeps_old_file(run, monkeypatch):
    write_config(run, {"version": 1})
    write_snapshot(run, 0, **_snapshot_kwargs(seed=1))

    def exploding_savez(file, **arrays):
        file.write(b"PK partial")
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(np, "savez_compressed", exploding_savez)
    with pytest.raises(RuntimeError, match="killed"):
        write_snapshot(run, 0, **_snapshot_kwargs(seed=2))
    monkeypatch.undo()
    s = load_snapshot(run / "snapshots" / "step_0.npz")
    assert np.array_equal(s.weight, _snapshot_kwargs(seed=1)["weight"])
    assert _leftovers(run / "snapshots") == [] and _leftovers(run) == []
    assert read_config(run) == {"version": 1}


def test_written_files_are_readable_by_others(run):
    path = write_snapshot(run, 0, **_snapshot_kwargs())
    if os.name == "posix":
        assert path.stat().st_mode & 0o044 == 0o044


# ----------------------------------------------------------------------------- run dir


def test_prepare_run_dir_refuses_non_empty(tmp_path):
    run = prepare_run_dir(tmp_path / "run")
    assert (run / "snapshots").is_dir()
    assert prepare_run_dir(run) == run  # an empty snapshots/ folder holds nothing to lose
    (run / "config.toml").write_text("a = 1\n")
    with pytest.raises(RunFormatError, match=r"'[^']*run' is not empty.*overwrite=True"):
        prepare_run_dir(run)
    assert (run / "config.toml").read_text() == "a = 1\n"


def test_prepare_run_dir_overwrite(tmp_path):
    run = prepare_run_dir(tmp_path / "run")
    write_snapshot(run, 0, **_snapshot_kwargs())
    write_status(run, "ok")
    (run / "sub").mkdir()
    (run / "sub" / "f.txt").write_text("x")
    with pytest.raises(RunFormatError, match=r"run.*overwrite=True.*another directory"):
        prepare_run_dir(run)
    assert read_status(run)["status"] == "ok"  # nothing touched
    again = prepare_run_dir(run, overwrite=True)
    assert again == run
    assert sorted(p.name for p in run.iterdir()) == ["snapshots"]
    assert list_snapshots(run) == []


def test_prepare_run_dir_guards(tmp_path):
    stranger = tmp_path / "home"
    stranger.mkdir()
    (stranger / "thesis.tex").write_text("precious")
    with pytest.raises(RunFormatError, match="home.*does not look like a run directory"):
        prepare_run_dir(stranger, overwrite=True)
    assert (stranger / "thesis.tex").read_text() == "precious"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(RunFormatError, match="file.*not a directory"):
        prepare_run_dir(a_file)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (prepare_run_dir(empty) / "snapshots").is_dir()


def test_read_nodes_reads_the_nodes_file_or_says_there_is_none(tmp_path):
    run = prepare_run_dir(tmp_path / "run")
    assert runs.read_nodes(run) is None                      # a run without named neurons
    names = ["A&B", "007", "NA", 'say "hi"']
    runs.write_table(run, "nodes", {"neuron": [0, 1, 2, 3], "name": names,
                                    "is_input": [True, False, False, False],
                                    "is_output": [False] * 4, "class": ["s", "i", None, "m"],
                                    "count": [1, 2, 3, 4]})
    pq = runs.read_nodes(run, n=4)
    (run / "nodes.parquet").unlink()
    csv = runs.read_nodes(run, n=4)                          # the CSV when there is no Parquet
    for table in (pq, csv):
        assert table["name"].tolist() == names                # "007" and "NA" stay names
        assert table["neuron"].dtype == np.int64 and table["count"].tolist() == [1, 2, 3, 4]
        assert table["is_input"].tolist() == [True, False, False, False]
        assert pd.isna(table["class"][2])
    assert [c for c in pq.columns if c not in runs.NODE_COLUMNS] == ["class", "count"]


@pytest.mark.parametrize(("table", "n", "match"), [
    ({"neuron": [0, 1]}, None, "no column `name`"),
    ({"name": ["a", "b"]}, None, "no column `neuron`"),
    ({"neuron": [0, 2], "name": ["a", "b"]}, None, "row 1 has 2"),
    ({"neuron": [1, 0], "name": ["a", "b"]}, None, "0 .. n-1 in order"),
    ({"neuron": [0, 1], "name": ["a", None]}, None, "`name` is empty for neuron 1"),
    ({"neuron": [0, 1], "name": ["a", "b"]}, 3, "has 2 rows; the run's snapshots have 3"),
])
def test_read_nodes_names_what_is_wrong(tmp_path, table, n, match):
    run = prepare_run_dir(tmp_path / "run")
    runs.write_table(run, "nodes", table)
    with pytest.raises(RunFormatError, match=match):
        runs.read_nodes(run, n=n)
    (run / "nodes.parquet").write_bytes(b"not parquet")
    with pytest.raises(RunFormatError, match="nodes.parquet' is not a readable Parquet"):
        runs.read_nodes(run)
