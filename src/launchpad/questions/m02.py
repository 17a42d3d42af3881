"""Module 02 — Wrap it in an API. The learner's service lives in `workspace/api/`."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from contextlib import contextmanager

from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.paths import workspace_dir
from launchpad.workspace import import_fresh, mutated_workspace

POSITIVE_TEXT = "I loved every minute of this film."
NEGATIVE_TEXT = "A dull, lifeless mess."


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def _call(client, method: str, path: str, **kwargs):
    """One request; an exception in the learner's endpoint becomes feedback (it would be a
    500 in production), and a stub's NotImplementedError means 'not attempted'."""
    try:
        return client.request(method, path, **kwargs)
    except NotImplementedError as error:
        raise NotAttempted(
            f"{method} {path} reached code that still raises NotImplementedError."
        ) from error
    except Exception as error:
        raise Incorrect(
            f"{method} {path} raised {type(error).__name__}: {error}. In production that is a 500."
        ) from error


def _main_with_fake_model(record: dict):
    """The learner's app with `load_model` swapped, *before* api.main is imported, for a fast
    fake that records its calls (so loading at import time is seen, too)."""
    model = import_fresh("api.model")

    def fake_model(texts, **kwargs):
        try:
            asyncio.get_running_loop()
            record["on_event_loop"] = True
        except RuntimeError:
            record["on_event_loop"] = False
        texts = [texts] if isinstance(texts, str) else texts  # as the real pipeline does
        return [{"label": "POSITIVE", "score": 0.875} for _ in texts]

    def fake_load_model():
        record["loads"] = record.get("loads", 0) + 1
        return fake_model

    model.load_model = fake_load_model
    main = import_fresh("api.main", purge=False)
    expect(
        getattr(main, "load_model", None) is fake_load_model,
        "api/main.py should use `load_model` from api.model (`from api.model import "
        "load_model`): the lifespan calls it.",
    )
    return main


@contextmanager
def _started(app):
    """A TestClient with the app's lifespan running; a stub that raises NotImplementedError in
    the lifespan means 'not attempted', any other start-up failure is reported."""
    client = _client(app)
    try:
        client.__enter__()
    except NotImplementedError as error:
        raise NotAttempted(
            "The lifespan in api/main.py still raises NotImplementedError."
        ) from error
    except Exception as error:
        raise Incorrect(f"The app failed to start: {type(error).__name__}: {error}") from error
    try:
        yield client
    finally:
        client.__exit__(None, None, None)


# Appended to a copy of api/main.py for q6: the lifespan then loads a model that is always wrong.
BROKEN_MODEL = """

def load_model():
    def always_negative(texts, **kwargs):
        texts = [texts] if isinstance(texts, str) else texts
        return [{"label": "NEGATIVE", "score": 0.99} for _ in texts]

    return always_negative
"""


def _pytest(workspace) -> subprocess.CompletedProcess:
    """`python -m pytest` in the workspace, exactly as the learner runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=workspace,
    )


def _summary(run: subprocess.CompletedProcess) -> str:
    last_line = (run.stdout.strip().splitlines() or ["no output"])[-1]
    return re.sub(r"\s+in [\d.]+s.*$", "", last_line.strip("= "))


@question(
    "02",
    1,
    hints=[
        "Annotate the field: `text: str = Field(min_length=1, max_length=500)`.",
        "White space only: add a `@field_validator('text')` that raises ValueError when "
        "`not value.strip()`.",
    ],
    solution="""class PredictRequest(BaseModel):
    text: str = Field(min_length=1, max_length=500, examples=["What a great film!"])

    @field_validator("text")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must contain something other than white space")
        return value


