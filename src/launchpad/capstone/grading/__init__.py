"""The capstone graded in CI: what a portfolio repository carries so that GitHub Classroom (or
any CI) grades it with the capstone audit's criteria, points per criterion (issue 21).

`write(folder)` puts three files into a portfolio:

- `grading/grade.py` (this package's `grade.py`, copied as it is: standard library and the
  `docker` CLI, no course code), one command per criterion;
- `grading/criteria.json`: the limits and examples, from the course's own checks (CRITERIA);
- `.github/workflows/classroom.yml`: GitHub Classroom's conventions (one
  `autograding-command-grader` step per criterion, then `autograding-grading-reporter`), held
  to the course's workflow rules: actions pinned by SHA, least privilege, timeouts, `make` for
  every `run:` step.

The course runs the same commands on the reference portfolio in `make test`
(tests/test_capstone_grading.py).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from launchpad.checks.texts import NEGATIVE_TEXT, POSITIVE_TEXT
from launchpad.containers.image import MAX_IMAGE_GB

GRADER = Path(__file__).with_name("grade.py")
WORKFLOW = ".github/workflows/classroom.yml"
# Pinned as the course pins every action: a full commit SHA, the version in a comment.
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
SETUP_PYTHON = "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0"
COMMAND_GRADER = (
    "classroom-resources/autograding-command-grader@d5b3fa6f50f7f629b7bfae0cc3e4c58852b412d5  # v1"
)
REPORTER = (
    "classroom-resources/autograding-grading-reporter@"
    "d13b5912daf5042ac1b71bc38bdb4a6bcd61d8ca  # v1"
)


@dataclass(frozen=True)
class Criterion:
    id: str  # the grade.py command, and the workflow step's id
    name: str
    points: int
    minutes: int  # the grader's timeout


CRITERIA = (
    Criterion("build", "The image builds from the Dockerfile", 20, 20),
    Criterion("start", "The container starts and /readyz answers", 15, 5),
    Criterion("contract", "The HTTP contract of POST /predict", 20, 5),
    Criterion("latency", "p95 latency of POST /predict", 15, 5),
    Criterion("size", "A CPU-only image under the size limit", 15, 5),
    Criterion("metrics", "/metrics counts and times predictions", 15, 5),
)


def limits() -> dict:
    """criteria.json: the numbers the checks of modules 02, 03 and 07 hold a learner to."""
    return {
        "image": "capstone-grade:latest",
        "container": "capstone-grade",
        "port": 8080,
        "start_seconds": 120,
        "examples": [[POSITIVE_TEXT, "POSITIVE"], [NEGATIVE_TEXT, "NEGATIVE"]],
        "latency_requests": 100,
        # One client on a CI runner: a single forward pass of the course model takes tens of
        # milliseconds; 500 ms leaves room for a slow runner, not for a broken service.
        "p95_ms": 500,
        "max_image_gb": MAX_IMAGE_GB,
        "metrics": ["predictions_total", "predict_duration_seconds"],
        "points": {c.id: c.points for c in CRITERIA},
    }


def workflow() -> str:
    steps = "".join(
        f"""
      - name: {c.name}
        id: {c.id}
        uses: {COMMAND_GRADER}
        with:
          test-name: {c.name}
          command: python grading/grade.py {c.id}
          timeout: {c.minutes}
          max-score: {c.points}
"""
        for c in CRITERIA
    )
    results = "".join(
        f'          {c.id.upper()}_RESULTS: "${{{{ steps.{c.id}.outputs.result }}}}"\n'
        for c in CRITERIA
    )
    return f"""# GitHub Classroom autograding: the capstone audit's criteria, points per criterion.
# Each criterion is one command of grading/grade.py; run them locally the same way.
name: Autograding

on:
  push:
  workflow_dispatch:
  repository_dispatch:

permissions: {{}}

concurrency:
  group: autograding-${{{{ github.ref }}}}
  cancel-in-progress: true

jobs:
  autograding:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    if: github.actor != 'github-classroom[bot]'
    permissions:
      checks: write
      actions: read
      contents: read
    env:
      MODEL_ID: ${{{{ vars.MODEL_ID }}}}
    steps:
      - uses: {CHECKOUT}
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.11"
      - name: The model and the build context
        run: make install install-service context
{steps}
      - name: Points
        if: always()
        uses: {REPORTER}
        env:
{results}        with:
          runners: {",".join(c.id for c in CRITERIA)}
"""


def write(folder: Path) -> list[str]:
    """Put the grader, its criteria and the workflow into `folder`; the paths it wrote."""
    (folder / "grading").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GRADER, folder / "grading" / "grade.py")
    (folder / "grading" / "criteria.json").write_text(json.dumps(limits(), indent=2) + "\n")
    target = folder / WORKFLOW
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(workflow())
    return ["grading/grade.py", "grading/criteria.json", WORKFLOW]
