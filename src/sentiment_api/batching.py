"""Micro-batching with back-pressure: concurrent requests share one forward pass.

A forward pass has a fixed cost (dispatching a hundred operators, waking threads, reading the
weights) and a cost per token. A batch pays the fixed cost once for many requests, as one bulk
INSERT pays one round trip for many rows; `make bench` measures what that buys. So requests
wait in a bounded queue, and a single worker takes up to `max_texts` texts from it: all those
that arrived while the previous pass ran, plus any that arrive within `max_wait_s` (0 by
default: a lone request does not wait for company). It runs one forward pass in a thread and
hands each request its own slice of the answer. `max_texts=1` is naive serving: one request,
one pass.

When `max_queue` requests are already waiting, `submit` raises `QueueFull` at once: the caller
answers 503 with Retry-After instead of letting latency grow without end. Every request the
queue accepts is answered: with its predictions, or with the error of its own forward pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from sentiment_api.predictions import Prediction

log = logging.getLogger("sentiment_api")


class QueueFull(Exception):
    """The batcher already holds as many waiting requests as it may."""


@dataclass
class _Job:
    texts: list[str]
    answer: asyncio.Future


class MicroBatcher:
    def __init__(
        self,
        predict: Callable[[list[str]], list[Prediction]],
        max_texts: int = 32,
        max_wait_s: float = 0.0,
        max_queue: int = 64,
    ):
        self._predict = predict
        self.max_texts, self.max_wait_s, self.max_queue = max_texts, max_wait_s, max_queue
        self._jobs: deque[_Job] = deque()
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task | None = None

    @property
    def waiting(self) -> int:
        """Requests in the queue, not yet in a forward pass."""
        return len(self._jobs)

    def start(self) -> None:
        self._worker = asyncio.create_task(self._run(), name="micro-batcher")

    async def stop(self) -> None:
        """Stop the worker; a request still queued gets an error rather than no answer."""
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        while self._jobs:
            _settle(self._jobs.popleft(), error=RuntimeError("the service is shutting down"))

    # --8<-- [start:submit]
    async def submit(self, texts: list[str]) -> list[Prediction]:
        """The predictions for `texts`, in order. Raises QueueFull when the queue is full."""
        if self._worker is None or self._worker.done():
            raise RuntimeError("the batcher is not running")  # never queue without a worker
        if len(self._jobs) >= self.max_queue:
            raise QueueFull(f"{len(self._jobs)} requests are already waiting for the model")
        job = _Job(list(texts), asyncio.get_running_loop().create_future())
        self._jobs.append(job)
        self._arrived.set()
        # If the client goes away, this coroutine is cancelled and so is the future; the
        # worker then skips the job (or drops its answer) instead of failing.
        return await job.answer

    # --8<-- [end:submit]

    # --8<-- [start:gather]
    async def _run(self) -> None:
        while True:
            await self._wait_for_batch()
            batch = self._take_batch()
            if not batch:  # every queued client had left
                continue
            try:
                await self._answer(batch)
            except asyncio.CancelledError:  # stopped mid-pass: nobody may wait for ever
                for job in batch:
                    _settle(job, error=RuntimeError("the service is shutting down"))
                raise

    async def _wait_for_batch(self) -> None:
        """Until a job is queued, then until `max_texts` are queued or `max_wait_s` passed."""
        while not self._jobs:
            self._arrived.clear()
            await self._arrived.wait()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait_s
        while sum(len(j.texts) for j in self._jobs) < self.max_texts:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return

    def _take_batch(self) -> list[_Job]:
        """Jobs from the front whose texts fit in `max_texts` (always at least one job, so a
        request larger than the batch still runs, alone). Abandoned jobs are dropped."""
        batch, size = [], 0
        while self._jobs:
            job = self._jobs[0]
            if job.answer.done():  # the client disconnected while waiting
                self._jobs.popleft()
                continue
            if batch and size + len(job.texts) > self.max_texts:
                break
            batch.append(self._jobs.popleft())
            size += len(job.texts)
        return batch

    async def _answer(self, batch: list[_Job]) -> None:
        texts = [text for job in batch for text in job.texts]
        try:
            predictions = await anyio.to_thread.run_sync(self._predict, texts)
            if len(predictions) != len(texts):
                raise RuntimeError(f"{len(predictions)} predictions for {len(texts)} texts")
        except Exception as error:
            if len(batch) > 1:
                # One bad request must not fail its neighbours: retry each on its own.
                log.warning("batch failed; retrying its requests one by one", exc_info=error)
                for job in batch:
                    if not job.answer.done():  # skip clients that left meanwhile
                        await self._answer([job])
                return
            _settle(batch[0], error=error)
            return
        start = 0
        for job in batch:
            _settle(job, result=predictions[start : start + len(job.texts)])
            start += len(job.texts)

    # --8<-- [end:gather]


def _settle(job: _Job, result=None, error: Exception | None = None) -> None:
    if job.answer.done():  # abandoned by its client: nobody is waiting for this answer
        return
    if error is not None:
        job.answer.set_exception(error)
    else:
        job.answer.set_result(result)
