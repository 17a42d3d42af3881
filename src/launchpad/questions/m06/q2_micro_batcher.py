"""A micro-batcher: concurrent requests share forward passes, and a bad request fails alone.

The learner's asyncio code runs in the toolkit's batcher harness (`launchpad.batcher_harness`):
a fresh event loop in a worker thread, with a deadline, so a batcher that hangs gets a hint,
not a frozen notebook.
"""

from __future__ import annotations

import inspect
import math
import time

from launchpad.batcher_harness import (
    POISON,
    EchoModel,
    LoopRun,
    Serialised,
    echo_predictions,
    submit_all,
)
from launchpad.checks import Answers, expect, question
from launchpad.questions.m06._batcher_feedback import (
    MAX_TEXTS,
    MAX_WAIT_S,
    concurrent_requests,
    crash_report,
    drive,
    expect_answers,
    learner_error,
    new_batcher,
    not_stubbed,
)
from launchpad.questions.m06._shared import torch_model

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
    names=["Batcher"],
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
)
def batcher_gathers_requests(answers: Answers):
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
    _gathered_requests(Batcher)
    # 3. A request the model cannot read fails alone; the batcher carries on.
    _one_bad_request(Batcher)
    # 4. The real course model, through the batcher, answers as it does alone.
    _real_model(Batcher)
    return (
        "Concurrent requests share forward passes of at most max_texts texts, each gets its own "
        "answers, and a bad request fails alone: the heart of the service's MicroBatcher, which "
        "adds a bounded queue (503 when full), no wait by default, and clients that leave."
    )


def _lone_requests(Batcher: type) -> None:
    """One request alone, then another once it is answered: each goes after max_wait_s."""
    echo, run, seconds = EchoModel(), LoopRun(), []

    async def scenario():
        batcher = new_batcher(Batcher, echo.predict)
        outcomes = []
        for texts in (["alone"], ["later"]):
            started = time.perf_counter()
            outcomes += await submit_all(batcher, [texts], timeout=2)
            seconds.append(time.perf_counter() - started)
            if outcomes[-1][0] != "ok":
                break
        return outcomes

    outcomes = drive(run, scenario, 9, "With one request at a time")
    not_stubbed(outcomes)
    expect(
        outcomes[0][0] != "pending",
        "A lone request got no answer within 2 s: a batch must go when max_wait_s has passed, "
        "even if fewer than max_texts texts are waiting." + crash_report(run),
    )
    expect_answers([["alone"]], outcomes[:1], run, echo_predictions, "A lone request")
    expect(
        seconds[0] < 1,
        f"A lone request took {seconds[0]:.1f} s with max_wait_s={MAX_WAIT_S} and a 30 ms "
        "model: wait at most max_wait_s (in seconds) for company.",
    )
    expect(
        outcomes[1][0] != "pending",
        "A second request, sent after the first was answered, got no answer within 2 s: the "
        "worker went back to waiting and nothing woke it. Signal every arrival "
        "(self.arrived.set()) in submit." + crash_report(run),
    )
    expect_answers([["later"]], outcomes[1:], run, echo_predictions, "A second request")


def _gathered_requests(Batcher: type) -> None:
    echo = EchoModel()
    sizes = [1, 2, 3, 1, 2] * 4
    requests = [[f"r{i}-t{j}" for j in range(size)] for i, size in enumerate(sizes)]
    run, outcomes = concurrent_requests(Batcher, echo, requests, timeout=5)
    expect_answers(
        requests, outcomes, run, echo_predictions, f"{len(requests)} concurrent requests"
    )
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


def _one_bad_request(Batcher: type) -> None:
    echo = EchoModel()
    requests = [["a"], ["b"], [POISON], ["c"], ["d", "e"], ["f"]]
    bad = requests.index([POISON])
    run = LoopRun()

    async def scenario():
        batcher = new_batcher(Batcher, echo.predict)
        first = await submit_all(batcher, requests, timeout=2)
        if any(status == "pending" for status, _ in first):
            return first, [("pending", None)]
        return first, await submit_all(batcher, [["after"]], timeout=2)

    first, after = drive(run, scenario, 10, "When predict raised")
    status, value = first[bad]
    if any(status == "pending" for status, _ in [*first, *after]):
        crash = crash_report(run)
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
    expect_answers(
        [r for r in requests if r != [POISON]],
        [o for o, r in zip(first, requests, strict=True) if r != [POISON]],
        run,
        echo_predictions,
        "Next to a bad request",
    )
    expect(
        after[0][0] == "ok",
        "After a failed forward pass, the batcher stopped answering: keep the worker's loop "
        "going after an error.",
    )


def _real_model(Batcher: type) -> None:
    """Labels as the model gives them alone; scores equal to 3 decimals (padding in a batch
    changes the last digits)."""
    from launchpad.model.source import resolve

    model = Serialised(torch_model(str(resolve().path)))
    run, outcomes = concurrent_requests(Batcher, model, REAL_REQUESTS, timeout=60)
    pending = sum(status == "pending" for status, _ in outcomes)
    expect(
        not pending,
        f"With the course model, {pending} of {len(REAL_REQUESTS)} requests got no answer within "
        f"60 s.{crash_report(run)}",
    )
    for i, ((status, value), texts) in enumerate(zip(outcomes, REAL_REQUESTS, strict=True)):
        if status == "error":
            raise learner_error(value, f"With the course model, request {i}")
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
