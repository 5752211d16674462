"""graph-tool's block-model inference, run out of process.

graph-tool (Peixoto) is the field's reference for stochastic block models. Debian
ships it as ``python3-graph-tool`` for the system Python, built against numpy 1.x; it
cannot be imported in an environment with numpy 2 (``_ARRAY_API not found``). This
module finds an interpreter that imports it and runs ``_graphtool_worker.py`` there,
passing edge lists through a temporary ``.npz`` file.

The interpreter is ``$WIRING_GRAPH_TOOL_PYTHON`` when set, else the first of
:data:`CANDIDATES` that imports ``graph_tool``.

Examples
--------
>>> isinstance(available(), bool)
True
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from community.graphs import CommunityError

__all__ = ["CANDIDATES", "LAST_SECONDS", "TIMEOUT", "available", "fit_many", "interpreter",
           "minimize_blockmodel_dl"]

#: Interpreters tried, in order, when ``WIRING_GRAPH_TOOL_PYTHON`` is not set.
CANDIDATES = ("/usr/bin/python3", "python3")
#: Seconds one call may take before it is stopped.
TIMEOUT = 1800.0

_WORKER = Path(__file__).with_name("_graphtool_worker.py")
#: Seconds each graph of the last :func:`fit_many` call took inside graph-tool (its import
#: and the file transfer excluded), for benchmarks.
LAST_SECONDS: list[float] = []
_CODES = {"none": 0, "count": 1, "exponential": 2, "lognormal": 3}


@functools.cache
def _probe(python: str) -> str | None:
    exe = shutil.which(python)
    if exe is None or Path(exe).resolve() == Path(sys.executable).resolve():
        return None
    try:
        done = subprocess.run([exe, "-c", "import graph_tool.all"], capture_output=True,
                              timeout=120, env=_clean_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if done.returncode == 0 else None


def _clean_env() -> dict[str, str]:
    # the venv's site-packages (numpy 2) must not leak into the system interpreter
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["OMP_NUM_THREADS"] = env.get("OMP_NUM_THREADS", "1")
    return env


def interpreter() -> str | None:
    """The Python interpreter that imports graph-tool, or None.

    Returns
    -------
    str or None

    Examples
    --------
    >>> interpreter() is None or interpreter().endswith("python3")
    True
    """
    chosen = os.environ.get("WIRING_GRAPH_TOOL_PYTHON")
    if chosen:
        return _probe(chosen)
    for candidate in CANDIDATES:
        found = _probe(candidate)
        if found:
            return found
    return None


def available() -> bool:
    """Whether graph-tool can be run (:func:`interpreter` found one).

    Returns
    -------
    bool

    Examples
    --------
    >>> available() in (True, False)
    True
    """
    return interpreter() is not None


def minimize_blockmodel_dl(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, int], *,
    degree_corrected: bool = True, weights: str = "none", n_blocks: int | None = None,
    max_blocks: int | None = None, degree_prior: str = "distributed", n_init: int = 3,
    seed: int = 0,
) -> np.ndarray:
    """graph-tool's ``minimize_blockmodel_dl`` on one directed edge list.

    Parameters
    ----------
    edges : tuple
        ``(src, dst, weight, n)`` as :func:`community.blocks.edge_list` returns it: edge
        ``k`` goes ``src[k] -> dst[k]`` with weight ``weight[k] > 0`` (used as ``weights``
        says), on ``n`` vertices.
    degree_corrected : bool, default True
    weights : {"none", "count", "exponential", "lognormal"}, default "none"
        ``"count"``: integer edge multiplicities (``eweight``); ``"exponential"`` and
        ``"lognormal"``: an edge covariate of type ``real-exponential`` or
        ``real-normal`` (of ``log w``).
    n_blocks : int, optional
        Fix the number of blocks.
    max_blocks : int, optional
        Largest number of blocks considered.
    degree_prior : {"distributed", "uniform"}, default "distributed"
        graph-tool's ``degree_dl_kind`` of the degree-corrected model.
    n_init : int, default 3
        Runs of ``minimize_blockmodel_dl`` (stochastic); the lowest description length
        wins.
    seed : int, default 0
        graph-tool's and numpy's seeds in the worker.

    Returns
    -------
    ndarray of int64, shape (n,)
        Block labels as graph-tool returns them (not relabelled).

    Raises
    ------
    CommunityError
        graph-tool not available, or the worker failed (its error output is quoted).

    Examples
    --------
    >>> if available():
    ...     b = minimize_blockmodel_dl((np.array([0, 1]), np.array([1, 0]), np.ones(2), 2))
    ...     assert b.shape == (2,)
    """
    return fit_many([edges], degree_corrected=degree_corrected,
                    weights=weights, n_blocks=n_blocks, max_blocks=max_blocks,
                    degree_prior=degree_prior, n_init=n_init, seed=seed)[0][0]


def fit_many(
    graphs: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, int]], *,
    degree_corrected: bool = True, weights: str = "none", n_blocks: int | None = None,
    max_blocks: int | None = None, degree_prior: str = "distributed", n_init: int = 3,
    seed: int = 0, given: Sequence[np.ndarray] | None = None,
) -> list[tuple[np.ndarray, float]]:
    """:func:`minimize_blockmodel_dl` on several edge lists in one worker process
    (graph-tool's import costs about a second).

    Parameters
    ----------
    graphs : sequence of tuple
        Edge lists ``(src, dst, weight, n)`` (:func:`community.blocks.edge_list`).
    degree_corrected, weights, n_blocks, max_blocks, degree_prior, n_init, seed
        As :func:`minimize_blockmodel_dl`, the same for every graph.
    given : sequence of array, optional
        One membership per graph: nothing is fitted; each entry is that partition and
        graph-tool's description length of it (``BlockState.entropy`` with the degree
        prior asked for), an independent check of :mod:`community.blocks`.

    Returns
    -------
    list of (ndarray, float)
        ``(membership, description length in nats)`` per graph.

    Raises
    ------
    CommunityError
        As :func:`minimize_blockmodel_dl`.

    Examples
    --------
    >>> edges = (np.array([0, 1]), np.array([1, 0]), np.ones(2), 2)   # 0 <-> 1
    >>> if available():      # ln 4: one block, two edges, two nodes of degree (1, 1)
    ...     (m, s), = fit_many([edges], given=[[0, 0]])
    ...     assert m.tolist() == [0, 0] and abs(s - np.log(4)) < 1e-12
    """
    exe = interpreter()
    if exe is None:
        raise CommunityError(
            "graph-tool is not available: install Debian's python3-graph-tool (the README's "
            "set-up does, as root) or set WIRING_GRAPH_TOOL_PYTHON to a Python that imports "
            "graph_tool; or use backend='numba'")
    if weights not in _CODES:
        raise CommunityError(f"unknown `weights` {weights!r}; choose one of "
                             f"{', '.join(map(repr, _CODES))}")
    payload: dict[str, np.ndarray] = {"n_graphs": np.array(len(graphs))}
    for k, (src, dst, w, n) in enumerate(graphs):
        payload[f"src_{k}"] = np.asarray(src, dtype=np.int64)
        payload[f"dst_{k}"] = np.asarray(dst, dtype=np.int64)
        payload[f"weight_{k}"] = np.asarray(w, dtype=np.float64)
        payload[f"n_{k}"] = np.array(int(n))
        payload[f"opts_{k}"] = np.array([int(degree_corrected), _CODES[weights],
                                         int(n_blocks or 0), int(max_blocks or 0),
                                         int(seed), int(n_init),
                                         int(degree_prior == "distributed")], dtype=np.int64)
        if given is not None:
            payload[f"given_{k}"] = np.asarray(given[k], dtype=np.int64)
    with tempfile.TemporaryDirectory(prefix="wiring-gt-") as tmp:
        src_path, out_path = os.path.join(tmp, "in.npz"), os.path.join(tmp, "out.npz")
        np.savez(src_path, **payload)
        try:
            done = subprocess.run([exe, str(_WORKER), src_path, out_path],
                                  capture_output=True, text=True, timeout=TIMEOUT,
                                  env=_clean_env())
        except subprocess.TimeoutExpired:
            raise CommunityError(f"graph-tool ({exe}) did not finish within {TIMEOUT:g} s"
                                 ) from None
        if done.returncode != 0 or not os.path.exists(out_path):
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise CommunityError(f"graph-tool ({exe}) failed with exit code "
                                 f"{done.returncode}: " + " | ".join(tail))
        with np.load(out_path) as res:
            LAST_SECONDS[:] = [float(res[f"seconds_{k}"]) for k in range(len(graphs))]
            return [(res[f"membership_{k}"].astype(np.int64), float(res[f"entropy_{k}"]))
                    for k in range(len(graphs))]
