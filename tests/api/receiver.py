"""A real HTTP receiver for webhooks: verifies Standard Webhooks signatures, dedupes on webhook-id,
and fails a chosen share of requests at random (seeded) to exercise retries."""

from __future__ import annotations

import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


class Receiver:
    """Listens on 127.0.0.1:<port>; `processed` holds each webhook-id once, `requests` counts arrivals."""

    def __init__(self, failure_rate: float = 0.0, seed: int = 7) -> None:
        self.failure_rate = failure_rate
        self.random = random.Random(seed)
        self.secret: str | None = None
        self.processed: dict[str, dict] = {}
        self.requests = 0
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # answer in one write with a length: no Nagle/delayed-ACK stall

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    receiver.requests += 1
                    fail = receiver.random.random() < receiver.failure_rate
                if fail:
                    self._answer(500)
                    return
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except Exception:  # a bad signature is counted and refused, as a real receiver would
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self._answer(400)
                    return
                with receiver.lock:
                    receiver.processed.setdefault(self.headers["webhook-id"], payload)  # dedupe
                self._answer(204)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(5)
