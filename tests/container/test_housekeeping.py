"""What the course builds does not pile up on the engine: a rebuilt tag replaces its previous
image, and `launchpad prune` removes the course's old images but keeps the current tags."""

from __future__ import annotations

from launchpad.containers import housekeeping
from launchpad.containers import image as images
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


def test_a_second_build_of_the_course_images_stores_nothing_new(
    engine, image, slim_image, course_model_dir, course_onnx_dir
):
    """What a second `make test` adds to the engine's disk (issue 19): each course image built
    again from an unchanged context is Docker's cached image, the same ID, and leaves no
    untagged image behind; so a second run adds only what its tests keep for themselves."""
    first = {tag: housekeeping.image_id(engine, tag) for tag in (image.tag, slim_image.tag)}
    images.build(engine, course_model_dir)
    images.build(engine, course_onnx_dir, images.ONNX)
    again = {tag: housekeeping.image_id(engine, tag) for tag in first}
    assert again == first, "an unchanged context built a new image: staging changed a file"
