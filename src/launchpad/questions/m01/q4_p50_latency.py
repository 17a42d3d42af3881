"""p50_ms: the median latency in milliseconds, not the mean, not the total and not seconds."""

import statistics
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
    calls_ms = []  # each call's own duration, as this check measured it

    def slow_sometimes(text):  # 5 ms usually, 100 ms every fifth call: an outlier pattern
        start = time.perf_counter()
        time.sleep(0.1 if (len(calls_ms) + 1) % 5 == 0 else 0.005)
        calls_ms.append((time.perf_counter() - start) * 1000)

    result = p50_ms(slow_sometimes, "hello", runs=10)
    expect(
        len(calls_ms) in (10, 11),  # one extra call is a warm-up, which is good practice
        f"With runs=10, fn should be timed 10 times; it was called {len(calls_ms)} times.",
    )
    expect(
        isinstance(result, (int, float)),
        f"p50_ms should return a number, got {type(result).__name__}.",
    )
    expect(result > 1, f"{result:.4f} looks like seconds: return milliseconds.")
    expect(result < 15, _pulled_up(result, calls_ms))
    expect(result >= 4, f"{result:.1f} ms is faster than the 5 ms calls it timed.")
    return "p50 is what a typical request feels like; p99 is what your unhappiest users feel."


def _pulled_up(result: float, calls_ms: list[float]) -> str:
    """Name what a too-large result is: the total, the mean, or some other high statistic."""
    total, mean = sum(calls_ms), statistics.mean(calls_ms)
    if result >= 0.75 * total:  # no single call took this long: it is all of them together
        return (
            f"{result:.1f} ms is about as long as all {len(calls_ms)} calls took together "
            f"({total:.0f} ms): that is the total of the runs, not the latency of one call. "
            "Return the median (p50) of the calls' own times."
        )
    if abs(result - mean) <= 0.25 * mean:
        return (
            f"{result:.1f} ms is pulled up by the slow calls: that is the mean. "
            "Return the median (p50)."
        )
    return (
        f"{result:.1f} ms is pulled up by the slow calls, while a typical call here took "
        f"{statistics.median(calls_ms):.1f} ms. Return the median (p50)."
    )
