"""Snapshot files of a run directory: ``snapshots/step_<k>.npz`` written, listed and read.

The file format (fields, dtypes, ordering, atomic writes) is documented in
:mod:`wiring.runs`, which re-exports every public name here; import from there.
This module holds the :class:`Snapshot` record, the writer :func:`write_snapshot`,
the readers :func:`load_snapshot`, :func:`list_snapshots` and
:func:`load_snapshots`, and the checks they share (also used by :mod:`wiring.runs`).

Examples
--------
>>> import tempfile
>>> from wiring.runs import prepare_run_dir
>>> tmp = tempfile.TemporaryDirectory()
>>> run = prepare_run_dir(tmp.name, overwrite=True)
>>> _ = write_snapshot(run, 4, src=[0], dst=[1], weight=[0.5], bias=[0.0, 0.0],
...                    inputs=[0], outputs=[1], n=2)
>>> [(p.name, load_snapshot(p).step) for p in list_snapshots(run)]
[('step_4.npz', 4)]
>>> tmp.cleanup()
"""

from __future__ import annotations

import numbers
import os
import pickle
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import as_float_array, as_index_array
from wiring._html import summary_html
from wiring.runs.atomic import RunFormatError, atomic_open

__all__ = [
    "Snapshot",
    "SNAPSHOT_DIR",
    "SNAPSHOT_FIELDS",
    "snapshot_path",
    "write_snapshot",
    "load_snapshot",
    "list_snapshots",
    "load_snapshots",
]

SNAPSHOT_DIR = "snapshots"
#: Arrays every snapshot file holds.
SNAPSHOT_FIELDS = ("src", "dst", "weight", "bias", "inputs", "outputs", "clamped", "n", "step")

_SNAPSHOT_NAME = re.compile(r"step_(\d+)\.npz")


# --------------------------------------------------------------------------- helpers


def _run_dir(run_dir) -> Path:
    path = Path(run_dir)
    if not path.is_dir():
        raise RunFormatError(
            f"run directory {str(path)!r} does not exist or is not a directory "
            "(create it with prepare_run_dir)"
        )
    return path


