"""Analysed runs of a sweep (or one run directory) -> Gephi files: static GEXF or GraphML
per run and snapshot, and a dynamic GEXF per run. Node attributes come from the
``neurons`` table, so run the analysis first (:func:`community.tables.analyse_sweep`;
done here if it is missing).

**What is written by default: what a user opens.** One run per cell (group, rule,
pruning, graph family, learning rate): the lowest analysed seed, the run the report's
weight-matrix and network-view sections show. For it, the static file of its final
snapshot, ``<out>/<run_id>/step_<k>.gexf`` (or ``.graphml``), and, for GEXF, the dynamic
file ``dynamic.gexf`` whose timeline replays the weights over the run's snapshots. The
rest is opt-in: ``all_runs=True`` exports every analysed seed, ``snapshots="all"``
every snapshot of each exported run, ``dynamic="none"`` leaves the timelines out.
:func:`export_plan` says, per run, what would be written and why a run is left out. On
the default sweep (``wiring sweep`` without a config: 7 cells, 21 runs, 4 of them
unstable) the default writes 14 files, 91 MB, the 7 timelines being 67 MB of it;
``all_runs=True`` writes 24 files, 131 MB (every analysed seed: what the default wrote
before, then 122 MB without layouts); ``dynamic="none"`` 7 files, 24 MB.

**Drawn on opening.** Every file carries a layout: the positions of the report's
interactive network view (:func:`community.layout.neuron_positions`, seed 0, computed
once per run from its final snapshot and used in all of its files, so nodes keep
their places from file to file), scaled to Gephi's units
(:func:`community.export.style.gephi_positions`). Nodes are coloured by community and
sized by strength (in- plus out-strength of that snapshot; the final one in
``dynamic.gexf``), edges coloured by sign. ``layout=False`` leaves positions out.

**Only analysed runs.** A run whose ``run_status`` is not "ok" (unstable or failed: its
last weights are not a result) or that the analysis skipped is never exported; the
reason is logged (``logging``, INFO) and given by :func:`export_plan`, and files such a
run got from an earlier export are removed from the output directory, so Gephi never
opens them as results.

Pruned (zero-weight) synapses are not written; every edge keeps the id ``e<k>`` of its
position in the run's edge order, so ids are stable across snapshots and files. Neurons
outside the analysed set (inputs and outputs of a supervised run) get ``community = -1``,
``block = -1`` and role ``"not analysed"``, and sit on a ring around the layout.

**Named neurons.** A run with a nodes file (:func:`wiring.runs.read_nodes`: a connectome,
a GraphML or GEXF graph file, ``wiring analyse`` of named nodes) gets each neuron's name
as its node ``label`` (XML-escaped) and its attributes (a connectome's ``class``,
``type``, ``description``; a graph file's node attributes) as typed node attributes,
static in ``dynamic.gexf`` (one named like an attribute the export writes itself is
written as ``attr_<name>``); node ids stay the neuron indices. A run without one is
written as before: labels are the indices. A nodes file that cannot be read is logged
(WARNING) and the run's files are written without names.

Node attributes ``community`` (Leiden, the neurons table's labels of that snapshot) and
``block`` (the degree-corrected stochastic block model's block; fitted on final snapshots
only, ``-1`` on the others). In ``dynamic.gexf``, ``block`` is a static attribute holding
the final snapshot's blocks, and the community labels follow communities over time: the
final snapshot keeps its labels and each earlier snapshot's communities take the labels
of the ones they share the most neurons with in the next snapshot
(:func:`community.export.write_dynamic_gexf`, :func:`community.detect.match_labels`),
so colouring by ``community`` on Gephi's timeline does not reshuffle colours. The last
interval of ``dynamic.gexf`` therefore equals the final ``step_<k>.gexf`` (labels and
colours); earlier intervals hold the same partitions as the earlier step files under
other numbers.

Examples
--------
>>> export_plan("/nonexistent")
Traceback (most recent call last):
...
wiring.errors.WiringError: no run directory or sweep at /nonexistent
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from community.export import gexf, graphml, style
from community.export._common import _NODE_RESERVED
from community.layout import neuron_positions
from community.tables import AnalysisSettings, analyse_sweep, find_runs, read_tables
from wiring.errors import WiringError

__all__ = ["FORMATS", "DYNAMIC", "export_plan", "export_sweep", "node_attributes"]

log = logging.getLogger(__name__)

FORMATS = ("gexf", "graphml")
#: Which exported runs get a dynamic GEXF: the lowest analysed seed of each cell, all, none.
DYNAMIC = ("first-seed", "all", "none")
_FLOAT_ATTRS = ("in_strength", "out_strength", "participation_in", "participation_out",
                "within_z")
#: Columns that identify a cell (runs differing only in their seed), where present.
_CELL = ("group", "rule", "prune", "graph_family", "learning_rate")
_PLAN_COLUMNS = ["run_id", "group", "run_status", "exported", "static", "dynamic", "reason"]
#: Seed of the layout: the report's network view uses 0.
_LAYOUT_SEED = 0
#: Node attribute names an export writes itself (and GraphML's drawing keys): a node
#: attribute of the run's nodes file with one of these names is written as ``attr_<name>``.
_TAKEN = frozenset({"community", "block", "role", *_FLOAT_ATTRS, "input", "output", "clamped",
                    "x", "y", "size", "r", "g", "b", *_NODE_RESERVED})


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
        ``community`` (Leiden) and ``block`` (the block model's; -1 where not fitted or
        not analysed) as int64, ``role`` (str), strengths, participations and
        ``within_z`` (float64; NaN where not analysed), ``input``, ``output``,
        ``clamped`` (bool).

    Examples
    --------
    >>> from wiring.runs import Snapshot
    >>> s = Snapshot(src=np.array([0]), dst=np.array([1]), weight=np.array([0.5]),
    ...              bias=np.zeros(2), inputs=np.array([0]), outputs=np.array([1]),
    ...              clamped=np.zeros(0, int), n=2, step=0, extra={}, path=None)
    >>> a = node_attributes(s, pd.DataFrame())
    >>> a["community"].tolist(), a["block"].tolist()
    ([-1, -1], [-1, -1])
    >>> rows = pd.DataFrame({"neuron": [1], "community": [0], "block": [3], "role": ["hub"],
    ...                      **{c: [1.0] for c in _FLOAT_ATTRS}})
    >>> node_attributes(s, rows)["block"].tolist()
    [-1, 3]
    """
    n = snap.n
    attrs: dict[str, np.ndarray] = {"community": np.full(n, -1, dtype=np.int64),
                                    "block": np.full(n, -1, dtype=np.int64),
                                    "role": np.full(n, "not analysed", dtype=object)}
    for name in _FLOAT_ATTRS:
        attrs[name] = np.full(n, np.nan)
    if len(neurons):
        idx = neurons["neuron"].to_numpy(dtype=np.int64)
        attrs["community"][idx] = neurons["community"].to_numpy(dtype=np.int64)
        if "block" in neurons:
            block = pd.to_numeric(neurons["block"], errors="coerce").fillna(-1)
            attrs["block"][idx] = block.to_numpy(dtype=np.int64)
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


