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
        "Size the revision for CPU-bound inference: how many requests one instance takes at "
        "once, how much memory PyTorch and the model need, how many instances may start at "
        "most, and a probe that holds traffic back until the model is loaded.",
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
        raise Incorrect(
            "Cloud Run sets PORT itself, to your containerPort, and refuses a service that sets "
            "it in `env`: the deploy would fail."
        )
    expect(not problems, f"Cloud Run would refuse it: {problems[0] if problems else ''}")
    template = service["spec"]["template"]
    spec, container = template["spec"], template["spec"]["containers"][0]
    expect(
        container.get("ports"),
        "The container declares no port: Cloud Run would send traffic to 8080 whatever your "
        "image listens on, and nothing in the file says which port that is.",
    )
    limits = (container.get("resources") or {}).get("limits") or {}
    memory, cpu = limits.get("memory", "512Mi"), limits.get("cpu", "1")
    expect(
        _memory_bytes(memory) >= 10**9,
        f"A memory limit of {memory} is too small: PyTorch and the model take about 400 MB "
        "before the first request, and Cloud Run kills an instance that goes over its limit, "
        "mid-request.",
    )
    concurrency = spec.get("containerConcurrency", 80)
    expect(
        concurrency != 0,
        "containerConcurrency 0 means 'no limit': one instance would take every request sent "
        "to it, and CPU-bound inference would make each wait for all the others instead of "
        "Cloud Run starting another instance.",
    )
    expect(
        1 <= concurrency <= 8,
        f"containerConcurrency {concurrency}: inference is CPU-bound, so {concurrency} requests "
        "at once on one instance would wait for each other, every one of them slow, while Cloud "
        "Run sees no reason to start another instance.",
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
        f"The startup probe gives up after {budget} s (periodSeconds x failureThreshold): a "
        "cold start (pull, start, model load) can take 30 s and more, and an instance that is "
        "not ready in time is restarted, so it might never serve.",
    )
    at_once = f"{concurrency} request{'s' if concurrency != 1 else ''} at a time"
    return f"A valid Cloud Run service: {memory}, {at_once} per instance, probed."
