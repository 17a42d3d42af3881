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

from launchpad.containers import housekeeping, requirements
from launchpad.containers.base_image import ensure_base_image
from launchpad.containers.engine import Engine, EngineError
from launchpad.paths import REPO_ROOT, cache_dir, link_or_copy

DOCKER_DIR = REPO_ROOT / "deploy" / "docker"
DOCKERFILE = DOCKER_DIR / "Dockerfile"
REQUIREMENTS = DOCKER_DIR / "requirements.txt"
# What a served image may weigh: the course's is 1.35 GB. Module 03's check and the capstone's
# grader hold a learner's image to it.
MAX_IMAGE_GB = 1.6


@dataclass(frozen=True)
class Variant:
    """What an image serves the model with, and where `stage` puts its wheels and model."""

    backend: str  # the service's BACKEND setting
    requirements: Path  # generated from `extras` (`launchpad requirements`)
    staged: str  # folder under the build context, holding requirements.txt, wheels/ and model/
    tag: str
    extras: tuple[str, ...]  # of pyproject.toml: the libraries the image installs
    about: str  # what the requirements file says it is for

    def requirements_text(self) -> str:
        return requirements.render(self.about, self.extras)


# PyTorch and transformers: the image modules 03 to 05 build and deploy.
TORCH = Variant(
    "torch",
    REQUIREMENTS,
    "build",
    "sentiment-api:latest",
    extras=("service", "service-torch"),
    about="What the service needs at run time, and nothing else: no Jupyter, no course toolkit.",
)
# The slim image of module 06: ONNX Runtime and tokenizers on the int8 export, no PyTorch.
ONNX = Variant(
    "onnx",
    DOCKER_DIR / "requirements-onnx.txt",
    "build/onnx",
    "sentiment-api:onnx",
    extras=("service", "service-onnx"),
    about="The slim image (module 06): ONNX Runtime and tokenizers serve the int8 export;\n"
    "no PyTorch, no transformers.",
)
VARIANTS = {variant.backend: variant for variant in (TORCH, ONNX)}
TAG = TORCH.tag


def stale_requirements() -> list[Path]:
    """The variants' requirements files that differ from what pyproject.toml declares."""
    return [
        v.requirements for v in VARIANTS.values() if _text(v.requirements) != v.requirements_text()
    ]


def write_requirements() -> list[Path]:
    """(Re)generate the stale requirements files; returns those written."""
    written = stale_requirements()
    for variant in VARIANTS.values():
        if variant.requirements in written:
            variant.requirements.write_text(variant.requirements_text())
    return written


def _text(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


@dataclass(frozen=True)
class BuildResult:
    tag: str
    base_image: str
    seconds: float


def wheelhouse(requirements: Path = REQUIREMENTS) -> Path:
    """Wheels for the requirements, downloaded once per requirements file (pip's own cache
    and find-links settings apply, so the CPU-only torch wheel is used where it is configured)."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
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
                str(requirements),
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
                " point pip at the CPU-only PyTorch wheels (the setup page, CPU-only PyTorch)."
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


def stage(model_dir: Path, root: Path = REPO_ROOT, variant: Variant = TORCH) -> None:
    """Put the requirements, wheels and model under `root/<variant.staged>/`, where the
    Dockerfile copies them from."""
    from launchpad.model.build import readable_by_all

    folder = root / variant.staged
    _mirror(wheelhouse(variant.requirements), folder / "wheels")
    _mirror(model_dir, folder / "model")
    # A non-root USER in the image reads the model: the staged files (hard links, so the cached
    # ones too) must be readable by all, whatever mode an older cache left them in.
    readable_by_all(folder / "model")
    shutil.copy2(variant.requirements, folder / "requirements.txt")


def build(
    engine: Engine,
    model_dir: Path,
    variant: Variant = TORCH,
    base_image: str | None = None,
) -> BuildResult:
    base = base_image or os.environ.get("BASE_IMAGE") or ensure_base_image(engine)
    stage(model_dir, variant=variant)
    started = time.perf_counter()
    result = docker_build(
        engine,
        DOCKERFILE,
        REPO_ROOT,
        variant.tag,
        base,
        build_args={"STAGED": variant.staged, "BACKEND": variant.backend},
    )
    if result.returncode != 0:
        raise EngineError(f"docker build failed: {result.stderr.strip()[-1500:]}")
    return BuildResult(variant.tag, base, time.perf_counter() - started)


def docker_build(
    engine: Engine,
    dockerfile: Path,
    context: Path,
    tag: str,
    base_image: str,
    build_args: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """`docker build` as the course does it: offline, on `base_image`, labelled as the
    course's, replacing the image `tag` named before, leaving no container behind. The caller
    decides how a failure is reported (an error for `make image`, feedback for a check).
    `options` are further `docker build` options (`--no-cache`)."""
    args = {"BASE_IMAGE": base_image, **(build_args or {})}
    previous = housekeeping.image_id(engine, tag)
    with housekeeping.building():
        result = _build(engine, dockerfile, context, tag, args, options)
    if result.returncode == 0:
        housekeeping.replace_previous(engine, tag, previous)
        housekeeping.tag_stages(engine, tag, result.stdout)
    return result


def _build(
    engine: Engine,
    dockerfile: Path,
    context: Path,
    tag: str,
    args: dict[str, str],
    options: tuple[str, ...],
) -> subprocess.CompletedProcess:
    return engine.docker(
        "build",
        "--network",
        "none",
        "--force-rm",  # the classic builder keeps a failed step's container without it
        *options,
        "--file",
        str(dockerfile),
        *(item for name, value in args.items() for item in ("--build-arg", f"{name}={value}")),
        "--label",
        housekeeping.LABEL,
        "--tag",
        tag,
        str(context),
        check=False,
        timeout=1800,
    )