class PredictResponse(BaseModel):
    label: str
    score: float = Field(ge=0, le=1)""",
)
def q1(answers: Answers):
    from pydantic import ValidationError

    schemas = import_fresh("api.schemas")
    for name in ("PredictRequest", "PredictResponse"):
        expect(hasattr(schemas, name), f"api/schemas.py should define `{name}`.")
    request = schemas.PredictRequest

    def rejects(value) -> bool:
        try:
            request(**value)
        except ValidationError:
            return True
        except NotImplementedError as error:
            raise NotAttempted(
                "A validator in api/schemas.py still raises NotImplementedError."
            ) from error
        return False

    expect(
        not rejects({"text": "Loved it."}),
        "PredictRequest(text='Loved it.') was refused: a normal sentence must pass.",
    )
    expect(rejects({}), "PredictRequest() without `text` was accepted: make `text` required.")
    expect(rejects({"text": ""}), "An empty text was accepted: add min_length=1.")
    expect(
        rejects({"text": " \n "}),
        "White space only was accepted: add a validator that refuses text whose .strip() is empty.",
    )
    expect(not rejects({"text": "a" * 500}), "500 characters were refused: the limit is 500.")
    expect(rejects({"text": "a" * 501}), "501 characters were accepted: add max_length=500.")
    response = schemas.PredictResponse(label="POSITIVE", score=0.5)
    expect(
        response.model_dump() == {"label": "POSITIVE", "score": 0.5},
        "PredictResponse should have exactly two fields: label and score.",
    )
    return "Your contract is explicit, and FastAPI will enforce it and document it."


@question(
    "02",
    2,
    hints=[
        "In the lifespan, before `yield`: `state['model'] = load_model()`.",
        "In readyz: if 'model' is not in state, return JSONResponse({'status': 'loading'}, "
        "status_code=503); otherwise {'status': 'ready'}.",
    ],
    solution="""# in lifespan(), before `yield`:
    state["model"] = load_model()

# in readyz():
    if "model" not in state:
        return JSONResponse({"status": "loading"}, status_code=503)
    return {"status": "ready"}""",
)
def q2(answers: Answers):
    record: dict = {}
    main = _main_with_fake_model(record)
    expect(
        record.get("loads", 0) == 0,
        "The model was loaded when api/main.py was imported: "
        "load it in the lifespan instead, so imports (and tests) stay fast.",
    )
    cold = _call(_client(main.app), "GET", "/readyz")  # no `with`: the lifespan has not run
    expect(
        cold.status_code == 503,
        f"/readyz answered {cold.status_code} before the model was "
        "loaded: it should answer 503 until the lifespan has loaded it.",
    )
    with _started(main.app) as client:
        replies = [_call(client, "GET", "/readyz") for _ in range(3)]
        health = _call(client, "GET", "/healthz")
    expect(
        replies[0].status_code == 200,
        f"/readyz answered {replies[0].status_code} after "
        "start-up: it should be 200 once the model is loaded.",
    )
    expect(
        replies[0].json() == {"status": "ready"},
        f"/readyz should answer {{'status': 'ready'}}, not {replies[0].json()}.",
    )
    expect(
        record.get("loads", 0) == 1,
        f"The model was loaded {record['loads']} times: load it once, in the lifespan.",
    )
    expect(health.status_code == 200, "/healthz should still answer 200.")
    return "Loaded once, ready when it says so: exactly what a load balancer needs to know."


@question(
    "02",
    3,
    hints=[
        "Call the model with a list: `[result] = model([request.text])`.",
        "Return PredictResponse(label=result['label'], score=result['score']).",
    ],
    solution="""@app.post("/predict", response_model=PredictResponse)
