"""community.report: a report built from fabricated analysis tables and real snapshot files.

The fixture writes what ``community/tables.py`` would write (the tables of its schema,
CSV twins, settings.json) plus ``sweep.toml`` / ``provenance.json`` and real snapshot
files (``wiring.runs.write_snapshot``), so these tests do not run the analysis itself;
the regimes table is :func:`community.regimes.classify` of the fabricated tables. One
learning rate of the noise group (``UNSTABLE_LR``) diverged in both seeds: its runs are
in the ``runs`` and ``training`` tables and have snapshot files on disk, but no rows in
the snapshots, neurons or blocks tables, as the analysis writes them.
The browser test opens the HTML report in headless Chromium. The interactive network
view has its own tests in ``test_report_network.py``; here it is one more section whose
scripts (plotly.js inline, plotly's figure calls) must be the only ones. The verdicts,
the evidence figures and the handling of unstable runs are tested in
``test_report_verdicts.py``.
"""

import base64
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from community.regimes import classify
from community.report import build_report
from community.report.network_view import plotly_js
from tests.browser import needs_chromium, offline_violations, open_page, page_requests, serve
from wiring import runs

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WEIGHT_MODE, QUALITY = "abs", "modularity"
SWEEP_TOML = '''# fabricated sweep
[sweep]
name = "fixture"

[[sweep.group]]
name = "noise"
task = "noise"
learning_rate = [0.001, 0.01, 0.1, 1.0]
seeds = [0, 1]

[[sweep.group]]
name = "digits"
task = "supervised"
learning_rate = [0.01, 0.1]
seeds = [0, 1]
'''
PROVENANCE = {"seed": 0, "wiring_version": "0.1.0", "git_commit": "abc123", "git_dirty": False,
              "command": ["wiring", "sweep", "sweep.toml"], "extra": {}}
N_NULL = 20
SETTINGS = {"weight_mode": WEIGHT_MODE, "quality": QUALITY, "resolution": 1.0,
            "leiden_runs": 1, "nodes": "auto", "n_null": N_NULL, "threshold": 0.0}
STEPS = (0, 50, 100)
UNSTABLE_LR = 1.0
NULLS = ("init_pruned", "shuffle", "rewire")
SECTION_TITLES = ("Verdicts", "Summary", "Weight matrices: Leiden and block-model order",
                  "Interactive network view", "Block matrices",
                  "Structure against the learning rate", "Null models", "Communities",
                  "Neuron roles", "Emergence over training", "Training and convergence",
                  "Learning-rate regimes", "Skipped", "Configuration and provenance")


# --------------------------------------------------------------------------- the fixture


def _weights(n, membership, lr, frac, rng):
    """Random signed W drifting from within- (small lr) to across-module (large lr) blocks."""
    same = membership[:, None] == membership[None, :]
    W = rng.normal(0.0, 0.1, (n, n))
    bias = np.where(same, 1.0, 0.0) if lr < 0.05 else np.where(same, 0.0, 1.0)
    W += frac * bias * rng.uniform(0.5, 1.5, (n, n)) * np.sign(rng.normal(size=(n, n)) + 0.5)
    np.fill_diagonal(W, 0.0)
    return W


def _ga_role(p, z):
    if z >= 2.5:
        return "provincial hub" if p < 0.3 else "connector hub" if p < 0.75 else "kinless hub"
    if p < 0.05:
        return "ultra-peripheral"
    return "peripheral" if p < 0.62 else "non-hub connector" if p < 0.8 else "non-hub kinless"


