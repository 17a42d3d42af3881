"""The module 06 batching playground: put a closed-loop load on a MicroBatcher in front of a
real model, in this process, for a second or two, and plot latency and throughput.

It is the service's own batcher (`sentiment_api.batching`) without HTTP, so what changes from
one run to the next is only what you changed: the batch size (`BATCH_MAX_TEXTS`) and how many
clients send requests at once. Each client sends one text, waits for its answer, and sends the
next, like the users of a load test. Every run is bounded in time.

Jupyter's kernel already runs an asyncio event loop in its main thread, so `measure` runs its
own loop in a worker thread and blocks until it is done: call it like any function.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from launchpad.loadtest import percentile
from sentiment_api.batching import MicroBatcher
from sentiment_api.predictions import Model, Prediction
from sentiment_api.settings import Settings

BATCH_SIZES = (1, 2, 4, 8, 16, 32)
CONCURRENCIES = (1, 2, 4, 8, 16, 32, 64)
WAITS_MS = (0, 1, 2, 5, 10)
DEFAULT_WAIT_MS = Settings.model_fields["batch_max_wait_ms"].default  # the service's default
MAX_BATCH_SIZE = 256
MAX_CONCURRENCY = 256
MAX_SECONDS = 10.0
# Short review-like sentences of similar length (about 16 tokens), so padding stays small and
# a batch costs what its size says.
TEXTS = tuple(
    f"Review {i}: {text}"
    for i in range(16)
    for text in (
        "a warm, funny film with a great cast and a clever script.",
        "the plot was thin, the acting flat and the ending a mess.",
        "not bad at all, though the middle hour drags a little.",
        "I expected much more from this director; a real letdown.",
    )
)


@dataclass
class Measurement:
    """One run: `concurrency` clients against a batcher of at most `batch_size` texts."""

    batch_size: int
    concurrency: int
    max_wait_ms: float
    seconds: float
    latencies: list[float] = field(repr=False)  # seconds, one per answered request
    passes: int  # forward passes the model ran

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Answered requests per second (one text each)."""
        return self.requests / self.seconds

    @property
    def mean_batch(self) -> float:
        """Texts per forward pass, on average: how full the batches really were."""
        return self.requests / self.passes if self.passes else 0.0

    def p(self, q: float) -> float:
        """Latency percentile, in milliseconds."""
        return percentile(self.latencies, q) * 1000

    def summary(self) -> str:
        return (
            f"batch {self.batch_size:>2}, wait {self.max_wait_ms:g} ms,"
            f" {self.concurrency:>2} {'client: ' if self.concurrency == 1 else 'clients:'}"
            f" {self.throughput:5.0f} req/s,"
            f" p50 {self.p(50):5.1f} ms, p99 {self.p(99):5.1f} ms,"
            f" {self.mean_batch:4.1f} texts per pass"
        )


