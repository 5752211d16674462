"""Statistics over seeds: bootstrap intervals, two-sample comparisons, tidy summaries.

A measure of a trained circuit (modularity, within-module fraction, ...) is one
number per run; runs differ by seed. This module turns a handful of such
numbers per condition into intervals and tests. Everything is deterministic
given ``seed``, drops NaN values (a run whose measure is undefined), and
returns NaN -- never raises or warns -- where a quantity is undefined for the
data (too few values, no spread).

Examples
--------
>>> import numpy as np
>>> low, high = bootstrap_ci([1.0, 2.0, 3.0, 4.0, 5.0], seed=0)
>>> bool(low < 3.0 < high)
True
>>> r = compare([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0])
>>> r["diff"], r["cliffs_delta"], round(r["p_mannwhitney"], 4)   # exact p = 2 / C(8, 4)
(4.0, 1.0, 0.0286)
>>> round(r["p_permutation"], 2)
0.03
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from community.graphs import CommunityError, _as_rng

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["bootstrap_ci", "compare", "summarise"]

#: Permutations drawn at once by :func:`compare` (bounds memory at ``chunk * n`` floats).
_PERM_CHUNK = 1000


# --------------------------------------------------------------------------- boundary helpers


def _clean(values: Any, name: str) -> np.ndarray:
    """1-D float64 array of the finite values; NaN dropped, infinities rejected."""
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CommunityError(f"`{name}` must be a 1-D array of numbers: {exc}") from None
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1:
        raise CommunityError(f"`{name}` must be 1-D, got shape {x.shape}")
    x = x[~np.isnan(x)]
    if np.isinf(x).any():
        raise CommunityError(f"`{name}` holds infinite values")
    return x


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise CommunityError(f"`{name}` must be an integer >= 1, got {value!r}")
    return int(value)


def _check_level(level: Any) -> float:
    if (isinstance(level, bool) or not isinstance(level, int | float | np.number)
            or not (0 < level < 1)):
        raise CommunityError(f"`level` must be a number in (0, 1), got {level!r}")
    return float(level)


def _percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    lo, hi = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def _constant(x: np.ndarray) -> bool:
    """All values equal (exact test, so rounding in a variance cannot fake a spread)."""
    return bool(x.max() == x.min())


def _var(x: np.ndarray) -> float:
    """Sample variance (``ddof=1``), exactly 0 for equal values; needs ``x.size >= 2``."""
    return 0.0 if _constant(x) else float(np.var(x, ddof=1))


# --------------------------------------------------------------------------- public functions


def bootstrap_ci(
    values: ArrayLike,
    *,
    stat: Callable[[np.ndarray], float] = np.mean,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = 0,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a statistic.

    NaN values are dropped; the remaining ``n`` values are resampled with
    replacement ``n_boot`` times, ``stat`` is evaluated on each resample, and
    the interval is the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles
    of those ``n_boot`` values (:func:`numpy.quantile`, linear interpolation).

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per seed (NaN = missing).
    stat : callable, default numpy.mean
        Maps a 1-D array to a number.
    n_boot : int, default 2000
        Number of bootstrap resamples.
    level : float, default 0.95
        Coverage of the interval, in ``(0, 1)``.
    seed : int, numpy Generator or None, default 0
        Seed of the resampling.

    Returns
    -------
    (float, float)
        ``(low, high)``; ``(nan, nan)`` if fewer than 2 values remain.

    Raises
    ------
    CommunityError
        ``values`` not 1-D numbers or holding infinities; bad ``n_boot``,
        ``level`` or ``seed``.

    Examples
    --------
    >>> bootstrap_ci([2.0, 2.0, 2.0])
    (2.0, 2.0)
    >>> bootstrap_ci([1.0, float("nan")])
    (nan, nan)
    >>> low, high = bootstrap_ci([0.1, 0.4, 0.35, 0.8], stat=np.median, level=0.9, seed=1)
    >>> bool(0.1 <= low <= high <= 0.8)
    True
    """
    x = _clean(values, "values")
    n_boot = _check_count(n_boot, "n_boot")
    level = _check_level(level)
    if not callable(stat):
        raise CommunityError(f"`stat` must be callable, got {stat!r}")
    rng = _as_rng(seed)
    if x.size < 2:
        return float("nan"), float("nan")
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boot = np.array([float(stat(x[row])) for row in idx])
    return _percentile_interval(boot, level)


