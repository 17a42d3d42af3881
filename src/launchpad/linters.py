"""The linters the course uses, run the way their communities run them, returning findings.

Each function returns a list of one-line findings (empty means clean), so that `make lint`,
the tests and a learner's check all report the same thing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from launchpad.tools import tool

VENV_BIN = Path(sys.executable).parent


def actionlint(files: list[Path], cwd: Path) -> list[str]:
    """actionlint's findings for workflow files, as `file:line:col: message`."""
    run = subprocess.run(
        [str(VENV_BIN / "actionlint"), "-no-color", "-oneline", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = [line for line in run.stdout.splitlines() if line.strip()]
    if run.returncode != 0 and not findings:
        findings = [run.stderr.strip() or f"actionlint exited with {run.returncode}"]
    return findings


def hadolint(dockerfile: Path) -> list[str]:
    """hadolint's findings for a Dockerfile, as `line RULE level: message`."""
    run = subprocess.run(
        [str(VENV_BIN / "hadolint"), "--no-color", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = [line.split(":", 1)[-1].strip() for line in run.stdout.splitlines() if line]
    if run.returncode != 0 and not findings:
        findings = [run.stderr.strip() or f"hadolint exited with {run.returncode}"]
    return findings


def checkov(
    target: Path, framework: str, skip: tuple[str, ...] = (), only: tuple[str, ...] = ()
) -> list[str]:
    """checkov's failed checks for a folder (or one file), as `CHECK_ID file: name`; `skip`
    leaves checks out, `only` runs just those.

    `--skip-download` keeps checkov offline: by default it fetches guideline links from its
    vendor's API, which tests must not reach.
    """
    flag = "--directory" if target.is_dir() else "--file"
    run = subprocess.run(
        [str(tool("checkov")), flag, str(target), "--framework", framework]
        + ["--skip-download", "--output", "json", "--quiet"]
        + [f"--skip-check={','.join(skip)}"] * bool(skip)
        + [f"--check={','.join(only)}"] * bool(only),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if run.returncode not in (0, 1):  # 1 means "some checks failed"; anything else broke
        return [f"checkov could not run: {run.stderr.strip()[-500:]}"]
    if not run.stdout.strip():
        return []
    reports = json.loads(run.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    return [
        f"{failed['check_id']} {failed['file_path']}: {failed['check_name']}"
        for report in reports
        if isinstance(report, dict) and "results" in report
        for failed in report["results"]["failed_checks"]
    ]


def lint_repository(root: Path | None = None) -> list[str]:
    """What `make lint` checks beyond ruff: every Dockerfile under deploy/ with hadolint, every
    workflow with actionlint and checkov, and the deployment descriptors."""
    from launchpad.paths import REPO_ROOT

    root = root or REPO_ROOT
    workflows = root / ".github" / "workflows"
    findings = [
        f"{dockerfile.relative_to(root)}: {finding}"
        for dockerfile in sorted((root / "deploy").rglob("Dockerfile*"))
        for finding in hadolint(dockerfile)
    ]
    findings += actionlint(sorted(workflows.glob("*.y*ml")), cwd=root)
    findings += checkov(workflows, "github_actions")
    return findings + deploy_findings(root / "deploy")


def deploy_findings(deploy: Path) -> list[str]:
    """The deployment descriptors: platform schemas, then checkov with zero failed checks."""
    from launchpad.deploy import validate

    findings = [
        p for f in sorted((deploy / "k8s").glob("*.yaml")) for p in validate.kubernetes_problems(f)
    ]
    findings += validate.cloudrun_problems(deploy / "cloudrun" / "service.yaml")
    findings += validate.beanstalk_problems(deploy / "elasticbeanstalk")
    findings += checkov(deploy / "k8s", "kubernetes")
    # CKV_K8S_21 ("do not use the default namespace") does not apply to Cloud Run, where the
    # namespace is the Google Cloud project, set by gcloud, not by the file.
    findings += checkov(deploy / "cloudrun", "kubernetes", skip=("CKV_K8S_21",))
    findings += checkov(deploy, "dockerfile")
    return findings
