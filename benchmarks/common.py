"""What the benchmarks share: the repository on the import path (they reuse the tests' helpers for private
PostgreSQL schemas, logging in and free ports), nearest-rank percentiles and made-up words."""

from __future__ import annotations

import random
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.chaos.harness import free_port  # noqa: E402
from tests.helpers import BASE, csrf_from, login, postgres_schema  # noqa: E402

__all__ = [
    "BASE",
    "ROOT",
    "csrf_from",
    "free_port",
    "login",
    "percentile",
    "postgres_schema",
    "random_word",
    "run_seed",
]


def random_word(rng: random.Random) -> str:
    """Three to nine random capital letters: a made-up word of a vendor's name or header."""
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 9)))


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def run_seed(url: str, script: str, documents: int, what: str = "documents") -> None:
    """Run a benchmark's seeding SQL (statements split on ';', `:n` bound to `documents`) in one
    transaction, and say how long it took."""
    import time

    from sqlalchemy import text

    from review_app.db import get_engine

    started = time.perf_counter()
    with get_engine(url).begin() as conn:
        for statement in filter(str.strip, script.split(";")):
            conn.execute(text(statement), {"n": documents})
    print(f"seeded {documents:,} {what} in {time.perf_counter() - started:.1f} s")
