"""A Service in front, an autoscaler on CPU, and a disruption budget that lets drains proceed."""

from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.questions.m05._descriptors import (
    KUBERNETES,
    by_kind,
    container,
    pod,
    schema,
    selects,
)


@question(
    files=[str(KUBERNETES)],
    hints=[
        "The Service's `selector` and the PDB's `selector.matchLabels` must equal the pod "
        "template's labels; the Service's `targetPort` names the container port (`http`).",
        "The HPA: `scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: <yours>}`, "
        "minReplicas 2, maxReplicas 5, a CPU Utilization target. The PDB: `minAvailable: 1`.",
    ],
)
def service_autoscaler_and_budget_fit(answers: Answers):
    kinds = by_kind()
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
    schema(("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"))
    deployment = kinds["Deployment"]
    name = (deployment.get("metadata") or {}).get("name")
    labels = ((deployment["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    served = container(pod(deployment))
    service, hpa, pdb = (
        kinds[k] for k in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget")
    )
    expect(
        selects(service["spec"].get("selector"), labels),
        f"The Service selects {service['spec'].get('selector')}, but the pods are labelled "
        f"{labels}: it would route to nothing.",
    )
    names = {p.get("name") for p in served.get("ports") or []}
    numbers = {p.get("containerPort") for p in served.get("ports") or []}
    targets = [p.get("targetPort", p.get("port")) for p in service["spec"].get("ports") or []]
    expect(
        targets and all(t in names | numbers for t in targets),
        f"The Service sends to port {targets}, which the container does not declare: requests "
        "would find no one listening.",
    )
    target = hpa["spec"].get("scaleTargetRef") or {}
    expect(
        (target.get("kind"), target.get("name")) == ("Deployment", name),
        f"The HPA scales {target.get('kind')} {target.get('name')!r}, not the Deployment "
        f"{name!r}: your pods would never scale.",
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
        selects(pdb["spec"].get("selector"), labels),
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
        "so upgrades would hang.",
    )
    return f"A Service in front, {low} to {high} pods on CPU, and drains that keep one serving."
