"""deploy/cloudrun.yaml: a Cloud Run service that is valid, sized, bounded and probed."""

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.deploy import contract, validate
from launchpad.paths import workspace_dir
from launchpad.questions.m05._descriptors import CLOUD_RUN, cloud_run_service


def _memory_bytes(quantity) -> int:
    try:
        return contract.docker_bytes(str(quantity))
    except ValueError as error:
        raise Incorrect(f"{quantity!r} is not a memory quantity such as 1Gi.") from error


@question(
    files=[str(CLOUD_RUN)],
    hints=[
        "Under spec.template.spec: `containerConcurrency: 4`, and one container with `ports: "
        '[{name: http1, containerPort: 8080}]`, `resources.limits` (cpu "1", memory 1Gi).',
        "A startupProbe with `httpGet: {path: /readyz, port: 8080}`, `periodSeconds: 2`, "
        '`failureThreshold: 30`; and the annotation `autoscaling.knative.dev/maxScale: "3"` on '
        "spec.template.metadata.",
    ],
)
def cloud_run_service_is_valid_and_bounded(answers: Answers):
    service = cloud_run_service()
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
