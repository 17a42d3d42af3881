"""Module 05 — Deploy to the cloud. The learner's descriptors live in `workspace/deploy/`:
`cloudrun.yaml` (a Cloud Run service) and `k8s.yaml` (Deployment, Service, HPA, PDB).

The checks validate them with the tools the course's own descriptors pass (Cloud Run's
documented fields, the Kubernetes schemas, checkov), check that the pieces fit together, and
rehearse both contracts with the learner's image from module 03 on a real Docker engine.
"""

from __future__ import annotations

from pathlib import Path

from launchpad import yamlfile
from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.deploy import contract, validate
from launchpad.paths import workspace_dir

CLOUD_RUN = Path("deploy/cloudrun.yaml")
KUBERNETES = Path("deploy/k8s.yaml")
# The checkov checks each question applies, with what each means for this service.
RUNTIME_CHECKS = {
    "CKV_K8S_8": "no livenessProbe: a hung process would never be restarted",
    "CKV_K8S_9": "no readinessProbe: pods would get traffic before the model is loaded",
    "CKV_K8S_10": "no CPU request: the scheduler cannot place the pod where a core is free",
    "CKV_K8S_11": "no CPU limit: one busy pod can starve its neighbours",
    "CKV_K8S_12": "no memory request: the pod may land on a node without room for the model",
    "CKV_K8S_13": "no memory limit: a leak takes the node down instead of just the pod",
}
SECURITY_CHECKS = {
    "CKV_K8S_16": "the container is privileged: it could control the node",
    "CKV_K8S_20": "allowPrivilegeEscalation is not false: a setuid binary could become root",
    "CKV_K8S_22": "readOnlyRootFilesystem is not true: an attacker could rewrite the code",
    "CKV_K8S_23": "root is not refused: set runAsNonRoot: true (and runAsUser: 10001)",
    "CKV_K8S_28": "NET_RAW is not dropped: drop ALL capabilities",
    "CKV_K8S_37": "capabilities are not dropped: `capabilities: {drop: [ALL]}`",
    "CKV_K8S_40": "runAsUser is missing or low: set runAsUser: 10001, the image's own user",
}


def _documents(relative: Path) -> list[dict]:
    path = workspace_dir() / relative
    if not path.exists():
        raise NotAttempted(f"There is no {relative} yet: run its %%writefile cell.")
    try:
        docs = yamlfile.documents(path)
    except ValueError as error:
        raise Incorrect(str(error)) from error
    if not all(isinstance(d, dict) for d in docs):
        raise Incorrect(f"{relative} holds something other than YAML mappings.")
    return docs


def _pod(deployment: dict) -> dict:
    return ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}


def _container(pod_spec: dict) -> dict:
    containers = pod_spec.get("containers") or []
    if not containers or not isinstance(containers[0], dict):
        raise NotAttempted("The pod has no containers yet.")
    return containers[0]


def _deployment_container(kinds: dict[str, dict]) -> dict:
    """The Deployment's container, once the learner has started describing it."""
    container = _container(_pod(kinds["Deployment"]))
    if not any(key in container for key in ("ports", "resources", "startupProbe", "env")):
        raise NotAttempted("The container has no ports, probes or resources yet.")
    return container


def _cloud_run_service() -> dict:
    docs = _documents(CLOUD_RUN) or [{}]
    expect(
        len(docs) == 1, f"{CLOUD_RUN} holds {len(docs)} documents: a Cloud Run file is one Service."
    )
    [service] = docs
    template = (service.get("spec") or {}).get("template") or {}
    if (
        "annotations" in (template.get("metadata") or {})
        and not template["metadata"]["annotations"]
    ):
        raise NotAttempted("The revision's annotations are still empty.")
    if not (template.get("spec") or {}).get("containers"):
        raise NotAttempted(f"{CLOUD_RUN} has no container yet.")
    return service


def _by_kind() -> dict[str, dict]:
    docs = _documents(KUBERNETES)
    kinds = {d.get("kind"): d for d in docs}
    if "Deployment" not in kinds or not _pod(kinds["Deployment"]).get("containers"):
        raise NotAttempted(f"{KUBERNETES} has no Deployment with a container yet.")
    return kinds


def _checkov(only: dict[str, str]) -> None:
    from launchpad.linters import checkov

    failed = checkov(workspace_dir() / KUBERNETES, "kubernetes", only=tuple(only))
    if failed and failed[0].split()[0] not in only:  # checkov itself could not run
        raise Incorrect(failed[0])
    ids = [finding.split()[0] for finding in failed]
    expect(not ids, f"checkov {ids[0] if ids else ''}: {only.get(ids[0] if ids else '', '')}.")


