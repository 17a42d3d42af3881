"""Module 06 — Scale it. Percentiles from raw timings, a micro-batcher driven by concurrent
requests, an ONNX int8 export that must still agree with PyTorch, and sizing a deployment from
measured figures.

The batcher is the learner's asyncio code, and Jupyter already runs an event loop in the
kernel's main thread, so the check runs it on a fresh loop in a worker thread, with a deadline:
a batcher that hangs gets a hint, not a frozen notebook.
"""

from __future__ import annotations

import asyncio
import json
import math
import numbers
import os
import random
import statistics
import threading
import time
from collections import Counter
from functools import cache
from pathlib import Path

from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, learner_frame, question
from launchpad.loadtest import percentile as nearest_rank
from launchpad.paths import cache_dir, workspace_dir

# ---- Question 1: percentiles ----------------------------------------------------------------


def _load_test_latencies() -> list[float]:
    """200 latencies (ms) of a load test, in the order they were recorded: most requests take
    18 to 40 ms; a few waited behind a slow batch, a garbage collection or a cold worker."""
    rng = random.Random(6)
    values = [round(18 + 22 * rng.random() ** 2, 1) for _ in range(192)]
    values += [round(120 + 280 * rng.random(), 1) for _ in range(7)]
    values.append(912.4)
    rng.shuffle(values)
    return values


LATENCIES_MS = _load_test_latencies()
# Hidden inputs: one value, unsorted values, q=100, ranks that fall exactly on a value.
FIVE = [40.0, 90.0, 10.0, 30.0, 20.0]
TEN = [7.0, 3.0, 9.0, 1.0, 10.0, 5.0, 2.0, 8.0, 6.0, 4.0]
PERCENTILE_CASES = [
    ([42.0], 50),
    ([42.0], 99),
    (FIVE, 50),
    (FIVE, 20),
    (FIVE, 100),
    (TEN, 90),
    (TEN, 95),
    ([5.0, 1.0, 5.0, 5.0], 50),
    (LATENCIES_MS, 99),
]


def _rank(n: int, q: float) -> int:
    return math.ceil(q * n / 100)


def _short(values: list[float]) -> str:
    return str(values) if len(values) <= 10 else f"<{len(values)} latencies>"


def _same(a, b) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def _percentile_mistake(values: list[float], q: float, got) -> str:
    """What a wrong percentile(values, q) most likely did, in one sentence."""
    ordered, n = sorted(values), len(values)
    rank = _rank(n, q)
    call = f"percentile({_short(values)}, {q}) should be {ordered[rank - 1]:g}"
    where = f"(the {_ordinal(rank)} of the {n} sorted values: rank = ceil({q}/100 × {n}))"
    if _same(got, statistics.mean(values)):
        return f"{call} {where}, got {got:g}: that is the mean, which a slow tail drags around."
    if q != 50 and _same(got, statistics.median(values)):
        return f"{call}, got {got:g}, the median: the function ignores q."
    if values != ordered and _same(got, values[rank - 1]):
        return f"{call}, got {got:g}: the values come in the order they were measured; sort them."
    if rank < n and _same(got, ordered[rank]):
        return (
            f"{call} {where}, got {got:g}, the next one: ranks count from 1, list indices "
            "from 0, so the value of rank r is sorted(values)[r - 1]."
        )
    if rank >= 2 and _same(got, ordered[rank - 2]):
        return (
            f"{call} {where}, got {got:g}, the one before: round the rank up (math.ceil), "
            "then subtract 1 for the index."
        )
    if not any(_same(got, v) for v in values):
        return (
            f"{call}, got {got:g}, which is none of the measured values: that is an "
            "interpolating percentile (numpy's default). Nearest-rank returns a measured value."
        )
    if q < 100 and _same(got, ordered[-1]):
        return f"{call}, got the maximum: q is a percentage (50 for p50), not a fraction."
    return f"{call} {where}, got {got!r}."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@question(
    "06",
    1,
    hints=[
        "Sort a copy (`sorted(values)`), then take the value of rank ceil(q/100 × n), "
        "counting ranks from 1.",
        "rank = math.ceil(q * len(values) / 100); return ordered[rank - 1]. Then "
        "p50 = percentile(LATENCIES_MS, 50) and p99 = percentile(LATENCIES_MS, 99).",
    ],
    solution="""def percentile(values, q):
    ordered = sorted(values)
    rank = math.ceil(q * len(ordered) / 100)  # counted from 1
    return ordered[rank - 1]

p50 = percentile(LATENCIES_MS, 50)
p99 = percentile(LATENCIES_MS, 99)""",
)
def q1(answers: Answers):
    percentile = answers.function("percentile")
    for values, q in PERCENTILE_CASES:
        given = list(values)
        try:
            got = percentile(given, q)
        except Incorrect as error:
            if isinstance(error.__cause__, IndexError):
                raise Incorrect(
                    f"percentile({_short(values)}, {q}) raised IndexError: the rank "
                    f"ceil({q}/100 × {len(values)}) counts from 1, list indices from 0; "
                    "subtract 1."
                ) from error
            raise
        expect(
            given == values,
            "percentile sorted the caller's list in place (values.sort()): the caller's "
            "timings are now reordered. Sort a copy with sorted(values).",
        )
        expect(
            isinstance(got, (int, float)) or hasattr(got, "__float__"),
            f"percentile should return one number, got {type(got).__name__}.",
        )
        if not _same(got, nearest_rank(values, q)):
            raise Incorrect(_percentile_mistake(values, q, got))
    p50, p99 = answers.value("p50"), answers.value("p99")
    reference = {50: nearest_rank(LATENCIES_MS, 50), 99: nearest_rank(LATENCIES_MS, 99)}
    for q, value in ((50, p50), (99, p99)):
        expect(
            _same(value, reference[q]),
            f"p{q} is {value!r}, but percentile(LATENCIES_MS, {q}) is {reference[q]:g}: "
            "compute it from LATENCIES_MS with your function."
            + (" That is the maximum, not p99." if _same(value, max(LATENCIES_MS)) else ""),
        )
    mean = statistics.mean(LATENCIES_MS)
    return (
        f"p50 {p50:g} ms, p99 {p99:g} ms: the slowest request in every hundred waits at "
        f"least {p99 / p50:.0f} times as long as the typical one. The mean ({mean:.1f} ms) "
        "describes neither."
    )


