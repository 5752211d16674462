"""Data sets from files: numpy ``.npz`` archives, CSV tables and IDX (MNIST) files.

Each reader returns a :class:`~wiring.data.Dataset` (float64 inputs, one-hot
targets, int64 labels) named after its file, and reads only the files it is
given. Without a separate test split in the files, the samples are split with
``test_fraction`` and ``seed`` as described in :mod:`wiring.data`, which
re-exports these readers and lists them in its ``DATASETS`` registry as
``"npz"``, ``"csv"`` and ``"idx"``. Malformed files raise
:class:`~wiring.errors.DataError` naming the file and, where known, the line,
array or byte count.

Examples
--------
>>> import tempfile, numpy as np
>>> with tempfile.TemporaryDirectory() as tmp:
...     np.savez(f"{tmp}/toy.npz", X=np.arange(16.0).reshape(8, 2), y=[0, 1] * 4)
...     ds = load_npz(f"{tmp}/toy.npz", test_fraction=0.25, seed=0)
>>> ds.X_train.shape, ds.Y_train.shape
((6, 2), (6, 2))
"""

from __future__ import annotations

import csv
import gzip
import math
import numbers
import os
import struct
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import numpy as np

from wiring._checks import MAX_INT, check_finite
from wiring.data._dataset import (
    Dataset,
    Seed,
    _as_labels,
    _float_matrix,
    _make,
    _split_dataset,
)
from wiring.errors import DataError

__all__ = ["load_npz", "load_csv", "load_idx"]

PathLike = str | os.PathLike

# IDX type codes (third magic byte) -> (big-endian numpy dtype, description).
_IDX_TYPES = {
    0x08: (">u1", "unsigned byte"),
    0x09: (">i1", "signed byte"),
    0x0B: (">i2", "short"),
    0x0C: (">i4", "int"),
    0x0D: (">f4", "float"),
    0x0E: (">f8", "double"),
}
_IDX_INTEGER_CODES = (0x08, 0x09, 0x0B, 0x0C)
_GZIP_MAGIC = b"\x1f\x8b"


# --------------------------------------------------------------------------- readers


def load_npz(
    path: PathLike,
    *,
    x_key: str = "X",
    y_key: str = "y",
    test_fraction: float = 0.25,
    seed: Seed = 0,
) -> Dataset:
    """Load a data set from a numpy ``.npz`` archive.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file (read with ``allow_pickle=False``).
    x_key : str, default "X"
        Name of the input array, shape (n, n_features); arrays of more than two
        dimensions (image stacks) are flattened to one row per sample.
    y_key : str, default "y"
        Name of the targets: integer labels, shape (n,), or one-hot rows, shape
        (n, n_classes).
    test_fraction : float, default 0.25
        Fraction of samples in the test split, in (0, 1). Ignored when the
        archive holds ``x_key + "_test"`` and ``y_key + "_test"`` (``X_test`` and
        ``y_test`` by default): those arrays are the test split.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the split.

    Returns
    -------
    Dataset
        Named after the file's stem; ``n_classes`` is the one-hot width, or the
        largest label plus one.

    Raises
    ------
    DataError
        If the file cannot be read, a key is missing (the message lists the keys
        present), or an array has the wrong shape or non-finite values.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     np.savez(f"{tmp}/toy.npz", X=np.arange(16.0).reshape(8, 2), y=[0, 1] * 4)
    ...     ds = load_npz(f"{tmp}/toy.npz", test_fraction=0.25)
    >>> ds
    Dataset(name='toy', n_train=6, n_test=2, n_features=2, n_classes=2)
    """
    path = Path(path)
    xt_key, yt_key = f"{x_key}_test", f"{y_key}_test"
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read .npz file {path}: {_reason(exc)}") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise DataError(f"{path} is not an .npz archive (it holds a single array)")
    with loaded as npz:
        keys = list(npz.files)
        present = ", ".join(repr(k) for k in keys) or "no arrays"
        for key, arg in ((x_key, "x_key"), (y_key, "y_key")):
            if key not in keys:
                raise DataError(f"{path} has no array {key!r} (named by {arg}; in a config "
                                f"file data.{arg}); the file holds {present}")
        if (xt_key in keys) != (yt_key in keys):
            have, lack = (xt_key, yt_key) if xt_key in keys else (yt_key, xt_key)
            raise DataError(
                f"{path} holds {have!r} but not {lack!r}; give both test arrays or neither "
                f"(the file holds {present})"
            )
        wanted = [x_key, y_key] + ([xt_key, yt_key] if xt_key in keys else [])
        arrays = {}
        for key in wanted:
            try:
                arrays[key] = npz[key]
            except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
                raise DataError(f"cannot read array {key!r} from {path}: {_reason(exc)}") from None
    with _errors_about(path):
        X = _rows(arrays[x_key], x_key)
        labels, width = _targets(arrays[y_key], y_key, X.shape[0])
        if xt_key not in arrays:
            n_classes = _n_classes([labels], [width], y_key)
            return _split_dataset(
                X,
                labels,
                name=path.stem,
                n_classes=n_classes,
                test_fraction=test_fraction,
                seed=seed,
            )
        X_test = _rows(arrays[xt_key], xt_key)
        if X_test.shape[1] != X.shape[1]:
            raise DataError(
                f"`{xt_key}` has {X_test.shape[1]} features but `{x_key}` has {X.shape[1]}"
            )
        labels_test, width_test = _targets(arrays[yt_key], yt_key, X_test.shape[0])
        n_classes = _n_classes([labels, labels_test], [width, width_test], y_key)
    return _make(X, labels, X_test, labels_test, name=path.stem, n_classes=n_classes)


