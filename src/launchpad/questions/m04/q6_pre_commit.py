"""pre-commit passes on the project and stops a bad file of each kind, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from launchpad import yamlfile
from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.checks.progress import step
from launchpad.paths import workspace_dir
from launchpad.questions.m04._shared import first_finding, plant, project_copy, tool_env

PRE_COMMIT = Path(".pre-commit-config.yaml")
PRE_COMMIT_TIME = "2 s on a 2-core laptop"  # measured here: two runs of the four hooks
HOOK_TOOLS = ("ruff", "nbstripout", "hadolint", "actionlint")
# The planted problems: (relative path, content, the hook that must stop it, what it is). An
# undefined name, not an unused import, in the notebook: `ruff check --fix` would mend the import
# quietly, but must still name the notebook.
PLANTED = (
    ("api/scratch.py", "import os\n", "ruff", "a Python file with an unused import"),
    ("scratch_lint.ipynb", ("print(undefined_name)", False), "ruff", "a notebook with an error"),
    ("scratch.ipynb", ("print(42)", True), "nbstripout", "a notebook with its outputs"),
    ("scratch/Dockerfile", "FROM debian\nRUN cd /tmp\n", "hadolint", "a Dockerfile with a `cd`"),
    (
        ".github/workflows/scratch.yml",
        "on: push\njobs:\n  a:\n    steps: []\n",
        "actionlint",
        "a workflow job without `runs-on`",
    ),
)


def _notebook(code: str, with_output: bool) -> str:
    import nbformat

    cell = nbformat.v4.new_code_cell(code)
    if with_output:
        cell.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))


def _pre_commit(project: Path) -> tuple[int, str]:
    """Commit nothing, check everything: `pre-commit run --all-files` in a fresh git repo."""
    env = tool_env()
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
    """{hook name: what it printed} for every hook that pre-commit reports Failed."""
    failed, current = {}, None
    for line in output.splitlines():
        if line.rstrip().endswith(("Passed", "Failed", "Skipped")) and "..." in line:
            name = line.split("...")[0].strip()
            current = name if line.rstrip().endswith("Failed") else None
            if current:
                failed[current] = ""
        elif current and not line.startswith("- "):
            failed[current] += line + "\n"
    return failed


def _said(printed: str) -> str:
    """What to quote of a failed hook: its first finding with the file it is in, else its first
    line."""
    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    return (first_finding(printed) or (lines[0] if lines else "nothing"))[:200]


@question(
    # The hooks run on a copy of the whole project, as `pre-commit run --all-files` would.
    files=[str(PRE_COMMIT), "./"],
    hints=[
        "Every hook lives under one `- repo: local` with `language: unsupported` (formerly "
        "`system`): it runs the tool already in your .venv, so nothing is downloaded.",
        "pre-commit gives each hook only the files that match its `types`, `types_or` or "
        "`files`: ruff lints Python files and notebooks, nbstripout notebooks, hadolint "
        "Dockerfiles, actionlint the workflows.",
        "`types_or: [python, jupyter]` for ruff, `types: [jupyter]` for nbstripout, "
        "`types: [dockerfile]` for hadolint, `files: ^\\.github/workflows/` for actionlint.",
    ],
)
def pre_commit_stops_bad_files(answers: Answers):
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
        "download it, so the hooks fail offline and pin each tool a second time.",
    )
    hooks = {h.get("id"): h for r in repos for h in r.get("hooks") or []}
    if not hooks:
        raise NotAttempted(f"{PRE_COMMIT} has no hooks yet.")
    missing = [tool for tool in HOOK_TOOLS if tool not in hooks]
    expect(not missing, f"There is no `{missing[0] if missing else ''}` hook (id) yet.")
    names = {tool: str(hooks[tool].get("name", tool)) for tool in HOOK_TOOLS}

    with (
        project_copy() as project,
        step(
            "Running pre-commit on a git copy of your project, then with a bad file for each hook",
            usually=PRE_COMMIT_TIME,
        ),
    ):
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
            f"'{_said(culprit[1])}'. A commit of the project as it is would be refused.",
        )
        for relative, content, *_ in PLANTED:
            plant(project / relative, content if isinstance(content, str) else _notebook(*content))
        _, output = _pre_commit(project)
    failed = _failed_hooks(output)
    for relative, _, tool, what in PLANTED:
        printed = failed.get(names[tool])
        # ruff fails on the planted .py file anyway: the notebook must be named in what it says.
        named = tool != "ruff" or not relative.endswith(".ipynb") or relative in str(printed)
        stopped = printed is not None and named
        expect(
            stopped,
            f"The {tool} hook let a bad file through: {what} ({relative}) was committed "
            "unchecked. A hook sees only the files it is given.",
        )
    return "pre-commit passes on your project and stops a bad file of each kind, offline."
