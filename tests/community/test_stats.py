"""community.stats against hand formulas, scipy, exact enumeration and degenerate inputs."""

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from community.graphs import CommunityError
from community.stats import bootstrap_ci, compare, summarise

KEYS = {"n_a", "n_b", "mean_a", "mean_b", "diff", "diff_ci_low", "diff_ci_high",
        "p_mannwhitney", "p_permutation", "p_welch", "hedges_g", "cliffs_delta"}


# ----------------------------------------------------------------------------- effect sizes


def test_hedges_g_matches_the_hand_formula():
    a, b = [1.0, 2.0, 3.0, 4.0], [3.0, 5.0, 7.0, 9.0]
    # means 2.5 and 6; variances (ddof=1) 5/3 and 20/3; n_a = n_b = 4
    s_pooled = math.sqrt((3 * 5 / 3 + 3 * 20 / 3) / (4 + 4 - 2))
    d = (6.0 - 2.5) / s_pooled
    J = 1 - 3 / (4 * (4 + 4) - 9)
    r = compare(a, b, n_perm=100)
    assert set(r) == KEYS
    assert r["hedges_g"] == pytest.approx(J * d, rel=1e-12)
    assert r["hedges_g"] == pytest.approx(1.4910, abs=1e-4)
    assert compare(b, a, n_perm=100)["hedges_g"] == pytest.approx(-J * d, rel=1e-12)
    assert (r["n_a"], r["n_b"], r["mean_a"], r["mean_b"], r["diff"]) == (4, 4, 2.5, 6.0, 3.5)


def test_hedges_g_with_unequal_sizes():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 7), rng.normal(1, 2, 12)
    sp = math.sqrt((6 * np.var(a, ddof=1) + 11 * np.var(b, ddof=1)) / 17)
    expected = (1 - 3 / (4 * 19 - 9)) * (b.mean() - a.mean()) / sp
    assert compare(a, b, n_perm=100)["hedges_g"] == pytest.approx(expected, rel=1e-12)


def cliffs_delta_by_hand(a, b):
    return sum(np.sign(bj - ai) for ai in a for bj in b) / (len(a) * len(b))


def test_cliffs_delta_matches_the_pair_count():
    a, b = [1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0]
    # pairs b > a minus pairs b < a: (1-1) + (2-0) + 3 + 3 = 8 of 12
    assert compare(a, b, n_perm=100)["cliffs_delta"] == pytest.approx(8 / 12)
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 5, 15).astype(float), rng.integers(1, 6, 11).astype(float)
    assert compare(a, b, n_perm=100)["cliffs_delta"] == pytest.approx(cliffs_delta_by_hand(a, b))
    assert compare([1.0, 2.0], [3.0, 4.0], n_perm=10)["cliffs_delta"] == 1.0
    assert compare([3.0, 4.0], [1.0, 2.0], n_perm=10)["cliffs_delta"] == -1.0


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("seed", [3, 4])
def test_mann_whitney_and_welch_equal_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, 9), rng.normal(0.8, 1.5, 13)
    r = compare(a, b, n_perm=100)
    assert r["p_mannwhitney"] == sps.mannwhitneyu(a, b, alternative="two-sided").pvalue
    assert r["p_welch"] == pytest.approx(sps.ttest_ind(a, b, equal_var=False).pvalue,
                                         rel=1e-10)


def test_permutation_p_matches_exact_enumeration():
    a, b = [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]
    pooled = np.array(a + b)
    observed = abs(np.mean(b) - np.mean(a))
    splits = list(itertools.combinations(range(8), 4))
    extreme = sum(abs(np.delete(pooled, list(s)).mean() - pooled[list(s)].mean())
                  >= observed - 1e-12 for s in splits)
    exact = extreme / len(splits)                                 # 2 / 70
    assert exact == pytest.approx(2 / 70)
    assert compare(a, b, n_perm=20000, seed=5)["p_permutation"] == pytest.approx(exact,
                                                                                 abs=0.005)


