"""The service as a real process: `python -m sentiment_api` under uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from launchpad.loadtest import running_service


@pytest.fixture
def service(course_model_dir):
    with running_service(
        logs=True, model_dir=course_model_dir, shutdown_timeout_s=30, log_level="info"
    ) as running:
        yield running.process, running.base


def test_process_serves_predictions_and_logs_json(service):
    process, base = service
    reply = httpx.post(
        f"{base}/predict", json={"text": "Brilliant."}, headers={"X-Request-ID": "proc-1"}
    )
    assert reply.status_code == 200 and reply.json()["predictions"][0]["label"] == "POSITIVE"
    bad = httpx.post(
        f"{base}/predict", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_json")

    timings = []
    with httpx.Client(base_url=base) as client:  # keep-alive, as a real client would
        for _ in range(50):
            start = time.perf_counter()
            client.post("/predict", json={"text": "Short and sweet."})
            timings.append((time.perf_counter() - start) * 1000)
    print(f"\np50 latency of /predict for one short text: {statistics.median(timings):.1f} ms")

    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(lines) == len(out.splitlines()), "every stdout line should be one JSON object"
    assert any(e.get("request_id") == "proc-1" and e["message"] == "request" for e in lines)


def test_sigterm_lets_in_flight_requests_finish(service):
    process, base = service
    texts = ["An honest, slow-burning drama that rewards patience. " * 12] * 32

    def call(_):
        return httpx.post(f"{base}/predict", json={"texts": texts}, timeout=120)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(call, i) for i in range(8)]
        time.sleep(0.5)  # all eight are in flight: one computing, the others queued
        process.send_signal(signal.SIGTERM)
        replies = [f.result() for f in futures]
    assert [r.status_code for r in replies] == [200] * 8
    assert all(len(r.json()["predictions"]) == 32 for r in replies)
    assert process.wait(timeout=60) == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/healthz", timeout=2)


def test_invalid_configuration_exits_with_a_clear_message():
    env = {**os.environ, "PORT": "seventy"}
    run = subprocess.run(
        [sys.executable, "-m", "sentiment_api"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "Invalid configuration" in run.stderr and "port" in run.stderr


def test_a_service_whose_model_fails_is_reported_at_once(tmp_path):
    """Readiness that says "failed" ends the wait with its reason, instead of the full timeout
    (a lesson that started the service without a model used to sit for two minutes)."""
    from launchpad.net import NotReady

    started = time.monotonic()
    with (
        pytest.raises(NotReady, match="says it failed: .*not a model folder"),
        running_service(timeout=120, model_dir=tmp_path),
    ):
        pass
    assert time.monotonic() - started < 60
