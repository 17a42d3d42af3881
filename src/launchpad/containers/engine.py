"""Find a Docker engine, or start one the way this course's CI does.

A learner's Docker Desktop or system engine is used when it answers. Otherwise, as root on a
Debian-like machine (CI), Debian's `docker.io` is installed if needed and `dockerd` is started
with no bridge network and no iptables rules: containers use host networking, so every request
stays on 127.0.0.1. The engine started here listens on a private socket and is stopped again by
whoever started it.

In a terminal, `eval "$(python -m launchpad.containers.engine)"` points the `docker` command at
the engine the checks use: it prints `export DOCKER_HOST=...` for the course's own engine
(starting it, and leaving it running, when no engine answers) and nothing for Docker's usual
socket. `python -m launchpad.containers.engine --stop` stops the course's engine.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from launchpad.paths import cache_dir

HOW_TO_INSTALL = (
    "No Docker engine is reachable. Install Docker Desktop (macOS, Windows with WSL2) or Docker "
    "Engine (Linux: `sudo apt-get install docker.io`, then add yourself to the docker group), "
    "start it, and check with `docker info`. See the course's setup page."
)
# Debian's own client: it builds with the classic builder or BuildKit without needing buildx.
DEBIAN_CLIENT = "/usr/bin/docker"
# Where the engine this course starts keeps its socket, pid file and log.
STATE = Path("/run/launchpad-docker")
PRIVATE_HOST = f"unix://{STATE / 'docker.sock'}"
# Who started the private engine: a test session names itself here (its notebook kernels
# inherit it), so it stops only the engine it started, never one a parallel session uses.
OWNER_VAR = "LAUNCHPAD_ENGINE_OWNER"


class EngineError(RuntimeError):
    """No engine could be found or started; the message says why and what to do."""


@dataclass
class Engine:
    client: str
    env: dict[str, str]  # environment for the client (DOCKER_HOST for a private engine)
    process: subprocess.Popen | None = None  # set when we started dockerd ourselves

    def docker(
        self, *args: str, timeout: float = 900, check: bool = True, **kwargs
    ) -> subprocess.CompletedProcess:
        kwargs.setdefault("text", True)
        result = subprocess.run(
            [self.client, *args],
            env={**os.environ, **self.env},
            capture_output=True,
            timeout=timeout,
            **kwargs,
        )
        if check and result.returncode != 0:
            stderr = result.stderr if kwargs["text"] else result.stderr.decode(errors="replace")
            raise EngineError(f"docker {' '.join(args[:3])} failed: {stderr.strip()[-1500:]}")
        return result

    def stop(self) -> None:
        """Stop the engine if we started it; leave anyone else's alone."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _client() -> str | None:
    if Path(DEBIAN_CLIENT).exists():
        return DEBIAN_CLIENT
    return shutil.which("docker")


def _answers(client: str, env: dict[str, str]) -> bool:
    try:
        result = subprocess.run(
            [client, "info", "--format", "{{.ServerVersion}}"],
            env={**os.environ, **env},
            capture_output=True,
            timeout=15,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def find() -> Engine | None:
    """An engine that already answers (the learner's, or one this course started), or None."""
    client = _client()
    if client is None:
        return None
    for env in ({}, {"DOCKER_HOST": PRIVATE_HOST}):
        if _answers(client, env):
            return Engine(client, env)
    return None


def start(install: bool = True, keep: bool = False) -> Engine:
    """Start a private dockerd (installing Debian's docker.io first if allowed). It stops when
    this process exits, unless `keep` (a terminal's engine, stopped with `--stop`)."""
    if os.geteuid() != 0:
        raise EngineError(HOW_TO_INSTALL)
    if shutil.which("dockerd") is None:
        if not install or shutil.which("apt-get") is None:
            raise EngineError(HOW_TO_INSTALL)
        apt_install("docker.io")
    STATE.mkdir(parents=True, exist_ok=True)
    env = {"DOCKER_HOST": PRIVATE_HOST}
    log = (STATE / "dockerd.log").open("w")
    process = subprocess.Popen(
        [
            "dockerd",
            "--bridge=none",
            "--iptables=false",
            "--ip-masq=false",
            "--host",
            env["DOCKER_HOST"],
            "--data-root",
            str(cache_dir() / "docker"),
            "--exec-root",
            str(STATE / "exec"),
            "--pidfile",
            str(STATE / "docker.pid"),
        ],
        stdin=subprocess.DEVNULL,  # a terminal's `$(...)` must not wait on a kept engine
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (STATE / "owner").write_text(os.environ.get(OWNER_VAR, f"process {os.getpid()}"))
    client = _client()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EngineError(
                f"dockerd exited with {process.returncode}; see {log.name}: "
                + Path(log.name).read_text()[-1500:]
            )
        if client and _answers(client, env):
            if keep:
                return Engine(client, env)  # not ours to stop: it outlives this process
            started = Engine(client, env, process)
            atexit.register(started.stop)  # never leave an engine behind this process
            return started
        time.sleep(0.5)
    process.kill()
    raise EngineError(f"dockerd did not answer within 60 s; see {log.name}")


def find_or_start(keep: bool = False) -> Engine:
    return find() or start(keep=keep)


def apt_install(*packages: str) -> None:
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ):
        result = subprocess.run(cmd, env=quiet, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise EngineError(f"{' '.join(cmd[:3])} failed: {result.stderr.strip()[-800:]}")


def stop_private(owner: str | None = None) -> None:
    """Stop the private engine this course starts: the one `owner` started (a test session's
    clean-up: a notebook kernel that was killed cannot stop its own), or any if None."""
    if owner is not None:
        try:
            if (STATE / "owner").read_text() != owner:
                return
        except OSError:
            return
    pidfile = STATE / "docker.pid"
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    for _ in range(60):
        if not running(pid):
            return
        time.sleep(0.5)


def running(pid: int) -> bool:
    """Whether `pid` is a live process (an exited one nobody has reaped yet is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def main(argv: list[str] | None = None) -> int:
    """`eval "$(python -m launchpad.containers.engine)"`: the shell line that points `docker` at
    the engine the course uses (nothing for Docker's usual socket); `--stop` stops the course's."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args == ["--stop"]:
        stop_private()
        return 0
    try:
        found = find_or_start(keep=True)
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if "DOCKER_HOST" in found.env:
        print(f"export DOCKER_HOST={found.env['DOCKER_HOST']}")
        print(
            "# the course's own Docker engine (no bridge network: run containers with "
            "--network host); stop it with `python -m launchpad.containers.engine --stop`",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
