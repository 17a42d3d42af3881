"""Small network helpers shared by checks and tests: all traffic stays on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class NotReady(RuntimeError):
    """The server died, or did not become ready in time; the message says which."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(
    base: str,
    timeout: float,
    died: Callable[[], str | None] = lambda: None,
    interval: float = 0.3,
    path: str = "/readyz",
) -> float:
    """Poll `base` + `path` (/readyz) until it answers 200; return the seconds it took.

    `died()` returns None while the server is alive, or why it is not (its last log lines).
    A readiness answer of `{"status": "failed", "detail": ...}` (the reference service's, when
    its model cannot load) ends the wait at once: it will not become ready by waiting."""
    import httpx

    started = time.monotonic()
    while True:
        try:
            answer = httpx.get(f"{base}{path}", timeout=2)
            if answer.status_code == 200:
                return time.monotonic() - started
            if (failed := _failed(answer)) is not None:
                raise NotReady(f"{path} says it failed: {failed}")
        except httpx.TransportError:
            pass
        if (reason := died()) is not None:
            raise NotReady(f"exited before it was ready: {reason}")
        if time.monotonic() - started > timeout:
            raise NotReady(f"{path} did not answer 200 within {timeout:.0f} s")
        time.sleep(interval)


def _failed(answer) -> str | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("status") == "failed":
        return str(body.get("detail", "no detail"))
    return None


@contextmanager
def ready_process(
    args: list[str],
    base: str,
    timeout: float,
    path: str = "/readyz",
    interval: float = 0.3,
    **popen,
) -> Iterator[subprocess.Popen]:
    """Start `args`, wait until `base` + `path` answers 200, yield the process, and stop it
    on exit (SIGTERM, then SIGKILL after 30 s). If it exits first, NotReady carries the end
    of its stderr."""
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, **popen)

    def died() -> str | None:
        return process.communicate()[1][-2000:] if process.poll() is not None else None

    try:
        wait_ready(base, timeout, died, interval=interval, path=path)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
