"""A Python base image when `python:3.11-slim` cannot be pulled (CI here has no Docker Hub).

Debian bookworm minbase plus python3 (3.11, like the slim image), python3-venv and
ca-certificates, made with debootstrap from Debian's package archive and imported with
`docker import`. The root file system is cached as a tarball, so only the first run pays the
~45 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from launchpad.containers.engine import Engine, EngineError, apt_install
from launchpad.paths import cache_dir

OFFICIAL = "python:3.11-slim"
LOCAL_TAG = "launchpad/python-base:bookworm-3.11"
PACKAGES = "python3,python3-venv,ca-certificates"
# Trimmed from the root file system: package caches and documentation, about 100 MB.
TRIM = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/locale",
    "usr/share/info",
)


def has_image(engine: Engine, tag: str) -> bool:
    return engine.docker("image", "inspect", tag, check=False).returncode == 0


def ensure_base_image(engine: Engine) -> str:
    """The base image to build on: the official slim image if present or pullable, else ours."""
    if has_image(engine, OFFICIAL):
        return OFFICIAL
    # Tests and CI reach package registries only, never an image registry: they do not try.
    may_pull = not (os.environ.get("CI") or os.environ.get("LAUNCHPAD_NO_PULL"))
    if (
        may_pull
        and engine.docker("pull", "--quiet", OFFICIAL, check=False, timeout=120).returncode == 0
    ):
        return OFFICIAL
    if not has_image(engine, LOCAL_TAG):
        tarball = _rootfs_tarball()
        with tarball.open("rb") as stream:
            engine.docker("import", "-", LOCAL_TAG, stdin=stream, text=False)
    return LOCAL_TAG


def _rootfs_tarball() -> Path:
    tarball = cache_dir() / "images" / "debian-bookworm-python3.tar"
    if tarball.exists():
        return tarball
    if shutil.which("debootstrap") is None:
        apt_install("debootstrap")
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="launchpad-rootfs-") as tmp:
        root = Path(tmp) / "rootfs"
        run = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={PACKAGES}", "bookworm", str(root)],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if run.returncode != 0:
            raise EngineError(f"debootstrap failed: {run.stderr.strip()[-1500:]}")
        for path in TRIM:
            shutil.rmtree(root / path, ignore_errors=True)
        partial = tarball.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True)
        partial.rename(tarball)
    return tarball
