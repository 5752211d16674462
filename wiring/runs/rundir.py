"""The run-directory format: what a training run leaves on disk.

A run directory is the contract between the engine (:mod:`wiring`), the analysis
package (:mod:`community`) and anyone else reading results. It holds::

    <run>/
      config.toml          resolved configuration (TOML 1.0)
      provenance.json      seed, versions, git commit, time, host, command line
      metrics.parquet      per-epoch / per-checkpoint metrics, one tidy table ...
      metrics.csv          ... and the same table as CSV
      snapshots/
        step_<k>.npz       weights and biases after training step k
      nodes.parquet        named neurons only (a graph file or connectome): one row ...
      nodes.csv            ... per neuron, its name and attributes
      status.json          written last: how the run ended

**Neuron and weight convention.** Neurons are numbered ``0 .. n-1``. ``W[i, j]``
is the weight onto neuron ``i`` from neuron ``j``: edge ``j -> i`` has
``src = j`` and ``dst = i``, so the firing step is ``s = W x + b``.

**config.toml** -- the fully resolved configuration (defaults included), a nested
table of strings, integers, floats, booleans and lists of those. Sub-tables are
``[section]`` / ``[section.sub]`` headers; floats are written with Python's
``repr`` so they read back bit for bit (``nan``, ``inf`` and ``-inf`` included).

**provenance.json** -- a JSON object with the keys:

* ``seed`` (int or null), ``wiring_version``;
* ``versions``: an object mapping ``python``, ``numpy``, ``numba``, ``llvmlite``,
  ``scipy``, ``networkx``, ``igraph``, ``leidenalg``, ``pandas``, ``pyarrow`` and
  ``scikit-learn`` to a version string, or null if not installed;
* ``git_commit``: the ``HEAD`` commit of the checkout :mod:`wiring` was imported from
  by the process that wrote the file, or null if it was not imported from a git
  checkout (a run's file is written once, by the process that produces the run; a
  sweep directory's own file is rewritten by every invocation); ``git_dirty``: true
  if that checkout had uncommitted changes to tracked files (false when
  ``git_commit`` is null);
* ``produced_by``: the commit of the code that produced the run, i.e. ``git_commit``
  of the process that ran it. A run directory is written once: a sweep resume keeps a
  finished run as it is, so its ``produced_by`` stays (in a sweep directory's own file:
  the first invocation's commit);
* ``resumed_by``: in a sweep directory's own file, a list, oldest first, with one
  object per ``--resume`` invocation: the resuming process's ``commit``, ``dirty``,
  ``timestamp``, ``hostname`` and ``cpu_model``, and the run ids it ``kept`` (finished
  before, left untouched) and ``ran``; a run's file has ``[]`` (the resumes that kept
  it are those whose ``kept`` lists it);
* ``cpu``: the machine that produced the run: ``model`` (the CPU model name),
  ``flags`` (the feature flags the CPU reports, a list of strings) and ``machine``
  (e.g. ``"x86_64"``); ``model`` null and ``flags`` empty where the system does not
  say;
* ``numba_target``: what numba compiled the kernels for: ``cpu_name`` (e.g.
  ``"znver3"``, or ``"generic"``) and ``cpu_features`` (LLVM's feature string, such
  as ``"+avx2,+fma,-avx512f,..."``), set by ``NUMBA_CPU_NAME`` /
  ``NUMBA_CPU_FEATURES`` or else the host's;
* ``wiring_path``, ``timestamp`` (UTC, ISO 8601), ``hostname``, ``platform``,
  ``python_executable``, ``command`` (``sys.argv`` as a list) and ``extra`` (an
  object of caller-supplied fields, possibly empty).

The weights a run produces do not depend on the CPU or the numba target
(``docs/reproducibility.rst``); these fields say where it ran, so a difference can be
traced. Files written before ``produced_by`` existed lack it and the machine fields;
their ``git_commit`` is the producing commit (a sweep resume fills ``produced_by`` of the
sweep directory's file from it).

**metrics.parquet / metrics.csv** -- one row per observation (epoch or
checkpoint), every identifying value in a column; the index is not stored.
Readers use the Parquet file and fall back to the CSV.

**snapshots/step_<k>.npz** -- ``k`` is the training step as an unpadded decimal
integer; readers sort snapshots numerically (``step_2`` before ``step_10``). Each
file is a compressed NumPy ``.npz`` archive (readable with
``numpy.load(path, allow_pickle=False)``) with at least:

===========  ===================  ==============================================
name         dtype, shape         meaning
===========  ===================  ==============================================
``src``      int64, (E,)          presynaptic neuron ``j`` of each edge
``dst``      int64, (E,)          postsynaptic neuron ``i`` of each edge
``weight``   float64, (E,)        ``W[dst[e], src[e]]``; finite
``bias``     float64, (n,)        bias of each neuron; finite
``inputs``   int64, (n_in,)       input neurons, in data-column order
``outputs``  int64, (n_out,)      output neurons, in target-column order
``clamped``  int64, (n_clamped,)  neurons clamped during training (may be empty)
``n``        int64, ()            number of neurons
``step``     int64, ()            training step, equal to ``k`` in the file name
===========  ===================  ==============================================

All indices lie in ``[0, n)`` and each ordered pair ``(src, dst)`` appears at most
once. Edges are in the same order in every snapshot of a run, so ``weight`` arrays
of two snapshots can be compared element by element. Writers may add further
arrays (any name, no object dtype); readers keep them (``Snapshot.extra``).
``wiring train`` (:mod:`wiring.experiments.jobs`) adds the neurons' state, float64 of shape
(n,): ``rate`` (firing rates) and ``balance`` (``f(s)``, near 0 for a silent or
saturated neuron); for the noise task the simulation's state at that iteration, for
the supervised task means over up to 100 settled test samples (NaN if none settled),
and ``epoch`` (int64, ()) for the supervised task. Snapshots written before these
were added lack them.

**nodes.parquet / nodes.csv** -- written by ``wiring train`` when the graph's neurons
have names or attributes (``graph.family = "file"`` with GraphML or GEXF, or
``"connectome"``), and by ``wiring analyse`` for named nodes (GraphML, GEXF, a CSV edge
list with non-integer ids); absent otherwise. Read it with
:func:`~wiring.runs.read_nodes` (``None`` when absent). One row per neuron, in neuron
order, so row ``i`` describes neuron ``i`` of every snapshot: ``neuron`` (int64,
``0 .. n-1``), ``name`` (str: the file's node id, or the cell name), ``is_input`` and
``is_output`` (bool), then one column per node attribute (a connectome's ``class``,
``type``, ``description``; a file's attributes as bool, int64, float64 or str), an
attribute named like one of the first four columns being written as ``attr_<name>``.
:mod:`community` shows the names where it shows neurons: the ``name`` column of the
``neurons`` table, the node labels (and the attributes, as typed node attributes) of the
Gephi files, the hover of the report's network view.

**status.json** -- a JSON object written after everything else, with ``status``
(``"ok"``, ``"unstable"`` or ``"failed"``), ``reason`` (a string, empty for
``"ok"``), ``finished`` (UTC, ISO 8601) and any further fields the writer adds. A
run directory without it is unfinished (still running, or killed). JSON files may
contain the non-standard tokens ``NaN`` and ``Infinity`` (as Python writes them).

**Reading a run.** :func:`open_run` returns a read-only :class:`Run` view of a run
directory: its configuration, status and snapshots, with metrics and snapshot
arrays read on demand (in Jupyter it displays as a summary table).

**Atomic writes.** Every file is written to a temporary file in its target
directory (a name starting with ``.``), flushed, fsynced and renamed into place
with :func:`os.replace`, so a reader never sees a partly written file.

Examples
--------
>>> import tempfile
>>> from wiring.runs import list_snapshots, load_snapshot, write_snapshot
>>> tmp = tempfile.TemporaryDirectory()
>>> run = prepare_run_dir(Path(tmp.name) / "run")
>>> _ = write_config(run, {"seed": 0, "train": {"lr": 0.1}})
>>> _ = write_snapshot(run, 0, src=[0], dst=[1], weight=[0.5], bias=[0.0, 0.0],
...                    inputs=[0], outputs=[1], n=2)
>>> _ = write_status(run, "ok")
>>> [load_snapshot(p).dense().tolist() for p in list_snapshots(run)]
[[[0.0, 0.0], [0.5, 0.0]]]
>>> read_config(run)["train"]["lr"], read_status(run)["status"]
(0.1, 'ok')
>>> tmp.cleanup()
"""

