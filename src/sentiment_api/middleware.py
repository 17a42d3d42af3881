"""Pure ASGI middleware: request ids, a bounded request body, one access-log line per request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from sentiment_api.errors import error_response
from sentiment_api.logs import request_id
from sentiment_api.metrics import Metrics, error_kind

log = logging.getLogger("sentiment_api.access")
HEADER = b"x-request-id"
# A caller's id is echoed only if it is short and plain, so it cannot inject into logs.
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


class RequestContext:
    """Give every request an id (the caller's X-Request-ID or a new one), echo it, log it, and
    refuse bodies over `max_body_bytes` with 413 before the app reads them."""

    def __init__(self, app, max_body_bytes: int, metrics: Metrics | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    # --8<-- [start:request-id]
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        given = headers.get(HEADER, b"")
        rid = given.decode() if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        kind = {}
        kind_token = error_kind.set(kind)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, rid.encode())]
            await send(message)

        try:
            body = await self._read_bounded(headers, receive)
            if body is None:
                response = error_response(
                    413,
                    "body_too_large",
                    f"The request body is larger than {self.max_body_bytes} bytes.",
                )
                await response(scope, receive, send_with_id)
                return
            await self.app(scope, _replay(body, receive), send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                # The route's template (/predict), never the raw path: one series per route.
                route = getattr(scope.get("route"), "path", "unmatched")
                self.metrics.observe_request(
                    scope["method"], route, status, seconds, kind.get("kind")
                )
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            request_id.reset(token)
            error_kind.reset(kind_token)

    # --8<-- [end:request-id]

    async def _read_bounded(self, headers, receive) -> bytes | None:
        """The whole body, or None if it is (or claims to be) larger than the limit."""
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the client to disconnect

    return replayed
