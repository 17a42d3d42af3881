"""A Python base image when `python:3.11-slim` cannot be pulled (CI here has no Docker Hub).

Debian bookworm minbase plus Python 3.11 (like the slim image) with pip and venv, made with
debootstrap from Debian's package archive and imported with `docker import`. A learner's
Dockerfile must not notice the swap, so the root file system is adjusted to what the slim image
does (`_slim_like`): `python` and `pip` on the PATH (also in /usr/local/bin), pip installs as
root outside a venv, into /usr/local/lib/python3.11/site-packages, and `pip install --prefix
DIR` fills DIR/lib/python3.11/site-packages. The root file system is cached as a tarball named
after its recipe, so only the first run on a machine pays the ~45 s.

`python -m launchpad.containers.base_image` prints the base image to build on (making it if it
has to), for a terminal's `docker build --build-arg BASE_IMAGE=...`.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from launchpad.containers.engine import Engine, EngineError, apt_install
from launchpad.paths import cache_dir

OFFICIAL = "python:3.11-slim"
LOCAL_TAG = "launchpad/python-base:bookworm-3.11"
PACKAGES = ("python3", "python3-venv", "python3-pip", "python-is-python3", "ca-certificates")
# The slim image's configuration: what `docker import` sets on the root file system.
CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
)
# Trimmed from the root file system: package caches and documentation, about 100 MB.
TRIM = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/locale",
    "usr/share/info",
)
RECIPE_LABEL = "org.mlops-launchpad.base-recipe"
# Debian's pip puts `--prefix DIR` installs under DIR/local/lib/python3.11/dist-packages (its
# `posix_local` scheme); the slim image's pip uses DIR/lib/python3.11/site-packages, and the
# classic `pip install --prefix=/install` + `COPY --from=build /install /usr/local` relies on it.
PIP_SCHEMES = "usr/lib/python3/dist-packages/pip/_internal/locations/_sysconfig.py"
PIP_PREFIX_RULE = 'if prefix is not None and scheme_name == "osx_framework_library":'
PIP_PREFIX_FIX = PIP_PREFIX_RULE.replace(
    '== "osx_framework_library"', 'in ("osx_framework_library", "posix_local")'
)

Progress = Callable[..., AbstractContextManager]


def _quiet(what: str, usually: str = "") -> AbstractContextManager:
    return nullcontext()


def recipe() -> str:
    """A digest of everything that shapes the local base image: a change makes a new one."""
    parts = (PACKAGES, CHANGES, TRIM, PIP_PREFIX_FIX, inspect.getsource(_slim_like))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


def has_image(engine: Engine, tag: str) -> bool:
    return engine.docker("image", "inspect", tag, check=False).returncode == 0


def is_current(engine: Engine) -> bool:
    """The local base image exists and was made by this recipe (not an older one)."""
    found = engine.docker(
        "image", "inspect", "--format", f'{{{{index .Config.Labels "{RECIPE_LABEL}"}}}}',
        LOCAL_TAG, check=False,
    )  # fmt: skip
    return found.returncode == 0 and found.stdout.strip() == recipe()


def may_pull() -> bool:
    # Tests and CI reach package registries only, never an image registry: they do not try.
    return not (os.environ.get("CI") or os.environ.get("LAUNCHPAD_NO_PULL"))


def ensure_base_image(engine: Engine, progress: Progress = _quiet) -> str:
    """The base image to build on: the official slim image if present or pullable, else ours.
    `progress` wraps the slow parts (a check passes `launchpad.checks.progress.step`)."""
    if has_image(engine, OFFICIAL):
        return OFFICIAL
    if may_pull():
        with progress(f"Pulling {OFFICIAL} from Docker Hub (once; given up after 2 minutes)"):
            pulled = engine.docker("pull", "--quiet", OFFICIAL, check=False, timeout=120)
        if pulled.returncode == 0:
            return OFFICIAL
    return ensure_local_base(engine, progress)


def ensure_local_base(engine: Engine, progress: Progress = _quiet) -> str:
    """The course's Debian copy of the slim image, made (or remade, after a recipe change)
    when the engine does not have it yet."""
    if not is_current(engine):
        from launchpad.containers.housekeeping import LABEL, image_id, replace_previous

        previous = image_id(engine, LOCAL_TAG)
        with progress(
            "Making the course's Debian copy of python:3.11-slim (once per machine)",
            usually="a minute on a 2-core laptop",
        ):
            tarball = _rootfs_tarball()
            changes = (*CHANGES, f"LABEL {LABEL}", f"LABEL {RECIPE_LABEL}={recipe()}")
            with tarball.open("rb") as stream:
                engine.docker(
                    "import", *(f"--change={c}" for c in changes), "-", LOCAL_TAG,
                    stdin=stream, text=False,
                )  # fmt: skip
        replace_previous(engine, LOCAL_TAG, previous)
    return LOCAL_TAG


def _rootfs_tarball() -> Path:
    folder = cache_dir() / "images"
    tarball = folder / f"debian-bookworm-python3-{recipe()}.tar"
    if tarball.exists():
        return tarball
    if shutil.which("debootstrap") is None:
        apt_install("debootstrap")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="launchpad-rootfs-") as tmp:
        root = Path(tmp) / "rootfs"
        run = subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(PACKAGES)}",
                "bookworm",
                str(root),
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if run.returncode != 0:
            raise EngineError(f"debootstrap failed: {run.stderr.strip()[-1500:]}")
        _slim_like(root)
        partial = tarball.with_suffix(f".{os.getpid()}.partial")  # two processes may race
        subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True)
        partial.rename(tarball)
    for older in folder.glob("debian-bookworm-python3*.tar"):  # earlier recipes: 120 MB each
        if older != tarball:
            older.unlink()
    return tarball


def _slim_like(root: Path) -> None:
    """Make Debian's Python behave as the official slim image's does for a Dockerfile."""
    for path in TRIM:
        shutil.rmtree(root / path, ignore_errors=True)
    # pip installs as root outside a venv (no PEP 668 marker in the slim image).
    (root / "usr/lib/python3.11/EXTERNALLY-MANAGED").unlink(missing_ok=True)
    # Debian's /usr/local/lib/python3.11/dist-packages becomes a name for site-packages, the
    # slim image's folder: pip writes there, and a COPY of it lands on sys.path.
    local_lib = root / "usr/local/lib/python3.11"
    shutil.rmtree(local_lib / "dist-packages", ignore_errors=True)
    (local_lib / "site-packages").mkdir(parents=True, exist_ok=True)
    (local_lib / "dist-packages").symlink_to("site-packages")
    # The slim image's Python lives in /usr/local/bin: a CMD that names it works here too.
    for name in ("python", "python3", "pip", "pip3"):
        (root / "usr/local/bin" / name).symlink_to(f"/usr/bin/{name}")
    schemes = root / PIP_SCHEMES
    text = schemes.read_text()
    if PIP_PREFIX_RULE not in text:
        raise EngineError(f"Debian's pip changed: {PIP_SCHEMES} has no {PIP_PREFIX_RULE!r}")
    schemes.write_text(text.replace(PIP_PREFIX_RULE, PIP_PREFIX_FIX))


def main() -> int:
    from launchpad.containers.engine import find_or_start

    try:
        print(ensure_base_image(find_or_start(keep=True)))
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
