"""Rehearse a deployment locally: run the real image under the contract a descriptor states
(`rehearse(engine, image, contract)`, as module 05's check does).

The container gets no network at all (`--network none`): probes and requests are sent from
inside it with `docker exec`, to 127.0.0.1 on the port the descriptor names. So the port is
exactly the descriptor's, with no clash with anything listening on this machine. A platform
connects from outside the container (a kubelet to the pod's IP, Cloud Run's and Beanstalk's
proxies likewise), so the rehearsal also reads the container's own socket table: the port must
be bound on every address (0.0.0.0 or ::), not on 127.0.0.1 alone.

What is checked, in order: the startup (or first) probe answers 2xx within the descriptor's
budget (plus SLACK_S: this machine may be slower than the platform), and fails at once when the
answer cannot change: a 404 or 405 from a server that is up (no such path), nothing on the
probe's port while the server listens on another, an OOM kill; the port is bound on all
addresses; every probe answers 2xx; `POST /predict` answers a label; the process is not root;
PID 1 has a SIGTERM handler (the kernel drops the signal otherwise); then SIGTERM: the process
must exit by itself (0, or 143 for "ended by the SIGTERM it was sent"), not be OOM-killed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from launchpad.containers.engine import Engine
from launchpad.deploy.contract import Contract, cpu_count

# Sends one request from inside the container: the image's Python, no extra tools needed.
_REQUEST = """
import json, sys, urllib.request, urllib.error
url, body, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
data = body.encode() if body else None
request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=seconds) as reply:
        print(json.dumps([reply.status, reply.read().decode()]))
except urllib.error.HTTPError as error:
    print(json.dumps([error.code, error.read().decode()]))
except OSError as error:
    print(json.dumps([0, str(error)]))
