"""Which checks the learner has passed, kept in `workspace/.launchpad/progress.json`.

The file is small JSON so a learner (or an instructor looking over a shoulder) can read it.
A corrupt file is set aside, never fatal: progress is a convenience, not a grade. This module
only stores: a passing check records itself here without importing the questions, and the
views of it (`launchpad.progress.views`) read it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from launchpad.paths import workspace_dir


def progress_file() -> Path:
    return workspace_dir() / ".launchpad" / "progress.json"


def load() -> dict[str, dict[str, str]]:
    """{module: {question: ISO time first passed}}."""
    path = progress_file()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        path.rename(path.with_suffix(".corrupt.json"))
        return {}
    return data if isinstance(data, dict) else {}


def record(module: str, question: str) -> None:
    data = load()
    passed = data.setdefault(module, {})
    if question not in passed:
        passed[question] = datetime.now(UTC).isoformat(timespec="seconds")
        path = progress_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        tmp.replace(path)
