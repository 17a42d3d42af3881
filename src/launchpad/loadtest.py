"""Start the service as a real process and put a bounded load on it (module 06, `bench/`).

The load generator is closed-loop, like Locust's users: `concurrency` clients each send a
request, wait for the answer, and send the next, until `requests` have been sent in all. Every
request goes to 127.0.0.1 and the run is bounded in requests and in time.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from launchpad.net import free_port, wait_ready


# --8<-- [start:percentile]
def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value that at least q% of values do not
    exceed. p50 is the typical request; p99 is the slowest one in a hundred."""
    if not values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], not {q}")
    ordered = sorted(values)
    return ordered[math.ceil(q / 100 * len(ordered)) - 1]


# --8<-- [end:percentile]


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of answered requests, in seconds
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


async def _load(
    base: str, texts: Sequence[str], concurrency: int, requests: int, timeout: float
) -> LoadResult:
    result = LoadResult(concurrency, 0.0)
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:

        async def user() -> None:
            nonlocal sent
            while sent < requests:
                text = texts[sent % len(texts)]
                sent += 1
                started = time.perf_counter()
                reply = await client.post("/predict", json={"text": text})
                result.latencies.append(time.perf_counter() - started)
                result.statuses[reply.status_code] = result.statuses.get(reply.status_code, 0) + 1
                body = (
                    reply.json()
                    if reply.headers.get("content-type") == "application/json"
                    else None
                )
                result.answers.append((text, reply.status_code, body))
                if reply.status_code == 503:
                    result.retry_after.add(reply.headers.get("retry-after", "(missing)"))

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
def running_service(timeout: float = 120, **settings) -> Iterator[Service]:
    """`python -m sentiment_api` on a free port of 127.0.0.1, with `settings` as its
    environment (e.g. backend="onnx", batch_max_texts=1); stopped on exit."""
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "warning"}
    env.update({key.upper(): str(value) for key, value in settings.items()})
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "sentiment_api"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def died() -> str | None:
        return process.communicate()[1][-2000:] if process.poll() is not None else None

    try:
        wait_ready(
            base, timeout, lambda: process.communicate()[1][-2000:] if process.poll() else None
        )
        yield Service(base, process, time.monotonic() - started)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
