"""pyproject.toml and environment.yml pin the same versions."""

from __future__ import annotations

import re
import tomllib

import yaml


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", requirement.strip())
        assert match, f"{requirement!r} is not pinned with =="
        pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def test_conda_environment_pins_what_pyproject_pins(repo):
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    wanted = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    conda = yaml.safe_load((repo / "environment.yml").read_text())["dependencies"]
    pip_section = next(d["pip"] for d in conda if isinstance(d, dict))
    assert _pins(pip_section) == wanted
    assert "python=3.11" in conda and project["requires-python"] == ">=3.11,<3.12"


def test_image_requirements_pin_what_pyproject_pins(repo):
    from launchpad.containers.image import REQUIREMENTS

    project = _pins(tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"])
    lines = [
        line
        for line in REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    image = _pins(lines)
    assert image == {name: project[name] for name in image}