def _evidence(lr, rng):
    """The structural-evidence columns of a final snapshot (community.evidence)."""
    strong = lr >= 0.05  # across-module and hubs at large learning rates
    row = {"q_max": rng.uniform(0.3, 0.4) if not strong else rng.uniform(0.1, 0.2),
           "block_assortativity": 0.0 if strong else rng.uniform(0.2, 0.3),
           "block_disassortativity": rng.uniform(0.4, 0.6) if strong else 0.0,
           "hub_share": rng.uniform(0.4, 0.5) if strong else rng.uniform(0.12, 0.15),
           "sbm_blocks": 3 if strong else 1, "n_null": N_NULL,
           "isolated_fraction": 0.0, "saturated_fraction": rng.uniform(0, 0.1),
           "weight_growth": 1 + 100 * lr, "rich_club_rho": 1.0}
    for sig, col in (("q", "q_max"), ("ba", "block_assortativity"),
                     ("bd", "block_disassortativity"), ("hub", "hub_share")):
        for k, m in enumerate(NULLS):
            null = (row[col] * (0.5 + 0.1 * k) if (strong or sig in ("q", "ba"))
                    else row[col])
            z = rng.normal(6.0, 1.0) if null < row[col] else rng.normal(0.0, 1.0)
            row[f"{sig}_null_{m}"] = null
            row[f"{sig}_z_{m}"] = z
            row[f"{sig}_p_{m}"] = 1 / (N_NULL + 1) if z > 2 else 0.5
    return row


