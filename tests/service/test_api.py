"""The reference service through FastAPI's TestClient: real model, real requests."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from fastapi.testclient import TestClient

from sentiment_api import create_app
from sentiment_api.inference import SentimentModel
from sentiment_api.predictions import MANIFEST_FILE
from sentiment_api.settings import Settings


def test_one_text_gets_a_label_a_score_and_the_model_identity(client, course_model_dir):
    reply = client.post("/predict", json={"text": "A warm, funny and clever film."})
    assert reply.status_code == 200
    body = reply.json()
    manifest = json.loads((course_model_dir / MANIFEST_FILE).read_text())
    assert body["model"] == {"name": manifest["name"], "version": manifest["version"]}
    [prediction] = body["predictions"]
    assert prediction["label"] == "POSITIVE" and 0.5 < prediction["score"] <= 1


def test_a_batch_keeps_its_order_and_matches_single_calls(client):
    texts = ["Dreadful.", "Wonderful!", "I want my money back.", "A triumph."]
    batch = client.post("/predict", json={"texts": texts}).json()["predictions"]
    singles = [client.post("/predict", json={"text": t}).json()["predictions"][0] for t in texts]
    assert [p["label"] for p in batch] == ["NEGATIVE", "POSITIVE", "NEGATIVE", "POSITIVE"]
    for b, s in zip(batch, singles, strict=True):
        assert b["label"] == s["label"] and b["score"] == pytest.approx(s["score"], abs=1e-4)


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    assert client.get("/readyz").json() == {"status": "ready", "detail": None}


def test_readiness_waits_for_the_model_and_predict_says_retry(course_model_dir, wait_ready):
    release = threading.Event()

    def slow_loader(settings):
        release.wait(30)
        return SentimentModel(course_model_dir)

    with TestClient(create_app(Settings(), load_model=slow_loader)) as client:
        assert client.get("/healthz").status_code == 200  # alive while loading
        loading = client.get("/readyz")
        assert (loading.status_code, loading.json()["status"]) == (503, "loading")
        early = client.post("/predict", json={"text": "Too early?"})
        assert early.status_code == 503 and early.headers["retry-after"] == "5"
        assert early.json()["error"]["code"] == "not_ready"
        release.set()
        wait_ready(client)
        assert client.post("/predict", json={"text": "Now?"}).status_code == 200


def test_a_model_that_cannot_load_fails_health_and_readiness(tmp_path):
    with TestClient(create_app(Settings(model_dir=tmp_path))) as client:
        for _ in range(200):
            if client.get("/readyz").json()["status"] == "failed":
                break
            threading.Event().wait(0.02)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "no config.json" in ready.json()["detail"]
        assert client.get("/healthz").status_code == 503
        assert client.post("/predict", json={"text": "hi"}).json()["error"]["code"] == "not_ready"


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_without_model_dir_readiness_fails_and_says_set_model_dir(
    monkeypatch, failure_detail, backend
):
    for name in ("MODEL_DIR", "MODEL_URI"):
        monkeypatch.delenv(name, raising=False)
    detail = failure_detail(Settings(backend=backend))
    assert detail.startswith("MODEL_DIR is not set: set it to the folder of the model to serve")


def test_request_id_is_echoed_or_created(client):
    given = client.post("/predict", json={"text": "ok"}, headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x"\n{"level":"error"}'})
    assert hostile.headers["x-request-id"] != 'x"\n{"level":"error"}'
    error = client.post("/predict", json={}, headers={"X-Request-ID": "err-1"})
    assert error.json()["request_id"] == "err-1"


def test_logs_are_json_lines_with_the_request_id(client, capsys):
    from logging.config import dictConfig

    from sentiment_api.logs import log_config

    dictConfig(log_config("info"))
    try:
        client.post("/predict", json={"text": "logged"}, headers={"X-Request-ID": "log-42"})
    finally:
        logging.getLogger("sentiment_api").handlers.clear()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    access = [e for e in lines if e.get("request_id") == "log-42"]
    assert access and access[-1]["message"] == "request"
    assert access[-1]["status"] == 200 and access[-1]["path"] == "/predict"
    assert access[-1]["duration_ms"] > 0


def test_openapi_documents_the_limits_and_the_error_shape(client, settings):
    spec = client.get("/openapi.json").json()
    request = spec["components"]["schemas"]["PredictRequest"]["properties"]
    assert request["text"]["maxLength"] == settings.max_text_chars
    assert request["texts"]["maxItems"] == settings.max_batch_size
    responses = spec["paths"]["/predict"]["post"]["responses"]
    for code in ("400", "413", "415", "422", "503"):
        assert responses[code]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorResponse"
        )
    assert client.get("/docs").status_code == 200


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("MAX_BATCH_SIZE", "4")
    settings = Settings()
    assert (settings.port, settings.max_batch_size) == (9123, 4)
    monkeypatch.setenv("PORT", "not-a-port")
    with pytest.raises(ValueError, match="port"):
        Settings()