# ---- Question 2: the micro-batcher ----------------------------------------------------------

POISON = "<a text the model cannot read>"
MAX_TEXTS = 8
MAX_WAIT_S = 0.02


def _echo(text: str) -> str:
    return f"echo:{text}"


class _EchoModel:
    """A fake model for the check: it answers `echo:<text>`, takes `delay_s` per forward
    pass, records every batch and the thread it ran on, and raises on POISON."""

    def __init__(self, delay_s: float = 0.03):
        self.delay_s = delay_s
        self.batches: list[list[str]] = []
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def predict(self, texts):
        from sentiment_api.predictions import Prediction

        texts = list(texts)
        with self._lock:
            self.batches.append(texts)
            self.threads.add(threading.get_ident())
        time.sleep(self.delay_s)
        if POISON in texts:
            raise ValueError("the model cannot read this text")
        return [Prediction(_echo(t), 1.0) for t in texts]


class _Hung(Exception):
    """The learner's code kept the check's event loop busy past the deadline."""


class _Run:
    """One scenario on a fresh event loop in a worker thread: the requests' outcomes, the
    loop's thread, and the learner's background tasks that crashed."""

    def __init__(self):
        self.loop_thread: int | None = None
        self.crashed: list[BaseException] = []
        self.tasks: list[asyncio.Task] = []

    def drive(self, scenario, timeout: float):
        outcome: dict = {}

        async def main():
            loop = asyncio.get_running_loop()
            self.loop_thread = threading.get_ident()

            def factory(loop, coro, **kwargs):  # see every task the learner's code starts
                task = asyncio.Task(coro, loop=loop, **kwargs)
                self.tasks.append(task)
                return task

            loop.set_task_factory(factory)
            try:
                return await scenario()
            finally:
                for task in self.tasks:
                    if task.get_name().startswith("launchpad-") or not task.done():
                        continue
                    if not task.cancelled() and task.exception() is not None:
                        self.crashed.append(task.exception())

        def thread_main():
            try:
                outcome["result"] = asyncio.run(main())
            except BaseException as error:  # handed back to the check's thread
                outcome["error"] = error

        thread = threading.Thread(target=thread_main, name="launchpad-q2", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise _Hung()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]


async def _requests(batcher, texts_per_request, timeout: float):
    """Submit every request at once; wait up to `timeout`. Returns, per request: ("ok", answer),
    ("error", exception) or ("pending", None)."""
    tasks = [
        asyncio.get_running_loop().create_task(
            batcher.submit(list(texts)), name=f"launchpad-request-{i}"
        )
        for i, texts in enumerate(texts_per_request)
    ]
    await asyncio.wait(tasks, timeout=timeout)
    outcomes = []
    for task in tasks:
        if not task.done():
            task.cancel()
            outcomes.append(("pending", None))
        elif task.cancelled():  # by the learner's code
            outcomes.append(("error", asyncio.CancelledError("the request was cancelled")))
        elif task.exception() is not None:
            outcomes.append(("error", task.exception()))
        else:
            outcomes.append(("ok", task.result()))
    return outcomes


def _learner_error(error: BaseException, what: str) -> Exception:
    """The learner's exception as feedback: not attempted, or what broke and where."""
    if isinstance(error, NotImplementedError):
        return NotAttempted("Batcher (a method it calls) still raises NotImplementedError.")
    where = learner_frame(error)
    return Incorrect(
        f"{what} raised {type(error).__name__}: {error} "
        f"(line {where.lineno}: `{(where.line or '').strip()}`)."
    )


def _crash_report(run: _Run) -> str:
    if not run.crashed:
        return ""
    error = run.crashed[0]
    if isinstance(error, NotImplementedError):
        raise NotAttempted("Batcher (a method it calls) still raises NotImplementedError.")
    where = learner_frame(error)
    return (
        f" Its background task crashed with {type(error).__name__}: {error} "
        f"(line {where.lineno}: `{(where.line or '').strip()}`)."
    )


class _BadSignature(Exception):
    """Batcher(predict, max_texts=..., max_wait_s=...) raised TypeError."""


def _new_batcher(Batcher, predict):
    try:
        return Batcher(predict, max_texts=MAX_TEXTS, max_wait_s=MAX_WAIT_S)
    except TypeError as error:
        raise _BadSignature(str(error)) from error


