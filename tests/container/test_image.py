"""The service image, built and run by a real Docker engine."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import httpx
import pytest

from launchpad.containers.run import RunningContainer

BIN = Path(sys.executable).parent


def test_image_is_small_enough_non_root_and_has_no_cuda(engine, image):
    info = json.loads(engine.docker("image", "inspect", image.tag).stdout)[0]
    size_gb = info["Size"] / 1e9
    print(
        f"\nimage {image.tag}: {size_gb:.2f} GB on {image.base_image}, built in "
        f"{image.seconds:.0f} s"
    )
    assert size_gb < 1.6, "a CPU-only image should stay well under the multi-GB CUDA builds"
    assert info["Config"]["User"] not in ("", "0", "root")
    assert info["Config"]["Healthcheck"]["Test"][0] == "CMD"
    listing = engine.docker(
        "run",
        "--rm",
        "--network",
        "none",
        image.tag,
        "sh",
        "-c",
        "id -u; pip list --format=freeze; "
        "find / -xdev -name 'libcu*.so*' -o -name 'libnccl*' | head",
    ).stdout
    uid, *rest = listing.split()
    assert uid != "0"
    packages = [line.split("==")[0].lower() for line in rest if "==" in line]
    assert "torch" in packages and "jupyterlab" not in packages
    cuda = [p for p in packages if p.startswith("nvidia") or "cuda" in p] + [
        line for line in rest if ".so" in line
    ]
    assert not cuda, f"CUDA libraries in the image: {cuda}"


def test_a_rebuild_with_nothing_changed_is_cached(engine, image, course_model_dir):
    from launchpad.containers.image import build

    again = build(engine, course_model_dir, base_image=image.base_image)
    print(f"\ncached rebuild: {again.seconds:.1f} s (first build {image.seconds:.0f} s)")
    assert again.seconds < image.seconds


@pytest.fixture
def container(engine, image):
    with RunningContainer(engine, image.tag, prefix="launchpad-test") as running:
        print(f"\ncontainer start to ready: {running.wait_ready():.1f} s")
        yield running.name, running.base


def test_container_answers_on_the_given_port_and_stops_cleanly(engine, container):
    name, base = container
    reply = httpx.post(f"{base}/predict", json={"texts": ["Loved it.", "Hated it."]})
    assert reply.status_code == 200
    assert [p["label"] for p in reply.json()["predictions"]] == ["POSITIVE", "NEGATIVE"]
    bad = httpx.post(
        f"{base}/predict", content=b'{"text": ', headers={"Content-Type": "application/json"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_json")
    top = engine.docker("top", name, "-o", "uid,pid,args").stdout
    assert re.search(r"^10001\s+\d+\s+python -m sentiment_api", top, re.M), top

    started = time.perf_counter()
    engine.docker("stop", "--time", "30", name)
    stopped_in = time.perf_counter() - started
    state = json.loads(engine.docker("inspect", name).stdout)[0]["State"]
    assert state["ExitCode"] == 0, engine.docker("logs", name).stdout[-2000:]
    assert stopped_in < 30, "SIGTERM should stop it well inside the grace period"
    logs = engine.docker("logs", name).stdout.splitlines()
    assert logs and all(line.startswith("{") for line in logs), logs[:3]


def test_healthcheck_reports_healthy(engine, container):
    name, _ = container
    deadline = time.monotonic() + 60
    while True:
        health = json.loads(engine.docker("inspect", name).stdout)[0]["State"]["Health"]
        if health["Status"] == "healthy":
            break
        assert health["Status"] != "unhealthy", health["Log"][-1:]
        assert time.monotonic() < deadline, health
        time.sleep(1)
