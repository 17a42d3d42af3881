"""The learner's deploy descriptors, read for the checks: a file or a part not written yet is
NotAttempted, a file that cannot be read is Incorrect."""

from __future__ import annotations

from pathlib import Path

from launchpad import yamlfile
from launchpad.checks import Incorrect, NotAttempted, expect
from launchpad.checks.progress import step
from launchpad.deploy import validate
from launchpad.paths import workspace_dir

CLOUD_RUN = Path("deploy/cloudrun.yaml")
KUBERNETES = Path("deploy/k8s.yaml")
CHECKOV_TIME = "3 s on a 2-core laptop"  # measured here: checkov's start-up is most of it


def documents(relative: Path) -> list[dict]:
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


def pod(deployment: dict) -> dict:
    return ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}


def container(pod_spec: dict) -> dict:
    containers = pod_spec.get("containers") or []
    if not containers or not isinstance(containers[0], dict):
        raise NotAttempted("The pod has no containers yet.")
    return containers[0]


def deployment_container(kinds: dict[str, dict]) -> dict:
    """The Deployment's container, once the learner has started describing it."""
    found = container(pod(kinds["Deployment"]))
    if not any(key in found for key in ("ports", "resources", "startupProbe", "env")):
        raise NotAttempted("The container has no ports, probes or resources yet.")
    return found


def cloud_run_service() -> dict:
    docs = documents(CLOUD_RUN) or [{}]
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


def by_kind() -> dict[str, dict]:
    """The Kubernetes file's resources by kind, once it has a Deployment with a container."""
    docs = documents(KUBERNETES)
    kinds = {d.get("kind"): d for d in docs}
    if "Deployment" not in kinds or not pod(kinds["Deployment"]).get("containers"):
        raise NotAttempted(f"{KUBERNETES} has no Deployment with a container yet.")
    return kinds


def checkov(only: dict[str, str]) -> None:
    """checkov's verdict on the Kubernetes file, for the checks in `only` (id: what it means)."""
    from launchpad import linters

    with step(f"Running checkov on {KUBERNETES}", usually=CHECKOV_TIME):
        failed = linters.checkov(workspace_dir() / KUBERNETES, "kubernetes", only=tuple(only))
    if failed and failed[0].split()[0] not in only:  # checkov itself could not run
        raise Incorrect(failed[0])
    ids = [finding.split()[0] for finding in failed]
    expect(not ids, f"checkov {ids[0] if ids else ''}: {only.get(ids[0] if ids else '', '')}.")


def schema(kinds: tuple[str, ...]) -> None:
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


def selects(selector: dict | None, labels: dict) -> bool:
    selector = (selector or {}).get("matchLabels", selector or {})
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
