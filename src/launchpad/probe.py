"""Module 00's environment probe: what is installed, what is missing, and how to fix it.

Informative by design: every item reports a status and a fix, nothing raises. A missing Docker
engine is normal until module 03.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata

PACKAGES = ("torch", "transformers", "jupyterlab", "ipywidgets")


@dataclass(frozen=True)
class Item:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


@dataclass(frozen=True)
class Report:
    items: list[Item]

    @property
    def ready(self) -> bool:
        return all(item.ok for item in self.items if item.required)

    def item(self, name: str) -> Item:
        return next(i for i in self.items if i.name == name)

    def lines(self) -> list[str]:
        out = []
        for i in self.items:
            mark = "ok " if i.ok else ("-- " if not i.required else "!! ")
            out.append(f"{mark} {i.name:<14} {i.detail}" + (f"  -> {i.fix}" if i.fix else ""))
        out.append("Ready for the course." if self.ready else "Fix the items marked !! first.")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())


def probe(check_model: bool = True) -> Report:
    items = [_python()] + [_package(name) for name in PACKAGES]
    if check_model:
        items.append(_course_model())
    items.append(_docker())
    return Report(items)


def _python() -> Item:
    version = platform.python_version()
    ok = sys.version_info[:2] == (3, 11)
    return Item(
        "python",
        ok,
        version,
        ""
        if ok
        else "The course pins Python 3.11: install it and run `make lab PYTHON=python3.11`.",
    )


def _package(name: str) -> Item:
    try:
        return Item(name, True, metadata.version(name))
    except metadata.PackageNotFoundError:
        return Item(name, False, "not installed", "Run `make lab`, which installs the pinned set.")


def _course_model() -> Item:
    from launchpad.model import build
    from launchpad.model.background import progress
    from launchpad.model.build_lock import building, log_path

    folder = build.model_dir()
    if not folder.exists() and building(folder):
        # Not needed before module 01, which waits for it: nothing to fix.
        return Item(
            "course model",
            True,
            f"building in the background: {progress() or 'starting'}",
            f"module 01 waits for it; follow it with `tail -f {log_path()}`",
        )
    if not folder.exists():
        return Item("course model", False, "not built yet", "Run `make model` (5 minutes).")
    problem = build.verify(folder)
    if problem:
        return Item("course model", False, problem, "Run `make model` to rebuild it.")
    accuracy = build.read_manifest(folder)["evaluation"]["movies"]["accuracy"]
    return Item("course model", True, f"built, {accuracy:.1%} on held-out movie reviews")


def _docker() -> Item:
    fix = "Needed from module 03 on; see the setup page for installing Docker."
    if shutil.which("docker") is None:
        return Item("docker engine", False, "no docker command", fix, required=False)
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return Item("docker engine", False, "docker did not answer", fix, required=False)
    if result.returncode != 0:
        return Item(
            "docker engine", False, "client installed, no engine running", fix, required=False
        )
    return Item("docker engine", True, f"engine {result.stdout.strip()}", required=False)


CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def cuda_wheels() -> list[str]:
    """The NVIDIA CUDA wheels installed beside PyTorch (none with the CPU-only build)."""
    names = {(d.metadata["Name"] or "").lower() for d in metadata.distributions()}
    return sorted(name for name in names if name.startswith("nvidia-"))


def cuda_notice() -> str:
    """One line for `make install`: empty with a CPU-only PyTorch."""
    found = cuda_wheels()
    if not found:
        return ""
    return (
        f"note: PyTorch came with {len(found)} CUDA wheels this course never uses (several GB): "
        f"export PIP_EXTRA_INDEX_URL={CPU_INDEX}, delete .venv/ and run make lab again."
    )
