"""What the course leaves on a Docker engine, and how it is cleared: a learner's disk is not ours
to fill.

Every image the course builds carries the label `LABEL`, so the course can tell its own images
from the learner's other work on a shared engine (Docker Desktop). A rebuilt tag replaces its
previous image instead of leaving it behind untagged; `prune()` (`make prune`) removes the
course's stopped containers, its untagged images and every tag but the current ones, and on the
course's own private engine its build cache too.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

from launchpad.containers.engine import PRIVATE_HOST, Engine
from launchpad.paths import cache_dir

LABEL = "org.mlops-launchpad.built-by=launchpad"
# The tags a learner or `make image` uses now; prune keeps these (and the base images).
CURRENT = (
    "sentiment-api:latest",
    "sentiment-api:onnx",
    "my-sentiment-api:latest",
)
KEEP_REPOSITORIES = ("launchpad/python-base",)


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


def image_id(engine: Engine, tag: str) -> str | None:
    found = engine.docker("image", "inspect", "--format", "{{.Id}}", tag, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def replace_previous(engine: Engine, tag: str, previous: str | None) -> None:
    """After `tag` was rebuilt, remove the image it named before (left untagged otherwise).
    An image a container still uses stays: Docker refuses, and prune removes it later."""
    if previous and previous != image_id(engine, tag):
        engine.docker("image", "rm", previous, check=False)


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
        kept = name in CURRENT or repository in KEEP_REPOSITORIES
        if kept or not (everything or repository in repositories):
            continue
        if engine.docker("image", "rm", "--force", image, check=False).returncode == 0:
            done.images.append(name if "<none>" not in name else image)
    if everything:
        dangling = engine.docker("image", "prune", "--force", *_ours(engine))
        done.reclaimed += _reclaimed("untagged images", dangling.stdout)
        if engine.env.get("DOCKER_HOST") == PRIVATE_HOST:
            cache = engine.docker("builder", "prune", "--all", "--force", check=False)
            done.reclaimed += _reclaimed("build cache", cache.stdout)
    return done


def _reclaimed(what: str, output: str) -> list[str]:
    found = re.search(r"Total(?: reclaimed space)?:\s*(\S+)", output)
    return [f"{what}: {found[1]} freed"] if found else []
