"""The learner's app, imported fresh from the workspace and served in-process (TestClient).

Its failures become feedback: a stub's NotImplementedError means "not attempted", any other
exception is reported as what it would be in production (a 500, or a service that never starts).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from launchpad.checks import Incorrect, NotAttempted, expect
from launchpad.questions.m02._validation import explain
from launchpad.workspace import import_fresh


def client(app: Any):
    """A TestClient that has not run the app's lifespan (no `with`)."""
    from fastapi.testclient import TestClient

    return TestClient(app)


def call(client: Any, method: str, path: str, **kwargs: Any):
    """One request; an exception in the learner's endpoint becomes feedback (it would be a
    500 in production; a validation error is explained, not dumped), and a stub's
    NotImplementedError means 'not attempted'."""
    try:
        return client.request(method, path, **kwargs)
    except NotImplementedError as error:
        raise NotAttempted(
            f"{method} {path} reached code that still raises NotImplementedError."
        ) from error
    except Exception as error:
        what = explain(error, client.app, method, path) or error
        raise Incorrect(
            f"{method} {path} raised {type(error).__name__}: {what}. In production that is a 500."
        ) from error


def main_with_fake_model(record: dict) -> ModuleType:
    """The learner's app with `load_model` swapped, *before* api.main is imported, for a fast
    fake that records its calls (so loading at import time is seen, too)."""
    import asyncio

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
def started(app: Any) -> Iterator[Any]:
    """A TestClient with the app's lifespan running; a stub that raises NotImplementedError in
    the lifespan means 'not attempted', any other start-up failure is reported."""
    running = client(app)
    try:
        running.__enter__()
    except NotImplementedError as error:
        raise NotAttempted(
            "The lifespan in api/main.py still raises NotImplementedError."
        ) from error
    except Exception as error:
        raise Incorrect(f"The app failed to start: {type(error).__name__}: {error}") from error
    try:
        yield running
    finally:
        running.__exit__(None, None, None)
