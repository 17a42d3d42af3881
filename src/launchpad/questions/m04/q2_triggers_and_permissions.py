"""The workflow runs on pull requests and on main, with a token that has no rights by default."""

from __future__ import annotations

from launchpad import workflows
from launchpad.checks import Answers, expect, question
from launchpad.questions.m04._shared import WORKFLOW, first, workflow


@question(
    files=[str(WORKFLOW)],
    hints=[
        "Three decisions at the top of the file: when it runs (every pull request, but only "
        "pushes to main), what the token may do when a job does not say (nothing), and what "
        "happens when a second run of the same branch starts.",
        "`on:` needs `pull_request:` and `push:` with `branches: [main]`.",
        "`permissions: {}` at the top gives the token no rights at all; each job then asks for "
        "its own. "
        "`concurrency:` with `group: ci-${{ github.ref }}` stops two runs racing.",
    ],
)
def runs_on_pull_requests_and_main_with_no_rights(answers: Answers):
    ci = workflow()
    triggers = ci.triggers
    expect("pull_request" in triggers, "The workflow does not run on `pull_request`.")
    expect("push" in triggers, "The workflow does not run on `push`.")
    branches = ci.branches("push")
    expect(
        branches == ["main"],
        f"`push:` runs on {branches or 'every branch'}: only main ships, so every push to a "
        "work-in-progress branch would run (and, from question 4, publish) as if it were a "
        "release.",
    )
    top = ci.data.get("permissions")
    expect(
        top is not None,
        "No top-level `permissions:`: every job would get the repository's default token, "
        "often read-write: a compromised step could push code or tamper with releases.",
    )
    first([p for p in workflows.permission_problems(ci) if "top" in p])
    first(workflows.missing_concurrency(ci))
    return "Runs on pull requests and on main, with a token that has no rights unless a job asks."
