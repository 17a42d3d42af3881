"""Simulated learners and a free port for the classroom's tests (support.classroom)."""

from __future__ import annotations

import pytest
from support.classroom import Learner

from launchpad.net import free_port


@pytest.fixture
def learners(tmp_path):
    def make(*names: str) -> list[Learner]:
        made = []
        for index, name in enumerate(names):
            workspace = tmp_path / f"learner-{index}"
            workspace.mkdir()
            made.append(Learner(name, workspace))
        return made

    return make


@pytest.fixture
def room_port() -> int:
    return free_port()
