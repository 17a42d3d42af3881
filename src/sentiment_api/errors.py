"""Every error, whatever raised it, leaves as one JSON shape: `ErrorResponse`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sentiment_api.logs import request_id
from sentiment_api.metrics import error_kind
from sentiment_api.schemas import ErrorBody, ErrorDetail, ErrorResponse

log = logging.getLogger("sentiment_api")

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    503: "not_ready",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[ErrorDetail] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorBody(code=code, message=message, details=list(details)),
        request_id=request_id.get(),
    )
    if (box := error_kind.get()) is not None:  # counted by the middleware's metrics
        box["kind"] = code
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _field(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e["type"] == "missing" and tuple(e["loc"]) == ("body",) for e in errors):
        return error_response(
            400, "missing_body", 'The request needs a JSON body, e.g. {"text": "Loved it."}.'
        )
    if request.method == "POST" and "json" not in request.headers.get("content-type", ""):
        return error_response(
            415,
            "unsupported_media_type",
            "Send the body as JSON with 'Content-Type: application/json'.",
        )
    if any(e["type"] == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "The request body is not valid JSON.")
    details = [
        ErrorDetail(field=_field(e["loc"]), problem=e["msg"].removeprefix("Value error, "))
        for e in errors
    ]
    summary = "; ".join(f"{d.field}: {d.problem}" for d in details[:3])
    return error_response(422, "validation_error", f"The request is not valid: {summary}.", details)


async def on_http_error(request: Request, exc: HTTPException) -> JSONResponse:
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return error_response(500, "internal_error", "Something went wrong on our side; it is logged.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
