"""p50_ms: the median latency in milliseconds, not the mean and not seconds."""

import time

from launchpad.checks import Answers, expect, question


@question(
    names=["p50_ms"],
    hints=[
        "Time each call with time.perf_counter() before and after, collect the durations.",
        "The median is statistics.median(durations); multiply seconds by 1000 for ms.",
    ],
)
def p50_is_the_median_in_ms(answers: Answers):
    p50_ms = answers.function("p50_ms")
    calls = []

    def slow_sometimes(text):  # 5 ms usually, 100 ms every fifth call: an outlier pattern
        calls.append(text)
        time.sleep(0.1 if len(calls) % 5 == 0 else 0.005)

    result = p50_ms(slow_sometimes, "hello", runs=10)
    expect(
        len(calls) in (10, 11),  # one extra call is a warm-up, which is good practice
        f"With runs=10, fn should be timed 10 times; it was called {len(calls)} times.",
    )
    expect(
        isinstance(result, (int, float)),
        f"p50_ms should return a number, got {type(result).__name__}.",
    )
    expect(result > 1, f"{result:.4f} looks like seconds: return milliseconds.")
    expect(
        result < 15,
        f"{result:.1f} ms is pulled up by the slow calls: that is the mean. "
        "Return the median (p50).",
    )
    expect(result >= 4, f"{result:.1f} ms is faster than the 5 ms calls it timed.")
    return "p50 is what a typical request feels like; p99 is what your unhappiest users feel."
