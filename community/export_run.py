"""Analysed runs -> Gephi files: GEXF per run and snapshot, a dynamic GEXF per run,
or GraphML. Node attributes come from the ``neurons`` table, so run the analysis
first (:func:`community.tables.analyse_sweep`; done here if it is missing).

Layout: ``<sweep>/gephi/<run_id>/step_<k>.gexf`` (or ``.graphml``) and, for GEXF,
``<sweep>/gephi/<run_id>/dynamic.gexf`` whose timeline replays the weights over
the run's snapshots. Pruned (zero-weight) synapses are not written; every edge
keeps the id ``e<k>`` of its position in the run's edge order, so ids are stable
across snapshots and files. Neurons outside the analysed set (inputs and outputs of a
supervised run) get ``community = -1`` and role ``"not analysed"``.

Community labels: each ``step_<k>`` file keeps the analysis's own labels for that
snapshot (the ``neurons`` table's, numbered by size), so it matches the tables and
the report. In ``dynamic.gexf`` the labels follow communities over time: the final
snapshot keeps its labels and each earlier snapshot's communities take the labels of
the ones they share the most neurons with in the next snapshot
(:func:`community.export.write_dynamic_gexf`, :func:`community.detect.match_labels`),
so colouring by ``community`` on Gephi's timeline does not reshuffle colours. The last
interval of ``dynamic.gexf`` therefore equals the final ``step_<k>.gexf`` (labels and
colours); earlier intervals hold the same partitions as the earlier step files under
other numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from community import export
from community.tables import AnalysisSettings, analyse_sweep, find_runs, read_tables
from wiring.errors import WiringError

__all__ = ["FORMATS", "export_sweep", "node_attributes"]

FORMATS = ("gexf", "graphml")
_FLOAT_ATTRS = ("in_strength", "out_strength", "participation_in", "participation_out",
                "within_z")


def node_attributes(snap: runs.Snapshot, neurons: pd.DataFrame) -> dict[str, np.ndarray]:
    """Typed node attributes of one snapshot from its rows of the ``neurons`` table.

    Parameters
    ----------
    snap : wiring.runs.Snapshot
    neurons : DataFrame
        Rows of the ``neurons`` table for this run and step (may be empty).

    Returns
    -------
    dict of ndarray
        ``community`` (int64), ``role`` (str), strengths, participations and
        ``within_z`` (float64; NaN where not analysed), ``input``, ``output``,
        ``clamped`` (bool).

    Examples
    --------
    >>> from wiring.runs import Snapshot
    >>> s = Snapshot(src=np.array([0]), dst=np.array([1]), weight=np.array([0.5]),
    ...              bias=np.zeros(2), inputs=np.array([0]), outputs=np.array([1]),
    ...              clamped=np.zeros(0, int), n=2, step=0, extra={}, path=None)
    >>> node_attributes(s, pd.DataFrame())["community"].tolist()
    [-1, -1]
    """
    n = snap.n
    attrs: dict[str, np.ndarray] = {"community": np.full(n, -1, dtype=np.int64),
                                    "role": np.full(n, "not analysed", dtype=object)}
    for name in _FLOAT_ATTRS:
        attrs[name] = np.full(n, np.nan)
    if len(neurons):
        idx = neurons["neuron"].to_numpy(dtype=np.int64)
        attrs["community"][idx] = neurons["community"].to_numpy(dtype=np.int64)
        attrs["role"][idx] = neurons["role"].astype(str).to_numpy()
        for name in _FLOAT_ATTRS:
            attrs[name][idx] = neurons[name].to_numpy(dtype=float)
    for name, members in (("input", snap.inputs), ("output", snap.outputs),
                          ("clamped", snap.clamped)):
        flag = np.zeros(n, dtype=bool)
        flag[members] = True
        attrs[name] = flag
    attrs["role"] = attrs["role"].astype(str)
    return attrs


def _edge_attributes(snap: runs.Snapshot, community: np.ndarray) -> dict[str, np.ndarray]:
    cs, cd = community[snap.src], community[snap.dst]
    return {"within_module": (cs == cd) & (cs >= 0)}


def export_sweep(path: str | Path, *, fmt: str = "gexf", snapshots: str = "final",
                 out_dir: str | Path | None = None, dynamic_edges: str = "final") -> list[Path]:
    """Write Gephi files for every run of an analysed sweep (or one run directory).

    Parameters
    ----------
    path : str or Path
        Sweep directory or run directory.
    fmt : {"gexf", "graphml"}
    snapshots : {"final", "all"}
        Static files for the final snapshot only, or for every snapshot.
    out_dir : str or Path, optional
        Default ``<path>/gephi``.
    dynamic_edges : {"final", "all"}
        Edges of the dynamic GEXF: the synapses alive in the final snapshot (how the
        final wiring emerged; compact), or every synapse non-zero in any snapshot
        (under "regrow" pruning nearly all of them: files of tens of MB). Its
        community labels are matched over time (module docstring); the static files
        keep the analysis's labels.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> export_sweep("/nonexistent", fmt="dot")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: unknown format 'dot'; choose one of gexf, graphml
    """
    if fmt not in FORMATS:
        raise WiringError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if dynamic_edges not in ("final", "all"):
        raise WiringError(f"unknown dynamic_edges {dynamic_edges!r}; choose final or all")
    if snapshots not in ("final", "all"):
        raise WiringError(f"unknown snapshots {snapshots!r}; choose final or all")
    path = Path(path)
    tables = read_tables(path / "analysis")
    found = {rid for rid, _, _ in find_runs(path)}
    analysed = set(tables["snapshots"]["run_id"]) if len(tables["snapshots"]) else set()
    skipped = set(tables["skipped"]["run_id"]) if len(tables["skipped"]) else set()
    if not found <= analysed | skipped:  # never analysed, or runs added since (resume)
        tables = analyse_sweep(path, settings=AnalysisSettings())
    neurons = tables["neurons"]
    out_root = Path(out_dir) if out_dir is not None else path / "gephi"
    written: list[Path] = []
    for run_id, _group, run_dir in find_runs(path):
        try:
            paths = runs.list_snapshots(run_dir)
        except WiringError:
            continue  # the analysis lists unreadable runs under "skipped"
        snaps = []
        for p in paths:
            try:
                snaps.append(runs.load_snapshot(p))
            except WiringError:
                continue
        if not snaps:
            continue
        target = out_root / run_id
        target.mkdir(parents=True, exist_ok=True)
        rows = neurons[neurons["run_id"] == run_id] if len(neurons) else neurons
        attrs_by_step = {}
        for snap in snaps:
            sel = rows[rows["step"] == snap.step] if len(rows) else rows
            attrs_by_step[snap.step] = node_attributes(snap, sel)
        chosen = snaps if snapshots == "all" else snaps[-1:]
        for snap in chosen:
            attrs = attrs_by_step[snap.step]
            # pruned (zero) synapses are left out; ids e<k> keep the run's edge order
            keep = np.flatnonzero(snap.weight != 0)
            within = _edge_attributes(snap, attrs["community"])["within_module"]
            common = {"src": snap.src[keep], "dst": snap.dst[keep],
                      "weight": snap.weight[keep], "n": snap.n, "node_attrs": attrs,
                      "edge_attrs": {"within_module": within[keep]}, "edge_ids": keep}
            if fmt == "gexf":
                written.append(export.write_gexf(
                    target / f"step_{snap.step}.gexf", communities=attrs["community"],
                    title=f"{run_id} step {snap.step}", **common))
            else:
                written.append(export.write_graphml(target / f"step_{snap.step}.graphml",
                                                    **common))
        if fmt == "gexf" and len(snaps) > 1:
            first = snaps[0]
            keep = (np.flatnonzero(snaps[-1].weight != 0) if dynamic_edges == "final"
                    else np.arange(first.src.size))
            written.append(export.write_dynamic_gexf(
                target / "dynamic.gexf", src=first.src[keep], dst=first.dst[keep], n=first.n,
                weights=[s.weight[keep] for s in snaps], steps=[s.step for s in snaps],
                communities=[attrs_by_step[s.step]["community"] for s in snaps],
                edge_ids=keep))
    return written
