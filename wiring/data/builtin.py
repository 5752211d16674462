"""Data sets as float64 arrays for supervised training.

A network learns by clamping its input neurons to a row of ``X`` and comparing
its output neurons with the matching one-hot row of ``Y``. Every loader here
returns a :class:`Dataset` holding both splits in that form, plus the integer
class labels. Nothing is downloaded: the digits ship with scikit-learn, MNIST-1D
and the teacher task (:func:`load_teacher`, a random linear map from inputs to the
output each sample drives most) are generated locally, and the file loaders (``.npz``, CSV, IDX; in
:mod:`wiring.data.files`) read only the files they are given.

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

import inspect
import logging
import math
import random
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np

from wiring._checks import check_memory
from wiring.data._dataset import (
    Dataset,
    Seed,
    _check_count,
    _check_test_fraction,
    _make,
    _n_test,
    _pick,
    _random_state,
    _split_dataset,
)
from wiring.data.files import load_csv, load_idx, load_npz
from wiring.errors import DataError

__all__ = ["DATASETS", "load_digits", "load_mnist1d", "load_teacher", "load_dataset",
           "subsample"]

log = logging.getLogger("wiring.data")


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
    # the generator keeps several float64 copies of every 40-value signal (and more
    # while it transforms them); refuse counts that cannot fit before generating any
    check_memory(8.0 * 40 * 8 * n_samples, f"`n_samples` = {n_samples} MNIST-1D samples",
                 error=DataError)
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


def load_teacher(
    *,
    n_features: int = 20,
    n_classes: int = 5,
    n_samples: int = 2000,
    test_fraction: float = 0.25,
    seed: Seed = 0,
) -> Dataset:
    """Generate a random teacher task: each sample's class is the output a fixed random
    linear map drives most.

    With ``rng = numpy.random.default_rng(s)``, these draws, in this order::

        T = rng.standard_normal((n_features, n_classes)) / sqrt(n_features)
        X = rng.standard_normal((n_samples, n_features))
        labels = argmax(X @ T, axis=1)

    so the teacher ``T`` has entries N(0, 1/n_features) (each class's drive ``X @ T``
    then has unit variance whatever ``n_features``) and the inputs are N(0, 1). ``s`` is
    ``seed`` itself for an int, and the int a Generator or ``None`` gives
    (``Generator.integers(2**32)``; ``None``: fresh entropy). The split is then drawn
    from ``s`` as the other loaders draw theirs (stratified by class when it can be).
    It is meant for circuits whose inputs and outputs are given, not chosen to fit a
    data set: ``n_features`` input neurons (a connectome's sensory neurons), one class per
    output neuron (its motor neurons), each sample labelled with the output the teacher
    drives most. Nothing is standardised: the features already have mean 0 and variance 1,
    and ``argmax(X @ T)`` holds exactly for the ``X`` returned.

    A class can end up with no sample: by chance when ``n_samples`` is small against
    ``n_classes``, and always when its column of ``T`` lies inside the cone of the
    others (no input makes it the largest, which happens once ``n_features`` is small
    against ``n_classes``). Such a class keeps its output (``n_classes`` and the width of
    ``Y`` do not change) but is never the target; a warning names those classes.
    ``numpy.bincount(labels, minlength=n_classes)`` gives the shares, the largest of which
    is the accuracy of always answering the commonest class (a chance level).

    Parameters
    ----------
    n_features : int, default 20
        Inputs per sample, >= 1.
    n_classes : int, default 5
        Classes (outputs of the teacher), >= 2.
    n_samples : int, default 2000
        Samples in both splits together, >= 2.
    test_fraction : float, default 0.25
        Fraction of samples in the test split, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seed of the teacher, the samples and the split.

    Returns
    -------
    Dataset
        ``n_features`` features and ``n_classes`` classes, name ``"teacher"``.

    Raises
    ------
    DataError
        If a count is not an integer or below its minimum (the message names it), the
        arrays could not fit in memory, or ``test_fraction`` leaves a split empty.

    Examples
    --------
    >>> ds = load_teacher(n_features=6, n_classes=3, n_samples=400, seed=0)
    >>> ds
    Dataset(name='teacher', n_train=300, n_test=100, n_features=6, n_classes=3)
    >>> rng = np.random.default_rng(0)  # the draws above, in their order
    >>> T = rng.standard_normal((6, 3)) / np.sqrt(6)
    >>> bool(np.all(np.argmax(ds.X_train @ T, axis=1) == ds.labels_train))
    True
    >>> load_teacher(n_classes=1)
    Traceback (most recent call last):
    ...
    wiring.errors.DataError: `n_classes` must be an integer >= 2, got 1
    """
    n_features = _check_count(n_features, "n_features", minimum=1)
    n_classes = _check_count(n_classes, "n_classes", minimum=2)
    n_samples = _check_count(n_samples, "n_samples", minimum=2)
    test_fraction = _check_test_fraction(test_fraction)
    _n_test(n_samples, test_fraction)  # both splits non-empty, before drawing anything
    # X, X @ T and the split's copy of X, in float64
    check_memory(8.0 * n_samples * (2 * n_features + n_classes),
                 f"`n_samples` = {n_samples} teacher samples of `n_features` = {n_features}",
                 error=DataError)
    state = _random_state(seed)
    if state is None:
        state = int(np.random.default_rng().integers(2**32))
    rng = np.random.default_rng(state)
    teacher = rng.standard_normal((n_features, n_classes)) / math.sqrt(n_features)
    X = rng.standard_normal((n_samples, n_features))
    labels = np.argmax(X @ teacher, axis=1).astype(np.int64)
    empty = np.flatnonzero(np.bincount(labels, minlength=n_classes) == 0)
    if empty.size:
        shown = ", ".join(map(str, empty[:10].tolist())) + (", ..." if empty.size > 10 else "")
        log.warning("teacher task: %d of `n_classes` = %d classes got no sample (%s); their "
                    "outputs are never the target (more `n_samples`, or fewer classes than "
                    "`n_features`, make this rarer)", empty.size, n_classes, shown)
    return _split_dataset(X, labels, name="teacher", n_classes=n_classes,
                          test_fraction=test_fraction, seed=state)


# --------------------------------------------------------------------------- registry


DATASETS: dict[str, Callable[..., Dataset]] = {
    "digits": load_digits,
    "mnist1d": load_mnist1d,
    "teacher": load_teacher,
    "npz": load_npz,
    "csv": load_csv,
    "idx": load_idx,
}


def load_dataset(name: str, **kwargs: Any) -> Dataset:
    """Load a data set by its name in :data:`DATASETS`.

    Parameters
    ----------
    name : str
        One of ``"digits"``, ``"mnist1d"``, ``"teacher"``, ``"npz"``, ``"csv"``,
        ``"idx"``.
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
    >>> load_dataset("cifar")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.errors.DataError: unknown dataset 'cifar'; choose one of digits, mnist1d, teacher, ...
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
