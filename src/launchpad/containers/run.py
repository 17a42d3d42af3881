"""Run an image the way the course's tests and checks do: host networking, bound to a free
port on 127.0.0.1, removed afterwards."""

from __future__ import annotations

import json
import re

from launchpad.containers.engine import Engine, EngineError
from launchpad.net import NotReady, free_port, wait_ready

# uvicorn's start-up line: where the service listens, whatever its CMD was told.
LISTENING = re.compile(r"Uvicorn running on \S+?:(\d+)\b")


class RunningContainer:
    """`with RunningContainer(engine, tag) as c:` starts the image; `c.base` is its URL."""

    def __init__(
        self,
        engine: Engine,
        tag: str,
        prefix: str = "launchpad",
        env: dict[str, str] | None = None,
    ):
        self.engine, self.port = engine, free_port()
        self.name = f"{prefix}-{self.port}"
        self.base = f"http://127.0.0.1:{self.port}"
        started = engine.docker(
            "run",
            "--detach",
            "--name",
            self.name,
            "--network",
            "host",
            "--env",
            "HOST=127.0.0.1",
            "--env",
            f"PORT={self.port}",
            *(item for key, value in (env or {}).items() for item in ("--env", f"{key}={value}")),
            tag,
            check=False,
        )
        if started.returncode != 0:  # e.g. a USER the image does not have
            engine.docker("rm", "--force", self.name, check=False)  # `run` created it anyway
            raise EngineError(f"docker run failed: {started.stderr.strip()[-1500:]}")

    def state(self) -> dict:
        return json.loads(self.engine.docker("inspect", self.name).stdout)[0]["State"]

    def logs(self) -> str:
        result = self.engine.docker("logs", self.name, check=False)
        return result.stdout + result.stderr

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until /readyz answered; NotReady (with the last log lines) if it exits, or
        at once if it says it listens on another port than $PORT (waiting would not help)."""

        def died():
            alive = self.state()["Running"]
            logs = self.logs()  # after the state: a container that exited has said it all
            if not alive:
                return " | ".join(logs.strip().splitlines()[-2:])
            listening = LISTENING.search(logs)
            if listening and int(listening[1]) != self.port:
                raise NotReady(f"listens on port {listening[1]}, not on $PORT ({self.port})")
            return None

        return wait_ready(self.base, timeout, died)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.engine.docker("rm", "--force", self.name, check=False)
