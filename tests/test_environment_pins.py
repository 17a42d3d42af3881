"""Every pin lives in pyproject.toml: environment.yml repeats them all, and the images'
requirements files are generated from the service's extras."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata

import yaml
from packaging.requirements import Requirement

from launchpad.containers.image import VARIANTS, stale_requirements
from launchpad.containers.requirements import flatten, normalise, read_project

# Imported only when MODEL_URI is set (module 08): the images serve a baked-in MODEL_DIR.
OPTIONAL_FOR_THE_SERVICE = {"mlflow"}


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", requirement.strip())
        assert match, f"{requirement!r} is not pinned with =="
        pins[normalise(match[1])] = match[2]
    return pins


def test_conda_environment_pins_what_pyproject_pins(repo):
    project = read_project(repo / "pyproject.toml")
    wanted = _pins(flatten(project["dependencies"] + [f"{project['name']}[dev]"], project))
    conda = yaml.safe_load((repo / "environment.yml").read_text())["dependencies"]
    pip_section = next(d["pip"] for d in conda if isinstance(d, dict))
    assert _pins(pip_section) == wanted
    assert "python=3.11" in conda and project["requires-python"] == ">=3.11,<3.12"


def test_image_requirements_are_generated_from_pyproject():
    stale = [str(path) for path in stale_requirements()]
    assert not stale, f"{', '.join(stale)}: stale; run `make requirements`"


def test_image_requirements_are_pinned_and_installed_by_the_course(repo):
    project = read_project(repo / "pyproject.toml")
    course = _pins(flatten(project["dependencies"], project))
    for variant in VARIANTS.values():
        lines = variant.requirements.read_text().splitlines()
        image = _pins([line for line in lines if line.strip() and not line.startswith("#")])
        assert image and image == {name: course[name] for name in image}, variant.requirements


def _third_party_imports(folder) -> set[str]:
    """Top-level names of the modules that the code in `folder` imports, outside the
    standard library and itself."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {folder.name, "__future__"}


def _with_requirements(distributions: set[str]) -> set[str]:
    """`distributions` and everything they require here (no extras), all the way down."""
    found, todo = set(), list(distributions)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(normalise(requirement.name))
    return found


def test_the_service_extras_declare_what_the_service_imports(repo):
    project = read_project(repo / "pyproject.toml")
    extras = ["service", "service-torch", "service-onnx"]
    declared = {
        normalise(re.match(r"[A-Za-z0-9._-]+", r)[0])
        for r in flatten([f"{project['name']}[{','.join(extras)}]"], project)
    }
    installed = _with_requirements(declared)
    providers = metadata.packages_distributions()
    missing = {
        module
        for module in _third_party_imports(repo / "src" / "sentiment_api")
        - OPTIONAL_FOR_THE_SERVICE
        if not {normalise(d) for d in providers.get(module, [])} & installed
    }
    assert not missing, f"the service imports {sorted(missing)}, which its extras do not install"
