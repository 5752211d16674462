"""Weights trained elsewhere -> a sweep directory, analysed like a sweep: ``wiring analyse``.

:func:`convert` reads weight matrices from files, labels them with a learning rate, a
seed and a training step, and writes them as run directories of a sweep directory
(:mod:`wiring.runs` is the format), which ``wiring report`` (:mod:`community`) then
analyses into the same tables, regimes, report and Gephi files as a sweep it ran itself.
``wiring analyse PATH... --out DIR`` does both.

Convention, as everywhere in :mod:`wiring`: ``W[i, j]`` is the weight onto neuron ``i``
from neuron ``j`` (edge ``j -> i``), as in ``h = tanh(W h + ...)``; PyTorch's
``weight_hh_l0`` of ``nn.RNN`` is such a matrix. A zero weight is no synapse.

Input files (by suffix)
-----------------------
``.npz`` -- one of:

* a single square 2-D array (any name): one snapshot;
* several named arrays: the trained weights ``W`` (or ``weights``), optionally the
  initial weights ``W0`` (or ``initial``, ``W_init``: step 0), ``bias`` (one per neuron),
  and 0-d labels ``learning_rate`` (or ``lr``), ``seed`` and ``step``;
* a sequence of snapshots: one ``(T, n, n)`` array (with an optional ``steps`` array of
  ``T`` steps; default ``0 .. T-1``), or square arrays named ``step_<k>``;
* an edge list: ``src``, ``dst``, ``weight`` (and optionally ``n``, ``step``), as in a
  ``wiring`` snapshot file; or a ``scipy.sparse.save_npz`` file. The conversion never
  makes either dense (the analysis, :mod:`community.tables`, still expands one snapshot
  at a time; the :mod:`community` functions themselves take sparse weights).

``.csv`` -- an edge list with a header: ``src,dst,weight`` (or ``source,target,weight``;
without a weight column every edge weighs 1). Integer ids are neuron indices; other ids
are names, numbered in order of first appearance (and kept as the neurons' names).

``.graphml`` / ``.gexf`` -- a directed graph (:func:`wiring.graphs.read_graph`), edge
attribute ``weight`` (1 where absent), node ids kept as names and node attributes kept
too (an undirected file is an error: convert it with networkx's ``G.to_directed()``
first).

Named neurons travel: the run directory gets ``nodes.parquet`` (names, then the node
attributes; :func:`wiring.runs.read_nodes`), so the analysis tables, the report and
the Gephi files show the names. Several named files of one run are renumbered by name
to the first one's order (neuron ``i`` is the same neuron in every snapshot); files of
one run that name different neurons are an error.

A folder stands for the files of these kinds in it (not its subfolders), in name order,
and its ``labels.toml`` if it has one. Anything unreadable is a
:class:`~wiring.errors.GraphFileError` naming the file.

Labels
------
Each file's snapshots get a ``learning_rate``, ``seed``, ``step`` and ``group``, from
(later ones win) the file's own 0-d arrays, its name, and the labels TOML.

* File names: the stem is split at ``_``; a part ``lr<number>`` is the learning rate,
  ``s<int>`` or ``seed<int>`` the seed, ``step<int>`` the step; the other parts, joined
  by ``_``, name the group (default ``"external"``). ``rnn_lr1e-3_s2_step500.npz`` is
  group ``rnn``, learning rate 0.001, seed 2, step 500 (:func:`parse_name`).
* ``labels.toml`` (or ``--labels FILE``): a table per file name, e.g.
  ``["run_a.npz"]`` then ``learning_rate = 0.1``, ``seed = 3``, ``step = 2000``,
  ``group = "rnn"``; a key may also be the file's path relative to the TOML file.

Files with the same group, learning rate and seed are snapshots of one run (default seed
0; an unlabelled learning rate stays empty); a snapshot without a step is step 1. Step 0
holds the *initial* weights: a run with a snapshot at step 0 is analysed against the
init-pruned null and measured for weight change from it; a run without one has neither
(``task.initial_snapshot = false`` in its ``config.toml``, NaN in the tables, and its
regime says that no structural verdict was made without that null).

Output
------
::

    <out>/
      sweep.toml            [external]: the sources and their SHA-256; [analysis]
      provenance.json       extra.sources: every input file (path, bytes, SHA-256)
      sweep_status.parquet  one row per run (run_id, group, learning_rate, seed, ...)
      runs/<run_id>/        config.toml (task.kind = "external"), provenance.json,
                            snapshots/step_<k>.npz, metrics (one row per snapshot),
                            nodes.parquet (named neurons), status.json

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> W = np.kron(np.eye(2), np.ones((3, 3))) - np.eye(6)
>>> np.savez(d / "lr0.1_s0.npz", W=W)
>>> out = convert([d], d / "out")
>>> sorted(p.name for p in (out / "runs").iterdir())
['external__lr0.1_s0']
>>> runs.open_run(out / "runs" / "external__lr0.1_s0").steps
[1]
"""