def make_sweep(root: Path, *, supervised: bool = True, broken: bool = True) -> Path:
    """Fabricate ``<root>/runs/*`` snapshots and ``<root>/analysis/*`` tables."""
    rng = np.random.default_rng(0)
    groups = [("noise", "noise", (0.001, 0.01, 0.1, UNSTABLE_LR), 16, np.arange(0),
               np.arange(0))]
    if supervised:
        groups.append(("digits", "supervised", (0.01, 0.1), 20, np.arange(6), np.arange(18, 20)))
    snaps, neurons, blocks, training, runs_rows, skipped = [], [], [], [], [], []
    for group, task, lrs, n, inputs, outputs in groups:
        nodes = np.setdiff1d(np.arange(n), np.concatenate([inputs, outputs]))
        k = 4 if task == "noise" else 3
        src, dst = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n)))
        keep = src != dst
        src, dst = src[keep], dst[keep]
        cell = {"group": group, "task": task, "rule": "balance",
                "prune": 0.5 if task == "noise" else 0.0,
                "pruning": "magnitude" if task == "noise" else "", "graph_family": "dense"}
        for lr in lrs:
            for seed in (0, 1):
                run_id = f"{group}-lr{lr:g}-s{seed}"
                unstable = lr == UNSTABLE_LR
                run_dir = runs.prepare_run_dir(root / "runs" / run_id)
                member = rng.permutation(np.arange(nodes.size) % k)
                block = np.sort(member) if lr >= 0.05 else np.zeros(nodes.size, int)
                reason = (f"the weights diverged at iteration 30 (learning rate {lr:g})"
                          if unstable else "")
                runs_rows.append({"run_id": run_id, **cell, "learning_rate": lr,
                                  "seed": seed, "run_status": "unstable" if unstable
                                  else "ok", "reason": reason,
                                  "n_snapshots": 1 if unstable else len(STEPS)})
                if unstable:
                    skipped.append({"run_id": run_id, "group": group, "stage": "run",
                                    "reason": f"run ended unstable: {reason}"})
                for step in STEPS[:1] if unstable else STEPS:
                    frac = step / STEPS[-1]
                    W = np.zeros((n, n))
                    W[np.ix_(nodes, nodes)] = _weights(nodes.size, member, lr, frac, rng)
                    path = runs.write_snapshot(
                        run_dir, step, src=src, dst=dst, weight=W[dst, src], bias=np.zeros(n),
                        inputs=inputs if inputs.size else [0], outputs=outputs if outputs.size
                        else [n - 1], clamped=[1, 2] if task == "noise" else [], n=n)
                    if unstable:
                        continue  # not analysed: no rows in snapshots, neurons, blocks
                    A = np.abs(W[np.ix_(nodes, nodes)])
                    same = member[:, None] == member[None, :]
                    B = np.array([[A[np.ix_(member == a, member == b)].mean() for b in range(k)]
                                  for a in range(k)])
                    within = A[same].sum() / A.sum()
                    chance = (same.sum() - nodes.size) / (nodes.size * (nodes.size - 1))
                    final = step == STEPS[-1]
                    snaps.append({
                        "run_id": run_id, **cell, "learning_rate": lr, "seed": seed,
                        "step": step, "step_fraction": frac, "is_final": final,
                        "snapshot_path": str(path.resolve()), "run_status": "ok",
                        "weight_mode": WEIGHT_MODE, "quality": QUALITY, "resolution": 1.0,
                        "nodes": "all" if task == "noise" else "hidden",
                        "n_nodes": nodes.size, "n_edges": int(np.count_nonzero(A)),
                        "density": float(np.count_nonzero(A) / A.size),
                        "weight_abs_mean": float(A.mean()), "weight_abs_max": float(A.max()),
                        "weight_change": frac * lr * 10, "modularity": within - chance,
                        "n_communities": k + int(rng.integers(0, 2)),
                        "largest_community_fraction": 1 / k + 0.05,
                        "within_fraction": within, "within_chance": chance,
                        "within_excess": within / chance,
                        "offdiag_index": float(B[~np.eye(k, dtype=bool)].max() / np.diag(B).mean()),
                        "ari_seeds": rng.uniform(0.2, 0.9), "nmi_seeds": rng.uniform(0.3, 0.9),
                        "ari_final": 1.0 if final else rng.uniform(0, 0.8),
                        **(_evidence(lr, rng) if final else {}),
                    })
                    p = rng.uniform(0, 1, nodes.size)
                    z = rng.normal(0, 1.2, nodes.size)
                    neurons.append(pd.DataFrame({
                        "run_id": run_id, "group": group, "learning_rate": lr, "seed": seed,
                        "step": step, "is_final": final, "weight_mode": WEIGHT_MODE,
                        "neuron": nodes, "community": member,
                        "block": block if final else -1, "in_strength": A.sum(1),
                        "out_strength": A.sum(0), "participation_in": p, "participation_out": p,
                        "participation": p, "within_z": z,
                        "role": [_ga_role(a, b) for a, b in zip(p, z, strict=True)],
                        "is_input": np.isin(nodes, inputs), "is_output": np.isin(nodes, outputs),
                        "is_clamped": np.isin(nodes, [1, 2]) if task == "noise" else False}))
                    a, b = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
                    sizes = np.bincount(member, minlength=k)
                    blocks.append(pd.DataFrame({
                        "run_id": run_id, "group": group, "learning_rate": lr, "seed": seed,
                        "step": step, "weight_mode": WEIGHT_MODE, "block_to": a.ravel(),
                        "block_from": b.ravel(), "mean_abs_weight": B.ravel(),
                        "size_to": sizes[a.ravel()], "size_from": sizes[b.ravel()]}))
                t = np.arange(0, 101, 10)
                base = {"run_id": run_id, "group": group, "learning_rate": lr, "seed": seed,
                        "status": "ok", "run_status": "unstable" if unstable else "ok"}
                if task == "noise":
                    t = t[:4] if unstable else t  # stopped when it diverged
                    training.append(pd.DataFrame({
                        **base, "iteration": t, "weight_abs_max": 0.3 + lr * t ** (
                            3 if unstable else 1),
                        "weight_abs_mean": 0.1 + lr * t / 10, "density": 1 - t / 250,
                        "firing_iterations_mean": 1.0, "credit_iterations_mean": 1.0,
                        "settle_capped": (t > 50) * int(lr * 100)}))
                else:
                    e = np.arange(6)
                    training.append(pd.DataFrame({
                        **base, "epoch": e, "step": e * 10, "train_loss": 2 * np.exp(-lr * e * 5),
                        "test_loss": 2.1 * np.exp(-lr * e * 4),
                        "train_accuracy": 1 - np.exp(-lr * e * 5), "test_accuracy":
                        0.9 - 0.8 * np.exp(-lr * e * 4), "firing_iterations_mean": 20 - e,
                        "credit_iterations_mean": 25 - e, "nonconverged": (e > 3) * seed}))
    snaps = pd.DataFrame(snaps)
    if broken:  # the final snapshot of one run is gone: the report must skip it, not crash
        row = (snaps["run_id"] == "noise-lr0.1-s0") & snaps["is_final"]
        Path(snaps.loc[row, "snapshot_path"].item()).unlink()
    runs_table = pd.DataFrame(runs_rows)
    skipped.append({"run_id": "noise-lr1-s9", "group": "noise", "stage": "run",
                    "reason": "no status.json | killed"})
    tables = {"runs": runs_table, "snapshots": snaps,
              "neurons": pd.concat(neurons, ignore_index=True),
              "blocks": pd.concat(blocks, ignore_index=True),
              "regimes": classify(snaps, runs_table),
              "training": pd.concat(training, ignore_index=True),
              "skipped": pd.DataFrame(skipped)}
    analysis = root / "analysis"
    analysis.mkdir(parents=True)
    for name, table in tables.items():
        runs.write_table(analysis, name, table)
    (analysis / "settings.json").write_text(json.dumps(SETTINGS))
    (root / "sweep.toml").write_text(SWEEP_TOML)
    (root / "provenance.json").write_text(json.dumps(PROVENANCE))
    return root


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    sweep = make_sweep(tmp_path_factory.mktemp("sweep"))
    html_path, md_path = build_report(sweep, title="Fixture report")
    return sweep, html_path, md_path


