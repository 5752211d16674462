"""The report's verdicts, evidence figures and unstable runs, on the fabricated sweep of
``test_report.py`` (new-schema tables: a ``runs`` table, structural evidence columns, SBM
blocks in the neurons table, regimes from :func:`community.regimes.classify`).

Figures are checked on the Axes the report drew: the plot functions are wrapped so each
call's arguments and returned Axes are recorded (``workers=1``: drawn in this process).
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from community import plot, regimes
from community.report import build_report
from tests.community.test_report import N_NULL, UNSTABLE_LR, make_sweep
from wiring import runs

UNSTABLE_RUNS = {f"noise-lr{UNSTABLE_LR:g}-s{s}" for s in (0, 1)}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return make_sweep(tmp_path_factory.mktemp("verdicts"))


def _spy(monkeypatch, names):
    """Record (kwargs, args, returned object) of each call of ``plot.<name>``."""
    calls = {name: [] for name in names}
    for name in names:
        original = getattr(plot, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            out = _original(*args, **kwargs)
            calls[_name].append((args, kwargs, out))
            return out
        monkeypatch.setattr(plot, name, spy)
    return calls


@pytest.fixture(scope="module")
def built(sweep, tmp_path_factory):
    """The report built once in this process, with the figure functions recorded."""
    mp = pytest.MonkeyPatch()
    calls = _spy(mp, ["measure_vs_lr", "null_zscores", "heatmap_grid", "training_curves",
                      "convergence"])
    loaded = []
    load = runs.load_snapshot

    def load_spy(path):
        loaded.append(Path(path))
        return load(path)
    mp.setattr(runs, "load_snapshot", load_spy)
    try:
        html_path, md_path = build_report(sweep, out_dir=tmp_path_factory.mktemp("out"),
                                          workers=1)
    finally:
        mp.undo()
    return {"html": html_path.read_text(), "md": md_path.read_text(), "calls": calls,
            "loaded": loaded, "regimes": pd.read_parquet(sweep / "analysis" /
                                                         "regimes.parquet")}


def _section(md: str, title: str) -> str:
    head = re.search(rf"^## \d+\. {re.escape(title)}$", md, re.M)
    return md[head.end():].split("\n## ", 1)[0]


def _md_table(text: str) -> list[dict[str, str]]:
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    head = [c.strip() for c in lines[0].strip("| ").split(" | ")]
    return [dict(zip(head, [c.strip() for c in ln.strip().strip("|").split(" | ")],
                     strict=True)) for ln in lines[2:]]


# --------------------------------------------------------------------------- verdicts


def test_verdict_table_opens_the_report_and_matches_the_regimes_table(built):
    md, html = built["md"], built["html"]
    assert re.search(r"^## 1\. Verdicts$", md, re.M)
    body = md.split("## 1. Verdicts", 1)[1]
    assert body.index("| group | learning rate | regime |") < body.index("## 2. Summary")
    # in the HTML the verdict table is the page's first table and comes before any figure
    assert html.index("<table>") < html.index("<img") and html.index("<table>") < html.index(
        '<section id="summary">')
    rows = _md_table(_section(md, "Verdicts"))
    reg = built["regimes"]
    assert len(rows) == len(reg) == 6  # noise: 4 learning rates, digits: 2
    # groups in report order (noise first), learning rates numerically within a group
    assert [(r["group"], r["learning rate"]) for r in rows] == [
        ("noise", "0.001"), ("noise", "0.01"), ("noise", "0.1"), ("noise", "1"),
        ("digits", "0.01"), ("digits", "0.1")]
    for row in rows:
        want = reg[(reg["group"] == row["group"])
                   & np.isclose(reg["learning_rate"], float(row["learning rate"]))].iloc[0]
        assert row["regime"] == want["regime"]
        runs_text = f"{want['n_analysed']}/{want['n_runs']}"
        if want["n_unstable"]:
            runs_text += f" ({want['n_unstable']} unstable)"
        assert row["runs analysed"] == runs_text
        if want["n_analysed"]:
            assert row["beat the init-pruned null (runs)"] == (
                f"modularity {want['q_beats']}, block assortativity {want['ba_beats']}, "
                f"block disassortativity {want['bd_beats']}, hub share {want['hub_beats']}")
            assert row["null draws"] == f"{N_NULL} per null"
        else:
            assert row["beat the init-pruned null (runs)"] == "not analysed"
            assert row["null draws"] == "-"
    (unstable,) = [r for r in rows if r["learning rate"] == f"{UNSTABLE_LR:g}"]
    assert unstable["regime"] == "unstable" and unstable["runs analysed"] == "0/2 (2 unstable)"
    # the fixture's verdicts
    assert {r["regime"] for r in rows} >= {"unstable", "unchanged", "within-module", "mixed"}
    mixed = next(r for r in rows if r["regime"] == "mixed")
    assert "block disassortativity: init-pruned" in mixed["nulls beaten"]


def test_verdicts_define_each_regime_shown_and_say_what_decides(built):
    text = _section(built["md"], "Verdicts")
    shown = set(built["regimes"]["regime"])
    for regime, sentence in regimes.DEFINITIONS.items():
        assert (f"- **{regime}**: {sentence}" in text) == (regime in shown)
    assert "The null that decides is the init-pruned null" in text
    assert "what pruning random weights alone builds" in text
    assert f"Every z-score rests on {N_NULL} draws per null model and run" in text
    assert "'changed' means" in text and "not detected at this power" in text
    assert f"1/{N_NULL + 1}" in text
    # the later Regimes section keeps the full evidence
    assert "| evidence |" in _section(built["md"], "Learning-rate regimes")


# --------------------------------------------------------------------------- figures


def test_structure_figure_draws_each_null_and_marks_the_unstable_rate(built):
    calls = built["calls"]["measure_vs_lr"]
    noise = [(a, k, ax) for a, k, ax in calls if set(a[0]["group"]) == {"noise"}]
    drawn = {a[1]: (k, ax) for a, k, ax in noise}
    assert {"q_max", "block_assortativity", "block_disassortativity", "hub_share",
            "saturated_fraction", "weight_growth"} <= set(drawn)
    # no neuron is isolated in any run: a flat line tells nothing, so no panel, one line
    assert "isolated_fraction" not in drawn
    text = _section(built["md"], "Structure against the learning rate")
    assert ("Group noise: not drawn, no information (the same value in every run and "
            "step): isolated neurons (fraction) = 0.") in text
    for y, sig in (("q_max", "q"), ("block_assortativity", "ba"),
                   ("block_disassortativity", "bd"), ("hub_share", "hub")):
        kwargs, ax = drawn[y]
        final = [a for a, _, _ in noise if a[1] == y][0][0]
        lines = {ln.get_gid(): ln for ln in ax.lines}
        for name, m in (("init-pruned", "init_pruned"), ("shuffled", "shuffle"),
                        ("rewired", "rewire")):
            line = lines[f"null:{name}"]
            means = final.groupby("learning_rate")[f"{sig}_null_{m}"].mean()
            np.testing.assert_allclose(line.get_xdata(), means.index)
            np.testing.assert_allclose(line.get_ydata(), means.to_numpy())
        assert len({lines[f"null:{n}"].get_linestyle() for n in
                    ("init-pruned", "shuffled", "rewired")}) == 3
    for kwargs, ax in drawn.values():  # every panel marks the unstable learning rate
        assert list(kwargs["unstable"]) == [UNSTABLE_LR]
        (mark,) = [ln for ln in ax.lines if ln.get_gid() == "unstable"]
        assert mark.get_xdata().tolist() == [UNSTABLE_LR]
        assert UNSTABLE_LR not in set(ax.lines[0].get_xdata())  # no point: not analysed
    assert drawn["weight_growth"][1].get_yscale() == "log"
    # digits has no unstable learning rate, so nothing is marked there
    digits = [k for a, k, _ in calls if set(a[0]["group"]) == {"digits"}]
    assert digits and all(list(k["unstable"]) == [] for k in digits)
    first_legend = [t.get_text() for t in drawn["q_max"][1].get_legend().get_texts()]
    assert first_legend == ["observed", "null: init-pruned", "null: shuffled", "null: rewired",
                            "unstable: not analysed"]


def test_null_section_one_panel_per_signature_hue_null_with_the_draws(built):
    calls = built["calls"]["null_zscores"]
    noise = [(a, k, ax) for a, k, ax in calls if set(a[0]["group"]) == {"noise"}]
    assert len(noise) == 4  # modularity, block assortativity and disassortativity, hubs
    for (_, columns), kwargs, ax in noise:
        sig = next(iter(columns.values())).split("_z_")[0]
        assert columns == {"init-pruned": f"{sig}_z_init_pruned",
                           "shuffled": f"{sig}_z_shuffle", "rewired": f"{sig}_z_rewire"}
        assert {ln.get_gid() for ln in ax.lines} >= {"null:init-pruned", "null:shuffled",
                                                     "null:rewired", "refline", "unstable"}
        assert list(kwargs["unstable"]) == [UNSTABLE_LR]
    section = _section(built["md"], "Null models")
    assert section.count(f"over {N_NULL} draws per null and run") == 2  # one figure per group
    assert "q_z_shuffle" not in section


def test_sbm_ordered_heatmap_beside_the_leiden_one(built, sweep):
    nrn = pd.read_parquet(sweep / "analysis" / "neurons.parquet")
    snaps = pd.read_parquet(sweep / "analysis" / "snapshots.parquet")
    (noise, digits) = built["calls"]["heatmap_grid"]
    panels, kwargs = noise[0][0], noise[1]
    assert kwargs["ncols"] == 2 and kwargs["group_singletons"]
    assert len(panels) == 2 * 3  # three analysed learning rates, a pair each
    for leiden, sbm in zip(panels[::2], panels[1::2], strict=True):
        assert "Leiden" in leiden[0] and "SBM" in sbm[0]
        np.testing.assert_array_equal(leiden[1], sbm[1])  # the same matrix, twice
        lr = float(re.search(r"r = ([\d.e+-]+)", sbm[0]).group(1))
        seed = int(re.search(r"seed (\d+)", sbm[0]).group(1))
        run_id = f"noise-lr{lr:g}-s{seed}"
        final = nrn[(nrn["run_id"] == run_id) & nrn["is_final"]].sort_values("neuron")
        np.testing.assert_array_equal(sbm[2], final["block"])
        np.testing.assert_array_equal(leiden[2], final["community"])
        row = snaps[(snaps["run_id"] == run_id) & snaps["is_final"]].iloc[0]
        assert f"{int(row['sbm_blocks'])} block" in sbm[0]
        assert f"BD = {row['block_disassortativity']:.2f}" in sbm[0]
    assert kwargs["colorbars"] == [False, True] * 3  # one colour scale per pair
    caption = _section(built["md"], "Weight matrices: Leiden and block-model order")
    assert "block disassortativity" in caption and "3 blocks" in caption


# --------------------------------------------------------------------------- unstable runs


def test_unstable_runs_are_drawn_dashed_in_training_and_nowhere_else(built, sweep):
    # never read as a result: no snapshot of an unstable run was loaded by any section
    unstable_dirs = {sweep / "runs" / r for r in UNSTABLE_RUNS}
    assert built["loaded"] and not [p for p in built["loaded"]
                                    if p.parent.parent in unstable_dirs]
    md = built["md"]
    for title in ("Verdicts", "Summary", "Weight matrices: Leiden and block-model order",
                  "Interactive network view", "Block matrices", "Neuron roles"):
        assert not any(r in _section(md, title) for r in UNSTABLE_RUNS), title
    # the training curves keep them, each on its own, dashed
    curves = [(a, k, ax) for a, k, ax in built["calls"]["training_curves"]
              if set(a[0]["group"]) == {"noise"}]
    ax = next(ax for _, k, ax in curves if k["y"] == "weight_abs_max")
    dashed = [ln for ln in ax.lines if ln.get_gid() == "unstable-run"]
    assert len(dashed) == 2 and all(ln.get_linestyle() != "-" for ln in dashed)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "1 (unstable)" in labels and "unstable run (not analysed)" in labels
    training = _section(md, "Training and convergence")
    assert "dashed: each unstable run on its own" in training
    assert all(r in training for r in UNSTABLE_RUNS)
    # the skipped list says why they are missing elsewhere
    assert all(r in _section(md, "Skipped") for r in UNSTABLE_RUNS)


def test_rows_of_unstable_runs_in_older_tables_are_dropped_and_listed(tmp_path):
    """Tables of an older analysis kept an unstable run's snapshots: never drawn."""
    sweep = make_sweep(tmp_path / "s", supervised=False, broken=False)
    analysis = sweep / "analysis"
    snaps = pd.read_parquet(analysis / "snapshots.parquet")
    nrn = pd.read_parquet(analysis / "neurons.parquet")
    bad = "noise-lr0.01-s0"  # an analysed run, now marked unstable as an old table did
    snaps.loc[snaps["run_id"] == bad, "run_status"] = "unstable"
    runs_t = pd.read_parquet(analysis / "runs.parquet").drop(columns=["run_status"])
    for name, table in (("snapshots", snaps), ("neurons", nrn), ("runs", runs_t)):
        runs.write_table(analysis, name, table)
    loaded = []
    load = runs.load_snapshot
    mp = pytest.MonkeyPatch()
    mp.setattr(runs, "load_snapshot", lambda p: (loaded.append(Path(p)), load(p))[1])
    try:
        _, md_path = build_report(sweep, out_dir=tmp_path / "out", workers=1)
    finally:
        mp.undo()
    md = md_path.read_text()
    assert not [p for p in loaded if p.parent.parent.name == bad]
    assert re.search(rf"{bad} \| noise \| report \| run ended unstable: its rows", md)
    shown = _section(md, "Interactive network view")  # names the run it draws
    assert "run noise-lr0.01-s1" in shown and bad not in shown


