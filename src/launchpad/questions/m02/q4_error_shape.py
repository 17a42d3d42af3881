"""Every bad input gets 422 in one JSON error shape."""

from launchpad.checks import Answers, expect, question
from launchpad.questions.m02._app import call, main_with_fake_model, started


@question(
    files=["api/"],
    hints=[
        "Register `@app.exception_handler(RequestValidationError)` and return a JSONResponse.",
        "Return {'error': {'code': 'validation_error', 'message': ...}} with status_code=422; "
        "str(exc.errors()[0]['msg']) makes a readable message.",
    ],
)
def bad_input_gets_one_error_shape(answers: Answers):
    main = main_with_fake_model({})
    bad = {
        "empty text": {"json": {"text": ""}},
        "white space only": {"json": {"text": "   "}},
        "a number": {"json": {"text": 5}},
        "no body": {},
        "broken JSON": {"content": b"{", "headers": {"Content-Type": "application/json"}},
    }
    with started(main.app) as running:
        replies = {
            what: call(running, "POST", "/predict", **kwargs) for what, kwargs in bad.items()
        }
    for what, reply in replies.items():
        expect(
            400 <= reply.status_code < 500,
            f"Bad input ({what}) got {reply.status_code}: bad input must get a 4xx, never a 5xx.",
        )
        expect(reply.status_code == 422, _why_422(what, reply.status_code))
        body = reply.json()
        expect(
            isinstance(body, dict)
            and isinstance(body.get("error"), dict)
            and {"code", "message"} <= set(body["error"])
            and isinstance(body["error"]["message"], str),
            f"Bad input ({what}) got {body}: use one shape for every error, "
            "{'error': {'code': ..., 'message': '...'}}, the message a readable string.",
        )
    return "One error shape: clients (and your on-call self) will thank you."


def _why_422(what: str, status: int) -> str:
    if what == "broken JSON":
        reason = (
            "FastAPI answers broken JSON with 422 too (it is a RequestValidationError, like "
            "the others), and a client should see one status for every invalid request"
        )
    else:
        reason = (
            "the request could be read, but what it says fails validation, which is what 422 "
            "Unprocessable Content means; clients, and FastAPI's own docs, expect 422 for it"
        )
    return f"Bad input ({what}) got {status}, but the question asks for 422: {reason}."