from __future__ import annotations

import logging
import os
import shutil
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow

from wiring._checks import check_choice
from wiring.errors import ConfigError, WiringError
from wiring.runs.atomic import RunFormatError, _read_json, _write_json, atomic_open
from wiring.runs.snapshots import (
    SNAPSHOT_DIR,
    _run_dir,
)
from wiring.runs.tomlfile import dump_toml

__all__ = [
    "CONFIG_FILE", "PROVENANCE_FILE", "METRICS_PARQUET", "METRICS_CSV", "STATUS_FILE",
    "STATUSES", "prepare_run_dir", "write_table", "write_json", "write_config", "read_config",
    "write_metrics", "read_metrics", "write_status", "read_status",
]

log = logging.getLogger(__name__)

CONFIG_FILE = "config.toml"
PROVENANCE_FILE = "provenance.json"
METRICS_PARQUET = "metrics.parquet"
METRICS_CSV = "metrics.csv"
STATUS_FILE = "status.json"
#: Values of ``status`` in ``status.json``.
STATUSES = ("ok", "unstable", "failed")

# --------------------------------------------------------------------------- helpers


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- run directory


def prepare_run_dir(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Create a run directory (with its ``snapshots/`` folder), refusing to clobber one.

    Parameters
    ----------
    path : str or path-like
        The run directory. Missing parents are created.
    overwrite : bool, default False
        If the directory exists and is not empty (an empty ``snapshots/`` folder
        does not count): with ``False`` raise, unless it holds a run that *failed*
        (``status.json`` says ``"failed"``: nothing of it is worth keeping, so a rerun
        after fixing the input needs no flag); with ``True`` delete its contents first.
        As a guard against typos, contents are only deleted if the directory looks
        like a run directory (it holds ``snapshots/``, ``config.toml``,
        ``provenance.json`` or ``status.json``).

    Returns
    -------
    Path
        ``path``, now an existing directory containing an empty ``snapshots/``.

    Raises
    ------
    RunFormatError
        If ``path`` is a file, or is a non-empty directory and ``overwrite`` is
        false, or is a non-empty directory that does not look like a run directory.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(Path(tmp.name) / "a" / "run")
    >>> sorted(p.name for p in run.iterdir())
    ['snapshots']
    >>> _ = write_status(run, "ok")
    >>> prepare_run_dir(run)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.runs.RunFormatError: run directory ... is not empty; pass --overwrite ...
    >>> sorted(p.name for p in prepare_run_dir(run, overwrite=True).iterdir())
    ['snapshots']
    >>> tmp.cleanup()
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunFormatError(f"run directory {str(path)!r} exists and is not a directory")
    if path.is_dir() and _has_contents(path):
        if not overwrite and _failed(path):
            log.info("replacing the failed run in %s", path)
            overwrite = True
        if not overwrite:
            raise RunFormatError(
                f"run directory {str(path)!r} is not empty; pass --overwrite (overwrite=True) "
                "to replace its contents, or choose another directory"
            )
        markers = (SNAPSHOT_DIR, CONFIG_FILE, PROVENANCE_FILE, STATUS_FILE)
        if not any((path / m).exists() for m in markers):
            raise RunFormatError(
                f"refusing to clear {str(path)!r}: it is not empty and does not look like a "
                f"run directory (none of {', '.join(markers)}); choose another directory"
            )
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    (path / SNAPSHOT_DIR).mkdir(parents=True, exist_ok=True)
    return path


def _failed(path: Path) -> bool:
    """Whether ``path`` holds a run whose ``status.json`` says it failed."""
    try:
        return _read_json(path / STATUS_FILE).get("status") == "failed"
    except (OSError, ValueError, RunFormatError, AttributeError):
        return False


def _has_contents(path: Path) -> bool:
    """True if ``path`` holds anything but an empty ``snapshots/`` folder."""
    for child in path.iterdir():
        is_empty_snap_dir = (
            child.name == SNAPSHOT_DIR
            and child.is_dir()
            and not child.is_symlink()
            and not any(child.iterdir())
        )
        if not is_empty_snap_dir:
            return True
    return False


# --------------------------------------------------------------------------- config (TOML)


def write_config(run_dir: str | os.PathLike, config: Mapping) -> Path:
    """Write the resolved configuration to ``config.toml`` atomically.

    Parameters
    ----------
    run_dir : str or path-like
        An existing run directory.
    config : mapping
        Nested configuration; see :func:`dump_toml` for the allowed values.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ConfigError
        If a value cannot be written to TOML (the message names the file and key).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> write_config(run, {"train": {"lr": 0.1, "epochs": 3}}).name
    'config.toml'
    >>> read_config(run)
    {'train': {'lr': 0.1, 'epochs': 3}}
    >>> tmp.cleanup()
    """
    path = _run_dir(run_dir) / CONFIG_FILE
    try:
        text = dump_toml(config)
    except ConfigError as exc:
        raise ConfigError(f"cannot write {str(path)!r}: {exc}") from None
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return path


def read_config(run_dir: str | os.PathLike) -> dict:
    """Read ``config.toml`` of a run.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.

    Returns
    -------
    dict
        The configuration as :func:`tomllib.load` returns it.

    Raises
    ------
    RunFormatError
        If the file is missing or is not valid TOML (the message names the file
        and, from the parser, the line).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> _ = write_config(run, {"name": "demo", "sizes": [1, 2]})
    >>> read_config(run)["sizes"]
    [1, 2]
    >>> tmp.cleanup()
    """
    path = _run_dir(run_dir) / CONFIG_FILE
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise RunFormatError(f"{str(path)!r} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RunFormatError(f"{str(path)!r} is not valid TOML: {exc}") from None


# --------------------------------------------------------------------------- metrics


def write_metrics(
    run_dir: str | os.PathLike,
    table: pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
) -> tuple[Path, Path]:
    """Write the metrics table as ``metrics.parquet`` and ``metrics.csv``, atomically.

    The ``"metrics"`` case of :func:`write_table`.

    Parameters
    ----------
    run_dir : str or path-like
        An existing run directory.
    table : DataFrame, list of dict or dict of lists
        One row per observation. The index is not stored: a DataFrame must have
        the default ``RangeIndex`` (call ``reset_index()`` to keep another index
        as columns). Column names must be strings.

    Returns
    -------
    tuple of Path
        ``(parquet_path, csv_path)``.

    Raises
    ------
    RunFormatError
        If the table cannot be built or stored (names the file or column).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> pq, csv = write_metrics(run, [{"epoch": 0, "loss": 0.5}, {"epoch": 1, "loss": 0.25}])
    >>> read_metrics(run)["loss"].tolist()
    [0.5, 0.25]
    >>> tmp.cleanup()
    """
    return write_table(_run_dir(run_dir), "metrics", table)


def write_table(
    directory: str | os.PathLike,
    name: str,
    table: pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
) -> tuple[Path, Path]:
    """Write a tidy table as ``<name>.parquet`` and ``<name>.csv`` in ``directory``, atomically.

    Parameters
    ----------
    directory : str or path-like
        An existing directory.
    name : str
        File stem.
    table : DataFrame, list of dict or dict of lists
        One row per observation; a DataFrame must have the default ``RangeIndex``;
        column names must be strings.

    Returns
    -------
    tuple of Path
        ``(parquet_path, csv_path)``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_table(d, "blocks", [{"a": 1}])]
    ['blocks.parquet', 'blocks.csv']
    """
    run = Path(directory)
    pq_path, csv_path = run / f"{name}.parquet", run / f"{name}.csv"
    if isinstance(table, pd.DataFrame):
        df = table
        default = pd.RangeIndex(len(df))
        if not df.index.equals(default) or df.index.nlevels != 1 or df.index.name is not None:
            raise RunFormatError(
                f"cannot write {str(pq_path)!r}: the metrics table has a non-default index "
                "that would be lost; call .reset_index() to turn it into columns"
            )
    else:
        try:
            df = pd.DataFrame(table)
        except (TypeError, ValueError) as exc:
            raise RunFormatError(
                f"cannot build the metrics table for {str(pq_path)!r}: {exc}"
            ) from None
    bad = [c for c in df.columns if not isinstance(c, str)]
    if bad:
        raise RunFormatError(
            f"cannot write {str(pq_path)!r}: column name {bad[0]!r} is not a string"
        )
    try:
        with atomic_open(pq_path, "wb") as fh:
            df.to_parquet(fh, engine="pyarrow", index=False)
    except (pyarrow.ArrowException, TypeError, ValueError) as exc:
        raise RunFormatError(f"cannot write {str(pq_path)!r}: {exc}") from None
    with atomic_open(csv_path, "w") as fh:
        df.to_csv(fh, index=False)
    return pq_path, csv_path


def write_json(path: str | os.PathLike, obj: Mapping) -> Path:
    """Write ``obj`` as indented JSON to ``path``, atomically.

    Parameters
    ----------
    path : str or path-like
    obj : mapping

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> write_json(Path(tempfile.mkdtemp()) / "a.json", {"x": 1}).read_text().strip()[:1]
    '{'
    """
    return _write_json(Path(path), obj)


def read_metrics(run_dir: str | os.PathLike) -> pd.DataFrame:
    """Read the metrics table of a run (Parquet; the CSV if there is no Parquet file).

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.

    Returns
    -------
    DataFrame

    Raises
    ------
    RunFormatError
        If neither file exists, or the one read is unreadable (names the file).

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> _ = write_metrics(run, {"step": [0, 10], "accuracy": [0.1, 0.9]})
    >>> (run / "metrics.parquet").unlink()
    >>> read_metrics(run).to_dict("list")
    {'step': [0, 10], 'accuracy': [0.1, 0.9]}
    >>> tmp.cleanup()
    """
    run = _run_dir(run_dir)
    pq_path, csv_path = run / METRICS_PARQUET, run / METRICS_CSV
    if pq_path.is_file():
        try:
            return pd.read_parquet(pq_path, engine="pyarrow")
        except (pyarrow.ArrowException, OSError) as exc:
            raise RunFormatError(
                f"{str(pq_path)!r} is not a readable Parquet file: {exc}"
            ) from None
    if csv_path.is_file():
        try:
            return pd.read_csv(csv_path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise RunFormatError(f"{str(csv_path)!r} is not a readable CSV file: {exc}") from None
    raise RunFormatError(
        f"run directory {str(run)!r} has neither {METRICS_PARQUET} nor {METRICS_CSV}"
    )


# --------------------------------------------------------------------------- status


def write_status(run_dir: str | os.PathLike, status: str, *, reason: str = "", **extra) -> Path:
    """Write ``status.json``, the last file of a run.

    Parameters
    ----------
    run_dir : str or path-like
        An existing run directory.
    status : {"ok", "unstable", "failed"}
        How the run ended.
    reason : str, default ""
        Why, for ``"unstable"`` and ``"failed"``.
    **extra
        Further JSON-serialisable fields (e.g. ``epochs_run=12``).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    WiringError
        If ``status`` is not one of :data:`STATUSES`, ``reason`` is not a string or
        ``extra`` holds the reserved key ``finished``.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> _ = write_status(run, "unstable", reason="settle diverged", step=40)
    >>> s = read_status(run)
    >>> s["status"], s["reason"], s["step"]
    ('unstable', 'settle diverged', 40)
    >>> tmp.cleanup()
    """
    check_choice(status, "status", STATUSES)
    if not isinstance(reason, str):
        raise WiringError(f"`reason` must be a string, got {reason!r}")
    if "finished" in extra:
        raise WiringError("`finished` is set by write_status; pass it under another name")
    path = _run_dir(run_dir) / STATUS_FILE
    return _write_json(path, {"status": status, "reason": reason, "finished": _utc_now(), **extra})


def read_status(run_dir: str | os.PathLike) -> dict | None:
    """Read ``status.json`` of a run, or ``None`` if the run has not finished.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.

    Returns
    -------
    dict or None
        The status object, ``None`` when ``status.json`` does not exist.

    Raises
    ------
    RunFormatError
        If the file is not a JSON object with a valid ``status``.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> read_status(run) is None
    True
    >>> tmp.cleanup()
    """
    path = _run_dir(run_dir) / STATUS_FILE
    if not path.exists():
        return None
    obj = _read_json(path)
    if obj.get("status") not in STATUSES:
        raise RunFormatError(
            f"{str(path)!r}: field `status` is {obj.get('status')!r}, "
            f"expected one of {', '.join(STATUSES)}"
        )
    return obj