# --------------------------------------------------------------------------- build


def test_two_processes_build_the_same_report(sweep, tmp_path):
    one, md_one = build_report(sweep, out_dir=tmp_path / "one", workers=1)
    two, md_two = build_report(sweep, out_dir=tmp_path / "two", workers=2)

    def strip(text):
        return re.sub(r"generated \S+", "generated T", text)
    assert strip(md_one.read_text()) == strip(md_two.read_text())
    figs_one = sorted((tmp_path / "one" / "figures").glob("*.png"))
    figs_two = sorted((tmp_path / "two" / "figures").glob("*.png"))
    assert [p.name for p in figs_one] == [p.name for p in figs_two] and len(figs_one) > 15
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(figs_one, figs_two,
                                                               strict=True))
    with pytest.raises(ValueError, match="workers"):
        build_report(sweep, out_dir=tmp_path / "x", workers=0)


def test_a_second_process_only_when_cores_are_idle(monkeypatch):
    from community.report import build

    idle = build._idle_cores(0.05)
    assert idle is None or 0.0 <= idle <= (build.os.cpu_count() or 1) + 1e-9
    monkeypatch.setattr(build.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(build, "_can_fork", lambda: True)
    monkeypatch.setattr(build, "_idle_cores", lambda interval=0.1: 0.6)  # one core busy
    assert build._default_workers() == 1
    monkeypatch.setattr(build, "_idle_cores", lambda interval=0.1: 1.9)
    assert build._default_workers() == 2
    monkeypatch.setattr(build, "_can_fork", lambda: False)
    assert build._default_workers() == 1


def test_runs_from_different_commits_are_flagged(sweep, tmp_path):
    """A table that pools runs produced by different code says so before its verdicts."""
    import shutil

    from community.tables import mixed_provenance

    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    table = pd.read_parquet(copy / "analysis" / "runs.parquet")
    assert mixed_provenance(table.assign(produced_by="a" * 40, produced_dirty=False)) == []
    table["produced_by"] = ["a" * 40] * (len(table) - 1) + ["b" * 40]
    table["produced_dirty"] = False
    runs.write_table(copy / "analysis", "runs", table)
    _, md = build_report(copy, out_dir=tmp_path / "out", workers=1)
    text = md.read_text()
    verdicts = text[text.index("## 1. Verdicts"):text.index("## 2.")]
    assert "Warning: the runs were produced by 2 different commits" in verdicts
    assert "bbbbbbbbbb: " in verdicts
