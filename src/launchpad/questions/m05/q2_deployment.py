"""The Kubernetes Deployment: valid, probed, sized, and on the port the image listens on."""

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.deploy import contract
from launchpad.paths import workspace_dir
from launchpad.questions.m05._descriptors import (
    KUBERNETES,
    by_kind,
    checkov,
    deployment_container,
    schema,
    selects,
)

# The checkov checks this question applies, with what each means for this service.
RUNTIME_CHECKS = {
    "CKV_K8S_8": "no livenessProbe: a hung process would never be restarted",
    "CKV_K8S_9": "no readinessProbe: pods would get traffic before the model is loaded",
    "CKV_K8S_10": "no CPU request: the scheduler cannot place the pod where a core is free",
    "CKV_K8S_11": "no CPU limit: one busy pod can starve its neighbours",
    "CKV_K8S_12": "no memory request: the pod may land on a node without room for the model",
    "CKV_K8S_13": "no memory limit: a leak takes the node down instead of just the pod",
}

# Why each probe matters, for the message when one is missing.
PROBES = {
    "startupProbe": "the liveness probe could kill a pod that is still loading the model",
    "readinessProbe": "pods would get traffic before the model is loaded",
    "livenessProbe": "a hung process would never be restarted",
}


@question(
    files=[str(KUBERNETES)],
    hints=[
        "Kubernetes must know where the container listens (and the image must agree: it "
        "listens on $PORT), what it needs and may use (requests and limits), and how to ask "
        "whether it started, is alive, and is ready for traffic.",
        "Three probes on the container: startupProbe and livenessProbe on /healthz, "
        "readinessProbe on /readyz, all `port: http` (the name of the container port).",
        '`resources: {requests: {cpu: "1", memory: 1Gi}, limits: {cpu: "1", memory: 1Gi}}`, '
        'and `env: [{name: PORT, value: "8080"}]` to match `containerPort: 8080`.',
    ],
)
def deployment_is_probed_and_sized(answers: Answers):
    kinds = by_kind()
    schema(("Deployment",))
    deployment = kinds["Deployment"]
    container = deployment_container(kinds)
    selector = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    labels = ((deployment["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    expect(
        selects(selector, labels),
        f"The Deployment's selector {selector} does not match its pod labels {labels}: "
        "Kubernetes refuses it.",
    )
    for kind, why in PROBES.items():
        expect(kind in container, f"The container has no {kind}: {why}.")
    liveness = ((container.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
    expect(
        liveness != "/readyz",
        "The liveness probe asks /readyz: a pod that is loading or briefly overloaded would be "
        "killed and restarted. Liveness asks only whether the process is alive.",
    )
    for kind, quantities in (container.get("resources") or {}).items():
        for resource, quantity in (quantities or {}).items():
            try:
                (contract.docker_bytes if resource == "memory" else contract.cpu_count)(
                    str(quantity)
                )
            except contract.ContractError as error:
                raise Incorrect(f"resources.{kind}.{resource}: {error}") from error
    try:
        contract.from_kubernetes(workspace_dir() / KUBERNETES)
    except contract.ContractError as error:
        raise Incorrect(str(error)) from error
    ports = [p.get("containerPort") for p in container.get("ports") or []]
    env = {e.get("name"): str(e.get("value", "")) for e in container.get("env") or []}
    port = env.get("PORT", "8000")  # the image listens on $PORT, 8000 by default
    expect(port.isdigit(), f"PORT is {port!r}, not a port number: the service cannot listen on it.")
    listens = int(port)
    expect(
        listens in ports,
        f"The image listens on port {listens} (its PORT), but the container declares {ports}: "
        "Kubernetes does not set PORT, so the probes and the Service would knock on a port no "
        "one answers.",
    )
    checkov(RUNTIME_CHECKS)  # last: the slowest part (seconds)
    return "A valid Deployment with probes, requests and limits, on the port the image uses."
