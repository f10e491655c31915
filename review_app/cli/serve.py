"""`docloop run` (the whole system on embedded defaults), `docloop web`, `docloop worker`, `docloop sweep`."""

from __future__ import annotations

import ctypes
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import click

from review_app.cli.common import runtime
from review_app.cli.quickstart import ensure_admin_and_key, load_samples
from review_app.embedded_redis import EmbeddedRedis
from review_app.logcontext import configure_logging
from review_app.migrate import upgrade
from review_app.queue import embedded_redis_socket
from review_app.services.sweeper import sweep


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
def web_command(host: str, port: int, workers: int) -> None:
    """Serve the web app and API with gunicorn."""
    os.execvp(  # noqa: S606  (becomes gunicorn, with a fixed argument list)
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "review_app.wsgi:app",
        ],
    )


def _start_sweeper() -> subprocess.Popen[bytes]:
    """The sweeper runs in a process of its own, never as a thread of the worker: RQ forks a work horse
    per job, and a fork taken while a thread holds an SQLite lock leaves the child believing the lock is
    held by a connection it does not have, so it waits out the busy timeout."""
    return subprocess.Popen(
        [sys.executable, "-m", "review_app.cli", "sweep", "--forever", "--parent", str(os.getpid())]
    )


SUPERVISED = "DOCLOOP_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", default=None)
@click.option("--no-sweeper", is_flag=True, help="Do not start a sweeper process with this worker.")
def worker_command(burst: bool, name: str | None, no_sweeper: bool) -> None:
    """Run an RQ worker on docloop's queue (with a sweeper process that re-enqueues lost work)."""
    from workers.worker import (
        limit_memory,
        run_worker,
    )  # the CLI starts workers; review_app never imports them

    settings = runtime().settings
    if os.environ.get(SUPERVISED):
        # The supervised child: the memory limit covers this whole process (jobs run in it).
        _die_with(int(os.environ[SUPERVISED]))
        limit_memory(settings.worker_memory_limit_mb)
        run_worker(settings, burst=burst, name=name)
        return
    sweeper = None if burst or no_sweeper else _start_sweeper()
    try:
        if burst or settings.worker_isolation == "fork":
            run_worker(settings, burst=burst, name=name)
        else:
            _supervise(name or f"docloop-{socket.gethostname()}-{os.getpid()}")
    finally:
        if sweeper is not None:
            sweeper.terminate()
            sweeper.wait(10)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its supervisor dies (Linux), so no worker runs unsupervised."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the supervisor's SIGTERM is all there is
        return
    if os.getppid() != parent:  # the supervisor died before the request took effect
        sys.exit(1)


def _supervise(name: str) -> None:
    """Run the worker as a child and start it again if it dies; SIGTERM or Ctrl-C stop it warm."""
    stopping = threading.Event()
    child: subprocess.Popen[bytes] | None = None

    def _forward(_signum: int, _frame: object) -> None:
        stopping.set()
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)  # warm shutdown: the current job finishes first

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    for generation in itertools.count(1):
        # A dead worker's registration lingers in Redis for a while: each generation gets its own name.
        # In a session of its own, the child hears a stop only from us, once: RQ takes a second SIGTERM
        # (as a signal to the whole group would deliver) as an order to abandon the current job.
        child = subprocess.Popen(
            [sys.executable, "-m", "review_app.cli", "worker", "--name", f"{name}-{generation}"],
            env={**os.environ, SUPERVISED: str(os.getpid())},
            start_new_session=True,
        )
        child.wait()  # our handlers replace KeyboardInterrupt, and the wait resumes after them (PEP 475)
        if stopping.is_set() or child.returncode == 0:
            return
        click.echo(f"worker {name}-{generation} exited with {child.returncode}; starting it again", err=True)
        time.sleep(1)


@click.command("sweep")
@click.option("--forever", is_flag=True, help="Sweep every DOCLOOP_SWEEP_INTERVAL_SECONDS until stopped.")
@click.option("--parent", type=int, default=None, help="Also stop when this process is gone.")
def sweep_command(forever: bool, parent: int | None) -> None:
    """Run the sweeper: re-enqueue stuck documents and webhooks, expire review leases."""
    rt = runtime()
    if not forever:
        result = sweep(rt)
        click.echo(
            f"re-enqueued {result.requeued} document(s) and {result.webhooks_requeued} webhook(s), "
            f"expired {result.leases_expired} lease(s)"
        )
        return
    configure_logging()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while parent is None or os.getppid() == parent:
        try:
            sweep(rt)
        except Exception as e:  # keep sweeping: a database or Redis blip must not end the loop
            click.echo(f"sweeper: {e}", err=True)
        time.sleep(rt.settings.sweep_interval_seconds)


@click.command("run")
@click.option("--port", default=5000, show_default=True)
@click.option("--samples/--no-samples", default=True, show_default=True, help="Load sample_docs on start.")
def run_command(port: int, samples: bool) -> None:
    """Start everything on embedded defaults: database, Redis, a worker and the web app. Ctrl-C stops all."""
    rt = runtime()
    settings = rt.settings
    click.echo(f"data directory: {settings.data_dir}")
    upgrade(rt.database_url)
    redis_server = None
    env = dict(os.environ)
    env["DOCLOOP_DATA_DIR"] = str(settings.data_dir)
    if not settings.redis_url:
        redis_server = EmbeddedRedis(
            settings.data_dir / "redis", embedded_redis_socket(settings.data_dir)
        ).start()
        env["DOCLOOP_REDIS_URL"] = redis_server.url
        click.echo(f"embedded Redis on {redis_server.url}")
    children: list[subprocess.Popen[bytes]] = []
    try:
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "review_app.cli", "worker", "--name", f"docloop-run-{os.getpid()}"],
                env=env,
                start_new_session=True,
            )
        )
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "warning",
                    "review_app.wsgi:app",
                ],
                env=env,
                start_new_session=True,
            )
        )
        os.environ["DOCLOOP_REDIS_URL"] = env.get("DOCLOOP_REDIS_URL", "")
        credentials = ensure_admin_and_key(runtime())
        if samples:
            count = load_samples(runtime(), Path.cwd() / "sample_docs")
            click.echo(f"sample documents: {count} newly queued")
        click.echo(credentials)
        click.echo(f"\n  docloop is running on http://127.0.0.1:{port}  (Ctrl-C stops everything)\n")
        _wait(children)
    finally:
        _stop(children)
        if redis_server is not None:
            redis_server.stop()
        click.echo("stopped: web app, worker" + (", embedded Redis" if redis_server else ""))


def _wait(children: list[subprocess.Popen[bytes]]) -> None:
    stopping = threading.Event()

    def _on_signal(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    while not stopping.is_set():
        for child in children:
            if child.poll() is not None:
                click.echo(f"a child process exited with code {child.returncode}; stopping", err=True)
                return
        stopping.wait(0.5)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    # Children run in their own sessions, so Ctrl-C reaches only us and each child gets exactly one
    # SIGTERM: the RQ worker then finishes its current job (warm shutdown) and gunicorn drains requests.
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


COMMANDS = [run_command, web_command, worker_command, sweep_command]