async def predict(request: PredictRequest):
    model = state["model"]
    [result] = await run_in_threadpool(model, [request.text])
    return PredictResponse(label=result["label"], score=result["score"])""",
)
def q3(answers: Answers):
    main = import_fresh("api.main")
    with _started(main.app) as client:
        replies = [
            _call(client, "POST", "/predict", json={"text": t})
            for t in (POSITIVE_TEXT, NEGATIVE_TEXT)
        ]
    for reply in replies:
        expect(
            reply.status_code == 200,
            f"POST /predict answered {reply.status_code}: {reply.text[:200]}",
        )
    bodies = [r.json() for r in replies]
    expect(
        all(set(b) >= {"label", "score"} for b in bodies),
        f"The answer should have label and score, got {bodies[0]}.",
    )
    expect(
        [b["label"] for b in bodies] == ["POSITIVE", "NEGATIVE"],
        f"Two obvious sentences were labelled {[b['label'] for b in bodies]}.",
    )
    expect(
        all(0.5 <= b["score"] <= 1 for b in bodies),
        "Scores should be the winning label's probability, between 0.5 and 1.",
    )
    return "A model behind HTTP: that is the heart of every model service."


@question(
    "02",
    4,
    hints=[
        "Register `@app.exception_handler(RequestValidationError)` and return a JSONResponse.",
        "Return {'error': {'code': 'validation_error', 'message': ...}} with status_code=422; "
        "str(exc.errors()[0]['msg']) makes a readable message.",
    ],
    solution="""@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError):
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return JSONResponse(
        status_code=422,
        content={"error": {"code": "validation_error", "message": f"{where}: {first['msg']}"}},
    )""",
)
def q4(answers: Answers):
    main = _main_with_fake_model({})
    bad = {
        "empty text": {"json": {"text": ""}},
        "white space only": {"json": {"text": "   "}},
        "a number": {"json": {"text": 5}},
        "no body": {},
        "broken JSON": {"content": b"{", "headers": {"Content-Type": "application/json"}},
    }
    with _started(main.app) as client:
        replies = {
            what: _call(client, "POST", "/predict", **kwargs) for what, kwargs in bad.items()
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


@question(
    "02",
    5,
    hints=[
        "A model call blocks the CPU. In an `async def` endpoint, `await "
        "run_in_threadpool(model, [request.text])` runs it in a worker thread.",
        "Or declare the endpoint with plain `def`: FastAPI then runs it in its thread pool.",
    ],
    solution="""[result] = await run_in_threadpool(model, [request.text])""",
)
def q5(answers: Answers):
    record: dict = {}
    main = _main_with_fake_model(record)
    with _started(main.app) as client:
        reply = _call(client, "POST", "/predict", json={"text": POSITIVE_TEXT})
    if "on_event_loop" not in record:
        raise NotAttempted("POST /predict did not call the model yet (question 3).")
    expect(reply.status_code == 200, f"POST /predict answered {reply.status_code}.")
    expect(
        not record["on_event_loop"],
        "The model ran on the event loop's thread: while it "
        "computes, the service cannot answer anything else, not even /healthz. Use `await "
        "run_in_threadpool(...)`, or a plain `def` endpoint.",
    )
    return "Health checks keep answering while the model computes."


@question(
    "02",
    6,
    hints=[
        "Each test makes a client with `with TestClient(app) as client:` (the `with` runs the "
        "lifespan, which loads the model).",
        "Test the happy path, a bad input (expect 422) and /readyz.",
    ],
    solution="""from fastapi.testclient import TestClient

from api.main import app


def test_predict_positive():
    with TestClient(app) as client:
        reply = client.post("/predict", json={"text": "What a wonderful film."})
    assert reply.status_code == 200
    assert reply.json()["label"] == "POSITIVE"


def test_empty_text_is_refused():
    with TestClient(app) as client:
        reply = client.post("/predict", json={"text": ""})
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "validation_error"


def test_ready_after_startup():
    with TestClient(app) as client:
        assert client.get("/readyz").json() == {"status": "ready"}""",
)
def q6(answers: Answers):
    workspace = workspace_dir()
    tests = workspace / "tests"
    if not any(tests.glob("test_*.py")):
        raise NotAttempted(
            "There are no tests/test_*.py files in your workspace yet: run the %%writefile cell."
        )
    run = _pytest(workspace)
    if run.returncode == 5:  # pytest: no tests collected
        raise NotAttempted("tests/test_api.py has no test functions yet.")
    if "NotImplementedError" in run.stdout:
        raise NotAttempted("Your tests, or the code they import, still raise NotImplementedError.")
    summary = _summary(run)
    passed = int(m[1]) if (m := re.search(r"(\d+) passed", summary)) else 0
    expect(
        run.returncode == 0,
        f"pytest reported: {summary}. Run `python -m pytest` in your workspace to see the details.",
    )
    expect(
        passed >= 3,
        f"{passed} test(s) passed: write at least three (a prediction, a bad input, readiness).",
    )
    # A safety net must catch something: run the tests against a broken copy of the app.
    with mutated_workspace("api/main.py", "", "", append=BROKEN_MODEL) as broken:
        caught = _pytest(broken).returncode != 0
    expect(
        caught,
        "Your tests still pass when the model answers NEGATIVE to everything: assert the label "
        "of an obviously positive text.",
    )
    return f"{passed} tests pass: your service has a safety net for everything that follows."


QUESTIONS = [q1, q2, q3, q4, q5, q6]
__all__ = ["____", "q1", "q2", "q3", "q4", "q5", "q6"]
