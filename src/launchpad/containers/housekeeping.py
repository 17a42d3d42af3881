"""What the course leaves on a Docker engine, and how it is cleared: a learner's disk is not ours
to fill.

Every image the course builds carries the label `LABEL`, so the course can tell its own images
from the learner's other work on a shared engine (Docker Desktop). A rebuilt tag replaces its
previous image instead of leaving it behind untagged. The classic builder keeps each earlier
stage of a multi-stage build as an untagged image (the build stage's virtual environment: 1.4
GB), which no tag would ever remove: those are tagged `<tag>-stageN`, re-pointed by each
rebuild and removed once their tag has gone. `prune()` (`make prune`) removes the course's stopped
containers, its untagged images and every tag but the current ones (and their stages), and on
the course's own private engine its build cache too.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from launchpad.containers.engine import PRIVATE_HOST, Engine
from launchpad.paths import cache_dir

try:
    import fcntl
except ImportError:  # Windows outside WSL2: no lock, one process at a time
    fcntl = None

LABEL = "org.mlops-launchpad.built-by=launchpad"
# The tags a learner or `make image` uses now; prune keeps these (and the base images).
CURRENT = (
    "sentiment-api:latest",
    "sentiment-api:onnx",
    "my-sentiment-api:latest",
)
KEEP_REPOSITORIES = ("launchpad/python-base",)
# Builds hold it shared, removals exclusive: an untagged image can be the parent a build in
# another process (a corpus worker, a notebook kernel) is about to commit its next step onto.
BUILDS_LOCK = "docker-builds.lock"
REMOVAL_WAIT = 600.0  # seconds a removal waits for the builds in progress, then gives up
STAGE = "-stage"  # `<tag>-stage1`: the first stage of `<tag>`'s multi-stage build
# The classic builder's output: each stage starts at a FROM step, each step ends on an image.
FROM_STEP = re.compile(r"^Step \d+/\d+ : FROM\b", re.IGNORECASE)
STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12,64})\s*$")


def private_data_size() -> int | None:
    """Bytes the course's private engine keeps on disk (its data root), None if it has none.
    Measured on the folder, so it needs no running engine."""
    root = cache_dir() / "docker"
    if not root.is_dir():
        return None
    found = subprocess.run(["du", "-sb", str(root)], capture_output=True, text=True, check=False)
    # du also totals when a file vanished under it (a running engine): an error, and a figure.
    total = found.stdout.split()[:1]
    return int(total[0]) if total and total[0].isdigit() else None


@contextmanager
def building() -> Iterator[None]:
    """Held while `docker build` runs: no removal of this course's images meanwhile."""
    if fcntl is None:
        yield
        return
    with open(cache_dir() / BUILDS_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def removing(wait: float = REMOVAL_WAIT) -> Iterator[bool]:
    """Held while images are removed: waits until no build is in progress. Yields False when
    builds kept it waiting `wait` seconds: the caller leaves its removal for later."""
    if fcntl is None:
        yield True
        return
    with open(cache_dir() / BUILDS_LOCK, "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.5)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_image(
    engine: Engine, name: str, force: bool = False, wait: float = REMOVAL_WAIT
) -> bool:
    """`docker image rm name` once no build is in progress; True if it was removed."""
    with removing(wait) as free:
        options = ("--force",) if force else ()
        return free and engine.docker("image", "rm", *options, name, check=False).returncode == 0


def image_id(engine: Engine, tag: str) -> str | None:
    found = engine.docker("image", "inspect", "--format", "{{.Id}}", tag, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def replace_previous(engine: Engine, tag: str, previous: str | None) -> None:
    """After `tag` was rebuilt, remove the image it named before (left untagged otherwise).
    An image a container still uses stays: Docker refuses, and prune removes it later."""
    if previous and previous != image_id(engine, tag):
        remove_image(engine, previous)


def stage_images(build_output: str) -> list[str]:
    """The image each earlier stage of a build ended on, in order, read from the classic
    builder's output; [] for a one-stage build, and for BuildKit (its stages live in its build
    cache, not as images). A stage that adds nothing to its base is left out."""
    stages, first, last = [], None, None
    for line in build_output.splitlines():
        if FROM_STEP.match(line):
            if last and last != first:
                stages.append(last)
            first = last = None
        elif found := STEP_IMAGE.match(line):
            first, last = first or found[1], found[1]
    return stages  # the final stage's last image is the tagged image itself


def stage_tags(engine: Engine, tag: str) -> list[str]:
    """The `<tag>-stageN` tags there are now."""
    repository = tag.rsplit(":", 1)[0]
    listed = engine.docker(
        "image", "ls", repository, "--format", "{{.Repository}}:{{.Tag}}", check=False
    )
    return [name for name in listed.stdout.split() if stage_owner(name) == tag]


def stage_owner(name: str) -> str | None:
    """The tag whose build stage `name` is (`x:latest-stage1` -> `x:latest`), else None."""
    owner, stage, number = name.rpartition(STAGE)
    return owner if stage and number.isdigit() else None


def tag_stages(engine: Engine, tag: str, build_output: str) -> None:
    """After `tag` was built, tag its earlier stages `<tag>-stageN`: the build cache a rebuild
    reuses, which untagged would outlive every tag. A stage tag moved to a new image leaves the
    old one untagged, still a cache for whatever builds next, until `remove_dangling`."""
    wanted = {f"{tag}{STAGE}{k}": image for k, image in enumerate(stage_images(build_output), 1)}
    for name, image in wanted.items():
        engine.docker("tag", image, name, check=False)
    for name in stage_tags(engine, tag):
        if name not in wanted:
            remove_image(engine, name)


def remove_stale_stages(engine: Engine) -> list[str]:
    """Remove the stage tags whose image's tag is gone (a scratch workspace's, once it was
    removed); the tags removed. Until then they served other builds of the same stage."""
    listed = engine.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", check=False)
    names = set(listed.stdout.split())
    stale = [name for name in names if (owner := stage_owner(name)) and owner not in names]
    return [name for name in stale if remove_image(engine, name)]


def remove_dangling(engine: Engine) -> list[str]:
    """Remove the course's untagged images that no tag needs (replaced stages, failed builds);
    Docker's "Total reclaimed space" line, if it printed one."""
    with removing() as free:
        if not free:
            return []
        dangling = engine.docker("image", "prune", "--force", *_ours(engine), check=False)
    return _reclaimed("untagged images", dangling.stdout)


@dataclass
class Pruned:
    containers: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    reclaimed: list[str] = field(default_factory=list)  # Docker's own "Total reclaimed space"

    def __str__(self) -> str:
        lines = [
            f"removed {len(self.containers)} stopped container(s) and "
            f"{len(self.images)} image(s) the course built",
            *self.reclaimed,
        ]
        return "\n".join(lines)


def _ours(engine: Engine) -> list[str]:
    """Docker filters for what the course built: on its private engine everything is (images
    from before the label too); on a shared engine, what carries the label."""
    return [] if engine.env.get("DOCKER_HOST") == PRIVATE_HOST else ["--filter", f"label={LABEL}"]


def _course_images(engine: Engine) -> list[tuple[str, str]]:
    """(id, repository:tag) of every image the course built."""
    listed = engine.docker(
        "image", "ls", "--no-trunc", *_ours(engine),
        "--format", "{{.ID}} {{.Repository}}:{{.Tag}}",
    )  # fmt: skip
    return [tuple(line.split(" ", 1)) for line in listed.stdout.splitlines() if " " in line]


def prune(engine: Engine, repositories: tuple[str, ...] | None = None) -> Pruned:
    """Remove what the course built except the current tags; on the course's private engine
    (whose data is all the course's), its build cache too. `repositories` limits it to those
    images (a test prunes only its own, never what other tests are using)."""
    done = Pruned()
    everything = repositories is None
    if everything:
        stopped = engine.docker(
            "container", "ls", "--all", "--quiet", "--filter", "status=exited",
            "--filter", "status=created", *_ours(engine),
        )  # fmt: skip
        done.containers = stopped.stdout.split()
        if done.containers:
            engine.docker("container", "rm", *done.containers, check=False)
    for image, name in _course_images(engine):
        repository = name.rsplit(":", 1)[0]
        kept = (stage_owner(name) or name) in CURRENT or repository in KEEP_REPOSITORIES
        if kept or not (everything or repository in repositories):
            continue
        if remove_image(engine, image, force=True):
            done.images.append(name if "<none>" not in name else image)
    if everything:
        done.reclaimed += remove_dangling(engine)
        if engine.env.get("DOCKER_HOST") == PRIVATE_HOST:
            cache = engine.docker("builder", "prune", "--all", "--force", check=False)
            done.reclaimed += _reclaimed("build cache", cache.stdout)
    return done


def _reclaimed(what: str, output: str) -> list[str]:
    found = re.search(r"Total(?: reclaimed space)?:\s*(\S+)", output)
    return [f"{what}: {found[1]} freed"] if found else []
