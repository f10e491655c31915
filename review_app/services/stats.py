"""Small statistics shared by the dashboard and the reviewer scores."""

from __future__ import annotations


def wilson_interval(successes: int, trials: int) -> list[float] | None:
    """The 95% Wilson score interval of a proportion, or None with no trials."""
    if trials == 0:
        return None
    # scipy.stats takes a second and 60 MB to import: only the pages that show intervals pay for it.
    from scipy.stats import binomtest

    interval = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(interval.low), float(interval.high)]