from __future__ import annotations

import hashlib
import logging
import math
import numbers
import os
import pickle
import re
import shutil
import tomllib
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wiring import runs
from wiring.errors import ConfigError, GraphFileError, WiringError
from wiring.graphs import read_graph

__all__ = ["SUFFIXES", "LABELS_FILE", "LABEL_KEYS", "DEFAULT_GROUP", "parse_name", "convert"]

log = logging.getLogger(__name__)

#: Input file suffixes (case-insensitive).
SUFFIXES = (".npz", ".csv", ".graphml", ".gexf")
#: The labels file a folder may hold.
LABELS_FILE = "labels.toml"
#: Labels of a file, with their types.
LABEL_KEYS = {"learning_rate": float, "seed": int, "step": int, "group": str}
#: Group of files whose names leave nothing else.
DEFAULT_GROUP = "external"
#: Names of the arrays of an ``.npz`` file that hold the trained / the initial weights.
_TRAINED = ("W", "weights")
_INITIAL = ("W0", "initial", "W_init")
_SCALARS = {"learning_rate": "learning_rate", "lr": "learning_rate", "seed": "seed",
            "step": "step"}
_STEP_ARRAY = re.compile(r"step_(\d+)")
_NAME_SAFE = re.compile(r"[^A-Za-z0-9.+-]+")


# --------------------------------------------------------------------------- labels


def parse_name(name: str | os.PathLike) -> dict[str, Any]:
    """The labels a file name carries.

    Parameters
    ----------
    name : str or path-like
        A file name or path; its stem is split at ``_``. A part ``lr<number>`` is the
        learning rate, ``s<int>`` or ``seed<int>`` the seed, ``step<int>`` the training
        step; the remaining parts, joined by ``_``, are the group.

    Returns
    -------
    dict
        The labels found, of ``learning_rate`` (float), ``seed``, ``step`` (int) and
        ``group`` (str); absent keys were not in the name.

    Raises
    ------
    ConfigError
        If a label appears twice in the name.

    Examples
    --------
    >>> parse_name("lr0.1_s3_step2000.npz")
    {'learning_rate': 0.1, 'seed': 3, 'step': 2000}
    >>> parse_name("data/rnn_big_lr1e-3_seed2.npz")
    {'learning_rate': 0.001, 'seed': 2, 'group': 'rnn_big'}
    """
    stem = Path(name).name
    for suffix in SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    out: dict[str, Any] = {}
    rest = []
    for part in stem.split("_"):
        key, value = _name_label(part)
        if key is None:
            rest.append(part)
            continue
        if key in out:
            raise ConfigError(f"file name {Path(name).name!r} gives `{key}` twice")
        out[key] = value
    if any(rest):
        out["group"] = "_".join(p for p in rest if p)
    return out


def _name_label(part: str) -> tuple[str | None, Any]:
    m = re.fullmatch(r"(?:s|seed)(\d+)", part)
    if m:
        return "seed", int(m.group(1))
    m = re.fullmatch(r"step(\d+)", part)
    if m:
        return "step", int(m.group(1))
    m = re.fullmatch(r"lr([0-9.][0-9.eE+-]*)", part)
    if m:
        try:
            value = float(m.group(1))
        except ValueError:
            return None, None
        if math.isfinite(value):
            return "learning_rate", value
    return None, None


def _check_label(key: str, value: Any, where: str) -> Any:
    kind = LABEL_KEYS[key]
    if kind is float:
        ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
              and math.isfinite(value))
        value = float(value) if ok else value
    elif kind is int:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0
        value = int(value) if ok else value
    else:
        ok = isinstance(value, str) and value.strip() != ""
    if not ok:
        what = {float: "a finite number", int: "an integer >= 0", str: "a non-empty string"}
        raise ConfigError(f"{where}: `{key}` must be {what[kind]}, got {value!r}")
    return value


