"""Module 03's checks and the container toolkit under them, without a Docker engine: the model
files' modes, what a failed build or start is reported as, the per-workspace image tag, the
terminal's engine line, and the rootfs changes that make the course's Debian base behave like
python:3.11-slim. The same behaviour on a real engine: tests/container/test_base_image.py and
tests/container/test_learner_checks.py; right and wrong answers: tests/corpus/m03/."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from launchpad.containers import base_image, engine, image, learner_image
from launchpad.model import build
from launchpad.questions.m03 import q4_user_and_healthcheck as q4


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _model_folder(folder: Path) -> Path:
    """A model folder as safetensors leaves it: the weights 0600 (issue 18)."""
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "model.safetensors").chmod(0o600)
    return folder


def test_a_fresh_build_leaves_the_model_readable_by_all(tmp_path):
    folder = _model_folder(tmp_path / "model")
    build.readable_by_all(folder)
    assert _mode(folder / "model.safetensors") == 0o644
    assert _mode(folder) & 0o555 == 0o555


def test_a_cache_reused_as_it_is_gets_its_modes_repaired(tmp_path, monkeypatch):
    folder = _model_folder(tmp_path / "model")
    build._write_manifest(folder, scores={}, train_size=0, seconds=0.0)
    (folder / "model.safetensors").chmod(0o600)  # as an older course left the cache
    monkeypatch.setattr(build, "model_dir", lambda: folder)
    monkeypatch.setattr(build, "build", lambda *a, **k: pytest.fail("it was verified: no build"))
    assert build.ensure(progress=False) == folder
    assert _mode(folder / "model.safetensors") == 0o644


def test_staging_makes_the_model_readable_for_a_non_root_image(tmp_path, monkeypatch):
    wheels = tmp_path / "wheelhouse"
    wheels.mkdir()
    monkeypatch.setattr(image, "wheelhouse", lambda requirements: wheels)
    model = _model_folder(tmp_path / "model")
    image.stage(model, root=tmp_path / "workspace")
    staged = tmp_path / "workspace" / "build" / "model" / "model.safetensors"
    assert _mode(staged) == 0o644


# ---- what a container that never got ready did wrong ------------------------------------------

TRACEBACK_END = """\
INFO:     Waiting for application startup.
  File "/opt/venv/lib/python3.11/site-packages/safetensors/torch.py", line 311, in load_file
    with safe_open(filename, framework="pt", device=device) as f:
