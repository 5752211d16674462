"""The run-directory contract: what a run leaves on disk, and how to read it back.

This is the one part of :mod:`wiring` that the analysis package :mod:`community` (and
anyone else reading results) imports. Modules: :mod:`~wiring.runs.rundir` (the format:
directory, config, metrics, tables, status; its docstring is the specification),
:mod:`~wiring.runs.snapshots` (weight snapshots), :mod:`~wiring.runs.provenance`,
:mod:`~wiring.runs.nodes` (the neurons' names and attributes),
:mod:`~wiring.runs.view` (the read-only :class:`Run` view), :mod:`~wiring.runs.atomic`
(the one atomic writer every file goes through) and :mod:`~wiring.runs.tomlfile` (TOML
writing). Every public name is re-exported here.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from wiring import runs
>>> tmp = tempfile.TemporaryDirectory()
>>> d = runs.prepare_run_dir(Path(tmp.name) / "run")
>>> _ = runs.write_status(d, "ok")
>>> runs.read_status(d)["status"]
'ok'
>>> tmp.cleanup()
"""

from wiring.runs.atomic import RunFormatError, atomic_open
from wiring.runs.nodes import NODE_COLUMNS, NODES_CSV, NODES_PARQUET, read_nodes
from wiring.runs.provenance import (
    collect_provenance,
    read_provenance,
    record_resume,
    write_provenance,
)
from wiring.runs.rundir import (
    CONFIG_FILE,
    METRICS_CSV,
    METRICS_PARQUET,
    PROVENANCE_FILE,
    STATUS_FILE,
    STATUSES,
    prepare_run_dir,
    read_config,
    read_metrics,
    read_status,
    write_config,
    write_json,
    write_metrics,
    write_status,
    write_table,
)
from wiring.runs.snapshots import (
    SNAPSHOT_DIR,
    SNAPSHOT_FIELDS,
    Snapshot,
    list_snapshots,
    load_snapshot,
    load_snapshots,
    snapshot_path,
    write_snapshot,
)
from wiring.runs.tomlfile import dump_toml
from wiring.runs.view import Run, open_run

__all__ = [
    "RunFormatError", "Snapshot", "CONFIG_FILE", "PROVENANCE_FILE", "METRICS_PARQUET",
    "METRICS_CSV", "STATUS_FILE", "SNAPSHOT_DIR", "SNAPSHOT_FIELDS", "STATUSES",
    "prepare_run_dir", "write_table", "write_json", "snapshot_path", "write_snapshot",
    "load_snapshot", "list_snapshots", "load_snapshots", "dump_toml", "write_config",
    "read_config", "collect_provenance", "write_provenance", "read_provenance",
    "record_resume", "write_metrics", "read_metrics", "write_status", "read_status", "Run",
    "open_run", "atomic_open", "NODES_PARQUET", "NODES_CSV", "NODE_COLUMNS", "read_nodes",
]
