"""What `qN.solution()` shows: the solution notebook's own code, from its tagged blocks.

In a solution notebook each answer sits between `### BEGIN SOLUTION qN` and `### END SOLUTION`
(one block may serve several questions: `### BEGIN SOLUTION q2 q3`). A question's solution is
every cell holding one of its blocks, shown whole (the function around a block is part of the
answer) with the markers taken out. Nothing is copied: the notebook is the only source.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import nbformat

from launchpad.paths import REPO_ROOT

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
TAG = re.compile(r"q(\d+)")


class SolutionTagError(ValueError):
    """A block names no question, or a name that is not a question."""


def block_questions(marker: str, where: str = "") -> tuple[int, ...]:
    """The question numbers a `### BEGIN SOLUTION q1 q2` line names."""
    tags = marker.strip()[len(BEGIN) :].split()
    numbers = [TAG.fullmatch(tag) for tag in tags]
    if not tags or not all(numbers):
        raise SolutionTagError(
            f"{where}: write the questions a solution block answers after the marker, "
            f"e.g. `{BEGIN} q2` (got `{marker.strip()}`)"
        )
    return tuple(int(n[1]) for n in numbers)


def without_markers(source: str) -> str:
    """`source` as the learner would write it: markers out, and no blank line more than two
    (a marker between blank lines would leave one blank too many, and linters object)."""
    lines = [line for line in source.split("\n") if not line.strip().startswith((BEGIN, END))]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines)).strip("\n")


def solution_notebook(module: str) -> Path:
    [path] = (REPO_ROOT / "solutions").glob(f"{module}-*.ipynb")
    return path


@cache
def solution_blocks(path: Path) -> dict[int, list[str]]:
    """{question number: what answers it}, in notebook order. A cell whose blocks all answer
    the question is shown whole; from a cell shared with other questions (four places in one
    `main.py`), only the question's blocks, each under the line that encloses it."""
    answers: dict[int, list[str]] = {}
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.split("\n")
        blocks = [
            (i, block_questions(line, f"{path.name} cell {index}"))
            for i, line in enumerate(lines)
            if line.strip().startswith(BEGIN)
        ]
        for number in sorted({n for _, numbers in blocks for n in numbers}):
            mine = [i for i, numbers in blocks if number in numbers]
            if len(mine) == len(blocks):
                answers.setdefault(number, []).append(without_markers(cell.source))
            else:
                parts = [_block_in_context(lines, i) for i in mine]
                answers.setdefault(number, []).append("\n# ...\n".join(parts))
    return answers


def _block_in_context(lines: list[str], begin: int) -> str:
    """The block that starts at line `begin`, under the nearest line above it that is less
    indented (its `def`, its YAML key), and that line's decorators."""
    indent = len(lines[begin]) - len(lines[begin].lstrip())
    end = next(i for i in range(begin, len(lines)) if lines[i].strip().startswith(END))
    header = []
    for i in range(begin - 1, -1, -1):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) < indent and not line.startswith("%%"):
            header = [line]
            while i > 0 and lines[i - 1].lstrip().startswith("@"):
                i -= 1
                header.insert(0, lines[i])
            break
    return without_markers("\n".join(header + lines[begin + 1 : end]))


def solution_code(module: str, number: int) -> str:
    cells = solution_blocks(solution_notebook(module)).get(number)
    if not cells:
        return f"(No tagged solution for question {number}: see solutions/ for module {module}.)"
    return "\n\n".join(cells)
