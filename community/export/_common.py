"""Shared pieces of the writers of :mod:`community.export`: input checks, typed attribute
columns, XML escaping and the atomic file write. Private to the package.

Examples
--------
>>> _escape('a & "b"')
'a &amp; &quot;b&quot;'
>>> _column("x", np.array([1.5, np.nan]), 2, "x").text
('1.5', None)
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import wiring.runs as runs
from wiring.errors import WiringError

__all__ = ["ExportError"]

_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_INT32 = (-(2**31), 2**31 - 1)
_NODE_RESERVED = frozenset({"id", "label", "timeset"})
_EDGE_COMPUTED = ("signed_weight", "abs_weight", "sign")
_EDGE_RESERVED = frozenset({"id", "label", "source", "target", "weight", "timeset", "edge_id",
                            *_EDGE_COMPUTED})
_GRAPHML_TYPE = {"integer": "int", "long": "long", "double": "double", "boolean": "boolean",
                 "string": "string"}
# characters XML 1.0 cannot carry at all (escaping does not help)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ExportError(WiringError):
    """Invalid input to an exporter; the message names the argument (or file) and value."""


# --------------------------------------------------------------------------- validation


def _count(n, name: str = "n") -> int:
    if isinstance(n, bool | np.bool_) or not isinstance(n, numbers.Integral) or n < 0:
        raise ExportError(f"`{name}` must be a non-negative integer, got {n!r}")
    return int(n)


def _index_array(values, name: str, n: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.ndim != 1:
        raise ExportError(f"`{name}` must be 1-D, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise ExportError(f"`{name}` must hold integers, got dtype {arr.dtype}")
    bad = np.flatnonzero((arr < 0) | (arr >= n))
    if bad.size:
        i = int(bad[0])
        raise ExportError(f"`{name}[{i}]` = {int(arr[i])} is outside [0, n) with n = {n}")
    return arr.astype(np.int64)


def _edges(src, dst, n: int) -> tuple[np.ndarray, np.ndarray]:
    s = _index_array(src, "src", n)
    d = _index_array(dst, "dst", n)
    if s.shape != d.shape:
        raise ExportError(f"`src` has {s.size} edges but `dst` has {d.size}")
    if s.size:
        key = s * max(n, 1) + d
        uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
        if uniq.size != key.size:
            k = int(first[np.argmax(counts > 1)])
            raise ExportError(f"edge ({int(s[k])} -> {int(d[k])}) appears more than once in "
                              "`src`/`dst`; Gephi would merge parallel edges")
    return s, d


def _weight_array(values, name: str, m: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0:
        arr = arr.astype(np.float64)
    if arr.ndim != 1 or arr.dtype.kind not in "fiu":
        raise ExportError(f"`{name}` must be a 1-D numeric array, got dtype {arr.dtype} and "
                          f"shape {arr.shape}")
    if arr.size != m:
        raise ExportError(f"`{name}` has length {arr.size}; expected {m}")
    arr = arr.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        raise ExportError(f"`{name}[{i}]` = {arr[i]!r} is not finite; weights must be finite")
    return arr


def _check_name(name, what: str, reserved: frozenset[str]) -> str:
    if not isinstance(name, str) or not name or _XML_ILLEGAL.search(name):
        raise ExportError(f"{what} attribute names must be non-empty strings without control "
                          f"characters, got {name!r}")
    if name in reserved:
        raise ExportError(f"{what} attribute name {name!r} is reserved; reserved names: "
                          f"{', '.join(sorted(reserved))}")
    return name


@dataclass(frozen=True)
class _Column:
    """One typed attribute: GEXF type and the written form of each value (None = missing)."""

    name: str
    gexf_type: str
    text: tuple[str | None, ...]

    @property
    def graphml_type(self) -> str:
        return _GRAPHML_TYPE[self.gexf_type]


def _escape(text: str) -> str:
    """Escape ``text`` for a double-quoted XML attribute value or element content."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def _column(name: str, values, length: int, where: str) -> _Column:
    """Type and format one attribute array; ``where`` names it in errors (``node_attrs['x']``)."""
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size != length:
        raise ExportError(f"`{where}` has shape {arr.shape}; expected ({length},)")
    kind = arr.dtype.kind
    if kind == "b":
        return _Column(name, "boolean", tuple("true" if v else "false" for v in arr.tolist()))
    if kind in "iu":
        ints = arr.tolist()
        fits = not ints or (_INT32[0] <= min(ints) and max(ints) <= _INT32[1])
        return _Column(name, "integer" if fits else "long", tuple(str(v) for v in ints))
    if kind == "f":
        inf = np.flatnonzero(np.isinf(arr))
        if inf.size:
            i = int(inf[0])
            raise ExportError(f"`{where}[{i}]` = {arr[i]!r}: infinite values cannot be written "
                              "(NaN is allowed and written as a missing value)")
        return _Column(name, "double",
                       tuple(None if v != v else repr(v) for v in arr.astype(np.float64).tolist()))
    if kind in "UO":
        items = arr.tolist()
        for i, v in enumerate(items):
            if v is None and kind == "O":
                continue  # missing, as NaN is for numbers
            if not isinstance(v, str):
                raise ExportError(f"`{where}[{i}]` = {v!r} is a {type(v).__name__}; object "
                                  "arrays must hold only str (or None: missing)")
            if _XML_ILLEGAL.search(v):
                raise ExportError(f"`{where}[{i}]` = {v!r} holds a control character that XML "
                                  "cannot represent")
        return _Column(name, "string", tuple(None if v is None else _escape(v) for v in items))
    raise ExportError(f"`{where}` has unsupported dtype {arr.dtype}; supported: bool, integer, "
                      "float, str (or object arrays of str)")