def _read_labels(path: Path) -> dict[str, dict[str, Any]]:
    """``{key: labels}`` of a labels TOML file (keys as written)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"labels file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read labels file {str(path)!r}: {exc}") from None
    out = {}
    for key, table in raw.items():
        where = f"{path}: [{key!r}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table of labels ({', '.join(LABEL_KEYS)}), "
                              f'e.g. ["{key}"] then learning_rate = 0.1')
        unknown = sorted(set(table) - set(LABEL_KEYS))
        if unknown:
            raise ConfigError(f"{where}: unknown label {unknown[0]!r}; labels are "
                              f"{', '.join(LABEL_KEYS)}")
        out[key] = {k: _check_label(k, v, where) for k, v in table.items()}
    return out


# --------------------------------------------------------------------------- reading


@dataclass
class _Snap:
    """One weight matrix read from a file, as an edge list (``W[dst, src] = weight``)."""

    source: Path
    what: str                      # which part of the file, for messages and provenance
    n: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    step: int | None = None        # from the file itself
    fixed: bool = False            # the file fixes the step (a sequence, step_<k>, W0)
    bias: np.ndarray | None = None
    names: tuple[str, ...] | None = None
    attrs: dict[str, np.ndarray] | None = None   # node attributes, in neuron order
    inputs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    outputs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _err(path: Path, msg: str) -> GraphFileError:
    return GraphFileError(f"{path}: {msg}")


def _dense_snap(path: Path, what: str, A: np.ndarray, step: int | None) -> _Snap:
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise _err(path, f"{what} has shape {A.shape}; a weight matrix is square (n, n)")
    if A.dtype.kind not in "fiub":
        raise _err(path, f"{what} holds {A.dtype} values, not numbers")
    A = np.asarray(A, dtype=np.float64)
    bad = ~np.isfinite(A)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise _err(path, f"{what} holds {int(bad.sum())} non-finite weight(s) (first at "
                         f"[{i}, {j}] = {A[i, j]!r})")
    dst, src = np.nonzero(A)
    return _Snap(path, what, A.shape[0], src.astype(np.int64), dst.astype(np.int64),
                 A[dst, src], step)


def _edge_snap(path: Path, what: str, src: Any, dst: Any, weight: Any, n: int | None,
               step: int | None) -> _Snap:
    src, dst = np.asarray(src).ravel(), np.asarray(dst).ravel()
    weight = np.asarray(weight).ravel()
    if not (src.size == dst.size == weight.size):
        raise _err(path, f"{what}: `src`, `dst` and `weight` have lengths {src.size}, "
                         f"{dst.size} and {weight.size}; one value per edge")
    for name, a in (("src", src), ("dst", dst)):
        if a.size and a.dtype.kind not in "iu":
            raise _err(path, f"{what}: `{name}` must hold integer neuron indices, got "
                             f"{a.dtype}")
        if a.size and a.min() < 0:
            raise _err(path, f"{what}: `{name}` holds a negative index {int(a.min())}")
    if weight.dtype.kind not in "fiub":
        raise _err(path, f"{what}: `weight` holds {weight.dtype} values, not numbers")
    weight = weight.astype(np.float64)
    bad = ~np.isfinite(weight)
    if bad.any():
        e = int(np.flatnonzero(bad)[0])
        raise _err(path, f"{what}: edge {int(src[e])} -> {int(dst[e])} has weight "
                         f"{weight[e]!r}")
    top = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
    n = top if n is None else int(n)
    if n < max(top, 1):
        raise _err(path, f"{what}: `n` is {n} but the edges name neuron {top - 1}")
    src, dst = src.astype(np.int64), dst.astype(np.int64)
    key = dst * n + src
    uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
    if uniq.size < key.size:
        k = int(uniq[np.argmax(counts > 1)])
        raise _err(path, f"{what}: edge {k % n} -> {k // n} appears more than once "
                         "(one synapse per ordered pair)")
    return _Snap(path, what, n, src, dst, weight, step)


def _scalar(path: Path, name: str, a: np.ndarray) -> Any:
    if a.ndim != 0 and a.size != 1:
        raise _err(path, f"array {name!r} should be a single value, got shape {a.shape}")
    value = a.reshape(())[()]
    key = _SCALARS[name]
    if LABEL_KEYS[key] is int and isinstance(value, np.floating) and float(value).is_integer():
        value = int(value)
    return _check_label(key, value.item() if hasattr(value, "item") else value,
                        f"{path}: array {name!r}")


def _read_npz(path: Path) -> tuple[list[_Snap], dict[str, Any]]:
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise _err(path, "holds a single .npy array, not an .npz archive")
        with archive:
            arrays = {name: archive[name] for name in archive.files}
    except GraphFileError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error,
            pickle.UnpicklingError) as exc:
        raise _err(path, f"not a readable .npz archive: {exc}") from None
    if not arrays:
        raise _err(path, "the archive holds no arrays")
    if {"format", "shape"} <= set(arrays) and "data" in arrays:   # scipy.sparse.save_npz
        import scipy.sparse as sp

        try:
            C = sp.load_npz(path).tocoo()
        except (ValueError, KeyError, OSError) as exc:
            raise _err(path, f"not a readable scipy.sparse file: {exc}") from None
        if C.shape[0] != C.shape[1]:
            raise _err(path, f"the sparse matrix has shape {C.shape}; a weight matrix is "
                             "square (n, n)")
        C.sum_duplicates()
        return [_edge_snap(path, "the sparse matrix", C.col, C.row, C.data, C.shape[0],
                           None)], {}
    labels = {_SCALARS[k]: _scalar(path, k, v) for k, v in arrays.items() if k in _SCALARS}
    if {"src", "dst", "weight"} <= set(arrays):                     # an edge list
        n = arrays.get("n")
        if n is not None:
            n = int(np.asarray(n).reshape(()))
        snap = _edge_snap(path, "the edge list", arrays["src"], arrays["dst"],
                          arrays["weight"], n, labels.pop("step", None))
        snap.bias = _bias(path, arrays, snap.n)
        return [snap], labels
    snaps: list[_Snap] = []
    stepped = {int(m.group(1)): k for k in arrays if (m := _STEP_ARRAY.fullmatch(k))}
    cubes = [k for k, v in arrays.items() if v.ndim == 3]
    squares = [k for k, v in arrays.items()
               if v.ndim == 2 and v.shape[0] == v.shape[1] and k not in stepped.values()]
    if stepped:
        snaps = [_dense_snap(path, f"array {k!r}", arrays[k], s) for s, k in
                 sorted(stepped.items())]
        for snap in snaps:
            snap.fixed = True
    elif cubes:
        if len(cubes) > 1:
            raise _err(path, f"holds several 3-D arrays ({', '.join(map(repr, cubes))}); "
                             "keep one (T, n, n) sequence of snapshots per file")
        seq = arrays[cubes[0]]
        steps = arrays.get("steps")
        steps = (np.arange(seq.shape[0]) if steps is None
                 else np.asarray(steps).ravel())
        if steps.size != seq.shape[0] or steps.dtype.kind not in "iu" or np.any(steps < 0) \
                or np.unique(steps).size != steps.size:
            raise _err(path, f"`steps` must hold {seq.shape[0]} distinct integers >= 0, one "
                             f"per snapshot of {cubes[0]!r}, got {steps.tolist()!r}")
        if "step" in labels:
            raise _err(path, f"holds {seq.shape[0]} snapshots and one `step`; give their "
                             "steps as a `steps` array")
        snaps = [_dense_snap(path, f"array {cubes[0]!r}[{t}]", seq[t], int(steps[t]))
                 for t in range(seq.shape[0])]
        for snap in snaps:
            snap.fixed = True
    else:
        trained = [k for k in _TRAINED if k in squares]
        initial = [k for k in _INITIAL if k in squares]
        if len(trained) > 1 or len(initial) > 1:
            raise _err(path, f"holds both {' and '.join(trained if len(trained) > 1 else initial)}"
                             "; keep one")
        if not trained:
            others = [k for k in squares if k not in initial]
            if len(others) != 1:
                found = ", ".join(f"{k!r} {arrays[k].shape}" for k in arrays) or "nothing"
                raise _err(path, "cannot tell which array holds the weights (found "
                                 f"{found}): name the trained weights 'W' (and the initial "
                                 "ones 'W0'), or keep one square array per file")
            trained = others
        snaps = [_dense_snap(path, f"array {trained[0]!r}", arrays[trained[0]],
                             labels.pop("step", None))]
        if initial:
            snaps.insert(0, _dense_snap(path, f"array {initial[0]!r}", arrays[initial[0]], 0))
            snaps[0].fixed = True
    n = snaps[0].n
    for s in snaps:
        if s.n != n:
            raise _err(path, f"{s.what} has {s.n} neurons but {snaps[0].what} has {n}")
        s.bias = _bias(path, arrays, n)
    return snaps, labels


def _bias(path: Path, arrays: Mapping[str, np.ndarray], n: int) -> np.ndarray | None:
    if "bias" not in arrays:
        return None
    b = np.asarray(arrays["bias"])
    if b.shape != (n,) or b.dtype.kind not in "fiu" or not np.all(np.isfinite(b)):
        raise _err(path, f"array 'bias' must hold {n} finite numbers (one per neuron), got "
                         f"shape {b.shape}")
    return b.astype(np.float64)


def _read_csv(path: Path) -> _Snap:
    try:
        table = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            OSError) as exc:
        raise _err(path, f"not a readable CSV edge list: {exc}") from None
    table.columns = [str(c).strip() for c in table.columns]
    for a, b in (("src", "dst"), ("source", "target")):
        if a in table and b in table:
            break
    else:
        raise _err(path, f"no src,dst (or source,target) columns in the header "
                         f"{list(table.columns)}; an edge list has src,dst,weight")
    ids = pd.concat([table[a], table[b]], ignore_index=True).str.strip()
    if (ids == "").any():
        row = int(np.flatnonzero((ids == "").to_numpy())[0]) % len(table)
        raise _err(path, f"line {row + 2}: a neuron id is empty")
    numeric = ids.str.fullmatch(r"\d+").all()
    names = None
    if numeric:
        codes = ids.astype(np.int64).to_numpy()
        n = int(codes.max(initial=-1)) + 1
    else:
        codes, uniques = pd.factorize(ids)
        names = tuple(str(u) for u in uniques)
        n = len(names)
    E = len(table)
    src, dst = codes[:E], codes[E:]
    if "weight" in table:
        w = pd.to_numeric(table["weight"].str.strip(), errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(w)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _err(path, f"line {row + 2}: weight {table['weight'].iloc[row]!r} is not a "
                             "finite number")
    else:
        w = np.ones(E)
    if n == 0:
        raise _err(path, "holds no edges")
    snap = _edge_snap(path, "the edge list", src, dst, w, n, None)
    snap.names = names
    return snap


def _read_graph_file(path: Path) -> _Snap:
    # inputs and outputs do not matter here (every neuron is analysed)
    graph, w = read_graph(path, inputs=[], outputs=[])
    weight = np.ones(graph.n_edges) if w is None else w
    snap = _edge_snap(path, "the graph", graph.src, graph.dst, weight, graph.n, None)
    snap.names = tuple(graph.node_names) if graph.node_names is not None else None
    snap.attrs = dict(graph.node_attrs) if graph.node_attrs else None
    return snap


def _align_names(snaps: Sequence[_Snap], where: str) -> None:
    """Number the neurons of every named snapshot of one run as the first named one does.

    Each file numbers its nodes in its own order (a CSV edge list in order of first
    appearance), so two files of one run may give one neuron two indices; renumbering by
    name makes neuron ``i`` the same neuron in every snapshot (and in the nodes file).
    """
    named = [s for s in snaps if s.names is not None]
    if not named:
        return
    ref = named[0]
    index = {a: i for i, a in enumerate(ref.names)}
    for s in named[1:]:
        if s.names == ref.names:
            continue
        extra = [a for a in s.names if a not in index]
        if extra or len(set(s.names)) != len(index):
            lacks = sorted(set(index) - set(s.names))
            raise WiringError(
                f"the snapshots of {where} (one run) must name the same neurons: {s.source} "
                f"({s.what}) " + (f"has {extra[0]!r}, which {ref.source} has not"
                                  if extra else f"lacks {lacks[0]!r}"))
        perm = np.array([index[a] for a in s.names], dtype=np.int64)  # old -> new index
        s.src, s.dst = perm[s.src], perm[s.dst]

        def moved(values: np.ndarray, perm: np.ndarray = perm) -> np.ndarray:
            out = np.empty_like(values)
            out[perm] = values
            return out

        if s.bias is not None:
            s.bias = moved(s.bias)
        if s.attrs:
            s.attrs = {k: moved(np.asarray(v)) for k, v in s.attrs.items()}
        s.inputs, s.outputs = perm[s.inputs], perm[s.outputs]
        s.names = ref.names


def _read(path: Path) -> tuple[list[_Snap], dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _read_npz(path)
    if suffix == ".csv":
        return [_read_csv(path)], {}
    return [_read_graph_file(path)], {}


# --------------------------------------------------------------------------- inputs


def _inputs(paths: Iterable[str | os.PathLike], labels: str | os.PathLike | None
            ) -> tuple[list[Path], list[Path]]:
    """The input files, in order, and the labels files to apply."""
    files: list[Path] = []
    label_files = [Path(labels)] if labels is not None else []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.iterdir()
                           if q.is_file() and q.suffix.lower() in SUFFIXES
                           and not q.name.startswith("."))
            if not found:
                raise GraphFileError(f"{p}: no {', '.join(SUFFIXES)} files in this folder")
            files += found
            if labels is None and (p / LABELS_FILE).is_file():
                label_files.append(p / LABELS_FILE)
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise GraphFileError(f"{p}: unsupported file type {p.suffix!r}; wiring analyse "
                                     f"reads {', '.join(SUFFIXES)} files or folders of them")
            files.append(p)
        else:
            raise GraphFileError(f"{p}: no such file or folder")
    seen: dict[Path, Path] = {}
    for f in files:
        key = f.resolve()
        if key in seen:
            raise GraphFileError(f"{f}: given twice (also as {seen[key]})")
        seen[key] = f
    if not files:
        raise WiringError("no input files: pass .npz, .csv, .graphml or .gexf files, or "
                          "folders of them")
    return files, label_files


def _label_table(files: Sequence[Path], label_files: Sequence[Path]
                 ) -> dict[Path, dict[str, Any]]:
    """Labels of each file from the labels TOML files (matched by name or relative path)."""
    out: dict[Path, dict[str, Any]] = {}
    for lf in label_files:
        for key, values in _read_labels(lf).items():
            hits = [f for f in files if f.name == key
                    or f.resolve() == (lf.parent / key).resolve()]
            if len(hits) != 1:
                what = "names no input file" if not hits else \
                    f"matches {len(hits)} input files ({', '.join(map(str, hits))})"
                raise ConfigError(f"{lf}: [{key!r}] {what}; keys are input file names (or "
                                  "paths relative to the labels file)")
            out.setdefault(hits[0], {}).update(values)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- writing


def _lr_tag(lr: float) -> str:
    text = format(lr, "g")
    return text if float(text) == lr else repr(lr)


def _run_id(group: str, lr: float | None, seed: int) -> str:
    tags = ([f"lr{_lr_tag(lr)}"] if lr is not None else []) + [f"s{seed}"]
    return f"{_NAME_SAFE.sub('-', group).strip('-') or DEFAULT_GROUP}__{'_'.join(tags)}"


def _prepare_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise WiringError(f"--out {str(out)!r} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        ours = _is_external_sweep(out)
        if not overwrite:
            raise WiringError(f"--out {str(out)!r} is not empty; pass --overwrite to replace "
                              "what an earlier `wiring analyse` wrote there, or choose "
                              "another directory")
        if not ours:
            raise WiringError(f"refusing to clear {str(out)!r}: it is not empty and was not "
                              "written by `wiring analyse` (no [external] table in its "
                              "sweep.toml); choose another directory")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    (out / "runs").mkdir(parents=True, exist_ok=True)


def _is_external_sweep(out: Path) -> bool:
    try:
        return "external" in tomllib.loads((out / "sweep.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def _write_run(run_dir: Path, key: tuple, snaps: list[_Snap], sources: list[dict]) -> dict:
    group, lr, seed = key
    steps = [s.step for s in snaps]
    n = snaps[0].n
    # every snapshot lists the same edges in the same order (the run-directory contract):
    # the union of their synapses, row-major, weight 0 where one lacks it
    keys = np.unique(np.concatenate([s.dst * n + s.src for s in snaps]))
    names = next((s.names for s in snaps if s.names is not None), None)
    attrs = next((s.attrs for s in snaps if s.attrs), None)
    runs.prepare_run_dir(run_dir)
    metrics = []
    for s in snaps:
        w = np.zeros(keys.size)
        w[np.searchsorted(keys, s.dst * n + s.src)] = s.weight
        runs.write_snapshot(run_dir, s.step, src=keys % n, dst=keys // n, weight=w,
                            bias=s.bias if s.bias is not None else np.zeros(n),
                            inputs=s.inputs, outputs=s.outputs, n=n)
        a = np.abs(s.weight)
        metrics.append({"step": s.step, "n_edges": int(np.count_nonzero(a)),
                        "weight_abs_max": float(a.max(initial=0.0)),
                        "weight_abs_mean": float(a.mean()) if a.size else 0.0,
                        "source": s.source.name, "array": s.what})
    initial = min(steps) == 0
    config: dict[str, Any] = {
        "task": {"kind": "external", "seed": seed, "initial_snapshot": initial},
        "train": {"rule": "external"} | ({"learning_rate": lr} if lr is not None else {}),
        "graph": {"family": "external", "n": n},
        "external": {"group": group, "steps": steps,
                     "sources": [s.source.name for s in snaps],
                     "arrays": [s.what for s in snaps],
                     "sha256": [src["sha256"] for src in sources]},
    }
    runs.write_config(run_dir, config)
    runs.write_provenance(run_dir, seed=seed, extra={"converted_by": "wiring analyse",
                                                     "sources": sources})
    runs.write_metrics(run_dir, metrics)
    if names is not None or attrs is not None:
        # the nodes file of wiring train's runs (wiring.runs.read_nodes): names, then
        # the file's node attributes (one named like a fixed column as attr_<name>)
        table = {"neuron": np.arange(n, dtype=np.int64),
                 "name": list(names) if names is not None else [str(i) for i in range(n)],
                 "is_input": np.isin(np.arange(n), snaps[0].inputs),
                 "is_output": np.isin(np.arange(n), snaps[0].outputs)}
        for key, values in (attrs or {}).items():
            table[f"attr_{key}" if key in runs.NODE_COLUMNS else key] = values
        runs.write_table(run_dir, "nodes", pd.DataFrame(table))
    runs.write_status(run_dir, "ok", converted_from=[s.source.name for s in snaps])
    return {"run_id": run_dir.name, "group": group, "learning_rate": lr, "seed": seed,
            "status": "ok", "reason": "", "n_snapshots": len(snaps),
            "initial_snapshot": initial, "steps": " ".join(map(str, steps)),
            "sources": " ".join(sorted({s.source.name for s in snaps}))}


def convert(paths: str | os.PathLike | Iterable[str | os.PathLike],
            out: str | os.PathLike, *, labels: str | os.PathLike | None = None,
            analysis: Mapping[str, Any] | None = None, overwrite: bool = False) -> Path:
    """Write weight matrices trained elsewhere as the run directories of a sweep directory.

    Parameters
    ----------
    paths : path or iterable of paths
        ``.npz``, ``.csv``, ``.graphml`` or ``.gexf`` files, or folders of them (module
        docstring: formats and labels).
    out : str or path-like
        The sweep directory to write; ``wiring report OUT`` (or
        :func:`community.tables.analyse_sweep`) analyses it.
    labels : str or path-like, optional
        A labels TOML file; default: the ``labels.toml`` of each folder given.
    analysis : mapping, optional
        The ``[analysis]`` table of ``sweep.toml`` (keys of
        :data:`wiring.experiments.grid.ANALYSIS_KEYS`), read by ``wiring report``.
    overwrite : bool, default False
        Replace what an earlier :func:`convert` wrote in ``out``.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    GraphFileError
        A file that cannot be read or holds no usable weights (the message names it).
    ConfigError
        A bad labels file or label (names the file and key).
    WiringError
        Two snapshots of one run at the same step, snapshots of one run of different
        sizes, or ``out`` not empty (without ``overwrite``).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> rng = np.random.default_rng(0)
    >>> for lr in (0.1, 1.0):
    ...     np.savez(d / f"lr{lr}_s0.npz", W0=rng.normal(size=(5, 5)),
    ...              W=rng.normal(size=(5, 5)), step=100)
    >>> out = convert(d, d / "out")
    >>> run = runs.open_run(out / "runs" / "external__lr1_s0")
    >>> run.steps, run.config["train"]["learning_rate"], run.config["task"]["initial_snapshot"]
    ([0, 100], 1.0, True)
    """
    paths = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files, label_files = _inputs(paths, labels)
    by_file = _label_table(files, label_files)
    out = Path(out)
    groups: dict[tuple, list[_Snap]] = {}
    sources: dict[Path, dict] = {}
    for f in files:                       # read and check everything before writing
        snaps, inner = _read(f)
        named = parse_name(f.name)
        lab = {**inner, **named, **by_file.get(f, {})}
        free = [s for s in snaps if not s.fixed]
        if "step" in named or "step" in by_file.get(f, {}):
            if len(free) != 1:
                raise GraphFileError(f"{f}: holds {len(snaps)} snapshots with their own steps "
                                     f"and is labelled with step {lab['step']}; drop that "
                                     "label (the file's `steps` give the steps)")
            free[0].step = lab["step"]
        for s in free:
            if s.step is None:
                s.step = 1
            if s.step == 0 and len(snaps) > 1:
                raise GraphFileError(f"{f}: {s.what} is labelled step 0, the step of the "
                                     "initial weights the file also holds")
        key = (lab.get("group", DEFAULT_GROUP), lab.get("learning_rate"), lab.get("seed", 0))
        groups.setdefault(key, []).extend(snaps)
        sources[f] = {"path": str(f), "name": f.name, "bytes": f.stat().st_size,
                      "sha256": _sha256(f), "labels": lab}
    plan = []
    ids: dict[str, str] = {}
    for key in sorted(groups, key=lambda k: (k[0], -1.0 if k[1] is None else k[1], k[2])):
        snaps = sorted(groups[key], key=lambda s: s.step)
        where = f"group {key[0]!r}, learning rate {key[1]}, seed {key[2]}"
        for a, b in zip(snaps, snaps[1:], strict=False):
            if a.step == b.step:
                raise WiringError(
                    f"two snapshots of {where} at step {a.step}: {a.source} ({a.what}) and "
                    f"{b.source} ({b.what}); label their steps (file names ..._step<k>, or "
                    "labels.toml) or their seeds")
        for s in snaps[1:]:
            if s.n != snaps[0].n:
                raise WiringError(
                    f"the snapshots of {where} (one run) must have the same neurons: "
                    f"{s.source} ({s.what}) has {s.n}, {snaps[0].source} ({snaps[0].what}) "
                    f"{snaps[0].n}")
        _align_names(snaps, where)
        run_id = _run_id(*key)
        if run_id in ids:
            raise WiringError(f"groups {ids[run_id]!r} and {key[0]!r} give the same run id "
                              f"{run_id!r}; rename one")
        ids[run_id] = key[0]
        plan.append((run_id, key, snaps))
    _prepare_out(out, overwrite)
    table = [_write_run(out / "runs" / run_id, key, snaps,
                        [sources[f] for f in dict.fromkeys(s.source for s in snaps)])
             for run_id, key, snaps in plan]
    _write_sweep(out, files, label_files, sources, table, analysis)
    return out


def _write_sweep(out: Path, files, label_files, sources, table, analysis) -> None:
    doc = {"external": {
        "command": "wiring analyse",
        "sources": [str(f) for f in files],
        "sha256": [sources[f]["sha256"] for f in files],
        "labels_files": [str(p) for p in label_files],
        "labels_sha256": [_sha256(p) for p in label_files]}}
    if analysis:
        doc["analysis"] = {k: list(v) if isinstance(v, tuple | list) else v
                           for k, v in analysis.items()}
    text = ("# written by `wiring analyse`: weights trained elsewhere, converted to run\n"
            "# directories under runs/ (see wiring.experiments.external)\n"
            + runs.dump_toml(doc))
    with runs.atomic_open(out / "sweep.toml", "w") as fh:
        fh.write(text)
    runs.write_provenance(out, seed=None, extra={
        "converted_by": "wiring analyse",
        "sources": [{k: v for k, v in sources[f].items() if k != "labels"} for f in files],
        "labels_files": [{"path": str(p), "sha256": _sha256(p)} for p in label_files]})
    runs.write_table(out, "sweep_status", pd.DataFrame(table))