# --------------------------------------------------------------------------- snapshots


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The weights and biases of a network at one training step, as stored on disk.

    Read one with :func:`load_snapshot`; write one with :func:`write_snapshot`.

    Attributes
    ----------
    src, dst : ndarray of int64, shape (E,)
        Edge ``e`` goes ``src[e] -> dst[e]``.
    weight : ndarray of float64, shape (E,)
        ``weight[e]`` is ``W[dst[e], src[e]]``.
    bias : ndarray of float64, shape (n,)
        Neuron biases.
    inputs, outputs, clamped : ndarray of int64
        Input, output and clamped neurons (``clamped`` may be empty).
    n : int
        Number of neurons.
    step : int
        Training step.
    extra : dict of str to ndarray
        Any further arrays stored in the file.
    path : Path or None
        The file read, or ``None`` for a snapshot built in memory.

    Examples
    --------
    >>> s = Snapshot(src=np.array([0, 1]), dst=np.array([1, 1]), weight=np.array([2.0, -1.0]),
    ...              bias=np.zeros(2), inputs=np.array([0]), outputs=np.array([1]),
    ...              clamped=np.array([], dtype=np.int64), n=2, step=0)
    >>> s.n_edges
    2
    >>> s.dense()
    array([[ 0.,  0.],
           [ 2., -1.]])
    """

    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    clamped: np.ndarray
    n: int
    step: int
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    path: Path | None = None

    @property
    def n_edges(self) -> int:
        """Number of edges ``E``."""
        return int(self.src.size)

    def __repr__(self) -> str:
        where = f", path={self.path.name!r}" if self.path is not None else ""
        return (f"Snapshot(step={self.step}, n={self.n}, edges={self.n_edges}, "
                f"nonzero={int(np.count_nonzero(self.weight))}{where})")

    def _repr_html_(self) -> str:
        w = np.abs(self.weight)
        rows = [("step", self.step), ("neurons", self.n), ("edges", self.n_edges),
                ("non-zero weights", int(np.count_nonzero(w))), ("inputs", self.inputs.size),
                ("outputs", self.outputs.size), ("clamped", self.clamped.size),
                ("mean |w|", float(w.mean()) if w.size else 0.0),
                ("max |w|", float(w.max(initial=0.0))),
                ("max |bias|", float(np.max(np.abs(self.bias), initial=0.0)))]
        if self.extra:
            rows.append(("extra arrays", ", ".join(sorted(self.extra))))
        if self.path is not None:
            rows.append(("file", str(self.path)))
        return summary_html("wiring.Snapshot", rows)

    def dense(self) -> np.ndarray:
        """Return the dense weight matrix.

        Returns
        -------
        ndarray of float64, shape (n, n)
            ``W`` with ``W[dst[e], src[e]] = weight[e]`` and zeros elsewhere, so
            ``W[i, j]`` is the weight onto neuron ``i`` from neuron ``j``.

        Examples
        --------
        >>> s = Snapshot(src=np.array([2]), dst=np.array([0]), weight=np.array([0.5]),
        ...              bias=np.zeros(3), inputs=np.array([2]), outputs=np.array([0]),
        ...              clamped=np.array([2]), n=3, step=7)
        >>> s.dense()[0, 2]
        np.float64(0.5)
        """
        W = np.zeros((self.n, self.n), dtype=np.float64)
        W[self.dst, self.src] = self.weight
        return W


def snapshot_path(run_dir: str | os.PathLike, step: int) -> Path:
    """Return the path of the snapshot of ``step`` in ``run_dir`` (it need not exist).

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.
    step : int
        Training step, ``>= 0``.

    Returns
    -------
    Path
        ``run_dir / "snapshots" / f"step_{step}.npz"``.

    Examples
    --------
    >>> snapshot_path("runs/a", 20).as_posix()
    'runs/a/snapshots/step_20.npz'
    """
    return Path(run_dir) / SNAPSHOT_DIR / f"step_{_check_count(step, 'step', RunFormatError)}.npz"


def _check_count(value, name: str, error, *, minimum: int = 0) -> int:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise error(f"`{name}` must be an integer, got {value!r}")
    if value < minimum:
        raise error(f"`{name}` must be >= {minimum}, got {value!r}")
    return int(value)


def _validate_snapshot(arrays: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check and normalise the required snapshot arrays; errors start with ``where``."""

    def error(msg: str) -> RunFormatError:
        return RunFormatError(f"{where}: {msg}")

    out: dict[str, Any] = {
        "n": _check_count(arrays["n"], "n", error, minimum=1),
        "step": _check_count(arrays["step"], "step", error),
    }
    n = out["n"]
    for name in ("src", "dst", "inputs", "outputs", "clamped"):
        values = arrays[name]
        if isinstance(values, np.ndarray) and values.ndim != 1:
            raise error(f"`{name}` must be 1-D, got shape {values.shape}")
        out[name] = as_index_array(values, name, n, error=error)
    E = out["src"].size
    if out["dst"].size != E:
        raise error(f"`src` and `dst` must have the same length, got {E} and {out['dst'].size}")
    if n * n < 2**63 and E:
        key = out["dst"] * n + out["src"]
        uniq, counts = np.unique(key, return_counts=True)
        if uniq.size != E:
            k = int(uniq[np.argmax(counts > 1)])
            raise error(f"duplicate edge {k % n} -> {k // n}: each ordered pair may appear once")
    for name, length in (("weight", E), ("bias", n)):
        values = arrays[name]
        if isinstance(values, np.ndarray) and values.dtype.kind not in "fiu":
            raise error(f"`{name}` must hold real numbers, got dtype {values.dtype}")
        arr = as_float_array(values, name, error=error)
        if arr.ndim != 1 or arr.size != length:
            what = "one per edge (len(src))" if name == "weight" else "one per neuron (n)"
            raise error(f"`{name}` has shape {arr.shape}, expected ({length},): {what}")
        out[name] = arr
    return out


