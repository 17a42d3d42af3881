"""The service under far more concurrent requests than its queue holds, as a real process on
127.0.0.1, for each backend: only 200s and 503s (with Retry-After), every 200 right."""

from __future__ import annotations

import pytest

from launchpad.loadtest import load, running_service
from sentiment_api.backends import backend_class

# Distinct texts whose sentiment is plain, so a right answer is unambiguous.
TEXTS = [
    text
    for i in range(100)
    for text in (
        f"Review {i}: a wonderful, moving film that I loved.",
        f"Review {i}: dull, boring and far too long; I hated it.",
    )
]


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_overload_gives_only_200s_and_503s_and_every_200_is_right(
    backend, course_model_dir, course_onnx_dir
):
    folder = course_onnx_dir if backend == "onnx" else course_model_dir
    direct = backend_class(backend)(folder)
    expected = {text: p.label for text, p in zip(TEXTS, direct.predict(TEXTS), strict=True)}
    assert set(expected.values()) == {"POSITIVE", "NEGATIVE"}

    with running_service(
        model_dir=folder, backend=backend, queue_max_requests=4, batch_max_texts=8
    ) as service:
        burst = load(service.base, TEXTS, concurrency=100, requests=len(TEXTS))
        assert set(burst.statuses) <= {200, 503}, burst.statuses
        assert burst.statuses.get(503, 0) > 0, "100 clients never filled a queue of 4"
        assert burst.ok > 0, "nothing was served under load"
        for text, status, body in burst.answers:
            if status == 200:
                [prediction] = body["predictions"]
                assert prediction["label"] == expected[text], text
            else:
                assert body["error"]["code"] == "overloaded"
        assert burst.retry_after == {"1"}
        # Once the burst is over, the service is back to normal.
        calm = load(service.base, TEXTS[:20], concurrency=2, requests=20)
        assert calm.statuses == {200: 20}
