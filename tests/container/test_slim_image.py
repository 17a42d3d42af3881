"""The slim image of module 06: ONNX Runtime on the int8 export, no PyTorch, no transformers."""

from __future__ import annotations

import json
import time

import httpx

from launchpad.containers.run import RunningContainer


def _size_gb(engine, tag: str) -> float:
    return json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Size"] / 1e9


def test_slim_image_has_no_pytorch_and_is_a_fraction_of_the_size(engine, slim_image, image):
    slim, full = _size_gb(engine, slim_image.tag), _size_gb(engine, image.tag)
    print(f"\n{slim_image.tag}: {slim:.2f} GB; {image.tag}: {full:.2f} GB ({full / slim:.1f}x)")
    assert slim < full / 3, "without PyTorch the image should be a fraction of the full one"
    packages = engine.docker(
        "run", "--rm", "--network", "none", slim_image.tag, "pip", "list", "--format=freeze"
    ).stdout.lower()
    names = {line.split("==")[0] for line in packages.split()}
    assert "onnxruntime" in names and "tokenizers" in names
    assert not names & {"torch", "transformers"}, names & {"torch", "transformers"}


def test_slim_container_serves_the_int8_model(engine, slim_image):
    with RunningContainer(engine, slim_image.tag, prefix="launchpad-slim") as running:
        print(f"\nslim container start to ready: {running.wait_ready():.1f} s")
        reply = httpx.post(
            f"{running.base}/predict", json={"texts": ["Loved every minute.", "A dull mess."]}
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert [p["label"] for p in body["predictions"]] == ["POSITIVE", "NEGATIVE"]
        assert body["model"]["name"].endswith("-onnx-int8")


def test_slim_image_asked_for_pytorch_says_why_it_cannot(engine, slim_image):
    with RunningContainer(
        engine, slim_image.tag, prefix="launchpad-slim", env={"BACKEND": "torch"}
    ) as running:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"{running.base}/readyz", timeout=2)
                if ready.json()["status"] == "failed":
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, running.logs()[-2000:]
            time.sleep(0.3)
        assert ready.status_code == 503
        assert "needs the torch package" in ready.json()["detail"]
        assert "BACKEND=onnx" in ready.json()["detail"]
