"""MODEL_URI errors: each fails readiness with a message that says what to fix. Serving a
registered model for real is in tests/lifecycle/test_lifecycle.py."""

from __future__ import annotations

import pytest

from sentiment_api.settings import Settings


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("launchpad-sentiment@champion", "not a registry URI"),
        ("models:/launchpad-sentiment", "not a registry URI"),
        ("models:/launchpad-sentiment@champion", "could not be resolved in the registry"),
        ("models:/launchpad-sentiment/3", "could not be resolved in the registry"),
    ],
)
def test_a_bad_or_unknown_model_uri_fails_readiness_clearly(
    tmp_path, monkeypatch, failure_detail, uri, expected
):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty.db'}")
    detail = failure_detail(Settings(model_uri=uri))
    assert expected in detail and uri in detail


def test_model_dir_and_model_uri_together_are_refused(tmp_path, failure_detail):
    settings = Settings(model_dir=tmp_path, model_uri="models:/launchpad-sentiment@champion")
    assert failure_detail(settings) == "Set MODEL_DIR or MODEL_URI, not both."
