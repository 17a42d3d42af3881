"""The learner's own image, from the Dockerfile in their workspace: built, run and inspected
for the checks of module 03 (which writes it) and module 05 (which rehearses its deployment).

These helpers speak in check verdicts: a Dockerfile not written yet or no Docker engine is
NotAttempted (with how to get one), a build or a start that fails is Incorrect with its reason.
The engine and the base image are found once per process; the build reuses Docker's layer
cache, so a second check that needs the image pays seconds, not minutes. The slow parts say
what they are doing as they go (`launchpad.checks.progress.step`), with figures measured on a
2-core machine.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path

from launchpad.checks import Incorrect, NotAttempted
from launchpad.containers import engine as engines
from launchpad.containers import housekeeping
from launchpad.containers.engine import Engine, EngineError
from launchpad.containers.run import RunningContainer
from launchpad.paths import REPO_ROOT, workspace_dir

TAG = "my-sentiment-api:latest"  # the image of the workspace at its default place
OWN_TAG_VAR = "LAUNCHPAD_OWN_IMAGE_TAG"  # set: even the default place gets a tag of its own
WORKSPACE_LABEL = "org.mlops-launchpad.workspace"  # the folder a workspace's own tag is for
# What module 03 q1 builds to list the build context; removed as soon as it is read.
CONTEXT_PROBE = "launchpad/context-probe:latest"
# What the build reads from the workspace: the Dockerfile and the context it copies from.
BUILD_FILES = ("Dockerfile", ".dockerignore", "requirements.txt", "api/", "build/")
BUILDING = "100 s the first time, 3 s once its layers are cached, on a 2-core laptop"
STARTING = "5 s on a 2-core laptop"
# What apt and pip say when a build step reaches for the network the checks do not give it.
NO_NETWORK = re.compile(
    r"Temporary failure (resolving|in name resolution)|Could not resolve|Network is unreachable"
    r"|Failed to establish a new connection|No matching distribution found|Unable to locate package"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def instructions(text: str) -> list[str]:
    """Dockerfile instruction keywords, in order (comments and continuations skipped)."""
    words, continued = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not continued:
            words.append(stripped.split()[0].upper())
        continued = stripped.endswith("\\")
    return words


def dockerfile() -> Path:
    """The workspace's Dockerfile, once it has a CMD (an untouched stub has none)."""
    path = workspace_dir() / "Dockerfile"
    if not path.exists() or "CMD" not in instructions(path.read_text()):
        raise NotAttempted("Your Dockerfile has no CMD yet: write it and run its %%writefile cell.")
    return path


@cache
def engine() -> Engine:
    try:
        return engines.find_or_start()  # looked up when called: tests replace it
    except engines.EngineError as error:
        raise NotAttempted(f"This check builds and runs your image. {error}") from error


@cache
def base_image() -> str:
    """The base image the checks build on; one line says so when it is the course's copy."""
    from launchpad.checks.progress import say, step
    from launchpad.containers.base_image import OFFICIAL, ensure_base_image

    tag = ensure_base_image(engine(), progress=step)
    if tag != OFFICIAL:
        say(
            f"(Docker Hub's {OFFICIAL} is not available here, so this builds on {tag}, the "
            "course's Debian copy of it, where python, pip and venv work the same.)"
        )
    return tag


def build(dockerfile: Path, context: Path, tag: str) -> None:
    from launchpad.checks.progress import step
    from launchpad.containers.image import docker_build

    base = base_image()
    # A workspace's own tag records its folder, so that it goes once the folder has gone.
    options = () if tag == TAG else ("--label", f"{WORKSPACE_LABEL}={workspace_dir().resolve()}")
    with step("Building your image", usually=BUILDING):
        result = docker_build(engine(), dockerfile, context, tag, base, options=options)
        if tag == TAG:  # the learner's: a build stage this build replaced is nobody's cache
            housekeeping.remove_dangling(engine())
    if result.returncode != 0:
        raise Incorrect(build_failure(result.stdout, result.stderr))