def _memory_bytes(quantity) -> int:
    try:
        return contract.docker_bytes(str(quantity))
    except ValueError as error:
        raise Incorrect(f"{quantity!r} is not a memory quantity such as 1Gi.") from error


# ---- Question 1: Cloud Run --------------------------------------------------------------


@question(
    "05",
    1,
    hints=[
        "Under spec.template.spec: `containerConcurrency: 4`, and one container with `ports: "
        '[{name: http1, containerPort: 8080}]`, `resources.limits` (cpu "1", memory 1Gi).',
        "A startupProbe with `httpGet: {path: /readyz, port: 8080}`, `periodSeconds: 2`, "
        '`failureThreshold: 30`; and the annotation `autoscaling.knative.dev/maxScale: "3"` on '
        "spec.template.metadata.",
    ],
    solution="See the solution notebook: deploy/cloudrun.yaml.",
)
def q1(answers: Answers):
    service = _cloud_run_service()
    problems = validate.cloudrun_problems(workspace_dir() / CLOUD_RUN)
    if any("'PORT'" in p for p in problems):
        raise Incorrect("Cloud Run sets PORT itself, to your containerPort: remove it from `env`.")
    expect(not problems, f"Cloud Run would refuse it: {problems[0] if problems else ''}")
    template = service["spec"]["template"]
    spec, container = template["spec"], template["spec"]["containers"][0]
    expect(
        container.get("ports"),
        "The container declares no port: Cloud Run would assume 8080. Say so with "
        "`ports: [{name: http1, containerPort: 8080}]`.",
    )
    limits = (container.get("resources") or {}).get("limits") or {}
    memory, cpu = limits.get("memory", "512Mi"), limits.get("cpu", "1")
    expect(
        _memory_bytes(memory) >= 10**9,
        f"A memory limit of {memory} is too small: PyTorch and the model need about 400 MB "
        "before the first request. Give it at least 1Gi.",
    )
    concurrency = spec.get("containerConcurrency", 80)
    expect(
        concurrency != 0,
        "containerConcurrency 0 means 'no limit' (as many as the instance takes): inference is "
        "CPU-bound, so set a small number such as 4.",
    )
    expect(
        1 <= concurrency <= 8,
        f"containerConcurrency {concurrency}: inference is CPU-bound, so {concurrency} requests "
        "at once on one instance wait for each other. Use a small number (4) and let Cloud Run "
        "start more instances.",
    )
    cpus = float(contract.cpu_count(str(cpu)))
    expect(
        cpus >= 1 or concurrency == 1,
        f"With cpu {cpu} (less than one vCPU) Cloud Run allows only containerConcurrency 1.",
    )
    expect(
        cpus < 4 or _memory_bytes(memory) >= 2 * 2**30,
        f"Cloud Run needs at least 2Gi of memory for {cpu} vCPUs; you gave {memory}.",
    )
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    expect(
        "autoscaling.knative.dev/maxScale" in annotations,
        "No `autoscaling.knative.dev/maxScale` annotation on spec.template.metadata (the "
        "revision, not the service): a traffic spike or a client's retry loop could start 100 "
        "instances, and the bill with them.",
    )
    probe = container.get("startupProbe") or {}
    expect(
        (probe.get("httpGet") or {}).get("path") == "/readyz",
        "No startup probe on /readyz: Cloud Run would send traffic as soon as the port opens, "
        "before the model is loaded.",
    )
    budget = probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)
    expect(
        budget >= 30,
        f"The startup probe gives up after {budget} s; a cold start (pull, start, model load) "
        "can take longer. Allow at least 30 s (periodSeconds x failureThreshold).",
    )
    return f"A valid Cloud Run service: {memory}, {concurrency} requests per instance, probed."


# ---- Question 2: the Kubernetes Deployment -----------------------------------------------


