"""A test session stops only the private Docker engine it started: two sessions running side by
side (an author's, and a helper's) must not pull the engine out from under each other."""

from __future__ import annotations

import os
import subprocess

from launchpad.containers import engine


def test_only_the_owner_stops_the_engine(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "STATE", tmp_path)
    # A stand-in for dockerd: a detached process with a pid file.
    pid = int(
        subprocess.run(
            ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    try:
        (tmp_path / "docker.pid").write_text(str(pid))
        (tmp_path / "owner").write_text("pytest session 1")
        engine.stop_private(owner="pytest session 2")
        assert engine.running(pid), "another session's engine was stopped"
        engine.stop_private(owner="pytest session 1")
        assert not engine.running(pid)
    finally:
        if engine.running(pid):
            os.kill(pid, 9)
