"""Module 03's image checks on a real engine, on what the corpus cannot write: a staged model
file the container's user cannot read (issue 18: model.safetensors was 0600 in the course's
cache, and question 3 then blamed CMD and $PORT). The right and wrong Dockerfiles themselves
are in tests/corpus/m03/."""

from __future__ import annotations

import shutil

import pytest
from support.questions import outcome

from launchpad.authoring.reference import ensure_project
from launchpad.containers import learner_image
from launchpad.containers.image import stage
from launchpad.questions import m03


@pytest.fixture
def exercise_03(workspace, engine, course_model_dir, monkeypatch):
    """The workspace as the solution of exercise 03 leaves it, checked on the test's engine."""
    ensure_project(workspace, ("00", "01", "02", "03"))
    stage(course_model_dir, root=workspace)
    monkeypatch.setattr(learner_image, "engine", lambda: engine)
    yield workspace
    learner_image.remove_own_tag(engine)


def test_a_model_the_user_cannot_read_is_named_not_cmd(exercise_03):
    weights = exercise_03 / "build" / "model" / "model.safetensors"
    private = weights.with_suffix(".copy")
    shutil.copy(weights, private)  # the staged file is a hard link to the cache: not that one
    private.replace(weights)
    weights.chmod(0o600)
    status, message = outcome(m03.q3)
    assert status == "incorrect", message
    assert "could not read a file it needs" in message and "model.safetensors" in message
    assert "CMD" not in message and "$PORT" not in message


def test_the_reference_answer_passes_with_the_model_as_staged(exercise_03):
    assert outcome(m03.q3) == (
        "correct",
        "Your service runs in a container, on the port the platform gives it.",
    )


def test_a_scratch_workspaces_image_goes_with_it(workspace, engine, monkeypatch):
    """The checks tag the image of a workspace outside the repository apart (learner_image.tag)
    and label it with its folder: once the folder is gone, `remove_orphans` (run before every
    such build and by the test harness at the end) removes it. The learner's own tag, at the
    default place, is never touched by `remove_own_tag`."""
    from launchpad.paths import REPO_ROOT, WORKSPACE_VAR

    monkeypatch.setattr(learner_image, "engine", lambda: engine)
    own = learner_image.tag()
    assert own != learner_image.TAG
    (workspace / "Dockerfile").write_text('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCMD ["true"]\n')
    learner_image.build(workspace / "Dockerfile", workspace, own)
    assert learner_image.remove_orphans(engine) == []  # its folder is still there
    shutil.rmtree(workspace)
    assert own in learner_image.remove_orphans(engine)
    assert engine.docker("image", "inspect", own, check=False).returncode != 0

    class Refuses:
        def docker(self, *args, **kwargs):
            raise AssertionError(f"the learner's image was touched: docker {args}")

    monkeypatch.setenv(WORKSPACE_VAR, str(REPO_ROOT / "workspace"))
    learner_image.remove_own_tag(Refuses())