"""


# This machine may be slower, or busier, than the platform: the rehearsal waits this much longer
# than a descriptor's probe budgets and grace period before it calls a clause broken. It judges
# what the container does (it gets ready, it handles SIGTERM), not how fast a laptop is; the
# report still shows the times measured.
SLACK_S = 60
PREDICT_TIMEOUT_S = 60


class RehearsalFailed(AssertionError):
    """The image broke the contract; the message says which clause, and the last log lines."""


class CalledOff(Exception):
    """A rehearsal stopped because another one, beside it, had already failed."""


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
        # Set when a rehearsal beside this one has failed: the verdict is known, stop waiting.
        self.called_off = threading.Event()

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
            *terms.process_args(),
        )
        return self

    def __exit__(self, *exc):
        self.engine.docker("rm", "--force", self.name, check=False)

    def _fail(self, clause: str) -> RehearsalFailed:
        logs = self.engine.docker("logs", self.name, check=False)
        tail = " | ".join((logs.stdout + logs.stderr).strip().splitlines()[-3:])
        said = f" Last log lines: {tail}" if tail else " It logged nothing."
        return RehearsalFailed(f"{self.contract.platform}: {clause}.{said}")

    def state(self) -> dict:
        return json.loads(self.engine.docker("inspect", self.name).stdout)[0]["State"]

    def request(
        self, path: str, port: int | None = None, body: str = "", seconds: float = 5
    ) -> tuple[int, str]:
        """One request from inside the container: (status, body); status 0 if none came back
        within `seconds`."""
        url = f"http://127.0.0.1:{port or self.contract.port}{path}"
        run = self.engine.docker(
            "exec", self.name, "python", "-c", _REQUEST, url, body, str(seconds),
            check=False, timeout=seconds + 30,
        )  # fmt: skip
        if run.returncode != 0:
            return 0, (run.stderr or run.stdout).strip()[-200:]
        status, text = json.loads(run.stdout)
        return status, text

    def _listening(self) -> dict[int, list[str]] | None:
        """{port: the addresses it listens on, as hex}, from the container's own socket table;
        None if the image cannot show it (no `cat`)."""
        run = self.engine.docker(
            "exec", self.name, "cat", "/proc/net/tcp", "/proc/net/tcp6", check=False
        )
        if run.returncode != 0 and not run.stdout:
            return None
        found: dict[int, list[str]] = {}
        for fields in (line.split() for line in run.stdout.splitlines()):
            if len(fields) > 3 and fields[3] == "0A" and ":" in fields[1]:  # 0A: LISTEN
                address, port = fields[1].rsplit(":", 1)
                found.setdefault(int(port, 16), []).append(address)
        return found

    def _check_bound_everywhere(self) -> None:
        """The port must listen on all addresses: platforms connect from outside the container."""
        listening = (self._listening() or {}).get(self.contract.port, [])
        if listening and not any(set(address) == {"0"} for address in listening):
            raise self._fail(
                f"port {self.contract.port} listens on 127.0.0.1 only: the platform connects "
                "from outside the container, so bind 0.0.0.0 (e.g. HOST=0.0.0.0 or "
                "uvicorn --host 0.0.0.0)"
            )

    def _refuse_unknown_path(self, kind: str, path: str, status: int) -> None:
        """A 404 comes from a server that is up and has no such route: waiting for the probe's
        budget would not change the answer, so the rehearsal stops at once."""
        if status in (404, 405):
            raise self._fail(
                f"the {kind} probe GET {path} answered {status}: the service is up but does "
                "not serve that path, so the platform would never see it ready"
            )

    def _refuse_other_port(self, kind: str, path: str, port: int, listening: list[int]) -> None:
        """Nothing listens on the probe's port, but the service listens on another one: it is
        up (a server binds once it has started), so waiting would not change the answer."""
        if listening and port not in listening:
            raise self._fail(
                f"the {kind} probe GET {path} on port {port} finds nothing listening there: the "
                f"service listens on {', '.join(map(str, listening))}, so the platform would "
                "never see it ready (the descriptor's port and the image's PORT must agree)"
            )

    def _pid1(self) -> tuple[str, bool] | None:
        """PID 1's name and whether it has a SIGTERM handler, from /proc/1/status inside the
        container (None if that cannot be read). The kernel drops a signal that the first
        process of a container has no handler for: a shell there never passes SIGTERM on."""
        run = self.engine.docker("exec", self.name, "cat", "/proc/1/status", check=False)
        fields = dict(line.split(":", 1) for line in run.stdout.splitlines() if ":" in line)
        if run.returncode != 0 or "SigCgt" not in fields:
            return None
        caught = int(fields["SigCgt"].strip(), 16)
        return fields.get("Name", "?").strip(), bool(caught >> (signal.SIGTERM - 1) & 1)

    def run(self) -> Report:
        report = Report(self.contract)
        probes = self.contract.probes
        first = probes[0] if probes else None
        path, port, budget = (first.path, first.port, first.budget_s) if first else ("/", None, 60)
        kind = first.kind if first else "first request"
        started = time.monotonic()
        while True:
            state = self.state()
            if state.get("OOMKilled"):
                raise self._fail(
                    f"the container was killed while starting for going over its memory limit "
                    f"({self.contract.memory}): the model and its libraries do not fit in it"
                )
            if not state["Running"]:
                raise self._fail("the container exited while starting")
            # No request before something listens: each one starts a Python in the container,
            # which would take CPU from the server that is still loading its model.
            listening = self._listening()
            status = 0
            if listening is None or listening:
                self._refuse_other_port(
                    kind, path, port or self.contract.port, sorted(listening or {})
                )
                status, _ = self.request(path, port)
            if 200 <= status < 300:
                break
            self._refuse_unknown_path(kind, path, status)
            if self.called_off.is_set():
                raise CalledOff(self.name)
            if time.monotonic() - started > budget + SLACK_S:
                raise self._fail(
                    f"the {kind} probe GET {path} on port {port or self.contract.port} got no 2xx "
                    f"within {budget + SLACK_S:.0f} s (the descriptor's budget of {budget:.0f} s, "
                    f"and {SLACK_S} s more for a machine slower than the platform; last answer: "
                    f"{status})"
                )
            time.sleep(0.5)
        report.ready_s = time.monotonic() - started
        self._check_bound_everywhere()
        # Readiness and liveness may be checked once the startup probe has passed.
        deadline = time.monotonic() + max((p.budget_s for p in probes), default=30) + SLACK_S
        for probe in probes:
            while not 200 <= (status := self.request(probe.path, probe.port)[0]) < 300:
                self._refuse_unknown_path(probe.kind, probe.path, status)
                if self.called_off.is_set():
                    raise CalledOff(self.name)
                if time.monotonic() > deadline:
                    raise self._fail(f"the {probe.kind} probe GET {probe.path} answered {status}")
                time.sleep(0.5)
        # A first prediction warms the model up: slow on a busy machine, as a platform's request
        # timeout allows (Cloud Run's default is 300 s).
        sentence = json.dumps({"text": "I loved this film."})
        status, text = self.request("/predict", body=sentence, seconds=PREDICT_TIMEOUT_S)
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
        grace = self.contract.grace_s
        pid1 = self._pid1()
        if pid1 and not pid1[1]:
            raise self._fail(
                f"SIGTERM would not stop it: PID 1 is `{pid1[0]}`, which has no SIGTERM handler, "
                "and the kernel drops a signal the first process of a container does not handle. "
                f"The platform would kill it after the {grace} s grace period, cutting off "
                "requests in flight"
            )
        started = time.monotonic()
        wait = grace + SLACK_S
        self.engine.docker("stop", "--time", str(wait), self.name, timeout=wait + 30)
        report.stop_s = time.monotonic() - started
        state = self.state()
        if state.get("OOMKilled"):
            raise self._fail(f"the container was killed for exceeding {self.contract.memory}")
        report.exit_code = state["ExitCode"]
        # 137 = 128 + SIGKILL: still running long after the grace period. The exit code, not
        # the time `docker stop` took, decides: on a busy machine a clean exit can end late.
        if report.exit_code == 137:
            raise self._fail(
                f"SIGTERM did not stop it: it was still running {wait} s later and was killed "
                f"(the platform waits {grace} s), so requests in flight would be cut off"
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
    return rehearse_side_by_side(engine, image, [contract], prefix)[0]


def rehearse_side_by_side(
    engine: Engine, image: str, contracts: list[Contract], prefix: str = "launchpad-rehearsal"
) -> list[Report]:
    """Rehearse several contracts at once, one container each: loading the model is most of a
    rehearsal, and a 2-core machine loads it in two 1-CPU containers in the time of one. The
    first failure raises RehearsalFailed, and calls the other rehearsals off."""
    rehearsals = [
        Rehearsal(engine, image, terms, f"{prefix}-{terms.platform.split()[0].lower()}")
        for terms in contracts
    ]
    with contextlib.ExitStack() as started, ThreadPoolExecutor(len(rehearsals)) as pool:
        for rehearsal in rehearsals:
            started.enter_context(rehearsal)
        running = [pool.submit(rehearsal.run) for rehearsal in rehearsals]
        for done in as_completed(running):
            failure = done.exception()
            if failure is not None:
                for rehearsal in rehearsals:
                    rehearsal.called_off.set()
                raise failure
        return [future.result() for future in running]
