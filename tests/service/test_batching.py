"""The micro-batcher on its own: gathering, order, limits, failures and disconnects.

The model here is a function that records each forward pass and echoes its texts, so every
assertion can say which request got which answer. The real model is driven through the
batcher in test_overload.py."""

from __future__ import annotations

import asyncio

import pytest

from sentiment_api.batching import MicroBatcher, QueueFull
from sentiment_api.predictions import Prediction


class EchoModel:
    """Answers each text with itself as the label; fails a pass that contains "boom"."""

    def __init__(self, seconds: float = 0.01):
        self.passes: list[list[str]] = []
        self.seconds = seconds

    def predict(self, texts: list[str]) -> list[Prediction]:
        import time

        self.passes.append(list(texts))
        time.sleep(self.seconds)  # a forward pass takes time; requests queue meanwhile
        if any("boom" in t for t in texts):
            raise ValueError("cannot classify 'boom'")
        return [Prediction(label=t, score=1.0) for t in texts]


def run(coroutine):
    return asyncio.run(coroutine)


async def with_batcher(model, body, **limits):
    batcher = MicroBatcher(model.predict, **limits)
    batcher.start()
    try:
        return await body(batcher)
    finally:
        await batcher.stop()


def labels(predictions: list[Prediction]) -> list[str]:
    return [p.label for p in predictions]


def test_concurrent_requests_share_passes_and_each_gets_its_own_answer():
    model = EchoModel()

    async def body(batcher):
        requests = [[f"r{i}"] if i % 3 else [f"r{i}a", f"r{i}b"] for i in range(40)]
        answers = await asyncio.gather(*(batcher.submit(texts) for texts in requests))
        return requests, answers

    requests, answers = run(with_batcher(model, body, max_texts=8, max_wait_s=0.005))
    assert [labels(a) for a in answers] == requests
    assert len(model.passes) < len(requests) / 3, "requests were not gathered into batches"
    assert max(len(p) for p in model.passes) <= 8
    assert sorted(t for p in model.passes for t in p) == sorted(t for r in requests for t in r)


def test_batch_of_one_is_naive_serving_one_request_per_pass():
    model = EchoModel(seconds=0.001)

    async def body(batcher):
        return await asyncio.gather(*(batcher.submit([f"r{i}"]) for i in range(10)))

    answers = run(with_batcher(model, body, max_texts=1, max_wait_s=0.01))
    assert [labels(a) for a in answers] == [[f"r{i}"] for i in range(10)]
    assert model.passes == [[f"r{i}"] for i in range(10)]


def test_a_request_larger_than_the_batch_runs_alone_and_whole():
    model = EchoModel()
    big = [f"t{i}" for i in range(12)]

    async def body(batcher):
        return await asyncio.gather(batcher.submit(["before"]), batcher.submit(big))

    before, answer = run(with_batcher(model, body, max_texts=4, max_wait_s=0.005))
    assert labels(before) == ["before"] and labels(answer) == big
    assert big in model.passes


def test_the_wait_lets_a_later_request_join_the_batch():
    model = EchoModel()

    async def body(batcher):
        first = asyncio.create_task(batcher.submit(["first"]))
        await asyncio.sleep(0.02)  # well inside the 0.5 s wait, well before it ends
        second = await batcher.submit(["second"])
        return await first, second

    first, second = run(with_batcher(model, body, max_texts=8, max_wait_s=0.5))
    assert (labels(first), labels(second)) == (["first"], ["second"])
    assert model.passes == [["first", "second"]]


def test_a_failing_request_fails_alone_and_its_neighbours_get_answers():
    model = EchoModel()

    async def body(batcher):
        texts = ["ok 1", "boom", "ok 2", "ok 3"]
        return await asyncio.gather(*(batcher.submit([t]) for t in texts), return_exceptions=True)

    answers = run(with_batcher(model, body, max_texts=8, max_wait_s=0.01))
    assert isinstance(answers[1], ValueError) and "boom" in str(answers[1])
    assert [labels(answers[i]) for i in (0, 2, 3)] == [["ok 1"], ["ok 2"], ["ok 3"]]


