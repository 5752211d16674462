"""Data sets as float64 arrays for supervised training.

A network learns by clamping its input neurons to a row of ``X`` and comparing
its output neurons with the matching one-hot row of ``Y``. Every loader here
returns a :class:`Dataset` holding both splits in that form, plus the integer
class labels. Nothing is downloaded: the digits ship with scikit-learn, MNIST-1D
is generated locally, and the file loaders (``.npz``, CSV, IDX) read only the
files they are given.

Splits are stratified by class (scikit-learn's ``train_test_split``) whenever
every class has at least two samples and both parts can hold one sample of
each class; otherwise the split is a plain shuffle. A ``seed`` is an int, a
:class:`numpy.random.Generator` or ``None`` (fresh entropy).

Examples
--------
>>> from wiring.data import load_dataset
>>> ds = load_dataset("digits", test_fraction=0.25, seed=0)
>>> ds
Dataset(name='digits', n_train=1347, n_test=450, n_features=64, n_classes=10)
>>> ds.X_train.dtype, ds.Y_train.shape
(dtype('float64'), (1347, 10))
"""

from __future__ import annotations

import csv
import gzip
import inspect
import logging
import math
import numbers
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from wiring._checks import as_rng, check_finite
from wiring.errors import DataError

__all__ = [
    "Dataset",
    "DATASETS",
    "one_hot",
    "load_digits",
    "load_mnist1d",
    "load_npz",
    "load_csv",
    "load_idx",
    "load_dataset",
    "subsample",
]

log = logging.getLogger(__name__)

Seed = int | np.random.Generator | None
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


# --------------------------------------------------------------------------- Dataset


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A classification data set split into training and test parts.

    Arrays are converted once, here: ``X_*`` and ``Y_*`` to C-contiguous float64,
    labels to int64. ``Y_*`` must be the one-hot encoding of ``labels_*``.

    Parameters
    ----------
    X_train, X_test : array_like, shape (n_train, n_features), (n_test, n_features)
        Inputs, one sample per row; finite.
    Y_train, Y_test : array_like, shape (n_train, n_classes), (n_test, n_classes)
        One-hot targets, ``Y[i, labels[i]] == 1`` and zeros elsewhere.
    labels_train, labels_test : array_like of int, shape (n_train,), (n_test,)
        Class indices in ``[0, n_classes)``.
    name : str
        Name of the data set (used in run records).
    n_classes : int
        Number of classes (output neurons); may exceed the labels present.

    Raises
    ------
    DataError
        When a field has the wrong shape, dtype or non-finite values; the
        message names the field.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([0, 1, 1])
    >>> ds = Dataset(np.eye(3), one_hot(labels), np.ones((1, 3)), one_hot([0], 2),
    ...              labels, np.array([0]), name="toy", n_classes=2)
    >>> ds.n_features, ds.n_train, ds.n_test
    (3, 3, 1)
    >>> Dataset(np.eye(3), one_hot(labels), np.ones((1, 2)), one_hot([0], 2),
    ...         labels, np.array([0]), name="toy", n_classes=2)
    Traceback (most recent call last):
    ...
    wiring.errors.DataError: `X_test` has 2 features (columns) but `X_train` has 3
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    labels_train: np.ndarray
    labels_test: np.ndarray
    name: str
    n_classes: int

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise DataError(f"`name` must be a non-empty string, got {self.name!r}")
        n_classes = _check_count(self.n_classes, "n_classes", minimum=1)
        X_train = _float_matrix(self.X_train, "X_train")
        X_test = _float_matrix(self.X_test, "X_test")
        if X_test.shape[1] != X_train.shape[1]:
            raise DataError(
                f"`X_test` has {X_test.shape[1]} features (columns) but `X_train` has "
                f"{X_train.shape[1]}"
            )
        fields = {"X_train": X_train, "X_test": X_test, "n_classes": n_classes}
        for part, X in (("train", X_train), ("test", X_test)):
            labels = _as_labels(getattr(self, f"labels_{part}"), f"labels_{part}", n_classes)
            if labels.shape[0] != X.shape[0]:
                raise DataError(
                    f"`labels_{part}` has {labels.shape[0]} entries but `X_{part}` has "
                    f"{X.shape[0]} rows"
                )
            Y = _float_matrix(getattr(self, f"Y_{part}"), f"Y_{part}")
            if Y.shape != (X.shape[0], n_classes):
                raise DataError(
                    f"`Y_{part}` has shape {Y.shape}, expected ({X.shape[0]}, {n_classes}) "
                    f"(rows of `X_{part}`, n_classes)"
                )
            wrong = np.flatnonzero(np.any(Y != one_hot(labels, n_classes), axis=1))
            if wrong.size:
                i = int(wrong[0])
                raise DataError(
                    f"`Y_{part}` row {i} is not the one-hot encoding of "
                    f"`labels_{part}`[{i}] = {labels[i]} ({wrong.size} such row(s))"
                )
            fields[f"labels_{part}"] = labels
            fields[f"Y_{part}"] = Y
        for key, value in fields.items():
            object.__setattr__(self, key, value)

    @property
    def n_features(self) -> int:
        """Number of input features (columns of ``X_train``)."""
        return int(self.X_train.shape[1])

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return int(self.X_test.shape[0])

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_train={self.n_train}, n_test={self.n_test}, "
            f"n_features={self.n_features}, n_classes={self.n_classes})"
        )


