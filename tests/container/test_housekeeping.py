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


BUILT = """\
Step 1/6 : ARG BASE_IMAGE
Step 2/6 : FROM ${BASE_IMAGE} AS build
 ---> d0869da31010
Step 3/6 : RUN echo a > /a
 ---> Running in c113dbd4bf67
Removing intermediate container c113dbd4bf67
 ---> 4d9ad5765991
Step 4/6 : FROM ${BASE_IMAGE}
 ---> d0869da31010
Step 5/6 : COPY --from=build /a /a
 ---> Using cache
 ---> f44f56795f25
Successfully built f44f56795f25
"""


def test_the_stages_of_a_build_are_read_from_the_classic_builders_output():
    assert housekeeping.stage_images(BUILT) == ["4d9ad5765991"]
    one_stage = BUILT.split("Step 4/6")[0]  # the build stage alone is the final stage
    assert housekeeping.stage_images(one_stage) == []
    nothing_added = "Step 1/2 : FROM base AS a\n ---> d0869da31010\nStep 2/2 : FROM base\n"
    assert housekeeping.stage_images(nothing_added) == []  # that stage is the base image itself
    assert housekeeping.stage_owner("my-sentiment-api:ws-1a2b-stage1") == "my-sentiment-api:ws-1a2b"
    assert housekeeping.stage_owner("my-sentiment-api:latest") is None
    assert housekeeping.stage_owner("stage:x-stage") is None


def _two_stages(engine, tmp_path, content: str) -> None:
    (tmp_path / "Dockerfile").write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS build\n"
        f"RUN echo {content} > /made\nFROM ${{BASE_IMAGE}}\nCOPY --from=build /made /made\n"
    )
    result = docker_build(engine, tmp_path / "Dockerfile", tmp_path, TAG, ensure_base_image(engine))
    assert result.returncode == 0, result.stderr[-1500:]


def test_a_build_stage_is_tagged_with_its_image_and_goes_with_it(engine, tmp_path):
    """The classic builder keeps a build stage as an untagged image that no tag removes (1.4 GB
    for the service's virtual environment): tagged `<tag>-stage1`, it is cache while its tag
    lives, replaced when a rebuild changes it, and removed once the tag has gone."""
    stage = f"{TAG}{housekeeping.STAGE}1"
    _two_stages(engine, tmp_path, "one")
    first = housekeeping.image_id(engine, stage)
    assert first and housekeeping.stage_tags(engine, TAG) == [stage]
    made = engine.docker("run", "--rm", "--network", "none", first, "cat", "/made").stdout
    assert made.strip() == "one"  # the tag names the build stage, not the final image

    _two_stages(engine, tmp_path, "two")
    second = housekeeping.image_id(engine, stage)
    assert second != first
    housekeeping.remove_dangling(engine)  # the replaced stage was cache until now
    assert engine.docker("image", "inspect", first, check=False).returncode != 0

    final = housekeeping.image_id(engine, TAG)
    engine.docker("image", "rm", TAG)
    assert housekeeping.image_id(engine, stage) == second  # still a cache for other builds
    assert stage in housekeeping.remove_stale_stages(engine)  # its tag has gone: so does it
    for gone in (final, second):
        assert engine.docker("image", "inspect", gone, check=False).returncode != 0
