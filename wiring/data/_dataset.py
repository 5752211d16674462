"""The :class:`Dataset` container and the checks and splits every loader shares.

Private helpers of :mod:`wiring.data` (built-in data sets, registry) and
:mod:`wiring.data.files` (file readers). :class:`Dataset` and :func:`one_hot` are
public as ``wiring.data.Dataset`` and ``wiring.data.one_hot``; see
:mod:`wiring.data` for how splits are drawn.
"""

from __future__ import annotations

import logging
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from wiring._checks import as_rng, check_finite, check_int, check_memory
from wiring.errors import DataError

__all__ = [
    "Dataset",
    "Seed",
    "one_hot",
    "_make",
    "_split_dataset",
    "_n_test",
    "_pick",
    "_random_state",
    "_check_test_fraction",
    "_check_count",
    "_float_matrix",
    "_as_labels",
]

# split messages keep the logger of the public module they are about
log = logging.getLogger("wiring.data")

Seed = int | np.random.Generator | None


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
        If ``labels`` is not 1-D, not integral, negative, or reaches ``n_classes``,
        or the encoding could not fit in memory (a huge label; refused before
        allocating).

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
    _check_one_hot_size(arr.size, n_classes)
    out = np.zeros((arr.size, n_classes), dtype=np.float64)
    out[np.arange(arr.size), arr] = 1.0
    return out


# --------------------------------------------------------------------------- helpers


def _check_one_hot_size(n_rows: int, n_classes: int) -> None:
    """Refuse one-hot targets that cannot fit in memory, before allocating them."""
    check_memory(
        8.0 * n_rows * n_classes,
        f"one-hot targets of {n_rows} samples x {n_classes} classes (`n_classes` is the "
        f"largest label plus one: {n_classes - 1})",
        error=DataError,
    )


def _make(X_train, labels_train, X_test, labels_test, *, name: str, n_classes: int) -> Dataset:
    """Build a Dataset from inputs and labels, deriving the one-hot targets."""
    _check_one_hot_size(len(labels_train) + len(labels_test), n_classes)
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
    _check_one_hot_size(labels.size, n_classes)
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
    counts = np.unique(labels, return_counts=True)[1]  # not bincount: labels may be large
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
    return check_int(value, name, minimum=minimum, error=DataError)


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
    if arr.dtype.kind in "fu":  # values an int64 cannot hold would wrap when converted
        big = np.flatnonzero(arr >= 2.0**63)
        if big.size:
            raise DataError(
                f"`{name}`[{big[0]}] = {arr[big[0]]} is too large for a class label"
            )
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