def _drive(run: _Run, scenario, timeout: float, what: str):
    """Run `scenario` for the check; the learner's exceptions and hangs become feedback."""
    try:
        return run.drive(scenario, timeout)
    except _Hung:
        raise Incorrect(
            f"{what}, the batcher kept its event loop busy for {timeout:.0f} s: a loop that "
            "never awaits (or a time.sleep on the loop) blocks every other request. Await "
            "something in each turn (restart the kernel if a CPU stays busy)."
        ) from None
    except _BadSignature as error:
        raise Incorrect(
            f"Batcher(predict, max_texts={MAX_TEXTS}, max_wait_s={MAX_WAIT_S}) failed: "
            f"{error}. Keep the constructor's signature."
        ) from error
    except (Exception, asyncio.CancelledError) as error:
        raise _learner_error(error, what) from error


def _scenario(Batcher, model, texts_per_request, timeout):
    """Drive a new Batcher(model.predict) with concurrent requests; return (run, outcomes)."""
    run = _Run()

    async def scenario():
        batcher = _new_batcher(Batcher, model.predict)
        return await _requests(batcher, texts_per_request, timeout)

    outcomes = _drive(run, scenario, timeout + 5, f"With {len(texts_per_request)} request(s)")
    _stubbed(outcomes)
    return run, outcomes


def _stubbed(outcomes) -> None:
    for status, value in outcomes:
        if status == "error" and isinstance(value, NotImplementedError):
            raise NotAttempted("Batcher (a method it calls) still raises NotImplementedError.")


def _lone_requests(Batcher) -> None:
    """One request alone, then another once it is answered: each goes after max_wait_s."""
    echo, run, seconds = _EchoModel(), _Run(), []

    async def scenario():
        batcher = _new_batcher(Batcher, echo.predict)
        outcomes = []
        for texts in (["alone"], ["later"]):
            started = time.perf_counter()
            outcomes += await _requests(batcher, [texts], timeout=2)
            seconds.append(time.perf_counter() - started)
            if outcomes[-1][0] != "ok":
                break
        return outcomes

    outcomes = _drive(run, scenario, 9, "With one request at a time")
    _stubbed(outcomes)
    expect(
        outcomes[0][0] != "pending",
        "A lone request got no answer within 2 s: a batch must go when max_wait_s has passed, "
        "even if fewer than max_texts texts are waiting." + _crash_report(run),
    )
    _expect_answers([["alone"]], outcomes[:1], run, _echo_answers, "A lone request")
    expect(
        seconds[0] < 1,
        f"A lone request took {seconds[0]:.1f} s with max_wait_s={MAX_WAIT_S} and a 30 ms "
        "model: wait at most max_wait_s (in seconds) for company.",
    )
    expect(
        outcomes[1][0] != "pending",
        "A second request, sent after the first was answered, got no answer within 2 s: the "
        "worker went back to waiting and nothing woke it. Signal every arrival "
        "(self.arrived.set()) in submit." + _crash_report(run),
    )
    _expect_answers([["later"]], outcomes[1:], run, _echo_answers, "A second request")


def _expect_answers(texts_per_request, outcomes, run: _Run, wanted, what: str) -> None:
    pending = sum(status == "pending" for status, _ in outcomes)
    expect(
        not pending,
        f"{what}: {pending} of {len(outcomes)} requests got no answer."
        + (
            _crash_report(run)
            or " Does every batch's forward pass set the result of each of its requests?"
        ),
    )
    for i, ((status, value), texts) in enumerate(zip(outcomes, texts_per_request, strict=True)):
        if status == "error":
            raise _learner_error(value, f"{what}: request {i} ({texts})")
        got = list(value) if isinstance(value, (list, tuple)) else value
        want = wanted(texts)
        if got != want:
            labels = [getattr(p, "label", p) for p in got] if isinstance(got, list) else got
            raise Incorrect(
                f"{what}: request {i} sent {texts} and got {labels}, not "
                f"{[p.label for p in want]}: each request must get the predictions for its "
                "own texts, in order (slice the batch's answers at the same offsets)."
            )


@cache
def _torch_model(path: str):
    """The course model under PyTorch, loaded once per kernel (questions 2 and 3)."""
    from sentiment_api.inference import SentimentModel

    return SentimentModel(Path(path), threads=min(4, os.cpu_count() or 1))


class _Serialised:
    """The real model, one forward pass at a time (its tokenizer is not thread-safe)."""

    def __init__(self, model):
        self._model, self._lock = model, threading.Lock()

    def predict(self, texts):
        with self._lock:
            return self._model.predict(texts)


REAL_REQUESTS = [
    ["A triumph: funny, warm and beautifully shot."],
    ["Two hours of my life I will never get back."],
    ["The soundtrack is great, the script is not."],
    ["Flat, predictable and far too long."],
    ["I would happily watch it again tomorrow.", "The worst sequel of the year."],
    ["It is a movie."],
    ["Every scene is a small gift."],
    ["The dialogue made me wince."],
    ["A gentle, clever film about growing old."],
    ["Nothing works, not even the jokes."],
    ["Great!", "Boring."],
    ["The cast is wonderful and the ending is earned."],
]


