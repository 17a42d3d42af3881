"""A PromQL query for the p99 latency of /predict over the last 5 minutes, replayed by promtool
on series whose answer is known. A mistake is named when undoing it in the learner's own query
gives the answer (irate for rate, another window for [5m]), or when a common wrong query gives
the learner's answer."""

from __future__ import annotations

import math
import re

from launchpad.checks import PROMTOOL, Answers, Incorrect, expect, question
from launchpad.promql_replay import (
    QueryError,
    counter_values,
    duration_seconds,
    evaluate,
    range_windows,
    with_windows,
)
from launchpad.questions.m07._shared import BUCKET, JOB, close, replaying

EVAL_AT = "30m"
# Bucket upper bounds, and the cumulative share of answers within each: /predict was slow for
# 20 minutes (a bad deploy), fast for 8, and a little slower in the last 2; two replicas; 503s
# answer at once; the health probes are many and fast.
_LE = ("0.05", "0.1", "0.25", "0.5", "1", "+Inf")
_SLOW = (20, 60, 120, 160, 200, 200)
_FAST = (70, 90, 97, 99, 100, 100)
_BUSY = (40, 70, 90, 98, 100, 100)
_INSTANT = (100, 100, 100, 100, 100, 100)
# What the counters held when the 30 minutes began: the process had served for days.
_HISTORY = (30000, 70000, 90000, 96000, 99000, 100000)


def _histogram(
    labels: str, minutes: list[tuple[int, tuple[int, ...]]], start: tuple[int, ...] = (0,) * 6
) -> list[dict]:
    """Bucket series for `labels`: (how many minutes, what each bucket grows by in each)."""
    series = []
    for i, le in enumerate(_LE):
        steps = [grows[i] for count, grows in minutes for _ in range(count)]
        values = counter_values(steps, start[i])
        series.append({"series": f'{BUCKET}{{{labels},le="{le}"}}', "values": values})
    return series


