"""Provenance: what produced a run and on which machine (``provenance.json``).

:func:`collect_provenance` gathers the seed, the versions of the numerical packages, the
git commit of the code that produced the run (and whether its tree was dirty), the host,
the CPU and numba's compile target, and the command line; :func:`write_provenance`
writes it atomically, :func:`read_provenance` reads it back, and :func:`record_resume`
appends a resume to a sweep directory's record without rewriting what produced it.
The fields are listed in :mod:`wiring.runs`.

Examples
--------
>>> p = collect_provenance(seed=3)
>>> p["seed"], sorted(p["versions"])[:3]
(3, ['igraph', 'leidenalg', 'llvmlite'])
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from wiring.errors import WiringError
from wiring.runs.atomic import _read_json, _write_json
from wiring.runs.rundir import PROVENANCE_FILE, _utc_now
from wiring.runs.snapshots import (
    _check_count,
    _run_dir,
)

__all__ = ["collect_provenance", "write_provenance", "read_provenance", "record_resume"]

_GIT_TIMEOUT = 5.0
# distribution names tried, in order, for each entry of provenance["versions"]
_VERSIONED = {
    "numpy": ("numpy",),
    "numba": ("numba",),
    "llvmlite": ("llvmlite",),
    "scipy": ("scipy",),
    "networkx": ("networkx",),
    "igraph": ("python-igraph", "igraph"),
    "leidenalg": ("leidenalg",),
    "pandas": ("pandas",),
    "pyarrow": ("pyarrow",),
    "scikit-learn": ("scikit-learn",),
}



def _dist_version(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):  # git missing, or hung
        return None


def _git_state(package_dir: Path) -> tuple[str | None, bool]:
    """``(commit, dirty)`` of the checkout holding ``package_dir``, or ``(None, False)``."""
    parent = package_dir.parent
    head = _git(["rev-parse", "HEAD"], parent)
    if head is None or head.returncode != 0:
        return None, False
    # an install inside an ignored folder of some repo (e.g. .venv/) is not that repo's code
    ignored = _git(["check-ignore", "-q", str(package_dir)], parent)
    if ignored is None or ignored.returncode == 0:
        return None, False
    # dirty = tracked files changed; untracked ones (the outputs being written) do not count
    status = _git(["status", "--porcelain", "--untracked-files=no"], parent)
    dirty = status is None or status.returncode != 0 or bool(status.stdout.strip())
    return head.stdout.strip(), dirty


def _cpu() -> dict:
    """``{"model", "flags", "machine"}`` of this machine's CPU (Linux: /proc/cpuinfo)."""
    model, flags = None, []
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("model name", "Processor") and model is None:
                    model = value.strip() or None
                elif key in ("flags", "Features") and not flags:
                    flags = value.split()
                if model is not None and flags:
                    break
    except OSError:  # not Linux
        pass
    if model is None:
        model = platform.processor() or None
    return {"model": model, "flags": flags, "machine": platform.machine()}


def _numba_target() -> dict:
    """``{"cpu_name", "cpu_features"}`` numba compiles for in this process."""
    try:
        import llvmlite.binding as llvm
        from numba.core import config
    except ImportError:  # pragma: no cover - numba is a dependency
        return {"cpu_name": None, "cpu_features": None}
    name = config.CPU_NAME or llvm.get_host_cpu_name()
    features = config.CPU_FEATURES
    if features is None:
        features = llvm.get_host_cpu_features().flatten()
    return {"cpu_name": name, "cpu_features": features}


def collect_provenance(seed: int | None, extra: Mapping | None = None) -> dict:
    """Gather what is needed to reproduce a run: seed, versions, git state, host, command.

    Parameters
    ----------
    seed : int or None
        The run's seed.
    extra : mapping, optional
        Further JSON-serialisable fields, stored under ``"extra"``.

    Returns
    -------
    dict
        The keys listed for ``provenance.json`` in the module docstring
        (``resumed_by`` empty: this process produces the run).

    Raises
    ------
    WiringError
        If ``seed`` is not an int or None.

    Examples
    --------
    >>> p = collect_provenance(3, {"note": "demo"})
    >>> p["seed"], p["extra"], "numpy" in p["versions"], "llvmlite" in p["versions"]
    (3, {'note': 'demo'}, True, True)
    >>> p["git_commit"] is None or len(p["git_commit"]) == 40
    True
    >>> p["produced_by"] == p["git_commit"], p["resumed_by"]
    (True, [])
    >>> sorted(p["cpu"]), sorted(p["numba_target"])
    (['flags', 'machine', 'model'], ['cpu_features', 'cpu_name'])
    """
    if seed is not None:
        seed = _check_count(seed, "seed", WiringError)
    package_dir = Path(__file__).resolve().parent
    commit, dirty = _git_state(package_dir)
    versions = {"python": platform.python_version()}
    versions.update({key: _dist_version(names) for key, names in _VERSIONED.items()})
    return {
        "seed": seed,
        "wiring_version": _dist_version(("wiring-circuits",)) or "unknown",
        "versions": versions,
        "git_commit": commit,
        "git_dirty": dirty,
        "produced_by": commit,
        "resumed_by": [],
        "cpu": _cpu(),
        "numba_target": _numba_target(),
        "wiring_path": str(package_dir),
        "timestamp": _utc_now(),
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python_executable": sys.executable,
        "command": list(sys.argv),
        "extra": dict(extra or {}),
    }


