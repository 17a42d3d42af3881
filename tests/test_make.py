"""The README's commands: `make lab` serves JupyterLab; a second `make model` is instant."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request


def test_make_lab_serves_jupyterlab_on_the_chosen_port(repo, free_port):
    port = free_port
    lab = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "lab",
            "NO_BROWSER=1",
            f"LAB_PORT={port}",
            "LAB_ARGS=--IdentityProvider.token=course-test",
        ],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and lab.poll() is None:
            try:
                url = (
                    f"http://127.0.0.1:{port}/lab/tree/exercises/00-welcome.ipynb?token=course-test"
                )
                with urllib.request.urlopen(url, timeout=5) as reply:
                    status = reply.status
                    page = reply.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(1)
        assert status == 200, f"JupyterLab did not answer on port {port}"
        assert "JupyterLab" in page
        contents = f"http://127.0.0.1:{port}/api/contents/exercises?token=course-test"
        with urllib.request.urlopen(contents, timeout=5) as reply:
            names = {item["name"] for item in json.load(reply)["content"]}
        assert "00-welcome.ipynb" in names, "JupyterLab should serve the course folder"
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        output = lab.communicate(timeout=30)[0]
    assert "Traceback" not in output, output[-2000:]


def test_second_make_model_is_fast_and_prints_the_folders(repo, course_model_dir, course_onnx_dir):
    """Lesson 02 runs `export MODEL_DIR="$(make -s model)"`: standard output must be the
    model's folder alone (the ONNX export's folder goes to standard error)."""
    start = time.monotonic()
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "model"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{course_model_dir}\n"
    assert str(course_onnx_dir) in result.stderr
    assert time.monotonic() - start < 30