def _typed(values: pd.Series) -> np.ndarray:
    """A nodes-file column as an array the writers type: bool, int64, float64 (NaN:
    missing), or str with None where missing."""
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(values.dtype):
        return (values.to_numpy(dtype=np.int64) if not values.isna().any()
                else values.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_float_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.array([None if pd.isna(v) else str(v) for v in values], dtype=object)


def _named(run_dir: Path, n: int) -> tuple[list[str] | None, dict[str, np.ndarray]]:
    """The neurons' names (node labels) and attributes from the run's nodes file
    (:func:`wiring.runs.read_nodes`); ``(None, {})`` without one. An unreadable file is
    logged (WARNING) and the files are written without names."""
    try:
        table = runs.read_nodes(run_dir, n=n)
    except WiringError as exc:
        log.warning("%s: node names and attributes not written: %s", run_dir.name, exc)
        return None, {}
    if table is None:
        return None, {}
    attrs = {}
    for col in table.columns:
        if col in runs.NODE_COLUMNS:
            continue
        name = str(col)
        while name in _TAKEN or name in attrs:
            name = f"attr_{name}"
        attrs[name] = _typed(table[col])
    return table["name"].tolist(), attrs


def _edge_attributes(snap: runs.Snapshot, community: np.ndarray) -> dict[str, np.ndarray]:
    cs, cd = community[snap.src], community[snap.dst]
    return {"within_module": (cs == cd) & (cs >= 0)}


def _check(fmt: str, snapshots: str, dynamic: str | None, dynamic_edges: str,
           all_runs: bool, layout: bool) -> str:
    if fmt not in FORMATS:
        raise WiringError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if dynamic_edges not in ("final", "all"):
        raise WiringError(f"unknown dynamic_edges {dynamic_edges!r}; choose final or all")
    if snapshots not in ("final", "all"):
        raise WiringError(f"unknown snapshots {snapshots!r}; choose final or all")
    for name, value in (("all_runs", all_runs), ("layout", layout)):
        if not isinstance(value, bool | np.bool_):
            raise WiringError(f"`{name}` must be True or False, got {value!r}")
    if dynamic is None:
        return "first-seed"
    if dynamic not in DYNAMIC:
        raise WiringError(f"unknown dynamic {dynamic!r}; choose one of {', '.join(DYNAMIC)}")
    return dynamic


def _first_seeds(ok: pd.DataFrame) -> set[str]:
    """run_id of the lowest seed of each cell (runs differing only in their seed)."""
    if not len(ok):
        return set()
    cell = [c for c in _CELL if c in ok]
    order = ok.sort_values("seed", kind="stable") if "seed" in ok else ok
    if not cell:
        return {str(order["run_id"].iloc[0])}
    return {str(r) for r in order.groupby(cell, dropna=False, sort=False)["run_id"].first()}


def _plan(found: list[tuple[str, str, Path]], tables: dict[str, pd.DataFrame], *,
          snapshots: str, dynamic: str, all_runs: bool) -> pd.DataFrame:
    """One row per run found: whether (and what) to export, or why not."""
    snaps, runs_t, skipped = tables["snapshots"], tables["runs"], tables["skipped"]
    status = ({str(r): str(s) for r, s in zip(runs_t["run_id"], runs_t["run_status"],
                                              strict=True)}
              if {"run_id", "run_status"} <= set(runs_t.columns) else {})
    why = ({str(r): str(s) for r, s in zip(runs_t["run_id"], runs_t["reason"].fillna(""),
                                           strict=True)}
           if {"run_id", "reason"} <= set(runs_t.columns) else {})
    if "run_id" in skipped and "reason" in skipped and len(skipped):
        for rid, reason in zip(skipped["run_id"], skipped["reason"], strict=True):
            why.setdefault(str(rid), str(reason))
    analysed = snaps.drop_duplicates("run_id") if "run_id" in snaps else snaps.iloc[0:0]
    if "run_status" in analysed:  # tables of an older analysis kept unstable runs' rows
        for rid, s in zip(analysed["run_id"], analysed["run_status"], strict=True):
            status.setdefault(str(rid), str(s))
    ok = analysed[[status.get(str(r), "ok") == "ok" for r in analysed["run_id"]]]
    ok_ids = {str(r) for r in ok["run_id"]}
    first = _first_seeds(ok)
    analysed_ids = {str(r) for r in analysed["run_id"]}
    rows = []
    for run_id, group, _ in found:
        st = status.get(run_id, "ok" if run_id in analysed_ids else "not analysed")
        if st not in ("ok", "not analysed"):
            reason = f"run_status {st}" + (f": {why[run_id]}" if why.get(run_id) else "")
            rows.append([run_id, group, st, False, "", False, reason])
        elif run_id not in ok_ids:
            reason = "not analysed" + (f": {why[run_id]}" if why.get(run_id) else "")
            rows.append([run_id, group, "not analysed", False, "", False, reason])
        elif not (all_runs or run_id in first):
            rows.append([run_id, group, "ok", False, "", False,
                         "not the lowest seed of its cell (all_runs=True exports it)"])
        else:
            dyn = dynamic == "all" or (dynamic == "first-seed" and run_id in first)
            rows.append([run_id, group, "ok", True, snapshots, dyn, ""])
    return pd.DataFrame(rows, columns=_PLAN_COLUMNS)


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    tables = read_tables(path / "analysis")
    found = {rid for rid, _, _ in find_runs(path)}
    known = set()
    for name in ("snapshots", "skipped", "runs"):
        if "run_id" in tables[name]:
            known |= set(tables[name]["run_id"].astype(str))
    if not found <= known:  # never analysed, or runs added since (resume)
        tables = analyse_sweep(path, settings=AnalysisSettings())
    return tables


def export_plan(path: str | Path, *, snapshots: str = "final", dynamic: str | None = None,
                all_runs: bool = False) -> pd.DataFrame:
    """What :func:`export_sweep` writes for each run of an analysed sweep, and why not.

    Parameters
    ----------
    path : str or Path
        Sweep directory or run directory (analysed; analysed here if it is not).
    snapshots : {"final", "all"}
        Static files of the final snapshot only, or of every snapshot.
    dynamic : {"first-seed", "all", "none"}, optional
        Exported runs that get a dynamic GEXF: the lowest analysed seed of each cell
        (group, rule, pruning, graph family, learning rate; the default), every
        exported run, or none.
    all_runs : bool, default False
        Export every analysed run, not only the lowest seed of each cell.

    Returns
    -------
    DataFrame
        One row per run directory: ``run_id``, ``group``, ``run_status`` ("ok",
        "unstable", "failed" or "not analysed"), ``exported`` (bool), ``static``
        ("final" or "all"; empty when not exported), ``dynamic`` (bool, GEXF only) and
        ``reason`` (why a run is not exported; empty otherwise).

    Raises
    ------
    WiringError
        Unknown option, or no sweep or run directory at ``path``.

    Examples
    --------
    >>> export_plan("/nonexistent", dynamic="some")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: unknown dynamic 'some'; choose one of first-seed, all, none
    """
    dynamic = _check("gexf", snapshots, dynamic, "final", all_runs, True)
    path = Path(path)
    return _plan(find_runs(path), _tables(path), snapshots=snapshots, dynamic=dynamic,
                 all_runs=bool(all_runs))


def _remove_stale(target: Path) -> None:
    """Delete the files an earlier export wrote for a run that is not exported now."""
    if not target.is_dir():
        return
    stale = [p for p in target.iterdir() if p.is_file() and (
        p.name == "dynamic.gexf" or (p.name.startswith("step_")
                                     and p.suffix in (".gexf", ".graphml")))]
    for p in stale:
        p.unlink()
    if stale:
        log.info("removed %d files of %s written by an earlier export", len(stale),
                 target.name)
    if not any(target.iterdir()):
        target.rmdir()


def _strength(snap: runs.Snapshot) -> np.ndarray:
    """In- plus out-strength (sums of ``|w|``) of every neuron of a snapshot."""
    w = np.abs(snap.weight.astype(np.float64))
    return (np.bincount(snap.src, weights=w, minlength=snap.n)
            + np.bincount(snap.dst, weights=w, minlength=snap.n))


def _positions(final: runs.Snapshot, rows: pd.DataFrame, community: np.ndarray) -> np.ndarray:
    """The report's layout of a run (its final snapshot), in Gephi's units.

    The analysed neurons (the final step's rows of the neurons table) are placed as the
    report's network view places them; the others on a ring around them.
    """
    sel = rows[rows["step"] == final.step] if len(rows) else rows
    nodes = np.sort(sel["neuron"].to_numpy(dtype=np.int64)) if len(sel) else None
    membership = community[nodes] if nodes is not None else None
    pos = neuron_positions(final.src, final.dst, final.weight, n=final.n, nodes=nodes,
                           membership=membership, seed=_LAYOUT_SEED)
    return style.gephi_positions(pos)


def export_sweep(path: str | Path, *, fmt: str = "gexf", snapshots: str = "final",
                 out_dir: str | Path | None = None, dynamic_edges: str = "final",
                 dynamic: str | None = None, all_runs: bool = False,
                 layout: bool = True) -> list[Path]:
    """Write Gephi files for the analysed runs of a sweep (or one run directory).

    By default the files a user opens: for the lowest analysed seed of each cell, the
    final snapshot as a static file and (GEXF) the dynamic timeline file, laid out as
    the report's network view lays the run out (module docstring). Runs that did not
    end "ok" (unstable, failed) or that the analysis skipped are never exported: each
    is logged with its reason (:func:`export_plan` returns them) and files an earlier
    export wrote for it are removed. Files an earlier export wrote for an "ok" run that
    is not exported now (seed 1 after an ``all_runs=True`` export) are results and are
    left in place.

    Parameters
    ----------
    path : str or Path
        Sweep directory or run directory.
    fmt : {"gexf", "graphml"}
    snapshots : {"final", "all"}
        Static files for the final snapshot only (default), or for every snapshot.
    out_dir : str or Path, optional
        Default ``<path>/gephi``.
    dynamic_edges : {"final", "all"}
        Edges of the dynamic GEXF: the synapses alive in the final snapshot (how the
        final wiring emerged; compact), or every synapse non-zero in any snapshot
        (under "regrow" pruning nearly all of them: files of tens of MB). Its
        community labels are matched over time (module docstring); the static files
        keep the analysis's labels.
    dynamic : {"first-seed", "all", "none"}, optional
        Which exported runs get a dynamic GEXF (ignored for GraphML): the lowest seed
        of each cell (default), every exported run (with ``all_runs=True``: every
        analysed run), or none.
    all_runs : bool, default False
        Export every analysed run ("ok"), not only the lowest seed of each cell.
        Unstable and failed runs are never exported.
    layout : bool, default True
        Write node positions (the report's layout; costs a layout per run). Colours
        and sizes are written either way.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    WiringError
        Unknown option, or no sweep or run directory at ``path``.

    Examples
    --------
    >>> export_sweep("/nonexistent", fmt="dot")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: unknown format 'dot'; choose one of gexf, graphml
    """
    dynamic = _check(fmt, snapshots, dynamic, dynamic_edges, all_runs, layout)
    path = Path(path)
    found = find_runs(path)
    tables = _tables(path)
    plan = _plan(found, tables, snapshots=snapshots, dynamic=dynamic,
                 all_runs=bool(all_runs)).set_index("run_id")
    neurons = tables["neurons"]
    out_root = Path(out_dir) if out_dir is not None else path / "gephi"
    written: list[Path] = []
    for run_id, _group, run_dir in found:
        row = plan.loc[run_id]
        if not row["exported"]:
            log.info("%s not exported: %s", run_id, row["reason"])
            if row["run_status"] != "ok":  # not a result: never leave a file of it
                _remove_stale(out_root / run_id)
            continue
        want_dynamic = fmt == "gexf" and bool(row["dynamic"])
        try:
            paths = runs.list_snapshots(run_dir)
        except WiringError:
            continue  # the analysis lists unreadable runs under "skipped"
        if not (snapshots == "all" or want_dynamic):
            paths = paths[-1:]  # the final snapshot is all this run needs
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
        final = snaps[-1]
        labels, named = _named(run_dir, final.n)
        pos = (_positions(final, rows, attrs_by_step[final.step]["community"]) if layout
               else None)
        chosen = snaps if snapshots == "all" else snaps[-1:]
        for snap in chosen:
            attrs = attrs_by_step[snap.step]
            # pruned (zero) synapses are left out; ids e<k> keep the run's edge order
            keep = np.flatnonzero(snap.weight != 0)
            within = _edge_attributes(snap, attrs["community"])["within_module"]
            common = {"src": snap.src[keep], "dst": snap.dst[keep],
                      "weight": snap.weight[keep], "n": snap.n,
                      "node_attrs": attrs | named, "labels": labels,
                      "edge_attrs": {"within_module": within[keep]}, "edge_ids": keep,
                      "positions": pos, "size": style.node_sizes(_strength(snap))}
            if fmt == "gexf":
                written.append(gexf.write_gexf(
                    target / f"step_{snap.step}.gexf", communities=attrs["community"],
                    title=f"{run_id} step {snap.step}", **common))
            else:
                written.append(graphml.write_graphml(target / f"step_{snap.step}.graphml",
                                                     **common))
        if want_dynamic and len(snaps) > 1:
            first = snaps[0]
            keep = (np.flatnonzero(final.weight != 0) if dynamic_edges == "final"
                    else np.arange(first.src.size))
            written.append(gexf.write_dynamic_gexf(
                target / "dynamic.gexf", src=first.src[keep], dst=first.dst[keep], n=first.n,
                weights=[s.weight[keep] for s in snaps], steps=[s.step for s in snaps],
                node_attrs={"block": attrs_by_step[final.step]["block"]} | named,
                communities=[attrs_by_step[s.step]["community"] for s in snaps],
                edge_ids=keep, positions=pos, size=style.node_sizes(_strength(final)),
                labels=labels))
    return written