class _Refs(HTMLParser):
    """Every src/href attribute, the <img> srcs, captions, scripts and tag names of a page;
    ``text`` is the page without the contents of its scripts."""

    def __init__(self):
        super().__init__()
        self.refs, self.imgs, self.tags = [], [], []
        self.captions, self._in_caption = [], False
        self.scripts, self._in_script, self.text = [], False, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append({"attrs": dict(attrs), "text": ""})
            self._in_script = True
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action"):
                self.refs.append(value or "")
        if tag == "img":
            self.imgs.append(dict(attrs).get("src", ""))
        if tag in ("figcaption", "caption"):
            self._in_caption = True
            self.captions.append("")

    def handle_endtag(self, tag):
        if tag in ("figcaption", "caption"):
            self._in_caption = False
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_caption:
            self.captions[-1] += data
        if self._in_script:
            self.scripts[-1]["text"] += data
        else:
            self.text.append(data)


def _parse(path):
    p = _Refs()
    p.feed(path.read_text(encoding="utf-8"))
    return p


# --------------------------------------------------------------------------- file tests


def test_both_files_written_atomically(report):
    sweep, html_path, md_path = report
    assert html_path == sweep / "report" / "report.html" and html_path.is_file()
    assert md_path == sweep / "report" / "report.md" and md_path.is_file()
    assert not [p for p in html_path.parent.rglob(".*") if p.is_file()]  # no temp files left
    for path in (html_path, md_path, *html_path.parent.glob("figures/*.png")):
        assert path.stat().st_mode & 0o777 == 0o644


