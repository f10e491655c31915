"""Schemathesis fuzzes the live app from its served OpenAPI document: no 5xx, nothing that breaks the spec.

The CLI runs against a real HTTP server (the pytest plugin of schemathesis 4 does not load under pytest 9).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_key, make_user

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.mark.slow
@pytest.mark.env(DOCLOOP_API_RATE_LIMIT="100000/minute")
def test_api_answers_within_its_spec(live_server, runtime, tmp_path):  # type: ignore[no-untyped-def]
    make_user(runtime, "fuzz@example.com")
    key = make_key(runtime)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        "12",
        "--seed",
        "1",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--header",
        f"Authorization: Bearer {key}",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
        "--suppress-health-check",
        "all",
        "--no-shrink",
        "--warnings",
        "off",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
