"""Workshop mode: set the course back to a clean start for a new cohort.

`make workshop-reset` restores every exercise notebook to its generated state and empties the
workspace (the learner's project, registry and progress). Nothing is deleted: the changed
notebooks and the whole workspace are moved to a backup folder next to the workspace first,
and the command asks before it starts unless told `--yes`. Nothing else is touched.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from launchpad.authoring.generate import exercise_from_solution, render


@dataclass
class Plan:
    """What a reset would do: which notebooks it restores, what workspace files it moves."""

    changed: dict[Path, str]  # exercise notebook -> its generated text
    workspace_files: list[Path]
    backup: Path

    @property
    def empty(self) -> bool:
        return not self.changed and not self.workspace_files

    def describe(self) -> str:
        lines = [f"{len(self.changed)} exercise notebook(s) to restore:"]
        lines += [f"  {path.name}" for path in sorted(self.changed)]
        lines.append(f"{len(self.workspace_files)} file(s) in the workspace to clear.")
        lines.append(f"Everything is moved to {self.backup} first.")
        return "\n".join(lines)


def plan(exercises: Path, solutions: Path, workspace: Path) -> Plan:
    changed = {}
    for source in sorted(solutions.glob("[0-9][0-9]-*.ipynb")):
        target = exercises / source.name
        fresh = render(exercise_from_solution(nbformat.read(source, as_version=4), source.name))
        if not target.exists() or target.read_text() != fresh:
            changed[target] = fresh
    files = sorted(p for p in workspace.rglob("*") if p.is_file()) if workspace.exists() else []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = workspace.parent / "workspace-backups" / f"before-reset-{stamp}"
    return Plan(changed, files, backup)


def reset(todo: Plan, workspace: Path) -> None:
    """Carry out `todo`: back up, then restore the notebooks and empty the workspace."""
    todo.backup.mkdir(parents=True, exist_ok=False)
    for target, fresh in todo.changed.items():
        if target.exists():
            (todo.backup / "exercises").mkdir(exist_ok=True)
            shutil.copy2(target, todo.backup / "exercises" / target.name)
        target.write_text(fresh)
    if todo.workspace_files:
        shutil.move(str(workspace), str(todo.backup / "workspace"))
    workspace.mkdir(parents=True, exist_ok=True)
