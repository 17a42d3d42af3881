"""Start the service as a real process and put a bounded load on it (module 06, `bench/`).

The load generator is closed-loop, like Locust's users: `concurrency` clients each send a
request, wait for the answer, and send the next, until `requests` have been sent in all. Every
request goes to 127.0.0.1 and the run is bounded in requests and in time.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from launchpad.net import free_port, ready_process


# --8<-- [start:percentile]
def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value that at least q% of values do not
    exceed. p50 is the typical request; p99 is the slowest one in a hundred."""
    if not values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], not {q}")
    ordered = sorted(values)
    # q * n first: q / 100 * n rounds 7 / 100 * 100 up to 7.000000000000001, one rank too far.
    return ordered[math.ceil(q * len(ordered) / 100) - 1]


# --8<-- [end:percentile]


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of 200s, in seconds
    statuses: dict[int, int] = field(default_factory=dict)
    answers: list[tuple[str, int, dict | None]] = field(default_factory=list)  # text, status, body
    retry_after: set[str] = field(default_factory=set)  # Retry-After values of 503s

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds

    def p(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        return percentile(self.latencies, q) * 1000


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends JSON POSTs. Deliberately minimal (like
    wrk or hey, not like a full client library): the load generator shares the machine's cores
    with the server, and every millisecond it spends is one the server does not get."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, payload: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, value in (line.split(":", 1) for line in head[1:] if line)
        )
        body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
        return int(head[0].split()[1]), headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _load(
    base: str, texts: Sequence[str], concurrency: int, requests: int, timeout: float
) -> LoadResult:
    address = urlsplit(base)
    result = LoadResult(concurrency, 0.0)
    sent = 0

    async def user() -> None:
        nonlocal sent
        connection = _Connection(address.hostname, address.port)
        try:
            while sent < requests:
                text = texts[sent % len(texts)]
                sent += 1
                started = time.perf_counter()
                status, headers, body = await connection.post(
                    "/predict", json.dumps({"text": text}).encode()
                )
                if status == 200:  # a fast refusal is not a fast answer
                    result.latencies.append(time.perf_counter() - started)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.answers.append((text, status, json.loads(body) if body else None))
                if status == 503:
                    result.retry_after.add(headers.get("retry-after", "(missing)"))
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(user() for _ in range(concurrency))), timeout)
    result.seconds = time.perf_counter() - started
    return result


def load(
    base: str,
    texts: Sequence[str],
    concurrency: int,
    requests: int,
    timeout: float = 120,
) -> LoadResult:
    """Send `requests` POST /predict requests from `concurrency` concurrent clients."""
    return asyncio.run(_load(base, texts, concurrency, requests, timeout))


@dataclass
class Service:
    base: str
    process: subprocess.Popen
    cold_start_s: float  # process start to the first 200 from /readyz


@contextmanager
def running_service(timeout: float = 120, logs: bool = False, **settings) -> Iterator[Service]:
    """`python -m sentiment_api` on a free port of 127.0.0.1, with `settings` as its
    environment (e.g. backend="onnx", batch_max_texts=1); stopped on exit. With `logs`, its
    JSON log lines stay readable on `process.stdout`; otherwise they are discarded. It serves
    the course model (or its ONNX export) unless `model_dir` or `model_uri` says otherwise:
    the service itself knows nothing of the course."""
    if "model_uri" not in settings:
        from launchpad.model.onnx_export import model_dir_for

        settings.setdefault("model_dir", model_dir_for(settings.get("backend", "torch")))
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "warning"}
    env.update({key.upper(): str(value) for key, value in settings.items()})
    started = time.monotonic()
    base = f"http://127.0.0.1:{port}"
    with ready_process(
        [sys.executable, "-m", "sentiment_api"],
        base,
        timeout,
        interval=0.02,
        env=env,
        stdout=subprocess.PIPE if logs else subprocess.DEVNULL,
    ) as process:
        yield Service(base, process, time.monotonic() - started)
