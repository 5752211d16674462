"""The Dask distributed executor of :func:`wiring.experiments.sweep.run_sweep` (private).

Imported only for ``run_sweep(..., scheduler=ADDRESS)``: ``distributed`` takes a
second to import and a local sweep never needs it. What happens, in order:

1. :func:`dask_client` checks the address, asks it who it is (bounded by
   ``distributed.comm.timeouts.connect``, so a wrong address or port fails with a
   :class:`~wiring.errors.WiringError` instead of hanging), connects and waits
   (same bound) for at least one worker.
2. :func:`prepare_workers` writes a marker file with a random token into the
   sweep's ``runs/`` directory and has every worker read it back and write a probe
   file beside it: a worker that does not share the filesystem fails the sweep
   before any run starts. It then registers :class:`WarmUp`, a worker plugin that
   compiles the engine's numba kernels (or loads them from numba's on-disk cache)
   once per worker process -- on the workers there now and on any that join or
   are restarted later.
3. :func:`execute_all` submits one task per run, keyed by :func:`task_key`, and
   hands each row to the sweep as its task finishes. A task also checks the marker
   before it runs, so a worker that joined later without the shared filesystem
   records a ``failed`` run (rerun on resume) instead of writing to its own disk.

Retries: the scheduler reschedules the tasks of a worker that dies (up to
``distributed.scheduler.allowed-failures``, default 3); past that the run is
recorded as ``failed``. Exceptions are not retried (``retries=0``): a run is
seeded by its configuration, so a retry would fail the same way. A run raising
:class:`~wiring.errors.WiringError` is recorded as ``failed`` by
:func:`wiring.experiments._execute.execute_one` on the worker, as with local processes; any other
exception stops the sweep, as with local processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dask
import numpy as np
from dask.utils import parse_timedelta
from distributed import Client, KilledWorker, WorkerPlugin, as_completed
from distributed.comm import get_address_host_port
from distributed.core import rpc
from distributed.security import Security

from wiring import runs
from wiring.config import TrainConfig, config_to_dict
from wiring.errors import WiringError
from wiring.experiments._execute import TMP_PREFIX, execute_one
from wiring.experiments.grid import RunSpec
from wiring.runs.tomlfile import dump_toml

__all__ = ["PLUGIN_NAME", "WarmUp", "config_hash", "connect_timeout", "dask_client",
           "execute_all", "prepare_workers", "run_task", "task_key", "warm_up"]

log = logging.getLogger("wiring.experiments.sweep")

#: Name of the :class:`WarmUp` worker plugin (idempotent: registered once per cluster).
PLUGIN_NAME = "wiring-warm-up"

_HINT = ("start one with `dask scheduler` and workers with `dask worker ADDRESS`, or check "
         "--scheduler / DASK_SCHEDULER_ADDRESS")


def config_hash(config: TrainConfig) -> str:
    """SHA-256 (hex) of a run's configuration as written to its ``config.toml``."""
    return hashlib.sha256(dump_toml(config_to_dict(config)).encode()).hexdigest()


def task_key(spec: RunSpec, runs_dir: str | os.PathLike, token: str) -> str:
    """The Dask key of a run: ``wiring-run-<config hash>-<attempt>``.

    16 hex digits of :func:`config_hash`, then 8 of a hash of the run id, the run
    directory and ``token`` (one per :func:`execute_all` call). Distinct for two
    runs or sweeps with the same configuration, and for a resumed sweep: its task
    never attaches to the killed sweep's task that may still run on a worker (and
    whose temporary directory the resume has removed).
    """
    attempt = f"{spec.run_id}\0{os.fspath(runs_dir)}\0{token}"
    return (f"wiring-run-{config_hash(spec.config)[:16]}-"
            f"{hashlib.sha256(attempt.encode()).hexdigest()[:8]}")


def connect_timeout() -> float:
    """Seconds allowed to reach the scheduler: ``distributed.comm.timeouts.connect``."""
    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"),
                                 default="seconds"))


def _identify(address: str, timeout: float) -> str:
    """The ``type`` the server at ``address`` reports ("Scheduler", "Worker", ...).

    A hard deadline: a server that accepts the connection but does not speak Dask's
    protocol (a dashboard port, say) would otherwise keep the handshake waiting.
    """
    async def ask() -> dict:
        args = Security().get_connection_args("client")
        async with rpc(address, timeout=timeout, connection_args=args) as server:
            return await server.identity()

    async def bounded() -> dict:
        return await asyncio.wait_for(ask(), timeout)

    # a thread of its own: run_sweep may be called where an event loop runs (Jupyter)
    with ThreadPoolExecutor(1, thread_name_prefix="wiring-dask-probe") as pool:
        try:
            identity = pool.submit(asyncio.run, bounded()).result()
        except (OSError, TimeoutError) as exc:
            why = str(exc) or type(exc).__name__
            raise WiringError(f"no Dask scheduler answered at `scheduler` = {address!r} within "
                              f"{timeout:g} s (distributed.comm.timeouts.connect): {why}; "
                              f"{_HINT}") from None
    return str(identity.get("type", "?")) if isinstance(identity, dict) else "?"


