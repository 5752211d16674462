"""The report's weight-matrix section: neuron by neuron up to a size, block-level above it.

A sweep is fabricated on disk (real snapshot files, analysis tables as
``community/tables.py`` writes them) with a planted partition; the report is built
with the default threshold and with a small one passed in, and the figure functions
are watched to see which view was drawn and from what.
"""

import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from community import plot
from community.report import build_report
from wiring import runs

K = 4
LRS = (0.01, 0.1)


def make_sweep(root: Path, *, n: int, n_edges: int, n_inputs: int = 0) -> Path:
    """One run per learning rate, final snapshot only; neurons ``>= n_inputs`` analysed."""
    rng = np.random.default_rng(0)
    nodes = np.arange(n_inputs, n)
    member = np.sort(np.arange(nodes.size) % K)          # community 0 first, sizes equal
    keys = rng.choice(n * n, size=n_edges, replace=False)
    src, dst = keys % n, keys // n
    keep = src != dst
    src, dst = src[keep], dst[keep]
    comm = np.full(n, -1)
    comm[nodes] = member
    snaps, neurons, blocks = [], [], []
    for lr in LRS:
        run_id = f"planted-lr{lr:g}"
        run_dir = runs.prepare_run_dir(root / "runs" / run_id)
        w = rng.normal(0.0, 0.2, src.size) * (1 + 2 * (comm[src] == comm[dst]))
        path = runs.write_snapshot(run_dir, 10, src=src, dst=dst, weight=w, bias=np.zeros(n),
                                   inputs=np.arange(n_inputs) if n_inputs else [0],
                                   outputs=[n - 1], n=n)
        inside = (comm[src] >= 0) & (comm[dst] >= 0)
        sizes = np.bincount(member, minlength=K)
        sums = np.bincount(comm[dst[inside]] * K + comm[src[inside]],
                           weights=np.abs(w[inside]), minlength=K * K).reshape(K, K)
        B = sums / (np.outer(sizes, sizes) - np.diag(sizes))
        snaps.append({"run_id": run_id, "group": "planted", "task": "noise",
                      "learning_rate": lr, "seed": 0, "step": 10, "step_fraction": 1.0,
                      "is_final": True, "snapshot_path": str(path.resolve()),
                      "n_nodes": nodes.size, "modularity": 0.3, "n_communities": K})
        neurons.append(pd.DataFrame({
            "run_id": run_id, "group": "planted", "learning_rate": lr, "seed": 0, "step": 10,
            "is_final": True, "neuron": nodes, "community": member,
            "participation": rng.uniform(0, 1, nodes.size),
            "within_z": rng.normal(0, 1, nodes.size), "role": "peripheral"}))
        a, b = np.meshgrid(np.arange(K), np.arange(K), indexing="ij")
        blocks.append(pd.DataFrame({
            "run_id": run_id, "group": "planted", "learning_rate": lr, "seed": 0, "step": 10,
            "block_to": a.ravel(), "block_from": b.ravel(), "mean_abs_weight": B.ravel(),
            "size_to": sizes[a.ravel()], "size_from": sizes[b.ravel()]}))
    analysis = root / "analysis"
    analysis.mkdir(parents=True)
    for name, table in (("snapshots", pd.DataFrame(snaps)),
                        ("neurons", pd.concat(neurons, ignore_index=True)),
                        ("blocks", pd.concat(blocks, ignore_index=True))):
        runs.write_table(analysis, name, table)
    return root


@pytest.fixture
def spies(monkeypatch):
    """Record the panels handed to each weight-matrix figure and every snapshot read."""
    seen = {"neuron": [], "block": [], "loaded": []}
    for name, key in (("heatmap_grid", "neuron"), ("community_block_grid", "block")):
        original = getattr(plot, name)

        def spy(panels, *args, _original=original, _key=key, **kwargs):
            seen[_key].append([tuple(np.asarray(x).copy() for x in p[1:]) for p in panels])
            return _original(panels, *args, **kwargs)
        monkeypatch.setattr(plot, name, spy)
    load = runs.load_snapshot

    def load_spy(path):
        seen["loaded"].append(Path(path).name)
        return load(path)
    monkeypatch.setattr(runs, "load_snapshot", load_spy)
    return seen


