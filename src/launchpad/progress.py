"""Which checks the learner has passed, kept in `workspace/.launchpad/progress.json`.

The file is small JSON so a learner (or an instructor looking over a shoulder) can read it.
A corrupt file is set aside, never fatal: progress is a convenience, not a grade.
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


def summary() -> list[tuple[str, str, int, int]]:
    """(module, title, passed, total) for every module with checked questions."""
    from launchpad.exercises import MODULES

    data = load()
    return [
        (
            module,
            title,
            len(set(data.get(module, {})) & {f"q{q.number}" for q in questions}),
            len(questions),
        )
        for module, (title, questions) in MODULES.items()
    ]


def dashboard():
    """An ipywidgets panel with one progress bar per module."""
    import ipywidgets as widgets

    rows = []
    for module, title, passed, total in summary():
        bar = widgets.IntProgress(
            value=passed, min=0, max=total, bar_style="success" if passed == total else "info"
        )
        rows.append(
            widgets.HBox(
                [
                    widgets.Label(f"{module} {title}", layout={"width": "20em"}),
                    bar,
                    widgets.Label(f"{passed}/{total}"),
                ]
            )
        )
    return widgets.VBox(rows)