def _check_int(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")
    return value


def measure(
    model: Model,
    batch_size: int,
    concurrency: int,
    seconds: float = 1.0,
    texts: Sequence[str] = TEXTS,
    max_wait_ms: float = DEFAULT_WAIT_MS,
) -> Measurement:
    """Drive `model` through a MicroBatcher(max_texts=batch_size) with `concurrency` clients for
    about `seconds`. `batch_size=1` is naive serving: one request, one forward pass."""
    _check_int("batch_size", batch_size, 1, MAX_BATCH_SIZE)
    _check_int("concurrency", concurrency, 1, MAX_CONCURRENCY)
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be more than 0 and at most {MAX_SECONDS:g}, not {seconds}")
    if not 0 <= max_wait_ms <= 1000:
        raise ValueError(f"max_wait_ms must be between 0 and 1000, not {max_wait_ms}")
    if isinstance(texts, str) or not texts:
        raise ValueError("texts must be a non-empty list of strings")
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must have a predict(texts) method; {type(model).__name__} has not")
    model.predict(list(texts[:batch_size]))  # warm-up: the first pass pays one-off costs
    counter = _CountingModel(model.predict)
    run = _run(counter, batch_size, concurrency, seconds, list(texts), max_wait_ms / 1000)
    # The kernel's event loop is busy running this cell: run ours in a thread of its own.
    with ThreadPoolExecutor(1, thread_name_prefix="playground") as pool:
        latencies, elapsed = pool.submit(asyncio.run, run).result()
    return Measurement(batch_size, concurrency, max_wait_ms, elapsed, latencies, counter.passes)


class _CountingModel:
    def __init__(self, predict: Callable[[list[str]], list[Prediction]]):
        self._predict = predict
        self._lock = threading.Lock()
        self.passes = 0

    def __call__(self, texts: list[str]) -> list[Prediction]:
        with self._lock:
            self.passes += 1
        return self._predict(texts)


async def _run(predict, batch_size, concurrency, seconds, texts, max_wait_s):
    batcher = MicroBatcher(
        predict, max_texts=batch_size, max_wait_s=max_wait_s, max_queue=concurrency
    )
    batcher.start()
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds

    async def client(number: int) -> None:
        sent = number
        while time.perf_counter() < deadline:
            text = texts[sent % len(texts)]
            sent += concurrency
            begun = time.perf_counter()
            await batcher.submit([text])
            latencies.append(time.perf_counter() - begun)

    try:
        await asyncio.gather(*(client(n) for n in range(concurrency)))
    finally:
        await batcher.stop()
    return latencies, time.perf_counter() - started


def sweep(
    model: Model,
    batch_sizes: Sequence[int] = (1, 8),
    concurrencies: Sequence[int] = (1, 8, 32),
    seconds: float = 1.0,
    max_wait_ms: float = DEFAULT_WAIT_MS,
) -> list[Measurement]:
    """`measure` for every pair; it takes about len(batch_sizes) * len(concurrencies) * seconds."""
    return [
        measure(model, b, c, seconds, max_wait_ms=max_wait_ms)
        for b in batch_sizes
        for c in concurrencies
    ]


def plot(measurements: Sequence[Measurement]):
    """Throughput and latency (p50 dashed, p99 solid) against concurrency, a line per batch
    size (and wait, when runs differ in it). Returns a matplotlib Figure (not shown by itself:
    display it, or end a cell with it)."""
    import matplotlib.pyplot as plt

    if not measurements:
        raise ValueError("nothing to plot: measure something first")
    several_waits = len({m.max_wait_ms for m in measurements}) > 1
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for number, line in enumerate(sorted({(m.batch_size, m.max_wait_ms) for m in measurements})):
        # The latest measurement of each (batch size, wait, concurrency) wins.
        points = {m.concurrency: m for m in measurements if (m.batch_size, m.max_wait_ms) == line}
        runs = [points[c] for c in sorted(points)]
        x = [m.concurrency for m in runs]
        colour = f"C{number % 10}"
        label = f"batch {line[0]}" + (f", wait {line[1]:g} ms" if several_waits else "")
        left.plot(x, [m.throughput for m in runs], "o-", color=colour, label=label)
        right.plot(x, [m.p(99) for m in runs], "o-", color=colour, label=label)
        right.plot(x, [m.p(50) for m in runs], "o--", color=colour)
    for axes, title, unit in (
        (left, "Throughput (higher is better)", "requests/s"),
        (right, "Latency: p99 solid, p50 dashed", "milliseconds"),
    ):
        axes.set(title=title, xlabel="concurrent clients", ylabel=unit, xscale="log")
        axes.set_xticks(sorted({m.concurrency for m in measurements}))
        axes.set_xticklabels([str(c) for c in sorted({m.concurrency for m in measurements})])
        axes.minorticks_off()
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
    plt.close(figure)  # the caller decides where it is shown
    return figure


def widget(model: Model, seconds: float = 1.5):
    """Sliders for batch size, batch wait and concurrency, and a button that measures and
    re-plots every run so far, so you can compare them."""
    import ipywidgets as widgets
    from IPython.display import display

    batch = widgets.SelectionSlider(options=BATCH_SIZES, value=8, description="batch size")
    wait = widgets.SelectionSlider(options=WAITS_MS, value=DEFAULT_WAIT_MS, description="wait (ms)")
    clients = widgets.SelectionSlider(options=CONCURRENCIES, value=8, description="clients")
    run = widgets.Button(description="Measure", button_style="primary", icon="play")
    clear = widgets.Button(description="Clear")
    status = widgets.Label(f"Each run takes about {seconds:g} s.")
    out = widgets.Output()
    runs: list[Measurement] = []

    def redraw() -> None:
        with out:
            out.clear_output(wait=True)
            if runs:
                display(plot(runs))

    def on_run(_) -> None:
        run.disabled = True
        status.value = f"measuring batch {batch.value} with {clients.value} clients..."
        try:
            result = measure(model, batch.value, clients.value, seconds, max_wait_ms=wait.value)
        except Exception as error:  # show it next to the button, keep the widget usable
            status.value = f"failed: {error}"
        else:
            runs.append(result)
            status.value = result.summary()
            redraw()
        finally:
            run.disabled = False

    def on_clear(_) -> None:
        runs.clear()
        status.value = "cleared"
        redraw()

    run.on_click(on_run)
    clear.on_click(on_clear)
    return widgets.VBox(
        [widgets.HBox([batch, wait, clients]), widgets.HBox([run, clear, status]), out]
    )
