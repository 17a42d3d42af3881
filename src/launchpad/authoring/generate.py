"""Generate exercise notebooks from solution notebooks (nbgrader's single-source idea).

A solution notebook is the only source of an exercise. In its code cells, the lines between
`### BEGIN SOLUTION qN` (N: the question the block answers) and `### END SOLUTION` are the
answer; the generator replaces them with a stub (nbgrader's `ClearSolutions` does the same):

- a block of plain assignments (`clf = pipeline(...)`) becomes `clf = ____  # your code here`, so
  the learner sees which name to fill in and the cell still runs;
- in a class body, a block keeps only its fields' annotations (`text: str  # your code here`), or
  becomes `pass`: the class body runs when its file is imported, so a stub that raised there
  would stop the whole file (and everything importing it) until the question is done;
- any other block becomes `# YOUR CODE HERE` and, inside a function, `raise NotImplementedError`,
  which the checks report as "not attempted yet" when they call it (elsewhere, `pass` where a
  statement is needed);
- in a `%%writefile` cell for a file that is not Python (a Makefile, YAML, a Dockerfile), a block
  becomes the comment `# YOUR CODE HERE` alone, so the file stays valid.

Cells tagged `solution-only` (self-tests of the checks, notes for maintainers) are dropped, and
outputs are cleared. The output is deterministic, so a test can regenerate and compare.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable
from pathlib import Path

import nbformat

from launchpad.authoring.solutions import BEGIN, END, block_questions

SOLUTION_ONLY = "solution-only"
STUB_NOTE = "your code here"
NOT_IMPLEMENTED = 'raise NotImplementedError("Replace this line with your code.")'
# Where a solution block sits: what its stub may do depends on when that code runs.
FUNCTION, CLASS, MODULE = "function", "class", "module"


class GenerationError(ValueError):
    """A solution notebook is malformed (unbalanced markers, for example)."""


def clear_solutions(source: str, where: str = "cell") -> str:
    """Replace every solution block in one cell's source with its stub."""
    lines = source.split("\n")
    python = not (lines[0].startswith("%%writefile") and not lines[0].rstrip().endswith(".py"))
    scopes = _scopes(lines) if python else None
    out: list[str] = []
    block: list[str] | None = None
    indent, scope = "", MODULE
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            block_questions(stripped, f"{where}, line {number}")
            if block is not None:
                raise GenerationError(f"{where}, line {number}: nested {BEGIN}")
            block, indent = [], line[: len(line) - len(line.lstrip())]
            if scopes is not None:
                scope = scopes(number)
            elif python and indent:
                raise GenerationError(
                    f"{where}, line {number}: the cell is not valid Python, so the stub's place "
                    "(a function, a class) cannot be told"
                )
        elif stripped == END:
            if block is None:
                raise GenerationError(f"{where}, line {number}: {END} without {BEGIN}")
            out += _stub(block, indent, scope) if python else [f"{indent}# YOUR CODE HERE"]
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise GenerationError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def _scopes(lines: list[str]) -> Callable[[int], str] | None:
    """Where a line of this cell is (FUNCTION, CLASS or MODULE: the innermost definition that
    encloses it), or None if the cell is not valid Python. IPython's magic lines are blanked."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    kinds = {ast.FunctionDef: FUNCTION, ast.AsyncFunctionDef: FUNCTION, ast.ClassDef: CLASS}
    spans = sorted(
        (node.lineno, node.end_lineno or node.lineno, kinds[type(node)])
        for node in ast.walk(tree)
        if type(node) in kinds
    )

    def scope(number: int) -> str:
        inside = [kind for first, last, kind in spans if first < number <= last]
        return inside[-1] if inside else MODULE  # sorted by start: the last is the innermost

    return scope


def _stub(block: list[str], indent: str, scope: str) -> list[str]:
    code = textwrap.dedent("\n".join(block))
    if scope == CLASS:
        return [f"{indent}{line}" for line in _class_body_stub(code)]
    names = _assigned_names(code)
    if names:
        return [f"{indent}{name} = ____  # {STUB_NOTE}" for name in names]
    stub = [f"{indent}# YOUR CODE HERE"]
    if scope == FUNCTION:  # a call reaches it: the check says "not attempted"
        stub.append(f"{indent}{NOT_IMPLEMENTED}")
    elif indent:  # an `if` or `for` body at the top level still needs a statement
        stub.append(f"{indent}pass")
    return stub


def _class_body_stub(code: str) -> list[str]:
    """The block's field annotations without their values (`text: str`), so decorators that
    name a field (pydantic's `field_validator("text")`) still find it; else `pass`."""
    statements = ast.parse(code).body
    fields = [
        f"{ast.get_source_segment(code, s.target)}: "
        f"{ast.get_source_segment(code, s.annotation)}  # {STUB_NOTE}"
        for s in statements
        if isinstance(s, ast.AnnAssign)
    ]
    rest = ["# YOUR CODE HERE"] if len(fields) < len(statements) else []
    return fields + rest + ([] if fields else ["pass"])


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
