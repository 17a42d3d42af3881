"""Serving benchmark (`make bench`): what micro-batching and ONNX int8 buy, side by side.

In one run, on 127.0.0.1, with the same inputs throughout, it measures and prints:

1. the ceiling: offline batched throughput of each runtime (PyTorch fp32, ONNX int8), the
   best a server that adds nothing could reach;
2. served throughput and p50/p99 latency at concurrency 1, 8 and 32 for naive serving (one
   request, one forward pass, PyTorch), micro-batched PyTorch and micro-batched ONNX int8,
   each a real `python -m sentiment_api` process loaded by a closed-loop async client;
3. ratios: each served figure over its runtime's ceiling, and each configuration over naive;
4. cold start (process start to the first 200 from /readyz) per runtime, and the sizes of the
   two images (`make image`, `make image VARIANT=onnx`; skipped with a reason if no Docker).

This is a benchmark, not a test: it never fails on a figure. These machines are noisy
(±30-40% between runs), which is why it compares configurations within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from launchpad.loadtest import LoadResult, load, running_service
from launchpad.model.build import split
from launchpad.model.data import load_ratings
from launchpad.model.onnx_export import model_dir_for
from sentiment_api.backends import backend_class

CONCURRENCY = (1, 8, 32)


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


def bench_texts(count: int = 512) -> list[str]:
    """Real review snippets (held-out movies), the same for every measurement."""
    _, sets = split(load_ratings())
    return [e.text for e in sets["movies"]][:count]


def ceiling(model, texts: list[str], batch_size: int, seconds: float) -> float:
    """Texts per second when the model is fed full batches back to back, with no server."""
    model.predict(texts[:batch_size])  # warm-up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for start in range(0, len(texts), batch_size):
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    parser.add_argument("--no-images", action="store_true", help="skip the image sizes")
    args = parser.parse_args(argv)

    texts = bench_texts()
    folders = {backend: model_dir_for(backend) for backend in ("torch", "onnx")}
    wait = "the service's default" if args.wait_ms is None else f"{args.wait_ms:g} ms"
    print(
        f"{len(texts)} review snippets; {args.requests} requests per measurement; "
        f"INFERENCE_THREADS={args.threads}; batch wait: {wait}\n"
    )

    print("1. Ceiling: offline batches of 32, no server (texts/s)")
    ceilings = {}
    for backend, label in (("torch", "PyTorch fp32"), ("onnx", "ONNX Runtime int8")):
        model = backend_class(backend)(folders[backend], threads=args.threads)
        ceilings[backend] = ceiling(model, texts, 32, args.seconds)
        print(f"   {label:<22} {ceilings[backend]:7.0f}")

    print("\n2. Served: POST /predict, one text per request")
    print(
        f"   {'configuration':<26} {'conc.':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'of ceiling':>10} {'vs naive':>8}"
    )
    results: dict[tuple[str, int], LoadResult] = {}
    cold: dict[str, float] = {}
    for config in CONFIGS:
        with running_service(
            model_dir=folders[config.backend],
            backend=config.backend,
            batch_max_texts=config.batch_max_texts,
            inference_threads=args.threads,
            queue_max_requests=256,
            **({} if args.wait_ms is None else {"batch_max_wait_ms": args.wait_ms}),
        ) as service:
            cold.setdefault(config.backend, service.cold_start_s)
            for concurrency in CONCURRENCY:
                load(service.base, texts, concurrency, min(64, args.requests))  # warm-up
                result = load(service.base, texts, concurrency, args.requests)
                if set(result.statuses) != {200}:
                    print(f"   {config.name}: unexpected statuses {result.statuses}")
                results[config.name, concurrency] = result
                naive = results[CONFIGS[0].name, concurrency].throughput
                print(
                    f"   {config.name:<26} {concurrency:>5} {result.throughput:7.0f}"
                    f" {result.p(50):7.1f} {result.p(99):7.1f}"
                    f" {result.throughput / ceilings[config.backend]:10.0%}"
                    f" {result.throughput / naive:7.1f}x"
                )

    best = results[CONFIGS[2].name, 32]
    print("\n3. Against the targets (concurrency 32)")
    print(
        f"   ONNX int8 micro-batched over naive PyTorch: "
        f"{best.throughput / results[CONFIGS[0].name, 32].throughput:.1f}x (target >= 5x)"
    )
    for config in CONFIGS[1:]:
        r = results[config.name, 32]
        print(
            f"   {config.name}: {r.throughput / ceilings[config.backend]:.0%} of its ceiling "
            f"(target >= 70%), p99 {r.p(99):.0f} ms (target < 250 ms)"
        )
    # Little's law: 32 clients that each wait for their answer see on average 32 / throughput.
    for backend, label in (("torch", "PyTorch"), ("onnx", "ONNX int8")):
        print(
            f"   Little's law: at its ceiling, {label} gives 32 clients a mean latency of "
            f"{32 / ceilings[backend] * 1000:.0f} ms at best"
        )

    print("\n4. Cold start (process start to ready) and image sizes")
    for backend, seconds in cold.items():
        print(f"   {backend:<22} {seconds:5.1f} s")
    if not args.no_images:
        for tag, size in image_sizes(folders).items():
            print(f"   {tag:<22} {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
