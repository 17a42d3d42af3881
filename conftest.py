"""Session-wide set-up shared by the tests and by nbval's notebook kernels.

Kernels inherit this process's environment, so setting it here gives every executed notebook a
throw-away workspace (never the learner's `workspace/`) and quiet libraries.

Everything a session writes in temporary folders, its own and its kernels' (`tempfile.mkdtemp`
in a notebook cell), lives under one session folder, removed at the end: the images checks
build for those folders' workspaces are then orphans, and go too (learner_image.tag).
"""

import os
import shutil
import tempfile
from pathlib import Path

from launchpad.authoring.execute import QUIET_ENV
from launchpad.containers import engine
from launchpad.containers.housekeeping import private_data_size
from launchpad.paths import WORKSPACE_VAR


def pytest_configure(config):
    os.environ.update(QUIET_ENV)
    session = Path(tempfile.mkdtemp(prefix="launchpad-test-"))
    config.test_session_folder = session
    config.test_workspace = str(session / "workspace")
    (session / "workspace").mkdir()
    (session / "tmp").mkdir()
    os.environ[WORKSPACE_VAR] = config.test_workspace
    os.environ["TMPDIR"] = str(session / "tmp")  # kernels, subprocesses and corpus workers
    tempfile.tempdir = None  # this process too: gettempdir() reads TMPDIR again
    os.environ[engine.OWNER_VAR] = f"pytest session {os.getpid()}"
    # What this run adds to the course engine's disk is reported at the end.
    config.docker_data_at_start = private_data_size()


def pytest_unconfigure(config):
    # The session's folder holds staged wheels, models and scratch clones (GBs): remove it.
    if session := getattr(config, "test_session_folder", None):
        shutil.rmtree(session, ignore_errors=True)
    # The images checks built for workspaces that are gone now (the session's, the notebooks'
    # kernels', the tests') have tags of their own (learner_image.tag): they go with them,
    # and so do the build stages only they used.
    if found := engine.find():
        from launchpad.containers import learner_image

        learner_image.sweep(found)
    _report_docker_data(config)
    # Tests and notebook kernels may start the course's private Docker engine; the harness
    # stops what this session started (an engine that was already running, or that a parallel
    # session started, is left alone).
    engine.stop_private(owner=os.environ.get(engine.OWNER_VAR))


def _report_docker_data(config) -> None:
    """What this run added to the course engine's disk, measured after the clean-up above."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    before, after = getattr(config, "docker_data_at_start", None), private_data_size()
    if reporter is None or after is None:
        return
    start = "none" if before is None else f"{before / 1e9:.2f} GB"
    grew = "" if before is None else f", {(after - before) / 1e9:+.2f} GB this run"
    reporter.write_line(
        f"Course Docker data: {start} at the start, {after / 1e9:.2f} GB at the end{grew}"
    )
