"""`qN.solution()` shows the solution notebook's own code: each block names its questions, and no
solution text is written a second time in a question's file."""

from __future__ import annotations

import re

import pytest

from launchpad.authoring.solutions import solution_blocks, solution_notebook
from launchpad.paths import REPO_ROOT
from launchpad.questions import questions_by_module

MODULES = questions_by_module()
QUESTION_FILES = sorted((REPO_ROOT / "src" / "launchpad" / "questions").rglob("*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_every_block_answers_a_question_that_exists_and_every_question_has_one(module):
    blocks = solution_blocks(solution_notebook(module))
    numbers = {q.number for q in MODULES[module]}
    assert set(blocks) == numbers, f"module {module}: tags {sorted(blocks)}, questions {numbers}"


def _windows(code: str, size: int = 3) -> set[tuple[str, ...]]:
    """Runs of `size` consecutive non-blank lines, stripped, long enough to be more than
    boilerplate (a `return` or a closing bracket is not a copy)."""
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    runs = (tuple(lines[i : i + size]) for i in range(len(lines) - size + 1))
    return {run for run in runs if sum(len(line) for line in run) > 60}


def test_no_solution_text_is_written_twice():
    solution_runs = {
        run
        for module in MODULES
        for cells in solution_blocks(solution_notebook(module)).values()
        for cell in cells
        for run in _windows(re.sub(r"^%%writefile.*\n", "", cell))
    }
    copies = [
        f"{path.relative_to(REPO_ROOT)}: {' / '.join(run)}"
        for path in QUESTION_FILES
        for run in _windows(path.read_text()) & solution_runs
    ]
    assert not copies, "solution code copied into a question file:\n" + "\n".join(copies)


def test_the_check_finds_a_copy(tmp_path):
    """The test above can fail: three lines of a solution pasted into a file are found."""
    cell = solution_blocks(solution_notebook("01"))[2][0]
    pasted = "\n".join(cell.splitlines()[:6])
    assert _windows(pasted) & _windows(cell)
