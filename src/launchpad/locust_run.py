"""Run a locustfile headless against 127.0.0.1 and read its CSV statistics back (module 06).

Locust runs as a subprocess (it patches the standard library for gevent when it is imported,
which a notebook's kernel must not suffer), bounded in time, with its configuration files and
`LOCUST_*` variables out of the way, so that only the arguments given here count. Locust itself
sends nothing anywhere but to `--host`: there is no telemetry or update check to turn off in
the version the course pins, and `--headless` opens no web interface. For good measure, plain
HTTP clients in the subprocess are pointed at a proxy that does not exist for any host but
127.0.0.1.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from launchpad.net import free_port

LOCUSTFILE = Path(__file__).parent / "locustfiles" / "sentiment.py"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


@dataclass
class LocustRun:
    """What one headless run wrote: the `Aggregated` rows of `_stats.csv` and
    `_stats_history.csv`, and the rows of `_failures.csv` and `_exceptions.csv`."""

    command: list[str]
    returncode: int | None  # None: stopped at the timeout
    output: str  # the end of Locust's own log (stderr) and stdout
    total: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    exceptions: list[dict[str, str]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return int(self.total.get("Request Count", 0))

    @property
    def failed(self) -> int:
        return int(self.total.get("Failure Count", 0))

    @property
    def throughput(self) -> float:
        """Requests per second over the whole run (Locust's `Requests/s`)."""
        return float(self.total.get("Requests/s", 0))

    def p(self, q: float) -> float:
        """Latency percentile in milliseconds, as Locust reports it (`50%`, `99%`, ...).
        Locust keeps response times rounded: to 1 ms below 100 ms, to 10 ms up to 1 s."""
        value = self.total.get(f"{q:g}%", "N/A")
        if value in ("", "N/A"):
            raise ValueError(f"no p{q:g} in this run: {self.requests} requests were made")
        return float(value)

    def timeline(self) -> list[dict[str, float]]:
        """One row per second of the run: seconds since the first row, users, requests/s in
        that second (from the running total), and p50/p99 over Locust's sliding window."""
        rows = [r for r in self.history if r.get("Total Request Count", "") != ""]
        out, previous = [], None
        for row in rows:
            at, total = float(row["Timestamp"]), int(row["Total Request Count"])
            if previous is not None and at > previous[0]:
                out.append(
                    {
                        "seconds": at - float(rows[0]["Timestamp"]),
                        "users": int(row["User Count"]),
                        "rps": (total - previous[1]) / (at - previous[0]),
                        "p50": _number(row.get("50%")),
                        "p99": _number(row.get("99%")),
                    }
                )
            previous = (at, total)
        return out


def _number(value: str | None) -> float:
    return float("nan") if value in (None, "", "N/A") else float(value)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def run(
    locustfile: str | Path,
    host: str,
    users: int,
    spawn_rate: float,
    seconds: int,
    user_classes: tuple[str, ...] = (),
    timeout: float | None = None,
    workdir: str | Path | None = None,
) -> LocustRun:
    """`locust --headless` for `seconds` with `users` users spawned at `spawn_rate` per second
    against `host` (on 127.0.0.1 only); stopped if it has not ended `timeout` seconds after it
    started (default: the run time plus 60 s). The CSV files go to `workdir` (default: a
    temporary folder, removed afterwards)."""
    address = urlsplit(host)
    if address.hostname not in LOCAL_HOSTS:
        raise ValueError(f"the course load-tests 127.0.0.1 only, not {host!r}")
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="launchpad-locust-") as tmp:
            return run(locustfile, host, users, spawn_rate, seconds, user_classes, timeout, tmp)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = workdir / "locust"
    command = [
        *(sys.executable, "-m", "locust", "-f", str(Path(locustfile).resolve())),
        *("--headless", "--only-summary", "--users", str(users)),
        *("--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s", "--host", host),
        *("--csv", str(prefix), "--loglevel", "WARNING"),
        *user_classes,
    ]
    dead_proxy = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env = {key: value for key, value in os.environ.items() if not key.startswith("LOCUST_")}
    env.update(
        HOME=str(workdir),  # no ~/.locust.conf
        HTTP_PROXY=dead_proxy,
        HTTPS_PROXY=dead_proxy,
        NO_PROXY=",".join(LOCAL_HOSTS),
    )
    try:
        # cwd: no ./locust.conf or ./pyproject.toml of someone else's is read as configuration.
        done = subprocess.run(
            command,
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout or seconds + 60,
        )
        returncode, output = done.returncode, done.stderr + done.stdout
    except subprocess.TimeoutExpired as error:
        returncode = None
        output = _text(error.stderr) + _text(error.stdout)
    stats = [r for r in _rows(workdir / "locust_stats.csv") if r.get("Name") == "Aggregated"]
    history = _rows(workdir / "locust_stats_history.csv")
    return LocustRun(
        command=command,
        returncode=returncode,
        output=output[-4000:],
        total=stats[0] if stats else {},
        history=[r for r in history if r.get("Name") == "Aggregated"],
        failures=_rows(workdir / "locust_failures.csv"),
        exceptions=_rows(workdir / "locust_exceptions.csv"),
    )


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""


def plot(result: LocustRun, title: str = "Locust, second by second"):
    """Requests/s and p50/p99 over the run, from `_stats_history.csv`, in the house style."""
    import matplotlib.pyplot as plt

    from launchpad import plots

    timeline = result.timeline()
    seconds = [row["seconds"] for row in timeline]
    with plots.style():
        figure, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
        left.plot(seconds, [row["rps"] for row in timeline], label="requests/s")
        left.set(title="Throughput", xlabel="seconds into the run", ylabel="requests/s")
        users = left.twinx()
        users.step(
            seconds,
            [row["users"] for row in timeline],
            where="post",
            color=plots.GREY,
            linestyle=":",
            linewidth=1,
        )
        users.set_ylabel("users (dotted)")
        users.set_ylim(bottom=0)
        users.grid(False)
        right.plot(seconds, [row["p50"] for row in timeline], label="p50", linestyle="--")
        right.plot(seconds, [row["p99"] for row in timeline], label="p99")
        right.set(title="Latency (last 10 s)", xlabel="seconds into the run", ylabel="milliseconds")
        right.legend(fontsize="small")
        for axes in (left, right):
            axes.set_ylim(bottom=0)
        figure.suptitle(title)
    return figure
