"""The report's interactive network view (plotly), on a planted two-block sweep.

Real run directories are written (config, status, snapshot files of a graph with two
planted blocks that form over training) and analysed by ``community.tables`` itself,
so the memberships the view colours by are Leiden's. The tests read the figures back
out of report.html (plotly's ``Plotly.newPlot`` / ``Plotly.addFrames`` calls) and check
them against the planted blocks and against strengths and degrees computed here from
the snapshot weights; the browser test opens the report in headless Chromium offline.
"""

import base64
import html
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from community.report import build_report
from community.report import network_view as nv
from community.tables import AnalysisSettings, analyse_sweep
from tests.browser import needs_chromium, offline_violations, open_page, page_requests, serve
from wiring import runs
from wiring.errors import WiringError

N = 24
BLOCK = np.arange(N) % 2                      # planted blocks, interleaved ids
STEPS = (0, 10, 20)
LRS = (0.01, 0.1)
SHORT_LR = 1.0        # a run that stopped after its first snapshot: one frame, no slider
GROUP = 'two <b>"blocks"</b> & </script><script>alert(1)</script>'
INPUTS, OUTPUTS, CLAMPED = [0], [N - 1], [1, 2]


def _weights(step: int, rng: np.random.Generator) -> np.ndarray:
    """W over all ordered pairs i != j: uniform at step 0, two blocks by the last step."""
    frac = step / STEPS[-1]
    same = BLOCK[:, None] == BLOCK[None, :]
    sign = np.where(rng.uniform(size=(N, N)) < 0.8, 1.0, -1.0)
    noise = rng.uniform(0.5, 1.5, (N, N))
    W = sign * ((1 - frac) * noise + frac * np.where(same, rng.uniform(1, 2, (N, N)),
                                                     rng.uniform(0.01, 0.05, (N, N))))
    np.fill_diagonal(W, 0.0)
    return W


