"""Prometheus metrics: what the service does, as numbers a scraper reads from `/metrics`.

The four golden signals (latency, traffic, errors, saturation) plus what only a model has: how
long inference takes, how full batches are, what it predicts and what it is sent. Each app has
its own registry, so tests can build many apps in one process.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from sentiment_api.predictions import Prediction

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)
LENGTH_BUCKETS = (16, 32, 64, 128, 256, 512, 1024)
CONTENT_TYPE = CONTENT_TYPE_LATEST

# Set by the middleware for each request; error_response() writes the error's code into it, so
# errors are counted by kind without the error handlers knowing about metrics.
error_kind: contextvars.ContextVar[dict | None] = contextvars.ContextVar("error_kind", default=None)


class Metrics:
    # --8<-- [start:metrics]
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Histogram(
            "http_request_duration_seconds",
            "Time to answer a request, by method, route template and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "http_errors", "Error answers, by the error code in their body.", ["kind"], registry=r
        )
        self.inference = Histogram(
            "model_inference_duration_seconds",
            "Time of one call to the model (a batch).",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_texts = Histogram(
            "model_batch_texts",
            "Texts in one call to the model.",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.predictions = Counter(
            "model_predictions", "Predictions, by label.", ["label"], registry=r
        )
        self.input_chars = Histogram(
            "model_input_length_chars",
            "Length of each text sent to the model, in characters.",
            buckets=LENGTH_BUCKETS,
            registry=r,
        )
        self.info = Gauge(
            "model_info",
            "The model being served (value 1), by name, version and runtime.",
            ["name", "version", "runtime"],
            registry=r,
        )
        self.queue = Gauge("batcher_queue_requests", "Requests waiting for the model.", registry=r)

    def instrument(
        self, predict: Callable[[list[str]], list[Prediction]]
    ) -> Callable[[list[str]], list[Prediction]]:
        """`predict`, measured: time, batch size, input lengths and predicted labels."""

        def measured(texts: list[str]) -> list[Prediction]:
            started = time.perf_counter()
            predictions = predict(texts)
            self.inference.observe(time.perf_counter() - started)
            self.batch_texts.observe(len(texts))
            for text, prediction in zip(texts, predictions, strict=False):
                self.input_chars.observe(len(text))
                self.predictions.labels(prediction.label).inc()
            return predictions

        return measured
        # --8<-- [end:metrics]

    def observe_request(
        self, method: str, route: str, status: int, seconds: float, kind: str | None
    ) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)
        if kind is not None:
            self.errors.labels(kind).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
