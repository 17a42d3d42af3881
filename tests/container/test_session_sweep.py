"""A test session clears what it built (issue 19: a second run adds under 0.5 GB): a notebook
kernel's `tempfile.mkdtemp` workspace lives under the session's folder, removed at the end, and
the images built for it, its build stage included, go with it (the root conftest's sweep)."""

from __future__ import annotations

import os
import subprocess
import sys

from launchpad.paths import REPO_ROOT

SESSION = "tests/support/sessions/leaves_a_scratch_image.py"


def test_a_session_leaves_no_image_of_a_folder_it_made(engine, tmp_path):
    report = tmp_path / "built.txt"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", SESSION],
        cwd=REPO_ROOT,
        env={**os.environ, "LAUNCHPAD_SWEEP_REPORT": str(report)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    built = report.read_text().split()
    assert len(built) == 2  # the image and its build stage
    left = [i for i in built if engine.docker("image", "inspect", i, check=False).returncode == 0]
    assert not left, f"the session left {left} behind"
