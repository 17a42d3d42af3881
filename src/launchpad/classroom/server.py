"""The classroom's web app: learners join and send events, the instructor watches the board.

    POST /api/join          {"code", "name"}             -> {"learner", "secret", "name"}
    POST /api/events        X-Join-Code; {"secret", "events": [...]} -> {"accepted", "duplicates"}
    GET  /api/health                                      -> {"ok": true}
    GET  /?token=T          the instructor's page (polls /api/board)
    GET  /api/board?token=T the board as JSON;  GET /export.csv?token=T  the board as CSV

Safe by default: it listens where the instructor says (127.0.0.1 unless told otherwise), takes
events only with the join code and a joined learner's secret, limits sizes and rates (per
learner: one client's flood gets 429s while the others go on), and the page shows every
learner-supplied string as text, never as HTML, under a strict Content-Security-Policy.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from launchpad.classroom import board as boards
from launchpad.classroom.events import MAX_BODY, MAX_EVENTS, clean_name, problem
from launchpad.classroom.page import PAGE_CSS, PAGE_HTML, PAGE_JS
from launchpad.classroom.store import RoomStore

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass
class Bucket:
    tokens: float
    stamp: float


class RateLimit:
    """A token bucket per key (a learner, or an address for joins), in bounded memory."""

    def __init__(self, per_second: float, burst: int, keys: int = 10_000):
        self.per_second, self.burst, self.keys = per_second, burst, keys
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.pop(key, None) or Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.per_second)
            bucket.stamp = now
            self._buckets[key] = bucket
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True


def _refuse(status: int, why: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": why}, status_code=status, headers=headers)


async def _json_body(request: Request) -> dict | JSONResponse:
    """The request's JSON object, read no further than MAX_BODY bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return _refuse(413, f"a request carries at most {MAX_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _refuse(413, f"a request carries at most {MAX_BODY} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "the body is not JSON")
    return data if isinstance(data, dict) else _refuse(400, "the body is a JSON object")


def create_app(
    store: RoomStore,
    questions: list[tuple[str, str]],
    agenda: dict[str, int],
    events_per_second: float = 2.0,
    burst: int = 20,
) -> FastAPI:
    """`questions`: (module, "qN") in course order; `agenda`: minutes per module."""
    app = FastAPI(title="MLOps Launchpad classroom", docs_url=None, redoc_url=None)
    known = set(questions)
    per_learner = RateLimit(events_per_second, burst)
    # Joins per address: a whole room may come from one address (a school's NAT).
    per_address = RateLimit(2.0, 100)

    def instructor(request: Request) -> bool:
        token = request.query_params.get("token", "")
        return secrets.compare_digest(token.encode(), store.instructor_token.encode())

    def code_ok(code: object) -> bool:
        return isinstance(code, str) and secrets.compare_digest(
            code.strip().upper().encode(), store.join_code.encode()
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/api/health")
    def health() -> dict:
        return {"ok": True}

    @app.post("/api/join")
    async def join(request: Request):
        address = request.client.host if request.client else "?"
        if not per_address.allow(address):
            return _refuse(
                429, "too many joins from this address; wait a minute", **{"Retry-After": "60"}
            )
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        if not code_ok(data.get("code")):
            return _refuse(403, "that join code is not this classroom's")
        name = clean_name(data.get("name"))
        if name is None:
            return _refuse(422, "a name is one line of 1 to 40 printable characters")
        learner, secret = store.join(name)
        return {"learner": learner, "secret": secret, "name": name}

    @app.post("/api/events")
    async def events(request: Request):
        if not code_ok(request.headers.get("x-join-code")):
            return _refuse(403, "that join code is not this classroom's")
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        secret = data.get("secret")
        learner = store.learner_for(secret) if isinstance(secret, str) and secret else None
        if learner is None:
            return _refuse(403, "unknown learner: run `launchpad join` again")
        if not per_learner.allow(learner):
            return _refuse(
                429, "too many requests; the queue is kept and sent later", **{"Retry-After": "5"}
            )
        batch = data.get("events")
        if not isinstance(batch, list) or not batch:
            return _refuse(422, "`events` is a non-empty list")
        if len(batch) > MAX_EVENTS:
            return _refuse(413, f"at most {MAX_EVENTS} events per request")
        for index, event in enumerate(batch):
            why = problem(event) or (
                None if (event["module"], event["question"]) in known else "no such question"
            )
            if why:
                return _refuse(422, f"event {index}: {why}")
        accepted, duplicates = store.add_events(learner, batch)
        return {"accepted": accepted, "duplicates": duplicates}

    def current() -> tuple[boards.Board, list]:
        events = store.events()
        return boards.build(questions, store.learners(), events), events

    @app.get("/api/board")
    def board(request: Request):
        if not instructor(request):
            return _refuse(
                403, "the board is for the instructor (the token `make classroom` printed)"
            )
        current_board, events = current()
        return current_board.to_json(agenda, boards.module_minutes(events))

    @app.get("/export.csv")
    def export(request: Request):
        if not instructor(request):
            return _refuse(403, "the export is for the instructor")
        return PlainTextResponse(
            boards.to_csv(current()[0]),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="classroom.csv"'},
        )

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request):
        if not instructor(request):
            return HTMLResponse(
                "<p>This page is for the instructor: open the address `make classroom` printed."
                "</p>",
                status_code=403,
            )
        return HTMLResponse(PAGE_HTML)

    @app.get("/room.js")
    def script() -> Response:
        return Response(PAGE_JS, media_type="text/javascript")

    @app.get("/room.css")
    def style() -> Response:
        return Response(PAGE_CSS, media_type="text/css")

    return app


def course_questions() -> list[tuple[str, str]]:
    from launchpad.questions import questions_by_module

    return [(m, f"q{q.number}") for m, qs in questions_by_module().items() for q in qs]


def course_agenda() -> dict[str, int]:
    """Minutes the agenda gives each module's exercise (what the checks can see)."""
    from launchpad.course import load

    return {m.number: m.minutes.exercise for m in load().modules}


def addresses(host: str, port: int) -> list[str]:
    """The addresses learners can use: the one given, or this machine's if it listens on all."""
    if host not in ("0.0.0.0", "::"):
        return [f"http://{host}:{port}"]
    import socket

    found = {
        info[4][0]
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        if not info[4][0].startswith("127.")
    }
    return [f"http://{ip}:{port}" for ip in sorted(found)] or [f"http://<this machine>:{port}"]


def serve(host: str, port: int, database) -> None:
    import uvicorn

    store = RoomStore(database)
    app = create_app(store, course_questions(), course_agenda())
    joins = addresses(host, port)
    print(f"Classroom open, its room kept in {database} (a restart keeps everything).")
    print(f"Join code: {store.join_code}")
    print("Learners join with (from their course folder):")
    for address in joins:
        print(f"    make join ADDRESS={address} CODE={store.join_code} NAME='Their Name'")
    page = f"{joins[0]}/?token={store.instructor_token}"
    print(f"Instructor's page (keep the token to yourself): {page}")
    if host in ("127.0.0.1", "localhost", "::1"):
        print(
            "It listens on this machine only: `make classroom HOST=0.0.0.0` opens it to the room."
        )
    sys.stdout.flush()  # before the server takes over: the terminal may be a pipe
    uvicorn.run(app, host=host, port=port, log_level="warning")