@question(
    "06",
    2,
    hints=[
        "submit: start the worker task on the first call (asyncio.create_task(self.run())), "
        "append (texts, future) to self.waiting, set self.arrived, and await the future. "
        "run: wait until something is waiting, sleep max_wait_s if fewer than max_texts texts "
        "are waiting, take requests from the front while they fit, and await self.answer(batch).",
        "answer: one `await asyncio.to_thread(self.predict, texts)` for the batch's texts; give "
        "each future its slice (future.set_result(predictions[start:start + len(texts)])). If "
        "predict raises: one request gets the error (future.set_exception(error)), a batch of "
        "several is retried one request at a time, so only the bad one fails.",
    ],
    solution="""class Batcher:
    def __init__(self, predict, max_texts=8, max_wait_s=0.005):
        self.predict = predict
        self.max_texts = max_texts
        self.max_wait_s = max_wait_s
        self.waiting = []  # (texts, future) of requests not yet in a forward pass
        self.arrived = None  # an asyncio.Event, made on the event loop that uses it
        self.worker = None  # the task that runs the forward passes

    async def submit(self, texts):
        if self.worker is None:  # the first request starts the worker, on its own loop
            self.arrived = asyncio.Event()
            self.worker = asyncio.create_task(self.run())
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((list(texts), future))
        self.arrived.set()
        return await future

    async def run(self):
        while True:
            while not self.waiting:
                self.arrived.clear()
                await self.arrived.wait()
            if sum(len(texts) for texts, _ in self.waiting) < self.max_texts:
                await asyncio.sleep(self.max_wait_s)  # let concurrent requests join
            batch, size = [], 0
            while self.waiting and (
                not batch or size + len(self.waiting[0][0]) <= self.max_texts
            ):
                batch.append(self.waiting.pop(0))
                size += len(batch[-1][0])
            await self.answer(batch)

    async def answer(self, batch):
        texts = [text for request, _ in batch for text in request]
        try:
            predictions = await asyncio.to_thread(self.predict, texts)
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
            else:  # one bad request must not fail the others: retry each alone
                for request in batch:
                    await self.answer([request])
            return
        start = 0
        for request, future in batch:
            if not future.done():  # a client that went away has cancelled its future
                future.set_result(predictions[start : start + len(request)])
            start += len(request)""",
)
def q2(answers: Answers):
    import inspect

    Batcher = answers.value("Batcher")
    expect(
        isinstance(Batcher, type),
        f"`Batcher` should be a class, but it is a {type(Batcher).__name__}.",
    )
    expect(
        inspect.iscoroutinefunction(getattr(Batcher, "submit", None)),
        "Batcher.submit should be a coroutine (`async def submit(self, texts)`), so that many "
        "requests can wait for the model at once.",
    )
    # 1. One request at a time: a batch must also go when max_wait_s has passed.
    _lone_requests(Batcher)
    # 2. Concurrent requests are gathered, in batches of at most max_texts, each answered.
    echo = _EchoModel()
    sizes = [1, 2, 3, 1, 2] * 4
    requests = [[f"r{i}-t{j}" for j in range(size)] for i, size in enumerate(sizes)]
    run, outcomes = _scenario(Batcher, echo, requests, timeout=5)
    _expect_answers(requests, outcomes, run, _echo_answers, f"{len(requests)} concurrent requests")
    biggest = max(len(batch) for batch in echo.batches)
    expect(
        biggest <= MAX_TEXTS,
        f"A forward pass got {biggest} texts with max_texts={MAX_TEXTS}: stop adding requests "
        "to a batch when the next one would not fit (it waits for the next batch).",
    )
    passes = len(echo.batches)
    expect(
        passes < len(requests),
        f"{len(requests)} concurrent requests took {passes} forward passes: nothing was "
        "gathered. Take every request that is waiting (up to max_texts texts), and if the batch is "
        "not full, sleep max_wait_s first so that concurrent requests can join.",
    )
    expect(
        passes <= len(requests) // 2,
        f"{len(requests)} concurrent requests ({sum(sizes)} texts) took {passes} forward "
        f"passes; batches of up to {MAX_TEXTS} texts need about "
        f"{math.ceil(sum(sizes) / MAX_TEXTS)}: take every waiting request that fits.",
    )
    expect(
        run.loop_thread not in echo.threads,
        "predict ran on the event loop's thread: while it computes, the loop can accept no "
        "request and answer none. Run it in a worker thread: "
        "`await asyncio.to_thread(self.predict, texts)`.",
    )
    # 3. A request the model cannot read fails alone; the batcher carries on.
    _one_bad_request(Batcher)
    # 4. The real course model, through the batcher, answers as it does alone.
    from launchpad.model import resolve

    model = _Serialised(_torch_model(str(resolve().path)))
    run, outcomes = _scenario(Batcher, model, REAL_REQUESTS, timeout=60)
    _expect_real(REAL_REQUESTS, outcomes, run, model)
    return (
        "Concurrent requests share forward passes of at most max_texts texts, each gets its own "
        "answers, and a bad request fails alone: the heart of the service's MicroBatcher, which "
        "adds a bounded queue (503 when full), no wait by default, and clients that leave."
    )


def _echo_answers(texts):
    from sentiment_api.predictions import Prediction

    return [Prediction(_echo(t), 1.0) for t in texts]


def _expect_real(requests, outcomes, run, model) -> None:
    """Labels as the model gives them alone; scores equal to 3 decimals (padding in a batch
    changes the last digits)."""
    pending = sum(status == "pending" for status, _ in outcomes)
    expect(
        not pending,
        f"With the course model, {pending} of {len(requests)} requests got no answer within "
        f"60 s.{_crash_report(run)}",
    )
    for i, ((status, value), texts) in enumerate(zip(outcomes, requests, strict=True)):
        if status == "error":
            raise _learner_error(value, f"With the course model, request {i}")
        alone = model.predict(texts)
        got = list(value) if isinstance(value, (list, tuple)) else []
        same = len(got) == len(alone) and all(
            getattr(g, "label", None) == a.label
            and math.isclose(getattr(g, "score", -1), a.score, abs_tol=1e-3)
            for g, a in zip(got, alone, strict=False)
        )
        expect(
            same,
            f"With the course model, request {i} ({texts}) got {value!r}; alone, the model "
            f"answers {alone}.",
        )


