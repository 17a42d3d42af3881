"""The module 06 batching playground: real batching behaviour, bounded runs, clear refusals,
and a widget whose button really measures."""

from __future__ import annotations

import asyncio
import time

import pytest

from launchpad import playground
from launchpad.playground import measure
from sentiment_api.predictions import Prediction


class FixedCostModel:
    """Every forward pass costs the same few milliseconds whatever its size: the overhead that
    batching shares out. Records the size of each pass."""

    def __init__(self, seconds: float = 0.004):
        self.seconds = seconds
        self.sizes: list[int] = []

    def predict(self, texts: list[str]) -> list[Prediction]:
        self.sizes.append(len(texts))
        time.sleep(self.seconds)
        return [Prediction("POSITIVE", 1.0) for _ in texts]


def test_batches_fill_up_to_the_batch_size_and_share_the_cost():
    model = FixedCostModel()
    naive = measure(model, batch_size=1, concurrency=8, seconds=0.5)
    model.sizes.clear()
    batched = measure(model, batch_size=8, concurrency=8, seconds=0.5)
    assert naive.mean_batch == 1
    assert max(model.sizes) == 8 and batched.mean_batch > 6
    # Eight texts for the price of one pass: several times the throughput.
    assert batched.throughput > 3 * naive.throughput
    assert naive.seconds < 1.5 and batched.seconds < 1.5, "a run outlived its time bound"


def test_batch_of_8_serves_more_than_batch_of_1_on_the_real_model(course_onnx_dir):
    from sentiment_api.onnx_inference import OnnxSentimentModel

    model = OnnxSentimentModel(course_onnx_dir)
    runs = {1: [], 8: []}
    for _ in range(2):  # interleaved, best of two: this machine's noise hits both alike
        for size in runs:
            runs[size].append(measure(model, batch_size=size, concurrency=8, seconds=1.0))
    naive = max(runs[1], key=lambda m: m.throughput)
    batched = max(runs[8], key=lambda m: m.throughput)
    assert naive.mean_batch == 1 and batched.mean_batch > 4
    assert batched.throughput > naive.throughput, (naive.summary(), batched.summary())


def test_a_lone_client_gets_no_company_and_pays_the_wait():
    model = FixedCostModel(seconds=0.001)
    alone = measure(model, batch_size=8, concurrency=1, seconds=0.3, max_wait_ms=20)
    assert alone.mean_batch == 1
    assert alone.p(50) >= 20, "the batch did not wait max_wait_ms for company"


def test_measure_works_where_an_event_loop_is_already_running():
    """As in Jupyter, whose kernel runs cells inside its own event loop."""

    async def cell():
        return measure(FixedCostModel(), batch_size=4, concurrency=4, seconds=0.2)

    assert asyncio.run(cell()).requests > 0


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be between 1 and 256, not 0"),
        ({"batch_size": 1000}, ValueError, "batch_size must be between 1 and 256, not 1000"),
        ({"concurrency": -1}, ValueError, "concurrency must be between 1 and 256, not -1"),
        ({"concurrency": "8"}, TypeError, "concurrency must be a whole number, not '8'"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be a whole number, not 2.5"),
        ({"seconds": 60}, ValueError, "seconds must be more than 0 and at most 10"),
        ({"seconds": 0}, ValueError, "seconds must be more than 0 and at most 10"),
        ({"texts": []}, ValueError, "texts must be a non-empty list of strings"),
        ({"texts": "one text"}, ValueError, "texts must be a non-empty list of strings"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_error(arguments, error, message):
    settings = {"batch_size": 8, "concurrency": 8, "seconds": 0.1, **arguments}
    with pytest.raises(error, match=message):
        measure(FixedCostModel(), **settings)


def test_a_model_without_predict_is_refused():
    with pytest.raises(TypeError, match="model must have a predict"):
        measure(object(), batch_size=1, concurrency=1, seconds=0.1)


def test_plot_draws_a_line_per_batch_size_and_the_latest_run_wins():
    model = FixedCostModel(seconds=0.001)
    runs = playground.sweep(model, batch_sizes=(1, 4), concurrencies=(1, 4), seconds=0.1)
    again = measure(model, batch_size=4, concurrency=4, seconds=0.1)
    figure = playground.plot([*runs, again])
    throughput, latency = figure.axes
    assert len(throughput.lines) == 2 and len(latency.lines) == 4  # p99 and p50 per size
    assert list(throughput.lines[1].get_ydata()) == [runs[2].throughput, again.throughput]
    with pytest.raises(ValueError, match="measure something first"):
        playground.plot([])


def test_the_widget_measures_when_its_button_is_clicked():
    box = playground.widget(FixedCostModel(seconds=0.001), seconds=0.2)
    sliders, buttons, _ = box.children
    batch, wait, clients = sliders.children
    measure_button, clear_button, status = buttons.children
    batch.value, wait.value, clients.value = 4, 0, 16
    measure_button.click()
    assert status.value.startswith("batch  4, wait 0 ms, 16 clients:"), status.value
    assert not measure_button.disabled
    clear_button.click()
    assert status.value == "cleared"


def test_without_a_wait_requests_still_batch_while_the_model_is_busy():
    """Requests that arrive during a forward pass queue up and share the next one."""
    model = FixedCostModel()
    busy = measure(model, batch_size=8, concurrency=8, seconds=0.3, max_wait_ms=0)
    assert busy.mean_batch > 4
    alone = measure(model, batch_size=8, concurrency=1, seconds=0.3, max_wait_ms=0)
    waiting = measure(model, batch_size=8, concurrency=1, seconds=0.3, max_wait_ms=5)
    assert alone.p(50) + 3 < waiting.p(50), "a lone request waited for company with no wait set"


def test_runs_with_different_waits_get_lines_of_their_own():
    model = FixedCostModel(seconds=0.001)
    runs = [measure(model, 4, 2, 0.1, max_wait_ms=wait) for wait in (0, 2)]
    labels = [line.get_label() for line in playground.plot(runs).axes[0].lines]
    assert labels == ["batch 4, wait 0 ms", "batch 4, wait 2 ms"]
