"""The dev container. First, that it agrees with the rest of the course: the same Python and
Debian as CI, a post-create step that is a real make target, the ports the Makefile serves on,
what the course's own Docker engine needs. Then, that it works: run as the Dev Containers CLI
would run it, on the course's Docker engine, with a fresh clone mounted in /workspaces, the
file's runArgs and containerEnv, its postCreateCommand, then `make lab` answering.

Two substitutions. The course's engine here runs inside a container itself and cannot grant
`--privileged` (which only the Docker engine of modules 03 and 05 needs, not this test), so
that one runArg is left out. And `python:3.11-bookworm` comes from an image registry the
tests do not use, so its stand-in is the course's local Debian bookworm image with Python 3.11
(Debian's 3.11.2, older than the official image's), plus the make and git that the official
image ships. pip inside reaches the package index the way the host does (its pip
configuration and the local folders that configuration names, read-only), and the course
model comes from the host's cache, so `make lab` does not spend four minutes building it again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx

from launchpad.containers.base_image import ensure_base_image
from launchpad.net import free_port
from launchpad.paths import cache_dir

PIP_FILES = ("/etc/pip.conf", "/etc/xdg/pip", "/root/.config/pip", "/etc/ssl/certs")


def read_jsonc(path) -> dict:
    """devcontainer.json allows // comments; strip the comment lines, then parse."""
    lines = [line for line in path.read_text().splitlines() if not line.strip().startswith("//")]
    return json.loads("\n".join(lines))


def make_default(makefile: str, name: str) -> str:
    return re.search(rf"^{name} \?= (\S+)$", makefile, re.M).group(1)


def test_the_dev_container_matches_the_course(repo):
    config = read_jsonc(repo / ".devcontainer" / "devcontainer.json")
    makefile = (repo / "Makefile").read_text()
    python = re.search(r'requires-python = ">=(\d+\.\d+)', (repo / "pyproject.toml").read_text())
    assert config["image"] == f"python:{python.group(1)}-bookworm"
    step = config["postCreateCommand"].split()
    assert step[0] == "make" and re.search(rf"^{step[1]}:", makefile, re.M), step
    ports = [int(make_default(makefile, name)) for name in ("LAB_PORT", "SITE_PORT")]
    assert config["forwardPorts"] == ports
    assert config["containerEnv"]["NO_BROWSER"] == "1"
    assert "--privileged" in config["runArgs"]  # dockerd runs inside (modules 03 and 05)
    assert ".devcontainer" in (repo / "docs" / "setup.md").read_text()


def pip_mounts() -> list[str]:
    """The host's pip configuration and the local folders it points at, read-only."""
    config = subprocess.run(
        ["pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout
    paths = set(PIP_FILES)
    for token in config.replace("'", " ").split():
        token = token.removeprefix("file://")
        if token.startswith("/") and Path(token).exists():
            paths.add(token.removesuffix("/simple"))
    mounts = []
    for path in sorted(p for p in paths if Path(p).exists()):
        mounts += ["-v", f"{path}:{path}:ro"]
    return mounts


def test_the_dev_container_sets_up_and_serves_jupyterlab(engine, repo, tmp_path):
    config = read_jsonc(repo / ".devcontainer" / "devcontainer.json")
    clone = tmp_path / "mlops-launchpad"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True, timeout=120)
    workdir = f"/workspaces/{clone.name}"
    name = f"launchpad-devcontainer-{uuid.uuid4().hex[:8]}"
    env = [f"{k}={v}" for k, v in config["containerEnv"].items()]
    run_args = [arg for arg in config["runArgs"] if arg != "--privileged"]
    pip_env = [f"{k}={v}" for k, v in os.environ.items() if k.startswith("PIP_")]
    engine.docker(
        "run", "--detach", "--name", name, "--network", "host", *run_args,
        *(item for pair in env + pip_env for item in ("--env", pair)),
        "--volume", f"{clone}:{workdir}", "--workdir", workdir,
        "--volume", f"{cache_dir()}:/root/.cache/mlops-launchpad",
        *pip_mounts(),
        ensure_base_image(engine), "sleep", "infinity",
    )  # fmt: skip
    try:

        def run(command: str, timeout: float = 900) -> subprocess.CompletedProcess:
            return engine.docker("exec", name, "sh", "-c", command, timeout=timeout, check=False)

        stand_in = run(
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive"
            " apt-get install -y -qq --no-install-recommends make git >/dev/null"
        )
        assert stand_in.returncode == 0, stand_in.stderr[-2000:]
        created = run(config["postCreateCommand"])
        assert created.returncode == 0, (created.stdout + created.stderr)[-3000:]

        port = free_port()
        engine.docker(
            "exec", "--detach", name, "sh", "-c", f"make lab LAB_PORT={port} >lab.log 2>&1"
        )
        deadline, status = time.monotonic() + 300, None
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api", timeout=5).status_code
                break
            except httpx.TransportError:
                time.sleep(1)
        log = run("tail -20 lab.log").stdout
        assert status == 200, f"JupyterLab did not answer on port {port}:\n{log}"
    finally:
        engine.docker("rm", "--force", name, check=False)
        shutil.rmtree(clone, ignore_errors=True)  # its .venv is 3 GB
