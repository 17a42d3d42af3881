"""A stand-in for the sentiment service that records every request (question 6).

It answers /predict as the service does, validating the body with the service's own schema
(422 when it does not fit), and, like a service under overload, refuses every third request
of the first seconds with a 503 and `Retry-After`. No model: the question is about the
locustfile, and an answer in microseconds keeps the check short. 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from launchpad.net import free_port, wait_ready

REFUSE_EVERY = 3  # the 3rd, 6th, ... /predict request with a valid body ...
REFUSE_FOR_S = 2.0  # ... in this many seconds after the first one gets a 503


@dataclass
class Seen:
    method: str
    path: str
    content_type: str
    body: bytes
    status: int = 0
    problem: str = ""  # why the body was refused (422)
    texts: list[str] = field(default_factory=list)

    @property
    def predict(self) -> bool:
        return self.method == "POST" and self.path.split("?")[0] == "/predict"


@dataclass
class Recorder:
    base: str
    seen: list[Seen] = field(default_factory=list)
    started: float | None = None  # when the first /predict arrived
    valid: int = 0

    @property
    def refused(self) -> int:
        return sum(1 for s in self.seen if s.status == 503)

    def answer(self, seen: Seen) -> tuple[int, dict]:
        """The status and the JSON body the service would send."""
        if seen.path.split("?")[0] in ("/readyz", "/healthz"):
            return 200, {"status": "ok"}
        self.seen.append(seen)
        if not seen.predict:
            seen.status = 404
            return 404, _error("not_found", f"{seen.method} {seen.path} is not an endpoint")
        now = time.monotonic()
        self.started = self.started or now
        seen.status, body = self._predict(seen, now)
        return seen.status, body

    def _predict(self, seen: Seen, now: float) -> tuple[int, dict]:
        from pydantic import ValidationError

        try:
            request = _request_model().model_validate_json(seen.body)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            seen.problem = f"{where}: {first['msg']}"
            return 422, _error("validation_error", seen.problem)
        seen.texts = request.batch()
        self.valid += 1
        if self.valid % REFUSE_EVERY == 0 and now - self.started < REFUSE_FOR_S:
            return 503, _error("overloaded", "the queue is full: retry in a second")
        return 200, {
            "model": {"name": "stand-in", "version": "1"},
            "predictions": [
                {"label": "POSITIVE" if len(text) % 2 else "NEGATIVE", "score": 0.9}
                for text in seen.texts
            ],
        }


def _request_model():
    from sentiment_api.schemas import predict_request_model

    return predict_request_model(max_chars=1000, max_batch=32)


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "details": []}}


@contextmanager
def recording_service() -> Iterator[Recorder]:
    """The stand-in on a free port of 127.0.0.1, ready; stopped on exit."""
    port = free_port()
    recorder = Recorder(f"http://127.0.0.1:{port}")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the service

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command,
                self.path,
                self.headers.get("Content-Type", ""),
                self.rfile.read(length) if length else b"",
            )
            with lock:
                status, body = recorder.answer(seen)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if status == 503:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        def log_message(self, *args) -> None:  # quiet: the check reports what matters
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            pass  # a client that Locust stops mid-request: a broken pipe, nothing to report

    server = Server(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        wait_ready(recorder.base, timeout=10, interval=0.05)
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