def test_html_is_self_contained(report):
    _, html_path, _ = report
    page = _parse(html_path)
    assert page.imgs, "no figures in the report"
    for ref in page.refs:
        assert not re.match(r"^\s*(https?:|//|ftp:)", ref, re.I), ref
        assert ref.startswith(("#", "data:image/png;base64,")), ref
    for src in page.imgs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1], validate=True).startswith(PNG_MAGIC)
    assert "link" not in page.tags and "iframe" not in page.tags
    # scripts: plotly.js of the installed package, once, then one plotly call per figure
    # of the network view (its own tests check them); none loads anything
    bundle, *calls = page.scripts
    assert bundle == {"attrs": {}, "text": plotly_js()}
    divs = re.findall(r'<div id="(network-\d+)" class="plotly-graph-div"',
                      html_path.read_text(encoding="utf-8"))
    assert len(calls) == len(divs) == 5  # one per group and learning rate
    for call, div in zip(calls, divs, strict=True):
        assert call["attrs"] == {}
        assert call["text"].strip().startswith("window.PLOTLYENV")
        assert re.search(rf'Plotly\.newPlot\(\s*"{div}"', call["text"])
        assert not re.search(r"https?:|//cdn|\bsrc\b", call["text"])
    text = "".join(page.text)  # the page outside its scripts
    assert "url(" not in text and "@import" not in text and not re.search(r"https?:", text)


def test_markdown_references_existing_pngs(report):
    _, html_path, md_path = report
    refs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md_path.read_text(encoding="utf-8"))
    assert len(refs) == len(_parse(html_path).imgs)
    for ref in refs:
        assert not Path(ref).is_absolute() and not re.match(r"^[a-z]+:", ref)
        png = md_path.parent / ref
        assert png.is_file() and png.read_bytes()[:8] == PNG_MAGIC


def test_sections_and_captions(report):
    _, html_path, md_path = report
    md, text = md_path.read_text(), html_path.read_text()
    for k, title in enumerate(SECTION_TITLES, 1):
        assert f"## {k}. {title}" in md
        assert f"{k}. {title}</h2>" in text
    captions = _parse(html_path).captions
    assert len(captions) > 10
    # the weight mode is stated once, at the top, and in no caption
    stated = f"Weight mode: {WEIGHT_MODE}; quality function: {QUALITY}"
    assert md.count("Weight mode:") == 1 and stated in md.split("## 1.", 1)[0]
    assert text.count("Weight mode:") == 1 and stated in text.split("</header>", 1)[0]
    for cap in captions:
        assert "Weight mode" not in cap and "quality function" not in cap
    md_captions = re.findall(r"^\*[^*].*$", md, re.M)  # *Figure n.* ... and *table caption*
    assert md_captions and not any("Weight mode" in c for c in md_captions)


def test_missing_snapshot_is_listed_as_skipped(report):
    _, html_path, md_path = report
    md = md_path.read_text()
    skipped = md.split("## 13. Skipped", 1)[1].split("## 14.", 1)[0]
    assert "noise-lr0.1-s0" in skipped and re.search(r"snapshot of step \d+ not loaded", skipped)
    assert "no status.json \\| killed" in skipped  # analysis rows kept, pipes escaped
    # the heatmap of lr 0.1 fell back to the next seed
    assert "Leiden community" in md and html_path.read_text().count("<img") >= 12


def test_config_and_provenance_verbatim(report):
    _, html_path, md_path = report
    md, text = md_path.read_text(), html_path.read_text()
    blocks = [html.unescape(b) for b in re.findall(r"<pre><code>(.*?)</code></pre>", text, re.S)]
    for shown in (md, *blocks[:1]):
        assert SWEEP_TOML.strip() in shown
    assert json.dumps(PROVENANCE, indent=2) in md
    assert json.dumps(PROVENANCE, indent=2) in blocks[1]
    assert json.loads(blocks[2]) == SETTINGS


def test_degrades_without_optional_tables(tmp_path):
    sweep = make_sweep(tmp_path / "s", supervised=False, broken=False)
    for name in ("runs", "neurons", "blocks", "training", "regimes", "skipped"):
        for suffix in (".parquet", ".csv"):
            (sweep / "analysis" / f"{name}{suffix}").unlink()
    (sweep / "sweep.toml").unlink()
    (sweep / "analysis" / "settings.json").unlink()
    html_path, md_path = build_report(sweep, out_dir=tmp_path / "out")
    md = md_path.read_text()
    assert "Nothing was skipped." not in md  # the heatmaps lacked memberships
    assert "sweep.toml: not found." in md and "No training metrics." in md
    assert html_path.parent == tmp_path / "out"
    # rebuilding replaces the figures: none left over from the first build
    n_first = len(list((tmp_path / "out" / "figures").glob("*.png")))
    build_report(sweep, out_dir=tmp_path / "out")
    assert len(list((tmp_path / "out" / "figures").glob("*.png"))) == n_first


