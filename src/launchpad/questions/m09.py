"""Module 09 — Capstone and career. The audit of the whole workspace, the portfolio repository
written from it, and a pitch whose every number comes from a measured figure.

The audit and the portfolio are `launchpad.capstone`'s; the checks hold what the learner made
with them to the same real tools: the report must cover every earlier module and show nothing
failing or missing, the portfolio is linted again (ruff, YAML, actionlint, hadolint) and its
README must carry the figures measured for it.
"""

from __future__ import annotations

import re

from launchpad.capstone import (
    FAILS,
    PIECES,
    RECORDED,
    Portfolio,
    Report,
    audit,
    build_portfolio,
    check_portfolio,
    checklist,
    earlier_modules,
    exercise_notebook,
)
from launchpad.checks import Answers, Incorrect, ____, expect, question
from launchpad.paths import workspace_dir

# ---- Question 1: the audit ------------------------------------------------------------------


@question(
    "09",
    1,
    hints=[
        "`audit()` runs every earlier check that reads only your workspace, and reads your "
        "recorded progress for the others: `report = audit()`.",
        "If a row fails or is missing, its 'Next steps' line names the exercise and question: fix "
        "the file there, then run `report = audit()` again.",
    ],
    solution="report = audit()",
)
def q1(answers: Answers):
    report = answers.value("report")
    expect(
        isinstance(report, Report),
        f"`report` should be what audit() returns, not a {type(report).__name__}.",
    )
    expect(
        report.workspace == workspace_dir(),
        f"This report is of {report.workspace}, not of your workspace: run audit() without a "
        "workspace argument.",
    )
    expect(
        report.complete,
        f"This report covers module(s) {', '.join(report.modules)} only: run audit() without "
        "`modules`, so that every earlier module is checked.",
    )
    problems = report.problems
    if problems:
        first = problems[0]
        said = "fails now" if first.status == FAILS else "finds nothing to check"
        raise Incorrect(
            f"{len(problems)} check(s) on your workspace do not pass now; the first: {first.name} "
            f"{said}: {first.message} Fix it in {exercise_notebook(first.module)}, then run "
            "audit() again."
        )
    rerun = report.rerun
    known = len(report.rows) - rerun
    return (
        f"All {rerun} checks that read your workspace pass now, with the same tools as in their "
        f"modules. {report.count(RECORDED)} of the {known} that read a notebook or build an image "
        "are recorded as passed: the report's 'Next steps' lists the others."
    )


# ---- Question 2: the portfolio --------------------------------------------------------------


@question(
    "09",
    2,
    hints=[
        "`build_portfolio(PORTFOLIO, report=report)` copies your project into PORTFOLIO, writes "
        "its README and runs its tests; it returns what it did.",
        "If it wrote nothing, print it: it lists each missing or unfinished piece and the "
        "exercise that makes it.",
    ],
    solution="portfolio = build_portfolio(PORTFOLIO, report=report)",
)
def q2(answers: Answers):
    portfolio = answers.value("portfolio")
    expect(
        isinstance(portfolio, Portfolio),
        f"`portfolio` should be what build_portfolio() returns, not a {type(portfolio).__name__}.",
    )
    if not portfolio.written:
        raise Incorrect(
            str(portfolio).replace("\n- ", " · ").replace(":\n", ": ")
            + (" Finish those, then build it again." if portfolio.missing else "")
        )
    folder = portfolio.folder
    readme = folder / "README.md"
    expect(readme.is_file(), f"{folder} has no README.md any more: build the portfolio again.")
    absent = [piece.path for piece in PIECES if not (folder / piece.path).is_file()]
    expect(not absent, f"The portfolio has no {', '.join(absent[:3])}: build it again.")
    problems = check_portfolio(folder)
    expect(
        not problems,
        f"The portfolio would not stand on its own: {len(problems)} problem(s), the first: "
        f"{problems[0] if problems else ''} Fix it in the workspace, then build it again.",
    )
    tests = portfolio.tests
    expect(
        tests is not None,
        "The portfolio's tests were not run (run_tests=False): a repository you publish should "
        "show that its tests pass. Build it with the default run_tests=True.",
    )
    expect(
        tests.returncode == 0 and tests.passed > 0,
        f"The portfolio's own tests say: {tests.summary}. Run `make test` in {folder.name}/ "
        "to see why: its tests must pass without the course, as in a fresh clone.",
    )
    text = readme.read_text()
    expect("```mermaid" in text, "The README has no architecture diagram: build it again.")
    expect(
        any(f.name.startswith("course checks re-verified") for f in portfolio.figures),
        "The README does not say what the audit re-verified: pass the report, "
        "build_portfolio(PORTFOLIO, report=report).",
    )
    lost = [f for f in portfolio.figures if f"| {f.value} |" not in text.replace("\\|", "|")]
    expect(
        not lost,
        f"The README no longer shows the figure '{lost[0].name if lost else ''}' that was "
        "measured for it: edit the prose, not the figures; build it again to measure anew.",
    )
    return (
        f"{folder.name}/ stands on its own: {len(portfolio.files)} files, its `make test` "
        f"({tests.summary}) passes with the course's packages out of reach, ruff, YAML, "
        "actionlint and hadolint find nothing, and its README has the diagram and the measured "
        "figures, each with its source and date."
    )