def test_a_full_queue_refuses_at_once_and_answers_everything_it_accepted():
    model = EchoModel(seconds=0.05)

    async def body(batcher):
        tasks = [asyncio.create_task(batcher.submit([f"r{i}"])) for i in range(20)]
        await asyncio.sleep(0)  # let every submit run up to its queue check
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return results

    results = run(with_batcher(model, body, max_texts=2, max_wait_s=0, max_queue=5))
    refused = [r for r in results if isinstance(r, QueueFull)]
    answered = {i: r for i, r in enumerate(results) if not isinstance(r, BaseException)}
    assert len(refused) == 15 and len(answered) == 5
    assert all(labels(r) == [f"r{i}"] for i, r in answered.items())


def test_a_client_that_goes_away_loses_nothing_for_the_others():
    model = EchoModel(seconds=0.05)

    async def body(batcher):
        blocker = asyncio.create_task(batcher.submit(["busy"]))  # holds the model
        await asyncio.sleep(0.01)
        gone = asyncio.create_task(batcher.submit(["gone"]))
        stays = asyncio.create_task(batcher.submit(["stays"]))
        await asyncio.sleep(0.01)
        gone.cancel()  # what Starlette does when the client disconnects
        later = await batcher.submit(["later"])
        return await blocker, await stays, later, gone

    blocker, stays, later, gone = run(with_batcher(model, body, max_texts=4, max_wait_s=0))
    assert gone.cancelled()
    assert (labels(blocker), labels(stays), labels(later)) == (["busy"], ["stays"], ["later"])
    assert ["gone"] not in model.passes and not any("gone" in p for p in model.passes)


@pytest.mark.parametrize("setting", ["batch_max_texts", "queue_max_requests"])
def test_settings_refuse_a_batcher_that_cannot_work(setting, monkeypatch):
    from pydantic import ValidationError

    from sentiment_api.settings import Settings

    monkeypatch.setenv(setting.upper(), "0")
    with pytest.raises(ValidationError, match=setting):
        Settings()


@pytest.mark.parametrize(
    "lengths",
    [[5], [10, 60, 12, 58, 11, 61, 30], [16] * 32, list(range(3, 70, 2)), [70, 3]],
)
def test_length_groups_cover_every_text_once_with_little_padding(lengths):
    from sentiment_api.predictions import length_groups

    groups = length_groups(lengths, max_padding=0.25)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for group in groups:
        real = sum(lengths[i] for i in group)
        padded = len(group) * max(lengths[i] for i in group)
        assert len(group) == 1 or padded <= 1.25 * real, (group, lengths)
    if len(set(lengths)) == 1:
        assert len(groups) == 1, "equal lengths need no padding: one pass"


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_a_mixed_length_batch_answers_like_single_texts(backend, course_model_dir, course_onnx_dir):
    from sentiment_api.backends import backend_class

    model = backend_class(backend)(course_onnx_dir if backend == "onnx" else course_model_dir)
    texts = [
        "Bad.",
        "An absolutely wonderful, funny and moving film that I would happily watch again.",
        "Great!",
        "I walked out after twenty minutes of this tedious, badly acted and ugly mess.",
        "Fine, I suppose.",
    ]
    together = model.predict(texts)
    alone = [model.predict([text])[0] for text in texts]
    assert [p.label for p in together] == [p.label for p in alone]
    # fp32 matches to rounding; int8 quantises each pass's activations with its own scale.
    tolerance = 1e-4 if backend == "torch" else 0.05
    for a, b in zip(together, alone, strict=True):
        assert a.score == pytest.approx(b.score, abs=tolerance)


def test_stopping_answers_what_is_queued_and_refuses_what_comes_after():
    model = EchoModel(seconds=0.2)

    async def body():
        batcher = MicroBatcher(model.predict, max_texts=1)
        batcher.start()
        running = asyncio.create_task(batcher.submit(["in the model"]))
        queued = asyncio.create_task(batcher.submit(["still queued"]))
        await asyncio.sleep(0.05)
        await batcher.stop()
        results = await asyncio.gather(running, queued, return_exceptions=True)
        with pytest.raises(RuntimeError, match="not running"):
            await batcher.submit(["too late"])
        return results

    running, queued = run(body())
    assert isinstance(queued, RuntimeError) and "shutting down" in str(queued)
    assert isinstance(running, RuntimeError)  # its pass was cut short: it is told so
