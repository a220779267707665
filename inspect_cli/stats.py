"""Intervals for reports: is a realised sample rate or a difference in means within chance?
And the projection of the corrections not inspected, with its interval.

Floats are fine for rates and scores; the projection, which is money, stays exact in cents.
scipy is not a dependency, so the regularized incomplete beta function, which gives the
binomial and Student t distributions, is implemented here (continued fraction with the modified
Lentz method, as in Numerical Recipes §6.4) and inverted by bisection."""

import math
import statistics
from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction

from inspect_cli.errors import InvalidValue

_EPS = 1e-15
_TINY = 1e-300


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b); converges quickly for x < (a + 1) / (a + b + 2)."""
    # About sqrt(max(a, b)) terms are needed; the cap only guards against a silent wrong answer.
    max_terms = 100 + 10 * int(math.sqrt(max(a, b)))
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, max_terms + 1):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function I_x(a, b) for a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def _invert(f: Callable[[float], float], q: float) -> float:
    """The x in [0, 1] with f(x) == q for an increasing f, by bisection to full float precision.

    Bisection rather than Newton: it cannot diverge, and the reports call it a few times only.
    """
    lo, hi = 0.0, 1.0
    while True:
        mid = (lo + hi) / 2.0
        if mid <= lo or mid >= hi:
            return mid
        if f(mid) < q:
            lo = mid
        else:
            hi = mid


def _betaincinv(a: float, b: float, q: float) -> float:
    """The x with I_x(a, b) == q: the q-quantile of the Beta(a, b) distribution."""
    return _invert(lambda x: _betainc(a, b, x), q)


def _check_confidence(confidence: float) -> float:
    """Return alpha = 1 - confidence after checking it is a proper probability."""
    if not 0.0 < confidence < 1.0:
        raise InvalidValue(f"confidence must be strictly between 0 and 1, got {confidence}")
    return 1.0 - confidence


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a binomial proportion of k successes in n trials.

    Reports print it next to the realised sample rate, so that 1.7% in a quiet month reads as
    chance and 0.5% as a fault. It is conservative: coverage is at least `confidence`.
    With no trials nothing is known: (0.0, 1.0).
    """
    alpha = _check_confidence(confidence)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    lower = 0.0 if k == 0 else _betaincinv(k, n - k + 1, alpha / 2.0)
    upper = 1.0 if k == n else _betaincinv(k + 1, n - k, 1.0 - alpha / 2.0)
    return lower, upper


def _binomial_cdf(c: int, n: int, p: float) -> float:
    """P(X <= c) for X ~ Binomial(n, p)."""
    if c < 0:
        return 0.0
    if c >= n:
        return 1.0
    return _betainc(n - c, c + 1, 1.0 - p)


def _binomial_sf(c: int, n: int, p: float) -> float:
    """P(X > c), computed directly so that small upper tails keep their precision."""
    if c < 0:
        return 1.0
    if c >= n:
        return 0.0
    return _betainc(c + 1, n - c, p)


