"""Rehearse a deployment locally: run the real image under the contract a descriptor states
(`rehearse(engine, image, contract)`, as module 05's check does).

The container gets no network at all (`--network none`): probes and requests are sent from
inside it with `docker exec`, to 127.0.0.1 on the port the descriptor names. So the port is
exactly the descriptor's, with no clash with anything listening on this machine. A platform
connects from outside the container (a kubelet to the pod's IP, Cloud Run's and Beanstalk's
proxies likewise), so the rehearsal also reads the container's own socket table: the port must
be bound on every address (0.0.0.0 or ::), not on 127.0.0.1 alone.

What is checked, in order: the startup (or first) probe answers 2xx within the descriptor's
budget; the port is bound on all addresses; every probe answers 2xx; `POST /predict` answers a
label; the process is not root;
then SIGTERM with the platform's grace period: the process must exit by itself before the
grace period ends (0, or 143 for "ended by the SIGTERM it was sent"), and not be OOM-killed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass

from launchpad.containers.engine import Engine
from launchpad.deploy.contract import Contract, cpu_count

# Sends one request from inside the container: the image's Python, no extra tools needed.
_REQUEST = """
import json, sys, urllib.request, urllib.error
url, body = sys.argv[1], sys.argv[2]
data = body.encode() if body else None
request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=5) as reply:
        print(json.dumps([reply.status, reply.read().decode()]))
except urllib.error.HTTPError as error:
    print(json.dumps([error.code, error.read().decode()]))
except OSError as error:
    print(json.dumps([0, str(error)]))
