"""The learner's side of the classroom: `launchpad join`, then every check reports its verdict.

Opt-in: nothing is sent until the learner runs `launchpad join ADDRESS CODE NAME`, which writes
`workspace/.launchpad/classroom.json`; `launchpad leave` removes it. After that, `qN.check()`
appends one event (`launchpad.classroom.events`) to a queue file beside it and sends the queue
from a background thread, so a check never waits for the network. When the classroom cannot be
reached the queue stays and goes with the next check: none lost; the server stores each event id
once: none duplicated. Standard library only: the checks import this module.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from launchpad.classroom.events import MAX_EVENTS, make_event
from launchpad.paths import workspace_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows without WSL: one kernel at a time
    fcntl = None

TIMEOUT = 3.0


class JoinError(RuntimeError):
    """Joining failed; the message says why and what to do."""


def _folder() -> Path:
    return workspace_dir() / ".launchpad"


def config_path() -> Path:
    return _folder() / "classroom.json"


def queue_path() -> Path:
    return _folder() / "classroom-outbox.jsonl"


def joined() -> dict | None:
    try:
        return json.loads(config_path().read_text())
    except (OSError, ValueError):
        return None


def _post(url: str, payload: dict, headers: dict[str, str] | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
        return json.loads(reply.read())


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        return json.loads(error.read()).get("detail", "")
    except (ValueError, AttributeError, OSError):
        return ""


def join(address: str, code: str, name: str) -> str:
    """Join the classroom at `address`; one line that says what happened."""
    if not (address and code and name):
        raise JoinError(
            "Joining needs the classroom's address, its code and your name: "
            "make join ADDRESS=http://HOST:PORT CODE=ABC123 NAME='Your Name'"
        )
    parts = urllib.parse.urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise JoinError(f"{address!r} is not an address like http://192.168.1.20:8765")
    base = f"{parts.scheme}://{parts.netloc}"
    try:
        reply = _post(f"{base}/api/join", {"code": code, "name": name})
    except urllib.error.HTTPError as error:
        raise JoinError(f"The classroom refused: {_detail(error) or error.reason}.") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise JoinError(
            f"Could not reach the classroom at {base} ({reason}). Check the address the "
            "instructor shows, and that you are on the same network."
        ) from error
    config = {"address": base, "code": code, "name": reply["name"], "secret": reply["secret"]}
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(json.dumps(config, indent=2) + "\n")
    os.chmod(config_path(), 0o600)  # the secret identifies this learner to the classroom
    return (
        f"Joined the classroom at {base} as {reply['name']}. From now on each check sends its "
        "verdict (module, question, status, the feedback's first sentence, time), nothing else. "
        "`launchpad leave` stops it."
    )


def leave() -> str:
    config_path().unlink(missing_ok=True)
    queue_path().unlink(missing_ok=True)
    return "Left the classroom: checks send nothing any more."


@contextmanager
def _locked(name: str, wait: bool = True):
    """A lock shared by the learner's kernels: "queue" guards the queue file for a moment;
    "send" makes one sender at a time. Yields False if `wait` is off and it is taken."""
    lock = _folder() / f"classroom-{name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        if fcntl is None:
            yield True
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True


def _read_queue() -> list[dict]:
    try:
        lines = queue_path().read_text().splitlines()
    except FileNotFoundError:
        return []
    queued = []
    for line in lines:
        try:
            queued.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a crash mid-write: it was never complete
    return queued


def _write_queue(events: list[dict]) -> None:
    path = queue_path()
    if not events:
        path.unlink(missing_ok=True)
        return
    partial = path.with_suffix(".tmp")
    partial.write_text("".join(json.dumps(e) + "\n" for e in events))
    partial.replace(path)


@dataclass
class Sent:
    sent: int = 0
    kept: int = 0
    why: str = ""  # why some were kept, if any were


def flush() -> Sent:
    """Send the queue; keep what could not be sent, and say why. The queue is only locked for
    a moment at a time, so a check can add to it while this sends."""
    config = joined()
    if config is None:
        return Sent()
    with _locked("send", wait=False) as mine:
        if not mine:
            return Sent(why="another sender is at work; it sends what is queued")
        result, done = Sent(), set()
        while True:
            with _locked("queue"):
                pending = [e for e in _read_queue() if e.get("id") not in done]
            if not pending:
                break
            batch = pending[:MAX_EVENTS]
            try:
                _post(
                    f"{config['address']}/api/events",
                    {"secret": config["secret"], "events": batch},
                    {"X-Join-Code": config["code"]},
                )
            except urllib.error.HTTPError as error:
                result.why = f"the classroom answered {error.code}: {_detail(error)}"
                if error.code not in (400, 413, 422):
                    break  # refused for now (429, 403, 5xx): kept for the next check
                _set_aside(batch, result.why)  # can never be taken as it is: kept apart
            except (urllib.error.URLError, OSError, ValueError) as error:
                result.why = f"the classroom could not be reached ({error})"
                break
            else:
                result.sent += len(batch)
            done.update(e.get("id") for e in batch)
        with _locked("queue"):
            remaining = [e for e in _read_queue() if e.get("id") not in done]
            _write_queue(remaining)
        result.kept = len(remaining)
    return result


def _set_aside(batch: list[dict], why: str) -> None:
    with (_folder() / "classroom-refused.jsonl").open("a") as refused:
        for event in batch:
            refused.write(json.dumps({**event, "refused": why}) + "\n")


def report(module: str, question: str, status: str, message: str) -> threading.Thread | None:
    """Queue this verdict and send the queue in the background, if the learner joined.
    Never raises: the check's feedback matters more than the classroom's copy of it."""
    try:
        if joined() is None:
            return None
        event = make_event(module, question, status, message)
        with _locked("queue"), queue_path().open("a") as queue:
            queue.write(json.dumps(event) + "\n")
        sender = threading.Thread(target=_flush_quietly, name="launchpad-classroom", daemon=True)
        sender.start()
        return sender
    except Exception:  # a full disk or a read-only workspace: the check goes on
        return None


def _flush_quietly() -> None:
    with contextlib.suppress(Exception):  # the queue stays for the next check
        flush()
