"""Module 06's checks: they pass the reference answers and name realistic mistakes.

The solution notebook self-tests each check on wrong answers too; these cases add the edges
(stubs, hangs, hidden inputs) and run without a notebook kernel.
"""

from __future__ import annotations

import asyncio
import math
import re
import shutil
import statistics
import time
from fractions import Fraction

import pytest
from support.questions import outcome

from launchpad.checks import Incorrect, ____
from launchpad.loadtest import percentile as toolkit_percentile
from launchpad.questions import m06
from launchpad.questions.m06.figures import LATENCIES_MS
from launchpad.questions.m06.q1_percentile import percentile_cases
from launchpad.questions.m06.q2_micro_batcher import _late_arrival_joins, _one_bad_request


def nearest_rank(values, q):
    ordered = sorted(values)
    return ordered[math.ceil(Fraction(q) * len(ordered) / 100) - 1]  # exact: no float rank


# ---- Question 1 ------------------------------------------------------------------------------

FLOAT_RANKS = {
    "q / 100 * n": lambda q, n: q / 100 * n,
    "n * (q / 100)": lambda q, n: n * (q / 100),
    "q * 0.01 * n": lambda q, n: q * 0.01 * n,
}


def test_hidden_percentile_cases_include_ranks_that_a_float_puts_one_too_far():
    """ceil(q / 100 * n) differs from the exact rank for some q and n (7 / 100 * 100 is
    7.000000000000001): the hidden cases include such ranks for each way of writing it, and the
    toolkit's percentile, which the check holds answers to, gets every hidden case right."""
    cases = percentile_cases()
    for values, q in cases:
        assert toolkit_percentile(values, q) == nearest_rank(values, q)
    for written, rank in FLOAT_RANKS.items():
        moved = [
            q
            for values, q in cases
            if math.ceil(rank(q, len(values))) != math.ceil(Fraction(q) * len(values) / 100)
        ]
        assert moved, f"no hidden case where {written} gives another rank"


def float_rank_percentile(rank):
    return lambda values, q: sorted(values)[math.ceil(rank(q, len(values))) - 1]


@pytest.mark.parametrize("written", FLOAT_RANKS)
def test_q1_names_float_rounding_in_the_rank(written):
    percentile = float_rank_percentile(FLOAT_RANKS[written])
    status, message = outcome(m06.q1, **q1_answers(percentile=percentile))
    assert status == "incorrect", message
    assert "the next one" in message and "no exact binary fraction" in message, message
    assert "list indices" not in message  # not an off-by-one index


def test_q1_names_float_rounding_in_numpy_inverted_cdf():
    import numpy as np

    def percentile(values, q):
        return float(np.percentile(values, q, method="inverted_cdf"))

    status, message = outcome(m06.q1, **q1_answers(percentile=percentile))
    assert status == "incorrect" and "(numpy's percentile too)" in message, message


