"""`make workshop-reset` on a workspace with work in it: it asks first, backs everything up,
restores the exercises as generated, empties the workspace, and touches nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat


def reset(tmp_path, *options):
    env = {**os.environ, "LAUNCHPAD_WORKSPACE": str(tmp_path / "workspace")}
    return subprocess.run(
        [sys.executable, "-m", "launchpad", "workshop-reset", *options]
        + ["--exercises", str(tmp_path / "exercises"), "--solutions", str(tmp_path / "solutions")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workshop_reset_keeps_a_backup_and_touches_nothing_else(repo, tmp_path):
    shutil.copytree(repo / "solutions", tmp_path / "solutions")
    shutil.copytree(repo / "exercises", tmp_path / "exercises")
    exercises = tmp_path / "exercises"
    # A learner's morning: an answer typed in, a notebook deleted, a project, a registry.
    answered = nbformat.read(exercises / "01-load-a-pretrained-model.ipynb", 4)
    answered.cells[-1].source += "\n# my answer"
    nbformat.write(answered, exercises / "01-load-a-pretrained-model.ipynb")
    (exercises / "02-wrap-it-in-an-api.ipynb").unlink()
    workspace = tmp_path / "workspace"
    (workspace / "api").mkdir(parents=True)
    (workspace / "api" / "main.py").write_text("app = 'mine'\n")
    (workspace / ".launchpad").mkdir()
    (workspace / ".launchpad" / "progress.json").write_text('{"01": {"q1": "today"}}')
    notes = tmp_path / "notes.txt"
    notes.write_text("not course material")

    asked = reset(tmp_path)
    assert asked.returncode == 1 and "YES=1" in asked.stderr
    assert "01-load-a-pretrained-model.ipynb" in asked.stdout
    assert "02-wrap-it-in-an-api.ipynb" in asked.stdout
    assert "2 file(s) in the workspace" in asked.stdout
    assert (workspace / "api" / "main.py").exists(), "it changed things without asking"

    done = reset(tmp_path, "--yes")
    assert done.returncode == 0, done.stderr
    for notebook in (repo / "exercises").glob("*.ipynb"):
        assert (exercises / notebook.name).read_text() == notebook.read_text(), notebook.name
    assert workspace.is_dir() and not any(workspace.iterdir())
    (backup,) = (tmp_path / "workspace-backups").iterdir()
    assert "# my answer" in (backup / "exercises" / "01-load-a-pretrained-model.ipynb").read_text()
    assert (backup / "workspace" / "api" / "main.py").read_text() == "app = 'mine'\n"
    assert (backup / "workspace" / ".launchpad" / "progress.json").exists()
    assert notes.read_text() == "not course material"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "exercises",
        "notes.txt",
        "solutions",
        "workspace",
        "workspace-backups",
    ]

    again = reset(tmp_path, "--yes")
    assert again.returncode == 0 and "Nothing to reset" in again.stdout
