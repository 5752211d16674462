"""Sweeps: a grid of :func:`wiring.experiments.jobs.run_train` jobs, run in parallel and resumable.

A sweep file is TOML. Its ``[sweep]`` table describes the grid; any other top-level
sections (``task``, ``data``, ``graph``, ``neurons``, ``train``, ``simulation``, as
in a ``wiring train`` config) form the base configuration every run starts from::

    [sweep]
    name = "demo"            # default "sweep"
    lr_min = 1e-4            # learning-rate axis, log-spaced (the default form) ...
    lr_max = 1e4
    lr_count = 6
    # learning_rates = [0.01, 0.1]   # ... or an explicit list (not both)
    seeds = [0, 1, 2]        # task.seed (default [0, 1, 2])
    # rules = ["balance", "fa"]          -> train.rule
    # prunes = [0.5, 0.9]                -> simulation.prune
    # graph_families = ["all-to-all"]    -> graph.family
    # workers = 4            # processes (default os.cpu_count())

    [task]
    kind = "noise"

    [analysis]               # optional: how `wiring sweep` / `wiring report` analyse it
    n_null = 20              # draws of each null model (init-pruned, shuffle, rewire)
    # nulls = ["init-pruned", "shuffle", "rewire"]
    # block_weights = "auto" # "none" (surviving synapses), "lognormal", "exponential"

Several groups in one sweep: each ``[sweep.groups.<name>]`` table takes the grid
keys above (defaults: those of ``[sweep]``) and its own configuration sections
(``[sweep.groups.<name>.simulation]`` ...), applied over the top-level base.
Without groups the sweep is one group named after the sweep. The learning-rate
axis sets ``train.learning_rate`` for ``task.kind = "supervised"`` and
``simulation.learning_rate`` for ``"noise"``. Unknown keys and wrong types are
:class:`~wiring.errors.ConfigError` naming the file and the key; every run's
configuration is checked with :func:`wiring.experiments.jobs.validate` before anything runs.

Output of :func:`run_sweep`::

    <out>/
      sweep.toml              resolved sweep (every group's full base + explicit grid)
      provenance.json
      runs/<run_id>/          one run directory each (wiring.runs format)
      sweep_status.parquet    one row per run: run_id, group, varied parameters,
      sweep_status.csv        status (ok/unstable/failed/skipped), reason, seconds, resumed

Each run is written into ``runs/.tmp-<run_id>-<pid>-<random>`` and renamed to
``runs/<run_id>`` once it has a ``status.json``, so a killed sweep never leaves a
half run under its final name; ``resume=True`` keeps finished runs, removes what
a killed sweep left half-written (``runs/.tmp-*``, ``.*.tmp`` files of the
sweep's own tables) and redoes the rest. ``skipped`` marks runs that have not run
(yet): the status table is rewritten after every run, so it is current even
after a kill. Before any run starts, the output directory is created and proved
writable (a probe file written, fsynced and removed) with at least
:data:`MIN_FREE_BYTES` free. A disk that fills later, during a run, fails that run
(``failed``, naming its directory and the errno, no directory kept) and stops the
sweep with a :class:`~wiring.errors.WiringError`; the status table holds what
finished and ``resume=True`` runs the rest. A finished sweep can be extended: add
values to its axes (or groups) and resume, and only the new runs run.

Runs execute in this process (``workers=1``), in local worker processes (the
default), or on a Dask cluster (``scheduler="tcp://HOST:PORT"``, see
:func:`run_sweep`); a run's results depend only on its configuration, never on
where it ran.

Examples
--------
>>> sweep = load_sweep()  # the embedded default, DEFAULT_SWEEP
>>> [(g.name, len(g.learning_rates), len(g.seeds)) for g in sweep.groups]
[('noise', 6, 3), ('digits', 3, 1)]
>>> specs = expand(sweep)
>>> len(specs), specs[0].run_id
(21, 'noise__lr0.0001_s0')
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from wiring import runs
from wiring._progress import Progress, ProgressArg
from wiring.config import (
    TrainConfig,
    _upgrade_legacy,
    config_to_dict,
)
from wiring.errors import ConfigError, WiringError
from wiring.experiments._execute import (
    START_METHOD,
    STORAGE_FAILURE,
    TMP_PREFIX,
    _os_error,
    execute_all,
    is_storage_error,
)
from wiring.experiments.grid import (
    _AXES,
    _NOT_RUN,
    ANALYSIS_KEYS,
    DEFAULT_SWEEP,
    MIN_FREE_BYTES,
    STATUS_ORDER,
    STATUS_TABLE,
    SWEEP_FILE,
    RunSpec,
    SweepConfig,
    SweepGroup,
    SweepResult,
    _resolved,
    analysis_settings,
    expand,
    load_sweep,
)
from wiring.runs.atomic import atomic_open
from wiring.runs.tomlfile import dump_toml

__all__ = ["ANALYSIS_KEYS", "DEFAULT_SWEEP", "MIN_FREE_BYTES", "START_METHOD", "SweepConfig",
           "SweepGroup", "RunSpec", "SweepResult", "analysis_settings", "load_sweep", "expand",
           "run_sweep"]

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` so two sweeps never write (or clean) one directory at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    with open(out / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WiringError(f"another sweep is running in {out} (it holds {out / '.lock'}); "
                              "wait for it to finish or choose another --out") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _drop_new_defaults(old: dict, new: dict) -> None:
    """Forget config keys added to ``wiring`` after ``old`` was written, where ``new``
    holds their default: a sweep started before a key existed resumes unchanged."""
    defaults = tomllib.loads(dump_toml(config_to_dict(TrainConfig())))
    for group, cfg in new.get("sweep", {}).get("groups", {}).items():
        before = old.get("sweep", {}).get("groups", {}).get(group)
        if not isinstance(before, dict):
            continue
        for section, table in cfg.items():
            if not (isinstance(table, dict) and isinstance(before.get(section), dict)):
                continue
            for key in [k for k in table if k not in before[section]]:
                if table[key] == defaults.get(section, {}).get(key, object()):
                    del table[key]


def _nothing_written(out: Path) -> bool:
    """True if ``out`` holds nothing a sweep wrote: at most its lock, temp files and a
    ``runs`` directory without a run (a sweep stopped before its sweep.toml was written)."""
    for path in out.iterdir():
        if path.name == ".lock" or (path.name.startswith(".") and path.name.endswith(".tmp")):
            continue
        if not (path.name == "runs" and path.is_dir() and not path.is_symlink()
                and all(p.name.startswith(TMP_PREFIX) for p in path.iterdir())):
            return False
    return True


#: The grid axes of a group in ``sweep.toml``: a resume may add values to them.
_AXIS_KEYS = ("learning_rates", "seeds", "rules", "prunes", "graph_families")


def _without_axes(resolved: dict, groups) -> dict:
    """``resolved`` (a parsed sweep.toml) without the grid axes of its groups and without
    the groups not in ``groups``: what no extension of the sweep may change."""
    out = {key: value for key, value in resolved.items() if key != "sweep"}
    sweep = dict(resolved.get("sweep", {}))
    if isinstance(sweep.get("groups"), dict):
        sweep["groups"] = {
            name: ({k: v for k, v in group.items() if k not in _AXIS_KEYS}
                   if isinstance(group, dict) else group)
            for name, group in sweep["groups"].items() if name in groups}
    out["sweep"] = sweep
    return out


def _shrunk_axis(old: dict, new: dict) -> tuple[str, object, object] | None:
    """The first grid axis of a group of ``old`` that ``new`` does not extend: a value
    left out, or an axis varied that was not (its run ids would change)."""
    new_groups = new.get("sweep", {}).get("groups", {})
    for name, group in old.get("sweep", {}).get("groups", {}).items():
        if not isinstance(group, dict) or not isinstance(new_groups.get(name), dict):
            continue  # compared whole by _without_axes
        for axis in _AXIS_KEYS:
            was, now = group.get(axis, []), new_groups[name].get(axis, [])
            if was != now and (not (isinstance(was, list) and isinstance(now, list))
                               or not was or any(value not in now for value in was)):
                return f"sweep.groups.{name}.{axis}", was, now
    return None


def _check_out(out: Path, resume: bool, resolved: dict) -> bool:
    """Refuse an ``out`` a sweep must not write into; True if the sweep extends the one
    ``out`` holds (a resume with values added to grid axes, or groups added)."""
    if out.exists() and not out.is_dir():
        raise WiringError(f"sweep output {out} exists and is not a directory; choose another "
                          "--out")
    if not out.is_dir() or _nothing_written(out):
        return False
    if not resume:
        raise WiringError(f"sweep output {out} already exists and is not empty; pass --resume "
                          "(resume=True) to finish an interrupted sweep there (or to extend a "
                          "finished one), or choose another --out")
    previous = out / SWEEP_FILE
    if not previous.is_file():
        raise WiringError(f"cannot resume in {out}: it is not empty and holds no {SWEEP_FILE}, "
                          "so it is not a sweep directory; choose another --out")
    try:
        old = tomllib.loads(previous.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WiringError(f"cannot resume in {out}: {previous} is not valid TOML ({exc})") \
            from None
    new = tomllib.loads(dump_toml(resolved))
    for d in (old, new):
        d.get("sweep", {}).pop("workers", None)
        d.pop("analysis", None)  # the runs never read it
    legacy = [name for name, group in old.get("sweep", {}).get("groups", {}).items()
              if isinstance(group, dict) and _upgrade_legacy(group)]
    _drop_new_defaults(old, new)
    if old == new:
        return False
    # an extension keeps every group, with every value of its axes, and its configuration
    kept_groups = old.get("sweep", {}).get("groups", {})
    fixed_old, fixed_new = _without_axes(old, kept_groups), _without_axes(new, kept_groups)
    if fixed_old != fixed_new:
        key, was, now = _first_difference(fixed_old, fixed_new)
        note = ""
        if any(key.startswith(f"sweep.groups.{name}.graph.") for name in legacy):
            note = (" (an earlier wiring ran that group's noise task on all-to-all with "
                    "self-loops whatever [graph] said, and recorded family = \"recurrent\")")
        if isinstance(was, dict) and now is _UNSET and key.startswith("sweep.groups."):
            raise WiringError(f"cannot resume in {out}: it was started with a different sweep "
                              f"configuration ({previous}): its group [{key}] is not in the "
                              "new one; a resume may add groups or axis values, not remove "
                              "them; resume with the sweep file it was started with (or an "
                              "extension of it), or choose another --out")
        hint = "" if was is _UNSET else (f" (setting {key.rsplit('.', 1)[-1]} = {_show(was)} "
                                         "where a default has changed since)")
        raise WiringError(f"cannot resume in {out}: it was started with a different sweep "
                          f"configuration ({previous}): {key} = {_show(was)} there{note}, "
                          f"{_show(now)} now; resume with the sweep file it was started with"
                          f"{hint}, or choose another --out")
    shrunk = _shrunk_axis(old, new)
    if shrunk is not None:
        key, was, now = shrunk
        raise WiringError(f"cannot resume in {out}: it was started with a different sweep "
                          f"configuration ({previous}): {key} = {_show(was)} there, "
                          f"{_show(now)} now; a resume may extend a sweep (add values to its "
                          "axes, or groups) but not remove a value or vary an axis that was "
                          "not varied (its runs' ids would change); resume with the sweep "
                          "file it was started with (or an extension of it), or choose "
                          "another --out")
    return True


_UNSET = object()  # a key one of two tables lacks (_first_difference)


def _first_difference(old, new, where: str = "") -> tuple[str, object, object]:
    """(dotted key, old value, new value) of the first place two parsed TOML tables differ;
    a key missing from one of them reads as ``_UNSET``."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            was, now = old.get(key, _UNSET), new.get(key, _UNSET)
            if was != now:
                return _first_difference(was, now, f"{where}.{key}" if where else key)
    return where, old, new