def write_snapshot(
    run_dir: str | os.PathLike,
    step: int,
    *,
    src: ArrayLike,
    dst: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike,
    inputs: ArrayLike,
    outputs: ArrayLike,
    clamped: ArrayLike = (),
    n: int,
    **extra: ArrayLike,
) -> Path:
    """Validate the arrays of one snapshot and write ``snapshots/step_<step>.npz`` atomically.

    Parameters
    ----------
    run_dir : str or path-like
        An existing run directory (see :func:`prepare_run_dir`).
    step : int
        Training step, ``>= 0``. An existing snapshot of the same step is replaced.
    src, dst : array_like of int, shape (E,)
        Edges ``src[e] -> dst[e]``, indices in ``[0, n)``, no pair repeated.
    weight : array_like of float, shape (E,)
        Finite weights, ``weight[e] = W[dst[e], src[e]]``.
    bias : array_like of float, shape (n,)
        Finite biases.
    inputs, outputs, clamped : array_like of int
        Input, output and clamped neuron indices (``clamped`` may be empty).
    n : int
        Number of neurons, ``>= 1``.
    **extra : array_like
        Further arrays to store, by name (no object dtype).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    RunFormatError
        If a shape, dtype or index is wrong or a value is not finite; the message
        names the field. Nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> p = write_snapshot(run, 10, src=[0, 1], dst=[2, 2], weight=[0.1, -0.2],
    ...                    bias=[0.0, 0.0, 0.3], inputs=[0, 1], outputs=[2], n=3,
    ...                    loss=np.array(0.25))
    >>> p.name, float(load_snapshot(p).extra["loss"])
    ('step_10.npz', 0.25)
    >>> bad = dict(src=[0], dst=[3], weight=[1.0], bias=[0.0] * 3, inputs=[0], outputs=[2], n=3)
    >>> write_snapshot(run, 11, **bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.runs.RunFormatError: write_snapshot(step=11): `dst` holds index 3, outside [0, 3) ...
    >>> tmp.cleanup()
    """
    run = _run_dir(run_dir)
    path = snapshot_path(run, step)
    arrays = _validate_snapshot(
        dict(
            src=src,
            dst=dst,
            weight=weight,
            bias=bias,
            inputs=inputs,
            outputs=outputs,
            clamped=clamped,
            n=n,
            step=step,
        ),
        f"write_snapshot(step={step})",
    )
    payload = {
        k: np.asarray(v, dtype=np.int64) if k in ("n", "step") else v for k, v in arrays.items()
    }
    for name, value in extra.items():
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise RunFormatError(
                f"write_snapshot(step={step}): extra array `{name}` has object dtype; "
                "only numeric, boolean and string arrays can be stored"
            )
        payload[name] = arr
    path.parent.mkdir(exist_ok=True)
    with atomic_open(path, "wb") as fh:
        np.savez_compressed(fh, **payload)
    return path