def one_hot(labels: Any, n_classes: int | None = None) -> np.ndarray:
    """Encode integer class labels as one-hot float64 rows.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices, non-negative. Floats with integral values are accepted.
    n_classes : int, optional
        Width of the encoding; default ``max(labels) + 1`` (0 for no labels).

    Returns
    -------
    numpy.ndarray, shape (n, n_classes), float64
        ``out[i, labels[i]] == 1``, zeros elsewhere.

    Raises
    ------
    DataError
        If ``labels`` is not 1-D, not integral, negative, or reaches ``n_classes``.

    Examples
    --------
    >>> one_hot([2, 0, 1])
    array([[0., 0., 1.],
           [1., 0., 0.],
           [0., 1., 0.]])
    >>> one_hot([1], 4)
    array([[0., 1., 0., 0.]])
    >>> one_hot([3], 3)
    Traceback (most recent call last):
    ...
    wiring.errors.DataError: `labels`[0] = 3 is outside [0, 3) for n_classes=3
    """
    if n_classes is not None:
        n_classes = _check_count(n_classes, "n_classes", minimum=1)
    arr = _as_labels(labels, "labels", n_classes)
    if n_classes is None:
        n_classes = int(arr.max()) + 1 if arr.size else 0
    out = np.zeros((arr.size, n_classes), dtype=np.float64)
    out[np.arange(arr.size), arr] = 1.0
    return out


# --------------------------------------------------------------------------- built-in sets


def load_digits(*, test_fraction: float = 0.25, seed: Seed = 0, scale: bool = True) -> Dataset:
    """Load scikit-learn's bundled 8x8 handwritten digits (offline).

    1797 images of the digits 0-9 as 64 pixel intensities (0-16), split with a
    stratified shuffle.

    Parameters
    ----------
    test_fraction : float, default 0.25
        Fraction of samples in the test split, in (0, 1); the test size is
        ``ceil(test_fraction * 1797)``.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the split.
    scale : bool, default True
        Divide pixels by 16 so features lie in [0, 1].

    Returns
    -------
    Dataset
        64 features, 10 classes, name ``"digits"``.

    Examples
    --------
    >>> ds = load_digits(test_fraction=0.25, seed=0)
    >>> ds.n_train, ds.n_test, ds.n_features, ds.n_classes
    (1347, 450, 64, 10)
    >>> float(ds.X_train.min()), float(ds.X_train.max())
    (0.0, 1.0)
    """
    test_fraction = _check_test_fraction(test_fraction)
    try:
        from sklearn.datasets import load_digits as _sklearn_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise ImportError("load_digits needs scikit-learn: pip install scikit-learn") from exc
    bunch = _sklearn_digits()
    X = np.array(bunch.data, dtype=np.float64, order="C")
    if scale:
        X /= 16.0
    labels = np.asarray(bunch.target, dtype=np.int64)
    return _split_dataset(
        X, labels, name="digits", n_classes=10, test_fraction=test_fraction, seed=seed
    )


