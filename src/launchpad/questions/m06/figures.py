"""The figures module 06's exercise works on: its notebook shows them, its questions check
answers computed from them.

    from launchpad.questions.m06.figures import CONFIGS, LATENCIES_MS, MEASURED, ...
"""

from __future__ import annotations

import random


def load_test_latencies() -> list[float]:
    """200 latencies (ms) of a load test, in the order they were recorded: most requests take
    18 to 40 ms; a few waited behind a slow batch, a garbage collection or a cold worker."""
    rng = random.Random(6)
    values = [round(18 + 22 * rng.random() ** 2, 1) for _ in range(192)]
    values += [round(120 + 280 * rng.random(), 1) for _ in range(7)]
    values.append(912.4)
    rng.shuffle(values)
    return values


def __getattr__(name: str):
    # LATENCIES_MS is made when first imported, not when the package is, and each importer
    # gets its own list: a notebook that sorts it in place cannot change what the check uses.
    if name == "LATENCIES_MS":
        return load_test_latencies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# One instance (2 vCPUs, ONNX int8, micro-batching) under a closed-loop load test: `concurrency`
# clients each send a request, wait for the answer, send the next.
MEASURED = [
    {"concurrency": 1, "rps": 95, "p50_ms": 10, "p99_ms": 16},
    {"concurrency": 2, "rps": 175, "p50_ms": 11, "p99_ms": 19},
    {"concurrency": 4, "rps": 290, "p50_ms": 13, "p99_ms": 28},
    {"concurrency": 8, "rps": 420, "p50_ms": 18, "p99_ms": 45},
    {"concurrency": 16, "rps": 520, "p50_ms": 29, "p99_ms": 95},
    {"concurrency": 32, "rps": 560, "p50_ms": 55, "p99_ms": 190},
    {"concurrency": 64, "rps": 575, "p50_ms": 108, "p99_ms": 380},
]
PEAK_RPS = 2000
SLO_P99_MS = 100
UTILISATION = 0.7

# Each configuration load-tested at its best concurrency; prices are illustrative, per
# instance-hour (Cloud Run and Kubernetes nodes price vCPUs and memory in about this ratio).
CONFIGS = [
    {"name": "torch-1cpu", "usd_per_hour": 0.05, "rps": 70, "p99_ms": 80},
    {"name": "torch-2cpu-batching", "usd_per_hour": 0.10, "rps": 180, "p99_ms": 90},
    {"name": "onnx-1cpu", "usd_per_hour": 0.05, "rps": 210, "p99_ms": 60},
    {"name": "onnx-1cpu-batching", "usd_per_hour": 0.05, "rps": 330, "p99_ms": 140},
    {"name": "onnx-2cpu-batching", "usd_per_hour": 0.10, "rps": 520, "p99_ms": 95},
    {"name": "onnx-4cpu-batching", "usd_per_hour": 0.20, "rps": 900, "p99_ms": 70},
]
