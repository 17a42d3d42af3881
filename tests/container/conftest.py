"""A real Docker engine and the real image for the container tests.

The engine is the one already running, or one this session starts (and stops at the end):
Debian's dockerd with no bridge and no iptables, so containers use host networking and all
traffic stays on 127.0.0.1. If no engine can be had, the tests fail and say why.
"""

from __future__ import annotations

import pytest

from launchpad.containers import engine as engines
from launchpad.containers import image as images


@pytest.fixture(scope="session")
def engine():
    try:
        docker = engines.find_or_start()
    except engines.EngineError as error:
        pytest.fail(f"The container tests need a Docker engine. {error}", pytrace=False)
    yield docker
    docker.stop()


@pytest.fixture(scope="session")
def image(engine, course_model_dir) -> images.BuildResult:
    return images.build(engine, course_model_dir)


@pytest.fixture(scope="session")
def slim_image(engine, course_onnx_dir) -> images.BuildResult:
    return images.build(engine, course_onnx_dir, images.ONNX)