def build_failure(stdout: str, stderr: str) -> str:
    """Why a build failed, in the words of its last lines (the failed step's output is on
    stdout, Docker's own summary on stderr)."""
    said = [line for line in ANSI.sub("", f"{stdout}\n{stderr}").splitlines() if line.strip()]
    said = [line for line in said if not line.startswith(("Removing intermediate", " ---> "))]
    last = " | ".join(line.strip() for line in said[-3:])
    if NO_NETWORK.search(stdout + stderr):
        return (
            "docker build failed: a step reached for the network, and the checks build with "
            "none (--network none), so that the image holds only what you staged. It said: " + last
        )
    return f"docker build failed: {last}"


def tag() -> str:
    """The tag the checks build the workspace's image under: TAG for the workspace at its
    default place, a tag of its own for any other (a test's), so that two workspaces checked
    at once on one engine never run each other's image. A scratch clone of the course (the
    answer corpus) sets OWN_TAG_VAR: its default place is not the learner's, and must neither
    replace their TAG nor share one with another clone running beside it."""
    folder = workspace_dir().resolve()
    if folder == (REPO_ROOT / "workspace").resolve() and not os.environ.get(OWN_TAG_VAR):
        return TAG
    return f"{TAG.split(':')[0]}:ws-{hashlib.sha256(str(folder).encode()).hexdigest()[:10]}"


def remove_own_tag(found: Engine) -> None:
    """Remove the image built under a workspace's own tag (`tag()`, a workspace outside the
    repository): a scratch workspace's image goes with it, or every one would leave a GB
    behind (its build stages go at the end of the run: other builds may share them). The
    learner's TAG, at the default place, stays."""
    if (own := tag()) != TAG:
        housekeeping.remove_image(found, own, force=True)


def remove_orphans(found: Engine, wait: float = housekeeping.REMOVAL_WAIT) -> list[str]:
    """Remove the images of workspaces whose folder no longer exists (a test's, a notebook
    run's, a kernel's scratch workspace that nobody cleaned up); the tags removed. Every build
    of a workspace's own tag does it first, without waiting for builds elsewhere (a check must
    not stall), and the test harness does it at the end."""
    listed = found.docker(
        "image", "ls", "--filter", f"label={WORKSPACE_LABEL}",
        "--format", "{{.Repository}}:{{.Tag}}", check=False,
    )  # fmt: skip
    orphans = []
    for image in listed.stdout.split():
        folder = found.docker(
            "image", "inspect", "--format", f'{{{{index .Config.Labels "{WORKSPACE_LABEL}"}}}}',
            image, check=False,
        ).stdout.strip()  # fmt: skip
        gone = folder and not Path(folder).is_dir()
        if gone and housekeeping.remove_image(found, image, force=True, wait=wait):
            orphans.append(image)
    return orphans


def sweep(found: Engine) -> None:
    """What a run of checks leaves behind when it ends (the test harness, `make corpus`): the
    images of workspaces that are gone, then the build stages only they used, then the
    untagged images no tag needs."""
    remove_orphans(found)
    housekeeping.remove_stale_stages(found)
    housekeeping.remove_dangling(found)


def built_image() -> tuple[Engine, str]:
    """Build the learner's image (cached layers make repeats fast); return (engine, tag)."""
    path = dockerfile()
    found, built = engine(), tag()
    if built != TAG:
        remove_orphans(found, wait=0)
    build(path, workspace_dir(), built)
    return found, built


def run_once(found: Engine, image: str, entrypoint: str, *args: str) -> str:
    """What `entrypoint args` prints in a throwaway container of the image, without network;
    an image that cannot even start (a USER that does not exist) is feedback."""
    result = found.docker(
        "run", "--rm", "--network", "none", "--entrypoint", entrypoint, image, *args,
        check=False,
    )  # fmt: skip
    if result.returncode != 0 and not result.stdout:
        raise Incorrect(cannot_start(result.stderr))
    return result.stdout


def cannot_start(stderr: str) -> str:
    """The daemon's reason (the client may add its own lines after it)."""
    lines = stderr.strip().splitlines() or ["no message"]
    said = next((line for line in lines if "Error response from daemon" in line), lines[-1])
    return f"Docker cannot start a container from your image: {said.strip()[-300:]}"


