"""The capstone audit: every earlier check, run again where it can run, reported from the
learner's recorded progress where it cannot.

Each question declares what it reads (`launchpad.checks.question`), and that says where its
evidence is: a check that needs a Docker engine builds and runs the image (minutes, so only when
asked); a check that reads names of the exercise notebook can run only in that notebook's
kernel; any other check reads the workspace alone and runs again now.
"""

from __future__ import annotations

import os
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from launchpad.checks import DOCKER, Question
from launchpad.paths import REPO_ROOT, using_workspace

CAPSTONE = "09"

# Where a check finds what it checks.
WORKSPACE, NOTEBOOK, ENGINE = "workspace", "notebook", "engine"

# What a row of the audit says.
PASSED, FAILS, MISSING = "passed now", "fails now", "missing"
RECORDED, NOT_RECORDED = "recorded", "not recorded"
MARKS = {PASSED: "✓", FAILS: "✗", MISSING: "·", RECORDED: "●", NOT_RECORDED: "○"}
LEGEND = (
    "✓ re-verified now · ✗ fails now · · missing from the workspace · "
    "● passed in its notebook (recorded) · ○ not recorded yet"
)
# From this many checks with nothing to check, the learner most likely started the course at a
# later module (issue 18: one who starts at 07 saw 19 of them): the report says how to fill in
# the earlier modules' files.
MANY_MISSING = 5
FILL_IN = (
    "Started the course at a later module? `ensure_project(workspace_dir())` (from "
    "`launchpad.authoring.reference`) writes the course's reference answers where your files are "
    "missing or unfinished, and keeps every file you finished; the audit then checks the "
    "course's answers for those modules, not your own work."
)
# How long the slow modules' checks take, measured here on a 2-core machine with other work
# running (the whole audit: 95 s; the others take a few seconds each).
USUALLY = {"01": "10 s", "02": "40 s", "04": "30 s", "05": "8 s"}


# --8<-- [start:evidence]
def evidence(question: Question) -> str:
    """Where a check's evidence is, as its question declares: an image built on a Docker
    engine, the exercise notebook's names (only its kernel has them), or the workspace alone
    (it can run again now)."""
    if DOCKER in question.needs:
        return ENGINE
    return NOTEBOOK if question.names else WORKSPACE


# --8<-- [end:evidence]


def module_titles() -> dict[str, str]:
    """{module: title}: the one place the capstone reads the course's titles."""
    from launchpad.questions import MODULES  # TRANSITION: the course manifest will have them

    return {module: title for module, (title, _) in MODULES.items()}


def earlier_modules() -> dict[str, tuple[str, list[Question]]]:
    """{module: (title, questions)} for every module before the capstone, in course order."""
    from launchpad.questions import module_ids, questions_of

    titles = module_titles()
    return {m: (titles[m], questions_of(m)) for m in module_ids() if m < CAPSTONE}


def exercise_notebook(module: str) -> str:
    found = sorted((REPO_ROOT / "solutions").glob(f"{module}-*.ipynb"))
    return f"exercises/{found[0].name}" if found else f"exercise {module}"


@dataclass(frozen=True)
class Row:
    """One earlier check: where its evidence is, what it says now, and what to do next."""

    module: str
    number: int
    evidence: str
    status: str
    message: str = ""
    recorded: str = ""  # ISO time the learner first passed it, if recorded

    @property
    def name(self) -> str:
        return f"{self.module} q{self.number}"

    @property
    def good(self) -> bool:
        return self.status in (PASSED, RECORDED)

    @property
    def next_step(self) -> str:
        where = f"{exercise_notebook(self.module)}, question {self.number}"
        if self.status == FAILS:
            return f"fix it: {self.message} (open {where}; q{self.number}.hint() helps)"
        if self.status == MISSING:
            return f"write it: {self.message} (open {where})"
        if self.status == NOT_RECORDED:
            return waiting_step(self.module, [self.number], self.evidence)
        return ""


def waiting_step(module: str, numbers: list[int], kind: str) -> str:
    """What to do about checks the audit cannot run again: pass them where they can run."""
    names = " ".join(f"q{n}.check()" for n in numbers)
    where = exercise_notebook(module)
    if kind == ENGINE:
        return (
            f"pass {names} in {where} with a Docker engine (they build and run your image), "
            "or run audit(engine=True)"
        )
    return f"pass {names} in {where}: they check what you define in that notebook"


