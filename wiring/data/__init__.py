"""Data sets: the built-in sets (digits, mnist1d, the teacher task), loaders for users'
files (npz, CSV, IDX) and the :class:`Dataset` container they all return.

Modules: :mod:`~wiring.data.builtin` (built-in sets, :func:`load_dataset`,
:func:`subsample`), :mod:`~wiring.data.files` (file loaders) and
:mod:`~wiring.data._dataset` (the container). Every public name is re-exported here, so
``from wiring.data import load_digits`` works as before.

Examples
--------
>>> from wiring.data import load_digits
>>> ds = load_digits()
>>> ds.n_features, ds.n_classes
(64, 10)
"""

from wiring.data._dataset import Dataset, one_hot
from wiring.data.builtin import (
    DATASETS,
    load_dataset,
    load_digits,
    load_mnist1d,
    load_teacher,
    subsample,
)
from wiring.data.files import load_csv, load_idx, load_npz

__all__ = [
    "Dataset",
    "DATASETS",
    "one_hot",
    "load_digits",
    "load_mnist1d",
    "load_teacher",
    "load_npz",
    "load_csv",
    "load_idx",
    "load_dataset",
    "subsample",
]
