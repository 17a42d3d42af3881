"""`make lab` opens JupyterLab at once and builds the course model in the background (issue 19):
the probe of module 00 shows the build, the first cell that needs the model waits for it with a
clear line, and two builds never run at once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from launchpad.model import background, build, build_lock


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    """A machine without the course model; its training data already downloaded, as on a
    learner's second clone (the test is about the wait, not the download)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    real = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mlops-launchpad"
    real = Path(os.environ.get("LAUNCHPAD_CACHE", real))
    (cache / "downloads").symlink_to(real / "downloads")
    monkeypatch.setenv("LAUNCHPAD_CACHE", str(cache))
    return cache


def _stop(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)  # the build runs in a session of its own


def test_a_second_process_waits_for_the_build_and_says_so(tmp_path, capsys):
    folder = tmp_path / "model"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""\
                import time
                from pathlib import Path
                from launchpad.model.build_lock import exclusive
                with exclusive(Path({str(folder)!r})):
                    print("holding", flush=True)
                    time.sleep(2)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        assert build_lock.building(folder)
        assert build_lock.builder(folder) == holder.pid
        started = time.monotonic()
        with build_lock.exclusive(folder):
            waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert 0.5 < waited < 10
    assert "Waiting for the course model: another process is building it" in capsys.readouterr().err
    assert not build_lock.building(folder)


def test_make_lab_answers_while_the_model_builds_and_the_first_cell_waits(
    repo, free_port, empty_cache
):
    env = {**os.environ, "LAUNCHPAD_CACHE": str(empty_cache)}
    started = time.monotonic()
    lab = subprocess.Popen(
        ["make", "--no-print-directory", "lab", "NO_BROWSER=1", f"LAB_PORT={free_port}"]
        + ["LAB_ARGS=--IdentityProvider.token=course-test"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    folder = build.model_dir()
    assert folder.parent.parent == empty_cache
    builder = None
    try:
        answered = None
        while time.monotonic() - started < 120 and lab.poll() is None and answered is None:
            url = f"http://127.0.0.1:{free_port}/api/status?token=course-test"
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    answered = reply.status == 200 and time.monotonic() - started
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert answered, "JupyterLab did not answer"
        builder = build_lock.builder(folder)
        assert builder, "no background build holds the model's lock"
        assert not folder.exists(), "the model was built before JupyterLab answered"

        probe = subprocess.run(
            [sys.executable, "-m", "launchpad", "probe"], env=env, capture_output=True, text=True
        )
        assert "course model   building in the background" in probe.stdout, probe.stdout
        assert "Ready for the course." in probe.stdout  # module 00 does not need the model

        # Module 01's first cell: it must wait, saying why, and not start a second build.
        first_cell = subprocess.Popen(
            [sys.executable, "-c", "from launchpad.model import load_pipeline; load_pipeline()"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            line = first_cell.stdout.readline()
        finally:
            first_cell.kill()
            first_cell.wait(timeout=30)
        assert line.startswith("Waiting for the course model: another process is building it")
        assert "tail -f" in line
        assert build_lock.builder(folder) == builder  # still the one build
    finally:
        _stop(builder)
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        output = lab.communicate(timeout=30)[0]
    assert "[course model] building in the background" in output, output[-2000:]
    assert "Traceback" not in output, output[-2000:]


def test_make_lab_says_the_model_is_ready_when_it_is(course_model_dir):
    assert background.start() == f"[course model] ready: {course_model_dir}"


def test_the_detached_build_reports_ready_in_its_log(course_model_dir, course_onnx_dir):
    """The detached process itself, on a machine where both folders are built: it verifies them
    (the full check) and reports, without rebuilding anything."""
    result = subprocess.run(
        [sys.executable, "-m", "launchpad.model.background"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LAUNCHPAD_TERMINAL": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[course model] ready in" in result.stdout and str(course_model_dir) in result.stdout
    assert "[course model] ONNX export ready" in result.stdout
