"""The container contract a deployment descriptor promises, read from the descriptor itself.

A platform runs your image under rules: it chooses the port (and may tell you through `PORT`),
caps the memory, may make the root filesystem read-only, picks the user, runs the descriptor's
`command`/`args` instead of the image's, probes some paths, and on shutdown sends SIGTERM and
waits a grace period before SIGKILL. `Contract` holds those
rules as the descriptor states them (or as the platform documents its defaults), so the
rehearsal runs the image exactly that way, and a changed descriptor is a changed rehearsal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from launchpad.yamlfile import documents

# Cloud Run's documented defaults: memory and CPU of an instance, and the time between
# SIGTERM and SIGKILL.
CLOUD_RUN_DEFAULTS = {"memory": "512Mi", "cpu": "1", "port": 8080, "grace": 10}
# Elastic Beanstalk runs one container per instance: its memory is the instance's.
# (The whole instance: OS, Docker and nginx share it, so the rehearsal's limit is generous.)
EC2_MEMORY = {"t3.small": "2Gi", "t3.medium": "4Gi", "c7i.large": "4Gi", "c7i.xlarge": "8Gi"}
# `docker stop`'s grace period, which Elastic Beanstalk's Docker platform keeps.
DOCKER_STOP_GRACE = 10


class ContractError(ValueError):
    """The descriptor lacks what the rehearsal needs; the message says what."""


@dataclass(frozen=True)
class Probe:
    kind: str  # "startup", "readiness", "liveness" or "health check"
    path: str
    port: int
    budget_s: float  # how long the platform waits for a first success before giving up


@dataclass(frozen=True)
class Contract:
    platform: str
    source: str
    port: int
    env: dict[str, str] = field(default_factory=dict)
    memory: str | None = None  # a Kubernetes quantity, e.g. "1Gi"
    cpus: str | None = None  # e.g. "1" or "500m"
    read_only: bool = False
    tmpfs: tuple[tuple[str, str], ...] = ()  # (path, size) of each in-memory writable mount
    user: str | None = None
    no_new_privileges: bool = False
    drop_all_capabilities: bool = False
    grace_s: int = DOCKER_STOP_GRACE
    probes: tuple[Probe, ...] = ()
    command: tuple[str, ...] | None = None  # replaces the image's ENTRYPOINT (and its CMD)
    args: tuple[str, ...] | None = None  # replaces the image's CMD

    def docker_run_args(self) -> list[str]:
        """`docker run` options that impose this contract on a container."""
        args = [f"--env={k}={v}" for k, v in self.env.items()]
        if self.memory:  # and no swap on top, as on the platforms: over the limit is a kill
            limit = docker_bytes(self.memory)
            args += [f"--memory={limit}", f"--memory-swap={limit}"]
        if self.cpus:
            args.append(f"--cpus={cpu_count(self.cpus)}")
        if self.read_only:
            args.append("--read-only")
        args += [f"--tmpfs={path}:rw,size={docker_bytes(size)}" for path, size in self.tmpfs]
        if self.user:
            args.append(f"--user={self.user}")
        if self.no_new_privileges:
            args.append("--security-opt=no-new-privileges")
        if self.drop_all_capabilities:
            args.append("--cap-drop=ALL")
        if self.command:  # docker takes one word here; the rest go after the image
            args.append(f"--entrypoint={self.command[0]}")
        return args + [f"--stop-timeout={self.grace_s}"]

    def process_args(self) -> list[str]:
        """What `docker run` takes after the image: the descriptor's command (after its first
        word, which is the entrypoint) and args; nothing, to run the image's own CMD."""
        return [*(self.command or ())[1:], *(self.args or ())]


def docker_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity (1Gi, 512Mi, 2G, 1e9) in bytes; ContractError if it is not
    one (`1GB` is a common slip: Kubernetes refuses it)."""
    if not re.fullmatch(r"\d+(\.\d+)?(e\d+|Ki|Mi|Gi|Ti|k|M|G|T)?", str(quantity)):
        raise ContractError(f"{quantity!r} is not a memory quantity such as 1Gi or 512Mi.")
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6}
    units |= {"G": 10**9, "T": 10**12}
    for suffix in sorted(units, key=len, reverse=True):
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * units[suffix])
    return int(float(quantity))


def cpu_count(quantity: str) -> str:
    """A Kubernetes CPU quantity ("2", "500m") as docker's --cpus ("2", "0.5")."""
    if not re.fullmatch(r"\d+(\.\d+)?m?", str(quantity)):
        raise ContractError(f"{quantity!r} is not a CPU quantity such as 1 or 500m.")
    cpus = float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)
    return f"{cpus:g}"


def _probe(kind: str, spec: dict | None, ports: dict[str, int], default_port: int) -> Probe | None:
    """A Kubernetes-style probe; its budget is the time to a failure verdict."""
    if not spec or "httpGet" not in spec:
        return None
    port = spec["httpGet"].get("port", default_port)
    port = ports.get(port, port) if isinstance(port, str) else port
    if not isinstance(port, int):
        raise ContractError(f"The {kind} probe names port {port!r}, which no container declares.")
    budget = spec.get("initialDelaySeconds", 0) + spec.get("periodSeconds", 10) * spec.get(
        "failureThreshold", 3
    )
    return Probe(kind, spec["httpGet"].get("path", "/"), port, budget)