@question(
    "05",
    2,
    hints=[
        "Three probes on the container: startupProbe and livenessProbe on /healthz, "
        "readinessProbe on /readyz, all `port: http` (the name of the container port).",
        '`resources: {requests: {cpu: "1", memory: 1Gi}, limits: {cpu: "1", memory: 1Gi}}`, '
        'and `env: [{name: PORT, value: "8080"}]` to match `containerPort: 8080`.',
    ],
    solution="See the solution notebook: the Deployment in deploy/k8s.yaml.",
)
def q2(answers: Answers):
    kinds = _by_kind()
    _schema(("Deployment",))
    deployment = kinds["Deployment"]
    container = _deployment_container(kinds)
    selector = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    labels = ((deployment["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    expect(
        _selects(selector, labels),
        f"The Deployment's selector {selector} does not match its pod labels {labels}: "
        "Kubernetes refuses it.",
    )
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        expect(kind in container, f"The container has no {kind}.")
    liveness = ((container.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
    expect(
        liveness != "/readyz",
        "The liveness probe asks /readyz: a pod that is loading or briefly overloaded would be "
        "killed and restarted. Liveness asks only 'is the process alive?': /healthz.",
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
    _checkov(RUNTIME_CHECKS)
    ports = [p.get("containerPort") for p in container.get("ports") or []]
    env = {e.get("name"): str(e.get("value", "")) for e in container.get("env") or []}
    port = env.get("PORT", "8000")  # the image listens on $PORT, 8000 by default
    expect(port.isdigit(), f"PORT is {port!r}: give it the containerPort's number as `value`.")
    listens = int(port)
    expect(
        listens in ports,
        f"The image listens on port {listens} (its PORT), but the container declares {ports}: "
        "Kubernetes does not set PORT, so set it with `env` to the containerPort.",
    )
    return "A valid Deployment with probes, requests and limits, on the port the image uses."


# ---- Question 3: least privilege --------------------------------------------------------


@question(
    "05",
    3,
    hints=[
        "Pod: `securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001}`. "
        "Container: `securityContext: {allowPrivilegeEscalation: false, "
        "readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`.",
        "With a read-only root, mount an `emptyDir` volume at /tmp for what must be written.",
    ],
    solution="See the solution notebook: the securityContext blocks in deploy/k8s.yaml.",
)
def q3(answers: Answers):
    kinds = _by_kind()
    pod = _pod(kinds["Deployment"])
    if "securityContext" not in pod and "securityContext" not in _container(pod):
        raise NotAttempted("There is no securityContext yet, for the pod or the container.")
    security = {
        **(pod.get("securityContext") or {}),
        **(_container(pod).get("securityContext") or {}),
    }
    expect(
        security.get("runAsUser") != 0,
        "runAsUser: 0 is root: with runAsNonRoot the pod would never start. Use 10001, the "
        "image's user.",
    )
    expect(
        security.get("runAsNonRoot") is True,
        "Root is not refused: set `runAsNonRoot: true` (and `runAsUser: 10001`, the image's "
        "user), so a pod that would run as root is stopped before it starts.",
    )
    _checkov(SECURITY_CHECKS)
    try:
        writable = [
            path for path, _ in contract.from_kubernetes(workspace_dir() / KUBERNETES).tmpfs
        ]
    except contract.ContractError as error:
        raise Incorrect(str(error)) from error
    expect(
        "/tmp" in writable,
        "The root filesystem is read-only and there is no emptyDir at /tmp: Python and its "
        "libraries need somewhere to write temporary files.",
    )
    return "Non-root, read-only, no privilege escalation, no capabilities: checkov agrees."


# ---- Question 4: Service, autoscaler and disruption budget --------------------------------


def _schema(kinds: tuple[str, ...]) -> None:
    """The Kubernetes schema's verdict on the resources of these kinds only."""
    problems = validate.kubernetes_problems(workspace_dir() / KUBERNETES)
    ours = [p for p in problems if any(f" {kind}:" in p for kind in kinds)]
    where = (
        " (readOnlyRootFilesystem, allowPrivilegeEscalation and capabilities belong in the "
        "container's securityContext; runAsUser and runAsNonRoot may go in the pod's)"
        if ours and "securityContext" in ours[0]
        else ""
    )
    expect(not ours, f"The Kubernetes schema refuses it: {ours[0] if ours else ''}{where}")


def _selects(selector: dict | None, labels: dict) -> bool:
    selector = (selector or {}).get("matchLabels", selector or {})
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


@question(
    "05",
    4,
    hints=[
        "The Service's `selector` and the PDB's `selector.matchLabels` must equal the pod "
        "template's labels; the Service's `targetPort` names the container port (`http`).",
        "The HPA: `scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: <yours>}`, "
        "minReplicas 2, maxReplicas 5, a CPU Utilization target. The PDB: `minAvailable: 1`.",
    ],
    solution="See the solution notebook: the Service, HPA and PDB in deploy/k8s.yaml.",
)
def q4(answers: Answers):
    kinds = _by_kind()
    missing = [
        k for k in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget") if k not in kinds
    ]
    if len(missing) == 3:
        raise NotAttempted(f"{KUBERNETES} has no Service, HPA or PDB yet.")
    expect(
        not missing,
        f"{KUBERNETES} has no {missing[0] if missing else ''} (each resource is its own YAML "
        "document, after a `---` line).",
    )
    _schema(("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"))
    deployment = kinds["Deployment"]
    name = (deployment.get("metadata") or {}).get("name")
    labels = ((deployment["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    container = _container(_pod(deployment))
    service, hpa, pdb = (
        kinds[k] for k in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget")
    )
    expect(
        _selects(service["spec"].get("selector"), labels),
        f"The Service selects {service['spec'].get('selector')}, but the pods are labelled "
        f"{labels}: it would route to nothing.",
    )
    names = {p.get("name") for p in container.get("ports") or []}
    numbers = {p.get("containerPort") for p in container.get("ports") or []}
    targets = [p.get("targetPort", p.get("port")) for p in service["spec"].get("ports") or []]
    expect(
        targets and all(t in names | numbers for t in targets),
        f"The Service sends to port {targets}, which the container does not declare.",
    )
    target = hpa["spec"].get("scaleTargetRef") or {}
    expect(
        (target.get("kind"), target.get("name")) == ("Deployment", name),
        f"The HPA scales {target.get('kind')} {target.get('name')!r}, not the Deployment {name!r}.",
    )
    expect(
        target.get("apiVersion") == "apps/v1",
        f"The HPA's scaleTargetRef says apiVersion {target.get('apiVersion')!r}: Deployments "
        "are apps/v1.",
    )
    low, high = hpa["spec"].get("minReplicas", 1), hpa["spec"].get("maxReplicas", 0)
    expect(low >= 2, "minReplicas is below 2: one pod is a single point of failure.")
    expect(high > low, f"maxReplicas ({high}) leaves no room to scale above minReplicas ({low}).")
    metrics = [m.get("resource", {}).get("name") for m in hpa["spec"].get("metrics") or []]
    if "targetCPUUtilizationPercentage" in hpa["spec"]:  # autoscaling/v1
        metrics.append("cpu")
    expect("cpu" in metrics, "The HPA does not watch CPU, the resource inference uses up.")
    expect(
        _selects(pdb["spec"].get("selector"), labels),
        "The PDB's selector does not match the pods' labels: it protects nothing.",
    )
    budget = pdb["spec"]
    floor, spare = budget.get("minAvailable"), budget.get("maxUnavailable")
    if isinstance(floor, str) and floor.endswith("%"):  # a share of the pods, rounded up
        floor = -(-low * int(floor[:-1]) // 100)
    if isinstance(spare, str) and spare.endswith("%"):
        spare = -(-low * int(spare[:-1]) // 100)
    drainable = floor < low if isinstance(floor, int) else isinstance(spare, int) and spare >= 1
    expect(
        drainable,
        f"The PDB lets no pod go (minAvailable {budget.get('minAvailable')}, maxUnavailable "
        f"{budget.get('maxUnavailable')}, with {low} pods): a node drain could never evict one, "
        "so upgrades would hang. Use minAvailable: 1 (of 2).",
    )
    return f"A Service in front, {low} to {high} pods on CPU, and drains that keep one serving."


# ---- Question 5: the rehearsal ----------------------------------------------------------


@question(
    "05",
    5,
    hints=[
        "Read the failure: it names the clause of the contract that broke (the probe, the "
        "memory limit, the user, SIGTERM). Fix the descriptor, or the Dockerfile from module 03.",
        "PORT must match containerPort; the memory limit must fit the model (1Gi); the probes "
        "must name paths your service answers (/healthz, /readyz).",
    ],
    solution="The solution's descriptors pass; compare yours with them clause by clause.",
)
def q5(answers: Answers):
    from launchpad.deploy.rehearse import Rehearsal, RehearsalFailed
    from launchpad.questions.m03 import built_image

    _cloud_run_service()
    _deployment_container(_by_kind())
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
    for terms_ in terms:
        name = f"launchpad-check-rehearsal-{terms_.platform.split()[0].lower()}"
        try:
            with Rehearsal(engine, tag, terms_, name) as rehearsal:
                rehearsal.run()
        except RehearsalFailed as failure:
            raise Incorrect(str(failure)) from failure
    return (
        "Rehearsed as Cloud Run and Kubernetes would run it: probes pass, /predict answers, "
        "SIGTERM stops it in time."
    )


QUESTIONS = [q1, q2, q3, q4, q5]
__all__ = ["____", "q1", "q2", "q3", "q4", "q5"]
