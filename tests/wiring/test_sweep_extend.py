"""Extending a finished sweep: values added to its axes (or groups added) and ``--resume``
runs only the new runs; anything that would change a kept run is refused."""

import hashlib
import re

import pytest

from wiring import runs
from wiring.errors import WiringError
from wiring.experiments.sweep import expand, load_sweep, run_sweep

BASE = """
[sweep]
name = "e"
learning_rates = [0.01]
seeds = [0]

[task]
kind = "noise"

[graph]
n = 20

[simulation]
iterations = 100
snapshots = 2
"""
EXTENDED = BASE.replace("[0.01]", "[0.01, 0.1]").replace("seeds = [0]", "seeds = [0, 1]")


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text)
    return path


def fingerprint(run):
    """Content hash and mtime of every file and directory of a run."""
    return {str(p.relative_to(run)): (p.stat().st_mtime_ns, p.is_file()
                                      and hashlib.sha256(p.read_bytes()).hexdigest())
            for p in [run, *sorted(run.rglob("*"))]}


@pytest.fixture
def finished(tmp_path):
    """A finished sweep of 1 learning rate x 1 seed."""
    out = tmp_path / "out"
    res = run_sweep(write(tmp_path, BASE, "base.toml"), out, workers=1)
    assert res.counts["ok"] == 1
    return out


def test_extended_sweep_runs_only_the_new_runs(tmp_path, finished):
    out = finished
    first = out / "runs" / "e__lr0.01_s0"
    before = fingerprint(first)
    path = write(tmp_path, EXTENDED, "extended.toml")
    res = run_sweep(path, out, resume=True, workers=1)
    assert res.counts == {"ok": 4, "unstable": 0, "failed": 0, "skipped": 0}
    new = sorted(res.table.loc[~res.table["resumed"], "run_id"])
    assert new == ["e__lr0.01_s1", "e__lr0.1_s0", "e__lr0.1_s1"]  # exactly 3 new runs
    assert list(res.table.loc[res.table["resumed"], "run_id"]) == [first.name]
    assert fingerprint(first) == before  # the kept run, byte for byte (and never rewritten)
    # sweep.toml now holds the extended sweep: it reads back to the same four runs
    assert [(s.run_id, s.config) for s in expand(load_sweep(out / "sweep.toml"))] == [
        (s.run_id, s.config) for s in expand(load_sweep(path))]
    top = runs.read_provenance(out)
    assert top["extra"]["extended"] is True and top["extra"]["kept"] == 1
    (entry,) = top["resumed_by"]
    assert entry["kept"] == [first.name] and entry["ran"] == new
    # the extended sweep resumes as itself; the original file is now a shrinking of it
    again = run_sweep(path, out, resume=True, workers=1)
    assert again.table["resumed"].all() and again.counts["ok"] == 4
    assert runs.read_provenance(out)["extra"]["extended"] is False
    with pytest.raises(WiringError, match=r"sweep\.groups\.e\.learning_rates = \[0\.01, 0\.1\] "
                                          r"there, \[0\.01\] now.*not remove a value"):
        run_sweep(tmp_path / "base.toml", out, resume=True, workers=1)
    assert fingerprint(first) == before


@pytest.mark.parametrize(("change", "match"), [
    (("iterations = 100", "iterations = 200"),
     r"sweep\.groups\.e\.simulation\.iterations = 100 there, 200 now"),
    (("[0.01]", "[0.02, 0.1]"), r"sweep\.groups\.e\.learning_rates = \[0\.01\] there, "
                                r"\[0\.02, 0\.1\] now"),
    (("seeds = [0, 1]", "seeds = [0, 1]\nprunes = [0.5, 0.9]"),
     r"sweep\.groups\.e\.prunes = \[\] there, \[0\.5, 0\.9\] now.*vary an axis"),
    (("name = \"e\"", "name = \"f\""), r"sweep\.name = \"e\" there, \"f\" now"),
])
def test_a_change_to_a_kept_run_is_refused_naming_it(tmp_path, finished, change, match):
    out = finished
    before = fingerprint(out / "runs" / "e__lr0.01_s0")
    table = (out / "sweep_status.parquet").read_bytes()
    # the change arrives together with an extension: still refused, and nothing touched
    path = write(tmp_path, EXTENDED.replace(*change) if change[0] != "[0.01]"
                 else BASE.replace(*change), "changed.toml")
    with pytest.raises(WiringError, match="different sweep configuration.*" + match):
        run_sweep(path, out, resume=True, workers=1)
    assert fingerprint(out / "runs" / "e__lr0.01_s0") == before
    assert (out / "sweep_status.parquet").read_bytes() == table
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["e__lr0.01_s0"]


GROUPS = """
[sweep]
name = "g"
learning_rates = [0.01]
seeds = [0]

[task]
kind = "noise"

[simulation]
iterations = 100
snapshots = 2

[sweep.groups.small.graph]
n = 20
"""
MORE = GROUPS + "\n[sweep.groups.large.graph]\nn = 30\n"


def test_a_group_can_be_added_not_removed(tmp_path):
    out = tmp_path / "out"
    run_sweep(write(tmp_path, GROUPS, "a.toml"), out, workers=1)
    before = fingerprint(out / "runs" / "small__lr0.01_s0")
    res = run_sweep(write(tmp_path, MORE, "b.toml"), out, resume=True, workers=1)
    assert list(res.table.loc[~res.table["resumed"], "run_id"]) == ["large__lr0.01_s0"]
    assert res.counts["ok"] == 2 and fingerprint(out / "runs" / "small__lr0.01_s0") == before
    only_large = MORE.replace("[sweep.groups.small.graph]\nn = 20\n", "")
    with pytest.raises(WiringError, match=re.escape("group [sweep.groups.small] is not in the "
                                                    "new one")):
        run_sweep(write(tmp_path, only_large, "c.toml"), out, resume=True, workers=1)
