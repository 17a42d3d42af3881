"""Build the service image (`make image`): wheels and model on the host, then `docker build`.

The build itself needs no network: the wheelhouse (with the CPU-only PyTorch wheel) and the
course model are prepared on the host under `build/`, and the build runs with `--network none`.
That makes it reproducible and independent of which package index the engine can reach.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from launchpad.containers.base_image import ensure_base_image
from launchpad.containers.engine import Engine, EngineError
from launchpad.paths import REPO_ROOT, cache_dir, link_or_copy

TAG = "sentiment-api:latest"
DOCKERFILE = REPO_ROOT / "deploy" / "docker" / "Dockerfile"
REQUIREMENTS = REPO_ROOT / "deploy" / "docker" / "requirements.txt"


@dataclass(frozen=True)
class BuildResult:
    tag: str
    base_image: str
    seconds: float


def wheelhouse() -> Path:
    """Wheels for the requirements, downloaded once per requirements file (pip's own cache
    and find-links settings apply, so the CPU-only torch wheel is used where it is configured)."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    folder = cache_dir() / "wheelhouse" / digest
    stamp = folder / ".complete"
    if not stamp.exists():
        folder.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--only-binary",
                ":all:",
                "--dest",
                str(folder),
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if run.returncode != 0:
            raise EngineError(f"pip download of the image's wheels failed: {run.stderr[-1500:]}")
        cuda = sorted(p.name for p in folder.glob("nvidia_*"))
        if cuda:
            raise EngineError(
                f"The wheelhouse pulled CUDA libraries ({', '.join(cuda[:3])}...):"
                " point pip at the CPU-only PyTorch wheels (see module 03)."
            )
        stamp.touch()
    return folder


def _mirror(source: Path, target: Path) -> None:
    """Make `target` hold exactly `source`'s files (hard links where possible: no copies)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith("."):
            link_or_copy(path, target / path.name)


def stage(model_dir: Path, root: Path = REPO_ROOT) -> None:
    """Put the wheels and the model under `root/build/`, where the Dockerfile copies them."""
    _mirror(wheelhouse(), root / "build" / "wheels")
    _mirror(model_dir, root / "build" / "model")


def build(
    engine: Engine, model_dir: Path, tag: str = TAG, base_image: str | None = None
) -> BuildResult:
    base = base_image or os.environ.get("BASE_IMAGE") or ensure_base_image(engine)
    stage(model_dir)
    started = time.perf_counter()
    result = docker_build(engine, DOCKERFILE, REPO_ROOT, tag, base)
    if result.returncode != 0:
        raise EngineError(f"docker build failed: {result.stderr.strip()[-1500:]}")
    return BuildResult(tag, base, time.perf_counter() - started)


def docker_build(
    engine: Engine, dockerfile: Path, context: Path, tag: str, base_image: str
) -> subprocess.CompletedProcess:
    """`docker build` as the course does it: offline, on `base_image`. The caller decides how
    a failure is reported (an error for `make image`, feedback for a learner's check)."""
    return engine.docker(
        "build",
        "--network",
        "none",
        "--file",
        str(dockerfile),
        "--build-arg",
        f"BASE_IMAGE={base_image}",
        "--tag",
        tag,
        str(context),
        check=False,
        timeout=1800,
    )