@contextlib.contextmanager
def dask_client(address: str) -> Iterator[Client]:
    """A connected :class:`distributed.Client` with at least one worker; closed on exit.

    Raises :class:`~wiring.errors.WiringError` naming the address (and the timeout)
    if it is malformed, nothing answers there in time, it is not a scheduler, or no
    worker joins within the timeout.
    """
    try:
        get_address_host_port(address)
    except ValueError as exc:
        raise WiringError(f"`scheduler` = {address!r} is not a Dask scheduler address ({exc}); "
                          "expected tcp://HOST:PORT (or tls://HOST:PORT)") from None
    timeout = connect_timeout()
    kind = _identify(address, timeout)
    if kind != "Scheduler":
        raise WiringError(f"`scheduler` = {address!r} answers as a Dask {kind}, not a "
                          "scheduler; give the scheduler's address (default port 8786)")
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise WiringError(f"cannot connect to the Dask scheduler at `scheduler` = {address!r} "
                          f"within {timeout:g} s: {exc}; {_HINT}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise WiringError(f"the Dask scheduler at {address} has no workers (waited "
                              f"{timeout:g} s, distributed.comm.timeouts.connect); start some "
                              f"with `dask worker {address}`") from None
        yield client


# --------------------------------------------------------------------------- on the workers


def warm_up() -> float:
    """Run the engine on tiny inputs so its numba kernels are compiled in this process.

    Each kernel is ``@njit(cache=True)``: the first call in a process compiles it, or
    loads it from numba's on-disk cache (beside the sources, or ``NUMBA_CACHE_DIR``),
    and later calls in the process reuse it. Covers both simulation modes and both
    pruning modes of the noise task, online and mini-batch training. Returns the
    seconds taken.
    """
    from wiring.graphs import builders
    from wiring.network import Network
    from wiring.simulate import PRUNING_MODES, SIMULATION_MODES, simulate
    from wiring.train import fit

    start = time.perf_counter()
    graph = builders.all_to_all(6, self_loops=True)
    for mode in SIMULATION_MODES:
        for pruning in PRUNING_MODES:
            simulate(graph, learning_rate=0.01, iterations=8, mode=mode, prune=0.5,
                     pruning=pruning, snapshot_at=(0, 8), seed=0)
    graph = builders.recurrent(3, 4, 2, seed=0)
    X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    Y = np.eye(2)[[0, 1, 0, 1]]
    for batch_size in (1, 2):
        fit(Network(graph, seed=0), (X, Y), learning_rate=0.01, epochs=1,
            batch_size=batch_size, seed=0)
    Network(graph, seed=0).credit(X, Y)  # the balance values snapshots record
    return time.perf_counter() - start


class WarmUp(WorkerPlugin):
    """Worker plugin: :func:`warm_up` once per worker process, before it runs a task."""

    idempotent = True  # registered once per cluster; workers joining later get it too

    def setup(self, worker) -> None:
        """Called by the worker when the plugin is registered or the worker starts."""
        seconds = warm_up()
        log.info("worker %s: numba kernels ready in %.2f s", worker.address, seconds)


def _where() -> str:
    return f"host {socket.gethostname()}, pid {os.getpid()}"


def _check_shared(runs_dir: str, marker: str, token: str) -> str:
    """On a worker: "" if it reads ``runs_dir/marker`` (holding ``token``) and can write
    beside it, else what went wrong."""
    path = Path(runs_dir) / marker
    try:
        seen = path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"cannot read {path} ({exc.strerror}) [{_where()}]"
    if seen != token:
        return f"{path} holds another sweep's token [{_where()}]"
    probe = Path(runs_dir) / f"{TMP_PREFIX}probe-{secrets.token_hex(6)}"
    try:
        probe.write_bytes(b"wiring\n")
        probe.unlink()
    except OSError as exc:
        return f"cannot write in {runs_dir} ({exc.strerror}) [{_where()}]"
    return ""


def _row(spec: RunSpec, status: str, reason: str) -> dict:
    return {"run_id": spec.run_id, "group": spec.group, **spec.params, "seconds": float("nan"),
            "resumed": False, "status": status, "reason": reason}


def run_task(spec: RunSpec, runs_dir: str, marker: str) -> dict:
    """The Dask task of one run: :func:`wiring.experiments._execute.execute_one`, if
    ``runs_dir`` is shared."""
    if not os.path.isfile(os.path.join(runs_dir, marker)):
        return _row(spec, "failed", f"the Dask worker ({_where()}) cannot see the sweep's run "
                    f"directory {runs_dir}; it must be on a filesystem every worker shares")
    return execute_one(spec, runs_dir)


# --------------------------------------------------------------------------- on the client


def prepare_workers(client: Client, runs_dir: Path) -> Path:
    """Check that every worker shares ``runs_dir``; register :class:`WarmUp`.

    Returns the marker file the tasks check (the caller removes it when done).
    """
    token = secrets.token_hex(8)
    marker = runs_dir / f"{TMP_PREFIX}shared-{token}"
    marker.write_text(token, encoding="utf-8")
    try:
        answers = client.run(_check_shared, str(runs_dir), marker.name, token)
        bad = {worker: msg for worker, msg in answers.items() if msg}
        if bad:
            lines = "; ".join(f"{worker}: {msg}" for worker, msg in sorted(bad.items()))
            raise WiringError(f"{len(bad)} of {len(answers)} Dask worker(s) cannot use the "
                              f"sweep's run directory {runs_dir}: it must be on a filesystem "
                              f"the workers share (same path everywhere). {lines}")
        start = time.perf_counter()
        client.register_plugin(WarmUp(), name=PLUGIN_NAME)
        log.info("%d Dask worker(s) ready (warm-up %.1f s)", len(answers),
                 time.perf_counter() - start)
    except BaseException:
        marker.unlink(missing_ok=True)
        raise
    return marker


def _killed_row(spec: RunSpec, exc: KilledWorker) -> dict:
    worker = getattr(exc.last_worker, "address", exc.last_worker)
    return _row(spec, "failed", f"the Dask worker running it died, on each of its "
                f"{exc.allowed_failures + 1} attempt(s) (distributed.scheduler.allowed-failures"
                f" = {exc.allowed_failures}; last on {worker}): out of memory, or a crash in "
                "native code? See the worker logs")


def execute_all(client: Client, todo: list[RunSpec], runs_dir: Path, marker: Path,
                on_row: Callable[[dict], None]) -> None:
    """Run ``todo`` as Dask tasks; ``on_row`` gets each status row as its task finishes."""
    token = secrets.token_hex(8)
    # one graph update for all runs: the scheduler sees them together, so a sweep of more
    # runs than twice the worker threads is queued on the scheduler (distributed's
    # root-ish task queuing), not spread over the workers up front
    keys = [task_key(spec, runs_dir, token) for spec in todo]
    futures = dict(zip(client.map(run_task, todo, runs_dir=str(runs_dir), marker=marker.name,
                                  key=keys, retries=0, pure=False), todo, strict=True))
    log.info("submitted %d runs to the Dask scheduler", len(futures))
    recorded = set()
    try:
        for fut in as_completed(list(futures), loop=client.loop):
            if fut.status == "error" and isinstance(fut.exception(), KilledWorker):
                on_row(_killed_row(futures[fut], fut.exception()))
            else:
                on_row(fut.result())  # an exception other than WiringError: stop the sweep
            recorded.add(fut.key)
            fut.release()
    finally:
        left = [f for f in futures if f.key not in recorded]
        if left and client.status == "running":
            _stop(client, left, on_row)
            _record_stragglers([futures[f] for f in left if f.status != "finished"], runs_dir,
                               on_row)


def _stop(client: Client, left: list, on_row: Callable[[dict], None]) -> None:
    """On an error or Ctrl-C, as with local processes: cancel the runs not started,
    wait for those in progress, record those that finished."""
    busy = {key for keys in client.processing().values() for key in keys}
    client.cancel([f for f in left if f.key not in busy and f.status == "pending"])
    running = [f for f in left if f.key in busy]
    if running:
        log.warning("waiting for the %d run(s) in progress on Dask workers", len(running))
        client.gather(running, errors="skip")
    for fut in left:
        if fut.status == "finished":
            on_row(fut.result())


#: Longest wait for a cancelled run that had already started on a worker.
STRAGGLER_WAIT = 300.0


def _record_stragglers(specs: list[RunSpec], runs_dir: Path,
                       on_row: Callable[[dict], None]) -> None:
    """A run cancelled in the instant a worker started it still finishes there (Dask
    cannot stop a running task): wait while its temporary directory exists, then record
    it from disk, so the status table always matches the run directories."""
    if not specs:
        return
    time.sleep(1.0)  # a task the cancel raced with creates its temporary directory first
    deadline = time.monotonic() + STRAGGLER_WAIT
    for spec in specs:
        while (time.monotonic() < deadline
               and any(runs_dir.glob(f"{TMP_PREFIX}{spec.run_id}-*"))):
            time.sleep(0.1)
        final = runs_dir / spec.run_id
        status = runs.read_status(final) if final.is_dir() else None
        if status is not None:
            on_row({"run_id": spec.run_id, "group": spec.group, **spec.params,
                    "status": status["status"], "reason": status.get("reason", ""),
                    "seconds": float("nan"), "resumed": False})
