"""A real Prometheus server for the course's tests and lessons (module 07).

It runs Debian's `prometheus` package (installed with apt-get if it is missing), on 127.0.0.1,
with the repository's scrape config pointed at the service under test and a one-second scrape
interval, its data in a temporary folder. Queries go through Prometheus' HTTP API.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

from launchpad.net import NotReady, free_port, ready_process
from launchpad.paths import REPO_ROOT
from launchpad.tools import ToolError, debian_binary

SCRAPE_CONFIG = REPO_ROOT / "deploy" / "monitoring" / "prometheus.yml"


class PrometheusError(RuntimeError):
    """Prometheus could not be installed, started or queried; the message says why."""


def prometheus_binary() -> str:
    try:
        return debian_binary(
            "prometheus",
            "prometheus",
            "install Debian's `prometheus` package (`brew install prometheus` on macOS), or"
            " download it from the Prometheus project's release page.",
        )
    except ToolError as error:
        raise PrometheusError(str(error)) from error


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `promtool` (from the same Debian package as Prometheus) in `cwd`."""
    prometheus_binary()  # installs the package, promtool included, if it is missing
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def scrape_config(target: str, interval_s: int = 1, source: Path = SCRAPE_CONFIG) -> dict:
    """The repository's scrape config with `target` (host:port) and a short interval."""
    config = yaml.safe_load(source.read_text())
    config["global"]["scrape_interval"] = f"{interval_s}s"
    config["global"]["evaluation_interval"] = f"{interval_s}s"
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            static["targets"] = [target]
    return config


class Prometheus:
    """A running server: `base` is its URL; `query` runs an instant PromQL query."""

    def __init__(self, base: str, process: subprocess.Popen):
        self.base, self.process = base, process

    def query(self, promql: str) -> list[dict]:
        reply = httpx.get(f"{self.base}/api/v1/query", params={"query": promql}, timeout=10)
        body = reply.json()
        if body.get("status") != "success":
            raise PrometheusError(f"{promql!r}: {body.get('error', reply.text[:300])}")
        return body["data"]["result"]

    def value(self, promql: str) -> float | None:
        """The single value of a query that returns one series, or None if it returns none."""
        result = self.query(promql)
        if not result:
            return None
        if len(result) > 1:
            raise PrometheusError(f"{promql!r} returned {len(result)} series, not one")
        return float(result[0]["value"][1])

    def wait_for(self, promql: str, expected: float, timeout: float = 30) -> float | None:
        """Poll until `promql` equals `expected` (scrapes are periodic); the last value seen."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.value(promql)
            if seen == expected or time.monotonic() > deadline:
                return seen
            time.sleep(0.5)


@contextmanager
def running_prometheus(target: str, source: Path = SCRAPE_CONFIG) -> Iterator[Prometheus]:
    """Prometheus scraping `target` (host:port on 127.0.0.1) every second; stopped on exit."""
    binary = prometheus_binary()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="launchpad-prometheus-") as folder:
        config = Path(folder) / "prometheus.yml"
        config.write_text(yaml.safe_dump(scrape_config(target, source=source)))
        base = f"http://127.0.0.1:{port}"
        args = [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder}/data",
            f"--web.listen-address=127.0.0.1:{port}",
        ]
        try:
            with ready_process(
                args, base, 60, path="/-/ready", interval=0.2, stdout=subprocess.DEVNULL
            ) as process:
                yield Prometheus(base, process)
        except NotReady as error:
            raise PrometheusError(f"Prometheus did not start: {error}") from error


class JsonLogs:
    """The JSON lines a service writes to a pipe (`running_service(logs=True)`), parsed as they
    arrive by a background thread, which also keeps the pipe from filling up: a service whose
    log pipe is full blocks on its next log line."""

    def __init__(self, stream):
        self.entries: list[dict] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True, name="logs").start()

    def _read(self, stream) -> None:
        for line in stream:
            try:
                entry = json.loads(line)
            except ValueError:  # a line that is not JSON (a crash before logging was set up)
                entry = {"message": line.rstrip("\n")}
            self.entries.append(entry if isinstance(entry, dict) else {"message": entry})

    def find(self, request_id: str, timeout: float = 5) -> list[dict]:
        """The lines of one request. Its access line is written once the response has gone,
        so this waits up to `timeout` seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.entries if e.get("request_id") == request_id]
            if any(e.get("message") == "request" for e in found) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)
