"""Session-wide set-up shared by the tests and by nbval's notebook kernels.

Kernels inherit this process's environment, so setting it here gives every executed notebook a
throw-away workspace (never the learner's `workspace/`) and quiet libraries.
"""

import os
import tempfile

from launchpad.authoring.execute import QUIET_ENV
from launchpad.paths import WORKSPACE_VAR


def pytest_configure(config):
    os.environ.update(QUIET_ENV)
    os.environ[WORKSPACE_VAR] = tempfile.mkdtemp(prefix="launchpad-test-ws-")
