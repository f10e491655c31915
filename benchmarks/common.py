"""What the benchmarks share: the repository on the import path (they reuse the tests' helpers for private
PostgreSQL schemas, logging in and free ports), and nearest-rank percentiles."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.chaos.harness import free_port  # noqa: E402
from tests.helpers import BASE, csrf_from, login, postgres_schema  # noqa: E402

__all__ = ["BASE", "ROOT", "csrf_from", "free_port", "login", "percentile", "postgres_schema"]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