def make_sweep(root: Path, *, group: str = GROUP) -> Path:
    """Run directories for three learning rates (one seed each), analysed for real; the
    run of ``SHORT_LR`` has its first snapshot only."""
    rng = np.random.default_rng(1)
    src, dst = (a.ravel() for a in np.meshgrid(np.arange(N), np.arange(N)))
    keep = src != dst
    src, dst = src[keep], dst[keep]
    status = []
    for lr in (*LRS, SHORT_LR):
        run_id = f"planted-lr{lr:g}"
        run_dir = runs.prepare_run_dir(root / "runs" / run_id)
        runs.write_config(run_dir, {"task": {"kind": "noise", "seed": 0},
                                    "simulation": {"learning_rate": lr, "prune": 0.0,
                                                   "pruning": "none"},
                                    "graph": {"family": "planted"}})
        for step in STEPS if lr != SHORT_LR else STEPS[:1]:
            W = _weights(step, rng)
            runs.write_snapshot(run_dir, step, src=src, dst=dst, weight=W[dst, src],
                                bias=np.zeros(N), inputs=INPUTS, outputs=OUTPUTS,
                                clamped=CLAMPED, n=N)
        runs.write_metrics(run_dir, [{"iteration": 0, "weight_abs_max": 1.0}])
        runs.write_status(run_dir, "ok")
        status.append({"run_id": run_id, "group": group})
    runs.write_table(root, "sweep_status", pd.DataFrame(status))
    analyse_sweep(root, settings=AnalysisSettings(n_null=0))
    return root


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return make_sweep(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def report(sweep, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    html_path, md_path = build_report(sweep, out_dir=out, network_max_edges=30)
    return html_path, md_path


# --------------------------------------------------------------------------- reading back


def _decode(value):
    """A plotly data array: a typed-array spec (base64) or a plain JSON list."""
    if isinstance(value, dict) and "bdata" in value:
        dtype = {"f4": "<f4", "f8": "<f8", "i1": "i1", "i2": "<i2", "i4": "<i4",
                 "u1": "u1", "u2": "<u2", "u4": "<u4"}[value["dtype"]]
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype).astype(float)
        if "shape" in value:
            arr = arr.reshape([int(s) for s in value["shape"].split(",")])
        return arr
    return np.array([np.nan if v is None else v for v in value], dtype=float) \
        if value and not isinstance(value[0], list) else np.array(value, dtype=float)


def _figures(text: str) -> list[dict]:
    """Every plotly figure of a page: {"id", "data", "layout", "frames"}."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', text):
        data, end = dec.raw_decode(text, m.end())
        rest = re.match(r",\s*", text[end:])
        layout, end = dec.raw_decode(text, end + rest.end())
        call = f"Plotly.addFrames('{m.group(1)}', "
        frames_at = text.find(call, end, text.find("</script>", end))
        frames = dec.raw_decode(text, frames_at + len(call))[0] if frames_at >= 0 else []
        out.append({"id": m.group(1), "data": data, "layout": layout, "frames": frames})
    return out


def _tables(sweep: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.read_parquet(sweep / "analysis" / "snapshots.parquet"),
            pd.read_parquet(sweep / "analysis" / "neurons.parquet"))


def _dense(path: str) -> np.ndarray:
    return runs.load_snapshot(path).dense()


def _edges_drawn(trace: dict, pos: np.ndarray) -> set[tuple[int, int]]:
    """(src, dst) neuron positions of the segments of an edge trace."""
    x, y = _decode(trace["x"]), _decode(trace["y"])
    assert x.size % 3 == 0 and np.isnan(x[2::3]).all() and np.isnan(y[2::3]).all()
    seg = np.stack([x, y], axis=1).reshape(-1, 3, 2)[:, :2]
    # each end sits exactly (float32) on one neuron's position
    d = np.abs(seg[:, :, None, :] - pos.astype(np.float32)[None, None]).sum(-1)
    assert (d.min(-1) < 1e-6).all()
    ends = d.argmin(-1)
    return {(int(a), int(b)) for a, b in ends}


# --------------------------------------------------------------------------- figure JSON


def test_one_figure_per_learning_rate_with_a_frame_per_snapshot(report, sweep):
    html_path, _ = report
    figs = _figures(html_path.read_text(encoding="utf-8"))
    snaps, _ = _tables(sweep)
    assert len(figs) == len(LRS) + 1 == snaps["run_id"].nunique()
    short = figs[-1]  # one snapshot: one static view, no frames, no slider
    assert short["frames"] == [] and "sliders" not in short["layout"]
    assert "step 0: " in short["layout"]["title"]["text"]
    assert len(short["data"][2]["marker"]["color"]) == N
    for fig in figs[:-1]:
        steps = fig["layout"]["sliders"][0]["steps"]
        assert [s["label"] for s in steps] == [str(s) for s in STEPS]
        assert [f["name"] for f in fig["frames"]] == [f"step {s}" for s in STEPS]
        assert [s["args"][0] == [f["name"]] for s, f in zip(steps, fig["frames"],
                                                              strict=True)] == [True] * 3
        assert all(s["method"] == "animate" for s in steps)
        assert fig["layout"]["sliders"][0]["active"] == len(STEPS) - 1  # opens on the last
        assert fig["layout"]["dragmode"] == "pan"
        # neurons keep their place: frames never move them
        assert all(f["traces"] == [0, 1, 2] and "x" not in f["data"][2] for f in fig["frames"])


def test_the_report_inlines_the_basic_plotly_bundle_once_and_draws_only_its_traces(report):
    html_path, _ = report
    text = html_path.read_text(encoding="utf-8")
    # one bundle, the partial one: the full bundle's 4.8 MB would be most of the file
    assert text.count("* plotly.js (basic - minified) v") == 1
    assert "* plotly.js v" not in text
    assert len(nv.plotly_js()) < len(nv.plotly_js("full")) / 3
    # every trace of every figure and frame is a type the basic bundle has
    types = {t.get("type", "scatter") for fig in _figures(text)
             for t in fig["data"] + [d for f in fig["frames"] for d in f["data"]]}
    assert types and types <= set(nv.BASIC_TRACES)


def test_a_basic_bundle_of_another_plotly_js_version_gives_the_full_bundle(tmp_path,
                                                                           monkeypatch):
    stale = tmp_path / "plotly-basic.min.js"
    stale.write_text("/**\n* plotly.js (basic - minified) v0.0.1\n*/\nvar Plotly;")
    monkeypatch.setattr(nv, "BASIC_BUNDLE", stale)
    assert nv.plotly_js() == nv.plotly_js("full")
    monkeypatch.setattr(nv, "BASIC_BUNDLE", tmp_path / "missing.js")
    assert nv.plotly_js() == nv.plotly_js("full")
    with pytest.raises(ValueError, match="bundle"):
        nv.plotly_js("cartesian")


def test_colours_follow_the_communities_of_the_neurons_table(report, sweep):
    html_path, _ = report
    snaps, nrn = _tables(sweep)
    for fig, lr in zip(_figures(html_path.read_text(encoding="utf-8"))[:-1], LRS, strict=True):
        run_id = snaps.loc[snaps["learning_rate"] == lr, "run_id"].iloc[0]
        for frame, step in zip(fig["frames"], STEPS, strict=True):
            colours = frame["data"][2]["marker"]["color"]
            custom = _decode(frame["data"][2]["customdata"])
            assert custom[:, 0].astype(int).tolist() == list(range(N))  # neuron ids
            # the frame's community column is the table's, for this run and step
            table = nrn[(nrn["run_id"] == run_id) & (nrn["step"] == step)].sort_values("neuron")
            member = table["community"].to_numpy()
            assert custom[:, 1].tolist() == member.tolist()
            # same colour if and only if same community
            pairs = {(c, m) for c, m in zip(colours, member, strict=True)}
            assert len(pairs) == len(set(colours)) == len(set(member))
            assert set(colours) <= set(nv.PALETTE)
        # the last snapshot: Leiden found the planted blocks, so two colours, one a block
        last = fig["frames"][-1]["data"][2]["marker"]["color"]
        assert len(set(last)) == 2
        assert {last[i] for i in np.flatnonzero(BLOCK == 0)} != \
            {last[i] for i in np.flatnonzero(BLOCK == 1)}
        assert all(len({last[i] for i in np.flatnonzero(BLOCK == b)}) == 1 for b in (0, 1))
        # the view opens on the last frame
        assert fig["data"][2]["marker"]["color"] == last
        # a colour follows a community: one that is, neuron for neuron, a community of the
        # last snapshot has its colour (colours matched, not the analysis's numbers)
        final = nrn[(nrn["run_id"] == run_id) & (nrn["step"] == STEPS[-1])]
        final_sets = {frozenset(final.loc[final["community"] == c, "neuron"]): last[i]
                      for i, c in zip(final["neuron"], final["community"], strict=True)}
        kept = 0
        for frame, step in zip(fig["frames"], STEPS, strict=True):
            table = nrn[(nrn["run_id"] == run_id) & (nrn["step"] == step)]
            colours = frame["data"][2]["marker"]["color"]
            for c in table["community"].unique():
                members = frozenset(table.loc[table["community"] == c, "neuron"])
                if members in final_sets:
                    kept += 1
                    assert {colours[i] for i in members} == {final_sets[members]}
        assert kept >= 2 + 2  # the last frame's two blocks, and at least the middle one's


def test_hover_shows_the_neurons_attributes(report, sweep):
    html_path, _ = report
    snaps, nrn = _tables(sweep)
    figs = _figures(html_path.read_text(encoding="utf-8"))[:-1]
    for fig, lr in zip(figs, LRS, strict=True):
        template = fig["data"][2]["hovertemplate"]
        for k, col in enumerate(nv.HOVER_COLUMNS):
            assert f"%{{customdata[{k}]" in template, col
        assert "%{text}" in template
        run = snaps[(snaps["learning_rate"] == lr)]
        for frame, step in zip(fig["frames"], STEPS, strict=True):
            row = run[run["step"] == step].iloc[0]
            W = _dense(row["snapshot_path"])
            table = nrn[(nrn["run_id"] == row["run_id"]) & (nrn["step"] == step)]
            table = table.sort_values("neuron")
            custom = _decode(frame["data"][2]["customdata"])
            A = np.abs(W)
            np.testing.assert_allclose(custom[:, 2], A.sum(axis=1), rtol=1e-6)  # in: onto i
            np.testing.assert_allclose(custom[:, 3], A.sum(axis=0), rtol=1e-6)  # out: from j
            assert custom[:, 4].tolist() == np.count_nonzero(W, axis=1).tolist()
            assert custom[:, 5].tolist() == np.count_nonzero(W, axis=0).tolist()
            np.testing.assert_allclose(custom[:, 6], table["participation"], rtol=1e-6)
            np.testing.assert_allclose(custom[:, 7], table["within_z"], rtol=1e-6)
            text = frame["data"][2]["text"]
            for i in range(N):
                kind = ("input" if i in INPUTS else "output" if i in OUTPUTS else "hidden") \
                    + (", clamped" if i in CLAMPED else "")
                assert text[i] == f"{kind}, role {table['role'].iloc[i]}"


def test_edge_cap_keeps_the_strongest_edges(report, sweep):
    html_path, md_path = report
    snaps, _ = _tables(sweep)
    figs = _figures(html_path.read_text(encoding="utf-8"))
    cap = 30
    short = figs.pop()
    assert sum(_decode(t["x"]).size // 3 for t in short["data"][:2]) == cap
    for fig, lr in zip(figs, LRS, strict=True):
        neurons = fig["data"][2]
        pos = np.stack([_decode(neurons["x"]), _decode(neurons["y"])], axis=1)
        run = snaps[snaps["learning_rate"] == lr]
        for frame, step in zip(fig["frames"], STEPS, strict=True):
            W = _dense(run[run["step"] == step]["snapshot_path"].item())
            exc = _edges_drawn(frame["data"][0], pos)
            inh = _edges_drawn(frame["data"][1], pos)
            assert len(exc) + len(inh) == cap
            dst, src = np.nonzero(W)
            top = np.argsort(-np.abs(W[dst, src]), kind="stable")[:cap]
            assert exc | inh == {(int(src[e]), int(dst[e])) for e in top}
            assert all(W[d, s] > 0 for s, d in exc) and all(W[d, s] < 0 for s, d in inh)
            assert f"step {step}: 30 of {np.count_nonzero(W):,} edges drawn" in \
                frame["layout"]["title"]["text"]
    md = md_path.read_text(encoding="utf-8")
    assert f"edges drawn per snapshot 30 of {N * (N - 1)}" in md
    assert "at most the 30 strongest by |w| of each snapshot" in md


def test_positions_are_fixed_deterministic_and_from_the_last_snapshot(report, sweep, tmp_path):
    html_path, _ = report
    first = _figures(html_path.read_text(encoding="utf-8"))
    again, _ = build_report(sweep, out_dir=tmp_path, network_max_edges=30)
    second = _figures(again.read_text(encoding="utf-8"))
    snaps, nrn = _tables(sweep)
    for a, b, lr in zip(first[:-1], second[:-1], LRS, strict=True):
        assert a["data"][2]["x"] == b["data"][2]["x"] and a["data"][2]["y"] == b["data"][2]["y"]
        last = snaps[(snaps["learning_rate"] == lr) & snaps["is_final"]].iloc[0]
        dst, src = np.nonzero(_dense(last["snapshot_path"]))
        member = nrn[(nrn["run_id"] == last["run_id"]) & (nrn["step"] == last["step"])]
        expect = nv.layout_positions(src, dst, _dense(last["snapshot_path"])[dst, src], n=N,
                                     membership=member.sort_values("neuron")["community"]
                                     .to_numpy())
        np.testing.assert_allclose(_decode(a["data"][2]["x"]), expect[:, 0], atol=1e-6)
        # the planted blocks sit apart: each block's centre is nearer its own neurons
        pos = np.stack([_decode(a["data"][2]["x"]), _decode(a["data"][2]["y"])], axis=1)
        centres = np.array([pos[BLOCK == b].mean(axis=0) for b in (0, 1)])
        nearest = np.linalg.norm(pos[:, None] - centres[None], axis=-1).argmin(axis=1)
        assert (nearest == BLOCK).mean() > 0.9


def test_names_are_escaped(report):
    html_path, md_path = report
    text = html_path.read_text(encoding="utf-8")
    # the group name never closes a script or opens one
    assert "<script>alert(1)" not in text and "alert(1)</script>" not in text
    n_figs = len(_figures(text))
    assert len(re.findall(r"<script\b", text)) == 1 + n_figs  # plotly.js + one per figure
    for fig in _figures(text):
        title = fig["layout"]["title"]["text"]
        # plotly reads titles as (a little) HTML: the name is entity-escaped in it
        assert html.escape(GROUP) in title and "<b>" not in title.replace("<br>", "")
    # figcaptions are escaped by the template
    assert "&amp; &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert GROUP in md_path.read_text(encoding="utf-8")


def test_markdown_points_at_the_html_report(report):
    _, md_path = report
    md = md_path.read_text(encoding="utf-8")
    section = md.split("## 4. Interactive network view", 1)[1].split("## 5.", 1)[0]
    assert section.count("is in `report.html` only") == len(LRS) + 1
    assert "1 snapshot (step 0), no slider" in section
    assert "![" not in section  # no image pretends to be the interactive view


def test_match_labels_maximises_overlap_with_the_reference():
    """Against brute force over every one-to-one pairing of small random partitions."""
    import itertools

    rng = np.random.default_rng(3)
    for _ in range(40):
        n = int(rng.integers(1, 15))
        a = rng.integers(0, int(rng.integers(1, 5)), n) * 7 + 3  # labels need not be 0..k-1
        ref = rng.integers(0, int(rng.integers(1, 5)), n)
        got = nv.match_labels(a, ref)
        # the same partition as a
        assert len({(x, y) for x, y in zip(a, got, strict=True)}) == len(set(a)) == \
            len(set(got))
        ua, ur = np.unique(a), np.unique(ref)
        ref_idx = np.searchsorted(ur, ref)
        shared = int(np.sum(got == ref_idx))  # neurons whose label is their reference one
        best = 0
        for perm in itertools.permutations(range(max(ua.size, ur.size)), ua.size):
            lab = np.array(perm)[np.searchsorted(ua, a)]
            best = max(best, int(np.sum(lab == ref_idx)))
        assert shared == best
        # unmatched communities get new labels beyond the reference's
        assert set(got) - set(range(ur.size)) <= set(range(ur.size, ur.size + ua.size))
        # and a community never takes the label of one it shares no neuron with
        for c in np.unique(got[got < ur.size]):
            assert np.any(ref_idx[got == c] == c)
    # two communities want reference 0; the loser shares nothing with what is left
    got = nv.match_labels(np.array([0, 0, 1, 1, 2, 2]), np.array([0, 0, 0, 0, 1, 2]))
    assert got[:4].tolist() in ([0, 0, 3, 3], [3, 3, 0, 0])  # 3: new, not reference 1 or 2
    assert got[4:].tolist() in ([1, 1], [2, 2])              # ties with both: either


def test_a_colour_follows_a_community_across_frames():
    """Renumbered communities keep their colour; a new one gets a colour of its own."""
    src, dst = np.array([0, 2, 4]), np.array([1, 3, 5])
    members = ([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9], [1, 1, 0, 0, 0, 2], [1, 1, 0, 0, 2, 2])
    frames = [nv.NetworkFrame(step=s, src=src, dst=dst, weight=np.ones(3),
                              membership=np.array(m)) for s, m in enumerate(members)]
    fig = nv.network_figure(np.arange(6), frames)
    colours = [f["data"][2]["marker"]["color"] for f in fig["frames"]]
    assert colours[0] == colours[1] == colours[3]  # the same blocks, whatever their numbers
    # the last (layout) frame is the key: its community c has colour c
    assert colours[3] == [nv.PALETTE[k] for k in (1, 1, 0, 0, 2, 2)]
    # frame 2: {0,1} is community 1 of the last frame, {2,3,4} overlaps its community 0
    # most, and {5} (a community of its own) shares neuron 5 with its community 2
    assert colours[2] == [nv.PALETTE[k] for k in (1, 1, 0, 0, 0, 2)]


def test_kind_labels_and_frame_edge_count():
    kinds = nv.kind_labels(np.arange(4), {"is_input": np.array([1, 0, 0, 0], bool),
                                          "is_output": np.array([0, 0, 0, 1], bool),
                                          "is_clamped": np.array([1, 1, 0, 0], bool)})
    assert kinds == ["input, clamped", "hidden, clamped", "hidden", "output"]
    f = nv.NetworkFrame(step=0, src=np.array([0, 1, 1, 2]), dst=np.array([0, 2, 0, 1]),
                        weight=np.array([5.0, 0.0, 1.0, -1.0]), membership=np.zeros(3))
    assert f.n_edges == 2  # the self-loop and the zero weight are not edges to draw
    with pytest.raises(WiringError, match="frames"):
        nv.network_figure(np.arange(3), [])


# --------------------------------------------------------------------------- degrading


def test_corrupt_snapshot_drops_its_frame_and_is_listed(sweep, tmp_path):
    broken = tmp_path / "s"
    shutil.copytree(sweep, broken)
    snaps, _ = _tables(broken)
    # the analysis tables point at the original files: re-point them at the copy
    snaps["snapshot_path"] = snaps["snapshot_path"].str.replace(str(sweep), str(broken))
    runs.write_table(broken / "analysis", "snapshots", snaps)
    bad = broken / "runs" / "planted-lr0.01" / "snapshots" / "step_10.npz"
    bad.write_bytes(b"not an npz")
    html_path, md_path = build_report(broken)
    figs = _figures(html_path.read_text(encoding="utf-8"))
    assert [len(f["frames"]) for f in figs] == [2, 3, 0]
    assert [s["label"] for s in figs[0]["layout"]["sliders"][0]["steps"]] == ["0", "20"]
    skipped = md_path.read_text(encoding="utf-8").split("Skipped", 2)[2]
    assert re.search(r"planted-lr0\.01 \|.*\| report \| network view: snapshot of step 10 "
                     r"not loaded", skipped)


def test_too_many_neurons_or_no_neurons_table_is_skipped(sweep, tmp_path, monkeypatch):
    loaded = []
    load = runs.load_snapshot
    monkeypatch.setattr(runs, "load_snapshot", lambda p: loaded.append(p) or load(p))
    html_path, md_path = build_report(sweep, out_dir=tmp_path / "a", network_max_neurons=N - 1,
                                      heatmap_max_neurons=N - 1)
    assert _figures(html_path.read_text(encoding="utf-8")) == []
    assert "<script" not in html_path.read_text(encoding="utf-8")  # no plotly.js either
    assert not loaded  # the size comes from the tables: no snapshot was read
    md = md_path.read_text(encoding="utf-8")
    assert md.count(f"network view: {N} neurons, more than network_max_neurons = {N - 1}") \
        == len(LRS) + 1
    assert "No run could be drawn (see Skipped)." in md

    bare = tmp_path / "bare"
    shutil.copytree(sweep, bare)
    for suffix in (".parquet", ".csv"):
        (bare / "analysis" / f"neurons{suffix}").unlink(missing_ok=True)
    _, md_path = build_report(bare)
    assert md_path.read_text(encoding="utf-8").count(
        "network view: neurons table missing") == len(LRS) + 1


def test_without_plotly_the_report_still_builds(sweep, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly -> ImportError
    html_path, md_path = build_report(sweep, out_dir=tmp_path)
    assert "<script" not in html_path.read_text(encoding="utf-8")
    md = md_path.read_text(encoding="utf-8")
    assert "The plotly package is not installed" in md
    assert "network view: plotly is not installed" in md


@pytest.mark.parametrize("name", ["network_max_edges", "network_max_neurons"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True, "10"])
def test_limits_are_checked(sweep, tmp_path, name, value):
    with pytest.raises(WiringError, match=name):
        build_report(sweep, out_dir=tmp_path, **{name: value})


def test_large_graph_is_fast_and_small(tmp_path):
    """2,000 neurons, 40,000 edges, 3 snapshots: the figure alone, timed and measured."""
    import time

    rng = np.random.default_rng(0)
    n, e = 2000, 40_000
    keys = rng.choice(n * (n - 1), e, replace=False)
    src, dst = keys // (n - 1), keys % (n - 1)
    dst = dst + (dst >= src)  # no self-loops
    member = rng.integers(0, 20, n)
    frames = [nv.NetworkFrame(step=s, src=src, dst=dst, weight=rng.normal(size=e),
                              membership=rng.permutation(member),
                              participation=rng.uniform(size=n), within_z=rng.normal(size=n),
                              role=["peripheral"] * n) for s in range(3)]
    t0 = time.perf_counter()
    fig = nv.network_figure(np.arange(n), frames, max_edges=nv.NETWORK_MAX_EDGES)
    snippet = nv.figure_html(fig, "big")
    elapsed = time.perf_counter() - t0
    assert elapsed < 30, f"{elapsed:.1f} s"
    per_frame = len(snippet) / (len(frames) + 1)  # the figure's data holds one frame too
    # typed arrays, base64 (plotly writes "/" as "\u002f": 1 in 64 characters is 6 long):
    # an edge is 3 points of 2 float32 (NaN between segments), a neuron 8 float32 of
    # hover data plus its colour and its text ("neuron, role ...")
    b64 = 4 / 3 * (1 + 5 / 64)
    edge_bytes = 3 * 2 * 4 * b64
    node_bytes = 8 * 4 * b64 + len('"#2E91E5",') + len('"neuron, role peripheral",')
    # (numbers as decimal text, or float64, would take about twice as much)
    assert per_frame < 1.2 * (nv.NETWORK_MAX_EDGES * edge_bytes + n * node_bytes), per_frame
    for frame in fig["frames"]:
        drawn = sum(_decode(t["x"]).size // 3 for t in frame["data"][:2])
        assert drawn == nv.NETWORK_MAX_EDGES


# --------------------------------------------------------------------------- browser test

# The harness waits until every plotly graph of the report is drawn with the frames
# the figure JSON has (%(frames)s, filled in by the test), then
# records what plotly drew, hovers over one neuron with plotly's own Fx.hover, and
# moves the first figure to its first frame with Plotly.animate (what the slider does).
HARNESS = """<!DOCTYPE html>
<html><body><pre id="result">pending</pre>
<iframe id="report" src="report.html" width="1280" height="900"></iframe>
<script>
function measure() {
  const win = document.getElementById("report").contentWindow;
  const doc = win.document;
  const graphs = Array.from(doc.querySelectorAll(".js-plotly-plot"));
  const expected = %(frames)s;
  const ready = win.Plotly && graphs.length === expected.length && graphs.every(
    (g, k) => g._fullLayout && g._transitionData && g._transitionData._frames &&
      g._transitionData._frames.length === expected[k]);
  if (!ready) { setTimeout(measure, 100); return; }
  const fills = g => Array.from(g.querySelectorAll(".scatterlayer .trace:last-child .point"))
    .map(p => p.style.fill);
  const out = {
    plotly: typeof win.Plotly.newPlot,
    graphs: graphs.map(g => ({
      id: g.id,
      points: fills(g).length,
      segments: Array.from(g.querySelectorAll(".scatterlayer .trace"))
        .slice(0, 2).map(t => t.querySelectorAll("path.js-line").length),
      slider_steps: g.querySelectorAll(".slider-container .slider-label-group").length,
      frames: g._transitionData._frames.length,
      fills: fills(g),
      buttons: Array.from(g.querySelectorAll(".modebar-btn")).map(b => b.dataset.title),
    })),
  };
  const g = graphs[0];
  win.Plotly.Fx.hover(g, [{curveNumber: 2, pointNumber: %(node)d}]);
  out.hover = Array.from(g.querySelectorAll(".hoverlayer .hovertext"))
    .map(e => e.textContent);
  win.Plotly.animate(g, ["step %(step0)d"], {mode: "immediate", frame: {duration: 0,
      redraw: true}, transition: {duration: 0}}).then(() => {
    out.fills_first = fills(g);
    out.title_first = g.querySelector(".gtitle").textContent;
    document.getElementById("result").textContent = JSON.stringify(out);
  });
}
window.addEventListener("load", measure);
</script></body></html>
"""


@needs_chromium
def test_headless_chromium_renders_the_network_offline(report, sweep, tmp_path):
    html_path, _ = report
    figs = _figures(html_path.read_text(encoding="utf-8"))
    node = 5
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(html_path, site / "report.html")
    (site / "harness.html").write_text(HARNESS % {
        "node": node, "step0": STEPS[0], "frames": json.dumps([len(f["frames"]) for f in figs])})
    with serve(site) as server:
        run = open_page(f"{server.origin}/harness.html", tmp_path, budget_ms=30000)
    result = run.result()
    assert result["plotly"] == "function"
    assert [g["id"] for g in result["graphs"]] == [f["id"] for f in figs]
    for g, fig in zip(result["graphs"], figs, strict=True):
        assert g["points"] == N                        # one marker per neuron
        # plotly draws a path per segment: one per edge, excitatory and inhibitory
        drawn = [_decode(t["x"]).size // 3 for t in fig["data"][:2]]
        assert g["segments"] == drawn and sum(drawn) == 30
        assert g["slider_steps"] == g["frames"] == len(fig["frames"])
        # the page opens on the last snapshot, coloured as its frame says
        assert g["fills"] == [_rgb(c) for c in fig["data"][2]["marker"]["color"]]
    assert [g["slider_steps"] for g in result["graphs"]] == [len(STEPS)] * len(LRS) + [0]
    # pan and zoom in the mode bar, and no button that would send the chart anywhere
    for g in result["graphs"]:
        assert {"Pan", "Zoom", "Zoom in", "Zoom out", "Reset axes"} <= set(g["buttons"])
        assert not [b for b in g["buttons"] if re.search("share|cloud|studio|edit", b, re.I)]
    # hover: plotly's label for one neuron shows the values of the figure's data
    custom = _decode(figs[0]["frames"][-1]["data"][2]["customdata"])[node]
    text = figs[0]["frames"][-1]["data"][2]["text"][node]
    (label,) = result["hover"]
    assert label.startswith(f"neuron {node}{text}community {int(custom[1])}")
    assert f"degree in {int(custom[4])}, out {int(custom[5])}" in label
    assert f"participation {custom[6]:.3f}" in label
    # the slider's first frame recolours the neurons by the first snapshot's communities
    first = figs[0]["frames"][0]["data"][2]["marker"]["color"]
    assert result["fills_first"] == [_rgb(c) for c in first] != result["graphs"][0]["fills"]
    assert f"step {STEPS[0]}:" in result["title_first"]
    # plotly.js came inline: the server saw the two pages only, nothing left the machine
    assert {p for _, p in server.requests} - {"/favicon.ico"} == {"/harness.html",
                                                                   "/report.html"}
    assert f"{server.origin}/report.html" in page_requests(run.events)
    assert offline_violations(run.events, server.port) == []


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