def load_mnist1d(
    *, n_samples: int = 5000, test_fraction: float = 0.2, seed: Seed = 0, scale: bool = True
) -> Dataset:
    """Generate the MNIST-1D data set locally with the ``mnist1d`` package.

    Each sample is a 1-D signal of 40 values drawn from one of 10 digit-like
    templates, padded, stretched, translated, sheared and made noisy. The
    samples come from ``mnist1d.data.make_dataset`` with the package's default
    arguments except the sample count and seed; that function only computes (it
    neither downloads nor writes files, unlike ``mnist1d.get_dataset``). It
    reseeds Python's and numpy's global generators, so their states are saved
    and restored around the call. With ``seed=42`` and the defaults otherwise
    the data equal the package's reference generation recipe, including its
    split: the first ``n_samples - ceil(test_fraction * n_samples)`` shuffled
    samples train, the rest test (not stratified; classes are equally frequent
    before shuffling). The package centres the whole set to mean 0 and standard
    deviation 1 overall.

    Parameters
    ----------
    n_samples : int, default 5000
        Total number of samples, a positive multiple of 10 (equal per class).
    test_fraction : float, default 0.2
        Fraction of samples in the test split, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seed of the generator (an int in [0, 2**32) is used as is).
    scale : bool, default True
        Standardise each feature to zero mean and unit variance with the mean and
        standard deviation of the training split (constant features are only
        centred).

    Returns
    -------
    Dataset
        40 features, 10 classes, name ``"mnist1d"``.

    Raises
    ------
    DataError
        If ``n_samples`` is not a positive multiple of 10 or ``test_fraction``
        leaves a split empty.

    Examples
    --------
    >>> ds = load_mnist1d(n_samples=500, seed=0)
    >>> ds.n_train, ds.n_test, ds.n_features, ds.n_classes
    (400, 100, 40, 10)
    >>> bool(abs(ds.X_train.mean(axis=0)).max() < 1e-12)
    True
    """
    n_samples = _check_count(n_samples, "n_samples", minimum=10)
    if n_samples % 10:
        raise DataError(
            f"`n_samples` must be a multiple of 10 (equal samples per class), got {n_samples}"
        )
    test_fraction = _check_test_fraction(test_fraction)
    n_test = _n_test(n_samples, test_fraction)
    random_state = _random_state(seed)
    if random_state is None:
        random_state = int(np.random.default_rng().integers(2**32))
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:  # pragma: no cover - mnist1d is a dependency
        raise ImportError("load_mnist1d needs the mnist1d package: pip install mnist1d") from exc
    args = get_dataset_args(as_dict=False)
    args.num_samples = n_samples
    args.seed = random_state
    args.train_split = 1.0  # split here, with the same rounding as the other loaders
    with _global_rng_preserved():
        raw = make_dataset(args)
    X = np.array(raw["x"], dtype=np.float64, order="C")
    labels = np.asarray(raw["y"], dtype=np.int64)
    n_train = n_samples - n_test
    X_train, X_test = X[:n_train], X[n_train:]
    if scale:
        X_train, X_test = _standardise(X_train, X_test)
    return _make(X_train, labels[:n_train], X_test, labels[n_train:], name="mnist1d", n_classes=10)


