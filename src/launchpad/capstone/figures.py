"""The figures a portfolio's README quotes, each with where it comes from and when: read from a
file (the model's manifest, the ONNX export, the registry) or measured now (latency), never
typed by hand."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from launchpad.capstone.audit import PASSED, Report
from launchpad.checks.texts import NEGATIVE_TEXT, POSITIVE_TEXT


@dataclass(frozen=True)
class Figure:
    """One number for the README, with where it comes from and when: never typed by hand."""

    name: str
    value: str
    source: str
    when: str


def day(timestamp: float | None = None) -> str:
    """The date of `timestamp` (default: now) as a figure states it, in UTC."""
    moment = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d")


def model_figures(model_dir: Path) -> list[Figure]:
    """The served model's evaluation, read from its manifest (the course model writes one when
    it is built; a Hub model has none, and then there is nothing to report)."""
    from launchpad.model.build import MANIFEST, read_manifest

    manifest_file = model_dir / MANIFEST
    if not manifest_file.is_file():
        return []
    manifest = read_manifest(model_dir)
    source = (
        f"`{manifest_file.name}` of the model folder ({manifest['name']} {manifest['version']})"
    )
    when = day(manifest_file.stat().st_mtime)
    return [
        Figure(
            f"accuracy, {name} ({scores['examples']:,} held-out texts)",
            f"{scores['accuracy']:.1%}",
            source,
            when,
        )
        for name, scores in manifest.get("evaluation", {}).items()
        if "accuracy" in scores
    ]


def served_model_dir() -> Path | None:
    """The folder the learner's service loads: MODEL_DIR, else the course model (not built
    here if it is missing)."""
    if os.environ.get("MODEL_DIR"):
        return Path(os.environ["MODEL_DIR"])
    from launchpad.model.source import ModelError, resolve

    try:
        return resolve(build=False).path
    except ModelError:
        return None


LATENCY_TEXTS = (POSITIVE_TEXT, NEGATIVE_TEXT, "It was fine.")


def latency_figures(requests: int = 200) -> list[Figure]:
    """p50 and p95 of POST /predict through the learner's app in this process (no network, one
    client at a time), measured now. Not p99: from a few hundred requests it is the slowest
    one or two, noise rather than a figure to quote."""
    from fastapi.testclient import TestClient

    from launchpad.loadtest import percentile
    from launchpad.workspace import import_fresh

    app = import_fresh("api.main").app
    durations = []
    with TestClient(app) as client:
        for i in range(requests + 5):
            body = {"text": LATENCY_TEXTS[i % len(LATENCY_TEXTS)]}
            start = time.perf_counter()
            reply = client.post("/predict", json=body)
            elapsed = time.perf_counter() - start
            if reply.status_code != 200:
                raise RuntimeError(f"POST /predict answered {reply.status_code}")
            if i >= 5:  # the first requests warm the model up
                durations.append(elapsed * 1000)
    machine = f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
    source = f"measured: {requests} sequential requests in-process (TestClient), {machine}"
    return [
        Figure(
            f"p{q} latency of POST /predict", f"{percentile(durations, q):.1f} ms", source, day()
        )
        for q in (50, 95)
    ]


def file_figure(workspace: Path, relative: str, name: str) -> list[Figure]:
    path = workspace / relative
    if not path.is_file():
        return []
    size = path.stat().st_size / 1e6
    return [
        Figure(
            name,
            f"{size:.1f} MB",
            f"size of `{relative}` in the course workspace (not in this repository)",
            day(path.stat().st_mtime),
        )
    ]


def image_figures(tag: str = "my-sentiment-api:latest") -> list[Figure]:
    """The learner's image, if a Docker engine is already running and has it: nothing is
    built or started here."""
    import json

    from launchpad.containers import engine

    found = engine.find()
    if found is None:
        return []
    inspected = found.docker("image", "inspect", tag, check=False)
    if inspected.returncode != 0:
        return []
    image = json.loads(inspected.stdout)[0]
    return [
        Figure(
            "container image size",
            f"{image['Size'] / 1e9:.2f} GB",
            f"`docker image inspect {tag}`",
            str(image.get("Created", ""))[:10] or day(),
        )
    ]


def registry_figures(workspace: Path) -> list[Figure]:
    """The champion of the workspace's MLflow registry (module 08), if there is one."""
    from launchpad.lifecycle.registry import CHAMPION, MODEL_NAME, STORE_FOLDER, open_store

    client = open_store(workspace / STORE_FOLDER)
    if client is None:
        return []
    from mlflow.exceptions import MlflowException

    try:
        version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    except MlflowException:
        return []
    gate = version.tags.get("gate", "not gated")
    return [
        Figure(
            "serving model version (registry champion)",
            f"{MODEL_NAME} v{version.version} (gate: {gate})",
            "the course workspace's MLflow registry (`mlflow/mlflow.db`), alias champion",
            day(version.last_updated_timestamp / 1000),
        )
    ]


def audit_figure(report: Report) -> Figure:
    return Figure(
        "course checks re-verified on the workspace",
        f"{report.count(PASSED)} of {report.rerun}",
        "MLOps Launchpad capstone audit (every check that reads only the project's files)",
        report.started.strftime("%Y-%m-%d"),
    )


def measured_figures(workspace: Path) -> list[Figure]:
    """Every figure of the project that can be read or measured now: the served model's
    accuracy, the app's latency, the ONNX export's size, the image's size and the registry's
    champion, each only where there is one."""
    model_dir = served_model_dir()
    figures = model_figures(model_dir) if model_dir else []
    try:
        figures += latency_figures()
    except Exception as error:  # the learner's app: reported, not fatal
        figures.append(Figure("latency of POST /predict", "not measured", str(error), day()))
    figures += file_figure(workspace, "onnx/model.onnx", "int8 ONNX model size")
    figures += image_figures()
    figures += registry_figures(workspace)
    return figures
