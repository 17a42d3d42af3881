"""An exercise notebook as the corpus runner walks it: which cells answer which question, where
each question is checked, and what a case's answer turns a cell into.

A cell answers the questions its twin in the solution notebook names in its `### BEGIN SOLUTION
qK` markers (the generator keeps cell ids, so the twin is found by id). That is sharper than
"the cells above `qK.check()`": `api/main.py` in exercise 02 answers questions 2 to 5, and
questions 3 to 5 have no answer cell of their own.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from launchpad.authoring.corpus.cases import Case, CorpusError
from launchpad.authoring.generate import clear_solutions
from launchpad.authoring.solutions import BEGIN, END, block_questions, without_markers

CHECK_CELL = re.compile(r"q(\d+)\.check\(\)")
PLAIN, ANSWER, CHECK = "plain", "answer", "check"


@dataclass(frozen=True)
class Cell:
    index: int
    kind: str  # PLAIN, ANSWER or CHECK
    source: str  # as in the exercise notebook
    solution: str = ""  # the twin in the solution notebook, markers and all (ANSWER)
    questions: tuple[int, ...] = ()  # what it answers (ANSWER) or checks (CHECK)

    @property
    def writes_file(self) -> bool:
        return self.source.startswith("%%writefile")


@dataclass
class Plan:
    module: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def questions(self) -> list[int]:
        return [c.questions[0] for c in self.cells if c.kind == CHECK]

    def answer_cells(self, question: int) -> list[Cell]:
        return [c for c in self.cells if c.kind == ANSWER and question in c.questions]

    def blocks(self, question: int) -> int:
        """How many solution blocks answer `question`, over all its cells."""
        return sum(
            question in block_questions(line)
            for cell in self.answer_cells(question)
            for line in cell.solution.split("\n")
            if line.strip().startswith(BEGIN)
        )

    def validate(self, case: Case) -> None:
        """A case must fit the notebook: its question is checked here, and it gives one answer
        per answer cell (`code`) or per block (`block`)."""
        if case.question not in self.questions:
            raise CorpusError(
                f"{case.name}: exercise {self.module} has no q{case.question}.check() cell"
            )
        cells, blocks = self.answer_cells(case.question), self.blocks(case.question)
        if case.code and len(case.code) != len(cells):
            raise CorpusError(
                f"{case.name}: q{case.question} has {len(cells)} answer cell(s); `code` gives "
                f"{len(case.code)}"
            )
        if case.block and len(case.block) != blocks:
            raise CorpusError(
                f"{case.name}: q{case.question} has {blocks} solution block(s); `block` gives "
                f"{len(case.block)}"
            )

    def case_sources(self, case: Case) -> list[str]:
        """The cells the case runs in place of the question's answer cells."""
        if case.code:
            return [
                _as_cell(cell, code)
                for cell, code in zip(self.answer_cells(case.question), case.code, strict=True)
            ]
        if case.block:
            given = list(case.block)
            return [with_blocks(c, case.question, given) for c in self.answer_cells(case.question)]
        return []


def read_plan(repo: Path, module: str) -> Plan:
    """The plan of `exercises/NN-*.ipynb` in the repository (or clone) at `repo`."""
    [exercise] = (repo / "exercises").glob(f"{module}-*.ipynb")
    solution = repo / "solutions" / exercise.name
    twins = {c.get("id"): c for c in nbformat.read(solution, as_version=4).cells}
    plan = Plan(module)
    for index, cell in enumerate(nbformat.read(exercise, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        twin = twins.get(cell.get("id"))
        answers = _answered(twin.source) if twin is not None else ()
        # A whole-cell block becomes `# YOUR CODE HERE` alone: an answer cell all the same.
        if _only_comments(cell.source) and not answers:
            continue
        check = CHECK_CELL.fullmatch(cell.source.strip())
        if check:
            plan.cells.append(Cell(index, CHECK, cell.source, questions=(int(check[1]),)))
        elif answers:
            plan.cells.append(Cell(index, ANSWER, cell.source, twin.source, answers))
        else:
            plan.cells.append(Cell(index, PLAIN, cell.source))
    return plan


def solution_source(cell: Cell) -> str:
    """The answer cell as the solution notebook has it (what later questions build on)."""
    return without_markers(cell.solution)


def with_blocks(cell: Cell, question: int, given: list[str | None]) -> str:
    """The cell with `question`'s blocks replaced by the next of `given` (consumed in order;
    None keeps the solution's), the blocks of earlier questions as solved, the later ones as
    their stubs. A block is written for the first question it names: `q2 q5` is solved by q3."""
    out: list[str] = []
    lines = iter(cell.solution.split("\n"))
    for line in lines:
        if not line.strip().startswith(BEGIN):
            out.append(line)
            continue
        numbers = block_questions(line)
        body = []
        for inner in lines:
            if inner.strip() == END:
                break
            body.append(inner)
        replacement = given.pop(0) if question in numbers else None
        if replacement is not None:
            indent = line[: len(line) - len(line.lstrip())]
            out += textwrap.indent(textwrap.dedent(replacement).strip("\n"), indent).split("\n")
        elif question in numbers or min(numbers) < question:
            out += body
        else:  # still to come: the generator's stub
            out += [line, *body, f"{line[: len(line) - len(line.lstrip())]}{END}"]
    return clear_solutions("\n".join(out))


def _as_cell(cell: Cell, code: str) -> str:
    """A case's `code` as the cell it replaces: for a %%writefile cell, the file's content."""
    if cell.writes_file and not code.lstrip().startswith("%%"):
        return cell.source.split("\n", 1)[0] + "\n" + code
    return code


def _answered(source: str) -> tuple[int, ...]:
    numbers = {
        n
        for line in source.split("\n")
        if line.strip().startswith(BEGIN)
        for n in block_questions(line)
    }
    return tuple(sorted(numbers))


def _only_comments(source: str) -> bool:
    """Hint and solution cells (`# q1.hint()`): nothing runs in them."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in source.split("\n"))