def _first(n: int, condition: Callable[[int], bool]) -> int:
    """Smallest c in [0, n] where a monotone condition holds (n if none before)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if condition(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def binomial_band(n: int, p: float, confidence: float = 0.999) -> tuple[int, int]:
    """Central range (lo, hi) of counts for Binomial(n, p), equal-tailed.

    lo is the largest count with P(X < lo) <= alpha/2 and hi the smallest with
    P(X > hi) <= alpha/2, so P(lo <= X <= hi) >= confidence: a count outside the band is
    evidence that the sampling is not working at rate p.
    """
    alpha = _check_confidence(confidence)
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need n >= 0 and 0 <= p <= 1, got n={n}, p={p}")
    lo = _first(n, lambda c: _binomial_cdf(c, n, p) > alpha / 2.0)
    hi = _first(n, lambda c: _binomial_sf(c, n, p) <= alpha / 2.0)
    return lo, hi


def _t_quantile(df: float, alpha: float) -> float:
    """The t with P(|T| > t) == alpha for Student's T with df degrees of freedom.

    P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t**2), so invert the beta function.
    """
    x = _betaincinv(df / 2.0, 0.5, alpha)
    return math.sqrt(df * (1.0 - x) / x)


def mean_difference_interval(
    a: Sequence[float], b: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """(mean(a) - mean(b), lo, hi): Welch's interval, which does not assume equal variances.

    Used to compare tenant satisfaction of inspected and not inspected repairs; the groups
    differ in size and spread. None when either group has fewer than two values (no variance).
    """
    alpha = _check_confidence(confidence)
    if len(a) < 2 or len(b) < 2:
        return None
    diff = statistics.fmean(a) - statistics.fmean(b)
    va = statistics.variance(a) / len(a)
    vb = statistics.variance(b) / len(b)
    se = math.sqrt(va + vb)
    if se == 0.0:
        # Both groups constant: no spread, so the difference is known exactly.
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = _t_quantile(df, alpha) * se
    return diff, diff - half, diff + half


MIN_PROJECTION_SAMPLE = 30
"""Fewer random-sample inspections than this: too few to project (the normal approximation of
the ratio estimator is not to be trusted below about 30 units; Cochran 1977, §6.4)."""


def ratio_projection(
    amounts: Sequence[int],
    corrections: Sequence[int],
    population_orders: int,
    population_amount: int,
    confidence: float = 0.95,
) -> tuple[int, int, int] | None:
    """Project the corrections of the population not inspected: (estimate, low, high) in cents.

    Ratio estimator (Cochran, *Sampling Techniques*, 3rd ed. 1977, §6.2-6.4): R = sum of the
    sampled corrections over the sum of the sampled amounts, times the amount of the population
    not inspected. Its variance is linearised (§6.3, sample
    estimate with the sampled mean amount): V(R) = (1 - f) / (n * xbar**2) * s_d**2,
    with residuals d_i = y_i - R * x_i, s_d**2 = sum(d_i**2) / (n - 1) and the finite-population
    correction f = n / N, N being the sample plus the population it is projected onto. The
    interval is estimate +- t(n - 1) * standard error; its lower end is not below zero, since a
    correction is never negative. None below MIN_PROJECTION_SAMPLE sampled orders, or when the
    sampled amounts add up to nothing.

    Money stays exact: the estimate and the variance are fractions of whole cents, and only the
    half-width (a square root times Student's t) is a decimal; each end is rounded to the cent
    once, half to even.
    """
    alpha = _check_confidence(confidence)
    n = len(amounts)
    if n != len(corrections):
        raise ValueError("one correction per sampled amount")
    total_x, total_y = sum(amounts), sum(corrections)
    if n < MIN_PROJECTION_SAMPLE or total_x <= 0:
        return None
    estimate = Fraction(total_y * population_amount, total_x)
    # total_x * d_i, an integer: y_i * total_x - total_y * x_i.
    squares = sum(
        (y * total_x - total_y * x) ** 2 for x, y in zip(amounts, corrections, strict=True)
    )
    # R * (X_rest) = R * X - (sampled corrections): its error is that of R * X, X being the
    # amount of the whole population, sample included. With s_d**2 = squares / (total_x**2 *
    # (n - 1)), 1 - f = population_orders / (n + population_orders) and n * xbar**2 =
    # total_x**2 / n:
    variance = Fraction(
        (population_amount + total_x) ** 2 * population_orders * squares * n,
        (n + population_orders) * (n - 1) * total_x**4,
    )
    with localcontext() as exact:
        exact.prec = 40
        half = (
            Decimal(repr(_t_quantile(n - 1, alpha)))
            * (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
        )
        middle = Decimal(estimate.numerator) / Decimal(estimate.denominator)
        low, high = middle - half, middle + half
    return round(estimate), max(0, round(low)), round(high)


def _log_binomial_pmf(j: int, n: int, p: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(j + 1)
        - math.lgamma(n - j + 1)
        + j * math.log(p)
        + (n - j) * math.log1p(-p)
    )


def _tail_sum(first: int, last: int, step: int, n: int, p: float) -> float:
    """Sum of the binomial probabilities from `first` towards `last` (inclusive), which must
    run away from the mode: the terms only shrink, so the sum stops once they no longer count."""
    total = 0.0
    for j in range(first, last + step, step):
        term = math.exp(_log_binomial_pmf(j, n, p))
        total += term
        if term <= total * 1e-17:
            break
    return total


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): the exact one-sided p-value of k successes or more.

    The probabilities are summed in log space (lgamma), from the tail that lies away from the
    mean, so a tail of 1e-30 keeps its digits and a contractor with a hundred thousand orders
    costs a few hundred terms, not a hundred thousand.
    """
    if not 0 <= k <= n + 1 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need 0 <= k <= n + 1 and 0 <= p <= 1, got k={k}, n={n}, p={p}")
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    mode = math.floor((n + 1) * p)
    if k > mode:
        return min(1.0, _tail_sum(k, n, 1, n, p))
    # k at or below the mode: 1 - P(X <= k - 1), summed downwards from k - 1.
    return max(0.0, 1.0 - _tail_sum(k - 1, 0, -1, n, p))
