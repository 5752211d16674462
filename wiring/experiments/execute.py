"""Running a sweep's runs: one run into a temporary directory renamed into place when
it has a status (:func:`execute_one`), and the local executor, a process pool
(:func:`execute_all`). The Dask executor is :mod:`wiring.experiments.dask_executor`.
"""

from __future__ import annotations

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
from wiring.runs.atomic import _fsync_dir

log = logging.getLogger(__name__)

#: multiprocessing start method of the worker processes (see :func:`run_sweep`):
#: "forkserver" (workers forked from a clean, single-threaded server process, never from
#: a parent that may hold threads or numba state), "spawn" where it is unavailable.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
    else "spawn"
TMP_PREFIX = ".tmp-"


# --------------------------------------------------------------------------- running


def execute_one(spec: RunSpec, runs_dir: str) -> dict:
    """Run one spec into a temporary directory, rename it into place when it has a status.

    Runs in a worker process (or in-process for ``workers=1``); returns the status row.
    """
    parent = Path(runs_dir)
    # pid: whose it is; random part: unique even for two attempts in one process or
    # two hosts with the same pid (Dask workers sharing the directory)
    tmp = parent / f"{TMP_PREFIX}{spec.run_id}-{os.getpid()}-{secrets.token_hex(3)}"
    start = time.perf_counter()
    error = ""
    try:
        run_train(spec.config, tmp)
    except WiringError as exc:  # bad data file, unreadable graph ...: record, carry on
        error = str(exc)
    seconds = time.perf_counter() - start
    status = runs.read_status(tmp) if tmp.is_dir() else None
    row = {"run_id": spec.run_id, "group": spec.group, **spec.params, "seconds": seconds,
           "resumed": False}
    if status is None:  # failed before its run directory had a status: nothing to keep
        if tmp.exists():
            shutil.rmtree(tmp)
        return {**row, "status": "failed", "reason": error or "run ended without status.json"}
    final = parent / spec.run_id
    try:
        os.replace(tmp, final)
    except OSError:  # final exists: finished by another process (an orphaned worker)?
        if not (final.is_dir() and runs.read_status(final) is not None):
            raise
        log.warning("run %s was finished by another process; keeping that one", spec.run_id)
        shutil.rmtree(tmp)
        status = runs.read_status(final)
    _fsync_dir(parent)
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
    futures = [pool.submit(execute_one, spec, str(runs_dir)) for spec in todo]
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
