"""Least privilege: not root, no escalation, no capabilities, a read-only root with /tmp."""

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.deploy import contract
from launchpad.paths import workspace_dir
from launchpad.questions.m05._descriptors import KUBERNETES, by_kind, checkov, container, pod

# The checkov checks this question applies, with what each means for this service.
SECURITY_CHECKS = {
    "CKV_K8S_16": "the container is privileged: it could control the node",
    "CKV_K8S_20": "allowPrivilegeEscalation is not false: a setuid binary could become root",
    "CKV_K8S_22": "readOnlyRootFilesystem is not true: an attacker could rewrite the code",
    "CKV_K8S_23": "root is not refused: set runAsNonRoot: true (and runAsUser: 10001)",
    "CKV_K8S_28": "NET_RAW is not dropped: drop ALL capabilities",
    "CKV_K8S_37": "capabilities are not dropped: `capabilities: {drop: [ALL]}`",
    "CKV_K8S_40": "runAsUser is missing or low: set runAsUser: 10001, the image's own user",
}


@question(
    files=[str(KUBERNETES)],
    hints=[
        "Pod: `securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001}`. "
        "Container: `securityContext: {allowPrivilegeEscalation: false, "
        "readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`.",
        "With a read-only root, mount an `emptyDir` volume at /tmp for what must be written.",
    ],
)
def pod_runs_with_least_privilege(answers: Answers):
    kinds = by_kind()
    spec = pod(kinds["Deployment"])
    if "securityContext" not in spec and "securityContext" not in container(spec):
        raise NotAttempted("There is no securityContext yet, for the pod or the container.")
    security = {
        **(spec.get("securityContext") or {}),
        **(container(spec).get("securityContext") or {}),
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
    checkov(SECURITY_CHECKS)
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
