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
from launchpad.paths import using_workspace


class NotMeasured(Exception):
    """A figure that cannot be measured now; the message says why."""


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
LATENCY_TIME = "25 s on a 2-core laptop"


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


def image_figures(workspace: Path) -> list[Figure]:
    """The size of the image that the workspace's Dockerfile builds now, not of whatever an
    engine has tagged `my-sentiment-api:latest` (another workspace, or older files may have
    built that). Built as module 03's checks build it, so the layers they cached make it take
    seconds, under a tag of its own that is removed once measured. Only on an engine that is
    already running: nothing is started here."""
    import json

    from launchpad.checks import Incorrect, NotAttempted
    from launchpad.containers import engine as engines
    from launchpad.containers import learner_image

    if not (workspace / "Dockerfile").is_file():
        raise NotMeasured("there is no Dockerfile in the workspace")
    if not (workspace / "build").is_dir():  # the build runs offline: it copies what is staged
        raise NotMeasured(
            "nothing is staged under build/ for the image to copy (module 03's set-up cell "
            "stages the wheels and the model there)"
        )
    found = engines.find()
    if found is None:
        raise NotMeasured("no Docker engine is running, and the portfolio starts none")
    tag = f"{learner_image.TAG.split(':')[0]}:portfolio-{os.getpid()}"
    try:
        with using_workspace(workspace):
            learner_image.build(learner_image.dockerfile(), workspace, tag)
    except (Incorrect, NotAttempted) as error:
        raise NotMeasured(str(error)) from error
    try:
        inspected = found.docker("image", "inspect", tag, check=False)
        if inspected.returncode != 0:
            raise NotMeasured(f"the image built, then was gone: {inspected.stderr.strip()}")
        size = json.loads(inspected.stdout)[0]["Size"]
    finally:
        found.docker("image", "rm", tag, check=False)  # only the tag when layers are shared
    return [
        Figure(
            "container image size",
            f"{size / 1e9:.2f} GB",
            "measured: `docker build` of the project's Dockerfile and context, then "
            "`docker image inspect`",
            day(),
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


def measured_figures(workspace: Path) -> tuple[list[Figure], list[str]]:
    """Every figure of the project that can be read or measured now: the served model's
    accuracy, the app's latency, the ONNX export's size, the image's size and the registry's
    champion, each only where there is one; and what could not be measured, with why (said to
    the learner, never written into the README as if it were a figure)."""
    from launchpad.checks.progress import step

    model_dir = served_model_dir()
    figures = model_figures(model_dir) if model_dir else []
    unmeasured = []
    try:
        with step("Measuring your service's latency: 200 requests", usually=LATENCY_TIME):
            figures += latency_figures()
    except Exception as error:  # the learner's app: reported, not fatal
        unmeasured.append(f"the latency of POST /predict: {type(error).__name__}: {error}")
    figures += file_figure(workspace, "onnx/model.onnx", "int8 ONNX model size")
    try:
        figures += image_figures(workspace)
    except NotMeasured as why:
        unmeasured.append(f"the container image's size: {why}")
    figures += registry_figures(workspace)
    return figures, unmeasured
