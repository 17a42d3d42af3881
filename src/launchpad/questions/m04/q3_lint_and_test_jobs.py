"""The lint and test jobs run the Makefile's own verbs on a fresh runner."""

from __future__ import annotations

from launchpad import workflows
from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.questions.m04._shared import WORKFLOW, makefile, rights, workflow

SERVICE_REQUIREMENTS = "requirements.txt"  # the service's libraries, PyTorch among them


def _check_job(ci: workflows.Workflow, job: str, verb: str) -> None:
    spec = ci.jobs.get(job)
    expect(spec is not None, f"There is no `{job}` job.")
    steps = ci.steps(job)
    if not steps:
        raise NotAttempted(f"The `{job}` job has no steps yet.")
    first = str(steps[0].get("uses", ""))
    expect(
        first.startswith("actions/checkout@"),
        f"The `{job}` job's first step is not actions/checkout: the runner starts empty.",
    )
    used = [str(s.get("uses", "")).split("@")[0] for s in steps]
    runs = [i for i, s in enumerate(steps) if "run" in s]
    expect(
        "actions/setup-python" in used and used.index("actions/setup-python") < min(runs or [99]),
        f"The `{job}` job does not set up Python (actions/setup-python) before its commands.",
    )
    targets = ci.make_targets_run(job)
    expect(
        verb in targets,
        f"The `{job}` job never runs `make {verb}`: CI should run the verb you ran locally.",
    )
    expect(
        any(t.startswith("install") for t in targets[: targets.index(verb)]),
        f"The `{job}` job runs `make {verb}` without `make install` first: a fresh runner has "
        "none of the tools.",
    )
    expect(
        "timeout-minutes" in spec,
        f"The `{job}` job has no timeout-minutes: a hung step would hold the runner for 6 hours.",
    )
    granted = ci.permissions(job)
    expect(
        granted == {"contents": "read"},
        f"The `{job}` job's token has {rights(granted)}: actions/checkout needs to read the "
        "repository (a private one refuses it), and nothing more should be granted.",
    )
    if job == "test":
        before = targets[: targets.index(verb) + 1]
        expect(
            workflows.installs_requirements(makefile(), before, SERVICE_REQUIREMENTS),
            f"The `{job}` job never installs the service's own libraries ({SERVICE_REQUIREMENTS}"
            "): on a fresh runner the tests would fail at their first import of fastapi.",
        )


@question(
    files=[str(WORKFLOW), "Makefile"],
    hints=[
        "A runner starts empty: each job gets the code, then Python, then installs what its "
        "verb needs (the tests also need the service's own libraries), then runs the verb. "
        "Its token should be able to read the repository, and nothing else.",
        "Each job: actions/checkout, actions/setup-python (3.11, `cache: pip`), `run: make "
        "install` (the test job: `make install install-service`), then `run: make lint` (or "
        "`make test`); `permissions: contents: read` and a `timeout-minutes`.",
        "Every `run:` must be a make target your Makefile defines: CI runs your verbs, never "
        "commands of its own.",
    ],
)
def lint_and_test_jobs_run_the_verbs(answers: Answers):
    ci = workflow()
    _check_job(ci, "lint", "lint")
    _check_job(ci, "test", "test")
    makefile_path = makefile()
    for job, command in ci.run_commands():
        targets = workflows.make_targets(command)
        expect(
            targets is not None,
            f"The `{job}` job runs `{command}`: call a make target instead, so what CI runs "
            "is what you run locally.",
        )
        unknown = workflows.unknown_targets(makefile_path, targets)
        expect(
            not unknown,
            f"The `{job}` job runs `make {unknown[0] if unknown else ''}`, "
            "which your Makefile does not define.",
        )
    return "Lint and test run your own verbs on every pull request."
