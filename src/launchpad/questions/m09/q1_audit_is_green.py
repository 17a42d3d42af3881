"""The audit covers every earlier module of this workspace, and nothing fails or is missing."""

from launchpad.capstone import FAILS, RECORDED, Report, exercise_notebook
from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.paths import workspace_dir


@question(
    names=["report"],
    hints=[
        "`audit()` runs every earlier check that reads only your workspace, and reads your "
        "recorded progress for the others: `report = audit()`.",
        "If a row fails or is missing, its 'Next steps' line names the exercise and question: fix "
        "the file there, then run `report = audit()` again.",
    ],
)
def audit_is_green(answers: Answers):
    report = answers.value("report")
    expect(
        isinstance(report, Report),
        f"`report` should be what audit() returns, not a {type(report).__name__}.",
    )
    expect(
        report.workspace.resolve() == workspace_dir().resolve(),
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
            "audit() again." + (f" {report.fill_in}" if report.fill_in else "")
        )
    rerun = report.rerun
    known = len(report.rows) - rerun
    return (
        f"All {rerun} checks that read your workspace pass now, with the same tools as in their "
        f"modules. {report.count(RECORDED)} of the {known} that read a notebook or build an image "
        "are recorded as passed: the report's 'Next steps' lists the others."
    )
