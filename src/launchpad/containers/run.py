"""Run an image the way the course's tests and checks do: host networking, bound to a free
port on 127.0.0.1, removed afterwards."""

from __future__ import annotations

import json

from launchpad.containers.engine import Engine
from launchpad.net import free_port, wait_ready


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
        engine.docker(
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
        )

    def state(self) -> dict:
        return json.loads(self.engine.docker("inspect", self.name).stdout)[0]["State"]

    def logs(self) -> str:
        result = self.engine.docker("logs", self.name, check=False)
        return result.stdout + result.stderr

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until /readyz answered; NotReady (with the last log lines) if it exits."""

        def died():
            if self.state()["Running"]:
                return None
            return " | ".join(self.logs().strip().splitlines()[-2:])

        return wait_ready(self.base, timeout, died)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.engine.docker("rm", "--force", self.name, check=False)
