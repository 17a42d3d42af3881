"""An exercise notebook, untouched, runs top to bottom, and every check says "not attempted"."""

from __future__ import annotations

import re

import nbformat
import pytest

from launchpad.authoring.execute import course_environment, execute, output_text
from launchpad.paths import REPO_ROOT

EXERCISES = sorted((REPO_ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_untouched_exercise_runs_and_reports_not_attempted(path):
    notebook = nbformat.read(path, as_version=4)
    with course_environment():
        execute(notebook, cwd=path.parent, allow_errors=True)
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    checks = [
        c
        for c in notebook.cells
        if c.cell_type == "code" and re.fullmatch(r"q\d+\.check\(\)", c.source.strip())
    ]
    assert checks, f"{path.name} has no q.check() cells"
    for cell in checks:
        said = "".join(output_text(o) for o in cell.outputs)
        assert "Not attempted yet" in said, f"{path.name}: {cell.source} said {said!r}"