def test_csv_twins_are_used_and_corrupt_snapshots_skipped(tmp_path):
    sweep = make_sweep(tmp_path / "s", supervised=False, broken=False)
    for p in (sweep / "analysis").glob("*.parquet"):
        p.unlink()
    (sweep / "runs" / "noise-lr0.01-s0" / "snapshots" / "step_100.npz").write_bytes(b"garbage")
    _, md_path = build_report(sweep)
    skipped = md_path.read_text().split("## 13. Skipped", 1)[1]
    assert "noise-lr1-s9" in skipped  # from skipped.csv
    assert re.search(r"noise-lr0\.01-s0 \| noise \| report \| snapshot of step \d+ not loaded",
                     skipped)


# --------------------------------------------------------------------------- browser test

# Runs on the harness page once both frames (and so all their images) have loaded. The
# report frame must show every image decoded; the control frame holds a corrupt PNG and
# must show it failed, so the check can tell the two apart.
HARNESS = """<!DOCTYPE html>
<html><body><pre id="result">pending</pre>
<iframe id="report" src="report.html" width="1280" height="900"></iframe>
<iframe id="control" src="control.html" width="200" height="100"></iframe>
<script>
function state(id) {
  const frame = document.getElementById(id);
  const doc = frame.contentDocument;
  const imgs = Array.from(doc.images);
  return {
    loaded: imgs.map(i => i.complete && i.naturalWidth > 0),
    widths: imgs.map(i => i.naturalWidth),
    schemes: imgs.map(i => i.currentSrc.split(":")[0]),
    resources: frame.contentWindow.performance.getEntriesByType("resource").map(e => e.name),
    scripts: doc.scripts.length,
    sections: doc.querySelectorAll("section").length,
  };
}
window.addEventListener("load", () => {
  document.getElementById("result").textContent =
    JSON.stringify({report: state("report"), control: state("control")});
});
</script></body></html>
"""
CONTROL = ('<!DOCTYPE html><html><body><img src="data:image/png;base64,iVBORw0KGgoAAAA=">'
           "</body></html>")

@needs_chromium
def test_headless_chromium_loads_every_image_offline(report, tmp_path):
    _, html_path, _ = report
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(html_path, site / "report.html")
    (site / "harness.html").write_text(HARNESS)
    (site / "control.html").write_text(CONTROL)
    with serve(site) as server:
        page_run = open_page(f"{server.origin}/harness.html", tmp_path)
    result = page_run.result()
    page, control = result["report"], result["control"]

    # (a) every figure was decoded by the browser, from its data: URI, at its PNG width
    srcs = _parse(html_path).imgs
    widths = [int.from_bytes(base64.b64decode(s.split(",", 1)[1])[16:20], "big") for s in srcs]
    assert len(page["loaded"]) == len(srcs) > 10
    assert all(page["loaded"]) and page["widths"] == widths
    assert set(page["schemes"]) == {"data"}
    # scripts: plotly.js inline and one call per network figure, nothing fetched
    n_scripts = len(_parse(html_path).scripts)
    assert page["resources"] == [] and page["scripts"] == n_scripts == 1 + 5
    assert page["sections"] == len(SECTION_TITLES) == 14
    assert control["loaded"] == [False]  # the check does see a broken image

    # (b1) the local server was asked for the pages only (no figure needed a request)
    assert {client for client, _ in server.requests} == {"127.0.0.1"}
    assert {p for _, p in server.requests} - {"/favicon.ico"} == {
        "/harness.html", "/report.html", "/control.html"}
    # (b2, b3) every page request was local, and nothing left the machine
    assert f"{server.origin}/report.html" in page_requests(page_run.events)
    assert offline_violations(page_run.events, server.port) == []


