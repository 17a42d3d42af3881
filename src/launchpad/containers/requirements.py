"""The images' requirements files, generated from pyproject.toml (`launchpad requirements`).

The service's run-time libraries are pinned once, in extras of pyproject.toml: `service` (what
either backend needs), `service-torch` and `service-onnx`. The course's own dependencies name
those extras (`mlops-launchpad[service,...]`) instead of repeating their pins, and each image's
requirements file is the pins of its extras, flattened: pip in a `docker build` cannot read an
extra of a project it does not have.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from launchpad.paths import REPO_ROOT

PYPROJECT = REPO_ROOT / "pyproject.toml"
COMMAND = "make requirements"
# `name[extra,...]` at the start of a requirement, the name in PEP 503's normal form after.
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_project(pyproject: Path = PYPROJECT) -> dict:
    return tomllib.loads(pyproject.read_text())["project"]


def flatten(requirements: Iterable[str], project: dict) -> list[str]:
    """`requirements` with every reference to the project's own extras replaced by what those
    extras list (recursively); each requirement once, in the order first met."""
    own = normalise(project["name"])
    extras = project.get("optional-dependencies", {})
    flat: list[str] = []

    def add(requirement: str) -> None:
        name, wanted = _REQUIREMENT.match(requirement).groups()
        if normalise(name) != own:
            if requirement not in flat:
                flat.append(requirement)
            return
        for extra in (e.strip() for e in (wanted or "").split(",") if e.strip()):
            for inner in extras[extra]:
                add(inner)

    for requirement in requirements:
        add(requirement)
    return flat


def extra_requirements(extras: Iterable[str], pyproject: Path = PYPROJECT) -> list[str]:
    """The requirements that `extras` of the project declare, flattened."""
    project = read_project(pyproject)
    return flatten([f"{project['name']}[{','.join(extras)}]"], project)


def header(about: str, extras: Iterable[str]) -> str:
    """The comment a generated file opens with: what it is for, then where its pins come
    from (a line the learner's portfolio drops: it names the course's files)."""
    lines = about.splitlines() + [
        f"Generated from pyproject.toml (extras {', '.join(extras)}) by `{COMMAND}`."
    ]
    return "".join(f"# {line}\n" for line in lines)


def render(about: str, extras: tuple[str, ...], pyproject: Path = PYPROJECT) -> str:
    """A requirements file: the header, then one pinned requirement per line."""
    pins = extra_requirements(extras, pyproject)
    return header(about, extras) + "".join(f"{pin}\n" for pin in pins)
