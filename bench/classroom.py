"""Classroom load (`python bench/classroom.py`): how a room of learners loads the classroom app.

It starts `launchpad classroom` on 127.0.0.1 with a throwaway room, joins LEARNERS learners,
and has each send one event every INTERVAL seconds (a check every few seconds is already a busy
learner) for SECONDS, while the instructor's board is fetched every 2 s as the page does. It
prints the events stored per second, the request latencies, the board's latency at the end and
any refusals. A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from launchpad.classroom.events import make_event
from launchpad.net import free_port

QUESTIONS = [("00", "q1"), ("00", "q2"), ("01", "q1"), ("01", "q2"), ("01", "q3")]


def _post(url: str, body: dict, headers: dict | None = None) -> tuple[int, float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between events")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args(argv)

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "launchpad", "classroom", "--port", str(port)]
            + ["--db", str(Path(tmp) / "room.sqlite")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            text = ""
            while "Instructor's page" not in text:
                text += server.stdout.readline()
            code = re.search(r"Join code: (\S+)", text)[1]
            token = re.search(r"\?token=(\S+)", text)[1]
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/api/health", timeout=1).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            return _run(base, code, token, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _run(base: str, code: str, token: str, args) -> int:
    secrets = []
    for index in range(args.learners):
        request = urllib.request.Request(
            f"{base}/api/join",
            data=json.dumps({"code": code, "name": f"learner {index}"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            secrets.append(json.load(reply)["secret"])

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    board_times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def learner(secret: str, offset: int) -> None:
        time.sleep(offset * args.interval / args.learners)  # spread the room's checks out
        n = 0
        while time.monotonic() < stop:
            module, question = QUESTIONS[n % len(QUESTIONS)]
            status = "correct" if n % 3 == 2 else "incorrect"
            event = make_event(module, question, status, "Not yet: the second clause is wrong.")
            result, seconds = _post(
                f"{base}/api/events", {"secret": secret, "events": [event]}, {"X-Join-Code": code}
            )
            with lock:
                latencies.append(seconds)
                statuses[result] = statuses.get(result, 0) + 1
            n += 1
            time.sleep(args.interval)

    def instructor() -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            with urllib.request.urlopen(f"{base}/api/board?token={token}", timeout=10) as reply:
                reply.read()
            board_times.append(time.perf_counter() - started)
            time.sleep(2)

    threads = [threading.Thread(target=learner, args=(s, i)) for i, s in enumerate(secrets)]
    threads.append(threading.Thread(target=instructor))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    ms = sorted(s * 1000 for s in latencies)
    stored = statuses.get(200, 0)
    print(
        f"{args.learners} learners, one event each every {args.interval:g} s, "
        f"for {args.seconds:g} s on 127.0.0.1"
    )
    print(f"events stored: {stored} ({stored / elapsed:.1f}/s); statuses: {statuses}")
    print(
        f"event request latency: p50 {statistics.median(ms):.1f} ms, "
        f"p99 {ms[int(len(ms) * 0.99) - 1]:.1f} ms"
    )
    print(
        f"board (the instructor's page polls it every 2 s): median "
        f"{statistics.median(board_times) * 1000:.0f} ms, last {board_times[-1] * 1000:.0f} ms "
        f"with {stored} events"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
