"""`make lint` and `make test` exist and pass: the verbs CI will call."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from launchpad import workflows
from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.checks.progress import step
from launchpad.paths import workspace_dir
from launchpad.questions.m04._shared import (
    first_finding,
    makefile,
    plant,
    project_copy,
    tool_env,
)

# Measured here, with the reference project: ruff and hadolint three times; the tests, model
# load included.
LINT_TIME = "2 s on a 2-core laptop"
TEST_TIME = "10 s on a 2-core laptop"


# What each verb must run, as make's dry run prints it (variables expanded), and why.
TOOLS = {
    "lint": (
        ("ruff", r"\bruff\b.*\bcheck\b", "the Python code would reach CI unlinted"),
        ("hadolint", r"\bhadolint\b", "the Dockerfile's mistakes would reach the image build"),
    ),
    "test": (("pytest", r"\bpytest\b", "CI's test job would pass without running a test"),),
}
# One mistake per linter, planted in a copy of the project: `make lint` must fail on each.
# DL3000 is an error at every hadolint threshold a learner might set.
PLANTED = (
    ("api/main.py", "\nimport os\n", "an unused import at the end of api/main.py"),
    ("Dockerfile", "\nWORKDIR relative/path\n", "a relative WORKDIR in the Dockerfile"),
)


def _make(target: str, *flags: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", *flags, target, f"PYTHON={sys.executable}"],
        cwd=cwd or workspace_dir(),
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _tail(run: subprocess.CompletedProcess, lines: int = 3) -> str:
    """What to quote from a failed command: its first linter finding (a rule code such as F401
    or DL3025, with the location ruff prints below it), else its last lines."""
    output = (run.stdout + run.stderr).strip().splitlines()
    for line in output:  # a missing file or command, or pytest's one-line failure summary
        if re.search(r"does not exist|No such file|command not found|^FAILED ", line):
            return line.strip()[:240]
    if finding := first_finding(run.stdout + run.stderr):
        return finding
    said = [line.strip() for line in output if line.strip() and not line.startswith("make")]
    return " | ".join(said[-lines:]) or " | ".join(output[-lines:])


def _lint_lets_through() -> str | None:
    """The first planted mistake that `make lint` passes, on a copy of the project; None if it
    stops them all."""
    with project_copy() as project:
        for relative, extra, what in PLANTED:
            path = project / relative
            if not path.is_file():
                continue
            original = path.read_text()
            plant(path, original + extra)
            passed = _make("lint", cwd=project).returncode == 0
            plant(path, original)
            if passed:
                return what
    return None


def _passes(target: str, tools: str, run: subprocess.CompletedProcess) -> None:
    expect(
        run.returncode == 0,
        f"`make {target}` failed: {_tail(run)}. CI's `{target}` job runs this same verb, so it "
        f"would fail there too: read what {tools} report.",
    )


@question(
    # make lint runs ruff on the code and hadolint on the Dockerfile; make test runs pytest.
    files=["Makefile", "Dockerfile", "api/", "tests/", "pyproject.toml"],
    hints=[
        "A verb is a rule: its name and a colon at the start of a line, then the commands you "
        "would type yourself, each on a line of its own. Which tool checks Python code, which "
        "one checks a Dockerfile, and which one runs the tests?",
        "Run the Python tools through the interpreter make is given, `$(PYTHON) -m <tool>`, as "
        "the `install` recipes do: the checks pass the course's, CI the runner's. hadolint is a "
        "program of its own, given the file to check. A recipe line starts with a TAB.",
        "Run them yourself in a terminal, with the course's tools on your PATH: "
        "`cd workspace && . ../.venv/bin/activate && make lint test`, and read what fails.",
    ],
)
def make_lint_and_test_pass(answers: Answers):
    makefile_path = makefile()
    for target in ("lint", "test"):
        plan = _make(target, "--dry-run")
        if "missing separator" in plan.stderr:
            line = re.search(r"Makefile:(\d+)", plan.stderr)
            raise Incorrect(
                f"make cannot read your Makefile: line {line[1] if line else '?'} starts with "
                "spaces. Recipe lines must start with a TAB."
            )
        expect(
            target in workflows.makefile_rules(makefile_path),
            f"Your Makefile has no `{target}:` rule. A rule is `{target}:` at the start of a "
            "line, its commands on TAB-indented lines below.",
        )
        expect(plan.returncode == 0, f"`make --dry-run {target}` failed: {_tail(plan, 2)}")
        commands = [
            line
            for line in plan.stdout.splitlines()
            if line.strip() and not line.startswith(("#", "make:", "make["))
        ]
        if not commands:
            raise NotAttempted(f"`make {target}` runs no command yet.")
        for tool, call, why in TOOLS[target]:
            expect(
                any(re.search(call, line) for line in commands),
                f"`make {target}` never runs {tool}: {why}.",
            )
    with step(
        "Running `make lint`, then again on a copy with a mistake planted for each linter",
        usually=LINT_TIME,
    ):
        linted = _make("lint")
        missed = _lint_lets_through() if linted.returncode == 0 else None
    _passes("lint", "ruff and hadolint", linted)
    expect(
        not missed,
        f"`make lint` passed on a copy of your project with {missed} planted in it: CI's lint "
        "job would let such a mistake through. Does a recipe ignore its tool's exit status?",
    )
    # The tests load the model: the slowest part.
    with step("Running `make test`: your service's tests", usually=TEST_TIME):
        tested = _make("test")
    _passes("test", "pytest", tested)
    return "`make lint` and `make test` pass here: now CI can call exactly these."
