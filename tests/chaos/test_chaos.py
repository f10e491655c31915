"""Chaos sized for CI: 300 concurrent uploads, workers SIGKILLed at random at least five times, job-running
processes crashed under their supervisor, one warm stop, Redis restarted with its queue lost and, on
PostgreSQL, the database cut off from the workers for three seconds; every document, extraction, review
task and webhook once."""

from __future__ import annotations

import pytest

from review_app.runtime import get_runtime
from review_app.settings import load_settings
from tests.chaos.harness import run_chaos


@pytest.mark.timeout(600)
def test_nothing_lost_or_doubled_under_chaos(env, tmp_path):  # type: ignore[no-untyped-def]
    report = run_chaos(lambda: get_runtime(load_settings()), env, tmp_path / "chaos", documents=300, kills=6)
    print(report.summary())
    assert report.kills >= 5 and report.crashes >= 1 and report.redis_restarts == 1 and report.warm_stops == 1
    if "postgresql" in env["DOCLOOP_DATABASE_URL"]:
        assert report.database_outages == 1
    assert not report.problems, "\n".join(report.problems[:40])
    assert report.statuses.get("failed", 0) == 0
    assert report.deliveries == 2 * report.documents
