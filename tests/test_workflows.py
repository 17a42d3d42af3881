"""The repository's GitHub Actions workflows: they follow the course's rules, they run nothing that
`make test` has not run here, and the linters that `make lint` applies really reject bad ones."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from launchpad import linters, workflows


@pytest.fixture(scope="module")
def repo_workflows(repo):
    found = workflows.load_all(repo / ".github" / "workflows")
    assert {w.path.name for w in found} >= {"course-ci.yml", "service.yml", "deploy.yml"}
    return found


def test_every_workflow_follows_the_course_rules(repo_workflows):
    problems = {w.path.name: workflows.review(w) for w in repo_workflows}
    assert not any(problems.values()), problems


def test_every_run_step_is_a_make_target_that_make_test_runs(repo, repo_workflows):
    ran_by_make_test = workflows.run_by(repo / "Makefile", "test")
    for workflow in repo_workflows:
        for job, command in workflow.run_commands():
            targets = workflows.make_targets(command)
            assert targets, f"{workflow.path.name}/{job} runs `{command}`, not a make target"
            missing = set(targets) - ran_by_make_test
            assert not missing, (
                f"{workflow.path.name}/{job} runs `make {' '.join(missing)}`, "
                "which `make test` never runs here"
            )


def test_the_reference_pipeline_gates_the_push_on_lint_and_tests(repo_workflows):
    service = next(w for w in repo_workflows if w.path.name == "service.yml")
    assert set(service.triggers) == {"pull_request", "push"}
    assert service.triggers["push"]["branches"] == ["main"]
    image = service.jobs["image"]
    assert set(image["needs"]) == {"lint", "test"}
    assert "github.event_name == 'push'" in image["if"]
    [build] = service.uses("image", "docker/build-push-action")
    assert workflows.image_tags(service, "image", build).split() == [
        "type=sha,format=long",
        "type=raw,value=latest",
    ]
    assert build["with"]["context"] == "."  # the staged folder, not the git commit
    assert build["with"]["cache-from"] == "type=gha"
    assert service.jobs["test"]["permissions"] == {"contents": "read"}


def test_the_deploy_uses_oidc_not_keys(repo_workflows):
    deploy = next(w for w in repo_workflows if w.path.name == "deploy.yml")
    assert list(deploy.triggers) == ["push"] and deploy.triggers["push"]["tags"] == ["v*"]
    [auth] = deploy.uses("deploy", "google-github-actions/auth")
    assert "workload_identity_provider" in auth["with"]
    assert "credentials_json" not in auth["with"]
    assert deploy.jobs["deploy"]["permissions"]["id-token"] == "write"
    assert "secrets." not in deploy.text.replace("secrets.GITHUB_TOKEN", "")


BAD_WORKFLOW = """\
name: bad
on: [push, pull_request]
permissions: write-all
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt && pytest
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: user/app:latest
      - run: echo "Built ${{ github.event.pull_request.title }}"