def test_permutation_p_small_for_separated_and_large_for_identical_samples():
    rng = np.random.default_rng(6)
    a = rng.normal(0.0, 1.0, 10)
    assert compare(a, rng.normal(5.0, 1.0, 10), n_perm=2000)["p_permutation"] < 0.01
    # the same distribution, interleaved: normal quantiles at odd and at even ranks of 20
    q = sps.norm.ppf((np.arange(20) + 0.5) / 20)
    assert compare(q[0::2], q[1::2], n_perm=2000)["p_permutation"] > 0.2
    assert compare(a, rng.permutation(a), n_perm=2000)["p_permutation"] == 1.0
    # the smallest p a test of n_perm permutations can give
    assert compare(a, a + 100, n_perm=999)["p_permutation"] == pytest.approx(1 / 1000)


def test_permutation_p_is_calibrated_under_the_null():
    # both samples from one distribution: P(p <= 0.05) should be about 0.05
    rng = np.random.default_rng(11)
    p = [compare(rng.normal(size=8), rng.normal(size=8), n_perm=200, n_boot=1,
                 seed=k)["p_permutation"] for k in range(300)]
    assert 0.02 <= np.mean(np.array(p) <= 0.05) <= 0.09
    assert np.median(p) == pytest.approx(0.5, abs=0.1)


def test_compare_is_deterministic_given_the_seed():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=8), rng.normal(size=8)
    assert compare(a, b, seed=3) == compare(a, b, seed=3)
    assert compare(a, b, seed=3) != compare(a, b, seed=4)


def test_diff_interval_brackets_the_difference():
    rng = np.random.default_rng(8)
    a, b = rng.normal(0, 1, 30), rng.normal(2, 1, 30)
    r = compare(a, b, n_perm=100)
    assert r["diff_ci_low"] < r["diff"] < r["diff_ci_high"]
    assert r["diff_ci_low"] > 1.0           # clearly separated: the interval excludes 0


# ----------------------------------------------------------------------------- bootstrap


def test_bootstrap_ci_contains_the_mean_and_narrows_with_n():
    rng = np.random.default_rng(9)
    widths = []
    for n in (10, 1000):
        x = rng.normal(1.0, 2.0, n)
        low, high = bootstrap_ci(x, seed=0)
        assert low < x.mean() < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 3          # ~ 1 / sqrt(n): a factor 10 expected


def test_bootstrap_ci_width_matches_the_normal_theory_interval():
    rng = np.random.default_rng(10)
    x = rng.normal(0.0, 1.0, 400)
    low, high = bootstrap_ci(x, n_boot=4000, seed=1)
    half = 1.959964 * np.std(x) / math.sqrt(x.size)
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)
    assert bootstrap_ci(x, n_boot=4000, seed=1, level=0.5)[1] - \
        bootstrap_ci(x, n_boot=4000, seed=1, level=0.5)[0] < high - low


def test_bootstrap_ci_drops_nan_and_takes_any_statistic():
    x = np.array([1.0, np.nan, 2.0, 3.0, np.nan, 10.0])
    assert bootstrap_ci(x, seed=0) == bootstrap_ci(x[~np.isnan(x)], seed=0)
    low, high = bootstrap_ci(x, stat=np.median, seed=0)
    assert 1.0 <= low <= high <= 10.0


# ----------------------------------------------------------------------------- degenerate inputs


def all_nan(r, keys):
    return all(math.isnan(r[k]) for k in keys)


