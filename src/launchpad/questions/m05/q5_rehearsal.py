"""Both descriptors rehearsed with the learner's image: start, probes, /predict, SIGTERM."""

from launchpad.checks import DOCKER, Answers, Incorrect, question
from launchpad.checks.progress import step
from launchpad.containers.learner_image import BUILD_FILES, built_image
from launchpad.deploy import contract
from launchpad.paths import workspace_dir
from launchpad.questions.m05._descriptors import (
    CLOUD_RUN,
    KUBERNETES,
    by_kind,
    cloud_run_service,
    deployment_container,
)

# Measured here with the reference image: the model loads in each container (1 CPU each), then
# SIGTERM. Both platforms run at once, so this is one rehearsal's time, not two.
REHEARSAL_TIME = "15 s on a 2-core laptop"


@question(
    files=[str(CLOUD_RUN), str(KUBERNETES), *BUILD_FILES],
    needs=[DOCKER],
    hints=[
        "Read the failure: it names the clause of the contract that broke (the probe, the "
        "memory limit, the user, SIGTERM). Fix the descriptor, or the Dockerfile from module 03.",
        "PORT must match containerPort; the memory limit must fit the model (1Gi); the probes "
        "must name paths your service answers (/healthz, /readyz); SIGTERM reaches the server "
        "only if it is PID 1 (an exec-form CMD, or `exec` in a shell CMD).",
    ],
)
def both_contracts_hold_in_rehearsal(answers: Answers):
    from launchpad.deploy.rehearse import RehearsalFailed, rehearse_side_by_side

    cloud_run_service()
    deployment_container(by_kind())
    terms = []
    for relative, read in (
        (CLOUD_RUN, contract.from_cloud_run),
        (KUBERNETES, contract.from_kubernetes),
    ):
        try:
            terms.append(read(workspace_dir() / relative))
            terms[-1].docker_run_args()  # quantities that docker cannot take
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise Incorrect(f"{relative}: cannot read its contract ({error}).") from error
    engine, tag = built_image()  # says what it is doing: a first build takes minutes
    # The image itself, not its tag: a build in a terminal meanwhile must not change what runs.
    image = engine.docker("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()
    names = " and ".join(platform.platform for platform in terms)
    try:
        with step(
            f"Rehearsing the {names} contracts side by side: start, probes, /predict, SIGTERM",
            usually=REHEARSAL_TIME,
        ):
            rehearse_side_by_side(engine, image, terms, prefix="launchpad-check-rehearsal")
    except RehearsalFailed as failure:
        raise Incorrect(str(failure)) from failure
    return (
        "Rehearsed as Cloud Run and Kubernetes would run it: probes pass, /predict answers, "
        "SIGTERM stops it in time."
    )
