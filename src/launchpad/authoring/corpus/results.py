"""What a corpus run found: per case the verdict it got and whether that is the one expected;
per module the counts and the verdict accuracy; and the table `make test` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from launchpad.authoring.corpus.cases import RIGHT, Case

COURSE_BUG = "bug in the course"
CRASHED, TIMEOUT = "crashed", "timeout"  # statuses of a case that gave no verdict


@dataclass(frozen=True)
class CaseResult:
    case: Case
    status: str  # correct, incorrect, not_attempted; CRASHED, TIMEOUT; or none
    message: str
    cell_error: str = ""  # the case's own cell raised this (a learner sees it too)
    seconds: float = 0.0
    silence: float = 0.0  # the longest stretch the check cell showed nothing

    @property
    def right_verdict(self) -> bool:
        """Did the check judge this answer as the corpus says it should?"""
        if COURSE_BUG in self.message:
            return False
        if self.case.feedback_not and self.case.feedback_not in self.message:
            return False
        if self.case.verdict == RIGHT:
            return self.status == "correct" and self.case.feedback in self.message
        return self.status == "incorrect" and self.case.feedback in self.message

    @property
    def as_expected(self) -> bool:
        """A right verdict, or a known wrong one that is still wrong (when a fix makes a
        `known_wrong` case pass, this is False: remove the mark)."""
        return self.right_verdict != bool(self.case.known_wrong)

    def describe(self) -> str:
        expected = "Correct" if self.case.verdict == RIGHT else f"Not yet, {self.case.feedback!r}"
        if self.case.feedback_not:
            expected += f" and not {self.case.feedback_not!r}"
        got = f"{self.status}: {_short(self.message, 400)}"
        notes = [f"its cell raised {_short(self.cell_error)}"] if self.cell_error else []
        if self.case.known_wrong:
            state = "now right: remove known_wrong" if self.right_verdict else "still wrong"
            notes.append(f"known wrong ({self.case.known_wrong}), {state}")
        extra = f" [{'; '.join(notes)}]" if notes else ""
        return f"{self.case.name}: expected {expected}; got {got}{extra}"


@dataclass
class ModuleResult:
    module: str
    results: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, verdict: str) -> int:
        return sum(r.case.verdict == verdict for r in self.results)

    @property
    def accuracy(self) -> float:
        """The share of cases the checks judge as the corpus says, known wrong ones included."""
        return sum(r.right_verdict for r in self.results) / max(len(self.results), 1)

    @property
    def known_wrong(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.known_wrong]

    @property
    def unexpected(self) -> list[CaseResult]:
        return [r for r in self.results if not r.as_expected]

    @property
    def longest_silence(self) -> float:
        return max((r.silence for r in self.results), default=0.0)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(modules: list[ModuleResult]) -> str:
    """The corpus size and the verdict accuracy, one row per module and a total."""
    rows = [
        (
            m.module,
            m.count(RIGHT),
            len(m.results) - m.count(RIGHT),
            f"{m.accuracy:.1%}",
            len(m.known_wrong),
            f"{m.longest_silence:.0f} s",
            f"{m.seconds:.0f} s",
        )
        for m in modules
    ]
    every = [r for m in modules for r in m.results]
    right = sum(r.case.verdict == RIGHT for r in every)
    accuracy = sum(r.right_verdict for r in every) / max(len(every), 1)
    total = sum(m.seconds for m in modules)
    known = sum(1 for r in every if r.case.known_wrong)
    silence = max((m.longest_silence for m in modules), default=0.0)
    rows.append(
        (
            "all",
            right,
            len(every) - right,
            f"{accuracy:.1%}",
            known,
            f"{silence:.0f} s",
            f"{total:.0f} s",
        )
    )
    header = (
        "module",
        "right cases",
        "wrong cases",
        "accuracy",
        "known wrong",
        "longest silence",
        "time",
    )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    head = "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))
    return "\n".join([head, *lines[:-1], "-" * len(head), lines[-1]])


def known_wrong_report(modules: list[ModuleResult]) -> str:
    """The wrong verdicts the course gives today, one line each."""
    lines = [f"- {r.describe()}" for m in modules for r in m.known_wrong]
    return "Known wrong verdicts (issue 18):\n" + "\n".join(lines) if lines else ""
