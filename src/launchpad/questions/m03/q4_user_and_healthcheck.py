"""The container runs as a user that is not root, and Docker knows when it is healthy."""

import json
import time

from launchpad.checks import DOCKER, Answers, expect, question
from launchpad.containers.learner_image import BUILD_FILES, built_image, running


@question(
    files=BUILD_FILES,
    needs=[DOCKER],
    hints=[
        "Create a user in the final stage (useradd --system --uid 10001 app) and switch with "
        "USER 10001 before CMD.",
        'HEALTHCHECK CMD ["python", "-c", "...urlopen(\'http://127.0.0.1:\' + '
        "os.environ['PORT'] + '/readyz')\"] with a short --interval.",
    ],
)
def runs_unprivileged_and_healthy(answers: Answers):
    engine, tag = built_image()
    uid = engine.docker(
        "run", "--rm", "--network", "none", "--entrypoint", "id", tag, "-u"
    ).stdout.strip()
    expect(
        uid != "0",
        "The container runs as root: add a user and a USER instruction, so a "
        "bug in the service cannot rewrite the image's files.",
    )
    config = json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Config"]
    expect(config.get("Healthcheck"), "The image has no HEALTHCHECK: add one that asks /readyz.")
    with running(engine, tag) as container:
        deadline = time.monotonic() + 90
        while (status := container.state()["Health"]["Status"]) == "starting":
            expect(
                time.monotonic() < deadline,
                "The health check stayed 'starting' for 90 s: use a short --interval (5s).",
            )
            time.sleep(1)
    expect(
        status == "healthy",
        f"Docker reports the container {status}: run the HEALTHCHECK "
        "command by hand in the container to see why.",
    )
    return f"Runs as uid {uid}, and Docker knows when it is healthy."
