"""Reference answers, taken from the solution notebooks (their single source), for a learner who
starts a module without having finished the one before it."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import nbformat

from launchpad.authoring.generate import exercise_from_solution
from launchpad.authoring.solutions import solution_notebook, without_markers
from launchpad.paths import REPO_ROOT
from launchpad.pytest_run import PYTEST_SETTINGS

WRITEFILE = re.compile(r"%%writefile \{WORKSPACE\}/(\S+)\n")


def written_files(notebook: Path | nbformat.NotebookNode) -> dict[str, str]:
    """{workspace-relative path: content} for every %%writefile cell of a notebook."""
    if isinstance(notebook, Path):
        notebook = nbformat.read(notebook, as_version=4)
    files = {}
    for cell in notebook.cells:
        match = WRITEFILE.match(cell.source) if cell.cell_type == "code" else None
        if match:
            files[match[1]] = without_markers(cell.source[match.end() :]) + "\n"
    return files


def stub_files(solution: Path) -> dict[str, str]:
    """What the exercise's %%writefile cells write before the learner changes anything."""
    exercise = exercise_from_solution(nbformat.read(solution, as_version=4), solution.name)
    return written_files(exercise)


def module_stubs(module: str) -> dict[str, str]:
    """The files module `module`'s exercise leaves for the learner to write, as it writes them
    before the learner changes anything. A file the exercise gives whole (`api/healthcheck.py`)
    has no stub: as given, it is finished."""
    solution = solution_notebook(module)
    return dict(_stubs(solution, solution.stat().st_mtime_ns))


@cache  # generating an exercise takes a few tenths of a second; the capstone asks per piece
def _stubs(solution: Path, _version: int) -> dict[str, str]:
    finished = written_files(solution)
    return {
        path: stub
        for path, stub in stub_files(solution).items()
        if _lines(stub) != _lines(finished.get(path, ""))
    }


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def unfinished(text: str, stub: str | None) -> bool:
    """A learner's file is unfinished while it is still the exercise's stub (untouched: a
    Dockerfile that is just `# YOUR CODE HERE`), or while code in it still raises
    NotImplementedError."""
    return "NotImplementedError" in text or (stub is not None and _lines(text) == _lines(stub))


def ensure_answers(module: str, workspace: Path) -> list[str]:
    """Write module `module`'s reference files where the learner's are missing or unfinished.
    Returns what was written. Finished work is kept; an unfinished file that the learner
    changed is backed up under `.launchpad/backups/` before it is replaced."""
    stubs = module_stubs(module)
    written = []
    for relative, content in written_files(solution_notebook(module)).items():
        target = workspace / relative
        if target.exists():
            current = target.read_text()
            if not unfinished(current, stubs.get(relative)):
                continue
            if _lines(current) != _lines(stubs.get(relative, "")):
                back_up(target, backup_folder(workspace) / relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        written.append(relative)
    return written


def backup_folder(workspace: Path) -> Path:
    """Where the course keeps a learner's files it replaces now: the workspace's
    `.launchpad/backups/<UTC time>/`."""
    return workspace / ".launchpad" / "backups" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def back_up(file: Path, backup: Path) -> Path:
    """Copy `file` to `backup` (its folders made), before the course overwrites it."""
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(file, backup)
    return backup


def ensure_project(workspace: Path, modules: tuple[str, ...] | None = None) -> list[str]:
    """The whole reference project, as the solution notebooks leave it: every module's written
    files, the package marker, pytest's settings, ruff's (module 04), the pinned requirements
    (modules 03 and 04) and the int8 ONNX export (module 06). Like `ensure_answers`, it keeps
    the learner's own files. Returns what was written."""
    from launchpad.containers.image import REQUIREMENTS
    from launchpad.paths import link_or_copy
    from launchpad.questions import MODULES
    from launchpad.workflows import dev_requirements

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
    if modules is None or "04" in modules:  # as exercise 04 leaves it: `api` first-party
        from launchpad.workflows import ensure_lint_settings

        pyproject = workspace / "pyproject.toml"
        theirs = pyproject.read_text() if "pyproject.toml" not in written else None
        if ensure_lint_settings(workspace) and theirs is not None:
            backup = backup_folder(workspace) / "pyproject.toml"  # their file, as it was
            backup.parent.mkdir(parents=True, exist_ok=True)
            backup.write_text(theirs)
            written.append("pyproject.toml")
    onnx = workspace / "onnx"
    if not (onnx / "model.onnx").exists() and (modules is None or "06" in modules):
        from launchpad.model.onnx_export import ensure_onnx
        from launchpad.model.source import resolve

        shutil.copytree(
            ensure_onnx(resolve().path), onnx, dirs_exist_ok=True, copy_function=link_or_copy
        )
        written.append("onnx/")
    return written
