"""Running a sweep's runs: one run into a temporary directory renamed into place when
it has a status (:func:`execute_one`), and the local executor, a process pool
(:func:`execute_all`). The Dask executor is :mod:`wiring.experiments._dask`.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import secrets
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from wiring import runs
from wiring.errors import WiringError
from wiring.experiments.grid import RunSpec
from wiring.experiments.jobs import run_train
from wiring.rules import Rule, install, registered
from wiring.runs.atomic import _fsync_dir

__all__ = ["START_METHOD", "TMP_PREFIX", "STORAGE_ERRNOS", "execute_one", "execute_all"]

log = logging.getLogger(__name__)

#: multiprocessing start method of the worker processes (see :func:`run_sweep`):
#: "forkserver" (workers forked from a clean, single-threaded server process, never from
#: a parent that may hold threads or numba state), "spawn" where it is unavailable.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
    else "spawn"
TMP_PREFIX = ".tmp-"
#: errno values of an ``OSError`` that say the output storage failed (full disk, quota,
#: file too large, read-only or failing filesystem, permissions taken away): not the
#: run's fault, so every later run would fail alike. Such a run is recorded ``failed``
#: without a run directory (a resume runs it again) and the sweep stops.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO,
                            errno.EACCES, errno.EPERM})
#: The key of a status row marking such a failure (not a column of the status table).
STORAGE_FAILURE = "storage_failure"


def _os_error(exc: OSError) -> str:
    """``"No space left on device (ENOSPC)"``: the error's text and its errno name."""
    code = errno.errorcode.get(exc.errno or 0, "")
    return f"{exc.strerror or exc}" + (f" ({code})" if code else "")


def is_storage_error(exc: BaseException) -> bool:
    """True for an ``OSError`` of :data:`STORAGE_ERRNOS`."""
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def _storage_row(row: dict, exc: OSError, final: Path, tmp: Path) -> dict:
    """The status row of a run the storage failed: no directory kept (a resume reruns it)."""
    shutil.rmtree(tmp, ignore_errors=True)  # removing frees space even on a full disk
    where = ""
    if exc.filename:
        try:
            where = f" ({Path(exc.filename).relative_to(tmp)})"
        except ValueError:
            where = f" ({exc.filename})"
    return {**row, "status": "failed", STORAGE_FAILURE: True,
            "reason": f"{_os_error(exc)} writing {final}{where}"}


# --------------------------------------------------------------------------- running


def execute_one(spec: RunSpec, runs_dir: str, rules: tuple[Rule, ...] = ()) -> dict:
    """Run one spec into a temporary directory, rename it into place when it has a status.

    Runs in a worker process (or in-process for ``workers=1``); returns the status row.
    ``rules`` are rules registered in the sweep's process (:func:`wiring.rules.register`)
    that the run may use: a worker process, started fresh, files them under their names
    first.
    A :class:`WiringError` of the run is recorded (``failed``, its run directory kept). An
    ``OSError`` of :data:`STORAGE_ERRNOS` (the disk filled during the run) is recorded
    ``failed`` too, naming the run directory and the errno, but no directory is kept
    (a resume runs it again) and the row carries :data:`STORAGE_FAILURE`, on which the
    sweep stops. Any other exception propagates.
    """
    parent = Path(runs_dir)
    # pid: whose it is; random part: unique even for two attempts in one process or
    # two hosts with the same pid (Dask workers sharing the directory)
    tmp = parent / f"{TMP_PREFIX}{spec.run_id}-{os.getpid()}-{secrets.token_hex(3)}"
    final = parent / spec.run_id
    start = time.perf_counter()
    error = ""
    row = {"run_id": spec.run_id, "group": spec.group, **spec.params, "resumed": False}
    install(rules)
    try:
        run_train(spec.config, tmp)
    except WiringError as exc:  # bad data file, unreadable graph ...: record, carry on
        error = str(exc)
    except OSError as exc:  # the disk filled (or failed) during the run: stop the sweep
        if not is_storage_error(exc):
            raise
        log.error("run %s: %s", spec.run_id, _os_error(exc))
        return _storage_row({**row, "seconds": time.perf_counter() - start}, exc, final, tmp)
    row["seconds"] = time.perf_counter() - start
    status = runs.read_status(tmp) if tmp.is_dir() else None
    if status is None:  # failed before its run directory had a status: nothing to keep
        if tmp.exists():
            shutil.rmtree(tmp)
        return {**row, "status": "failed", "reason": error or "run ended without status.json"}
    try:
        os.replace(tmp, final)
    except OSError as exc:  # final exists: finished by another process (an orphaned worker)?
        if is_storage_error(exc) and not final.exists():
            return _storage_row(row, exc, final, tmp)
        if not (final.is_dir() and runs.read_status(final) is not None):
            raise
        log.warning("run %s was finished by another process; keeping that one", spec.run_id)
        shutil.rmtree(tmp)
        status = runs.read_status(final)
    try:
        _fsync_dir(parent)
    except OSError as exc:  # the rename may not be durable: do not keep the run
        if not is_storage_error(exc):
            raise
        return _storage_row(row, exc, final, final)
    log.info("run %s: %s %s", spec.run_id, status["status"], status.get("reason", ""))
    return {**row, "status": status["status"], "reason": status.get("reason", "") or error}


def _one_thread_per_worker() -> None:
    """Pool initializer: the processes already share the cores, so each run's numba
    kernels use one thread (a config's ``train.threads`` still overrides it)."""
    import numba

    numba.set_num_threads(1)


def execute_all(todo: list[RunSpec], runs_dir: Path, workers: int,
                 on_row: Callable[[dict], None]) -> None:
    if workers == 1:
        for spec in todo:
            on_row(execute_one(spec, str(runs_dir)))
        return
    ctx = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx,
                               initializer=_one_thread_per_worker)
    # the workers start without the rules registered here: each run takes its own along
    futures = [pool.submit(execute_one, spec, str(runs_dir),
                           registered([spec.config.train.rule])) for spec in todo]
    recorded = set()
    try:
        for fut in as_completed(futures):
            on_row(fut.result())
            recorded.add(fut)
    finally:
        # on an error or Ctrl-C: cancel what has not started; the few runs already handed
        # to a worker finish, and those that did are recorded
        pool.shutdown(wait=True, cancel_futures=True)
        for fut in futures:
            if (fut not in recorded and fut.done() and not fut.cancelled()
                    and fut.exception() is None):
                on_row(fut.result())
