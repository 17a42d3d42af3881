"""Size a deployment from a load test: the concurrency that meets the SLO, and the instances
that serve the peak with headroom."""

from __future__ import annotations

import math
import numbers

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.questions.m06._shared import instances_for
from launchpad.questions.m06.figures import MEASURED, PEAK_RPS, SLO_P99_MS, UTILISATION

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
    right = instances_for(peak, rps, utilisation)
    exact = peak / (rps * utilisation)
    call = (
        f"instances_needed({peak}, {rps}, {utilisation}) should be {right} ({exact:.2f} rounded up)"
    )
    if isinstance(got, numbers.Real) and not float(got).is_integer():
        return f"{call}, got {got:g}: instances come whole, and a fraction of one cannot be run."
    if got == math.ceil(peak / rps) and got != right:
        return (
            f"{call}, got {got}: that runs every instance at 100% at peak, with no headroom "
            f"for a spike or a lost instance (utilisation is {utilisation})."
        )
    if utilisation != UTILISATION and got == instances_for(peak, rps, UTILISATION):
        return f"{call}, got {got}: use the utilisation argument, not {UTILISATION}."
    if got == math.ceil(peak * utilisation / rps):
        return f"{call}, got {got}: divide by the utilisation, do not multiply by it."
    if got in (math.floor(exact), round(exact)) and got < right:
        return (
            f"{call}, got {got}: rounded down, each instance would run above "
            f"{utilisation:.0%} at peak, eating the headroom the utilisation is for."
        )
    if got == math.floor(exact) + 1 and exact.is_integer():
        return (
            f"{call}, got {got}: {exact:g} instances is exactly enough; math.ceil rounds up "
            "only when there is a fraction."
        )
    return f"{call}, got {got!r}."


@question(
    names=["pick_concurrency", "instances_needed", "concurrency", "instances"],
    hints=[
        "pick_concurrency: keep the rows with row['p99_ms'] <= slo_p99_ms, return the largest "
        "row['concurrency'] among them, or None when there is none.",
        "instances_needed: each instance may serve rps_per_instance × utilisation requests/s; "
        "divide the peak by that and round up (math.ceil).",
    ],
)
def deployment_is_sized_from_the_load_test(answers: Answers):
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
        if not (number and got == instances_for(peak, rps, utilisation)):
            raise Incorrect(_instances_mistake(peak, rps, utilisation, got))
        expect(
            isinstance(got, numbers.Integral),
            f"instances_needed({peak}, {rps}, {utilisation}) returned {got!r}, a float: "
            "return an int (math.ceil gives one).",
        )
    concurrency, instances = answers.value("concurrency"), answers.value("instances")
    right_c = _pick(MEASURED, SLO_P99_MS)
    rps = next(row["rps"] for row in MEASURED if row["concurrency"] == right_c)
    right_n = instances_for(PEAK_RPS, rps, UTILISATION)
    expect(
        concurrency == right_c,
        f"concurrency is {concurrency!r}: compute it with pick_concurrency(MEASURED, SLO_P99_MS).",
    )
    expect(
        instances == right_n,
        f"instances is {instances!r}, which is not what the peak needs with the throughput at "
        f"concurrency {right_c} ({rps} requests/s), the concurrency each instance will run "
        "at: a fleet sized on another row's throughput is too small or too large.",
    )
    load = PEAK_RPS / (right_n * rps)
    return (
        f"containerConcurrency {right_c} and {right_n} instances: at {PEAK_RPS} requests/s "
        f"each runs at {load:.0%} of the {rps} it can do, with p99 under {SLO_P99_MS} ms."
    )
