"""Drive a micro-batcher with concurrent requests, as a server's clients would, and record
what happened: each request's outcome, every forward pass and the thread it ran on, and the
batcher's own background tasks that crashed.

A batcher here is any object with `async submit(texts) -> predictions` built around a blocking
`predict(texts)`: the learner's `Batcher` of module 06, or the service's MicroBatcher. Jupyter
already runs an event loop in the kernel's main thread, so a scenario runs on a fresh loop in a
worker thread, with a deadline: a batcher that hangs raises `Hung` instead of freezing the
caller.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

# A text EchoModel refuses, as a real model refuses a text it cannot read.
POISON = "<a text the model cannot read>"
# Tasks the harness itself starts; every other task belongs to the batcher under test.
OWN_TASK_PREFIX = "launchpad-"

# What became of one request: ("ok", its answer), ("error", its exception) or ("pending", None)
# when the deadline passed first.
Outcome = tuple[str, Any]


def echo(text: str) -> str:
    return f"echo:{text}"


def echo_predictions(texts: Sequence[str]) -> list:
    """What EchoModel answers for `texts`: a label that names each text, in order."""
    from sentiment_api.predictions import Prediction

    return [Prediction(echo(t), 1.0) for t in texts]


class EchoModel:
    """A fake model: it answers `echo:<text>`, takes `delay_s` per forward pass, records every
    batch and the thread it ran on, and raises on POISON."""

    def __init__(self, delay_s: float = 0.03):
        self.delay_s = delay_s
        self.batches: list[list[str]] = []
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def predict(self, texts):
        texts = list(texts)
        with self._lock:
            self.batches.append(texts)
            self.threads.add(threading.get_ident())
        time.sleep(self.delay_s)
        if POISON in texts:
            raise ValueError("the model cannot read this text")
        return echo_predictions(texts)


class Serialised:
    """A real model, one forward pass at a time (its tokenizer is not thread-safe)."""

    def __init__(self, model):
        self._model, self._lock = model, threading.Lock()

    def predict(self, texts):
        with self._lock:
            return self._model.predict(texts)


class Hung(Exception):
    """The batcher kept the scenario's event loop busy past the deadline."""


class LoopRun:
    """One scenario on a fresh event loop in a worker thread: what it returned, the loop's
    thread, and the batcher's background tasks that crashed."""

    def __init__(self):
        self.loop_thread: int | None = None
        self.crashed: list[BaseException] = []
        self.tasks: list[asyncio.Task] = []

    def drive(self, scenario: Callable[[], Awaitable[Any]], timeout: float) -> Any:
        """Run `scenario()` to its end and return its result, or raise what it raised; raise
        Hung if it is still running after `timeout` seconds (its thread is left to finish)."""
        outcome: dict = {}

        async def main():
            loop = asyncio.get_running_loop()
            self.loop_thread = threading.get_ident()

            def factory(loop, coro, **kwargs):  # see every task the batcher starts
                task = asyncio.Task(coro, loop=loop, **kwargs)
                self.tasks.append(task)
                return task

            loop.set_task_factory(factory)
            try:
                return await scenario()
            finally:
                for task in self.tasks:
                    if task.get_name().startswith(OWN_TASK_PREFIX) or not task.done():
                        continue
                    if not task.cancelled() and task.exception() is not None:
                        self.crashed.append(task.exception())

        def thread_main():
            try:
                outcome["result"] = asyncio.run(main())
            except BaseException as error:  # handed back to the caller's thread
                outcome["error"] = error

        thread = threading.Thread(target=thread_main, name="launchpad-batcher", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise Hung()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]


async def submit_all(
    batcher, texts_per_request: Sequence[Sequence[str]], timeout: float
) -> list[Outcome]:
    """Submit every request at once, then wait up to `timeout` seconds: one Outcome per
    request, in order. Requests still waiting at the deadline are cancelled."""
    tasks = [
        asyncio.get_running_loop().create_task(
            batcher.submit(list(texts)), name=f"{OWN_TASK_PREFIX}request-{i}"
        )
        for i, texts in enumerate(texts_per_request)
    ]
    await asyncio.wait(tasks, timeout=timeout)
    outcomes: list[Outcome] = []
    for task in tasks:
        if not task.done():
            task.cancel()
            outcomes.append(("pending", None))
        elif task.cancelled():  # by the batcher
            outcomes.append(("error", asyncio.CancelledError("the request was cancelled")))
        elif task.exception() is not None:
            outcomes.append(("error", task.exception()))
        else:
            outcomes.append(("ok", task.result()))
    return outcomes