def load_csv(
    path: PathLike,
    *,
    label_column: int | str = -1,
    header: bool | Literal["infer"] = "infer",
    delimiter: str = ",",
    test_fraction: float = 0.25,
    seed: Seed = 0,
) -> Dataset:
    """Load a numeric CSV file with one sample per row and an integer label column.

    Blank lines are skipped. Every other column is a feature.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (UTF-8).
    label_column : int or str, default -1
        Position of the label column (negative counts from the end), or its name
        in the header.
    header : bool or "infer", default "infer"
        Whether the first non-blank line holds column names. ``"infer"`` treats
        it as a header when any of its cells is not a number.
    delimiter : str, default ","
        Field separator (one character).
    test_fraction : float, default 0.25
        Fraction of samples in the test split, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seed of the split.

    Returns
    -------
    Dataset
        Named after the file's stem; ``n_classes`` is the largest label plus one.

    Raises
    ------
    DataError
        If the file cannot be read, rows differ in length, a cell is not a finite
        number or a label is not a non-negative integer; the message names the
        file and line.

    Examples
    --------
    >>> import tempfile
    >>> text = "a,b,label\\n" + "".join(f"{i},{i % 3}.5,{i % 2}\\n" for i in range(8))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with open(f"{tmp}/toy.csv", "w") as fh:
    ...         _ = fh.write(text)
    ...     ds = load_csv(f"{tmp}/toy.csv", label_column="label")
    >>> ds
    Dataset(name='toy', n_train=6, n_test=2, n_features=2, n_classes=2)
    """
    path = Path(path)
    if not (isinstance(header, bool) or (isinstance(header, str) and header == "infer")):
        raise DataError(f"`header` must be True, False or 'infer', got {header!r}")
    rows, lines = _read_csv_rows(path, delimiter)
    if header == "infer":
        header = not all(_is_number(cell) for cell in rows[0])
    names = [cell.strip() for cell in rows[0]] if header else None
    if header:
        rows, lines = rows[1:], lines[1:]
    if not rows:
        raise DataError(f"{path} has no data rows")
    width = len(names) if names is not None else len(rows[0])
    if width < 2:
        raise DataError(f"{path}, line {lines[0]}: need a label column and at least one feature")
    col = _label_column_index(label_column, names, width, path)
    features = [c for c in range(width) if c != col]
    X = np.empty((len(rows), width - 1), dtype=np.float64)
    labels = np.empty(len(rows), dtype=np.int64)
    for i, (cells, line) in enumerate(zip(rows, lines, strict=True)):
        if len(cells) != width:
            raise DataError(f"{path}, line {line}: expected {width} columns, got {len(cells)}")
        for j, c in enumerate(features):
            X[i, j] = _parse_number(cells[c], path, line, c)
        labels[i] = _parse_label(cells[col], path, line, col)
    n_classes = int(labels.max()) + 1
    with _errors_about(path):
        return _split_dataset(
            X, labels, name=path.stem, n_classes=n_classes, test_fraction=test_fraction,
            seed=seed,
        )


