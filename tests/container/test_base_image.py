"""The course's Debian copy of python:3.11-slim, on a real engine: a learner's Dockerfile must
not notice the swap (issue 18: `RUN python -m venv /opt/venv` failed with exit 127 on it), and
a check that swaps it in says so. Also: what the course builds and runs leaves no container
behind when it fails."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from launchpad.containers import base_image, learner_image
from launchpad.containers.engine import EngineError
from launchpad.containers.image import docker_build
from launchpad.containers.run import RunningContainer

TAG = "launchpad-base-image-test:latest"

# Every way the course's Dockerfiles, and learners', install Python packages on the slim image.
STYLES = """\
ARG BASE_IMAGE
FROM ${BASE_IMAGE} AS build
COPY tinypkg-1.0-py3-none-any.whl /wheels/
RUN python --version && pip --version \\
    && python -m venv /opt/venv \\
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels tinypkg
RUN pip install --no-cache-dir --no-index --find-links /wheels --prefix=/install tinypkg
RUN pip install --no-cache-dir --no-index --find-links /wheels --user tinypkg

FROM ${BASE_IMAGE}
COPY --from=build /wheels /wheels
COPY --from=build /opt/venv /opt/venv
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 app
COPY --from=build --chown=app /root/.local /home/app/.local
"""
PROBES = {
    # what runs, as whom: what it must print
    ("root", "/opt/venv/bin/python -c 'import tinypkg; print(tinypkg.VALUE)'"): "42",
    ("root", "python -c 'import tinypkg, sys; print(tinypkg.VALUE, sys.version_info[:2])'"): (
        "42 (3, 11)"  # the --prefix install, copied to /usr/local, is on sys.path
    ),
    ("10001", "python -c 'import tinypkg; print(tinypkg.__file__)'"): (
        "/home/app/.local/lib/python3.11/site-packages/tinypkg/__init__.py"  # the --user one
    ),
    ("root", "/usr/local/bin/python -c 'import os; print(os.environ[\"LANG\"])'"): "C.UTF-8",
    # No PEP 668 marker: pip installs as root outside a venv, as in the slim image.
    ("root", "pip install -q --no-index -f /wheels --force-reinstall tinypkg && echo ok"): "ok",
}


def _wheel(folder: Path) -> Path:
    """A one-module wheel, made here: the test needs no package index."""
    files = {
        "tinypkg/__init__.py": b"VALUE = 42\n",
        "tinypkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: launchpad-test\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("tinypkg-1.0.dist-info/RECORD,,")
    path = folder / "tinypkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("tinypkg-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


@pytest.fixture
def local_base(engine) -> str:
    return base_image.ensure_local_base(engine)


def test_the_local_base_installs_packages_as_the_slim_image_does(engine, local_base, tmp_path):
    _wheel(tmp_path)
    (tmp_path / "Dockerfile").write_text(STYLES)
    try:
        built = docker_build(engine, tmp_path / "Dockerfile", tmp_path, TAG, local_base)
        assert built.returncode == 0, learner_image.build_failure(built.stdout, built.stderr)
        for (user, command), expected in PROBES.items():
            ran = engine.docker(
                "run", "--rm", "--network", "none", "--user", user, TAG, "sh", "-c", command,
                check=False,
            )  # fmt: skip
            assert ran.stdout.strip() == expected, f"{command}:\n{ran.stdout}{ran.stderr}"
    finally:
        engine.docker("image", "rm", "--force", TAG, check=False)


def test_the_local_base_is_labelled_with_its_recipe(engine, local_base):
    assert base_image.is_current(engine)
    config = engine.docker("image", "inspect", "--format", "{{json .Config.Cmd}}", local_base)
    assert config.stdout.strip() == '["python3"]'


def test_a_check_that_builds_on_the_local_base_says_so(engine, local_base, monkeypatch, capsys):
    if base_image.has_image(engine, base_image.OFFICIAL):
        pytest.skip("this engine has python:3.11-slim: the checks build on it, no swap to tell")
    monkeypatch.setenv("LAUNCHPAD_NO_PULL", "1")
    monkeypatch.setattr(learner_image, "engine", lambda: engine)
    learner_image.base_image.cache_clear()
    try:
        assert learner_image.base_image() == base_image.LOCAL_TAG
    finally:
        learner_image.base_image.cache_clear()
    said = capsys.readouterr().out.strip().splitlines()
    assert len(said) == 1 and f"this builds on {base_image.LOCAL_TAG}" in said[0], said


def _containers_running(engine, marker: str) -> list[str]:
    listed = engine.docker("ps", "--all", "--no-trunc", "--format", "{{.ID}} {{.Command}}")
    return [line for line in listed.stdout.splitlines() if marker in line]


def test_a_failed_build_leaves_no_stopped_container(engine, local_base, tmp_path):
    marker = f"launchpad-failed-step-{tmp_path.name}"
    (tmp_path / "Dockerfile").write_text(
        f"ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\nRUN echo {marker} && exit 3\n"
    )
    built = docker_build(engine, tmp_path / "Dockerfile", tmp_path, TAG, local_base)
    assert built.returncode != 0
    assert _containers_running(engine, marker) == []


def test_a_container_that_cannot_start_leaves_nothing_behind(engine, local_base, tmp_path):
    (tmp_path / "Dockerfile").write_text("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nUSER nosuchuser\n")
    built = docker_build(engine, tmp_path / "Dockerfile", tmp_path, TAG, local_base)
    assert built.returncode == 0, built.stderr
    try:
        with pytest.raises(EngineError, match="nosuchuser"):
            RunningContainer(engine, TAG, prefix="launchpad-no-start")
        left = engine.docker("ps", "--all", "--quiet", "--filter", "name=launchpad-no-start")
        assert left.stdout.strip() == ""
    finally:
        engine.docker("image", "rm", "--force", TAG, check=False)
