"""A test session of its own for tests/container/test_session_sweep.py: it builds what a
notebook kernel builds in a folder nobody removes, and leaves it to the harness to clear."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from launchpad.containers import housekeeping, learner_image
from launchpad.paths import WORKSPACE_VAR


def test_a_kernel_style_scratch_workspace_builds_an_image():
    folder = Path(tempfile.mkdtemp(prefix="launchpad-left-behind-"))  # as lesson 09's kernel
    os.environ[WORKSPACE_VAR] = str(folder)
    (folder / "Dockerfile").write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS build\nRUN echo left > /left\n"
        'FROM ${BASE_IMAGE}\nCOPY --from=build /left /left\nCMD ["true"]\n'
    )
    found, tag = learner_image.built_image()
    stage = f"{tag}{housekeeping.STAGE}1"
    built = [housekeeping.image_id(found, name) for name in (tag, stage)]
    assert all(built), "the build left no image to sweep"
    Path(os.environ["LAUNCHPAD_SWEEP_REPORT"]).write_text("\n".join(built))