def load_idx(
    images: PathLike,
    labels: PathLike,
    *,
    test_images: PathLike | None = None,
    test_labels: PathLike | None = None,
    test_fraction: float = 0.25,
    seed: Seed = 0,
    scale: bool = True,
) -> Dataset:
    """Load images and labels from IDX files, the format of MNIST.

    An IDX file is a big-endian header (two zero bytes, a type code, the number
    of dimensions, then each dimension as a 4-byte unsigned int) followed by the
    values. MNIST labels have magic ``0x00000801`` (unsigned bytes, 1-D), images
    ``0x00000803`` (unsigned bytes, 3-D). Files may be gzip-compressed; this is
    detected from the content, whatever the file name.

    Parameters
    ----------
    images : str or os.PathLike
        Image file, shape (n, ...) with at least two dimensions; each image is
        flattened to one row in C order.
    labels : str or os.PathLike
        Label file, 1-D of an integer type, one label per image.
    test_images, test_labels : str or os.PathLike, optional
        A separate test split (both or neither). Without them the training files
        are split with ``test_fraction`` and ``seed``.
    test_fraction : float, default 0.25
        Fraction of samples in the test split, in (0, 1), when no test files are
        given.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the split.
    scale : bool, default True
        Divide pixels by 255 so features lie in [0, 1]; needs unsigned-byte
        images.

    Returns
    -------
    Dataset
        Named after the image file (without ``.gz`` and extension);
        ``n_classes`` is the largest label plus one (10 for MNIST).

    Raises
    ------
    DataError
        If a file cannot be read or decompressed, has a bad magic number, type
        code or dimension count, or its payload length does not match its header
        (the message names the file and the expected and actual byte counts).

    Examples
    --------
    >>> import struct, tempfile, numpy as np
    >>> pixels = np.arange(8 * 2 * 2, dtype=np.uint8) * 8
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with open(f"{tmp}/img.idx3", "wb") as fh:
    ...         _ = fh.write(struct.pack(">4B3I", 0, 0, 8, 3, 8, 2, 2) + pixels.tobytes())
    ...     with open(f"{tmp}/lab.idx1", "wb") as fh:
    ...         _ = fh.write(struct.pack(">4BI", 0, 0, 8, 1, 8) + bytes([0, 1] * 4))
    ...     ds = load_idx(f"{tmp}/img.idx3", f"{tmp}/lab.idx1", test_fraction=0.25)
    >>> ds
    Dataset(name='img', n_train=6, n_test=2, n_features=4, n_classes=2)
    >>> float(ds.X_train.max()) <= 248 / 255
    True
    """
    if (test_images is None) != (test_labels is None):
        raise DataError("give both `test_images` and `test_labels`, or neither")
    X, y = _read_idx_pair(images, labels, scale=scale)
    stem = Path(images).name.removesuffix(".gz")
    name = Path(stem).stem or stem
    if test_images is None:
        with _errors_about(Path(labels)):
            return _split_dataset(
                X, y, name=name, n_classes=int(y.max()) + 1, test_fraction=test_fraction,
                seed=seed,
            )
    X_test, y_test = _read_idx_pair(test_images, test_labels, scale=scale)
    if X_test.shape[1] != X.shape[1]:
        raise DataError(
            f"{test_images} has images of {X_test.shape[1]} pixels but {images} has {X.shape[1]}"
        )
    n_classes = int(max(y.max(), y_test.max())) + 1
    with _errors_about(Path(labels)):
        return _make(X, y, X_test, y_test, name=name, n_classes=n_classes)


