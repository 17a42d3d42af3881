"""Module 04's checks run hooks and plant mistakes in a copy of the learner's project: nothing
they do there may reach the learner's own files (hooks such as nbstripout and `ruff --fix`
rewrite files in place, which through a hard link would rewrite the original)."""

from __future__ import annotations

import os

from launchpad.paths import using_workspace
from launchpad.questions.m04._shared import LINK_ABOVE, plant, project_copy


def test_a_project_copy_never_reaches_the_learners_files(tmp_path):
    workspace = tmp_path / "workspace"
    (workspace / "api").mkdir(parents=True)
    (workspace / "build").mkdir()
    main = workspace / "api" / "main.py"
    main.write_text("app = None\n")
    (workspace / "build" / "wheel.whl").write_text("staged")
    weights = workspace / "model.onnx"
    weights.write_bytes(b"\0" * (LINK_ABOVE + 1))
    with using_workspace(workspace), project_copy() as project:
        copied = project / "api" / "main.py"
        with copied.open("a") as edited_in_place:  # what nbstripout or `ruff --fix` does
            edited_in_place.write("import os\n")
        plant(project / "model.onnx", "planted")
        assert not (project / "build").exists()  # not committed: CI would not have it
        assert os.stat(project / "api" / "main.py").st_ino != os.stat(main).st_ino
    assert main.read_text() == "app = None\n"
    assert weights.stat().st_size == LINK_ABOVE + 1
