"""The chaos harness: upload documents concurrently while workers are killed, Redis is restarted and the
database is cut off, then account for every document, extraction, review task and webhook.

Used by tests/chaos (sized for CI) and benchmarks/chaos.py (longer). Workers are real `docloop worker`
processes, Redis is a private redis-server the harness can restart with its queue lost, the database is
whichever the caller points at.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rq.job import Job
from sqlalchemy import func, make_url, select
from werkzeug.serving import WSGIRequestHandler, make_server

from review_app.client import DocloopClient
from review_app.models import (
    Document,
    DocumentStatus,
    Extraction,
    ReviewTask,
    WebhookDelivery,
)
from review_app.queue import delivery_job_id, redis_connection
from review_app.runtime import Runtime
from tests.api.receiver import Receiver
from tests.chaos.proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_docs"
SETTLED = {DocumentStatus.REVIEW, DocumentStatus.COMPLETED, DocumentStatus.FAILED}


class _QuietHandler(WSGIRequestHandler):
    """No access log line per upload."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    """A private redis-server without persistence: a restart loses the whole queue, as a crash would."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait until it answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: whatever was queued is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()


class WorkerPool:
    """`docloop worker` processes, each in its own process group so a kill takes its work horse too."""

    def __init__(self, size: int, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.started = 0
        for _ in range(size):
            self.processes.append(self._spawn())

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.started += 1
        log = open(self.log_dir / f"worker-{self.started}.log", "wb")  # noqa: SIM115  (lives with the process)
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "review_app.cli",
                "worker",
                "--name",
                f"chaos-{os.getpid()}-{self.started}",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Kill one worker (and its work horse) and start a replacement, as a supervisor would."""
        process = self.processes[index]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.processes[index] = self._spawn()

    def crash(self, index: int) -> bool:
        """SIGKILL only the process running the jobs, as a segfault in a native decoder would: the worker's
        supervisor must start it again by itself. False if it had no such child at that moment."""
        supervisor = self.processes[index].pid
        try:
            children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
        except OSError:
            return False
        for pid in children:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"worker" in cmdline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
                return True
        return False

    def revive(self) -> int:
        """Restart workers that exited on their own (a worker may give up while Redis is away)."""
        revived = 0
        for index, process in enumerate(self.processes):
            if process.poll() is not None:
                self.processes[index] = self._spawn()
                revived += 1
        return revived

    def stop(self) -> None:
        """Warm shutdown of everyone."""
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@dataclass
class ChaosReport:
    """What was done to the system and what it ended with."""

    documents: int = 0
    uploaded: int = 0
    upload_errors: list[str] = field(default_factory=list)
    kills: int = 0
    crashes: int = 0
    warm_stops: int = 0
    database_outages: int = 0
    redis_restarts: int = 0
    revived: int = 0
    seconds_to_settle: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    deliveries: int = 0
    webhook_ids_received: int = 0
    webhook_requests: int = 0

    def summary(self) -> str:
        """One paragraph for a person."""
        return (
            f"{self.uploaded}/{self.documents} uploaded, {self.kills} SIGKILLs, {self.crashes} crashes "
            f"(supervisor restarts), {self.warm_stops} SIGTERMs, {self.database_outages} database outage(s), "
            f"{self.redis_restarts} Redis restart(s), settled in {self.seconds_to_settle:.1f} s; "
            f"statuses {self.statuses}; {self.deliveries} webhook deliveries, "
            f"{self.webhook_ids_received} ids received in {self.webhook_requests} requests; "
            f"{len(self.problems)} problem(s)"
        )


def document_bytes(index: int) -> tuple[bytes, str, str]:
    """Mostly text-layer invoices (fast), every tenth a scanned receipt (slow enough to be killed mid-OCR).
    Each document's bytes are unique so none is a duplicate of another."""
    from tests.helpers import invoice_pdf

    if index % 10 == 9:
        scans = sorted(SAMPLES.glob("receipt-*.jpg"))
        data = scans[index % len(scans)].read_bytes() + b"\xff\xd9" * (index + 1)  # trailing bytes: new sha
        return data, f"scan-{index}.jpg", "receipt"
    return invoice_pdf(number=f"INV-{index:05d}", total=f"{100 + index}.00"), f"inv-{index}.pdf", "invoice"


def run_chaos(
    runtime_factory,  # type: ignore[no-untyped-def]  # () -> Runtime, built after the env is set
    env: dict[str, str],
    workdir: Path,
    *,
    documents: int = 300,
    workers: int = 2,
    kills: int = 6,
    crashes: int = 2,
    seed: int = 11,
    settle_timeout: float = 300.0,
) -> ChaosReport:
    """Run the whole exercise and return its report (the caller asserts on `problems`)."""
    from review_app.app import create_app
    from tests.helpers import make_key

    rng = random.Random(seed)
    report = ChaosReport(documents=documents)
    redis = RedisProcess(free_port(), workdir / "redis")
    redis.start()
    env = {
        **env,
        "DOCLOOP_REDIS_URL": redis.url,
        "DOCLOOP_PROCESSING_LEASE_SECONDS": "8",
        "DOCLOOP_SWEEP_INTERVAL_SECONDS": "1",
        "DOCLOOP_SWEEP_GRACE_SECONDS": "3",
        "DOCLOOP_MAX_PROCESSING_ATTEMPTS": "20",
        "DOCLOOP_WEBHOOK_BACKOFF_SECONDS": "0.5",
        "DOCLOOP_WEBHOOK_BACKOFF_MAX_SECONDS": "2",
        "DOCLOOP_WEBHOOK_MAX_ATTEMPTS": "50",
        "DOCLOOP_WEBHOOK_TIMEOUT_SECONDS": "2",
        "DOCLOOP_WEBHOOK_ALLOWLIST": "127.0.0.1",
        "DOCLOOP_API_RATE_LIMIT": "100000/minute",
    }
    os.environ.update(env)
    # On PostgreSQL the workers (and their sweepers) reach the database through a proxy the harness cuts
    # once for a few seconds; the web app keeps its direct connection, so uploads go on meanwhile.
    proxy = None
    worker_env = dict(env)
    database = make_url(env["DOCLOOP_DATABASE_URL"])
    if database.get_backend_name() == "postgresql":
        proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
        proxy.restore()
        worker_env["DOCLOOP_DATABASE_URL"] = database.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
    runtime: Runtime = runtime_factory()
    app = create_app(runtime.settings)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    client = DocloopClient(base_url, make_key(runtime), retries=8)
    receiver = Receiver(failure_rate=0.1, seed=seed)
    pool: WorkerPool | None = None
    try:
        with receiver:
            receiver.secret = client.subscribe(receiver.url)["secret"]
            (workdir / "logs").mkdir(parents=True, exist_ok=True)
            pool = WorkerPool(workers, {**os.environ, **worker_env}, workdir / "logs")
            uploads_done = threading.Event()

            def upload(index: int) -> None:
                data, name, doc_type = document_bytes(index)
                try:
                    client.upload(data, doc_type, filename=name, external_id=f"chaos-{index}")
                except Exception as e:  # recorded: an upload refused under chaos is a problem
                    report.upload_errors.append(f"{index}: {e}")

            def uploader() -> None:
                with ThreadPoolExecutor(8) as executor:
                    list(executor.map(upload, range(documents)))
                uploads_done.set()

            threading.Thread(target=uploader, daemon=True).start()
            _wait_for_progress(runtime, 10, settle_timeout)
            # Faults while the uploads and the processing run: SIGKILLs of whole workers at random moments,
            # crashes of the job-running process alone, one warm stop, one Redis restart. Workers take
            # about two seconds to start, so the faults are spaced for each to hit a busy worker.
            events = (
                ["kill"] * kills + ["crash"] * crashes + ["term", "redis"] + (["database"] if proxy else [])
            )
            rng.shuffle(events)
            for event in events:
                time.sleep(rng.uniform(2.0, 4.0))
                index = rng.randrange(len(pool.processes))
                if event == "kill":
                    pool.kill(index)
                    report.kills += 1
                elif event == "database":
                    proxy.cut()  # type: ignore[union-attr]
                    time.sleep(3.0)
                    proxy.restore()  # type: ignore[union-attr]
                    report.database_outages += 1
                elif event == "crash":
                    report.crashes += pool.crash(index)
                elif event == "term":
                    pool.kill(index, signal.SIGTERM)
                    report.warm_stops += 1
                else:
                    redis.kill()
                    time.sleep(1.0)
                    redis.start()
                    report.redis_restarts += 1
                report.revived += pool.revive()
            uploads_done.wait(settle_timeout)
            started = time.monotonic()
            while time.monotonic() - started < settle_timeout:
                report.revived += pool.revive()
                if _settled(runtime, documents):
                    break
                time.sleep(0.5)
            report.seconds_to_settle = time.monotonic() - started
            report.uploaded = documents - len(report.upload_errors)
            _account(runtime, receiver, report)
    finally:
        if pool is not None:
            pool.stop()
        server.shutdown()
        redis.kill()
        if proxy is not None:
            proxy.cut()
    return report


def _job_state(runtime: Runtime, job_id: str) -> str:
    try:
        return str(Job.fetch(job_id, connection=redis_connection(runtime.settings)).get_status())
    except Exception as e:  # reported, not raised: this only explains a problem already found
        return type(e).__name__


def _wait_for_progress(runtime: Runtime, documents: int, timeout: float) -> None:
    """Wait until the workers have settled a few documents (so the faults land on a working system)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with runtime.session() as session:
            done = session.scalar(
                select(func.count()).select_from(Document).where(Document.status.in_(SETTLED))
            )
        if done >= documents:
            return
        time.sleep(0.2)


def _settled(runtime: Runtime, documents: int) -> bool:
    with runtime.session() as session:
        settled = session.scalar(
            select(func.count()).select_from(Document).where(Document.status.in_(SETTLED))
        )
        pending = session.scalar(
            select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")
        )
    return settled == documents and pending == 0


def _account(runtime: Runtime, receiver: Receiver, report: ChaosReport) -> None:
    """Every document once, one extraction each, one review task per reviewed document, two webhooks each."""
    problems = report.problems
    problems.extend(f"upload failed: {e}" for e in report.upload_errors)
    with runtime.session() as session:
        documents = session.scalars(select(Document)).all()
        report.statuses = dict(Counter(str(d.status) for d in documents))
        external = Counter(d.external_id for d in documents)
        problems.extend(f"{e} stored {n} times" for e, n in external.items() if n > 1)
        if len(documents) != report.documents:
            problems.append(f"{len(documents)} documents stored, {report.documents} uploaded")
        problems.extend(
            f"document {d.id} ({d.external_id}) ended {d.status} {d.error_code or ''}"
            for d in documents
            if d.status not in SETTLED or d.status == DocumentStatus.FAILED
        )
        extractions = Counter(session.scalars(select(Extraction.document_id)).all())
        tasks = Counter(session.scalars(select(ReviewTask.document_id)).all())
        deliveries = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.document_id,
                WebhookDelivery.event_type,
                WebhookDelivery.status,
            )
        ).all()
    for d in documents:
        if extractions[d.id] != 1:
            problems.append(f"document {d.id} has {extractions[d.id]} extractions")
        wanted_tasks = 1 if d.status == DocumentStatus.REVIEW else 0
        if tasks[d.id] != wanted_tasks:
            problems.append(f"document {d.id} ({d.status}) has {tasks[d.id]} review tasks")
    per_event = Counter((row.document_id, row.event_type) for row in deliveries)
    problems.extend(f"{key} emitted {n} times" for key, n in per_event.items() if n > 1)
    per_document = Counter(row.document_id for row in deliveries)
    problems.extend(
        f"document {d.id} has {per_document[d.id]} webhook deliveries, wanted 2"
        for d in documents
        if per_document[d.id] != 2
    )
    with runtime.session() as session:
        for delivery in session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.status != "delivered").limit(20)
        ):
            problems.append(
                f"delivery {delivery.id} ended {delivery.status} after {delivery.attempts} attempt(s), "
                f"last error {delivery.last_error}, next at {delivery.next_attempt_at}, "
                f"lease until {delivery.lease_expires_at}, "
                f"job {_job_state(runtime, delivery_job_id(delivery.id, delivery.attempts + 1))}"
            )
    received = set(receiver.processed)
    missing = {row.id for row in deliveries} - received
    problems.extend(f"delivery {i} never received" for i in sorted(missing)[:20])
    if receiver.bad_signatures:
        problems.append(f"{receiver.bad_signatures} webhook(s) with a bad signature")
    report.deliveries = len(deliveries)
    report.webhook_ids_received = len(received)
    report.webhook_requests = receiver.requests
