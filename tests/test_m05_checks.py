"""Module 05's rehearsal decides on what the container did, not on how busy this machine is:
a probe path the service does not have fails at once, a container the memory limit kills is
named as such, and SIGTERM is judged by the exit code. A scripted engine plays the container, so
these run without Docker (tests/container/test_rehearsal.py runs the real image)."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from launchpad.deploy import contract, rehearse
from launchpad.deploy.contract import Contract, Probe
from launchpad.deploy.rehearse import Rehearsal, RehearsalFailed, rehearse_side_by_side

# /proc/net/tcp with one socket listening (state 0A) on 0.0.0.0, at a port in hex.
LISTENING = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
    "   0: 00000000:{port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001\n"
)


class ScriptedEngine:
    """Answers `docker` calls as a container would: `probe` gives each request's status,
    `state` the container's state, `exit_code` what `docker stop` leaves, `pid1` and `tcp` what
    /proc/1/status and /proc/net/tcp say inside it."""

    def __init__(self, probe=lambda path: 200, state=None, exit_code=0, pid1="", tcp=None):
        self.probe, self.exit_code, self.pid1 = probe, exit_code, pid1
        self.tcp = LISTENING.format(port="1F90") if tcp is None else tcp  # 8080 by default
        self.start_state = state or {"Running": True, "OOMKilled": False}
        self.states: dict[str, dict] = {}  # per container, by name
        self.calls: list[tuple[str, ...]] = []

    def docker(self, *args, check=True, timeout=None):
        self.calls.append(args)
        out = ""
        if args[0] == "inspect":
            out = json.dumps([{"State": self.states.setdefault(args[1], self.start_state)}])
        elif args[0] == "exec" and "-c" in args:  # a request sent from inside the container
            url = args[args.index("-c") + 2]
            path = "/" + url.split("/", 3)[3]
            status = self.probe(path)
            body = json.dumps({"label": "POSITIVE"}) if path == "/predict" else "{}"
            out = json.dumps([status, body])
        elif args[2:] == ("id", "-u"):
            out = "10001\n"
        elif args[2:] == ("cat", "/proc/1/status"):
            out = self.pid1
        elif args[2:4] == ("cat", "/proc/net/tcp"):
            out = self.tcp
        elif args[0] == "stop":
            self.states[args[-1]] = {
                "Running": False,
                "OOMKilled": False,
                "ExitCode": self.exit_code,
            }
        return subprocess.CompletedProcess(args, 0, stdout=out, stderr="")


def _contract(**changes) -> Contract:
    terms = {
        "platform": "Cloud Run",
        "source": "cloudrun.yaml",
        "port": 8080,
        "memory": "1Gi",
        "grace_s": 10,
        "probes": (Probe("startup", "/readyz", 8080, 60),),
    }
    return Contract(**{**terms, **changes})


def _rehearse(engine, terms):
    with Rehearsal(engine, "sha256:image", terms, "rehearsal-test") as rehearsal:
        return rehearsal.run()


def test_a_probe_path_the_service_does_not_have_fails_at_once():
    engine = ScriptedEngine(probe=lambda path: 404 if path == "/ready" else 200)
    started = time.monotonic()
    with pytest.raises(RehearsalFailed, match=r"startup probe GET /ready answered 404"):
        _rehearse(engine, _contract(probes=(Probe("startup", "/ready", 8080, 60),)))
    assert time.monotonic() - started < 5  # not the probe's 60-second budget


def test_a_container_killed_by_its_memory_limit_is_named_as_such():
    engine = ScriptedEngine(state={"Running": False, "OOMKilled": True, "ExitCode": 137})
    with pytest.raises(RehearsalFailed, match=r"killed while starting for going over its memory"):
        _rehearse(engine, _contract(memory="96Mi"))


def test_a_clean_exit_passes_however_long_docker_stop_took():
    # grace 0: any `docker stop` takes at least that long, as a slow one did on a busy machine
    report = _rehearse(ScriptedEngine(exit_code=0), _contract(grace_s=0))
    assert report.exit_code == 0 and report.label == "POSITIVE"


def test_a_process_still_running_after_the_grace_period_is_refused():
    with pytest.raises(RehearsalFailed, match="SIGTERM did not stop it"):
        _rehearse(ScriptedEngine(exit_code=137), _contract())


# /proc/1/status as the kernel writes it: SigCgt is the mask of signals with a handler.
SHELL = "Name:\tsh\nPid:\t1\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000010002\n"
UVICORN = "Name:\tuvicorn\nPid:\t1\nSigIgn:\t0000000001001000\nSigCgt:\t0000000180004002\n"
ON_8000 = LISTENING.format(port="1F40")


def test_a_shell_as_pid_1_is_refused_before_any_grace_period_is_waited_out():
    engine = ScriptedEngine(pid1=SHELL, exit_code=137)
    with pytest.raises(RehearsalFailed, match="PID 1 is `sh`, which has no SIGTERM handler"):
        _rehearse(engine, _contract())
    assert not any(call[0] == "stop" for call in engine.calls)


def test_a_server_with_a_sigterm_handler_as_pid_1_is_stopped():
    assert _rehearse(ScriptedEngine(pid1=UVICORN), _contract()).exit_code == 0


def test_a_probe_on_another_port_than_the_server_fails_at_once():
    engine = ScriptedEngine(probe=lambda path: 0, tcp=ON_8000)
    started = time.monotonic()
    with pytest.raises(
        RehearsalFailed, match="finds nothing listening there: the service listens on 8000"
    ):
        _rehearse(engine, _contract())
    assert time.monotonic() - started < 5


def test_side_by_side_the_first_failure_calls_the_other_rehearsal_off():
    # Cloud Run's container is still loading (503) when Kubernetes' probe finds no such path.
    engine = ScriptedEngine(probe=lambda path: {"/ready": 404, "/readyz": 503}[path])
    loading = _contract()
    wrong_path = _contract(platform="Kubernetes", probes=(Probe("startup", "/ready", 8080, 60),))
    started = time.monotonic()
    with pytest.raises(
        RehearsalFailed, match=r"^Kubernetes: the startup probe GET /ready answered"
    ):
        rehearse_side_by_side(engine, "sha256:image", [loading, wrong_path], "rehearsal-test")
    assert time.monotonic() - started < 10  # not Cloud Run's budget of 60 s and more
    removed = {call[-1] for call in engine.calls if call[:2] == ("rm", "--force")}
    assert removed == {"rehearsal-test-cloud", "rehearsal-test-kubernetes"}


def test_side_by_side_reports_come_back_in_the_order_given():
    kinds = [_contract(), _contract(platform="Kubernetes")]
    reports = rehearse_side_by_side(ScriptedEngine(), "sha256:image", kinds, "rehearsal-test")
    assert [r.contract.platform for r in reports] == ["Cloud Run", "Kubernetes"]


def test_the_descriptors_command_and_args_are_what_the_rehearsal_runs(tmp_path):
    path = tmp_path / "k8s.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: api\n          ports: [{containerPort: 8080}]\n"
        '          env: [{name: PORT, value: "8080"}]\n'
        '          command: ["sh", "-c"]\n'
        '          args: ["exec uvicorn api.main:app --port $(PORT) --host 0.0.0.0"]\n'
    )
    terms = contract.from_kubernetes(path)
    assert "--entrypoint=sh" in terms.docker_run_args()
    assert terms.process_args() == ["-c", "exec uvicorn api.main:app --port 8080 --host 0.0.0.0"]
    engine = ScriptedEngine()
    _rehearse(engine, terms)
    [run] = [call for call in engine.calls if call[0] == "run"]
    assert run[-3:] == ("sha256:image", *terms.process_args())


def test_without_command_or_args_the_image_runs_its_own_cmd(tmp_path):
    terms = _contract()
    assert terms.process_args() == [] and not any(
        a.startswith("--entrypoint") for a in terms.docker_run_args()
    )


def test_no_request_is_sent_before_the_server_listens(monkeypatch):
    # Each request starts a Python in the container: none while the model is still loading.
    monkeypatch.setattr(rehearse, "SLACK_S", 1)
    engine = ScriptedEngine(tcp="")
    with pytest.raises(RehearsalFailed, match=r"got no 2xx within 2 s \(the descriptor's budget"):
        _rehearse(engine, _contract(probes=(Probe("startup", "/readyz", 8080, 1),)))
    assert not [call for call in engine.calls if "python" in call]
