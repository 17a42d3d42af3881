"""Both descriptors rehearsed with the learner's image: start, probes, /predict, SIGTERM."""

from launchpad.checks import DOCKER, Answers, Incorrect, question
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


@question(
    files=[str(CLOUD_RUN), str(KUBERNETES), *BUILD_FILES],
    needs=[DOCKER],
    hints=[
        "Read the failure: it names the clause of the contract that broke (the probe, the "
        "memory limit, the user, SIGTERM). Fix the descriptor, or the Dockerfile from module 03.",
        "PORT must match containerPort; the memory limit must fit the model (1Gi); the probes "
        "must name paths your service answers (/healthz, /readyz).",
    ],
)
def both_contracts_hold_in_rehearsal(answers: Answers):
    from launchpad.deploy.rehearse import RehearsalFailed, rehearse

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
    engine, tag = built_image()
    for platform in terms:
        try:
            rehearse(engine, tag, platform, prefix="launchpad-check-rehearsal")
        except RehearsalFailed as failure:
            raise Incorrect(str(failure)) from failure
    return (
        "Rehearsed as Cloud Run and Kubernetes would run it: probes pass, /predict answers, "
        "SIGTERM stops it in time."
    )
