"""A nearest-rank percentile, and p50 and p99 of a load test's latencies."""

from __future__ import annotations

import math
import random
import statistics

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.questions.m06.figures import load_test_latencies

# Hidden inputs: one value, unsorted values, q=100, ranks that fall exactly on a value, and
# ranks that a float computation of q / 100 puts one too far (7 / 100 * 100 is 7.000000000000001).
FIVE = [40.0, 90.0, 10.0, 30.0, 20.0]
TEN = [7.0, 3.0, 9.0, 1.0, 10.0, 5.0, 2.0, 8.0, 6.0, 4.0]


def _shuffled(n: int, seed: int) -> list[float]:
    values = [float(v) for v in range(1, n + 1)]
    random.Random(seed).shuffle(values)
    return values


def percentile_cases() -> list[tuple[list[float], float]]:
    """The hidden (values, q) the learner's percentile must get right, the latencies last."""
    return [
        ([42.0], 50),
        ([42.0], 99),
        (FIVE, 50),
        (FIVE, 20),
        (FIVE, 100),
        (TEN, 90),
        (TEN, 95),
        ([5.0, 1.0, 5.0, 5.0], 50),
        (_shuffled(100, 57), 57),  # q * 0.01 * n: float rank 58, exact rank 57
        (_shuffled(100, 7), 7),  # float rank 8 (q / 100 * n, q * 0.01 * n), exact rank 7
        (_shuffled(50, 14), 14),  # float rank 8, exact rank 7
        (load_test_latencies(), 99),
    ]


def _rank(n: int, q: float) -> int:
    return math.ceil(q * n / 100)


# Ways of writing the rank whose floats can land just above a whole number: how it is written,
# the number that has no exact binary fraction, what it computes, and who else writes it so.
# (The hidden case p57 of 100 meets only the second, before p7 meets both.)
FLOAT_RANKS = [
    ("{q} / 100 × {n}", "{q} / 100", lambda q, n: q / 100 * n, " (numpy's percentile too)"),
    ("{q} × 0.01 × {n}", "0.01", lambda q, n: q * 0.01 * n, ""),
]


def _short(values: list[float]) -> str:
    """The hidden input as the message shows it: in full when short, else what it is."""
    if len(values) <= 10:
        return str(values)
    if sorted(values) == [float(v) for v in range(1, len(values) + 1)]:
        return f"<1 to {len(values)}, shuffled>"
    return f"<{len(values)} latencies>"


def _same(a, b) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _percentile_mistake(values: list[float], q: float, got) -> str:
    """What a wrong percentile(values, q) most likely did, in one sentence."""
    ordered, n = sorted(values), len(values)
    rank = _rank(n, q)
    call = f"percentile({_short(values)}, {q}) should be {ordered[rank - 1]:g}"
    where = f"(the {_ordinal(rank)} of the {n} sorted values: rank = ceil({q} × {n} / 100))"
    if float_rounding := _float_rounding(ordered, q, got):
        return f"{call} {where}, got {got:g}, the next one: {float_rounding}"
    if _same(got, statistics.mean(values)):
        return f"{call} {where}, got {got:g}: that is the mean, which a slow tail drags around."
    if q != 50 and _same(got, statistics.median(values)):
        return f"{call}, got {got:g}, the median: the function ignores q."
    if values != ordered and _same(got, values[rank - 1]):
        return (
            f"{call}, got {got:g}, the value at that position as the values came: they come in "
            "the order they were measured, so a position says nothing about rank until you "
            "sort them."
        )
    if rank < n and _same(got, ordered[rank]):
        return (
            f"{call} {where}, got {got:g}, the next one: ranks count from 1 but list indices "
            "from 0, so the rank used as an index lands one value too far."
        )
    if rank >= 2 and _same(got, ordered[rank - 2]):
        return (
            f"{call} {where}, got {got:g}, the one before: the rank was rounded down (or to "
            f"the nearest), and fewer than {q:g}% of the values are at or below the value "
            "before the nearest rank, so it understates the percentile."
        )
    if not any(_same(got, v) for v in values):
        return (
            f"{call}, got {got:g}, which is none of the measured values: that is an "
            "interpolating percentile (numpy's default). Nearest-rank returns a measured value."
        )
    if q < 100 and _same(got, ordered[-1]):
        return f"{call}, got the maximum: q is a percentage (50 for p50), not a fraction."
    return f"{call} {where}, got {got!r}."


def _float_rounding(ordered: list[float], q: float, got) -> str:
    """Why `got` is the value one rank too far, if a float rank explains it; else ""."""
    n = len(ordered)
    for written, inexact, compute, also in FLOAT_RANKS:
        product = compute(q, n)
        if math.ceil(product) == _rank(n, q) + 1 and _same(got, ordered[_rank(n, q)]):
            return (
                f"{inexact.format(q=q)} has no exact binary fraction, so "
                f"{written.format(q=q, n=n)} comes out as {product!r}, and rounding that up "
                f"gives rank {math.ceil(product)}, one too far{also}. Such a rank is wrong only "
                "for some q and n, a bug that a test of p50 and p99 on one sample never shows: "
                "the rank's arithmetic must be exact."
            )
    return ""


@question(
    names=["percentile", "p50", "p99"],
    hints=[
        "Sort a copy (`sorted(values)`), then take the value of rank ceil(q × n / 100), "
        "counting ranks from 1; multiply before you divide, so that no float rounding error "
        "moves the rank.",
        "The value of rank r sits at index r - 1 of the sorted copy. p50 and p99 are your "
        "function applied to LATENCIES_MS with q = 50 and q = 99.",
    ],
)
def percentiles_are_nearest_rank(answers: Answers):
    from launchpad.loadtest import percentile as nearest_rank

    percentile = answers.function("percentile")
    for values, q in percentile_cases():
        given = list(values)
        try:
            got = percentile(given, q)
        except Incorrect as error:
            if isinstance(error.__cause__, IndexError):
                raise Incorrect(
                    f"percentile({_short(values)}, {q}) raised IndexError: the rank "
                    f"ceil({q} × {len(values)} / 100) counts from 1 but list indices from 0, "
                    "so the top rank used as an index is one past the end."
                ) from error
            raise
        expect(
            given == values,
            "percentile sorted the caller's list in place (values.sort()): the caller's "
            "timings are now reordered, and whatever reads them next in recorded order (a "
            "plot over time, a second analysis) is silently wrong.",
        )
        expect(
            isinstance(got, (int, float)) or hasattr(got, "__float__"),
            f"percentile should return one number, got {type(got).__name__}.",
        )
        if not _same(got, nearest_rank(values, q)):
            raise Incorrect(_percentile_mistake(values, q, got))
    p50, p99 = answers.value("p50"), answers.value("p99")
    latencies = load_test_latencies()
    reference = {50: nearest_rank(latencies, 50), 99: nearest_rank(latencies, 99)}
    for q, value in ((50, p50), (99, p99)):
        expect(
            _same(value, reference[q]),
            f"p{q} is {value!r}, but percentile(LATENCIES_MS, {q}) is {reference[q]:g}: "
            "compute it from LATENCIES_MS with your function."
            + (" That is the maximum, not p99." if _same(value, max(latencies)) else ""),
        )
    mean = statistics.mean(latencies)
    return (
        f"p50 {p50:g} ms, p99 {p99:g} ms: the slowest request in every hundred waits at "
        f"least {p99 / p50:.0f} times as long as the typical one. The mean ({mean:.1f} ms) "
        "describes neither."
    )