# --------------------------------------------------------------------------- one run


def test_a_run_directory_is_reported_as_a_run_not_a_sweep_of_one(tmp_path):
    sweep = make_sweep(tmp_path / "s", supervised=False, broken=False)
    run_id = "noise-lr0.01-s0"
    run = sweep / "runs" / run_id
    config = '[task]\nkind = "noise"\nseed = 0\n\n[simulation]\nlearning_rate = 0.01\n'
    (run / "config.toml").write_text(config)
    analysis = run / "analysis"
    analysis.mkdir()
    for name in ("runs", "snapshots", "neurons", "blocks", "training", "skipped", "regimes"):
        table = pd.read_parquet(sweep / "analysis" / f"{name}.parquet")
        if "run_id" in table:
            table = table[table["run_id"] == run_id]
        elif "learning_rate" in table:
            table = table[table["learning_rate"] == 0.01]
        runs.write_table(analysis, name, table.reset_index(drop=True))
    (analysis / "settings.json").write_text(json.dumps(SETTINGS))
    html_path, md_path = build_report(run)
    md, text = md_path.read_text(), html_path.read_text()
    assert md.startswith(f"# Community report: run {run_id}\n\nRun `{run}`")
    assert f"<p class=\"meta\">Run <code>{run}</code>" in text
    assert "One run (ok 1): analysed" in md
    assert "1 runs" not in md and "Sweep `" not in md
    # its configuration is its config.toml (a run has no sweep.toml)
    assert "### config.toml" in md and config.strip() in md and "sweep.toml" not in md
    # the same tables as a sweep directory: headed as a sweep, runs counted
    _, md_path = build_report(sweep, out_dir=tmp_path / "sweep-report")
    md = md_path.read_text()
    assert md.startswith("# Community report: sweep s\n\nSweep `")
    assert re.search(r"^\d+ runs \(ok \d+", md, re.M)


# --------------------------------------------------------------------------- table order


def _rates_of(item):
    col = item.columns.index("learning rate")
    return [float(row[col]) for row in item.rows]


def test_learning_rates_sort_numerically_in_every_table():
    from community.report import sections, verdicts
    from community.report.kit import Inputs

    lrs = [251.0, 10000.0, 6.31, 0.0001]  # as text: '0.0001' < '1e+04' < '251' < '6.31'
    snaps = pd.DataFrame({"run_id": [f"r{k}" for k in range(4)], "step": 10,
                          "is_final": True, "group": "g", "task": "noise", "seed": 0,
                          "learning_rate": lrs})
    neurons = pd.DataFrame([{"run_id": f"r{k}", "step": 10, "is_final": True, "group": "g",
                             "learning_rate": lr, "neuron": i, "community": i % 2,
                             "participation": 0.1 * i, "within_z": 0.5 * i,
                             "role": "peripheral" if i % 2 else "ultra-peripheral"}
                            for k, lr in enumerate(lrs) for i in range(4)])
    regimes = pd.DataFrame({"group": "g", "rule": "balance-exact", "prune": 0.0,
                            "graph_family": "all-to-all", "learning_rate": lrs,
                            "regime": "changed", "n_runs": 1, "n_analysed": 1})
    inp = Inputs(sweep=Path("."), tables={"snapshots": snaps, "neurons": neurons,
                                          "regimes": regimes, "runs": pd.DataFrame()},
                 settings={}, describe="")
    tables = [item for make in (sections._roles, sections._regimes, verdicts._verdicts)
              for item in make(inp).items if item.kind == "table"]
    assert len(tables) == 3
    for item in tables:
        assert _rates_of(item) == sorted(lrs), item.caption


