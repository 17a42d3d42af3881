"""Serving benchmark (`make bench`): what micro-batching and ONNX int8 buy, side by side.

On 127.0.0.1, with the same inputs throughout, it starts three setups once, each a real
`python -m sentiment_api` process: naive serving (one request, one forward pass, PyTorch),
micro-batched PyTorch and micro-batched ONNX int8. Then it measures in rounds, interleaved:
round 1 is the ceilings (offline batched throughput of PyTorch fp32 and ONNX int8, the best a
server that adds nothing could reach), then each setup's served throughput and p50/p99 latency
at concurrency 1, 8 and 32 under a closed-loop async client; round 2 is the same; and so on.
Interleaving puts a passing disturbance into one round, where the spread shows it, instead of
into one setup's only measurement.

Every figure is reported as the median of its rounds and its spread, (max - min) / median: how
far the rounds disagree, as a share of the typical value. A ratio (served over its ceiling, a
setup over naive) is printed only when it can be believed; the bench says why not instead when
a served figure beats its own ceiling (then that ceiling was measured while something else had
the cores: a past run printed a PyTorch ceiling of 12 texts/s and "707% of ceiling") or when
either figure's rounds disagree by more than 25%.

A measurement sends --requests requests, or fewer when its warm-up says they would take longer
than --budget seconds: a busy machine still finishes, and says what its figures are worth.

It writes the rounds, medians, spreads and ratios to serving.json and a plot of throughput and
p99 against concurrency to serving.png (in build/bench/ unless --out says otherwise), and ends
with cold starts and image sizes. This is a benchmark, not a test: it never fails on a figure
(only when a measurement cannot finish within --timeout, and then it says so).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import itertools
import json
import math
import os
import resource
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from launchpad.loadtest import load, running_service
from launchpad.model.build import split
from launchpad.model.data import load_ratings
from launchpad.model.onnx_export import model_dir_for
from sentiment_api.backends import backend_class

CONCURRENCY = (1, 8, 32)
SPREAD_LIMIT = 0.25  # rounds that disagree by more than this give no ratio
MIN_ROUNDS = 3  # fewer, and the median is just one of two noisy figures
OUT = Path("build/bench")


@dataclass(frozen=True)
class Config:
    name: str
    backend: str
    batch_max_texts: int


CONFIGS = (
    Config("naive PyTorch", "torch", 1),
    Config("micro-batched PyTorch", "torch", 32),
    Config("micro-batched ONNX int8", "onnx", 32),
)
RUNTIMES = {"torch": "PyTorch fp32", "onnx": "ONNX Runtime int8"}


def number(value: float) -> str:
    """Three significant digits, without an exponent: 0.52, 4.1, 182, 1234."""
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def clients(n: int) -> str:
    return f"{n} client" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Figure:
    """One quantity measured once per round, e.g. a setup's throughput at 8 clients."""

    name: str
    unit: str
    rounds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    @property
    def spread(self) -> float:
        """(max - min) / median: how far the rounds disagree, as a share of the median."""
        return (max(self.rounds) - min(self.rounds)) / self.median if self.median else math.inf

    def listed(self) -> str:
        return ", ".join(number(value) for value in self.rounds) + f" {self.unit}"

    def as_json(self) -> dict:
        rounds, median, spread = list(self.rounds), self.median, self.spread
        return {"unit": self.unit, "rounds": rounds, "median": median, "spread": spread}


def disagreement(figure: Figure) -> str | None:
    """Why `figure`'s median cannot be relied on, or None if its rounds agree."""
    if figure.spread > SPREAD_LIMIT:
        return (
            f"the rounds of {figure.name} disagree by {figure.spread:.0%} "
            f"({figure.listed()}), more than {SPREAD_LIMIT:.0%}"
        )
    return None


def why_no_ratio(served: Figure, base: Figure, base_is_ceiling: bool) -> str | None:
    """Why the ratio of medians served / base cannot be believed, or None if it can. A ceiling
    is the most its runtime can do with no server in the way: a served figure above it means
    the ceiling was measured while something else had the cores. (Under its ceiling in every
    round, a served figure is under it at the median too.)"""
    if base_is_ceiling:
        for round_, (got, most) in enumerate(zip(served.rounds, base.rounds, strict=True), 1):
            if got > most:
                return (
                    f"in round {round_}, {served.name} ({number(got)} {served.unit}) beat "
                    f"{base.name} ({number(most)} {base.unit}), so that ceiling was not one"
                )
    return disagreement(served) or disagreement(base)