# --------------------------------------------------------------------------- files


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
        for key in (x_key, y_key):
            if key not in keys:
                raise DataError(f"{path} has no array {key!r}; the file holds {present}")
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
    return _split_dataset(
        X, labels, name=path.stem, n_classes=n_classes, test_fraction=test_fraction, seed=seed
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
        return _split_dataset(
            X, y, name=name, n_classes=int(y.max()) + 1, test_fraction=test_fraction, seed=seed
        )
    X_test, y_test = _read_idx_pair(test_images, test_labels, scale=scale)
    if X_test.shape[1] != X.shape[1]:
        raise DataError(
            f"{test_images} has images of {X_test.shape[1]} pixels but {images} has {X.shape[1]}"
        )
    n_classes = int(max(y.max(), y_test.max())) + 1
    return _make(X, y, X_test, y_test, name=name, n_classes=n_classes)


# --------------------------------------------------------------------------- registry


DATASETS: dict[str, Callable[..., Dataset]] = {
    "digits": load_digits,
    "mnist1d": load_mnist1d,
    "npz": load_npz,
    "csv": load_csv,
    "idx": load_idx,
}


def load_dataset(name: str, **kwargs: Any) -> Dataset:
    """Load a data set by its name in :data:`DATASETS`.

    Parameters
    ----------
    name : str
        One of ``"digits"``, ``"mnist1d"``, ``"npz"``, ``"csv"``, ``"idx"``.
    **kwargs
        Passed to the loader (e.g. ``path=`` for ``"npz"`` and ``"csv"``,
        ``images=`` and ``labels=`` for ``"idx"``).

    Returns
    -------
    Dataset
        What the loader returns.

    Raises
    ------
    DataError
        If ``name`` is unknown (the message lists the valid names) or the keywords
        do not fit the loader (the message lists its parameters).

    Examples
    --------
    >>> load_dataset("mnist1d", n_samples=100).n_features
    40
    >>> load_dataset("cifar")
    Traceback (most recent call last):
    ...
    wiring.errors.DataError: unknown dataset 'cifar'; choose one of digits, mnist1d, npz, csv, idx
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    loader = DATASETS[name]
    signature = inspect.signature(loader)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        raise DataError(
            f"dataset {name!r}: {exc}; its parameters are {', '.join(signature.parameters)}"
        ) from None
    return loader(**kwargs)


def subsample(
    dataset: Dataset, *, n_train: int | None = None, n_test: int | None = None, seed: Seed = 0
) -> Dataset:
    """Return a smaller data set: random subsets of the training and test splits.

    Subsets are stratified by class when possible (as for the splits), drawn
    without replacement. ``name`` and ``n_classes`` are kept.

    Parameters
    ----------
    dataset : Dataset
        The data set to shrink.
    n_train : int, optional
        Training samples to keep, in [1, dataset.n_train]; default all.
    n_test : int, optional
        Test samples to keep, in [0, dataset.n_test]; default all.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the draw.

    Returns
    -------
    Dataset
        The subset (arrays are copies).

    Raises
    ------
    DataError
        If a count is not an integer or exceeds the split it draws from.

    Examples
    --------
    >>> small = subsample(load_digits(), n_train=100, n_test=50, seed=1)
    >>> small
    Dataset(name='digits', n_train=100, n_test=50, n_features=64, n_classes=10)
    >>> np.bincount(small.labels_train).tolist()
    [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    """
    if not isinstance(dataset, Dataset):
        raise DataError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
    random_state = _random_state(seed)
    keep = {}
    for part, n in (("train", n_train), ("test", n_test)):
        labels = dataset.labels_train if part == "train" else dataset.labels_test
        total = labels.size
        if n is None:
            keep[part] = np.arange(total)
            continue
        n = _check_count(n, f"n_{part}", minimum=1 if part == "train" else 0)
        if n > total:
            raise DataError(f"`n_{part}` = {n} exceeds the {total} {part} samples of the data set")
        if n == total:
            keep[part] = np.arange(total)
        elif n == 0:
            keep[part] = np.zeros(0, dtype=np.int64)
        else:
            keep[part], _ = _pick(labels, n, random_state)
    tr, te = keep["train"], keep["test"]
    return _make(
        dataset.X_train[tr],
        dataset.labels_train[tr],
        dataset.X_test[te],
        dataset.labels_test[te],
        name=dataset.name,
        n_classes=dataset.n_classes,
    )


# --------------------------------------------------------------------------- helpers


def _make(X_train, labels_train, X_test, labels_test, *, name: str, n_classes: int) -> Dataset:
    """Build a Dataset from inputs and labels, deriving the one-hot targets."""
    return Dataset(
        X_train=np.ascontiguousarray(X_train, dtype=np.float64),
        Y_train=one_hot(labels_train, n_classes),
        X_test=np.ascontiguousarray(X_test, dtype=np.float64),
        Y_test=one_hot(labels_test, n_classes),
        labels_train=labels_train,
        labels_test=labels_test,
        name=name,
        n_classes=n_classes,
    )


def _split_dataset(
    X: np.ndarray, labels: np.ndarray, *, name: str, n_classes: int, test_fraction, seed
) -> Dataset:
    """Split validated arrays with ``test_fraction`` and build the Dataset."""
    test_fraction = _check_test_fraction(test_fraction)
    n_test = _n_test(labels.size, test_fraction)
    test, train = _pick(labels, n_test, _random_state(seed))
    return _make(X[train], labels[train], X[test], labels[test], name=name, n_classes=n_classes)


def _n_test(n: int, test_fraction: float) -> int:
    """Test-split size (rounded up, as scikit-learn does); both parts non-empty."""
    n_test = math.ceil(test_fraction * n)
    if n_test < 1 or n - n_test < 1:
        raise DataError(
            f"`test_fraction` = {test_fraction} splits {n} samples into {n - n_test} training "
            f"and {n_test} test samples; both need at least one"
        )
    return n_test


def _pick(labels: np.ndarray, n_pick: int, random_state: int | None):
    """Draw ``n_pick`` indices (stratified when possible); return (picked, rest)."""
    from sklearn.model_selection import train_test_split

    n = labels.size
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    k = counts.size
    stratify = labels if counts.min() >= 2 and k <= n_pick <= n - k else None
    if stratify is None:
        log.info("split of %d samples into %d + %d is not stratified", n, n - n_pick, n_pick)
    rest, picked = train_test_split(
        np.arange(n), test_size=n_pick, random_state=random_state, stratify=stratify
    )
    return picked, rest


def _random_state(seed) -> int | None:
    """Turn a ``seed`` into what scikit-learn and mnist1d accept (int or None)."""
    if seed is None:
        return None
    if isinstance(seed, bool):
        raise DataError(f"`seed` must be an int, a numpy Generator or None, got {seed!r}")
    if isinstance(seed, numbers.Integral):
        if not 0 <= seed < 2**32:
            raise DataError(f"`seed` must be in [0, 2**32), got {seed}")
        return int(seed)
    return int(as_rng(seed).integers(2**32))


def _check_test_fraction(value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise DataError(f"`test_fraction` must be a number in (0, 1), got {value!r}")
    return float(value)


def _check_count(value, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise DataError(f"`{name}` must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _float_matrix(values, name: str) -> np.ndarray:
    """C-contiguous finite float64 2-D array, or DataError naming ``name``."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be numeric: {exc}") from None
    if arr.ndim != 2:
        raise DataError(f"`{name}` must be 2-D (samples x columns), got shape {arr.shape}")
    check_finite(arr, name, error=DataError)
    return np.ascontiguousarray(arr)


def _rows(values, name: str) -> np.ndarray:
    """Inputs with one sample per row; arrays of 3 or more dimensions are flattened."""
    arr = np.asarray(values)
    if arr.ndim < 2:
        raise DataError(f"`{name}` must have one row per sample (2-D), got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise DataError(f"`{name}` must be numeric, got dtype {arr.dtype}")
    return _float_matrix(arr.reshape(arr.shape[0], -1), name)


def _as_labels(values, name: str, n_classes: int | None = None) -> np.ndarray:
    """1-D int64 class labels in ``[0, n_classes)``, or DataError naming ``name``."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise DataError(f"`{name}` must be a 1-D array of class labels, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind == "f":
        check_finite(arr, name, error=DataError)
        bad = np.flatnonzero(arr != np.round(arr))
        if bad.size:
            raise DataError(
                f"`{name}` must hold integer class labels, got {arr[bad[0]]} at index {bad[0]}"
            )
    elif arr.dtype.kind not in "iu":
        raise DataError(f"`{name}` must hold integer class labels, got dtype {arr.dtype}")
    out = np.ascontiguousarray(arr, dtype=np.int64)
    neg = np.flatnonzero(out < 0)
    if neg.size:
        raise DataError(f"`{name}`[{neg[0]}] = {out[neg[0]]} is negative; labels start at 0")
    if n_classes is not None:
        high = np.flatnonzero(out >= n_classes)
        if high.size:
            raise DataError(
                f"`{name}`[{high[0]}] = {out[high[0]]} is outside [0, {n_classes}) "
                f"for n_classes={n_classes}"
            )
    return out


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


def _standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Z-score both splits with the training mean and standard deviation."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std


@contextmanager
def _global_rng_preserved():
    """Restore Python's and numpy's global generator states after the block."""
    py_state = random.getstate()
    np_state = np.random.get_state()  # noqa: NPY002 - mnist1d reseeds the legacy global RNG
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)  # noqa: NPY002


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
