"""The learner's own image, from the Dockerfile in their workspace: built, run and inspected
for the checks of module 03 (which writes it) and module 05 (which rehearses its deployment).

These helpers speak in check verdicts: a Dockerfile not written yet or no Docker engine is
NotAttempted (with how to get one), a build or a start that fails is Incorrect with its reason.
The engine and the base image are found once per process; the build reuses Docker's layer
cache, so a second check that needs the image pays seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from launchpad.checks import Incorrect, NotAttempted
from launchpad.containers import engine as engines
from launchpad.containers.engine import Engine
from launchpad.containers.housekeeping import LABEL
from launchpad.containers.run import RunningContainer
from launchpad.paths import workspace_dir

TAG = "my-sentiment-api:latest"
# What module 03 q1 builds to list the build context; removed as soon as it is read.
CONTEXT_PROBE = "launchpad/context-probe:latest"
# What the build reads from the workspace: the Dockerfile and the context it copies from.
BUILD_FILES = ("Dockerfile", ".dockerignore", "requirements.txt", "api/", "build/")


def instructions(text: str) -> list[str]:
    """Dockerfile instruction keywords, in order (comments and continuations skipped)."""
    words, continued = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not continued:
            words.append(stripped.split()[0].upper())
        continued = stripped.endswith("\\")
    return words


def dockerfile() -> Path:
    """The workspace's Dockerfile, once it has a CMD (an untouched stub has none)."""
    path = workspace_dir() / "Dockerfile"
    if not path.exists() or "CMD" not in instructions(path.read_text()):
        raise NotAttempted("Your Dockerfile has no CMD yet: write it and run its %%writefile cell.")
    return path


@cache
def engine() -> Engine:
    try:
        return engines.find_or_start()  # looked up when called: tests replace it
    except engines.EngineError as error:
        raise NotAttempted(f"This check builds and runs your image. {error}") from error


@cache
def base_image() -> str:
    from launchpad.containers.base_image import ensure_base_image

    return ensure_base_image(engine())


def build(dockerfile: Path, context: Path, tag: str) -> None:
    from launchpad.containers.image import docker_build

    result = docker_build(engine(), dockerfile, context, tag, base_image())
    if result.returncode != 0:
        last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        raise Incorrect("docker build failed: " + " | ".join(last))


def built_image() -> tuple[Engine, str]:
    """Build the learner's image (cached layers make repeats fast); return (engine, tag)."""
    path = dockerfile()
    found = engine()
    build(path, workspace_dir(), TAG)
    return found, TAG


def sent_context(folder: Path) -> set[str]:
    """What `docker build` would send from `folder` (its .dockerignore applied), as relative
    paths up to three levels deep, listed from inside a throwaway build."""
    found = engine()
    probe = folder / ".context-probe.Dockerfile"
    probe.write_text(
        f"FROM {base_image()}\nCOPY . /context\n"
        "RUN cd /context && find . -mindepth 1 -maxdepth 3 | sort\n"
    )
    try:
        result = found.docker(
            "build",
            "--no-cache",
            "--network",
            "none",
            "--file",
            str(probe),
            "--label",
            LABEL,
            "--tag",
            CONTEXT_PROBE,
            str(folder),
            check=False,
            timeout=600,
        )
    finally:
        probe.unlink()
        found.docker("image", "rm", "--force", CONTEXT_PROBE, check=False)  # a throwaway
    if result.returncode != 0:
        raise Incorrect(f"Docker could not read the context: {result.stderr[-300:]}")
    return {line.strip()[2:] for line in result.stdout.splitlines() if line.strip()[:2] == "./"}


@contextmanager
def running(found: Engine, tag: str) -> Iterator[RunningContainer]:
    """The learner's image, started and ready; a container that never gets ready is feedback."""
    from launchpad.net import NotReady

    with RunningContainer(found, tag, prefix="launchpad-check") as container:
        try:
            container.wait_ready()
        except NotReady as why:
            raise Incorrect(
                f"The container {why}. Does CMD start uvicorn on $HOST and $PORT?"
            ) from why
        yield container