"""


def test_a_bad_workflow_is_rejected_by_every_linter(repo, tmp_path):
    # A copy of the repository's lint inputs with one bad workflow and one bad Dockerfile added.
    shutil.copytree(repo / ".github", tmp_path / ".github")
    shutil.copytree(repo / "deploy", tmp_path / "deploy")
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text(BAD_WORKFLOW)
    (tmp_path / "deploy" / "Dockerfile.bad").write_text("FROM debian\nRUN apt-get update\n")

    findings = "\n".join(linters.lint_repository(tmp_path))
    assert "DL3006" in findings  # hadolint: untagged base image
    assert "potentially untrusted" in findings  # actionlint: script injection
    assert "CKV_GHA_2" in findings  # checkov: the same injection
    assert "CKV2_GHA_1" in findings  # checkov: write-all permissions
    problems = "\n".join(workflows.review(workflows.load(tmp_path / ".github/workflows/bad.yml")))
    for expected in ("not pinned", "write-all", "timeout-minutes", "concurrency", "pull requests"):
        assert expected in problems


@pytest.mark.parametrize(
    "guard, guarded",
    [
        ("github.event_name == 'push' && github.ref == 'refs/heads/main'", True),
        ("github.ref == 'refs/heads/main'", True),
        ("github.event_name != 'pull_request'", True),
        ("github.event_name != 'push'", False),  # pushes from pull requests only
        ("github.ref != 'refs/heads/main'", False),
    ],
)
def test_a_push_counts_as_guarded_only_if_pull_requests_cannot_reach_it(tmp_path, guard, guarded):
    path = tmp_path / "ci.yml"
    path.write_text(
        "on: [push, pull_request]\njobs:\n  image:\n"
        f"    if: {guard}\n    steps:\n"
        "      - uses: docker/build-push-action@v6\n        with: {push: true}\n"
    )
    problems = workflows.push_on_pull_request(workflows.load(path))
    assert (not problems) == guarded, problems


def test_steps_that_are_not_mappings_are_named_not_crashed_on(tmp_path):
    path = tmp_path / "ci.yml"
    path.write_text(
        "on: push\npermissions: read-all\njobs:\n  lint:\n    steps:\n      - make lint\n"
    )
    workflow = workflows.load(path)
    problems = "\n".join(workflows.review(workflow))
    assert "Step 1 of job `lint` is `make lint`" in problems
    assert "top-level `permissions: read-all` gives every job read access" in problems


def test_make_targets_reads_make_calls_and_skips_what_it_cannot_split():
    assert workflows.make_targets("make install install-service PYTHON=python3") == [
        "install",
        "install-service",
    ]
    assert workflows.make_targets("make") == ["<default>"]
    assert workflows.make_targets("pytest -q") is None
    assert workflows.make_targets('echo "it\'s"') is None  # unbalanced for shlex: not make


# A project whose tests import the service first-party, in isort's order for first-party `api`.
TESTS_MODULE = (
    '"""Tests."""\n\nfrom fastapi.testclient import TestClient\n\nfrom api.main import app\n\n'
    "client = TestClient(app)\n"
)


def _ruff(folder):
    return subprocess.run(
        [str(linters.VENV_BIN / "ruff"), "check", "--no-cache", "."],
        cwd=folder,
        capture_output=True,
        text=True,
    )


def test_the_lint_settings_make_ruff_agree_inside_the_course_and_on_a_copy(tmp_path):
    # The course's own pyproject.toml around the workspace, as in a clone: ruff finds `api`
    # nowhere under the course's root, so it counts as third-party there.
    course = tmp_path / "course"
    (course / "workspace" / "api").mkdir(parents=True)
    (course / "workspace" / "tests").mkdir()
    (course / "pyproject.toml").write_text(
        workflows.lint_settings().split("[tool.ruff.lint.isort]")[0]
    )
    workspace = course / "workspace"
    (workspace / "api" / "__init__.py").write_text("")
    (workspace / "api" / "main.py").write_text("app = None\n")
    (workspace / "tests" / "test_api.py").write_text(TESTS_MODULE)
    (workspace / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    before = _ruff(workspace)
    assert before.returncode == 1 and "I001" in before.stdout, before.stdout  # issue 18

    assert workflows.ensure_lint_settings(workspace)
    assert _ruff(workspace).returncode == 0, _ruff(workspace).stdout
    copy = shutil.copytree(workspace, tmp_path / "elsewhere" / "project")  # pre-commit's copy
    assert _ruff(copy).returncode == 0, _ruff(copy).stdout
    text = (workspace / "pyproject.toml").read_text()
    assert text.startswith("[tool.pytest.ini_options]") and 'known-first-party = ["api"]' in text
    assert not workflows.ensure_lint_settings(workspace)  # once only


def test_the_lint_settings_keep_the_learners_own(tmp_path):
    own = "[tool.ruff]\nline-length = 88\n"
    (tmp_path / "pyproject.toml").write_text(own)
    assert not workflows.ensure_lint_settings(tmp_path)
    assert (tmp_path / "pyproject.toml").read_text() == own
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options\n")  # broken: theirs
    assert not workflows.ensure_lint_settings(tmp_path)
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "ruff.toml").write_text("line-length = 88\n")
    assert not workflows.ensure_lint_settings(tmp_path)
    assert not (tmp_path / "pyproject.toml").exists()


def test_the_lint_settings_let_fastapi_dependencies_be_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text(workflows.lint_settings())
    (tmp_path / "main.py").write_text(
        "from fastapi import Depends, FastAPI\n\napp = FastAPI()\n\n\ndef model():\n    return 1\n"
        '\n\n@app.get("/")\ndef root(m=Depends(model)):\n    return m\n'
    )
    assert _ruff(tmp_path).returncode == 0, _ruff(tmp_path).stdout  # no B008