def _show(value) -> str:
    """A parsed TOML value as TOML writes it (``true``, ``"x"``, ``[0, 1]``)."""
    if value is _UNSET:
        return "(unset)"
    if isinstance(value, dict):  # a whole table: as Python shows it
        return repr(value)
    try:
        return dump_toml({"v": value}).strip()[len("v = "):]
    except ConfigError:  # what dump_toml does not write (a date): as Python shows it
        return repr(value)


def _table(rows: dict[str, dict], specs: list[RunSpec]) -> pd.DataFrame:
    axes = ["learning_rate", "seed"] + [a for a in _AXES if any(a in s.params for s in specs)]
    columns = ["run_id", "group", *axes, "status", "reason", "seconds", "resumed"]
    return pd.DataFrame([rows[s.run_id] for s in specs], columns=columns)


def _previous_seconds(out: Path) -> dict[str, float]:
    path = out / f"{STATUS_TABLE}.parquet"
    if not path.is_file():
        return {}
    old = pd.read_parquet(path)
    done = old[old["status"] != "skipped"]
    return dict(zip(done["run_id"], done["seconds"], strict=True))


def _preflight(out: Path) -> Path:
    """Create ``out/runs`` and prove it writable with room to spare, before any run starts.

    Writes, fsyncs and removes a probe file, then checks free space against
    :data:`MIN_FREE_BYTES`; an ``OSError`` becomes a :class:`WiringError` naming the
    path and the error. Returns the runs directory.
    """
    runs_dir = out / "runs"
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = exc.filename or runs_dir
        raise WiringError(f"cannot create the sweep output directory {runs_dir}: {where}: "
                          f"{_os_error(exc)}; choose another --out or fix its permissions") \
            from None
    probe = runs_dir / f"{TMP_PREFIX}preflight-{secrets.token_hex(6)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, b"wiring sweep: can this directory be written?\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        probe.unlink()
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink()
        raise WiringError(f"the sweep output directory {runs_dir} is not writable: writing "
                          f"{probe.name} failed: {_os_error(exc)}; choose another --out, fix "
                          "its permissions or free some space") from None
    free = shutil.disk_usage(runs_dir).free
    if free < MIN_FREE_BYTES:
        raise WiringError(f"the sweep output directory {runs_dir} has {free / 2**20:.1f} MiB "
                          f"free, less than the {MIN_FREE_BYTES / 2**20:.0f} MiB a sweep needs "
                          "to start (wiring.experiments.grid.MIN_FREE_BYTES); free some space or "
                          "choose another --out")
    return runs_dir