def _one_bad_request(Batcher) -> None:
    echo = _EchoModel()
    requests = [["a"], ["b"], [POISON], ["c"], ["d", "e"], ["f"]]
    bad = requests.index([POISON])
    run = _Run()

    async def scenario():
        batcher = _new_batcher(Batcher, echo.predict)
        first = await _requests(batcher, requests, timeout=2)
        if any(status == "pending" for status, _ in first):
            return first, [("pending", None)]
        return first, await _requests(batcher, [["after"]], timeout=2)

    first, after = _drive(run, scenario, 10, "When predict raised")
    status, value = first[bad]
    if any(status == "pending" for status, _ in [*first, *after]):
        crash = _crash_report(run)
        expect(
            not crash,
            "When predict raised, the batcher's worker died and its requests were never "
            f"answered.{crash} Catch the error and hand it to the request "
            "(future.set_exception(error)).",
        )
    expect(
        status != "pending",
        "When predict raised, that request never got an answer: give it the error "
        "(future.set_exception(error)), so its client gets an error response, not a hang.",
    )
    expect(
        status == "error",
        f"The request the model cannot read got {value!r} instead of an error: let submit "
        "raise the model's exception (future.set_exception(error)).",
    )
    neighbours = [
        texts for (status, _), texts in zip(first, requests, strict=True) if status != "ok"
    ]
    expect(
        neighbours == [[POISON]],
        f"One request the model cannot read failed {len(neighbours) - 1} other requests in its "
        "batch too: when a batch fails, retry its requests one at a time, so only the bad one "
        "gets the error.",
    )
    _expect_answers(
        [r for r in requests if r != [POISON]],
        [o for o, r in zip(first, requests, strict=True) if r != [POISON]],
        run,
        _echo_answers,
        "Next to a bad request",
    )
    expect(
        after[0][0] == "ok",
        "After a failed forward pass, the batcher stopped answering: keep the worker's loop "
        "going after an error.",
    )


# ---- Question 3: ONNX int8 ------------------------------------------------------------------

ONNX_FOLDER = Path("onnx")
NEEDED_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json")
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
INT8_OPS = ("MatMulInteger", "DynamicQuantizeLinear", "QLinearMatMul", "QAttention")
SAMPLE_SIZE, SAMPLE_SEED = 800, 0
MIN_AGREEMENT = 0.97


@cache
def evaluation_sample() -> tuple[str, ...]:
    """A fixed sample of the course's evaluation texts (held-out movies and other domains)."""
    from launchpad.course_model import split
    from launchpad.data import load_ratings

    _, sets = split(load_ratings())
    texts = [e.text for examples in sets.values() for e in examples]
    return tuple(
        texts[i] for i in random.Random(SAMPLE_SEED).sample(range(len(texts)), SAMPLE_SIZE)
    )


@cache
def _reference_predictions(path: str) -> tuple:
    """PyTorch's predictions for the sample, computed once per machine and model version (a
    cold PyTorch pass over the sample takes seconds; a learner re-runs the check often)."""
    from importlib import metadata

    from launchpad.onnx_model import predict_all
    from sentiment_api.predictions import Prediction, identity

    name, version = identity(Path(path))
    key = f"{name}-{version}-torch{metadata.version('torch')}-{SAMPLE_SIZE}-{SAMPLE_SEED}"
    stored = cache_dir() / "checks" / f"m06-q3-{key}.json"
    try:
        rows = json.loads(stored.read_text())
        if len(rows) == SAMPLE_SIZE:
            return tuple(Prediction(label, score) for label, score in rows)
    except (OSError, ValueError, TypeError):
        pass  # not computed yet, or unreadable: compute it again
    predictions = predict_all(_torch_model(path), list(evaluation_sample()))
    stored.parent.mkdir(parents=True, exist_ok=True)
    partial = stored.with_name(f"{stored.name}.{os.getpid()}")
    partial.write_text(json.dumps([[p.label, p.score] for p in predictions]))
    partial.replace(stored)
    return tuple(predictions)


def _graph(path: Path) -> dict:
    """What the check needs to know about an ONNX file, without running it."""
    import onnx

    try:
        model = onnx.load(str(path))
    except Exception as error:
        raise Incorrect(f"{path.name} is not an ONNX model onnx can read: {error}") from error
    weights = {i.name for i in model.graph.initializer}
    inputs = {
        i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
        for i in model.graph.input
        if i.name not in weights
    }
    scales = [i for i in model.graph.initializer if i.name.endswith("_scale")]
    ops = Counter(node.op_type for node in model.graph.node)
    return {
        "inputs": inputs,
        "outputs": [o.name for o in model.graph.output],
        "int8": sum(ops[op] for op in INT8_OPS),
        "per_channel": any(math.prod(s.dims) > 1 for s in scales),
        "megabytes": path.stat().st_size / 1e6,
    }


