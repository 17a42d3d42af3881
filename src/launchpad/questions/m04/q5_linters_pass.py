"""actionlint, checkov and the course's own rules find nothing in the workflow."""

from __future__ import annotations

from launchpad import workflows
from launchpad.checks import Answers, expect, question
from launchpad.paths import workspace_dir
from launchpad.questions.m04._shared import WORKFLOW, first, workflow


@question(
    files=[str(WORKFLOW)],
    hints=[
        "Pin each action to its full commit SHA and keep the version in a comment: "
        "`uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2`.",
        "Run the linters yourself: `.venv/bin/actionlint workspace/.github/workflows/ci.yml`.",
    ],
)
def linters_find_nothing(answers: Answers):
    from launchpad.linters import actionlint, checkov

    ci = workflow()
    findings = actionlint([ci.path], cwd=workspace_dir())
    expect(not findings, f"actionlint: {findings[0].split(': ', 1)[-1] if findings else ''}")
    first([p for rule in workflows.RULES for p in rule(ci)])
    failed = checkov(ci.path, "github_actions")
    expect(not failed, f"checkov: {failed[0] if failed else ''}")
    return "actionlint, checkov and the course's rules (pins, timeouts, permissions) find nothing."
