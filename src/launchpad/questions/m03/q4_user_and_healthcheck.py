"""The container runs as a user that is not root, and Docker knows when it is healthy."""

import json
import re
import time
from datetime import datetime

from launchpad.checks import DOCKER, Answers, Incorrect, expect, question
from launchpad.containers.learner_image import BUILD_FILES, built_image, run_once, running

HEALTH_WAIT = 90  # seconds: a 5 s interval reports healthy within one or two probes


@question(
    files=BUILD_FILES,
    needs=[DOCKER],
    hints=[
        "Create a user in the final stage (useradd --system --uid 10001 app) and switch with "
        "USER 10001 before CMD.",
        'HEALTHCHECK CMD ["python", "-c", "...urlopen(\'http://127.0.0.1:\' + '
        "os.environ['PORT'] + '/readyz')\"] with a short --interval. The base image has no "
        "curl.",
    ],
)
def runs_unprivileged_and_healthy(answers: Answers):
    from launchpad.checks.progress import step

    engine, tag = built_image()
    uid = run_once(engine, tag, "id", "-u").strip()
    expect(
        uid != "0",
        "The container runs as root: a bug or an exploit in the service could rewrite the "
        "image's files, and anything mounted into the container, with root's rights.",
    )
    config = json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Config"]
    expect(
        config.get("Healthcheck"),
        "The image has no HEALTHCHECK: Docker cannot tell a container that serves from one "
        "that hangs, and reports both as simply running.",
    )
    with running(engine, tag) as container:
        # Probes that started before the service was ready may fail (and a slow start may have
        # marked it unhealthy already); the first probe after it is the verdict. The engine's
        # own clock: Docker Desktop's runs in a VM, and may differ from this machine's.
        ready_at = _docker_time(engine.docker("info", "--format", "{{.SystemTime}}").stdout)
        with step("Waiting for Docker's health check to report", usually="6 s with a 5 s interval"):
            status, probe = _first_probe_after(container, ready_at)
    if probe is not None and probe["ExitCode"] != 0:
        raise Incorrect(
            f"The service is ready, yet its HEALTHCHECK fails (exit {probe['ExitCode']}): it "
            f"said {_last_line(probe['Output'])!r}. A platform that trusts it would restart "
            "a container that works."
        )
    expect(
        probe is not None,
        f"Docker ran no health check in the {HEALTH_WAIT} s after the service was ready "
        f"(it reports {status!r}): with a long --interval, a container that stops answering "
        "goes unnoticed for that long too.",
    )
    return f"Runs as uid {uid}, and Docker knows when it is healthy."


def _last_line(output: str) -> str:
    """The end of what a probe printed: a traceback's last line says what went wrong."""
    lines = output.strip().splitlines() or ["nothing"]
    return lines[-1].strip()[-200:]


def _health(container) -> dict:
    return container.state().get("Health") or {"Status": "none", "Log": []}


def _docker_time(stamp: str) -> float:
    """Seconds since the epoch of Docker's RFC 3339 times (up to nine decimals, Z or +hh:mm)."""
    found = re.fullmatch(r"(.+T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", stamp.strip())
    if found is None:
        raise ValueError(f"not a Docker time: {stamp!r}")
    zone = "+00:00" if found[3] == "Z" else found[3]
    return datetime.fromisoformat(found[1] + zone).timestamp() + float(found[2] or 0)


def _first_probe_after(container, ready_at: float) -> tuple[str, dict | None]:
    """The health status, and the first probe that started after `ready_at` (None if none
    did within HEALTH_WAIT seconds)."""
    deadline = time.monotonic() + HEALTH_WAIT
    while True:
        health = _health(container)
        after = [e for e in health["Log"] if _docker_time(e["Start"]) > ready_at]
        if after or time.monotonic() > deadline:
            return health["Status"], (after[0] if after else None)
        time.sleep(1)