def test_small_graph_is_drawn_neuron_by_neuron(tmp_path, spies):
    n, n_in = 40, 6
    sweep = make_sweep(tmp_path, n=n, n_edges=500, n_inputs=n_in)
    _, md = build_report(sweep)
    assert len(spies["neuron"]) == 1 and not spies["block"]
    assert "block-level view of the final weights" not in md.read_text()
    # the hidden neurons' matrix, as the dense snapshot restricted to them
    nodes = np.arange(n_in, n)
    for (W, m), lr in zip(spies["neuron"][0], LRS, strict=True):
        snap = runs.load_snapshot(sweep / "runs" / f"planted-lr{lr:g}" / "snapshots" /
                                  "step_10.npz")
        np.testing.assert_array_equal(W, snap.dense()[np.ix_(nodes, nodes)])
        assert m.shape == (n - n_in,)


def test_above_the_threshold_the_view_is_block_level(tmp_path, spies):
    sweep = make_sweep(tmp_path, n=60, n_edges=800)
    _, md = build_report(sweep, heatmap_max_neurons=50, network_max_neurons=50)
    assert len(spies["block"]) == 1 and not spies["neuron"]
    assert not spies["loaded"]  # drawn from the blocks table: no snapshot is read
    blocks = pd.read_parquet(sweep / "analysis" / "blocks.parquet")
    for (B, sizes), lr in zip(spies["block"][0], LRS, strict=True):
        b = blocks[blocks["learning_rate"] == lr]
        assert B.shape == (K, K)
        np.testing.assert_allclose(B.ravel(), b["mean_abs_weight"].to_numpy())
        assert sizes.tolist() == [15] * K
    text = md.read_text()
    assert "Group planted: block-level view of the final weights (more than 50 neurons" in text
    assert "Skipped" in text and "no block rows" not in text


def test_threshold_is_checked(tmp_path):
    sweep = make_sweep(tmp_path, n=20, n_edges=100)
    with pytest.raises(ValueError, match="heatmap_max_neurons"):
        build_report(sweep, heatmap_max_neurons=0)


def test_block_level_without_blocks_table_is_skipped_not_drawn(tmp_path, spies):
    sweep = make_sweep(tmp_path, n=60, n_edges=800)
    for suffix in (".parquet", ".csv"):
        (sweep / "analysis" / f"blocks{suffix}").unlink()
    _, md = build_report(sweep, heatmap_max_neurons=50, network_max_neurons=50)
    assert not spies["block"] and not spies["neuron"] and not spies["loaded"]
    assert "blocks table missing: no block-level view of a graph of 60 neurons" in md.read_text()


def test_large_graph_heatmaps_are_fast_and_never_allocate_n_by_n(tmp_path):
    from community.report.build import _load_inputs
    from community.report.matrices import _heatmaps

    n = 4000  # above HEATMAP_MAX_NEURONS: a dense float64 matrix would take 128 MB
    assert n > plot.HEATMAP_MAX_NEURONS
    sweep = make_sweep(tmp_path, n=n, n_edges=40_000)
    inp = _load_inputs(sweep)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        section = _heatmaps(inp)  # the section, its figure drawn and PNG-encoded
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - t0
    assert peak < n * n * 8 / 16, f"traced peak {peak / 2**20:.1f} MB"
    assert elapsed < 20, f"{elapsed:.1f} s"
    figures = [item for item in section.items if item.kind == "figure"]
    assert len(figures) == 1 and "block-level view" in figures[0].caption
    assert figures[0].png.startswith(b"\x89PNG")