def _permutation_p(a: np.ndarray, b: np.ndarray, n_perm: int,
                   rng: np.random.Generator) -> float:
    """Two-sided permutation p of ``mean(b) - mean(a)``: ``(1 + #{|d*| >= |d|}) / (1 + n_perm)``."""
    pooled = np.concatenate([a, b])
    n_a, n_b = a.size, b.size
    total = pooled.sum()
    observed = abs(b.mean() - a.mean())
    # permuted differences equal to the observed one up to rounding count as extreme
    tol = 1e-12 * max(observed, float(np.max(np.abs(pooled))))
    extreme = 0
    done = 0
    while done < n_perm:
        size = min(_PERM_CHUNK, n_perm - done)
        perm = rng.permuted(np.broadcast_to(pooled, (size, pooled.size)), axis=1)
        s_a = perm[:, :n_a].sum(axis=1)
        d = (total - s_a) / n_b - s_a / n_a
        extreme += int(np.count_nonzero(np.abs(d) >= observed - tol))
        done += size
    return (1 + extreme) / (1 + n_perm)


def _welch_p(a: np.ndarray, b: np.ndarray, var_a: float, var_b: float) -> float:
    se2 = var_a / a.size + var_b / b.size
    if se2 <= 0:
        return float("nan")
    t = (b.mean() - a.mean()) / math.sqrt(se2)
    df = se2**2 / ((var_a / a.size) ** 2 / (a.size - 1) + (var_b / b.size) ** 2 / (b.size - 1))
    return float(2.0 * sps.t.sf(abs(t), df))


def _cliffs_delta(a: np.ndarray, b: np.ndarray) -> float:
    """``(#{b_j > a_i} - #{b_j < a_i}) / (n_a n_b)`` by binary search in the sorted ``a``."""
    s = np.sort(a)
    below = np.searchsorted(s, b, side="left")            # a_i < b_j
    above = a.size - np.searchsorted(s, b, side="right")  # a_i > b_j
    return float((below.sum() - above.sum()) / (a.size * b.size))


