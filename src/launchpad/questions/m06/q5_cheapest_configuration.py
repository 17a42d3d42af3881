"""The cheapest configuration whose whole fleet meets the SLO at peak."""

from __future__ import annotations

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.questions.m06._shared import instances_for
from launchpad.questions.m06.figures import CONFIGS, PEAK_RPS, SLO_P99_MS, UTILISATION


def _fleet(config: dict) -> tuple[int, float]:
    """Instances needed at peak with headroom, and what they cost per hour."""
    count = instances_for(PEAK_RPS, config["rps"], UTILISATION)
    return count, round(count * config["usd_per_hour"], 2)


@question(
    names=["cheapest"],
    hints=[
        "For each configuration whose p99_ms meets SLO_P99_MS: instances = "
        "instances_needed(PEAK_RPS, config['rps'], UTILISATION), cost = instances × "
        "usd_per_hour.",
        "fleet_cost maps each name to the cost of its whole fleet (not of one instance); "
        "cheapest = min(fleet_cost, key=fleet_cost.get).",
    ],
)
def cheapest_fleet_meets_the_slo(answers: Answers):
    choice = answers.value("cheapest")
    by_name = {c["name"]: c for c in CONFIGS}
    expect(
        isinstance(choice, str) and choice in by_name,
        f"cheapest is {choice!r}; it should be one of the names in CONFIGS: {sorted(by_name)}.",
    )
    meeting = [c for c in CONFIGS if c["p99_ms"] <= SLO_P99_MS]
    best = min(meeting, key=lambda c: _fleet(c)[1])
    if choice != best["name"]:
        config = by_name[choice]
        count, cost = _fleet(config)
        if config["p99_ms"] > SLO_P99_MS:
            raise Incorrect(
                f"{choice} would cost ${cost:.2f}/h, but its p99 is {config['p99_ms']} ms: it "
                f"breaks the {SLO_P99_MS} ms SLO, at any number of instances."
            )
        cheaper = sum(_fleet(c)[1] < cost for c in meeting)
        raise Incorrect(
            f"{choice} needs {count} instances at ${config['usd_per_hour']:.2f}/h each: "
            f"${cost:.2f}/h for the fleet at peak, and {cheaper} configuration(s) that meet "
            "the SLO cost less for the whole fleet: the bill is per instance, times instances."
        )
    count, cost = _fleet(best)
    return (
        f"{best['name']}: {count} instances, ${cost:.2f}/h (about ${cost * 730:.0f} a month), "
        f"p99 {best['p99_ms']} ms. The faster runtime and batching pay for themselves."
    )