PermissionError: [Errno 13] Permission denied: '/opt/model/model.safetensors'
ERROR:    Application startup failed. Exiting."""


def test_a_model_the_user_cannot_read_is_named_not_cmd():
    message = learner_image.not_ready("exited before it was ready: ...", TRACEBACK_END)
    assert "could not read a file it needs" in message
    assert "/opt/model/model.safetensors" in message
    assert "CMD" not in message and "$PORT" not in message


def test_an_early_permission_warning_is_not_taken_for_the_cause():
    logs = "warning: [Errno 13] Permission denied: '/nonexistent/.cache'\n" + "\n".join(
        ["INFO: loading"] * 6 + ['ERROR:    Error loading ASGI app. Could not import module "api"']
    )
    message = learner_image.not_ready("exited before it was ready: ...", logs)
    assert "could not read" not in message
    assert "exited before it was ready" in message


@pytest.mark.parametrize(
    ("why", "logs", "phrase"),
    [
        (
            "exited before it was ready: ...",
            "ModuleNotFoundError: No module named 'launchpad'",
            "MODEL_DIR",
        ),
        (
            "exited before it was ready: ...",
            "Error: Invalid value for '--port': '$PORT' is not a valid integer.",
            "'$PORT'",
        ),
        (
            "exited before it was ready: ...",
            "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): "
            "address already in use",
            "listens on port 8000, not on $PORT",
        ),
        ("listens on port 8000, not on $PORT (41234)", "", "not on $PORT"),
    ],
)
def test_a_container_that_never_got_ready_is_told_what_its_logs_say(why, logs, phrase):
    assert phrase in learner_image.not_ready(why, logs)


def test_a_failed_build_quotes_the_failed_step_not_only_dockers_summary():
    stdout = (
        "Step 5/9 : RUN python -m venv /opt/venv\n ---> Running in 1a2b\n"
        "\x1b[91m/bin/sh: 1: python: not found\n\x1b[0m"
    )
    stderr = "The command '/bin/sh -c python -m venv /opt/venv' returned a non-zero code: 127"
    message = learner_image.build_failure(stdout, stderr)
    assert "python: not found" in message and "127" in message
    assert "\x1b" not in message


def test_a_build_step_that_needs_the_network_is_told_why_there_is_none():
    stdout = (
        "W: Failed to fetch ... Temporary failure resolving 'archive.invalid'\n"
        "E: Unable to locate package curl"
    )
    message = learner_image.build_failure(stdout, "returned a non-zero code: 100")
    assert "--network none" in message and "Unable to locate package curl" in message


def test_each_workspace_but_the_default_one_builds_under_a_tag_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("LAUNCHPAD_WORKSPACE", str(tmp_path / "a"))
    first = learner_image.tag()
    assert first.startswith("my-sentiment-api:ws-") and first == learner_image.tag()
    monkeypatch.setenv("LAUNCHPAD_WORKSPACE", str(tmp_path / "b"))
    assert learner_image.tag() != first
    monkeypatch.delenv("LAUNCHPAD_WORKSPACE")
    assert learner_image.tag() == learner_image.TAG == "my-sentiment-api:latest"


# ---- the terminal's engine line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        ({"DOCKER_HOST": engine.PRIVATE_HOST}, f"export DOCKER_HOST={engine.PRIVATE_HOST}\n"),
        ({}, ""),  # Docker Desktop or a system engine: nothing to set
    ],
)
def test_the_engine_line_points_docker_at_the_course_engine_only(env, printed, monkeypatch, capsys):
    found = engine.Engine("/usr/bin/docker", env)
    monkeypatch.setattr(engine, "find_or_start", lambda keep=False: found)
    assert engine.main([]) == 0
    assert capsys.readouterr().out == printed


# ---- the course's Debian copy of python:3.11-slim ----------------------------------------------


def _debian_root(root: Path, pip_rule: str = base_image.PIP_PREFIX_RULE) -> Path:
    """The few files of a debootstrapped bookworm that `_slim_like` changes."""
    (root / "usr/lib/python3.11").mkdir(parents=True)
    (root / "usr/lib/python3.11/EXTERNALLY-MANAGED").write_text("[externally-managed]\n")
    (root / "usr/local/lib/python3.11/dist-packages").mkdir(parents=True)
    (root / "usr/local/bin").mkdir(parents=True)
    schemes = root / base_image.PIP_SCHEMES
    schemes.parent.mkdir(parents=True)
    schemes.write_text(f"    {pip_rule}\n        scheme_name = 'posix_prefix'\n")
    return root


def test_the_debian_root_is_made_to_behave_like_the_slim_image(tmp_path):
    root = _debian_root(tmp_path / "rootfs")
    base_image._slim_like(root)
    assert not (root / "usr/lib/python3.11/EXTERNALLY-MANAGED").exists()
    local = root / "usr/local/lib/python3.11"
    assert (local / "site-packages").is_dir() and not (local / "site-packages").is_symlink()
    assert (local / "dist-packages").readlink() == Path("site-packages")
    for name in ("python", "python3", "pip", "pip3"):
        assert (root / "usr/local/bin" / name).readlink() == Path(f"/usr/bin/{name}")
    assert "posix_local" in (root / base_image.PIP_SCHEMES).read_text()


def test_a_changed_debian_pip_stops_the_recipe_rather_than_a_silent_difference(tmp_path):
    root = _debian_root(tmp_path / "rootfs", pip_rule="if something_else:")
    with pytest.raises(engine.EngineError, match="Debian's pip changed"):
        base_image._slim_like(root)


def test_the_recipe_digest_follows_what_shapes_the_image(monkeypatch):
    before = base_image.recipe()
    monkeypatch.setattr(base_image, "PACKAGES", (*base_image.PACKAGES, "curl"))
    assert base_image.recipe() != before


# ---- question 4: the health check's verdict is the first probe after the service is ready --


class _Container:
    """A container whose health log is given: Docker's State.Health, as `inspect` shows it."""

    def __init__(self, status: str, log: list[dict]):
        self.health = {"Status": status, "Log": log}

    def state(self) -> dict:
        return {"Health": self.health}


def _probe(second: int, exit_code: int, output: str = "") -> dict:
    return {
        "Start": f"2026-12-03T14:00:{second:02d}.123456789Z",
        "ExitCode": exit_code,
        "Output": output,
    }


def test_docker_times_of_any_precision_are_read():
    assert q4._docker_time("2026-12-03T14:08:51.15475702Z") == pytest.approx(1796306931.154757)
    assert q4._docker_time("2026-12-03T15:08:51+01:00") == 1796306931.0


def test_a_slow_start_marked_unhealthy_is_judged_by_the_probe_after_readiness():
    ready_at = q4._docker_time("2026-12-03T14:00:20Z")
    before = [_probe(5, 1, "refused"), _probe(10, 1, "refused"), _probe(15, 1, "refused")]
    container = _Container("unhealthy", [*before, _probe(25, 0)])
    assert q4._first_probe_after(container, ready_at) == ("unhealthy", _probe(25, 0))


def test_a_probe_that_fails_after_readiness_is_the_verdict():
    ready_at = q4._docker_time("2026-12-03T14:00:20Z")
    failed = _probe(25, 127, "/bin/sh: 1: curl: not found")
    assert q4._first_probe_after(_Container("starting", [failed]), ready_at)[1] == failed


def test_a_model_path_the_image_user_cannot_read_is_named():
    message = learner_image.not_ready(
        "exited before it was ready: ...", "OSError: Repo id must", "/root/model"
    )
    assert "could not read a file it needs (/root/model)" in message


def test_a_container_that_cannot_start_is_told_the_daemons_reason():
    stderr = (
        "docker: Error response from daemon: unable to find user app: no matching entries in "
        'passwd file.\ntime="2026-12-03T15:01:53Z" level=error msg="error waiting for container: '
        'context canceled"\n'
    )
    assert "unable to find user app" in learner_image.cannot_start(stderr)