def compare(
    a: ArrayLike,
    b: ArrayLike,
    *,
    n_perm: int = 10000,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = 0,
) -> dict[str, float]:
    """Compare two samples (e.g. one measure over seeds in two conditions).

    NaN values are dropped from each sample first. Differences and effect sizes
    are ``b`` relative to ``a`` (positive when ``b`` is larger). With sample
    means ``m_a, m_b``, sample variances ``s_a^2, s_b^2`` (``ddof=1``) and sizes
    ``n_a, n_b``:

    - ``diff = m_b - m_a``; its percentile bootstrap interval resamples ``a``
      and ``b`` independently ``n_boot`` times;
    - Mann--Whitney U two-sided p-value, :func:`scipy.stats.mannwhitneyu`
      (default method);
    - permutation p-value of ``|m_b - m_a|`` over ``n_perm`` random
      relabellings of the pooled values, ``(1 + #extreme) / (1 + n_perm)``;
    - Welch's t-test two-sided p-value, ``t = diff / sqrt(s_a^2/n_a + s_b^2/n_b)``
      with Welch--Satterthwaite degrees of freedom;
    - Hedges' ``g = J d`` with Cohen's ``d = diff / s_p``,
      ``s_p^2 = ((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2)`` and the
      small-sample correction ``J = 1 - 3 / (4 (n_a + n_b) - 9)``;
    - Cliff's ``delta = (#{b_j > a_i} - #{b_j < a_i}) / (n_a n_b)`` over all pairs.

    Parameters
    ----------
    a, b : array_like of float
        The two samples (NaN = missing).
    n_perm : int, default 10000
        Random permutations of the permutation test.
    n_boot : int, default 2000
        Bootstrap resamples of the interval of ``diff``.
    level : float, default 0.95
        Coverage of that interval.
    seed : int, numpy Generator or None, default 0
        Seed of the bootstrap and the permutations.

    Returns
    -------
    dict
        ``"n_a"``, ``"n_b"`` (int), ``"mean_a"``, ``"mean_b"``, ``"diff"``,
        ``"diff_ci_low"``, ``"diff_ci_high"``, ``"p_mannwhitney"``,
        ``"p_permutation"``, ``"p_welch"``, ``"hedges_g"``, ``"cliffs_delta"``
        (float). NaN where undefined: a mean of an empty sample; the interval of
        ``diff``, Welch's p and ``g`` if a sample has fewer than 2 values; the
        tests and ``delta`` if a sample is empty; Welch's p if both samples are
        constant, ``g`` if both are constant (``s_p = 0``).

    Raises
    ------
    CommunityError
        A sample not 1-D numbers or holding infinities; bad ``n_perm``,
        ``n_boot``, ``level`` or ``seed``.

    Examples
    --------
    >>> r = compare([0.30, 0.35, 0.32, 0.31], [0.40, 0.42, 0.38, 0.45], n_perm=2000)
    >>> r["n_a"], round(r["diff"], 4), r["cliffs_delta"], bool(r["p_welch"] < 0.01)
    (4, 0.0925, 1.0, True)
    >>> r = compare([1.0], [2.0, 3.0])
    >>> r["diff"], r["hedges_g"], r["cliffs_delta"]
    (1.5, nan, 1.0)
    """
    a = _clean(a, "a")
    b = _clean(b, "b")
    n_perm = _check_count(n_perm, "n_perm")
    n_boot = _check_count(n_boot, "n_boot")
    level = _check_level(level)
    rng = _as_rng(seed)
    nan = float("nan")
    n_a, n_b = int(a.size), int(b.size)
    mean_a = float(a.mean()) if n_a else nan
    mean_b = float(b.mean()) if n_b else nan
    out: dict[str, Any] = {"n_a": n_a, "n_b": n_b, "mean_a": mean_a, "mean_b": mean_b,
                           "diff": mean_b - mean_a, "diff_ci_low": nan, "diff_ci_high": nan,
                           "p_mannwhitney": nan, "p_permutation": nan, "p_welch": nan,
                           "hedges_g": nan, "cliffs_delta": nan}
    if n_a >= 2 and n_b >= 2:
        boot_a = a[rng.integers(0, n_a, size=(n_boot, n_a))].mean(axis=1)
        boot_b = b[rng.integers(0, n_b, size=(n_boot, n_b))].mean(axis=1)
        out["diff_ci_low"], out["diff_ci_high"] = _percentile_interval(boot_b - boot_a, level)
        var_a, var_b = _var(a), _var(b)
        out["p_welch"] = _welch_p(a, b, var_a, var_b)
        pooled_var = ((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2)
        if pooled_var > 0:
            J = 1.0 - 3.0 / (4.0 * (n_a + n_b) - 9.0)
            out["hedges_g"] = float(J * (mean_b - mean_a) / math.sqrt(pooled_var))
    if n_a >= 1 and n_b >= 1:
        out["p_mannwhitney"] = float(sps.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        out["p_permutation"] = float(_permutation_p(a, b, n_perm, rng))
        out["cliffs_delta"] = _cliffs_delta(a, b)
    return out


def summarise(
    df: pd.DataFrame,
    by: str | Sequence[str],
    columns: str | Sequence[str],
    *,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Per-group mean, spread and bootstrap interval of columns of a tidy table.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per observation (e.g. per run), as written by :mod:`community.tables`.
    by : str or sequence of str
        Grouping columns (e.g. ``["rule", "lr"]``); an empty sequence makes one group.
    columns : str or sequence of str
        Numeric columns to summarise.
    level : float, default 0.95
        Coverage of the bootstrap interval.
    n_boot : int, default 2000
        Bootstrap resamples per group and column.
    seed : int or None, default 0
        Seed of every interval (each group and column starts from the same seed,
        so a row does not depend on the other groups).

    Returns
    -------
    pandas.DataFrame
        One row per group and column, groups in sorted order (NaN keys kept),
        columns in the order given: the ``by`` columns, then ``"column"``,
        ``"n"`` (non-NaN values), ``"mean"``, ``"sd"`` (``ddof=1``), ``"ci_low"``,
        ``"ci_high"`` (:func:`bootstrap_ci` of the mean). ``mean`` is NaN for
        ``n = 0``; ``sd`` and the interval for ``n < 2``.

    Raises
    ------
    CommunityError
        ``df`` not a DataFrame, a named column missing, or bad ``level``,
        ``n_boot`` or ``seed``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"lr": [0.1, 0.1, 0.1, 1.0], "Q": [0.2, 0.4, 0.3, 0.1]})
    >>> summarise(df, "lr", "Q")[["lr", "column", "n", "mean", "sd"]]
        lr column  n  mean   sd
    0  0.1      Q  3   0.3  0.1
    1  1.0      Q  1   0.1  NaN
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise CommunityError(f"`df` must be a pandas DataFrame, got {type(df).__name__}")
    keys = [by] if isinstance(by, str) else list(by)
    cols = [columns] if isinstance(columns, str) else list(columns)
    for name, wanted in (("by", keys), ("columns", cols)):
        missing = [c for c in wanted if c not in df.columns]
        if missing:
            raise CommunityError(f"`{name}` names columns not in `df`: {missing}; "
                                 f"it has {list(df.columns)}")
    level = _check_level(level)
    n_boot = _check_count(n_boot, "n_boot")
    if not (seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)
                             and seed >= 0)):
        raise CommunityError(f"`seed` must be a non-negative int or None, got {seed!r}")
    if keys:
        groups = [(k if isinstance(k, tuple) else (k,), g)
                  for k, g in df.groupby(keys, sort=True, dropna=False)]
    else:
        groups = [((), df)]
    rows = []
    for key, g in groups:
        for col in cols:
            x = _clean(g[col].to_numpy(), col)
            n = int(x.size)
            low, high = bootstrap_ci(x, n_boot=n_boot, level=level, seed=seed)
            rows.append({**dict(zip(keys, key, strict=True)), "column": col, "n": n,
                         "mean": float(x.mean()) if n else float("nan"),
                         "sd": _var(x) ** 0.5 if n >= 2 else float("nan"),
                         "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=[*keys, "column", "n", "mean", "sd", "ci_low", "ci_high"])