def _clean_stale(out: Path, runs_dir: Path) -> None:
    """Remove what an interrupted sweep left half-written: ``runs/.tmp-*`` (run
    directories, probes, markers) and the temp files of ``out``'s atomic writes."""
    for stale in runs_dir.glob(f"{TMP_PREFIX}*"):
        log.info("removing stale %s", stale)
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    for stale in out.glob(".*.tmp"):  # atomic_open's temp files (sweep_status, sweep.toml)
        if stale.is_file():
            log.info("removing stale %s", stale)
            stale.unlink(missing_ok=True)


class _StorageFailed(Exception):
    """Raised by :func:`run_sweep`'s row callback to stop the executor (internal)."""


@contextlib.contextmanager
def _storage_errors(out: Path) -> Iterator[None]:
    """An ``OSError`` of a full (or failing) disk while the sweep writes its own files
    becomes a :class:`WiringError` naming the file and the errno."""
    try:
        yield
    except OSError as exc:
        if not is_storage_error(exc):
            raise
        where = exc.filename or out
        raise WiringError(f"the sweep in {out} stopped: writing {where} failed: "
                          f"{_os_error(exc)}; free some space (or fix the filesystem), then "
                          "rerun with --resume (resume=True) to run what is left") from None


def _stopped(out: Path, name: str, why: str, rows: dict[str, dict],
             specs: list[RunSpec]) -> None:
    """Stop a sweep whose output storage failed during a run, as a :class:`WiringError`:
    the status table holds what finished (written once more, if the disk allows), the
    failed run has no directory, so a resume runs it and the rest."""
    note = ""
    try:
        runs.write_table(out, STATUS_TABLE, _table(rows, specs))
    except OSError as exc:
        if not is_storage_error(exc):
            raise
        note = (f" (the status table {out / STATUS_TABLE}.parquet could not be rewritten: "
                f"{_os_error(exc)}; it shows an earlier state)")
    left = sum(row["status"] == "skipped" or bool(row.get(STORAGE_FAILURE))
               for row in rows.values())
    kept = len(specs) - left
    log.error("sweep %s stopped: %s", name, why)
    raise WiringError(f"the sweep in {out} stopped: {why}. {kept} of {len(specs)} runs "
                      f"finished{note}; free some space (or fix the filesystem), then rerun "
                      f"with --resume (resume=True): it keeps them and runs the {left} "
                      "others")