@dataclass(frozen=True)
class Ratio:
    setup: str
    concurrency: int
    of: str  # "ceiling" or "naive"
    value: float | None  # served median / base median, None when it cannot be believed
    cannot: str | None  # why not

    @classmethod
    def of_figures(cls, setup: str, concurrency: int, of: str, served: Figure, base: Figure):
        reason = why_no_ratio(served, base, base_is_ceiling=of == "ceiling")
        value = None if reason else served.median / base.median
        return cls(setup, concurrency, of, value, reason)

    def text(self) -> str:
        if self.of == "ceiling":
            if self.cannot:
                return f"cannot give its share of its ceiling: {self.cannot}"
            return f"{self.value:.0%} of its ceiling"
        if self.cannot:
            return f"cannot compare it with naive: {self.cannot}"
        return f"{self.value:.1f}x naive"


class OthersLoad:
    """How much CPU other programs took while the bench ran: every core's busy time in
    /proc/stat less this process's and the services'. Linux only (None elsewhere)."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float] | None:
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
            ours = 0
            for pid in self.pids:  # utime and stime: fields 14 and 15, after the (name)
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ours += int(stat[11]) + int(stat[12])
        except (OSError, ValueError):
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / ticks  # all but idle and iowait
        me = resource.getrusage(resource.RUSAGE_SELF)
        return time.monotonic(), busy, ours / ticks + me.ru_utime + me.ru_stime

    def cores(self) -> float | None:
        """Cores' worth of CPU used by other programs since the start, on average."""
        end = self._sample()
        if self.start is None or end is None:
            return None
        (t0, busy0, ours0), (t1, busy1, ours1) = self.start, end
        return max(0.0, (busy1 - busy0) - (ours1 - ours0)) / (t1 - t0)


def others_said(cores: float | None) -> str:
    if cores is None:
        return "other programs' share of the cores is unknown (no /proc/stat here)"
    return f"other programs used {cores:.1f} of this machine's {os.cpu_count()} cores on average"


def bench_texts(count: int = 512) -> list[str]:
    """Real review snippets (held-out movies), the same for every measurement."""
    _, sets = split(load_ratings())
    return [e.text for e in sets["movies"]][:count]


def ceiling(model, texts: list[str], batch_size: int, seconds: float) -> float:
    """Texts per second when the model is fed full batches back to back, with no server, for
    about `seconds` (the clock is read after every batch: on a busy machine one pass over all
    the texts can take minutes)."""
    model.predict(texts[:batch_size])  # warm-up
    batches = itertools.cycle(range(0, len(texts), batch_size))
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        start = next(batches)
        done += len(model.predict(texts[start : start + batch_size]))
    return done / (time.perf_counter() - started)


def image_sizes(folders: dict[str, Path]) -> dict[str, str]:
    """Sizes of the two images, built (or found cached) by a Docker engine, if there is one;
    `folders` holds the model folder each backend serves."""
    try:
        from launchpad.containers import engine as engines
        from launchpad.containers import image as images

        docker = engines.find_or_start()
    except Exception as error:  # no engine here: say so, measure the rest
        return {"(no Docker engine)": str(error).splitlines()[0]}
    sizes = {}
    try:
        for variant in (images.TORCH, images.ONNX):
            images.build(docker, folders[variant.backend], variant)
            info = json.loads(docker.docker("image", "inspect", variant.tag).stdout)[0]
            sizes[variant.tag] = f"{info['Size'] / 1e9:.2f} GB"
    finally:
        docker.stop()
    return sizes


