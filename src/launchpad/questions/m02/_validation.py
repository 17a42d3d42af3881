"""A validation error from the learner's endpoint, said in one sentence: what the model
expected and what came back, instead of pydantic's dump of error dicts."""

from __future__ import annotations

from typing import Any

LONGEST_VALUE = 120  # characters of a returned value quoted in a message


def explain(error: Exception, app: Any, method: str, path: str) -> str | None:
    """The sentence for a ResponseValidationError (the return value broke the response model)
    or a pydantic ValidationError (the endpoint built a model with a bad value); None for any
    other error, or when the error is not shaped as expected (the raw text is shown then)."""
    from fastapi.exceptions import ResponseValidationError
    from pydantic import ValidationError

    try:
        if isinstance(error, ResponseValidationError):
            return _response(error.errors(), error.body, _response_model(app, method, path))
        if isinstance(error, ValidationError):
            missing, wrong = _fields(error.errors(), skip=0, quote=True)
            problems = [f"{field} is missing" for field in missing] + wrong
            return f"{error.title}(...) refused its values: {'; '.join(problems)}"
    except Exception:  # an explanation must never hide the error it explains
        return None
    return None


def _response(errors: list[dict], body: Any, model: Any) -> str:
    fields = list(getattr(model, "model_fields", {}))
    expects = f"one object with {' and '.join(fields)}" if fields else "one object"
    named = f"its response model, {model.__name__}," if model is not None else "its response model"
    if any(len(e["loc"]) <= 1 for e in errors):  # the whole value is of the wrong kind
        came_back = f"{_a(type(body).__name__)}: {_short(body)}"
    else:
        missing, wrong = _fields(errors, skip=1, quote=False)
        clauses = [f"with no {' and no '.join(missing)}"] if missing else []
        clauses += [f"where {' and '.join(wrong)}"] if wrong else []
        came_back = f"{_short(body)}, {', '.join(clauses)}"
    return f"{named} expects {expects}, but the endpoint returned {came_back}"


def _fields(errors: list[dict], skip: int, quote: bool) -> tuple[list[str], list[str]]:
    """The missing fields, and the broken ones as 'score should be ...' (with the value if
    `quote`: a message that does not show the whole value says what it was)."""
    missing, wrong = [], []
    for e in errors:
        field = ".".join(str(part) for part in e["loc"][skip:])
        if e["type"] == "missing":
            missing.append(field)
            continue
        message = e["msg"]
        rule = message[len("Input ") :] if message.startswith("Input should") else message
        value = f" (it is {_short(e.get('input'))})" if quote else ""
        wrong.append(f"{field} {rule}{value}")
    return missing, wrong


def _response_model(app: Any, method: str, path: str) -> Any:
    for route in getattr(app, "routes", []):
        if getattr(route, "path", None) == path and method in getattr(route, "methods", ()):
            return getattr(route, "response_model", None)
    return None


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE] + "…"
