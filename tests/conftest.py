from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import corpus_session

from launchpad.net import free_port
from launchpad.paths import REPO_ROOT, WORKSPACE_VAR

# Tests talk to 127.0.0.1 only: MLflow's usage telemetry stays off (`make test` sets it too),
# and it decides when it is imported.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Iterator[Path]:
    """A fresh, empty learner workspace for one test."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    monkeypatch.setenv(WORKSPACE_VAR, str(folder))
    yield folder
    _remove_workspace_image()


def _remove_workspace_image() -> None:
    """A workspace outside the repository has an image tag of its own (learner_image.tag); it
    goes with its workspace, or every test that builds one would leave a gigabyte behind.
    Only when a check already found an engine: tearing down never starts one."""
    from launchpad.containers import learner_image

    cached = getattr(learner_image.engine, "cache_info", None)
    if cached is not None and cached().currsize:  # not when a test replaced the engine
        learner_image.remove_own_tag(learner_image.engine())


@pytest.fixture(scope="session")
def course_model_dir() -> Path:
    from launchpad.model import resolve

    return resolve().path


@pytest.fixture
def hub_cache(course_model_dir, tmp_path):
    """A Hugging Face Hub cache folder (`hub_cache.root`); `hub_cache(repo_id)` lays the course
    model out in it exactly as `huggingface_hub` stores a download, and returns the snapshot."""
    root = tmp_path / "hub"

    def put(repo_id: str, revision: str = "0123456789abcdef0123456789abcdef01234567") -> Path:
        folder = root / ("models--" + repo_id.replace("/", "--"))
        shutil.copytree(course_model_dir, folder / "snapshots" / revision)
        (folder / "refs").mkdir()
        (folder / "refs" / "main").write_text(revision)
        return folder / "snapshots" / revision

    put.root = root
    return put


@pytest.fixture(scope="session")
def course_onnx_dir(course_model_dir) -> Path:
    from launchpad.model.onnx_export import ensure_onnx

    return ensure_onnx(course_model_dir)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO_ROOT


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    return free_port()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The course site, built once per test session with `mkdocs build --strict`."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(folder)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


# The answer corpus runs in worker processes beside the other tests (support.corpus_session).
def pytest_collection_modifyitems(items):
    corpus_session.order_last(items)


def pytest_collection_finish(session):
    corpus_session.start(session)


def pytest_terminal_summary(terminalreporter, config):
    corpus_session.finish(config, terminalreporter)