def test_q1_passes_exact_ranks_written_in_other_ways():
    for percentile in (
        lambda values, q: sorted(values)[-(-q * len(values) // 100) - 1],
        lambda values, q: sorted(values)[math.ceil(Fraction(q, 100) * len(values)) - 1],
        lambda values, q: sorted(values)[math.ceil(len(values) * q / 100) - 1],
    ):
        status, message = outcome(m06.q1, **q1_answers(percentile=percentile))
        assert status == "correct", message


def q1_answers(percentile=nearest_rank, **overrides):
    return {
        "percentile": percentile,
        "p50": nearest_rank(LATENCIES_MS, 50),
        "p99": nearest_rank(LATENCIES_MS, 99),
        **overrides,
    }


def test_q1_passes_the_reference():
    status, message = outcome(m06.q1, **q1_answers())
    assert status == "correct" and "p99 385.9 ms" in message


@pytest.mark.parametrize(
    "wrong, says",
    [
        (lambda values, q: statistics.mean(values), "that is the mean"),
        (lambda values, q: statistics.median(values), "ignores q"),
        (lambda values, q: values[math.ceil(q * len(values) / 100) - 1], "sort them"),
        (lambda values, q: sorted(values)[math.ceil(q * len(values) / 100)], "IndexError"),
        (lambda values, q: sorted(values)[int(q * len(values) / 100)], "the next one"),
        (lambda values, q: sorted(values)[int(q * len(values) / 100) - 1], "before"),
        (lambda values, q: sorted(values)[min(len(values) - 1, int(q * len(values)))], "fraction"),
        (lambda values, q: [sorted(values)], "one number"),
    ],
    ids=[
        "mean",
        "median",
        "unsorted",
        "index-error",
        "floor",
        "truncated-rank",
        "fraction",
        "list",
    ],
)
def test_q1_names_the_mistake(wrong, says):
    status, message = outcome(m06.q1, **q1_answers(percentile=wrong))
    assert status == "incorrect" and says in message, message


def test_q1_stub_and_placeholders_are_not_attempted():
    def stub(values, q):
        raise NotImplementedError

    assert outcome(m06.q1, **q1_answers(percentile=stub))[0] == "not_attempted"
    assert outcome(m06.q1, **q1_answers(p50=____))[0] == "not_attempted"


def test_q1_wrong_values_are_named():
    status, message = outcome(m06.q1, **q1_answers(p50=statistics.mean(LATENCIES_MS)))
    assert status == "incorrect" and "p50 is" in message


# ---- Question 2 ------------------------------------------------------------------------------


def _solution_class(question, name: str) -> type:
    """The class in a question's solution, exactly as `qN.solution()` shows it to learners."""
    scope: dict = {"asyncio": asyncio}
    exec(question.solution_code, scope)
    return scope[name]


Reference = _solution_class(m06.q2, "Batcher")


class NeverWoken(Reference):
    """Forgets to signal arrivals: the worker sleeps through every request after the first."""

    async def submit(self, texts):
        if self.worker is None:
            self.arrived = asyncio.Event()
            self.worker = asyncio.create_task(self.run())
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((list(texts), future))
        return await future


class MixesUpAnswers(Reference):
    """Hands out the batch's predictions in reverse request order."""

    async def answer(self, batch):
        texts = [text for request, _ in batch for text in request]
        predictions = await asyncio.to_thread(self.predict, texts)
        predictions.reverse()
        start = 0
        for request, future in batch:
            future.set_result(predictions[start : start + len(request)])
            start += len(request)


def test_q2_passes_the_reference_with_the_course_model():
    status, message = outcome(m06.q2, Batcher=Reference)
    assert status == "correct", message


class Stub:
    def __init__(self, predict, max_texts=8, max_wait_s=0.005):
        self.predict = predict

    async def submit(self, texts):
        raise NotImplementedError("Replace this line with your code.")


class StartsAWorkerStub(Stub):
    async def submit(self, texts):
        asyncio.get_running_loop().create_task(self.run())
        return await asyncio.get_running_loop().create_future()

    async def run(self):
        raise NotImplementedError("Replace this line with your code.")


class Sequential(Stub):
    """No gathering at all, but correct answers."""

    async def submit(self, texts):
        return await asyncio.to_thread(self.predict, list(texts))


class BlocksTheLoop(Stub):
    async def submit(self, texts):
        time.sleep(9)  # a learner's busy loop, bounded so the test's thread ends
        return self.predict(list(texts))


class SwallowsErrors(Stub):
    async def submit(self, texts):
        try:
            return await asyncio.to_thread(self.predict, list(texts))
        except Exception:
            return []


class WrongSignature:
    def __init__(self, predict, batch_size=8):
        pass

    async def submit(self, texts):
        return []


@pytest.mark.parametrize("batcher", [Stub, StartsAWorkerStub], ids=["submit", "run"])
def test_q2_stubs_are_not_attempted(batcher):
    assert outcome(m06.q2, Batcher=batcher)[0] == "not_attempted"


@pytest.mark.parametrize(
    "batcher, says",
    [
        (Sequential, "nothing was gathered"),
        (NeverWoken, "nothing woke it"),
        (MixesUpAnswers, "each request must get the predictions for its own texts"),
        (BlocksTheLoop, "kept its event loop busy"),
        (WrongSignature, "Keep the constructor's signature"),
        (lambda predict: None, "should be a class"),
    ],
    ids=["sequential", "never-woken", "mixed-up", "blocks-the-loop", "signature", "not-a-class"],
)
def test_q2_names_the_mistake(batcher, says):
    status, message = outcome(m06.q2, Batcher=batcher)
    assert status == "incorrect" and says in message, message


def test_q2_a_swallowed_error_is_named():
    """Sequential answers pass the gathering test only if they batch: check the error path on
    its own."""
    with pytest.raises(Incorrect, match="instead of an error"):
        _one_bad_request(SwallowsErrors)


class WaitsWithTimeSleep(Reference):
    """Waits for company with time.sleep: the loop stops, so nothing can arrive to join."""

    async def run(self):
        while True:
            while not self.waiting:
                self.arrived.clear()
                await self.arrived.wait()
            if sum(len(texts) for texts, _ in self.waiting) < self.max_texts:
                time.sleep(self.max_wait_s)
            batch, self.waiting = self.waiting[:1], self.waiting[1:]
            await self.answer(batch)


class NeverWaits(Reference):
    """Takes what is waiting at once: concurrent requests share a pass only if they queued
    before the worker ran."""

    async def run(self):
        while True:
            while not self.waiting:
                self.arrived.clear()
                await self.arrived.wait()
            batch, size = [], 0
            while self.waiting and (not batch or size + len(self.waiting[0][0]) <= 8):
                batch.append(self.waiting.pop(0))
                size += len(batch[-1][0])
            await self.answer(batch)


@pytest.mark.parametrize(
    "batcher, says",
    [(WaitsWithTimeSleep, "(time.sleep) stops the whole loop"), (NeverWaits, "did not wait")],
    ids=["time-sleep", "no-wait"],
)
def test_q2_a_request_that_arrives_during_the_wait_must_join(batcher, says):
    """Both pass the concurrent requests, which all queue before the worker first runs."""
    with pytest.raises(Incorrect, match=re.escape(says)):
        _late_arrival_joins(batcher)
    _late_arrival_joins(Reference)  # the reference's wait lets it join


def test_q2_sync_submit_is_named():
    class Sync(Stub):
        def submit(self, texts):
            return []

    status, message = outcome(m06.q2, Batcher=Sync)
    assert status == "incorrect" and "async def submit" in message


# ---- Question 3 ------------------------------------------------------------------------------


def test_q3_empty_workspace_is_not_attempted(workspace):
    assert outcome(m06.q3)[0] == "not_attempted"


def test_q3_names_a_missing_quantisation_step(workspace):
    (workspace / "onnx").mkdir()
    (workspace / "onnx" / "fp32.onnx").write_bytes(b"")
    status, message = outcome(m06.q3)
    assert status == "incorrect" and "onnx/model.onnx is not" in message


def test_q3_passes_the_toolkits_export_and_names_missing_tokenizer(workspace, course_onnx_dir):
    folder = workspace / "onnx"
    shutil.copytree(course_onnx_dir, folder)
    status, message = outcome(m06.q3)
    assert status == "correct" and "per-channel" in message, message
    (folder / "tokenizer.json").unlink()
    status, message = outcome(m06.q3)
    assert status == "incorrect" and "not tokenizer.json" in message


# ---- Questions 4 and 5 ---------------------------------------------------------------------


def pick(measured, slo):
    meeting = [row["concurrency"] for row in measured if row["p99_ms"] <= slo]
    return max(meeting) if meeting else None


def needed(peak, rps, utilisation=0.7):
    return math.ceil(peak / (rps * utilisation))


def q4_answers(**overrides):
    return {
        "pick_concurrency": pick,
        "instances_needed": needed,
        "concurrency": 16,
        "instances": 6,
        **overrides,
    }


def test_q4_passes_the_reference():
    status, message = outcome(m06.q4, **q4_answers())
    assert status == "correct" and "containerConcurrency 16 and 6 instances" in message


def last_meeting_in_table_order(measured, slo):
    best = None
    for row in measured:
        if row["p99_ms"] <= slo:
            best = row["concurrency"]
    return best


def stops_at_first_breach(measured, slo):
    best = None
    for row in measured:
        if row["p99_ms"] > slo:
            break
        best = row["concurrency"]
    return best


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"pick_concurrency": lambda m, slo: min(r["concurrency"] for r in m)}, "take the largest"),
        (
            {"pick_concurrency": lambda m, slo: max(r["concurrency"] for r in m)},
            "that breaks the 100 ms SLO",
        ),
        (
            {"pick_concurrency": lambda m, slo: next(r for r in m if r["concurrency"] == 16)},
            "returned a row",
        ),
        ({"pick_concurrency": last_meeting_in_table_order}, "rows are not sorted"),
        ({"pick_concurrency": stops_at_first_breach}, "not always sorted"),
        (
            {
                "pick_concurrency": lambda m, slo: max(
                    r["concurrency"] for r in m if r["p99_ms"] <= slo
                )
            },
            "return None then",
        ),
        ({"instances_needed": lambda p, r, u=0.7: p / (r * u)}, "instances come whole"),
        ({"instances_needed": lambda p, r, u=0.7: round(p / (r * u))}, "rounded down"),
        ({"instances_needed": lambda p, r, u=0.7: int(p / (r * u)) + 1}, "exactly enough"),
        ({"instances_needed": lambda p, r, u=0.7: math.ceil(p / (r * 0.7))}, "argument"),
        ({"instances_needed": lambda p, r, u=0.7: float(math.ceil(p / (r * u)))}, "an int"),
        ({"instances": 4}, "instances is 4"),
        ({"concurrency": 32}, "concurrency is 32"),
    ],
)
def test_q4_names_the_mistake(overrides, says):
    status, message = outcome(m06.q4, **q4_answers(**overrides))
    assert status == "incorrect" and says in message, message