def _check_dask_rules(specs: list[RunSpec]) -> None:
    """Refuse rules registered only in this process: Dask workers cannot see them."""
    from wiring.rules import ENTRY_POINT_GROUP, registered

    local = registered([spec.config.train.rule for spec in specs], runtime=True)
    if local:
        names = ", ".join(repr(rule.name) for rule in local)
        what = f"rules {names} are" if len(local) > 1 else f"rule {names} is"
        raise WiringError(f"{what} registered in this process only, and Dask workers cannot "
                          f"see them: register them in a module named by a "
                          f"'{ENTRY_POINT_GROUP}' entry point of a package installed on every "
                          "worker, or run the sweep on local workers (no scheduler)")


def _previous_provenance(out: Path) -> dict | None:
    """The sweep directory's provenance before this invocation (None if unreadable)."""
    try:
        return runs.read_provenance(out)
    except runs.RunFormatError:
        return None


def run_sweep(config: str | os.PathLike | SweepConfig | None = None,
              out: str | os.PathLike = "runs/sweep", *, resume: bool = False,
              workers: int | None = None,
              progress: ProgressArg = False,
              scheduler: str | None = None) -> SweepResult:
    """Run every run of a sweep into ``out`` (see the module docstring for the layout).

    Parameters
    ----------
    config : str, path-like, SweepConfig or None
        Sweep file, parsed sweep, or ``None`` for :data:`DEFAULT_SWEEP`.
    out : str or path-like
        Sweep directory. An existing non-empty one is refused unless ``resume``.
    resume : bool
        Finish an interrupted sweep in ``out``: runs whose directory holds a
        ``status.json`` are kept (whatever their status; delete a run directory to
        redo it), stale ``.tmp-*`` directories and temp files are removed, the rest
        run. The sweep configuration must be the one ``out`` was started with, or an
        extension of it: values added to a group's axes (``learning_rates``, ``seeds``,
        ``rules``, ``prunes``, ``graph_families``) or groups added; then only the new
        runs run and ``sweep.toml`` is rewritten to the extended configuration. Anything
        that would change a kept run (a configuration value, a removed axis value or
        group, an axis varied that was not) is refused, naming the first difference.
    workers : int, optional
        Worker processes (default: ``sweep.workers`` of the file, else
        ``os.cpu_count()``). ``workers=1`` runs everything in this process, one
        run after the other (easiest to debug: breakpoints and logging work).
        Otherwise runs execute in a :class:`~concurrent.futures.ProcessPoolExecutor`
        started with :data:`START_METHOD`; each run is seeded by its
        configuration only, so results do not depend on ``workers``. Workers
        share numba's on-disk cache (``NUMBA_CACHE_DIR`` is inherited). As with
        any spawn/forkserver pool, a script calling this must guard its entry
        point with ``if __name__ == "__main__":``. Rules registered in this process
        (:func:`wiring.rules.register`) are handed to the workers with the runs that
        use them. Not used with ``scheduler``.
    progress : bool, "auto" or callable(done, total)
        A progress bar over runs (``tqdm.auto``: a widget in Jupyter, text on
        stderr elsewhere), drawn in this process; kept runs count as done. ``False``
        (the default: the library is quiet unless asked): none. ``True``: always.
        ``"auto"``: in Jupyter or when stderr is a terminal, never when ``CI`` is
        set. A callable is called with ``(finished runs, runs)`` instead.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``"tcp://HOST:PORT"``): each run
        becomes one task on its workers instead of a local process (see Notes).
        ``out`` must be on a filesystem every worker shares, under the same path;
        the workers need this package, in the same version, importable. A rule of
        your own must reach the workers through a ``wiring.rules`` entry point
        (:data:`wiring.rules.ENTRY_POINT_GROUP`) of a package they have installed:
        one only registered in this process is refused.

    Returns
    -------
    SweepResult

    Raises
    ------
    ConfigError
        Invalid sweep file (names file and key).
    WiringError
        ``out`` exists and is not empty without ``resume``, or cannot be resumed;
        ``out`` cannot be created or written, or has less than
        :data:`MIN_FREE_BYTES` free (checked before any run starts; the message
        names the directory and the error). With ``scheduler``: the address is
        malformed, nothing answers as a Dask scheduler there within
        ``distributed.comm.timeouts.connect`` (default 30 s), no worker joins
        within that time, or a worker cannot see or write ``out``.
        A run raising :class:`WiringError` does not stop the sweep: it is recorded
        as ``failed`` with its reason.
        The disk filling (or failing: an ``OSError`` of
        :data:`~wiring.experiments._execute.STORAGE_ERRNOS`) during a run or while the
        sweep writes its files does: the run is recorded ``failed`` (naming its
        directory and the errno) without a run directory, the status table is written
        with what finished, and the sweep can be resumed once there is space.

    Notes
    -----
    On Ctrl-C the runs not yet handed to a worker are cancelled, the runs in
    progress stop (their ``.tmp-*`` directories are removed on resume) and the
    status table marks what did not run as ``skipped``. After ``kill -9`` of the
    parent alone, its workers finish the run they hold before exiting; resuming
    meanwhile is safe (a run finished twice keeps the first copy).

    On Dask, each run is one task whose key, ``wiring-run-<config hash>-<attempt>``,
    starts with 16 hex digits of the SHA-256 of the run's ``config.toml``, then 8 of a
    hash of its run id, run directory and this call (a resumed sweep never attaches to a
    task of the killed one). Rows are recorded as tasks finish. A task whose worker dies
    is rescheduled by the scheduler, up to ``distributed.scheduler.allowed-failures``
    (default 3) times, then recorded as ``failed``; exceptions are not retried (a run is
    seeded by its configuration: it would fail again). Before the first task, every
    worker must read a marker file in ``out/runs`` and write beside it, or the sweep
    fails naming the workers; then a worker plugin compiles the numba kernels once per
    worker process (or loads them from numba's on-disk cache, ``cache=True``: beside the
    package sources, or in ``NUMBA_CACHE_DIR`` where those are read-only), on every
    worker that runs tasks, including those that join or restart later. Start workers
    with one thread each (``dask worker ADDRESS --nthreads 1``, several with
    ``--nworkers``): numba's parallel kernels use ``NUMBA_NUM_THREADS`` threads per run.
    On an error or Ctrl-C, as with local processes, tasks not yet started are cancelled,
    the sweep waits for those running and records those that finished.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "s.toml").write_text(
    ...     '[sweep]\\nname = "tiny"\\nlearning_rates = [0.01, 0.1]\\nseeds = [0]\\n'
    ...     '[task]\\nkind = "noise"\\n[graph]\\nn = 20\\n'
    ...     '[simulation]\\niterations = 100\\nsnapshots = 2\\n')
    >>> res = run_sweep(d / "s.toml", d / "out", workers=1)
    >>> res.table[["run_id", "status"]].values.tolist()
    [['tiny__lr0.01_s0', 'ok'], ['tiny__lr0.1_s0', 'ok']]
    >>> sorted(p.name for p in (d / "out" / "runs").iterdir())
    ['tiny__lr0.01_s0', 'tiny__lr0.1_s0']
    >>> run_sweep(d / "s.toml", d / "out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: sweep output ... is not empty; pass --resume ...
    >>> run_sweep(d / "s.toml", d / "out", resume=True, workers=1).counts
    {'ok': 2, 'unstable': 0, 'failed': 0, 'skipped': 0}
    """
    sweep = config if isinstance(config, SweepConfig) else load_sweep(config)
    if workers is None:
        workers = sweep.workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise WiringError(f"`workers` must be an integer >= 1, got {workers!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise WiringError(f"`scheduler` must be a Dask scheduler address such as "
                          f"'tcp://HOST:PORT', got {scheduler!r}")
    bar = Progress(progress, desc=f"sweep {sweep.name}", unit="run")
    specs = expand(sweep)
    if scheduler is not None:
        _check_dask_rules(specs)
    out = Path(out)
    resolved = _resolved(sweep, workers)
    extended = _check_out(out, resume, resolved)
    fresh = [p for p in (out, out / "runs") if not p.exists()]
    with contextlib.ExitStack() as stack:
        client = None
        try:
            runs_dir = _preflight(out)
            if scheduler is not None:
                from wiring.experiments import _dask as _sweep_dask

                client = stack.enter_context(_sweep_dask.dask_client(scheduler.strip()))
        except BaseException:  # leave no empty directory behind: a retry needs no --resume
            for path in reversed(fresh):
                with contextlib.suppress(OSError):
                    path.rmdir()
            raise
        stack.enter_context(_locked(out))
        stack.enter_context(bar)  # closed on the way out, errors and Ctrl-C included
        stack.enter_context(_storage_errors(out))
        with atomic_open(out / SWEEP_FILE, "w") as fh:
            fh.write(f"# resolved sweep configuration (source: {sweep.source})\n")
            fh.write(dump_toml(resolved))
        _clean_stale(out, runs_dir)
        seconds = _previous_seconds(out) if resume else {}
        rows: dict[str, dict] = {}
        todo = []
        for spec in specs:
            final = runs_dir / spec.run_id
            status = runs.read_status(final) if final.is_dir() else None
            row = {"run_id": spec.run_id, "group": spec.group, **spec.params}
            if status is not None:  # kept as it is: a resume never touches a finished run
                rows[spec.run_id] = {**row, "status": status["status"],
                                     "reason": status.get("reason", ""),
                                     "seconds": seconds.get(spec.run_id, float("nan")),
                                     "resumed": True}
                continue
            if final.exists():  # not a finished run (our runs appear only when finished)
                log.warning("removing %s: it has no status.json", final)
                shutil.rmtree(final)
            rows[spec.run_id] = {**row, "status": "skipped", "reason": _NOT_RUN,
                                 "seconds": float("nan"), "resumed": False}
            todo.append(spec)
        if client is not None:
            executor = {"executor": "dask", "scheduler": scheduler.strip(),
                        "dask_workers": len(client.scheduler_info()["workers"]),
                        "start_method": "dask"}
        else:
            executor = {"executor": "in-process" if workers == 1 else "processes",
                        "start_method": "in-process" if workers == 1 else START_METHOD}
        previous = _previous_provenance(out) if resume else None
        runs.write_provenance(out, seed=None, extra={
            "job": "sweep", "sweep": sweep.name, "source": sweep.source, "runs": len(specs),
            "kept": len(specs) - len(todo), "resume": resume, "extended": extended,
            "workers": workers, **executor})
        if previous is not None:  # the sweep directory's producer, and this resume
            todo_ids = {spec.run_id for spec in todo}
            runs.record_resume(out, produced_by=previous.get("produced_by",
                                                             previous.get("git_commit")),
                               history=previous.get("resumed_by"),
                               kept=[s.run_id for s in specs if s.run_id not in todo_ids],
                               ran=sorted(todo_ids))
        runs.write_table(out, STATUS_TABLE, _table(rows, specs))
        done = len(specs) - len(todo)
        if extended:
            log.info("sweep %s extended: %s now holds the extended configuration", sweep.name,
                     out / SWEEP_FILE)
        log.info("sweep %s: %d runs, %d kept, %d to run on %s", sweep.name, len(specs), done,
                 len(todo), f"Dask ({scheduler})" if client is not None else f"{workers} worker(s)")
        bar.update(done, len(specs))

        recorded: set[str] = set()
        stop: list[str] = []  # why the sweep stops: the output storage failed

        def on_row(row: dict) -> None:
            nonlocal done
            if row["run_id"] in recorded:  # an executor recording it again while stopping
                return
            recorded.add(row["run_id"])
            rows[row["run_id"]] = row
            done += 1
            bar.update(done)
            first = not stop
            if row.get(STORAGE_FAILURE) and not stop:
                stop.append(f"run {row['run_id']} failed: {row['reason']}")
            try:
                runs.write_table(out, STATUS_TABLE, _table(rows, specs))
            except OSError as exc:
                if not is_storage_error(exc):
                    raise
                if not stop:
                    stop.append(f"writing the status table {out / STATUS_TABLE}.parquet "
                                f"failed: {_os_error(exc)}")
            if stop and first:  # once: the executor then records what is still running
                raise _StorageFailed

        try:
            if todo and client is not None:
                runs_abs = runs_dir.absolute()  # the workers' working directories differ
                marker = _sweep_dask.prepare_workers(client, runs_abs)
                try:
                    _sweep_dask.execute_all(client, todo, runs_abs, marker, on_row)
                finally:
                    marker.unlink(missing_ok=True)
            elif todo:
                execute_all(todo, runs_dir, workers, on_row)
        except _StorageFailed:
            pass
        _clean_stale(out, runs_dir)  # attempts that died (a killed Dask worker's run)
        if stop:
            _stopped(out, sweep.name, stop[0], rows, specs)
    table = _table(rows, specs)
    counts = {s: int((table["status"] == s).sum()) for s in STATUS_ORDER}
    log.info("sweep %s finished: %s", sweep.name, counts)
    return SweepResult(out=out, table=table, counts=counts)