# --------------------------------------------------------------------------- colours


def test_a_group_keeps_one_colour_in_every_figure(tmp_path, monkeypatch):
    from matplotlib.colors import to_hex

    from community import plot

    seen = []  # (figure function, group, colour of its observed line)

    def spy(name):
        original = getattr(plot, name)

        def wrapped(df, *args, **kwargs):
            ax = original(df, *args, **kwargs)
            groups = list(pd.unique(df["group"]))
            for line in ax.lines:
                if line.get_gid() != "mean":
                    continue
                label = line.get_label()
                group = label if label in groups else groups[0]
                assert label in groups or len(groups) == 1
                seen.append((name, group, to_hex(line.get_color())))
            return ax
        monkeypatch.setattr(plot, name, wrapped)

    for name in ("measure_vs_lr", "community_counts"):
        spy(name)
    sweep = make_sweep(tmp_path / "s")
    # the communities figure (both groups, hue) lists digits first where its rows come first
    snaps = pd.read_parquet(sweep / "analysis" / "snapshots.parquet")
    runs.write_table(sweep / "analysis", "snapshots", snaps.iloc[::-1].reset_index(drop=True))
    build_report(sweep, workers=1)
    by_group = {}
    for _name, group, colour in seen:
        by_group.setdefault(group, set()).add(colour)
    assert set(by_group) == {"noise", "digits"}
    assert {g: len(c) for g, c in by_group.items()} == {"noise": 1, "digits": 1}, by_group
    assert by_group["noise"] != by_group["digits"]
    assert {f for f, *_ in seen} == {"measure_vs_lr", "community_counts"}


def test_seed_agreement_caption_says_the_noise_task_clamps_other_neurons_per_seed(report):
    _, _, md_path = report
    section = md_path.read_text().split("## 8. Communities", 1)[1].split("## 9.", 1)[0]
    assert "agreement (ARI) of each partition with the other seeds'" in section
    assert "each seed also clamps the credit of a different set of neurons" in section


# --------------------------------------------------------------------------- flat figures


def test_a_figure_with_no_information_is_dropped_with_one_line_saying_why(monkeypatch):
    from community import plot
    from community.report import sections
    from community.report.kit import Inputs

    drawn = []
    for name in ("training_curves", "convergence"):
        original = getattr(plot, name)
        monkeypatch.setattr(plot, name, lambda df, *a, _o=original, _n=name, **k: (
            drawn.append((_n, k["y"])), _o(df, *a, **k))[1])
    training = pd.DataFrame([{"run_id": f"r{lr}", "group": "g", "learning_rate": lr,
                              "seed": 0, "run_status": "ok", "iteration": it,
                              "train_loss": 1.0 / (1 + lr * it), "density": 0.1,
                              "firing_iterations_mean": 12.0, "credit_iterations_mean": 12.0,
                              "settle_capped": 0}
                             for lr in (0.01, 1.0) for it in range(0, 50, 10)])
    inp = Inputs(sweep=Path("."), tables={"training": training, "runs": pd.DataFrame()},
                 settings={}, describe="")
    sec = sections._training(inp)
    # the loss is drawn; density, settle iterations and capped settles are flat: the whole
    # settle figure goes, and one line names each dropped panel with its one value
    assert drawn == [("training_curves", "train_loss")]
    assert [item.kind for item in sec.items].count("figure") == 1
    (note,) = [item.text for item in sec.items if "no information" in item.text]
    assert note == ("Group g: not drawn, no information (the same value in every run and "
                    "step): density = 0.1; firing settle iterations (mean) and credit "
                    "settle iterations (mean) = 12; settles stopped at the cap = 0.")
    # one point is not flat: a single run's single row keeps its panels
    inp.tables["training"] = training.iloc[:1]
    assert "no information" not in " ".join(i.text for i in sections._training(inp).items)