def _env(container: dict) -> dict[str, str]:
    return {e["name"]: str(e["value"]) for e in container.get("env") or [] if "value" in e}


def _process(container: dict, env: dict[str, str]) -> dict[str, tuple[str, ...] | None]:
    """The container's `command` and `args`, with `$(NAME)` replaced by its env value as
    Kubernetes and Cloud Run do (`$$` keeps a literal `$`; an unknown name stays as written)."""

    def expand(word) -> str:
        return re.sub(
            r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
            lambda m: "$" if m[0] == "$$" else env.get(m[1], m[0]),
            str(word),
        )

    return {
        key: tuple(expand(word) for word in container[key]) if container.get(key) else None
        for key in ("command", "args")
    }


def from_kubernetes(path: Path) -> Contract:
    deployments = [d for d in documents(path) if d.get("kind") == "Deployment"]
    if not deployments:
        raise ContractError(f"{path.name} has no Deployment.")
    pod = deployments[0].get("spec", {}).get("template", {}).get("spec", {})
    containers = pod.get("containers") or [{}]
    container = containers[0]
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
    if not ports:
        raise ContractError("The container declares no `ports:` with a containerPort.")
    port = next(iter(ports.values()))
    security = {**(pod.get("securityContext") or {}), **(container.get("securityContext") or {})}
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    limits = (container.get("resources") or {}).get("limits") or {}
    user = security.get("runAsUser")
    kinds = ("startup", "readiness", "liveness")
    probes = [_probe(kind, container.get(f"{kind}Probe"), ports, port) for kind in kinds]
    env = _env(container)
    return Contract(
        platform="Kubernetes",
        source=path.name,
        port=port,
        env=env,
        **_process(container, env),
        memory=limits.get("memory"),
        cpus=str(limits["cpu"]) if "cpu" in limits else None,
        read_only=bool(security.get("readOnlyRootFilesystem")),
        tmpfs=tuple(
            (
                m.get("mountPath"),
                (volumes[m.get("name")]["emptyDir"] or {}).get("sizeLimit", "64Mi"),
            )
            for m in container.get("volumeMounts") or []
            if "emptyDir" in volumes.get(m.get("name"), {})
        ),
        user=f"{user}:{security.get('runAsGroup', user)}" if user is not None else None,
        no_new_privileges=security.get("allowPrivilegeEscalation") is False,
        drop_all_capabilities="ALL" in ((security.get("capabilities") or {}).get("drop") or []),
        grace_s=int(pod.get("terminationGracePeriodSeconds", 30)),
        probes=tuple(p for p in probes if p),
    )


def from_cloud_run(path: Path) -> Contract:
    [service] = documents(path)
    template = service.get("spec", {}).get("template", {}).get("spec", {})
    container = (template.get("containers") or [{}])[0]
    ports = container.get("ports") or [{}]
    port = ports[0].get("containerPort", CLOUD_RUN_DEFAULTS["port"])
    limits = (container.get("resources") or {}).get("limits") or {}
    kinds = ("startup", "liveness")
    probes = [_probe(kind, container.get(f"{kind}Probe"), {}, port) for kind in kinds]
    env = {**_env(container), "PORT": str(port)}  # Cloud Run sets PORT itself
    return Contract(
        platform="Cloud Run",
        source=path.name,
        port=port,
        env=env,
        **_process(container, env),
        memory=limits.get("memory", CLOUD_RUN_DEFAULTS["memory"]),
        cpus=str(limits.get("cpu", CLOUD_RUN_DEFAULTS["cpu"])),
        grace_s=CLOUD_RUN_DEFAULTS["grace"],
        probes=tuple(p for p in probes if p),
    )


def from_beanstalk(bundle: Path) -> Contract:
    dockerrun = json.loads((bundle / "Dockerrun.aws.json").read_text())
    settings: dict = {}
    for config in sorted((bundle / ".ebextensions").glob("*.config")):
        options = (documents(config) or [{}])[0].get("option_settings") or {}
        for namespace, values in options.items():
            settings.setdefault(namespace, {}).update(values or {})
    port = dockerrun["Ports"][0]["ContainerPort"]
    process = settings.get("aws:elasticbeanstalk:environment:process:default", {})
    instances = settings.get("aws:ec2:instances", {}).get("InstanceTypes", "")
    instance = str(instances).split(",")[0].strip()
    environment = settings.get("aws:elasticbeanstalk:application:environment", {})
    return Contract(
        platform="Elastic Beanstalk",
        source="Dockerrun.aws.json",
        port=port,
        # Beanstalk does not set PORT: the image must listen on ContainerPort by itself.
        env={k: str(v) for k, v in environment.items()},
        memory=EC2_MEMORY.get(instance),
        probes=(Probe("health check", process.get("HealthCheckPath", "/"), port, 120),),
    )


READERS = {"cloudrun": from_cloud_run, "kubernetes": from_kubernetes, "beanstalk": from_beanstalk}
