"""Session-wide set-up shared by the tests and by nbval's notebook kernels.

Kernels inherit this process's environment, so setting it here gives every executed notebook a
throw-away workspace (never the learner's `workspace/`) and quiet libraries.
"""

import os
import shutil
import tempfile

from launchpad.authoring.execute import QUIET_ENV
from launchpad.containers import engine
from launchpad.containers.housekeeping import private_data_size
from launchpad.paths import WORKSPACE_VAR


def pytest_configure(config):
    os.environ.update(QUIET_ENV)
    config.test_workspace = tempfile.mkdtemp(prefix="launchpad-test-ws-")
    os.environ[WORKSPACE_VAR] = config.test_workspace
    os.environ[engine.OWNER_VAR] = f"pytest session {os.getpid()}"
    # What this run adds to the course engine's disk is reported at the end (tests/conftest.py).
    config.docker_data_at_start = private_data_size()


def pytest_unconfigure(config):
    # The session's throwaway workspace holds staged wheels and models (up to a GB): remove it.
    if workspace := getattr(config, "test_workspace", None):
        shutil.rmtree(workspace, ignore_errors=True)
    # The images checks built for workspaces that are gone now (the session's, the notebooks'
    # kernels', the tests') have tags of their own (learner_image.tag): they go with them.
    if found := engine.find():
        from launchpad.containers import learner_image

        learner_image.remove_orphans(found)
    # Tests and notebook kernels may start the course's private Docker engine; the harness
    # stops what this session started (an engine that was already running, or that a parallel
    # session started, is left alone).
    engine.stop_private(owner=os.environ.get(engine.OWNER_VAR))