@question(
    "06",
    3,
    hints=[
        "Export: `torch.onnx.export(torch_model, tuple(example[n] for n in INPUTS), "
        "str(fp32_path), input_names=INPUTS, output_names=['logits'], dynamic_axes={n: {0: "
        "'batch', 1: 'tokens'} for n in INPUTS} | {'logits': {0: 'batch'}}, opset_version=17, "
        "dynamo=False)`.",
        "Quantise: `quantize_dynamic(fp32_path, int8_path, per_channel=True, "
        "weight_type=QuantType.QInt8, extra_options={'DefaultTensorType': "
        "onnx.TensorProto.FLOAT})`; then copy config.json, tokenizer.json and "
        "tokenizer_config.json from model_path into ONNX_DIR.",
    ],
    solution="""with warnings.catch_warnings():  # the tracer warns about Python branches
    warnings.simplefilter("ignore")
    torch.onnx.export(
        torch_model,
        tuple(example[name] for name in INPUTS),
        str(fp32_path),
        input_names=INPUTS,
        output_names=["logits"],
        dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in INPUTS}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
quantize_dynamic(
    fp32_path,
    int8_path,
    per_channel=True,
    weight_type=QuantType.QInt8,
    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
)
for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
    shutil.copy(model_path / name, ONNX_DIR / name)""",
)
def q3(answers: Answers):
    from launchpad.model import resolve
    from launchpad.onnx_model import agreement

    folder = workspace_dir() / ONNX_FOLDER
    model_file, fp32 = folder / "model.onnx", folder / "fp32.onnx"
    if not model_file.exists():
        if fp32.exists():
            raise Incorrect(
                f"{ONNX_FOLDER}/fp32.onnx is there, {ONNX_FOLDER}/model.onnx is not: quantise "
                "fp32.onnx into model.onnx, the file the service loads."
            )
        raise NotAttempted(f"There is no {ONNX_FOLDER}/model.onnx in your workspace yet.")
    graph = _graph(model_file)
    names = sorted(graph["inputs"])
    expect(
        set(names) <= set(ONNX_INPUTS) and "input_ids" in names,
        f"The graph's inputs are named {names}; the service feeds them by name: pass "
        f"input_names={list(ONNX_INPUTS)} to torch.onnx.export.",
    )
    expect(
        "logits" in graph["outputs"],
        f"The graph's output is named {graph['outputs']}; the service asks for 'logits': pass "
        "output_names=['logits'].",
    )
    fixed = {
        name: dims
        for name, dims in graph["inputs"].items()
        if any(isinstance(d, int) and d > 0 for d in dims)
    }
    expect(
        not fixed,
        f"The inputs have fixed shapes ({fixed}): the model would accept only batches of that "
        "many texts of that many tokens. Export with dynamic_axes for the batch and token "
        "axes.",
    )
    expect(
        graph["int8"] > 0,
        f"{ONNX_FOLDER}/model.onnx ({graph['megabytes']:.0f} MB) has no int8 operations: it is "
        "still the fp32 graph. Quantise it with onnxruntime's quantize_dynamic.",
    )
    missing = [name for name in NEEDED_FILES if not (folder / name).is_file()]
    expect(
        not missing,
        f"{ONNX_FOLDER}/ has model.onnx but not {', '.join(missing)}: the graph alone cannot "
        "serve. Copy them from model_path (the labels are in config.json, the request parser "
        "in the tokenizer files).",
    )
    from sentiment_api.onnx_inference import OnnxSentimentModel
    from sentiment_api.predictions import ModelLoadError

    try:
        onnx_model = OnnxSentimentModel(folder, threads=min(4, os.cpu_count() or 1))
    except ModelLoadError as error:
        raise Incorrect(f"The service could not load {ONNX_FOLDER}/: {error}") from error
    texts = list(evaluation_sample())
    try:
        # One text per forward pass: int8 activations are quantised per batch (one scale for
        # the whole tensor), so a text's answer shifts a little with its batch-mates; alone,
        # it is reproducible.
        candidate = [onnx_model.predict([text])[0] for text in texts]
    except Exception as error:
        raise Incorrect(
            f"ONNX Runtime failed on a batch of evaluation texts: {type(error).__name__}: "
            f"{str(error)[:300]}"
        ) from error
    report = agreement(list(_reference_predictions(str(resolve().path))), candidate)
    share = report["label_agreement"]
    if share < MIN_AGREEMENT:
        if not graph["per_channel"]:
            raise Incorrect(
                f"Your int8 model gives PyTorch's label for only {share:.1%} of {len(texts)} "
                f"evaluation texts (at least {MIN_AGREEMENT:.0%} needed): one scale per weight "
                "matrix (per-tensor) is too coarse for this encoder. Quantise with "
                "per_channel=True."
            )
        raise Incorrect(
            f"Your ONNX model gives PyTorch's label for only {share:.1%} of {len(texts)} "
            f"evaluation texts (at least {MIN_AGREEMENT:.0%} needed): did you export the "
            "course model (model_path) and copy its own config.json and tokenizer files?"
        )
    scales = "per-channel" if graph["per_channel"] else "per-tensor"
    return (
        f"{ONNX_FOLDER}/model.onnx is int8 ({scales}, {graph['megabytes']:.0f} MB) and gives "
        f"PyTorch's label for at least {MIN_AGREEMENT:.0%} of {len(texts)} evaluation texts: "
        "the service serves this folder with BACKEND=onnx, without PyTorch."
    )


