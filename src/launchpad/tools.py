"""Command-line tools that get a virtual environment of their own, like `pipx install`.

checkov pins dozens of libraries (an old `packaging` and `networkx` among them) that would
fight the course's own pins, so it lives in its own venv under the per-machine cache. It is
installed from the package index on first use through pip, and reused by every later run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from launchpad.paths import cache_dir

# name -> the pinned requirement that provides a command of that name
TOOLS = {"checkov": "checkov==3.3.30"}


class ToolError(RuntimeError):
    """A tool could not be installed; the message says what pip said."""


def tool(name: str) -> Path:
    """The path to `name`'s executable, installing it in its own venv the first time."""
    requirement = TOOLS[name]
    home = cache_dir() / "tools" / requirement.replace("==", "-")
    executable = home / "bin" / name
    stamp = home / ".complete"
    if stamp.exists() and executable.exists():
        return executable
    shutil.rmtree(home, ignore_errors=True)  # a half-finished install is started over
    steps = (
        [sys.executable, "-m", "venv", str(home)],
        [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement],
    )
    for step in steps:
        run = subprocess.run(step, capture_output=True, text=True, timeout=1800)
        if run.returncode != 0:
            raise ToolError(f"Installing {requirement} failed: {run.stderr.strip()[-1500:]}")
    stamp.touch()
    return executable


def debian_binary(command: str, package: str, elsewhere: str) -> str:
    """The path to `command`, installing Debian's `package` with apt-get if it is missing.
    `elsewhere` tells a learner without apt-get how to get it."""
    if shutil.which(command) is None:
        if shutil.which("apt-get") is None:
            raise ToolError(f"{command} is not installed: {elsewhere}")
        from launchpad.containers.engine import EngineError, apt_install

        try:
            apt_install(package)
        except EngineError as error:
            raise ToolError(f"could not install Debian's {package}: {error}") from error
    return shutil.which(command)
