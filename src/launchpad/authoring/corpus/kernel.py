"""One Jupyter kernel that the corpus runner drives cell by cell, with a time limit on each cell
and a way back after a case crashes the kernel or runs over: a new kernel that replays the
cells that built the state (never the cases), so the next case starts where it should."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.manager import KernelManager

SHOWN = {"stream", "display_data", "execute_result", "error"}  # what a learner sees in the cell


class KernelDied(RuntimeError):
    """The kernel process ended while a cell ran (a segfault, `os._exit`, out of memory)."""


class TimedOut(RuntimeError):
    """A cell ran over its time limit."""


class SetUpFailed(RuntimeError):
    """A cell that builds the state for the cases raised: the notebook itself is broken."""


@dataclass
class Execution:
    error: str = ""  # "ValueError: ..." if the cell raised
    output: str = ""  # what it printed (streams), for diagnostics
    expressions: dict[str, str] = field(default_factory=dict)  # user_expressions' plain text
    # The longest stretch in which the cell showed nothing, from its start to its end (issue 18:
    # a check that runs for long must say what it is doing as it goes).
    longest_silence: float = 0.0


@dataclass
class KernelSession:
    cwd: Path
    env: dict[str, str]
    sockets: Path  # a folder for the kernel's IPC sockets: local, no TCP port, no warning
    startup_timeout: float = 120.0
    state_timeout: float = 600.0
    replayed: list[str] = field(default_factory=list)  # the cells that built the state
    manager: KernelManager | None = None
    client: object = None

    def start(self) -> None:
        self.manager = KernelManager(
            kernel_name="python3", transport="ipc", ip=str(self.sockets / "kernel")
        )
        self.manager.start_kernel(cwd=str(self.cwd), env=self.env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=self.startup_timeout)

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None and self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)
        self.manager = self.client = None

    def restart(self) -> None:
        """A fresh kernel in the state the replayed cells build."""
        self.stop()
        self.start()
        for source in self.replayed:
            self._state(source)

    def state(self, source: str) -> Execution:
        """Run a cell that later cells build on; it is replayed after a restart."""
        self.replayed.append(source)
        return self._state(source)

    def _state(self, source: str) -> Execution:
        run = self.execute(source, self.state_timeout)
        if run.error:
            raise SetUpFailed(f"{run.error}\nin the cell:\n{source[:400]}\n{run.output[-2000:]}")
        return run

    def execute(
        self, source: str, timeout: float, expressions: dict[str, str] | None = None
    ) -> Execution:
        """Run `source`; raise TimedOut or KernelDied instead of waiting forever."""
        msg_id = self.client.execute(
            source, user_expressions=expressions or {}, allow_stdin=False, store_history=True
        )
        started = last_shown = time.monotonic()
        deadline = started + timeout
        run, reply, idle = Execution(), None, False
        while reply is None or not idle:
            if time.monotonic() > deadline:
                raise TimedOut(f"the cell ran over {timeout:g} s")
            try:
                message = self.client.get_iopub_msg(timeout=0.1)
            except Empty:
                if not self.manager.is_alive():
                    raise KernelDied("the kernel died") from None
            else:
                if message["parent_header"].get("msg_id") == msg_id:
                    idle = idle or _collect(run, message)
                    if message["msg_type"] in SHOWN:
                        now = time.monotonic()
                        run.longest_silence = max(run.longest_silence, now - last_shown)
                        last_shown = now
            if reply is None:
                reply = self._reply(msg_id)
        run.longest_silence = max(run.longest_silence, time.monotonic() - last_shown)
        content = reply["content"]
        if content["status"] == "error" and not run.error:
            run.error = f"{content.get('ename')}: {content.get('evalue')}"
        for name, value in content.get("user_expressions", {}).items():
            run.expressions[name] = value.get("data", {}).get("text/plain", "") or (
                f"{value.get('ename')}: {value.get('evalue')}"
            )
        return run

    def _reply(self, msg_id: str) -> dict | None:
        while True:
            try:
                message = self.client.get_shell_msg(timeout=0)
            except Empty:
                return None
            if message["parent_header"].get("msg_id") == msg_id:
                return message


def _collect(run: Execution, message: dict) -> bool:
    """Keep a cell's printed text and its error; True when the kernel is idle again."""
    kind, content = message["msg_type"], message["content"]
    if kind == "stream":
        run.output += content["text"]
    elif kind == "error":
        run.error = f"{content['ename']}: {content['evalue']}"
    return kind == "status" and content["execution_state"] == "idle"
