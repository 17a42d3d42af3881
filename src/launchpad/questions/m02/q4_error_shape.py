"""Every bad input gets a 4xx in one JSON error shape."""

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