"""


class RehearsalFailed(AssertionError):
    """The image broke the contract; the message says which clause, and the last log lines."""


@dataclass
class Report:
    contract: Contract
    ready_s: float = 0.0
    stop_s: float = 0.0
    uid: str = ""
    memory_used: str = ""
    label: str = ""
    exit_code: int | None = None

    def lines(self) -> list[str]:
        c = self.contract
        limit = f", memory limit {c.memory}" if c.memory else ""
        return [
            f"{c.platform} ({c.source}): port {c.port}{limit}, "
            f"{'read-only root' if c.read_only else 'writable root'}, "
            f"grace {c.grace_s} s",
            f"  ready in {self.ready_s:.1f} s; probes: "
            + ", ".join(f"{p.kind} {p.path}" for p in c.probes),
            f"  /predict -> {self.label}; uid {self.uid}; memory in use {self.memory_used}",
            f"  SIGTERM -> exit {self.exit_code} in {self.stop_s:.1f} s",
        ]


class Rehearsal:
    """`with Rehearsal(engine, image, contract) as r: report = r.run()`"""

    def __init__(self, engine: Engine, image: str, contract: Contract, name: str):
        self.engine, self.image, self.contract, self.name = engine, image, contract, name

    def __enter__(self):
        terms, machine = self.contract, os.cpu_count() or 1
        # A limit above this machine's CPUs is refused by docker: cap it (the limit still holds
        # on the platform; here it cannot be rehearsed above what the machine has).
        if terms.cpus and float(cpu_count(terms.cpus)) > machine:
            terms = dataclasses.replace(terms, cpus=str(machine))
        self.engine.docker("rm", "--force", self.name, check=False)
        self.engine.docker(
            "run",
            "--detach",
            "--name",
            self.name,
            "--network",
            "none",
            *terms.docker_run_args(),
            self.image,
        )
        return self

    def __exit__(self, *exc):
        self.engine.docker("rm", "--force", self.name, check=False)

    def _fail(self, clause: str) -> RehearsalFailed:
        logs = self.engine.docker("logs", self.name, check=False)
        tail = " | ".join((logs.stdout + logs.stderr).strip().splitlines()[-3:])
        return RehearsalFailed(f"{self.contract.platform}: {clause}. Last log lines: {tail}")

    def state(self) -> dict:
        return json.loads(self.engine.docker("inspect", self.name).stdout)[0]["State"]

    def request(self, path: str, port: int | None = None, body: str = "") -> tuple[int, str]:
        url = f"http://127.0.0.1:{port or self.contract.port}{path}"
        run = self.engine.docker(
            "exec", self.name, "python", "-c", _REQUEST, url, body, check=False, timeout=30
        )
        if run.returncode != 0:
            return 0, (run.stderr or run.stdout).strip()[-200:]
        status, text = json.loads(run.stdout)
        return status, text

    def _check_bound_everywhere(self) -> None:
        """The port must listen on all addresses: platforms connect from outside the container."""
        port = f"{self.contract.port:04X}"
        table = self.engine.docker(
            "exec", self.name, "cat", "/proc/net/tcp", "/proc/net/tcp6", check=False
        ).stdout
        listening = [
            fields[1].split(":")[0]
            for fields in (line.split() for line in table.splitlines()[1:])
            if len(fields) > 3 and fields[3] == "0A" and fields[1].endswith(f":{port}")
        ]
        if listening and not any(set(address) == {"0"} for address in listening):
            raise self._fail(
                f"port {self.contract.port} listens on 127.0.0.1 only: the platform connects "
                "from outside the container, so bind 0.0.0.0 (e.g. HOST=0.0.0.0 or "
                "uvicorn --host 0.0.0.0)"
            )

    def run(self) -> Report:
        report = Report(self.contract)
        probes = self.contract.probes
        first = probes[0] if probes else None
        path, port, budget = (first.path, first.port, first.budget_s) if first else ("/", None, 60)
        started = time.monotonic()
        while True:
            if not self.state()["Running"]:
                raise self._fail("the container exited while starting")
            status, _ = self.request(path, port)
            if 200 <= status < 300:
                break
            if time.monotonic() - started > budget:
                kind = first.kind if first else "first request"
                raise self._fail(
                    f"the {kind} probe GET {path} on port {port or self.contract.port} got no 2xx "
                    f"within {budget:.0f} s, the descriptor's budget (last answer: {status})"
                )
            time.sleep(0.5)
        report.ready_s = time.monotonic() - started
        self._check_bound_everywhere()
        # Readiness and liveness may be checked once the startup probe has passed.
        deadline = time.monotonic() + max((p.budget_s for p in probes), default=30)
        for probe in probes:
            while not 200 <= (status := self.request(probe.path, probe.port)[0]) < 300:
                if time.monotonic() > deadline:
                    raise self._fail(f"the {probe.kind} probe GET {probe.path} answered {status}")
                time.sleep(0.5)
        status, text = self.request("/predict", body=json.dumps({"text": "I loved this film."}))
        if status != 200:
            raise self._fail(f"POST /predict answered {status}: {text[:150]}")
        answer = json.loads(text)
        # The reference service answers {"predictions": [...]}; module 02's, {"label": ...}.
        report.label = (answer.get("predictions") or [answer])[0].get("label", "?")
        if report.label != "POSITIVE":
            raise self._fail(f"POST /predict of an obviously positive text answered {text[:150]}")
        report.uid = self.engine.docker("exec", self.name, "id", "-u").stdout.strip()
        if report.uid == "0":
            raise self._fail("the process runs as root (uid 0)")
        stats = self.engine.docker(
            "stats", "--no-stream", "--format", "{{.MemUsage}}", self.name, check=False
        )
        report.memory_used = stats.stdout.strip().split(" / ")[0]
        started = time.monotonic()
        grace = self.contract.grace_s
        self.engine.docker("stop", "--time", str(grace), self.name, timeout=grace + 30)
        report.stop_s = time.monotonic() - started
        state = self.state()
        if state.get("OOMKilled"):
            raise self._fail(f"the container was killed for exceeding {self.contract.memory}")
        report.exit_code = state["ExitCode"]
        if report.exit_code == 137 or report.stop_s >= grace:
            raise self._fail(
                f"SIGTERM did not stop it: it was killed after the {grace} s grace period. Is "
                "the server PID 1 (exec-form CMD, or `exec` in a shell CMD)?"
            )
        if report.exit_code not in (0, 143):  # 143 = 128 + SIGTERM: ended by the signal sent
            raise self._fail(
                f"after SIGTERM it exited {report.exit_code}: it crashed on the way out"
            )
        return report


def rehearse(
    engine: Engine, image: str, contract: Contract, prefix: str = "launchpad-rehearsal"
) -> Report:
    """Run `image` the way `contract` says its platform will, in a container named after the
    platform (`<prefix>-kubernetes`), and remove it again. RehearsalFailed names the first
    clause broken; a check turns it into feedback, a test into a failure."""
    name = f"{prefix}-{contract.platform.split()[0].lower()}"
    with Rehearsal(engine, image, contract, name) as rehearsal:
        return rehearsal.run()
