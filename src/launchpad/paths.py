"""Where the course keeps things: the learner's workspace and the per-machine cache.

Both are overridable by environment variables so that tests never touch a learner's files:
`LAUNCHPAD_WORKSPACE` names the workspace, `LAUNCHPAD_CACHE` the cache.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE_VAR = "LAUNCHPAD_WORKSPACE"
CACHE_VAR = "LAUNCHPAD_CACHE"


def cache_dir() -> Path:
    """The per-machine cache (course model, downloaded data). Survives fresh clones."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mlops-launchpad"
    path = Path(os.environ.get(CACHE_VAR, default)).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def workspace_dir() -> Path:
    """The learner's own project: `workspace/` at the repository root unless overridden."""
    path = Path(os.environ.get(WORKSPACE_VAR, REPO_ROOT / "workspace")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def using_workspace(workspace: str | os.PathLike | None) -> Iterator[Path]:
    """Checks read `workspace` (None: the learner's own) until the block ends; then the
    environment is as it was. Self-tests, the capstone audit and the tests use it."""
    saved = os.environ.get(WORKSPACE_VAR)
    if workspace is not None:
        os.environ[WORKSPACE_VAR] = str(workspace)
    try:
        yield workspace_dir()
    finally:
        if saved is None:
            os.environ.pop(WORKSPACE_VAR, None)
        else:
            os.environ[WORKSPACE_VAR] = saved


def link_or_copy(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """A hard link where the file system allows it (wheels and weights are hundreds of MB),
    else a copy. Never edit the target in place: it may share its bytes with the source."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
