from __future__ import annotations

from pathlib import Path

import pytest

from launchpad.lifecycle import candidates, gate


@pytest.fixture(scope="session")
def recalibrated(course_model_dir, tmp_path_factory) -> Path:
    """The challenger: the course model recalibrated on labelled feedback."""
    shift = candidates.best_shift(gate.load(course_model_dir), gate.feedback())
    target = tmp_path_factory.mktemp("candidates") / "recalibrated"
    return candidates.with_prior_shift(course_model_dir, target, shift, f"recalibrated {shift:+}")


@pytest.fixture(scope="session")
def praise_trained(course_model_dir, tmp_path_factory) -> Path:
    """A deliberately worse model: what retraining on a week of nearly all praise gives."""
    target = tmp_path_factory.mktemp("candidates") / "praise-trained"
    return candidates.with_prior_shift(course_model_dir, target, 3.0, "retrained on praise")