def load_snapshot(path: str | os.PathLike) -> Snapshot:
    """Read and validate one snapshot file.

    Parameters
    ----------
    path : str or path-like
        A ``step_<k>.npz`` file.

    Returns
    -------
    Snapshot
        Arrays as stored (indices int64, weights and biases float64), extra arrays
        in ``Snapshot.extra``.

    Raises
    ------
    RunFormatError
        If the file is missing or not a readable ``.npz`` archive, a required field
        is missing, shapes disagree, an index is out of ``[0, n)``, an edge is
        repeated, a weight or bias is NaN/inf, or ``step`` differs from the ``k`` in
        the file name. The message names the file and the field.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> p = write_snapshot(run, 3, src=[0], dst=[1], weight=[0.5], bias=[0.0, 1.0],
    ...                    inputs=[0], outputs=[1], n=2)
    >>> s = load_snapshot(p)
    >>> s.step, s.n, s.weight.dtype, s.clamped.size
    (3, 2, dtype('float64'), 0)
    >>> tmp.cleanup()
    """
    path = Path(path)
    where = f"snapshot file {str(path)!r}"
    if not path.is_file():
        raise RunFormatError(f"{where} does not exist")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise RunFormatError(f"{where} holds a single .npy array, not an .npz archive")
        with archive:
            arrays = {name: archive[name] for name in archive.files}
    except RunFormatError:
        raise
    except (
        OSError,
        ValueError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        pickle.UnpicklingError,
    ) as exc:
        raise RunFormatError(f"{where} is not a readable .npz archive: {exc}") from None
    missing = [name for name in SNAPSHOT_FIELDS if name not in arrays]
    if missing:
        raise RunFormatError(
            f"{where} lacks required field(s) {', '.join(missing)} "
            f"(has: {', '.join(sorted(arrays)) or 'nothing'})"
        )
    for name in ("n", "step"):
        if arrays[name].ndim != 0:
            raise RunFormatError(
                f"{where}: `{name}` must be a 0-d scalar, got shape {arrays[name].shape}"
            )
    for name in ("src", "dst", "inputs", "outputs", "clamped"):
        if arrays[name].dtype.kind not in "iu" and arrays[name].size:
            raise RunFormatError(
                f"{where}: `{name}` must hold integers, got dtype {arrays[name].dtype}"
            )
    checked = _validate_snapshot(arrays, where)
    match = _SNAPSHOT_NAME.fullmatch(path.name)
    if match and int(match.group(1)) != checked["step"]:
        raise RunFormatError(
            f"{where}: `step` is {checked['step']} but the file name says {match.group(1)}"
        )
    extra = {k: v for k, v in arrays.items() if k not in SNAPSHOT_FIELDS}
    return Snapshot(**checked, extra=extra, path=path)


def list_snapshots(run_dir: str | os.PathLike) -> list[Path]:
    """List the snapshot files of a run, sorted by step number.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.

    Returns
    -------
    list of Path
        Files ``snapshots/step_<k>.npz``, ``k`` ascending numerically. Empty if
        the run has no ``snapshots/`` folder or no snapshot yet. Other files
        (including temp files of writes in progress) are ignored.

    Raises
    ------
    RunFormatError
        If ``run_dir`` is not a directory, or two files name the same step
        (``step_3.npz`` and ``step_03.npz``).

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> for k in (10, 2):
    ...     _ = write_snapshot(run, k, src=[], dst=[], weight=[], bias=[0.0], inputs=[0],
    ...                        outputs=[0], n=1)
    >>> [p.name for p in list_snapshots(run)]
    ['step_2.npz', 'step_10.npz']
    >>> tmp.cleanup()
    """
    snap_dir = _run_dir(run_dir) / SNAPSHOT_DIR
    if not snap_dir.is_dir():
        return []
    by_step: dict[int, Path] = {}
    for p in snap_dir.iterdir():
        match = _SNAPSHOT_NAME.fullmatch(p.name)
        if match is None or not p.is_file():
            continue
        k = int(match.group(1))
        if k in by_step:
            raise RunFormatError(
                f"{str(snap_dir)!r}: {by_step[k].name} and {p.name} both hold step {k}"
            )
        by_step[k] = p
    return [by_step[k] for k in sorted(by_step)]


def load_snapshots(run_dir: str | os.PathLike) -> Iterator[Snapshot]:
    """Yield the snapshots of a run in step order, reading one file at a time.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.

    Returns
    -------
    iterator of Snapshot
        See :func:`load_snapshot` for the checks made on each file.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.runs import prepare_run_dir
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run = prepare_run_dir(tmp.name, overwrite=True)
    >>> for k in (0, 5):
    ...     _ = write_snapshot(run, k, src=[0], dst=[0], weight=[k / 10], bias=[0.0],
    ...                        inputs=[], outputs=[0], n=1)
    >>> [(s.step, s.weight.tolist()) for s in load_snapshots(run)]
    [(0, [0.0]), (5, [0.5])]
    >>> tmp.cleanup()
    """
    for path in list_snapshots(run_dir):
        yield load_snapshot(path)
