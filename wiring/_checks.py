"""Boundary checks: everything a kernel trusts is validated here, once.

numba does no bounds checking, so index ranges, shapes, dtypes and finiteness
are checked in these helpers before any array reaches ``wiring.kernels``.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Iterable

import numpy as np

from wiring.errors import DataError, GraphError, WiringError

__all__ = [
    "as_index_array",
    "as_float_array",
    "check_finite",
    "as_rng",
    "standard_normal",
    "geomspace",
    "check_choice",
    "check_positive",
    "check_fraction",
    "check_int",
    "check_memory",
    "physical_memory",
    "MAX_INT",
]

MAX_INT = 2**63 - 1
"""Largest integer a kernel argument (int64) can hold."""


def as_index_array(values, name: str, n: int, *, error=GraphError) -> np.ndarray:
    """Return ``values`` as a 1-D int64 array of indices in ``[0, n)``.

    Raises ``error`` naming ``name`` when a value is not an integer, or out of range.
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise error(f"`{name}` must be a 1-D sequence of neuron indices: {exc}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise error(f"`{name}` must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise error(f"`{name}` must hold integer neuron indices, got non-integer values")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind == "b" or arr.dtype.kind not in "iu":
        raise error(f"`{name}` must hold integer neuron indices, got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and int(arr.max()) > MAX_INT:  # would wrap to a negative int64
        raise error(f"`{name}` holds index {int(arr.max())}, outside [0, {n}) for n={n} neurons")
    arr = arr.astype(np.int64, copy=False)
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= n:
        bad = lo if lo < 0 else hi
        raise error(f"`{name}` holds index {bad}, outside [0, {n}) for n={n} neurons")
    return np.ascontiguousarray(arr)


def as_float_array(
    values, name: str, *, shape: tuple | None = None, dtype=np.float64, error=WiringError
) -> np.ndarray:
    """Return ``values`` as a C-contiguous float array, checking shape and finiteness.

    ``shape`` entries of ``None`` match any length.
    """
    try:
        arr = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise error(f"`{name}` must be numeric: {exc}") from None
    if shape is not None:
        ok = arr.ndim == len(shape) and all(
            want is None or want == got for want, got in zip(shape, arr.shape, strict=True)
        )
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise error(f"`{name}` has shape {arr.shape}, expected {want}")
    check_finite(arr, name, error=error)
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def check_finite(arr: np.ndarray, name: str, *, error=WiringError) -> None:
    """Raise ``error`` naming ``name`` and the first bad position if ``arr`` has NaN/inf."""
    bad = ~np.isfinite(arr)
    if bad.any():
        pos = np.unravel_index(int(np.argmax(bad)), arr.shape)
        where = pos[0] if len(pos) == 1 else tuple(int(p) for p in pos)
        raise error(
            f"`{name}` contains {int(bad.sum())} non-finite value(s) (NaN or inf), "
            f"first at index {where}: {arr[pos]}"
        )


def as_rng(seed) -> np.random.Generator:
    """Normalise ``seed`` (int, Generator or None) to a :class:`numpy.random.Generator`."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed < 0:
        raise WiringError(f"`seed` must be a non-negative int, a numpy Generator or None, "
                          f"got {seed!r}")
    if seed is None or (isinstance(seed, numbers.Integral | np.random.SeedSequence)
                        and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise WiringError(f"`seed` must be an int, a numpy Generator or None, got {seed!r}")


def standard_normal(rng: np.random.Generator, size) -> np.ndarray:
    """Standard normal draws that are the same bits on every machine (float64).

    ``Generator.standard_normal`` is not: its ziggurat takes ``log1p`` and ``exp``
    from the C library for its tail and wedges, and glibc picks those by CPU (an FMA
    build where the CPU has FMA), so about one draw in 4,000 in the tail can differ in
    its last bit from one machine to another. Here each draw is the normal quantile
    of one ``rng.random()`` value (an integer times 2^-53, the same on every machine),
    computed from correctly rounded operations (``kernels.mathfn``). One uniform per
    draw, so drawing ``a`` then ``b`` values equals drawing ``a + b`` at once.
    """
    from wiring.kernels.mathfn import normal_from_uniform

    u = rng.random(size)
    out = np.empty_like(u)
    normal_from_uniform(u.reshape(-1), out.reshape(-1))
    return out


def geomspace(lo: float, hi: float, count: int) -> list[float]:
    """``count`` values from ``lo`` to ``hi`` (both > 0) in geometric progression, the
    same bits on every machine: ``lo * (hi / lo) ** (k / (count - 1))`` evaluated in
    40-digit decimal arithmetic (software, correctly rounded ``ln`` and ``exp``) and
    rounded once to float64. ``numpy.geomspace`` goes through ``log10`` and ``power``,
    which numpy dispatches by CPU (SVML on AVX-512) or takes from the C library.
    The first value is ``lo`` and the last ``hi`` exactly."""
    if count == 1:
        return [float(lo)]
    with decimal.localcontext(decimal.Context(prec=40)):
        a = decimal.Decimal(float(lo))
        ratio = (decimal.Decimal(float(hi)) / a).ln()
        inner = [float(a * (ratio * k / (count - 1)).exp()) for k in range(1, count - 1)]
    return [float(lo), *inner, float(hi)]


def check_choice(value: str, name: str, choices: Iterable[str]) -> str:
    """Check ``value`` is one of ``choices``; the error lists the valid names."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        raise WiringError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Check ``value`` is a finite real number > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise WiringError(f"`{name}` must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise WiringError(f"`{name}` must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def check_int(
    value, name: str, *, minimum: int = 0, maximum: int = MAX_INT, error=WiringError
) -> int:
    """Check ``value`` is an integer (not a bool) in ``[minimum, maximum]``; raise ``error``
    naming it. The default ``maximum`` is the largest int64, what a kernel can take."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        want = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise error(f"`{name}` must be {want}, got {value!r}")
    if value > maximum:
        raise error(f"`{name}` = {value!r} is too large: at most {maximum}")
    return int(value)


class WritableOnUnpickle:
    """Mixin: unpickling copies every read-only array attribute.

    Unpickling can hand back read-only arrays (``joblib.load(..., mmap_mode="r")``
    memory-maps them); the kernels are compiled for writable ones.

    Examples
    --------
    >>> class Box(WritableOnUnpickle):
    ...     pass
    >>> a = np.zeros(2); a.flags.writeable = False
    >>> box = Box.__new__(Box); box.__setstate__({"a": a, "k": 1})
    >>> box.a.flags.writeable, box.k
    (True, 1)
    """

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(
            {k: v.copy() if isinstance(v, np.ndarray) and not v.flags.writeable else v
             for k, v in state.items()})


def physical_memory() -> int:
    """Bytes of physical memory of this machine (0 if unknown)."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:  # pragma: no cover - psutil is a declared dependency
        import os

        try:
            return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):
            return 0


def check_memory(nbytes: float, what: str, *, error=WiringError) -> None:
    """Raise ``error`` before allocating if ``nbytes`` exceed the machine's physical memory.

    ``what`` names the argument(s) the size comes from, e.g. "`n` = 10**12 neurons".
    Sizes are lower bounds of what the arrays will take, so a refused request could
    never have succeeded; nothing is allocated here.
    """
    total = physical_memory()
    if total and nbytes > total:
        raise error(
            f"{what} would need at least {_gib(nbytes)} of memory, more than the "
            f"{_gib(total)} this machine has; use a smaller size"
        )


def _gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GiB"


def check_fraction(value, name: str) -> float:
    """Check ``value`` is a number in ``[0, 1)``."""
    v = check_positive(value, name, allow_zero=True)
    if v >= 1:
        raise WiringError(f"`{name}` must be in [0, 1), got {value!r}")
    return v


def check_data(X, Y, n_inputs: int, n_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Check a data set against a network's input/output counts."""
    X = as_float_array(X, "X", shape=(None, n_inputs), error=DataError)
    Y = as_float_array(Y, "Y", shape=(X.shape[0], n_outputs), error=DataError)
    return X, Y