def _p99_series() -> list[dict]:
    series = []
    for instance in ("10.0.0.1:8000", "10.0.0.2:8000"):
        common = f'{JOB},instance="{instance}",method="POST"'
        series += _histogram(
            f'{common},route="/predict",status="200"',
            [(20, _SLOW), (8, _FAST), (2, _BUSY)],
            _HISTORY,
        )
        series += _histogram(
            f'{common},route="/predict",status="503"', [(30, tuple(s // 50 for s in _INSTANT))]
        )
        probe = f'{JOB},instance="{instance}",method="GET",route="/healthz",status="200"'
        series += _histogram(probe, [(30, tuple(s * 6 for s in _INSTANT))])
    return series


def _p99(selector: str = 'route="/predict"', q: str = "0.99", window: str = "5m") -> str:
    return f"histogram_quantile({q}, sum by (le) (rate({BUCKET}{{{selector}}}[{window}])))"


P99_MISTAKES = {
    _p99(): None,  # the right answer
    _p99(q="0.95"): "That is p95: the first argument of histogram_quantile is 0.99 for p99.",
    _p99(q="0.9"): "That is p90: the first argument of histogram_quantile is 0.99 for p99.",
    _p99(q="0.5"): "That is the median: the first argument of histogram_quantile is 0.99 for p99.",
    _p99(selector=JOB): (
        "That mixes in the /healthz probes, which are many and fast: they pull the p99 down, "
        "so a slow /predict hides behind them."
    ),
    f'histogram_quantile(0.99, sum by (le) ({BUCKET}{{route="/predict"}}))': (
        "That is the p99 since the process started: days of history outweigh the last 5 "
        "minutes, so a slow spell now barely moves it."
    ),
}


_IRATE = re.compile(r"\birate(\s*\()")
IRATE = (
    "That is irate: the rate between the last two samples in the window, however long the "
    "window is, so your p99 follows the latest scrape, not the 5 minutes the question asks "
    "about. A p99 that jumps with every scrape makes a noisy panel and an alert that flaps."
)


def _in_words(window: str) -> str:
    """A window as a person says it: "an hour", "15 minutes", else as written ("[90s]")."""
    seconds = duration_seconds(window) or 0
    for unit, size in (("hour", 3600), ("minute", 60)):
        count, rest = divmod(seconds, size)
        if count and not rest:
            return f"an {unit}" if count == 1 and unit == "hour" else f"{count:g} {unit}s"
    return f"[{window}]"


def _over(window: str) -> str:
    """What a window other than [5m] measures, and what the question asks for instead."""
    seconds = duration_seconds(window) or 0
    if seconds >= 30 * 60:  # the replay holds 30 minutes
        return (
            f"That is over {_in_words(window)} (here, since the start): the question asks for 5m."
        )
    if seconds > 5 * 60:
        return f"That is over {_in_words(window)}: the question asks for the last 5 ([5m])."
    span = "minute" if seconds == 60 else _in_words(window)
    return f"That is over the last {span}: the question asks for 5 ([5m])."


def _undone_mistake(expr: str, series: list[dict], right: float) -> str | None:
    """The learner's one mistake, if undoing it in their own query gives the answer."""

    def gives_the_answer(repaired: str) -> bool:
        try:
            return any(close(v, right) for _, v in evaluate(repaired, series, EVAL_AT))
        except QueryError:  # the repair made it invalid: not this mistake
            return False

    windows = [w for w in range_windows(expr) if duration_seconds(w) != 5 * 60]
    if _IRATE.search(expr) and gives_the_answer(with_windows(_IRATE.sub(r"rate\1", expr), "5m")):
        also = f" And [{windows[0]}] is not the 5 minutes either." if windows else ""
        return IRATE + also
    if windows and gives_the_answer(with_windows(expr, "5m")):
        return _over(windows[0])
    return None


def _evaluate(expr: str, series: list[dict]) -> list[tuple[str, float]]:
    with replaying():
        return evaluate(expr, series, EVAL_AT)


@question(
    names=["P99_PREDICT"],
    needs=[PROMTOOL],
    hints=[
        "histogram_quantile turns bucket counters into a quantile. It needs how fast each "
        "bucket grew over the window (not its total since the process started), added up "
        "over replicas and statuses but keeping the bucket bound `le`.",
        'From the inside out: the _bucket counters of route="/predict", rate over [5m], '
        "sum by (le), then histogram_quantile with 0.99.",
    ],
)
def p99_of_predict(answers: Answers):
    expr = answers.value("P99_PREDICT")
    expect(
        isinstance(expr, str) and expr.strip(),
        f"P99_PREDICT should be a PromQL query, as a string; it is {expr!r}.",
    )
    series = _p99_series()
    got = _evaluate(expr, series)
    [(_, right)] = _evaluate(_p99(), series)
    if not got:
        raise Incorrect(
            "Your query returns no series, though /predict had traffic: histogram_quantile "
            "reads the _bucket counters and their `le` label, and either the aggregation "
            "dropped `le` or a metric or label name matches nothing. A panel would show no "
            "data, and an alert on it would never fire."
        )
    if len(got) > 1:
        raise Incorrect(
            f"Your query returns {len(got)} series, one p99 per replica, method and status: "
            "none of them is the p99 of /predict, and quantiles cannot be averaged afterwards "
            "(the buckets can be added up before)."
        )
    [(_, value)] = got
    if close(value, right):
        return (
            f"p99 of /predict over the last 5 minutes: {value * 1000:.1f} ms, from 4 bucket "
            "counters across 2 replicas and 2 statuses. The same query is the heart of "
            "HighPredictLatencyP99."
        )
    if math.isinf(value):
        raise Incorrect(
            "Your query returns +Inf: the quantile is a fraction (0.99), not a percentage (99)."
        )
    if why := _undone_mistake(expr, series, right):
        raise Incorrect(f"Your query gives {value:.4f} s; the answer is {right:.4f} s. {why}")
    for mistake, why in P99_MISTAKES.items():
        if why is not None and any(close(value, v) for _, v in _evaluate(mistake, series)):
            raise Incorrect(f"Your query gives {value:.4f} s; the answer is {right:.4f} s. {why}")
    raise Incorrect(
        f"Your query gives {value:.4f} s; p99 of /predict over the last 5 minutes is "
        f"{right:.4f} s. Compare it with the hint's shape: quantile, sum by (le), rate, [5m]."
    )
