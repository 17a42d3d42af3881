"""Reference answers, taken from the solution notebooks (their single source), for a learner who
starts a module without having finished the one before it."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from launchpad.authoring.solutions import without_markers
from launchpad.paths import REPO_ROOT

WRITEFILE = re.compile(r"%%writefile \{WORKSPACE\}/(\S+)\n")


def written_files(solution: Path) -> dict[str, str]:
    """{workspace-relative path: content} for every %%writefile cell of a solution notebook."""
    files = {}
    for cell in nbformat.read(solution, as_version=4).cells:
        match = WRITEFILE.match(cell.source) if cell.cell_type == "code" else None
        if match:
            files[match[1]] = without_markers(cell.source[match.end() :]) + "\n"
    return files


def ensure_answers(module: str, workspace: Path) -> list[str]:
    """Write module `module`'s reference files where the learner's are missing or unfinished
    (still raising NotImplementedError). Returns what was written; finished work is kept."""
    [solution] = (REPO_ROOT / "solutions").glob(f"{module}-*.ipynb")
    written = []
    for relative, content in written_files(solution).items():
        target = workspace / relative
        if target.exists() and "NotImplementedError" not in target.read_text():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        written.append(relative)
    return written


# What the solutions' set-up cells add besides %%writefile: pytest's settings (module 04).
PYTEST_SETTINGS = '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n'


def ensure_project(workspace: Path, modules: tuple[str, ...] | None = None) -> list[str]:
    """The whole reference project, as the solution notebooks leave it: every module's written
    files, the package marker, pytest's settings, the pinned requirements (modules 03 and 04)
    and the int8 ONNX export (module 06). Like `ensure_answers`, it keeps the learner's own
    files. Returns what was written."""
    import shutil

    from launchpad.containers.image import REQUIREMENTS
    from launchpad.paths import link_or_copy
    from launchpad.questions import MODULES
    from launchpad.questions.m04 import dev_requirements

    written = []
    for module in modules or tuple(MODULES):
        if any((REPO_ROOT / "solutions").glob(f"{module}-*.ipynb")):
            written += ensure_answers(module, workspace)
    extras = {
        "api/__init__.py": "",
        "pyproject.toml": PYTEST_SETTINGS,
        "requirements.txt": REQUIREMENTS.read_text(),
        "requirements-dev.txt": dev_requirements(),
    }
    for relative, content in extras.items():
        target = workspace / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            written.append(relative)
    onnx = workspace / "onnx"
    if not (onnx / "model.onnx").exists() and (modules is None or "06" in modules):
        from launchpad.model import resolve
        from launchpad.onnx_model import ensure_onnx

        shutil.copytree(
            ensure_onnx(resolve().path), onnx, dirs_exist_ok=True, copy_function=link_or_copy
        )
        written.append("onnx/")
    return written
