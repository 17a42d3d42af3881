"""What the course builds does not pile up on the engine: a rebuilt tag replaces its previous
image, and `launchpad prune` removes the course's old images but keeps the current tags."""

from __future__ import annotations

from launchpad.containers import housekeeping
from launchpad.containers.base_image import ensure_base_image
from launchpad.containers.image import docker_build

TAG = "launchpad-housekeeping-test:latest"


def _build(engine, tmp_path, content: str) -> str:
    (tmp_path / "Dockerfile").write_text(
        f"ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\nRUN echo {content} > /content\n"
    )
    result = docker_build(engine, tmp_path / "Dockerfile", tmp_path, TAG, ensure_base_image(engine))
    assert result.returncode == 0, result.stderr[-1500:]
    return housekeeping.image_id(engine, TAG)


def test_a_rebuilt_tag_replaces_its_image_and_prune_keeps_the_current_tags(engine, tmp_path):
    first = _build(engine, tmp_path, "one")
    second = _build(engine, tmp_path, "two")
    assert first != second
    assert engine.docker("image", "inspect", first, check=False).returncode != 0, (
        "the image the tag named before was left behind"
    )
    labelled = {image for image, _ in housekeeping._course_images(engine)}
    assert second in labelled
    current = [t for t in housekeeping.CURRENT if housekeeping.image_id(engine, t)]
    pruned = housekeeping.prune(engine, repositories=(TAG.split(":")[0],))
    assert TAG in pruned.images
    assert housekeeping.image_id(engine, TAG) is None
    assert all(housekeeping.image_id(engine, t) for t in current), "a current tag was removed"
    assert "image(s) the course built" in str(pruned)