# ---- Question 4: sizing -------------------------------------------------------------------

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
# Hidden tables: unsorted rows, and one where no concurrency meets the SLO.
_HIDDEN_TABLE = [
    {"concurrency": 8, "rps": 300, "p50_ms": 20, "p99_ms": 60},
    {"concurrency": 2, "rps": 120, "p50_ms": 12, "p99_ms": 20},
    {"concurrency": 4, "rps": 210, "p50_ms": 15, "p99_ms": 35},
    {"concurrency": 16, "rps": 340, "p50_ms": 40, "p99_ms": 150},
    {"concurrency": 1, "rps": 70, "p50_ms": 11, "p99_ms": 18},
]
_SLOW_TABLE = [
    {"concurrency": 1, "rps": 12, "p50_ms": 80, "p99_ms": 260},
    {"concurrency": 2, "rps": 20, "p50_ms": 95, "p99_ms": 410},
]
PICK_CASES = [
    (MEASURED, SLO_P99_MS),
    (MEASURED, 95),  # p99 exactly on the SLO meets it
    (_HIDDEN_TABLE, 40),  # unsorted rows
    (_SLOW_TABLE, SLO_P99_MS),  # none meets it: None
]
# (peak_rps, rps_per_instance, utilisation): fractional, exact and tiny loads.
INSTANCE_CASES = [(PEAK_RPS, 520, UTILISATION), (1000, 250, 0.5), (2000, 300, 0.6), (10, 520, 0.7)]


def _meets(row: dict, slo: float, key: str = "p99_ms") -> bool:
    return row[key] <= slo


def _pick(measured: list[dict], slo: float, key: str = "p99_ms") -> int | None:
    meeting = [row["concurrency"] for row in measured if _meets(row, slo, key)]
    return max(meeting) if meeting else None


def _instances(peak: float, rps: float, utilisation: float) -> int:
    return math.ceil(peak / (rps * utilisation))


def _concurrency_mistake(measured: list[dict], slo: float, got) -> str:
    right = _pick(measured, slo)
    rows = {row["concurrency"]: row for row in measured}
    call = f"pick_concurrency(<table>, slo_p99_ms={slo})"
    if right is None:
        return (
            f"{call}: no measured concurrency meets {slo} ms (even 1 gives p99 "
            f"{min(r['p99_ms'] for r in measured)} ms), so the answer is None: more instances "
            f"of this kind will not help; got {got!r}."
        )
    if got is None:
        return (
            f"{call} returned None, but concurrency {right} meets it (p99 "
            f"{rows[right]['p99_ms']} ms): look at every row, they are not always sorted."
        )
    if isinstance(got, dict):
        return f"{call} returned a row; return its concurrency (an int), {right}."
    if got == _pick(measured, slo, "p50_ms") and got in rows:
        return (
            f"{call} returned {got}, where p50 is {rows[got]['p50_ms']} ms but p99 is "
            f"{rows[got]['p99_ms']} ms: the SLO is about p99, the slowest 1 in 100 requests."
        )
    if got == _pick([r for r in measured if r["p99_ms"] != slo], slo) and any(
        r["p99_ms"] == slo for r in measured
    ):
        return (
            f"{call} returned {got}, but concurrency {right} has p99 exactly {slo} ms, which "
            "meets the SLO (p99 <= SLO, not <)."
        )
    if got in rows and rows[got]["p99_ms"] > slo:
        return (
            f"{call} returned {got}, where p99 is {rows[got]['p99_ms']} ms: that breaks the "
            f"{slo} ms SLO. Keep the rows whose p99 meets it."
        )
    if got in rows and got < right:
        order = [row["concurrency"] for row in measured]
        unsorted = " (this table's rows are not sorted)" if order != sorted(order) else ""
        return (
            f"{call} returned {got}; {right} meets the SLO too and serves more per instance: "
            f"take the largest concurrency that meets it{unsorted}."
        )
    return f"{call} should be {right}, got {got!r}."


def _instances_mistake(peak: float, rps: float, utilisation: float, got) -> str:
    right = _instances(peak, rps, utilisation)
    exact = peak / (rps * utilisation)
    call = (
        f"instances_needed({peak}, {rps}, {utilisation}) should be {right} ({exact:.2f} rounded up)"
    )
    if isinstance(got, numbers.Real) and not float(got).is_integer():
        return f"{call}, got {got:g}: instances come whole; round up with math.ceil."
    if got == math.ceil(peak / rps) and got != right:
        return (
            f"{call}, got {got}: that runs every instance at 100% at peak, with no headroom "
            f"for a spike or a lost instance. Divide by utilisation ({utilisation}) too."
        )
    if utilisation != UTILISATION and got == _instances(peak, rps, UTILISATION):
        return f"{call}, got {got}: use the utilisation argument, not {UTILISATION}."
    if got == math.ceil(peak * utilisation / rps):
        return f"{call}, got {got}: divide by the utilisation, do not multiply by it."
    if got in (math.floor(exact), round(exact)) and got < right:
        return (
            f"{call}, got {got}: rounded down, each instance would run above "
            f"{utilisation:.0%}. Round up (math.ceil)."
        )
    if got == math.floor(exact) + 1 and exact.is_integer():
        return (
            f"{call}, got {got}: {exact:g} instances is exactly enough; math.ceil rounds up "
            "only when there is a fraction."
        )
    return f"{call}, got {got!r}."