def test_q5_passes_the_reference_and_names_the_mistakes():
    assert outcome(m06.q5, cheapest="onnx-2cpu-batching")[0] == "correct"
    status, message = outcome(m06.q5, cheapest="onnx-4cpu-batching")
    assert status == "incorrect" and "cost less for the whole fleet" in message
    assert "onnx-2cpu-batching" not in message  # the failure does not give the answer away
    status, message = outcome(m06.q5, cheapest="onnx-1cpu-batching")
    assert "breaks the 100 ms SLO" in message
    status, message = outcome(m06.q5, cheapest="fastest")
    assert "one of the names in CONFIGS" in message


# ---- Question 6 ------------------------------------------------------------------------------

LOCUSTFILE = """
import random

from locust import HttpUser, between, task

REVIEWS = ["Loved every minute.", "A dull, endless film.", "Fine, if forgettable."]


class Reviewer(HttpUser):
    wait_time = between(0.2, 1)

    @task
    def predict(self):
        BODY
"""
RIGHT_BODY = 'self.client.post("/predict", json={"text": random.choice(REVIEWS)})'


def test_q6_runs_the_learners_locustfile_against_a_recording_service(workspace):
    (workspace / "locustfile.py").write_text(LOCUSTFILE.replace("BODY", RIGHT_BODY))
    status, message = outcome(m06.q6)
    assert status == "correct", message
    assert "every refusal counted as a failure" in message


@pytest.mark.parametrize(
    "body, says",
    [
        ('raise NotImplementedError("Replace this line with your code.")', None),
        (
            "self.client.post('/predict', json={'text': random.choice(REVIEWS)})\n    x = (",
            "could not run",
        ),
    ],
)
def test_q6_untouched_or_broken_file_gets_words_not_a_traceback(workspace, body, says):
    (workspace / "locustfile.py").write_text(LOCUSTFILE.replace("BODY", body))
    status, message = outcome(m06.q6)
    if says is None:
        assert status == "not_attempted", message
    else:
        assert status == "incorrect" and says in message, message
        assert "Traceback" not in message


def test_q6_without_a_locustfile_is_not_attempted(workspace):
    assert outcome(m06.q6)[0] == "not_attempted"
