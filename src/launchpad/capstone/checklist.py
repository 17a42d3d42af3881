"""The MLOps portfolio checklist: the classic path from a pretrained model to production, each
step ticked only when the audit proves it (files alone prove nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launchpad.capstone.audit import MARKS, Report
from launchpad.paths import workspace_dir


@dataclass(frozen=True)
class Step:
    module: str
    name: str
    what: str
    files: tuple[str, ...]


# The classic portfolio project, then what production adds.
CHECKLIST = (
    Step("01", "Pretrained model", "a script that loads the model and predicts", ("predict.py",)),
    Step(
        "02",
        "API",
        "a FastAPI service with schemas, health checks, limits and tests",
        ("api/main.py", "tests/test_api.py"),
    ),
    Step(
        "03",
        "Container",
        "a small non-root image with a health check",
        ("Dockerfile", ".dockerignore"),
    ),
    Step(
        "04",
        "CI/CD",
        "GitHub Actions: lint, test, build and push, calling make verbs",
        ("Makefile", ".github/workflows/ci.yml"),
    ),
    Step(
        "05",
        "Cloud deploy",
        "Cloud Run and Kubernetes descriptors, rehearsed locally",
        ("deploy/cloudrun.yaml", "deploy/k8s.yaml"),
    ),
    Step(
        "06",
        "Scaling",
        "an int8 ONNX export that agrees with PyTorch, and a capacity plan",
        ("onnx/model.onnx",),
    ),
    Step(
        "07",
        "Monitoring",
        "an alert rule tested with promtool, and drift reading",
        ("monitoring/alerts.yml",),
    ),
    Step(
        "08",
        "Lifecycle",
        "registered model versions, a quality gate, promotion and rollback",
        ("mlflow/mlflow.db",),
    ),
)


@dataclass(frozen=True)
class Tick:
    step: Step
    done: bool
    evidence: str


def checklist(report: Report | None, workspace: Path | None = None) -> list[Tick]:
    """Each step of the checklist, ticked when its files are in the workspace and every one of
    its checks passes now or is recorded as passed. Files alone tick nothing: without a
    report, a step says which of its files are there."""
    folder = report.workspace if report is not None else (workspace or workspace_dir())
    ticks = []
    for step in CHECKLIST:
        absent = [f"`{f}`" for f in step.files if not (folder / f).exists()]
        files = ", ".join(f"`{f}`" for f in step.files)
        if absent:
            ticks.append(Tick(step, False, f"{', '.join(absent)} not in the workspace yet"))
            continue
        rows = report.of(step.module) if report is not None else []
        if report is None or step.module not in report.modules:
            ticks.append(Tick(step, False, f"{files} present, not audited"))
            continue
        counts = {s: sum(r.status == s for r in rows) for s in MARKS}
        said = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        done = bool(rows) and all(row.good for row in rows)
        ticks.append(Tick(step, done, f"{files}; checks: {said}"))
    return ticks
