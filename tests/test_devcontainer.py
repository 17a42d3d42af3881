"""The dev container agrees with the rest of the course: the same Python and Debian as CI, a
post-create step that is a real make target, the ports the Makefile serves on, and what the
course's own Docker engine needs."""

from __future__ import annotations

import json
import re


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
