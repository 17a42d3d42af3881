"""Question 2's plumbing: it runs the learner's Batcher in the toolkit's batcher harness and
turns what the harness saw (exceptions, hangs, crashed tasks, stubs) into feedback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from launchpad.batcher_harness import Hung, LoopRun, Outcome, submit_all
from launchpad.checks import Incorrect, NotAttempted, expect, learner_frame

MAX_TEXTS = 8
MAX_WAIT_S = 0.02
STUBBED = "Batcher (a method it calls) still raises NotImplementedError."


class BadSignature(Exception):
    """Batcher(predict, max_texts=..., max_wait_s=...) raised TypeError."""


def new_batcher(Batcher: type, predict: Callable):
    try:
        return Batcher(predict, max_texts=MAX_TEXTS, max_wait_s=MAX_WAIT_S)
    except TypeError as error:
        raise BadSignature(str(error)) from error


def learner_error(error: BaseException, what: str) -> Exception:
    """The learner's exception as feedback: not attempted, or what broke and where."""
    if isinstance(error, NotImplementedError):
        return NotAttempted(STUBBED)
    where = learner_frame(error)
    return Incorrect(
        f"{what} raised {type(error).__name__}: {error} "
        f"(line {where.lineno}: `{(where.line or '').strip()}`)."
    )


def crash_report(run: LoopRun) -> str:
    """A sentence on the batcher's first crashed background task, or "" if none crashed."""
    if not run.crashed:
        return ""
    error = run.crashed[0]
    if isinstance(error, NotImplementedError):
        raise NotAttempted(STUBBED)
    where = learner_frame(error)
    return (
        f" Its background task crashed with {type(error).__name__}: {error} "
        f"(line {where.lineno}: `{(where.line or '').strip()}`)."
    )


def drive(run: LoopRun, scenario: Callable[[], Awaitable[Any]], timeout: float, what: str):
    """Run `scenario` for the check; the learner's exceptions and hangs become feedback."""
    try:
        return run.drive(scenario, timeout)
    except Hung:
        raise Incorrect(
            f"{what}, the batcher kept its event loop busy for {timeout:.0f} s: a loop that "
            "never awaits (or a time.sleep on the loop) blocks every other request. Await "
            "something in each turn (restart the kernel if a CPU stays busy)."
        ) from None
    except BadSignature as error:
        raise Incorrect(
            f"Batcher(predict, max_texts={MAX_TEXTS}, max_wait_s={MAX_WAIT_S}) failed: "
            f"{error}. Keep the constructor's signature."
        ) from error
    except (Exception, asyncio.CancelledError) as error:
        raise learner_error(error, what) from error


def not_stubbed(outcomes: Sequence[Outcome]) -> None:
    for status, value in outcomes:
        if status == "error" and isinstance(value, NotImplementedError):
            raise NotAttempted(STUBBED)


def concurrent_requests(
    Batcher: type, model, texts_per_request: Sequence[Sequence[str]], timeout: float
) -> tuple[LoopRun, list[Outcome]]:
    """Drive a new Batcher(model.predict) with concurrent requests; return (run, outcomes)."""
    run = LoopRun()

    async def scenario():
        batcher = new_batcher(Batcher, model.predict)
        return await submit_all(batcher, texts_per_request, timeout)

    outcomes = drive(run, scenario, timeout + 5, f"With {len(texts_per_request)} request(s)")
    not_stubbed(outcomes)
    return run, outcomes


def expect_answers(
    texts_per_request: Sequence[Sequence[str]],
    outcomes: Sequence[Outcome],
    run: LoopRun,
    wanted: Callable[[Sequence[str]], list],
    what: str,
) -> None:
    """Every request answered, each with `wanted(its texts)`."""
    pending = sum(status == "pending" for status, _ in outcomes)
    expect(
        not pending,
        f"{what}: {pending} of {len(outcomes)} requests got no answer."
        + (
            crash_report(run)
            or " Does every batch's forward pass set the result of each of its requests?"
        ),
    )
    for i, ((status, value), texts) in enumerate(zip(outcomes, texts_per_request, strict=True)):
        if status == "error":
            raise learner_error(value, f"{what}: request {i} ({texts})")
        got = list(value) if isinstance(value, (list, tuple)) else value
        want = wanted(texts)
        if got != want:
            labels = [getattr(p, "label", p) for p in got] if isinstance(got, list) else got
            raise Incorrect(
                f"{what}: request {i} sent {texts} and got {labels}, not "
                f"{[p.label for p in want]}: each request must get the predictions for its "
                "own texts, in order; a client that gets another client's predictions shows "
                "its user someone else's answer."
            )