def test_degenerate_inputs_give_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(math.isnan(v) for v in bootstrap_ci([]))
        assert all(math.isnan(v) for v in bootstrap_ci([3.0]))
        assert all(math.isnan(v) for v in bootstrap_ci([np.nan, np.nan, 1.0]))

        r = compare([], [])
        assert r["n_a"] == r["n_b"] == 0 and all_nan(r, KEYS - {"n_a", "n_b"})

        r = compare([1.0], [2.0, 4.0])
        assert r["diff"] == 2.0 and r["cliffs_delta"] == 1.0
        assert all_nan(r, {"diff_ci_low", "diff_ci_high", "p_welch", "hedges_g"})

        r = compare([np.nan, np.nan], [1.0, 2.0])
        assert r["n_a"] == 0 and all_nan(r, KEYS - {"n_a", "n_b", "mean_b"})

        # both constant: no spread, so no t and no standardised effect
        r = compare([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])
        assert all_nan(r, {"p_welch", "hedges_g"})
        assert r["diff"] == 0.0 and r["cliffs_delta"] == 0.0 and r["p_permutation"] == 1.0
        r = compare([1.0, 1.0, 1.0], [2.0, 2.0, 2.0])
        assert all_nan(r, {"p_welch", "hedges_g"})
        assert r["cliffs_delta"] == 1.0 and r["diff_ci_low"] == r["diff_ci_high"] == 1.0

        # one constant sample: Welch and g are still defined
        r = compare([1.0, 1.0, 1.0], [2.0, 3.0, 4.0])
        assert np.isfinite(r["p_welch"]) and np.isfinite(r["hedges_g"])


def test_bad_arguments_are_rejected_naming_the_argument():
    with pytest.raises(CommunityError, match="n_perm"):
        compare([1.0, 2.0], [3.0, 4.0], n_perm=0)
    with pytest.raises(CommunityError, match="level"):
        bootstrap_ci([1.0, 2.0], level=1.0)
    with pytest.raises(CommunityError, match="n_boot"):
        bootstrap_ci([1.0, 2.0], n_boot=2.5)
    with pytest.raises(CommunityError, match="`a`"):
        compare([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(CommunityError, match="`values`"):
        bootstrap_ci(np.ones((2, 2)))
    with pytest.raises(CommunityError, match="seed"):
        compare([1.0, 2.0], [3.0, 4.0], seed=-1)


# ----------------------------------------------------------------------------- summarise


def test_summarise_gives_tidy_rows_per_group_and_column():
    df = pd.DataFrame({
        "rule": ["bal", "bal", "bal", "bal", "fa", "fa"],
        "lr": [0.1, 0.1, 1.0, 1.0, 0.1, 0.1],
        "Q": [0.2, 0.4, 0.1, np.nan, 0.5, 0.7],
        "within": [0.6, 0.8, 0.3, 0.5, 0.9, 0.9],
    })
    out = summarise(df, ["rule", "lr"], ["Q", "within"])
    assert list(out.columns) == ["rule", "lr", "column", "n", "mean", "sd", "ci_low", "ci_high"]
    assert len(out) == 3 * 2
    row = out[(out.rule == "bal") & (out.lr == 0.1) & (out.column == "Q")].iloc[0]
    assert row.n == 2 and row["mean"] == pytest.approx(0.3)
    assert row.sd == pytest.approx(math.sqrt(((0.2 - 0.3) ** 2 + (0.4 - 0.3) ** 2) / 1))
    assert 0.2 <= row.ci_low <= row.ci_high <= 0.4
    row = out[(out.rule == "bal") & (out.lr == 1.0) & (out.column == "Q")].iloc[0]
    assert row.n == 1 and row["mean"] == 0.1
    assert math.isnan(row.sd) and math.isnan(row.ci_low) and math.isnan(row.ci_high)
    row = out[(out.rule == "fa") & (out.column == "within")].iloc[0]
    assert row.sd == 0.0 and row.ci_low == row.ci_high == 0.9
    one = summarise(df, "rule", "Q")
    assert one["rule"].tolist() == ["bal", "fa"] and one["n"].tolist() == [3, 2]


def test_summarise_rejects_missing_columns():
    df = pd.DataFrame({"a": [1, 2], "x": [0.1, 0.2]})
    with pytest.raises(CommunityError, match="columns"):
        summarise(df, "a", "y")
    with pytest.raises(CommunityError, match="by"):
        summarise(df, "b", "x")
