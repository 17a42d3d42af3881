"""What several of module 04's questions read: the Makefile, the workflow, and the environment
the learner's tools run in."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from launchpad import workflows
from launchpad.checks import Incorrect, NotAttempted, expect
from launchpad.linters import VENV_BIN
from launchpad.paths import link_or_copy, workspace_dir

WORKFLOW = Path(".github/workflows/ci.yml")
# What a fresh CI checkout would not have: generated or private to this machine.
NOT_COMMITTED = ("build", ".launchpad", "__pycache__", ".pytest_cache", ".ruff_cache")
LINK_ABOVE = 1 << 20  # bytes: larger files in a project copy are hard links (see _copy)


def tool_env() -> dict[str, str]:
    """The environment a terminal with the course's .venv activated would have, without colour
    codes (Jupyter's kernel asks tools for colour; the feedback quotes their plain text)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return {**env, "NO_COLOR": "1", "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"}


def _copy(source: str, target: str) -> None:
    """Copy a file; link a large one (an ONNX model), which no linter or hook rewrites. Hooks
    such as nbstripout and `ruff --fix` edit files in place: through a hard link they would
    rewrite the learner's own."""
    if os.path.getsize(source) > LINK_ABOVE:
        link_or_copy(source, target)
    else:
        shutil.copy2(source, target)


@contextmanager
def project_copy() -> Iterator[Path]:
    """A throwaway copy of the workspace as a CI checkout would have it, for checks that run
    hooks on it or plant bad files in it (`plant`)."""
    with tempfile.TemporaryDirectory(prefix="launchpad-project-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(
            workspace_dir(),
            project,
            ignore=shutil.ignore_patterns(*NOT_COMMITTED),
            copy_function=_copy,
        )
        yield project


def plant(path: Path, text: str) -> None:
    """Write `text` to a file of a `project_copy` without reaching the learner's own file
    through a hard link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_text(text)


def makefile() -> Path:
    path = workspace_dir() / "Makefile"
    if not path.exists():
        raise NotAttempted("There is no Makefile in your workspace yet: run its %%writefile cell.")
    return path


def workflow() -> workflows.Workflow:
    path = workspace_dir() / WORKFLOW
    if not path.exists():
        raise NotAttempted(f"There is no {WORKFLOW} yet: run its %%writefile cell.")
    try:
        loaded = workflows.load(path)
    except workflows.WorkflowError as error:
        if "has no `jobs:`" in str(error):
            raise NotAttempted(f"{WORKFLOW} has no jobs yet.") from error
        raise Incorrect(str(error)) from error
    if not loaded.triggers:
        raise NotAttempted(f"{WORKFLOW} has no `on:` triggers yet.")
    first(workflows.malformed(loaded))
    return loaded


def first(problems: list[str]) -> None:
    """Fail with the first of the reviewer's problems, if there is one."""
    expect(not problems, problems[0] if problems else "")


def first_finding(output: str) -> str | None:
    """A linter's first finding in `output`: the line with its rule code (F401, I001, DL3025)
    and, when ruff prints the location on the next line (`--> tests/test_api.py:3:1`), that
    location in brackets, so the message names the file. None if no line has a rule code."""
    lines = output.strip().splitlines()
    for number, line in enumerate(lines):
        if re.search(r"\b[A-Z]{1,3}\d{3,4}\b", line):
            after = lines[number + 1].strip() if number + 1 < len(lines) else ""
            return line.strip() + (f" ({after.lstrip('-> ')})" if after.startswith("-->") else "")
    return None


def rights(granted: dict | str) -> str:
    """A job's token rights in words, for a message: "no rights at all", "`contents: read`"."""
    if not granted:
        return "no rights at all"
    if isinstance(granted, str):
        return f"`{granted}`"
    return ", ".join(f"`{scope}: {level}`" for scope, level in granted.items())