def plot(ceilings: dict[str, Figure], served: dict, title: str, path: Path) -> None:
    """Served throughput and p99 against concurrency, one line per setup at the medians, bars
    from the lowest round to the highest; the ceilings as bands (lowest to highest round)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as Canvas

    from launchpad.plots import COLOURS, style

    colours = dict(zip((c.name for c in CONFIGS), COLOURS, strict=False))
    with style():
        figure = Canvas(figsize=(10, 4.2))
        FigureCanvasAgg(figure)
        throughput, p99 = figure.subplots(1, 2)
        for backend, runtime in RUNTIMES.items():
            colour = colours[next(c.name for c in CONFIGS[1:] if c.backend == backend)]
            c = ceilings[backend]
            throughput.axhspan(min(c.rounds), max(c.rounds), color=colour, alpha=0.15, lw=0)
            throughput.axhline(c.median, color=colour, linestyle=":", linewidth=1.5)
            throughput.annotate(
                f"{runtime} ceiling",
                (0, c.median),  # at the left, where served figures are furthest below it
                xycoords=("axes fraction", "data"),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize="small",
                color=colour,
            )
        for shift, config in zip((-0.1, 0, 0.1), CONFIGS, strict=True):
            # Each setup a little aside on the log axis, so that the bars do not hide each other.
            at = [n * 2**shift for n in CONCURRENCY]
            for axes, key in ((throughput, "throughput"), (p99, "p99_ms")):
                figures = [served[config.name, n][key] for n in CONCURRENCY]
                medians = [f.median for f in figures]
                axes.errorbar(
                    at,
                    medians,
                    yerr=[
                        [m - min(f.rounds) for m, f in zip(medians, figures, strict=True)],
                        [max(f.rounds) - m for m, f in zip(medians, figures, strict=True)],
                    ],
                    color=colours[config.name],
                    marker="o",
                    capsize=4,
                    label=config.name,
                )
        for axes in (throughput, p99):
            axes.set_xscale("log", base=2)
            axes.set_xticks(CONCURRENCY, [str(n) for n in CONCURRENCY])
            axes.set_xlabel("concurrent clients")
        throughput.set_ylim(bottom=0)
        throughput.set_ylabel("served throughput (requests/s)")
        p99.set_yscale("log")
        p99.set_ylabel("p99 latency (ms, log scale)")
        figure.legend(*p99.get_legend_handles_labels(), loc="outside lower center", ncols=3)
        figure.suptitle(title, fontsize="medium")
        figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help=f"at least {MIN_ROUNDS}")
    parser.add_argument("--requests", type=int, default=600, help="per measurement")
    parser.add_argument("--seconds", type=float, default=5, help="per ceiling measurement")
    parser.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="INFERENCE_THREADS for every configuration (default: the cores this process may use;"
        " one forward pass runs at a time, so it may use them all)",
    )
    parser.add_argument("--wait-ms", type=float, help="BATCH_MAX_WAIT_MS (default: the service's)")
    parser.add_argument(
        "--budget",
        type=float,
        default=30,
        help="seconds a measurement should take at most: fewer requests if the warm-up is slower",
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds per measurement before giving up"
    )
    parser.add_argument("--no-images", action="store_true", help="skip the image sizes")
    parser.add_argument("--out", type=Path, default=OUT, help="for serving.json and serving.png")
    args = parser.parse_args(argv)
    if args.rounds < MIN_ROUNDS:
        parser.error(f"--rounds must be at least {MIN_ROUNDS}: a median of fewer means little")

    # `kill` (or a test's timeout) stops the services too: SystemExit unwinds their contexts.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    texts = bench_texts()
    folders = {backend: model_dir_for(backend) for backend in RUNTIMES}
    wait = "the service's default" if args.wait_ms is None else f"{args.wait_ms:g} ms"
    print(
        f"{len(texts)} review snippets; {args.rounds} rounds; {args.requests} requests per "
        f"measurement; INFERENCE_THREADS={args.threads}; batch wait: {wait}\n"
        f"Spread: (max - min) / median over the rounds. A ratio is given only if no served figure"
        f" beat its ceiling and every figure in it has a spread of at most {SPREAD_LIMIT:.0%}.\n",
        flush=True,
    )
    models = {b: backend_class(b)(folders[b], threads=args.threads) for b in RUNTIMES}
    measured: dict[tuple, list[float]] = {}  # (what, ...) -> one value per round
    statuses: dict[tuple[str, int], dict[int, int]] = {}
    cold: dict[str, float] = {}
    with contextlib.ExitStack() as services:
        bases, pids = {}, []
        for config in CONFIGS:  # one after the other, so that cold starts do not overlap
            service = services.enter_context(
                running_service(
                    model_dir=folders[config.backend],
                    backend=config.backend,
                    batch_max_texts=config.batch_max_texts,
                    inference_threads=args.threads,
                    queue_max_requests=256,
                    **({} if args.wait_ms is None else {"batch_max_wait_ms": args.wait_ms}),
                )
            )
            bases[config.name], cold[config.name] = service.base, service.cold_start_s
            pids.append(service.process.pid)
        # Round 1's ceilings ran 20-30% under the later rounds' on a quiet machine (the services
        # had just started): each runtime warms up first, uncounted.
        for backend in RUNTIMES:
            ceiling(models[backend], texts, 32, args.seconds)
        meter = OthersLoad(pids)
        for number in range(1, args.rounds + 1):
            print(f"Round {number} of {args.rounds}\n   ceilings (texts/s):", end="", flush=True)
            for backend, runtime in RUNTIMES.items():
                value = ceiling(models[backend], texts, 32, args.seconds)
                measured.setdefault(("ceiling", backend), []).append(value)
                print(f"  {runtime} {value:.0f}", end="", flush=True)
            for config in CONFIGS:
                print(f"\n   {config.name:<26} req/s at 1, 8, 32 clients:", end="", flush=True)
                for n in CONCURRENCY:
                    try:
                        warm = load(
                            bases[config.name], texts, n, min(64, args.requests), args.timeout
                        )
                        # As many requests as asked, unless the warm-up says they would take
                        # longer than --budget: a busy machine then still finishes, and the
                        # spread of its rounds says what its figures are worth.
                        requests = min(args.requests, max(64, round(warm.throughput * args.budget)))
                        result = load(bases[config.name], texts, n, requests, args.timeout)
                    except TimeoutError:  # a machine this busy gives no figure worth keeping
                        sys.exit(
                            f"\n\nCannot measure: a load test of {config.name} at {clients(n)} "
                            f"did not finish within {args.timeout:g} s in round {number}; "
                            f"{others_said(meter.cores())}. Nothing was written: run it again "
                            "on a quieter machine."
                        )
                    tally = statuses.setdefault((config.name, n), {})
                    for status, count in result.statuses.items():
                        tally[status] = tally.get(status, 0) + count
                    if not result.ok:
                        sys.exit(f"\n{config.name} at {clients(n)} answered no request: {tally}")
                    for what, value in (
                        ("throughput", result.throughput),
                        ("p50_ms", result.p(50)),
                        ("p99_ms", result.p(99)),
                    ):
                        measured.setdefault((what, config.name, n), []).append(value)
                    measured.setdefault(("requests", config.name, n), []).append(requests)
                    fewer = f" ({requests} requests)" if requests < args.requests else ""
                    print(f" {result.throughput:.0f}{fewer}", end="", flush=True)
            print("\n", flush=True)
        others_cores = meter.cores()

    ceilings = {
        b: Figure(f"the {runtime} ceiling", "texts/s", tuple(measured["ceiling", b]))
        for b, runtime in RUNTIMES.items()
    }
    served = {
        (c.name, n): {
            what: Figure(
                f"{c.name} at {clients(n)}{suffix}", unit, tuple(measured[what, c.name, n])
            )
            for what, suffix, unit in (
                ("throughput", "", "req/s"),
                ("p50_ms", " (p50)", "ms"),
                ("p99_ms", " (p99)", "ms"),
            )
        }
        for c in CONFIGS
        for n in CONCURRENCY
    }

    print("1. Ceiling: offline batches of 32, no server (texts/s; median, spread)")
    for backend, runtime in RUNTIMES.items():
        c = ceilings[backend]
        print(f"   {runtime:<22} {c.median:7.0f} {c.spread:6.0%}")

    print("\n2. Served: POST /predict, one text per request (median, spread)")
    print(
        f"   {'setup':<26} {'clients':>7} {'req/s':>7} {'spread':>6}"
        f" {'p50 ms':>7} {'spread':>6} {'p99 ms':>7} {'spread':>6}"
    )
    for config in CONFIGS:
        for n in CONCURRENCY:
            row = served[config.name, n]
            print(
                f"   {config.name:<26} {n:>7}"
                + "".join(
                    f" {row[what].median:7.{digits}f} {row[what].spread:6.0%}"
                    for what, digits in (("throughput", 0), ("p50_ms", 1), ("p99_ms", 1))
                )
            )
            if set(statuses[config.name, n]) != {200}:
                print(f"   {config.name}: unexpected statuses {statuses[config.name, n]}")

    ratios = []
    for config in CONFIGS:
        for n in CONCURRENCY:
            throughput = served[config.name, n]["throughput"]
            ratios.append(
                Ratio.of_figures(config.name, n, "ceiling", throughput, ceilings[config.backend])
            )
            if config is not CONFIGS[0]:
                naive = served[CONFIGS[0].name, n]["throughput"]
                ratios.append(Ratio.of_figures(config.name, n, "naive", throughput, naive))
    print("\n3. Ratios of the medians")
    for ratio in ratios:
        print(f"   {ratio.setup}, {clients(ratio.concurrency)}: {ratio.text()}")
    if withheld := sum(ratio.cannot is not None for ratio in ratios):
        print(f"   {withheld} of {len(ratios)} ratios withheld: measure again on a quieter machine")

    print("\n4. Against the targets (concurrency 32)")
    find = {(r.setup, r.concurrency, r.of): r for r in ratios}
    best = find[CONFIGS[2].name, 32, "naive"]
    print(f"   ONNX int8 micro-batched over naive PyTorch (target >= 5x): {best.text()}")
    for config in CONFIGS[1:]:
        p99 = served[config.name, 32]["p99_ms"]
        print(
            f"   {config.name} (target >= 70% of its ceiling): "
            f"{find[config.name, 32, 'ceiling'].text()}\n"
            f"   {config.name} (target p99 < 250 ms): {p99.median:.0f} ms, spread {p99.spread:.0%}"
        )
    # Little's law: 32 clients that each wait for their answer see on average 32 / throughput.
    for backend, runtime in RUNTIMES.items():
        c = ceilings[backend]
        print(
            f"   Little's law: cannot bound {runtime}'s latency at 32 clients: {disagreement(c)}"
            if disagreement(c)
            else f"   Little's law: at its ceiling, {runtime} gives 32 clients a mean latency of "
            f"{32 / c.median * 1000:.0f} ms at best"
        )

    print("\n5. Cold start (process start to ready, once) and image sizes")
    for name, seconds in cold.items():
        print(f"   {name:<26} {seconds:5.1f} s")
    sizes = {} if args.no_images else image_sizes(folders)
    for tag, size in sizes.items():
        print(f"   {tag:<26} {size}")

    print(f"\nWhile the rounds ran, {others_said(others_cores)}.")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": {
            "rounds": args.rounds,
            "requests": args.requests,
            "ceiling_seconds": args.seconds,
            "inference_threads": args.threads,
            "batch_max_wait_ms": args.wait_ms,
            "texts": len(texts),
            "cores": os.cpu_count(),
        },
        "spread": "(max - min) / median over the rounds",
        "spread_limit": SPREAD_LIMIT,
        "others_cores": others_cores,
        "ceilings": {backend: figure.as_json() for backend, figure in ceilings.items()},
        "served": [
            {
                "setup": config.name,
                "backend": config.backend,
                "batch_max_texts": config.batch_max_texts,
                "concurrency": n,
                "requests": measured["requests", config.name, n],
                **{what: f.as_json() for what, f in served[config.name, n].items()},
                "statuses": {str(s): k for s, k in statuses[config.name, n].items()},
            }
            for config in CONFIGS
            for n in CONCURRENCY
        ],
        "ratios": [vars(ratio) for ratio in ratios],
        "cold_start_s": cold,
        "images": sizes,
    }
    (args.out / "serving.json").write_text(json.dumps(report, indent=1) + "\n")
    plot(
        ceilings,
        served,
        f"make bench: medians of {args.rounds} interleaved rounds, bars and bands from the lowest"
        f" round to the highest\n({others_said(others_cores)})",
        args.out / "serving.png",
    )
    print(f"Written: {args.out / 'serving.json'}, {args.out / 'serving.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