# ---- Question 3: the pitch ------------------------------------------------------------------

MAX_WORDS = 80
MIN_WORDS = 20
STAGES = {
    "the API": ("api", "fastapi", "service"),
    "the container": ("container", "docker", "image"),
    "CI/CD": ("ci", "ci/cd", "github actions", "pipeline"),
    "the deployment": ("cloud run", "kubernetes", "deploy", "deployed", "deployment"),
    "scaling": ("onnx", "int8", "batching", "autoscal"),
    "monitoring": ("prometheus", "alert", "alerts", "drift", "monitoring"),
}
# A number on its own: not the 50 of p50, the 8 of int8 or k8s, nor part of a version.
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


def numbers_in(text: str) -> list[str]:
    return [n.replace(",", "") for n in NUMBER.findall(text)]


def _named(pitch: str) -> list[str]:
    lower = pitch.lower()
    return [
        stage
        for stage, words in STAGES.items()
        if any(re.search(rf"(?<![a-z]){re.escape(w)}", lower) for w in words)
    ]


@question(
    "09",
    3,
    hints=[
        "Say what you built and how it runs in production, in 20 to 80 words, and quote figures "
        "from `portfolio.figures`: `portfolio.figure('p50').value`, "
        "`portfolio.figure('accuracy, movies').value`.",
        "Every number must be one of your measured figures: write them with an f-string from "
        "`portfolio.figures` rather than typing them.",
    ],
    solution="""latency = portfolio.figure("p50 latency").value
accuracy = portfolio.figure("accuracy, movies").value
tests = portfolio.figure("tests").value
pitch = (
    "I took a pretrained sentiment model to production: a FastAPI service with health checks "
    "and input limits, a non-root Docker image, a GitHub Actions pipeline that lints, tests and "
    "pushes it, Cloud Run and Kubernetes descriptors, an int8 ONNX export and Prometheus alerts. "
    f"It answers in {latency} (p50) with {accuracy} accuracy on held-out film reviews; "
    f"tests: {tests}."
)""",
)
def q3(answers: Answers):
    pitch = answers.value("pitch")
    portfolio = answers.value("portfolio")
    expect(
        isinstance(portfolio, Portfolio) and portfolio.written,
        "Build the portfolio first (question 2): the pitch quotes its figures.",
    )
    expect(isinstance(pitch, str), f"`pitch` should be text, not a {type(pitch).__name__}.")
    words = len(pitch.split())
    expect(
        words >= MIN_WORDS,
        f"Your pitch has {words} words: say what you built, how it runs and one measured result.",
    )
    expect(
        words <= MAX_WORDS,
        f"Your pitch has {words} words: a reader gives it ten seconds. Keep it under {MAX_WORDS}.",
    )
    measured = {
        n for figure in portfolio.figures for n in numbers_in(f"{figure.name} {figure.value}")
    }
    quoted = numbers_in(pitch)
    invented = [n for n in quoted if n not in measured]
    shown = ", ".join(f"{f.value} ({f.name})" for f in portfolio.figures[:4])
    expect(
        not invented,
        f"Where does {invented[0] if invented else ''} come from? It is none of your measured "
        f"figures ({shown}, ...): quote them from portfolio.figures, never from memory.",
    )
    expect(
        quoted,
        "Your pitch has no figure: quote at least one measured figure (a latency, an accuracy, "
        "the tests) from portfolio.figures.",
    )
    named = _named(pitch)
    expect(
        len(named) >= 3,
        f"Your pitch names {', '.join(named) or 'none'} of the steps: name at least three of "
        f"{', '.join(STAGES)}, so a reader sees the whole path to production.",
    )
    portfolio.add_pitch(pitch)
    return (
        f"{words} words, {len(quoted)} figure(s), all measured, and {len(named)} steps named: it "
        f"now opens {portfolio.folder.name}/README.md."
    )


QUESTIONS = [q1, q2, q3]
__all__ = [
    "____",
    "audit",
    "build_portfolio",
    "checklist",
    "earlier_modules",
    "q1",
    "q2",
    "q3",
]
