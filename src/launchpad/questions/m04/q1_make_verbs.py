"""`make lint` and `make test` exist and pass: the verbs CI will call."""

from __future__ import annotations

import re
import subprocess
import sys

from launchpad import workflows
from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.paths import workspace_dir
from launchpad.questions.m04._shared import first_finding, makefile, tool_env


def _make(target: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", *flags, target, f"PYTHON={sys.executable}"],
        cwd=workspace_dir(),
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


@question(
    # make lint runs ruff on the code and hadolint on the Dockerfile; make test runs pytest.
    files=["Makefile", "Dockerfile", "api/", "tests/", "pyproject.toml"],
    hints=[
        "ruff checks the code, hadolint the Dockerfile, pytest runs the tests. Run the Python "
        "tools through the interpreter make is given, `$(PYTHON) -m <tool>`: the checks pass "
        "the course's, CI the runner's. A recipe line starts with a TAB.",
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
    for target, tools in (("lint", "ruff and hadolint"), ("test", "pytest")):
        run = _make(target)
        expect(
            run.returncode == 0,
            f"`make {target}` failed: {_tail(run)}. It runs {tools}; fix what they report.",
        )
    return "`make lint` and `make test` pass here: now CI can call exactly these."
