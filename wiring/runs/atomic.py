"""Atomic file writes and the JSON files of a run directory.

Helpers of :mod:`wiring.runs`; :func:`atomic_open` is public as
``wiring.runs.atomic_open``, the one atomic writer of the project. Every file of a run is
written to a temporary file in its target directory (a name starting with ``.``), flushed,
fsynced and renamed into place with :func:`os.replace`, so a reader never sees a
partly written file. :class:`RunFormatError` is defined here because the JSON
readers raise it; it is public as ``wiring.runs.RunFormatError``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from wiring.errors import WiringError

__all__ = ["RunFormatError", "atomic_open"]


class RunFormatError(WiringError):
    """A run directory or one of its files is missing, unreadable or malformed.

    The message names the file (and field, where there is one).
    """

    __module__ = "wiring.runs"  # its public home: tracebacks and pickles name wiring.runs


# --------------------------------------------------------------------------- atomic I/O


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb") -> Iterator[Any]:
    """Yield a temp file beside ``path``; on success fsync it and rename it to ``path``.

    The one atomic writer of the project: every file of a run, a sweep, a report or an
    export goes through it, so a reader never sees a partly written file. On any
    exception the temp file is removed and ``path`` is left untouched.

    Parameters
    ----------
    path : str or path-like
        The file to write; its directory must exist.
    mode : str, default "wb"
        ``"wb"`` for bytes, ``"w"`` for UTF-8 text (newlines written as given).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_open(d / "a.txt", "w") as fh:
    ...     _ = fh.write("done")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    """
    path = Path(path)
    text = "b" not in mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": ""} if text else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Persist a rename on POSIX; a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _json_default(value):
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"value {value!r} of type {type(value).__name__} is not JSON serialisable")


def _write_json(path: Path, obj: Mapping) -> Path:
    try:
        text = json.dumps(obj, indent=2, default=_json_default) + "\n"
    except (TypeError, ValueError) as exc:
        raise RunFormatError(f"cannot write {str(path)!r}: {exc}") from None
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return path


def _read_json(path: Path) -> dict:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFormatError(f"{str(path)!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunFormatError(f"{str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise RunFormatError(f"{str(path)!r} must hold a JSON object, got {type(obj).__name__}")
    return obj
