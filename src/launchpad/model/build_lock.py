"""One build of a cached folder at a time (the course model, its ONNX export).

`make lab` builds the course model in the background (`launchpad.model.background`) while a
notebook may ask for it: a lock file beside each folder keeps two builds from running at once.
A process that needs the folder while another builds it says so in one line and waits, then
finds the folder built, never a half-written one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from launchpad.paths import cache_dir

try:
    import fcntl
except ImportError:  # Windows without WSL: no lock, builds are simply not shared
    fcntl = None


def log_path() -> Path:
    """Where the background build writes its progress."""
    return cache_dir() / "models" / "background-build.log"


def _lock_path(folder: Path) -> Path:
    return folder.with_name(folder.name + ".lock")


@contextmanager
def exclusive(folder: Path, what: str = "the course model") -> Iterator[None]:
    """Hold `folder`'s build lock; if another process holds it, say so once and wait."""
    lock = _lock_path(folder)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(
                    f"Waiting for {what}: another process is building it (the background build "
                    f"`make lab` started, about 5 minutes the first time). Progress: "
                    f"tail -f {log_path()}",
                    file=sys.stderr,  # standard output is the folder alone: $(make -s model)
                    flush=True,
                )
                fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")  # who builds: for a look with `ps`, and for tests
        handle.flush()
        yield  # closing the file releases the lock, also when the build fails


def builder(folder: Path) -> int | None:
    """The process id of the build holding `folder`'s lock, if one does."""
    if not building(folder):
        return None
    text = _lock_path(folder).read_text().strip()
    return int(text) if text.isdigit() else None


def building(folder: Path) -> bool:
    """Is another process building `folder` right now?"""
    lock = _lock_path(folder)
    if fcntl is None or not lock.exists():
        return False
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False