def sent_context(folder: Path) -> set[str]:
    """What `docker build` would send from `folder` (its .dockerignore applied), as relative
    paths up to three levels deep, listed from inside a throwaway build. An empty folder is
    left out: `**/__pycache__/**` ignores a cache's files and sends only its empty folder."""
    from launchpad.checks.progress import step
    from launchpad.containers.image import docker_build

    found = engine()
    base = base_image()
    probe = folder / ".context-probe.Dockerfile"
    probe.write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /context\n"
        "RUN cd /context && find . -mindepth 1 -maxdepth 3 ! \\( -type d -empty \\) | sort\n"
    )
    try:
        with step("Asking Docker which files your build context sends", usually=STARTING):
            result = docker_build(
                found, probe, folder, CONTEXT_PROBE, base, options=("--no-cache",)
            )
            housekeeping.remove_image(found, CONTEXT_PROBE, force=True)  # a throwaway
    finally:
        probe.unlink()
    if result.returncode != 0:
        raise Incorrect(f"Docker could not read the context: {result.stderr[-300:]}")
    return {line.strip()[2:] for line in result.stdout.splitlines() if line.strip()[:2] == "./"}


@contextmanager
def running(found: Engine, tag: str) -> Iterator[RunningContainer]:
    """The learner's image, started and ready; a container that never gets ready is feedback.
    Starting it, and reading why it failed, happen inside the progress step: on a busy machine
    `docker run` alone can take seconds."""
    from launchpad.checks.progress import step
    from launchpad.net import NotReady

    with ExitStack() as stack:
        with step("Starting your container and waiting for /readyz", usually=STARTING):
            try:
                container = stack.enter_context(
                    RunningContainer(found, tag, prefix="launchpad-check")
                )
            except EngineError as error:
                raise Incorrect(cannot_start(str(error))) from error
            try:
                container.wait_ready()
            except NotReady as why:
                blocked = unreadable_model(found, tag)
                raise Incorrect(not_ready(str(why), container.logs(), blocked)) from why
        yield container


# Which of $MODEL_DIR and its files the image's user cannot read (a folder it cannot enter
# leaves its `*` unexpanded, so that path is printed too).
UNREADABLE = (
    'test -n "$MODEL_DIR" || exit 0; '
    'for f in "$MODEL_DIR" "$MODEL_DIR"/*; do test -r "$f" || echo "$f"; done'
)


def unreadable_model(found: Engine, image: str) -> str | None:
    """The first model path (from the image's MODEL_DIR) its USER cannot read, if any. Read
    from inside the image: a model it cannot read does not always say so in the logs
    (transformers takes a folder it cannot enter for a Hub model id)."""
    result = found.docker(
        "run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c", UNREADABLE,
        check=False,
    )  # fmt: skip
    return next(iter(result.stdout.split()), None) if result.returncode == 0 else None


def not_ready(why: str, logs: str, unreadable: str | None = None) -> str:
    """What a container that never got ready did wrong: a model path its user cannot read
    (`unreadable`), else what its logs say where they say it."""
    # The end of the logs says why it stopped (a warning earlier on may mention permissions).
    end = "\n".join(logs.strip().splitlines()[-5:])
    denied = re.search(r".*(Permission denied|PermissionError).*", end)
    if unreadable or denied:
        what = unreadable or denied[0].strip()[-200:]
        return (
            f"The container could not read a file it needs ({what}): the user it runs as has no "
            "read access to it, so the service never loaded. Files in an image keep the owner "
            "and mode they were copied with, and a folder like /root is closed to other users."
        )
    if "No module named 'launchpad'" in logs:
        return (
            "The service in the container tried to load the course model through the course's "
            "toolkit (No module named 'launchpad'): api/model.py does that when MODEL_DIR is "
            "not set, and the image has no toolkit, only the model you copied into it."
        )
    taken = re.search(r"address \('[^']*', (\d+)\): address already in use", logs)
    if taken:  # $PORT is a free port the check picked: a busy one is another port
        why = f"listens on port {taken[1]}, not on $PORT, and that port is taken on this machine"
    if re.search(r"Invalid value for '--port'.*\$PORT", logs):
        return (
            "uvicorn was given the text '$PORT' instead of a port number: an exec-form CMD "
            "runs without a shell, so nothing expands $PORT."
        )
    if "listens on" in why or "did not answer" in why:
        return (
            f"The container {why}. A platform tells the service where to listen with $HOST and "
            "$PORT, and sends its requests there: a service listening elsewhere is never reached."
        )
    return f"The container {why}. Its last log lines say why it stopped."
