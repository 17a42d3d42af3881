"""`/metrics`: the service's Prometheus metrics count exactly the traffic it served.

The exposition is read back with prometheus_client's own parser, as a scraper would."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sentiment_api import create_app
from sentiment_api.predictions import MANIFEST_FILE
from sentiment_api.settings import Settings


@pytest.fixture
def fresh(course_model_dir, wait_ready):
    """An app of its own, so its counters start at zero."""
    with TestClient(create_app(Settings(model_dir=course_model_dir))) as client:
        wait_ready(client)
        yield client


def scrape(client) -> dict[tuple[str, tuple], float]:
    reply = client.get("/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def test_metrics_count_the_traffic_that_was_served(fresh, course_model_dir):
    texts = ["A wonderful film.", "Dreadful and dull.", "Loved every minute."]
    labels = []
    for text in texts:
        labels += [
            p["label"] for p in fresh.post("/predict", json={"text": text}).json()["predictions"]
        ]
    batch = fresh.post("/predict", json={"texts": texts}).json()["predictions"]
    labels += [p["label"] for p in batch]
    fresh.post("/predict", json={"txt": "typo"})  # 422 validation_error
    fresh.get("/no/such/route/1")
    fresh.get("/no/such/route/2")  # 404s, under one route label

    m = scrape(fresh)
    predict_200 = (("method", "POST"), ("route", "/predict"), ("status", "200"))
    assert m["http_request_duration_seconds_count", predict_200] == 4
    assert m["http_request_duration_seconds_count", predict_200[:2] + (("status", "422"),)] == 1
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert m["http_request_duration_seconds_count", unmatched] == 2
    assert m["http_errors_total", (("kind", "validation_error"),)] == 1
    assert m["http_errors_total", (("kind", "not_found"),)] == 2
    for label in ("POSITIVE", "NEGATIVE"):
        assert m["model_predictions_total", (("label", label),)] == labels.count(label)
    assert m["model_batch_texts_sum", ()] == len(labels) == 6  # the warm-up is not traffic
    assert m["model_input_length_chars_count", ()] == 6
    assert m["model_input_length_chars_sum", ()] == 2 * sum(len(t) for t in texts)
    assert m["model_inference_duration_seconds_count", ()] >= 1
    manifest = json.loads((course_model_dir / MANIFEST_FILE).read_text())
    [info] = [dict(labels) for name, labels in m if name == "model_info"]
    assert info == {"name": manifest["name"], "version": manifest["version"], "runtime": "torch"}
    assert m["batcher_queue_requests", ()] == 0


def test_metrics_are_not_in_the_api_schema(fresh):
    assert "/metrics" not in fresh.get("/openapi.json").json()["paths"]
