"""Generate exercise notebooks from solution notebooks (nbgrader's single-source idea).

A solution notebook is the only source of an exercise. In its code cells, the lines between
`### BEGIN SOLUTION qN` (N: the question the block answers) and `### END SOLUTION` are the
answer; the generator replaces them with a stub (nbgrader's `ClearSolutions` does the same):

- a block of plain assignments (`clf = pipeline(...)`) becomes `clf = ____  # your code here`, so
  the learner sees which name to fill in and the cell still runs;
- any other block becomes `# YOUR CODE HERE` and, inside a function, `raise NotImplementedError`,
  which the checks report as "not attempted yet";
- in a `%%writefile` cell for a file that is not Python (a Makefile, YAML, a Dockerfile), a block
  becomes the comment `# YOUR CODE HERE` alone, so the file stays valid.

Cells tagged `solution-only` (self-tests of the checks, notes for maintainers) are dropped, and
outputs are cleared. The output is deterministic, so a test can regenerate and compare.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import nbformat

from launchpad.authoring.solutions import BEGIN, END, block_questions

SOLUTION_ONLY = "solution-only"
STUB_NOTE = "your code here"
NOT_IMPLEMENTED = 'raise NotImplementedError("Replace this line with your code.")'


class GenerationError(ValueError):
    """A solution notebook is malformed (unbalanced markers, for example)."""


def clear_solutions(source: str, where: str = "cell") -> str:
    """Replace every solution block in one cell's source with its stub."""
    lines = source.split("\n")
    python = not (lines[0].startswith("%%writefile") and not lines[0].rstrip().endswith(".py"))
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            block_questions(stripped, f"{where}, line {number}")
            if block is not None:
                raise GenerationError(f"{where}, line {number}: nested {BEGIN}")
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if block is None:
                raise GenerationError(f"{where}, line {number}: {END} without {BEGIN}")
            out += _stub(block, indent) if python else [f"{indent}# YOUR CODE HERE"]
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise GenerationError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def _stub(block: list[str], indent: str) -> list[str]:
    names = _assigned_names("\n".join(block))
    if names:
        return [f"{indent}{name} = ____  # {STUB_NOTE}" for name in names]
    stub = [f"{indent}# YOUR CODE HERE"]
    if indent:  # inside a function or class body: make a call say "not attempted"
        stub.append(f"{indent}{NOT_IMPLEMENTED}")
    return stub


def _assigned_names(code: str) -> list[str] | None:
    """The names a block assigns, if the block is nothing but `name = ...` statements."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:  # e.g. a block inside a %%writefile cell's non-Python text
        return None
    names = []
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            return None
        names.append(node.targets[0].id)
    return names or None


def exercise_from_solution(
    solution: nbformat.NotebookNode, name: str = ""
) -> nbformat.NotebookNode:
    """The exercise notebook for one solution notebook."""
    exercise = nbformat.v4.new_notebook(metadata=_clean_metadata(solution.metadata))
    for index, cell in enumerate(solution.cells):
        if SOLUTION_ONLY in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.source
        if cell.cell_type == "code":
            source = clear_solutions(source, where=f"{name} cell {index}")
            new = nbformat.v4.new_code_cell(source)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(source)
        new.id = cell.get("id", new.id)
        tags = cell.get("metadata", {}).get("tags")
        if tags:
            new.metadata["tags"] = tags
        exercise.cells.append(new)
    return exercise


def _clean_metadata(metadata: dict) -> dict:
    return {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
        **({"launchpad": metadata["launchpad"]} if "launchpad" in metadata else {}),
    }


def render(notebook: nbformat.NotebookNode) -> str:
    """Notebook JSON exactly as the generator writes it (for comparisons in tests)."""
    return nbformat.writes(notebook) + "\n"


def generate_all(solutions: Path, out: Path) -> list[Path]:
    """Write `out/<name>.ipynb` for every `solutions/<name>.ipynb`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(solutions.glob("[0-9][0-9]-*.ipynb")):
        solution = nbformat.read(source, as_version=4)
        target = out / source.name
        target.write_text(render(exercise_from_solution(solution, source.name)))
        written.append(target)
    return written