def _resume_entry() -> dict:
    commit, dirty = _git_state(Path(__file__).resolve().parent)
    return {"commit": commit, "dirty": dirty, "timestamp": _utc_now(),
            "hostname": socket.gethostname(), "cpu_model": _cpu()["model"]}


def write_provenance(
    run_dir: str | os.PathLike, *, seed: int | None, extra: Mapping | None = None
) -> Path:
    """Collect provenance (see :func:`collect_provenance`) and write ``provenance.json``.

    Parameters
    ----------
    run_dir : str or path-like
        An existing run directory.
    seed : int or None
        The run's seed.
    extra : mapping, optional
        Further JSON-serialisable fields (numpy scalars and arrays are converted).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> _ = write_provenance(run, seed=7, extra={"rule": "balance"})
    >>> read_provenance(run)["extra"]
    {'rule': 'balance'}
    >>> tmp.cleanup()
    """
    path = _run_dir(run_dir) / PROVENANCE_FILE
    return _write_json(path, collect_provenance(seed, extra))


def read_provenance(run_dir: str | os.PathLike) -> dict:
    """Read ``provenance.json`` of a run.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.

    Returns
    -------
    dict

    Raises
    ------
    RunFormatError
        If the file is missing or not a JSON object.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> _ = write_provenance(run, seed=None)
    >>> read_provenance(run)["seed"] is None
    True
    >>> tmp.cleanup()
    """
    return _read_json(_run_dir(run_dir) / PROVENANCE_FILE)


def record_resume(run_dir: str | os.PathLike, *, produced_by: str | None | object = ...,
                  history: list | None = None, kept: Sequence[str] = (),
                  ran: Sequence[str] = ()) -> Path:
    """Note in a directory's ``provenance.json`` that this process resumed the sweep in it.

    Appends this process's commit, dirty flag, time, host and CPU model (and the runs it
    kept and ran) to ``resumed_by``; ``produced_by`` keeps the commit of the first
    invocation (for a file written before that field existed, its ``git_commit``). The
    file is rewritten atomically. :func:`wiring.experiments.sweep.run_sweep` calls it on the sweep
    directory after writing this invocation's provenance there; finished run
    directories are never rewritten.

    Parameters
    ----------
    run_dir : str or path-like
        A directory with a ``provenance.json``.
    produced_by : str or None, optional
        The first invocation's commit, when the file was just rewritten by this process
        (the sweep directory's provenance is rewritten by every invocation).
    history : list, optional
        Earlier ``resumed_by`` entries to keep in that case.
    kept, ran : sequence of str
        Run ids this resume kept as they were, and ran.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    RunFormatError
        If ``provenance.json`` is missing or not a JSON object.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> _ = write_provenance(run, seed=None)
    >>> _ = record_resume(run, kept=["a"], ran=["b"])
    >>> p = read_provenance(run)
    >>> p["resumed_by"][0]["commit"] == p["produced_by"], p["resumed_by"][0]["kept"]
    (True, ['a'])
    >>> tmp.cleanup()
    """
    prov = read_provenance(run_dir)
    if produced_by is not ...:
        prov["produced_by"] = produced_by
        prov["resumed_by"] = history
    prov.setdefault("produced_by", prov.get("git_commit"))
    history = prov.get("resumed_by")
    entry = {**_resume_entry(), "kept": list(kept), "ran": list(ran)}
    prov["resumed_by"] = [*(history if isinstance(history, list) else []), entry]
    return _write_json(_run_dir(run_dir) / PROVENANCE_FILE, prov)
