"""actionlint, checkov and the course's own rules find nothing in the workflow."""

from __future__ import annotations

import re

from launchpad import workflows
from launchpad.checks import Answers, expect, question
from launchpad.checks.progress import step
from launchpad.paths import workspace_dir
from launchpad.questions.m04._shared import WORKFLOW, first, workflow

# Measured here: checkov's start-up is most of it.
CHECKOV_TIME = "3 s on a 2-core laptop"
# actionlint's one-line finding: `ci.yml:24:14: label "x" is unknown. available labels are ...`
FINDING = re.compile(r"^[^:]*:(\d+):\d+: (.*?)(?: \[([\w-]+)\])?$")


def _actionlint_said(finding: str) -> str:
    """The finding with its line, its first sentence only (a label finding lists 40 labels)."""
    match = FINDING.match(finding)
    if not match:
        return finding
    line, text, rule = match.groups()
    sentence = text.split(". ")[0].rstrip(".")
    return f"line {line}: {sentence}" + (f" [{rule}]" if rule else "")


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
    expect(
        not findings,
        "actionlint finds what GitHub would refuse or misrun, after your push: "
        f"{_actionlint_said(findings[0]) if findings else ''}",
    )
    first([p for rule in workflows.RULES for p in rule(ci)])
    with step("Running checkov on your workflow", usually=CHECKOV_TIME):
        failed = checkov(ci.path, "github_actions")
    expect(not failed, f"checkov: {failed[0] if failed else ''}")
    return "actionlint, checkov and the course's rules (pins, timeouts, permissions) find nothing."