@dataclass
class Report:
    """The capstone audit of one workspace."""

    workspace: Path
    started: datetime
    seconds: float
    modules: dict[str, str]  # module -> title, the modules audited
    rows: list[Row] = field(default_factory=list)
    engine: bool = False

    def of(self, module: str) -> list[Row]:
        return [row for row in self.rows if row.module == module]

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def problems(self) -> list[Row]:
        """Checks that ran again now and did not pass: what stands between the workspace and
        a portfolio."""
        return [row for row in self.rows if row.status in (FAILS, MISSING)]

    @property
    def fill_in(self) -> str:
        """How to fill in earlier modules, when the report suggests the learner skipped them."""
        return FILL_IN if self.count(MISSING) >= MANY_MISSING else ""

    @property
    def green(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        """Every earlier module was audited."""
        return set(self.modules) == set(earlier_modules())

    @property
    def rerun(self) -> int:
        """How many checks were run again now, on the workspace's files."""
        return sum(row.status in (PASSED, FAILS, MISSING) for row in self.rows)

    def headline(self) -> str:
        rerun = self.rerun
        known = len(self.rows) - rerun
        return (
            f"{self.count(PASSED)} of {rerun} checks that read only the workspace pass now; "
            f"{self.count(RECORDED)} of {known} that read a notebook or need an image build "
            "are recorded as passed."
        )

    def __str__(self) -> str:
        width = max(len(f"{m} {t}") for m, t in self.modules.items())
        lines = ["Capstone audit: " + self.headline()]
        for module, title in self.modules.items():
            marks = " ".join(f"q{r.number}{MARKS[r.status]}" for r in self.of(module))
            lines.append(f"{module + ' ' + title:<{width}}  {marks}")
        lines.append(LEGEND)
        steps = []
        if self.fill_in:  # first: it answers most of the lines below at once
            steps.append(f"- {self.count(MISSING)} checks find nothing to check. {self.fill_in}")
        for module in self.modules:
            rows = self.of(module)
            steps += [f"- {r.name}: {r.next_step}" for r in rows if r.status in (FAILS, MISSING)]
            for kind in (NOTEBOOK, ENGINE):
                waiting = [r for r in rows if r.status == NOT_RECORDED and r.evidence == kind]
                if waiting:
                    step = waiting_step(module, [r.number for r in waiting], kind)
                    why = waiting[0].message  # audit(engine=True) could not run them
                    steps.append(f"- {module}: {step}" + (f" ({why})" if why else ""))
        if steps:
            lines += ["Next steps:", *steps]
        return "\n".join(lines)

    __repr__ = __str__


def absolute(workspace: str | os.PathLike | None) -> Path | None:
    """`workspace` as an absolute path: checks run tools in other folders (`make` in the
    workspace), where `../workspace` would name something else."""
    return None if workspace is None else Path(workspace).expanduser().resolve()


# --8<-- [start:audit]
def audit(
    workspace: str | os.PathLike | None = None,
    modules: tuple[str, ...] | None = None,
    engine: bool = False,
) -> Report:
    """Run every earlier check that reads only the workspace, now; report the others from the
    learner's recorded progress. `engine=True` also runs the checks that build and run the
    image (a Docker engine, and minutes)."""
    from launchpad.progress import store

    chosen = {m: entry for m, entry in earlier_modules().items() if modules is None or m in modules}
    kinds = (WORKSPACE, ENGINE) if engine else (WORKSPACE,)  # the evidence it can check now
    started, clock = datetime.now(UTC), time.perf_counter()
    with using_workspace(absolute(workspace)) as folder:
        recorded = store.load()
        rows = []
        for module, (_, questions) in chosen.items():
            again = [q for q in questions if evidence(q) in kinds]
            with saying(module, len(again)):  # a line per module: it takes a minute or two
                rows += [audit_row(q, q in again, recorded) for q in questions]
    titles = {m: title for m, (title, _) in chosen.items()}
    return Report(folder, started, time.perf_counter() - clock, titles, rows, engine)


def audit_row(question: Question, again: bool, recorded: dict) -> Row:
    """A check run again now, or looked up in the recorded progress."""
    module, number, kind = question.module, question.number, evidence(question)
    passed_at = str(recorded.get(module, {}).get(f"q{number}", ""))
    if not again:
        return Row(module, number, kind, RECORDED if passed_at else NOT_RECORDED, "", passed_at)
    result = question.evaluate({})
    if kind == ENGINE and result.status == "not_attempted":  # no engine: what was recorded
        status = RECORDED if passed_at else NOT_RECORDED
        return Row(module, number, kind, status, result.message, passed_at)
    status = {"correct": PASSED, "incorrect": FAILS}.get(result.status, MISSING)
    return Row(module, number, kind, status, result.message, passed_at)


# --8<-- [end:audit]


def saying(module: str, checks: int) -> AbstractContextManager:
    """What the audit is doing, said as it goes (`launchpad.checks.progress`)."""
    from launchpad.checks.progress import step

    if not checks:
        return nullcontext()
    which = "its check" if checks == 1 else f"its {checks} checks"
    usually = f"{USUALLY[module]} on a 2-core laptop" if module in USUALLY else ""
    return step(f"Module {module}: running {which} on your files again", usually)
