"""A learner's pytest run, read the way a person reads it: the closing line and what passed.

Module 02's check runs the learner's tests; the capstone runs the portfolio's `make test`.
Both read pytest's last line ("3 passed, 1 failed in 0.52s") through `summarise`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# What a project's tests need to import the service from its own root (`pythonpath`) and find
# `tests/`: module 04 writes it into the learner's pyproject.toml, the capstone into the
# portfolio's.
PYTEST_SETTINGS = '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n'
QUIET = ["-q", "--color=no", "-p", "no:cacheprovider"]


@dataclass(frozen=True)
class PytestRun:
    returncode: int
    summary: str  # pytest's closing line without its timing, e.g. "3 passed, 1 failed"
    passed: int
    output: str = ""


def summarise(run: subprocess.CompletedProcess) -> PytestRun:
    last_line = (run.stdout.strip().splitlines() or ["no output"])[-1]
    summary = re.sub(r"\s+in [\d.]+s.*$", "", last_line.strip("= "))
    passed = int(m[1]) if (m := re.search(r"(\d+) passed", summary)) else 0
    return PytestRun(run.returncode, summary, passed, run.stdout)


def run_pytest(folder: Path, timeout: int = 600) -> PytestRun:
    """`python -m pytest` in `folder`, exactly as the learner runs it."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *QUIET],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=folder,
    )
    return summarise(run)
