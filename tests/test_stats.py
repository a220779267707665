"""Intervals shown in reports, checked against published values and brute force."""

import math

import pytest

from inspect_cli.errors import InvalidValue
from inspect_cli.stats import binomial_band, clopper_pearson, mean_difference_interval


@pytest.mark.parametrize(
    ("k", "n", "lower", "upper"),
    [
        (0, 50, 0.0, 0.07112),
        (3, 150, 0.00414, 0.05733),
        (10, 10, 0.69150, 1.0),
        (50, 100, 0.39832, 0.60168),
    ],
)
def test_clopper_pearson_known_values(k: int, n: int, lower: float, upper: float):
    lo, hi = clopper_pearson(k, n)
    assert lo == pytest.approx(lower, abs=1e-4)
    assert hi == pytest.approx(upper, abs=1e-4)


@pytest.mark.parametrize("n", [1, 7, 50, 1000, 60_000])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.999])
def test_clopper_pearson_closed_forms_at_the_extremes(n: int, confidence: float):
    # With 0 or n successes the exact interval has a closed form: (alpha/2) ** (1/n).
    edge = ((1 - confidence) / 2) ** (1 / n)
    assert clopper_pearson(0, n, confidence) == pytest.approx((0.0, 1 - edge), rel=1e-9)
    assert clopper_pearson(n, n, confidence) == pytest.approx((edge, 1.0), rel=1e-9)


def test_clopper_pearson_contains_the_observed_rate_and_widens_with_confidence():
    for k, n in [(1, 3), (17, 1000), (400, 20_000), (59_000, 60_000)]:
        lo95, hi95 = clopper_pearson(k, n, 0.95)
        lo99, hi99 = clopper_pearson(k, n, 0.99)
        assert lo99 < lo95 < k / n < hi95 < hi99


def test_a_realised_rate_of_half_a_percent_is_visibly_wrong():
    # The design's example: 1.7% in a quiet month is chance, 0.5% is not (target 2%).
    assert clopper_pearson(17, 1000)[0] < 0.02 < clopper_pearson(17, 1000)[1]
    assert clopper_pearson(5, 1000)[1] < 0.02


def test_clopper_pearson_without_trials_knows_nothing():
    assert clopper_pearson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5)])
def test_clopper_pearson_refuses_impossible_counts(k: int, n: int):
    with pytest.raises(ValueError, match="0 <= k <= n"):
        clopper_pearson(k, n)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95.0, -0.5])
def test_confidence_must_be_a_probability(confidence: float):
    with pytest.raises(InvalidValue, match="confidence must be strictly between 0 and 1"):
        clopper_pearson(1, 10, confidence)


def brute_force_band(n: int, p: float, confidence: float) -> tuple[int, int]:
    """Equal-tailed band from summed probabilities (log-space, so large n works too)."""
    log_pmf = [
        math.lgamma(n + 1)
        - math.lgamma(c + 1)
        - math.lgamma(n - c + 1)
        + c * math.log(p)
        + (n - c) * math.log1p(-p)
        for c in range(n + 1)
    ]
    pmf = [math.exp(v) for v in log_pmf]
    half_alpha = (1 - confidence) / 2
    below = 0.0  # P(X < lo)
    lo = 0
    while below + pmf[lo] <= half_alpha:
        below += pmf[lo]
        lo += 1
    above = 0.0  # P(X > hi)
    hi = n
    while above + pmf[hi] <= half_alpha:
        above += pmf[hi]
        hi -= 1
    return lo, hi


@pytest.mark.parametrize(
    ("n", "p", "confidence"),
    [
        (20, 0.3, 0.95),
        (200, 0.02, 0.999),
        (1000, 0.5, 0.95),
        (5000, 0.0123, 0.99),
        (100_000, 0.02, 0.999),
    ],
)
def test_binomial_band_matches_brute_force(n: int, p: float, confidence: float):
    assert binomial_band(n, p, confidence) == brute_force_band(n, p, confidence)


def test_binomial_band_for_a_year_of_orders():
    # 100,000 orders at 2%: mean 2,000, sd 44.3; 99.9% is about +-3.29 sd, skewed a little up.
    assert binomial_band(100_000, 0.02) == (1856, 2147)


def test_binomial_band_degenerate_cases():
    assert binomial_band(10, 0.0) == (0, 0)
    assert binomial_band(10, 1.0) == (10, 10)
    assert binomial_band(0, 0.5) == (0, 0)


def test_welch_interval_equal_spread():
    # a = 1,2,3 and b = 4,5,6: means 2 and 5, variances 1 and 1, se = sqrt(1/3 + 1/3) = 0.816497.
    # df = (2/3)^2 / ((1/3)^2/2 + (1/3)^2/2) = 4; t(0.975, 4) = 2.776445 (tables).
    # Half width 2.776445 * 0.816497 = 2.266958: -3 -+ 2.266958.
    diff, lo, hi = mean_difference_interval([1, 2, 3], [4, 5, 6])
    assert diff == -3.0
    assert lo == pytest.approx(-5.266958, abs=1e-6)
    assert hi == pytest.approx(-0.733042, abs=1e-6)


def test_welch_interval_two_values_each():
    # a = 1,3 and b = 4,6: means 2 and 5, variances 2 and 2, se = sqrt(1 + 1) = 1.414214;
    # df = 2^2 / (1 + 1) = 2; t(0.975, 2) = 4.302653. Half width 6.084870.
    diff, lo, hi = mean_difference_interval([1, 3], [4, 6])
    assert diff == -3.0
    assert (lo, hi) == pytest.approx((-9.084870, 3.084870), abs=1e-6)


def test_welch_interval_unequal_groups():
    # a = 1..5 (mean 3, var 2.5), b = 2,4,6 (mean 4, var 4): se^2 = 0.5 + 4/3 = 1.833333,
    # df = 1.833333^2 / (0.5^2/4 + (4/3)^2/2) = 3.532847; t(0.975, 3.532847) = 2.928...
    # Reference values from scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval().
    diff, lo, hi = mean_difference_interval([1, 2, 3, 4, 5], [2, 4, 6])
    assert diff == -1.0
    assert (lo, hi) == pytest.approx((-4.963725522186273, 2.963725522186273), rel=1e-9)


def test_welch_interval_is_antisymmetric_and_widens_with_confidence():
    a, b = [7, 8, 9, 6, 8, 7], [5, 9, 6, 8]
    diff, lo, hi = mean_difference_interval(a, b)
    assert mean_difference_interval(b, a) == pytest.approx((-diff, -hi, -lo))
    _, lo99, hi99 = mean_difference_interval(a, b, 0.99)
    assert lo99 < lo < diff < hi < hi99


def test_welch_interval_needs_two_values_per_group():
    assert mean_difference_interval([8.0], [7.0, 9.0]) is None
    assert mean_difference_interval([7.0, 9.0], []) is None


def test_welch_interval_of_constant_groups_is_the_difference_itself():
    assert mean_difference_interval([8, 8, 8], [6, 6]) == (2.0, 2.0, 2.0)
