"""Least privilege: not root, no escalation, no capabilities, a read-only root with /tmp."""

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.deploy import contract
from launchpad.paths import workspace_dir
from launchpad.questions.m05._descriptors import (
    KUBERNETES,
    by_kind,
    checkov,
    container,
    pod,
    schema,
)

# The checkov checks this question applies, with what each means for this service.
SECURITY_CHECKS = {
    "CKV_K8S_16": "the container is privileged: it could control the node",
    "CKV_K8S_20": "allowPrivilegeEscalation is not false: a setuid binary could become root",
    "CKV_K8S_22": "readOnlyRootFilesystem is not true: an attacker could rewrite the code",
    "CKV_K8S_23": "root is not refused: a pod whose image runs as root would start anyway",
    "CKV_K8S_28": "NET_RAW is not dropped: the process could forge network packets",
    "CKV_K8S_37": "capabilities are not dropped: the process keeps Linux privileges it never uses",
    "CKV_K8S_40": "runAsUser is missing or low: a low uid can match a user that owns files on "
    "the node",
}


@question(
    files=[str(KUBERNETES)],
    hints=[
        "Least privilege, layer by layer: which user the pod runs as (and refusing root), what "
        "the container may gain (privileges, capabilities), and whether it may rewrite its own "
        "files. Whatever must still be written needs a place of its own.",
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
    # A field in the wrong securityContext (readOnlyRootFilesystem on the pod) is refused by
    # Kubernetes, not merely ignored: say so, instead of reading it as missing.
    schema(("Deployment",))
    security = {
        **(spec.get("securityContext") or {}),
        **(container(spec).get("securityContext") or {}),
    }
    expect(
        security.get("runAsUser") != 0,
        "runAsUser: 0 is root: with runAsNonRoot the pod would never start, and without it the "
        "process would run as root.",
    )
    expect(
        security.get("runAsNonRoot") is True,
        "Root is not refused (`runAsNonRoot`): an image that runs as root, this one or a later "
        "one, would start anyway, and whoever breaks into it would be root in the container.",
    )
    try:
        terms = contract.from_kubernetes(workspace_dir() / KUBERNETES)
    except contract.ContractError as error:
        raise Incorrect(str(error)) from error
    expect(
        not terms.read_only or "/tmp" in [path for path, _ in terms.tmpfs],
        "The root filesystem is read-only and there is no emptyDir at /tmp: Python and its "
        "libraries need somewhere to write temporary files.",
    )
    checkov(SECURITY_CHECKS)  # last: the slowest part (seconds)
    return "Non-root, read-only, no privilege escalation, no capabilities: checkov agrees."
