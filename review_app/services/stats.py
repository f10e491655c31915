"""Small statistics shared by the dashboard and the reviewer scores."""

from __future__ import annotations

from scipy.stats import binomtest


def wilson_interval(successes: int, trials: int) -> list[float] | None:
    """The 95% Wilson score interval of a proportion, or None with no trials."""
    if trials == 0:
        return None
    interval = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(interval.low), float(interval.high)]
