"""The service stands alone: it serves in a process where the course toolkit cannot be
imported, as it does in its image and in the learner's portfolio."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from launchpad.net import ready_process
from sentiment_api.predictions import MANIFEST_FILE

# Run in the child before the service: a finder first in line that refuses `launchpad` and
# says so on stderr, so an import that something catches and works around still shows.
WITHOUT_TOOLKIT = """
import runpy
import sys


class NoToolkit:
    def find_spec(self, name, path=None, target=None):
        if name == "launchpad" or name.startswith("launchpad."):
            print(f"blocked: import {name}", file=sys.stderr, flush=True)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoToolkit())
assert "launchpad" not in sys.modules
runpy.run_module("sentiment_api", run_name="__main__", alter_sys=True)
"""


def test_the_service_serves_with_the_toolkit_unimportable(course_model_dir, free_port):
    base = f"http://127.0.0.1:{free_port}"
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL_URI", "LAUNCHPAD_MODEL")}
    env |= {
        "MODEL_DIR": str(course_model_dir),
        "HOST": "127.0.0.1",
        "PORT": str(free_port),
        "LOG_LEVEL": "warning",
    }
    with ready_process(
        [sys.executable, "-c", WITHOUT_TOOLKIT], base, 120, env=env, stdout=subprocess.DEVNULL
    ) as process:
        ready = httpx.get(f"{base}/readyz", timeout=10)
        reply = httpx.post(f"{base}/predict", json={"text": "A warm, clever film."}, timeout=30)
    stderr = process.stderr.read()
    assert ready.json() == {"status": "ready", "detail": None}
    assert reply.status_code == 200, reply.text
    manifest = json.loads((course_model_dir / MANIFEST_FILE).read_text())
    assert reply.json()["model"] == {"name": manifest["name"], "version": manifest["version"]}
    [prediction] = reply.json()["predictions"]
    assert prediction["label"] == "POSITIVE"
    assert "blocked: import" not in stderr, stderr


def test_the_course_model_carries_the_manifest_the_service_reads(course_model_dir):
    """The file name is a contract between the course's model builder and the service, which
    import nothing from each other."""
    from launchpad.model.build import MANIFEST

    assert MANIFEST == MANIFEST_FILE
    assert (course_model_dir / MANIFEST_FILE).is_file()
