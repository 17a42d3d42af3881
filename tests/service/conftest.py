from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from sentiment_api import create_app
from sentiment_api.settings import Settings


def wait_ready(client: TestClient, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the service did not become ready"
        time.sleep(0.05)


def failure_detail(settings: Settings) -> str:
    """Why an app with `settings` fails readiness (it must fail, and fail health too)."""
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 30
        while (ready := client.get("/readyz").json())["status"] == "loading":
            assert time.monotonic() < deadline, "the model neither loaded nor failed"
            time.sleep(0.02)
        assert ready["status"] == "failed"
        assert client.get("/healthz").status_code == 503
        return ready["detail"]


@pytest.fixture(name="wait_ready", scope="session")
def wait_ready_fixture():
    return wait_ready


@pytest.fixture(name="failure_detail", scope="session")
def failure_detail_fixture():
    return failure_detail


@pytest.fixture(scope="session")
def settings(course_model_dir) -> Settings:
    return Settings(
        model_dir=course_model_dir, max_text_chars=200, max_batch_size=8, max_body_bytes=4096
    )


@pytest.fixture(scope="session")
def client(settings):
    """One app with the real course model for the whole session (loading takes a second)."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        wait_ready(test_client)
        yield test_client
