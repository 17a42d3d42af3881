"""The live classroom's tests: a real classroom (`make classroom`) on 127.0.0.1, and simulated
learners, each with a workspace of their own, who join with `make join` and answer module 00's
question 2 in a Python process of their own, as a kernel would: the check shows its verdict and
sends it in the background."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from launchpad.paths import REPO_ROOT, WORKSPACE_VAR
from launchpad.questions.m00.q2_concept_map import CONCEPTS

RIGHT = dict(CONCEPTS)
WRONG = {**CONCEPTS, "drift": "A", "batch": "B"}


@dataclass
class Room:
    base: str
    code: str
    token: str
    output: list[str]

    def board(self) -> dict:
        with urllib.request.urlopen(f"{self.base}/api/board?token={self.token}", timeout=5) as r:
            return json.load(r)


@contextmanager
def classroom(database: Path, port: int) -> Iterator[Room]:
    process = subprocess.Popen(
        ["make", "-s", "--no-print-directory", "classroom"]
        + [f"CLASSROOM_PORT={port}", f"CLASSROOM_DB={database}"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        while not any("Instructor's page" in line for line in lines):
            line = process.stdout.readline()
            assert line, "make classroom ended:\n" + "".join(lines)
            lines.append(line)
        text = "".join(lines)
        code = re.search(r"Join code: (\S+)", text)[1]
        token = re.search(r"\?token=(\S+)", text)[1]
        room = Room(f"http://127.0.0.1:{port}", code, token, lines)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{room.base}/api/health", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the classroom never answered"
                time.sleep(0.2)
        yield room
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


CHECK = textwrap.dedent(
    """\
    import sys, threading, json
    from launchpad.checks import bind
    from launchpad.questions.m00 import q2
    bind({"concept_map": json.loads(sys.argv[1])})
    q2.check()
    for thread in threading.enumerate():
        if thread.name == "launchpad-classroom":
            thread.join(15)
    """
)


@dataclass
class Learner:
    name: str
    workspace: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, WORKSPACE_VAR: str(self.workspace)}

    def join(self, room: Room) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["make", "-s", "--no-print-directory", "join"]
            + [f"ADDRESS={room.base}", f"CODE={room.code}", f"NAME={self.name}"],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def check(self, concept_map: dict) -> str:
        """Answer module 00's question 2 and run its check; what the learner sees."""
        result = subprocess.run(
            [sys.executable, "-c", CHECK, json.dumps(concept_map)],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def queued(self) -> int:
        queue = self.workspace / ".launchpad" / "classroom-outbox.jsonl"
        return len(queue.read_text().splitlines()) if queue.exists() else 0
