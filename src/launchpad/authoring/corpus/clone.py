"""The repository as a learner has it, in a scratch folder: the working tree's files that git
tracks or would track (`git ls-files -co --exclude-standard`: no .venv, no workspace/), so the
learner's `workspace/` sits at its default place inside it, under the course's own
pyproject.toml and .gitignore. The conftest's temporary workspace elsewhere hides defects that
only this place shows (module 04's lint reads the course's pyproject.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from launchpad.containers.learner_image import OWN_TAG_VAR
from launchpad.paths import WORKSPACE_VAR

# Files this big are course artifacts (a vendored script, weights): hashed, not kept, so a
# change to one is reported rather than undone.
KEEP_BYTES = 1 << 20
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


def scratch_clone(repo: Path, target: Path) -> Path:
    """Copy the learner-visible files of `repo` into `target` (a new folder); return it.
    Copies, not hard links: a cell that rewrites a file in place must not reach the original."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    for relative in filter(None, listed):
        source = repo / relative
        if not source.is_file():  # deleted in the working tree, not yet in git
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / relative, follow_symlinks=False)
    # Its own repository root, so that git commands run by a check stay inside the clone.
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    return target


def kernel_env(clone: Path, quiet: dict[str, str]) -> dict[str, str]:
    """This process's environment for a kernel in `clone`: the clone's toolkit first on the
    path (so `REPO_ROOT` is the clone and the workspace defaults to `<clone>/workspace`), no
    workspace override, quiet libraries, an image tag of its own, and never a download from
    the Hub (a case that would reach for one fails at once instead of hanging on the network)."""
    env = {k: v for k, v in os.environ.items() if k != WORKSPACE_VAR}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(clone / "src"), env.get("PYTHONPATH")]))
    env.update(quiet)
    env["HF_HUB_OFFLINE"] = "1"
    env[OWN_TAG_VAR] = "1"  # the clone's image is not the learner's my-sentiment-api:latest
    return env


@dataclass
class WorkspaceSnapshot:
    """The workspace's files as they were, to put back between cases."""

    root: Path
    files: dict[str, bytes | tuple[int, int]] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)

    @classmethod
    def take(cls, root: Path) -> WorkspaceSnapshot:
        snapshot = cls(root)
        for path in _files(root):
            stat = path.stat()
            relative = str(path.relative_to(root))
            keep = stat.st_size <= KEEP_BYTES
            snapshot.files[relative] = path.read_bytes() if keep else _signature(stat)
        snapshot.folders = {str(p.relative_to(root)) for p in _folders(root)}
        return snapshot

    def restore(self) -> list[str]:
        """Undo what a case did; return the large files it changed (which cannot be undone)."""
        changed = []
        for path in _files(self.root):
            if str(path.relative_to(self.root)) not in self.files:
                path.unlink()
        for relative, kept in self.files.items():
            path = self.root / relative
            if isinstance(kept, bytes):
                if not path.is_file() or path.read_bytes() != kept:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.unlink(missing_ok=True)  # never write through a hard link
                    path.write_bytes(kept)
            elif not path.is_file() or _signature(path.stat()) != kept:
                changed.append(relative)
        for folder in sorted(_folders(self.root), key=lambda p: len(p.parts), reverse=True):
            if str(folder.relative_to(self.root)) not in self.folders and not any(folder.iterdir()):
                folder.rmdir()
        return changed


def _files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return [
        p
        for p in root.rglob("*")
        if (p.is_file() or p.is_symlink()) and not SKIP_DIRS & set(p.relative_to(root).parts)
    ]


def _folders(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return [
        p
        for p in root.rglob("*")
        if p.is_dir() and not p.is_symlink() and not SKIP_DIRS & set(p.relative_to(root).parts)
    ]


def _signature(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_size, stat.st_mtime_ns