# --------------------------------------------------------------------------- helpers


def _rows(values, name: str) -> np.ndarray:
    """Inputs with one sample per row; arrays of 3 or more dimensions are flattened."""
    arr = np.asarray(values)
    if arr.ndim < 2:
        raise DataError(f"`{name}` must have one row per sample (2-D), got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise DataError(f"`{name}` must be numeric, got dtype {arr.dtype}")
    if arr.shape[0] == 0:
        raise DataError(f"`{name}` has no samples (shape {arr.shape})")
    return _float_matrix(arr.reshape(arr.shape[0], -1), name)


def _targets(values, name: str, n_rows: int) -> tuple[np.ndarray, int | None]:
    """Labels from integer labels (1-D) or one-hot rows (2-D); also the one-hot width."""
    arr = np.asarray(values)
    if arr.ndim == 1:
        labels, width = _as_labels(arr, name), None
    elif arr.ndim == 2:
        Y = _float_matrix(arr, name)
        rowsum_ok = np.all((Y == 0) | (Y == 1), axis=1) & (Y.sum(axis=1) == 1)
        bad = np.flatnonzero(~rowsum_ok)
        if bad.size:
            raise DataError(
                f"`{name}` is 2-D, so its rows must be one-hot (a single 1, zeros elsewhere); "
                f"row {bad[0]} is {Y[bad[0]].tolist()}"
            )
        labels, width = np.argmax(Y, axis=1).astype(np.int64), Y.shape[1]
    else:
        raise DataError(
            f"`{name}` must be integer labels (1-D) or one-hot rows (2-D), got shape {arr.shape}"
        )
    if labels.shape[0] != n_rows:
        raise DataError(f"`{name}` has {labels.shape[0]} samples but the inputs have {n_rows}")
    return labels, width


def _n_classes(labels_list, widths, name: str) -> int:
    """Class count from one-hot widths (which must agree) or the largest label."""
    known = {w for w in widths if w is not None}
    if len(known) > 1:
        raise DataError(f"one-hot `{name}` arrays disagree on the number of classes: {known}")
    top = max((int(lab.max()) + 1 for lab in labels_list if lab.size), default=1)
    if known:
        width = known.pop()
        if top > width:
            raise DataError(f"`{name}` holds label {top - 1}, outside its one-hot width {width}")
        return width
    return top


@contextmanager
def _errors_about(path: Path):
    """Prefix DataErrors raised in the block with the file they concern."""
    try:
        yield
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv_rows(path: Path, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Non-blank rows of a CSV file with their (1-based) line numbers."""
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise DataError(f"`delimiter` must be a single character, got {delimiter!r}")
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            for cells in reader:
                if all(not cell.strip() for cell in cells):
                    continue
                rows.append(cells)
                lines.append(reader.line_num)
    except OSError as exc:
        raise DataError(f"cannot read CSV file {path}: {_reason(exc)}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text: {exc}") from None
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV: {exc}") from None
    if not rows:
        raise DataError(f"{path} is empty (no data rows)")
    return rows, lines


def _label_column_index(label_column, names, width: int, path: Path) -> int:
    if isinstance(label_column, str):
        if names is None:
            raise DataError(f"`label_column` = {label_column!r} is a name but {path} has no header")
        if label_column not in names:
            raise DataError(
                f"{path} has no column {label_column!r}; the header holds {', '.join(names)}"
            )
        return names.index(label_column)
    if isinstance(label_column, bool) or not isinstance(label_column, numbers.Integral):
        raise DataError(f"`label_column` must be an int or a column name, got {label_column!r}")
    if not -width <= label_column < width:
        raise DataError(f"`label_column` = {label_column} is outside the {width} columns of {path}")
    return int(label_column) % width


def _parse_number(cell: str, path: Path, line: int, column: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise DataError(
            f"{path}, line {line}, column {column + 1}: {cell.strip()!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise DataError(f"{path}, line {line}, column {column + 1}: {cell.strip()!r} is not finite")
    return value


def _parse_label(cell: str, path: Path, line: int, column: int) -> int:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value) or value < 0:
        raise DataError(
            f"{path}, line {line}, column {column + 1}: label {text!r} is not a "
            "non-negative integer"
        )
    if value > MAX_INT:
        raise DataError(
            f"{path}, line {line}, column {column + 1}: label {text!r} is too large for a "
            "class label"
        )
    return int(value)


def _read_idx(path: PathLike) -> tuple[np.ndarray, int]:
    """Read one IDX file (raw or gzip); return its array and type code."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read IDX file {path}: {_reason(exc)}") from None
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(
                f"{path}: gzip data cannot be decompressed (truncated or corrupt): {exc}"
            ) from None
    if len(raw) < 4:
        raise DataError(f"{path}: truncated IDX header, expected at least 4 bytes, got {len(raw)}")
    magic = int.from_bytes(raw[:4], "big")
    code, ndim = raw[2], raw[3]
    if raw[0] != 0 or raw[1] != 0:
        raise DataError(
            f"{path}: bad IDX magic number 0x{magic:08X}; IDX files start with two zero "
            "bytes, a type code and a dimension count (MNIST: 0x00000803 images, "
            "0x00000801 labels)"
        )
    if code not in _IDX_TYPES:
        valid = ", ".join(f"0x{c:02X} ({d})" for c, (_, d) in _IDX_TYPES.items())
        raise DataError(
            f"{path}: magic number 0x{magic:08X} has unknown type code 0x{code:02X}; "
            f"valid codes are {valid}"
        )
    if ndim == 0:
        raise DataError(f"{path}: magic number 0x{magic:08X} declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(
            f"{path}: truncated IDX header, expected {header} bytes for {ndim} dimensions, "
            f"got {len(raw)}"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_TYPES[code][0])
    count = math.prod(dims)
    expected, actual = count * dtype.itemsize, len(raw) - header
    if actual != expected:
        what = "truncated" if actual < expected else "too long"
        raise DataError(
            f"{path}: IDX payload is {what}: header declares dimensions {dims} of "
            f"{_IDX_TYPES[code][1]} ({expected} bytes), file holds {actual} bytes"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(dims)
    return arr, code


def _read_idx_pair(images: PathLike, labels: PathLike, *, scale: bool) -> tuple:
    """Images as float64 rows and labels as int64, checked against each other."""
    img, img_code = _read_idx(images)
    lab, lab_code = _read_idx(labels)
    if img.ndim < 2:
        raise DataError(
            f"{images}: images need at least 2 dimensions (samples, pixels...), the header "
            f"declares {img.ndim} (MNIST images have magic 0x00000803)"
        )
    if lab.ndim != 1 or lab_code not in _IDX_INTEGER_CODES:
        raise DataError(
            f"{labels}: labels must be 1-D integers, the header declares {lab.ndim} "
            f"dimension(s) of {_IDX_TYPES[lab_code][1]} (MNIST labels have magic 0x00000801)"
        )
    if img.shape[0] == 0:
        raise DataError(f"{images} holds no images (first dimension is 0)")
    if lab.shape[0] != img.shape[0]:
        raise DataError(
            f"{labels} holds {lab.shape[0]} labels but {images} holds {img.shape[0]} images"
        )
    if scale and img_code != 0x08:
        raise DataError(
            f"{images}: scale=True divides by 255 and needs unsigned-byte pixels (type code "
            f"0x08), the file holds {_IDX_TYPES[img_code][1]}; pass scale=False"
        )
    X = img.reshape(img.shape[0], -1).astype(np.float64)
    if scale:
        X /= 255.0
    with _errors_about(Path(images)):
        check_finite(X, "images", error=DataError)
    with _errors_about(Path(labels)):
        y = _as_labels(lab, "labels")
    return X, y
