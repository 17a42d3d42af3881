from __future__ import annotations

import socket
from pathlib import Path

import pytest

from launchpad.paths import REPO_ROOT, WORKSPACE_VAR


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A fresh, empty learner workspace for one test."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    monkeypatch.setenv(WORKSPACE_VAR, str(folder))
    return folder


@pytest.fixture(scope="session")
def course_model_dir() -> Path:
    from launchpad.model import resolve

    return resolve().path


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO_ROOT


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