@question(
    "06",
    4,
    hints=[
        "pick_concurrency: keep the rows with row['p99_ms'] <= slo_p99_ms, return the largest "
        "row['concurrency'] among them, or None when there is none.",
        "instances_needed: each instance may serve rps_per_instance × utilisation requests/s; "
        "divide the peak by that and round up (math.ceil).",
    ],
    solution="""def pick_concurrency(measured, slo_p99_ms):
    meeting = [row["concurrency"] for row in measured if row["p99_ms"] <= slo_p99_ms]
    return max(meeting) if meeting else None

def instances_needed(peak_rps, rps_per_instance, utilisation=0.7):
    return math.ceil(peak_rps / (rps_per_instance * utilisation))

concurrency = pick_concurrency(MEASURED, SLO_P99_MS)
rps_per_instance = next(r["rps"] for r in MEASURED if r["concurrency"] == concurrency)
instances = instances_needed(PEAK_RPS, rps_per_instance, UTILISATION)""",
)
def q4(answers: Answers):
    pick = answers.function("pick_concurrency")
    for measured, slo in PICK_CASES:
        try:
            got = pick([dict(row) for row in measured], slo)
        except Incorrect as error:
            if _pick(measured, slo) is None:
                raise Incorrect(
                    f"{error} With slo_p99_ms={slo}, no measured concurrency meets the SLO: "
                    "return None then (more instances of this kind would not help)."
                ) from error
            raise
        if got != _pick(measured, slo) or isinstance(got, bool):
            raise Incorrect(_concurrency_mistake(measured, slo, got))
    needed = answers.function("instances_needed")
    for peak, rps, utilisation in INSTANCE_CASES:
        got = needed(peak, rps, utilisation)
        number = isinstance(got, numbers.Real) and not isinstance(got, bool)
        if not (number and got == _instances(peak, rps, utilisation)):
            raise Incorrect(_instances_mistake(peak, rps, utilisation, got))
        expect(
            isinstance(got, numbers.Integral),
            f"instances_needed({peak}, {rps}, {utilisation}) returned {got!r}, a float: "
            "return an int (math.ceil gives one).",
        )
    concurrency, instances = answers.value("concurrency"), answers.value("instances")
    right_c = _pick(MEASURED, SLO_P99_MS)
    rps = next(row["rps"] for row in MEASURED if row["concurrency"] == right_c)
    right_n = _instances(PEAK_RPS, rps, UTILISATION)
    expect(
        concurrency == right_c,
        f"concurrency is {concurrency!r}: compute it with pick_concurrency(MEASURED, SLO_P99_MS).",
    )
    expect(
        instances == right_n,
        f"instances is {instances!r}, but with the throughput at concurrency {right_c} "
        f"({rps} requests/s) you need instances_needed(PEAK_RPS, {rps}, UTILISATION) = "
        f"{right_n}.",
    )
    load = PEAK_RPS / (right_n * rps)
    return (
        f"containerConcurrency {right_c} and {right_n} instances: at {PEAK_RPS} requests/s "
        f"each runs at {load:.0%} of the {rps} it can do, with p99 under {SLO_P99_MS} ms."
    )


# ---- Question 5: the cheapest configuration that meets the SLO -----------------------------

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


def _fleet(config: dict) -> tuple[int, float]:
    """Instances needed at peak with headroom, and what they cost per hour."""
    count = _instances(PEAK_RPS, config["rps"], UTILISATION)
    return count, round(count * config["usd_per_hour"], 2)


@question(
    "06",
    5,
    hints=[
        "For each configuration whose p99_ms meets SLO_P99_MS: instances = "
        "instances_needed(PEAK_RPS, config['rps'], UTILISATION), cost = instances × "
        "usd_per_hour.",
        "fleet_cost maps each name to the cost of its whole fleet (not of one instance); "
        "cheapest = min(fleet_cost, key=fleet_cost.get).",
    ],
    solution="""meeting = [c for c in CONFIGS if c["p99_ms"] <= SLO_P99_MS]
fleet_cost = {
    c["name"]: instances_needed(PEAK_RPS, c["rps"], UTILISATION) * c["usd_per_hour"]
    for c in meeting
}
cheapest = min(fleet_cost, key=fleet_cost.get)""",
)
def q5(answers: Answers):
    choice = answers.value("cheapest")
    by_name = {c["name"]: c for c in CONFIGS}
    expect(
        isinstance(choice, str) and choice in by_name,
        f"cheapest is {choice!r}; it should be one of the names in CONFIGS: {sorted(by_name)}.",
    )
    meeting = [c for c in CONFIGS if c["p99_ms"] <= SLO_P99_MS]
    best = min(meeting, key=lambda c: _fleet(c)[1])
    if choice != best["name"]:
        config = by_name[choice]
        count, cost = _fleet(config)
        if config["p99_ms"] > SLO_P99_MS:
            raise Incorrect(
                f"{choice} would cost ${cost:.2f}/h, but its p99 is {config['p99_ms']} ms: it "
                f"breaks the {SLO_P99_MS} ms SLO, at any number of instances."
            )
        cheaper = sum(_fleet(c)[1] < cost for c in meeting)
        raise Incorrect(
            f"{choice} needs {count} instances at ${config['usd_per_hour']:.2f}/h each: "
            f"${cost:.2f}/h for the fleet, and {cheaper} configuration(s) that meet the SLO "
            "cost less. Compare whole fleets (instances × price), not instances."
        )
    count, cost = _fleet(best)
    return (
        f"{best['name']}: {count} instances, ${cost:.2f}/h (about ${cost * 730:.0f} a month), "
        f"p99 {best['p99_ms']} ms. The faster runtime and batching pay for themselves."
    )


QUESTIONS = [q1, q2, q3, q4, q5]
__all__ = [
    "CONFIGS",
    "LATENCIES_MS",
    "MEASURED",
    "PEAK_RPS",
    "SLO_P99_MS",
    "UTILISATION",
    "____",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
]
