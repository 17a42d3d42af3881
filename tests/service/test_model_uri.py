"""MODEL_URI errors: each fails readiness with a message that says what to fix. Serving a
registered model for real is in tests/lifecycle/test_lifecycle.py."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from sentiment_api import create_app
from sentiment_api.settings import Settings


def failure_detail(settings: Settings) -> str:
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 30
        while (ready := client.get("/readyz").json())["status"] == "loading":
            assert time.monotonic() < deadline, "the model neither loaded nor failed"
            time.sleep(0.02)
        assert ready["status"] == "failed"
        assert client.get("/healthz").status_code == 503
        return ready["detail"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("launchpad-sentiment@champion", "not a registry URI"),
        ("models:/launchpad-sentiment", "not a registry URI"),
        ("models:/launchpad-sentiment@champion", "could not be resolved in the registry"),
        ("models:/launchpad-sentiment/3", "could not be resolved in the registry"),
    ],
)
def test_a_bad_or_unknown_model_uri_fails_readiness_clearly(tmp_path, monkeypatch, uri, expected):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty.db'}")
    detail = failure_detail(Settings(model_uri=uri))
    assert expected in detail and uri in detail


def test_model_dir_and_model_uri_together_are_refused(tmp_path):
    settings = Settings(model_dir=tmp_path, model_uri="models:/launchpad-sentiment@champion")
    assert failure_detail(settings) == "Set MODEL_DIR or MODEL_URI, not both."