def _columns(attrs: Mapping | None, length: int, what: str, arg: str,
             reserved: frozenset[str]) -> list[_Column]:
    if attrs is None:
        return []
    if not isinstance(attrs, Mapping):
        raise ExportError(f"`{arg}` must be a dict name -> array, got {type(attrs).__name__}")
    return [_column(_check_name(k, what, reserved), v, length, f"{arg}[{k!r}]")
            for k, v in attrs.items()]


def _labels(labels, n: int) -> tuple[str, ...]:
    """Node labels, escaped for XML: ``labels`` (one str per neuron) or ``"0" .. "n-1"``."""
    if labels is None:
        return tuple(str(i) for i in range(n))
    if isinstance(labels, str):
        raise ExportError(f"`labels` must be a sequence of {n} strings, one per neuron, got a "
                          "single string")
    items = list(labels.tolist() if isinstance(labels, np.ndarray) else labels)
    if len(items) != n:
        raise ExportError(f"`labels` has {len(items)} entries; expected {n}, one per neuron")
    for i, v in enumerate(items):
        if not isinstance(v, str):
            raise ExportError(f"`labels[{i}]` = {v!r} is a {type(v).__name__}, not a str")
        if _XML_ILLEGAL.search(v):
            raise ExportError(f"`labels[{i}]` = {v!r} holds a control character that XML "
                              "cannot represent")
    return tuple(_escape(v) for v in items)


def _membership(values, n: int, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.ndim != 1 or arr.size != n:
        raise ExportError(f"`{name}` has shape {arr.shape}; expected ({n},), one label per neuron")
    if arr.dtype.kind not in "iu":
        raise ExportError(f"`{name}` must hold integer community labels, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def _positive_sizes(size, n: int) -> np.ndarray | None:
    if size is None:
        return None
    arr = _weight_array(size, "size", n)
    if np.any(arr <= 0):
        i = int(np.flatnonzero(arr <= 0)[0])
        raise ExportError(f"`size[{i}]` = {arr[i]!r}; node sizes must be positive")
    return arr


# --------------------------------------------------------------------------- atomic write


def _atomic_write(path: str | os.PathLike, chunks: Iterable[str]) -> Path:
    """Write ``chunks`` (UTF-8) through the project's one atomic writer,
    :func:`wiring.runs.atomic_open`, batching about 1000 chunks per write."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: directory {path.parent} does not exist")
    with runs.atomic_open(path, "w") as fh:
        batch: list[str] = []
        for chunk in chunks:  # a write per ~1000 chunks, not per chunk
            batch.append(chunk)
            if len(batch) >= 1000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))
    return path


def _edge_ids(edge_ids, m: int) -> np.ndarray:
    """Edge ids ``e<id>``: the given ids (e.g. the positions of the written edges in the
    run's full edge order, so ids stay stable when zero edges are left out) or 0..m-1."""
    if edge_ids is None:
        return np.arange(m)
    ids = np.asarray(edge_ids)
    if ids.shape != (m,) or ids.dtype.kind not in "iu" or (m and ids.min() < 0):
        raise ExportError(f"`edge_ids` must be {m} non-negative integers, one per edge")
    if np.unique(ids).size != m:
        raise ExportError("`edge_ids` repeats an id: edge ids must be unique")
    return ids



def _positions(positions, n: int) -> np.ndarray | None:
    """``positions`` as finite float64 of shape (n, 3) (z = 0 for 2-D input), or None."""
    if positions is None:
        return None
    arr = np.asarray(positions)
    if arr.ndim != 2 or arr.shape[0] != n or arr.shape[1] not in (2, 3) \
            or arr.dtype.kind not in "fiu":
        raise ExportError(f"`positions` must be numbers of shape ({n}, 2) or ({n}, 3), got "
                          f"shape {arr.shape} and dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise ExportError(f"`positions[{i}, {j}]` = {arr[i, j]!r} is not finite")
    if arr.shape[1] == 2:
        arr = np.column_stack([arr, np.zeros(n)])
    return arr


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ExportError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def _community_source(node_attrs: Mapping | None, n: int) -> np.ndarray | None:
    """An integer ``node_attrs['community']`` of length ``n`` (for colours), else None."""
    if node_attrs is not None and "community" in node_attrs:
        arr = np.asarray(node_attrs["community"])
        if arr.ndim == 1 and arr.size == n and arr.dtype.kind in "iu":
            return arr.astype(np.int64)
    return None
