"""Question 2's traffic: the six scenarios that judge the learner's PredictErrors alert, each with
the times it must (or must not) be firing, and the variants that only explain a failure (did it
miss 503s, or drown in probes, or fire on any single error?). Counters grow once a minute, as
promtool replays them."""

from __future__ import annotations

from functools import cache

from launchpad.promql_replay import counter_values
from launchpad.questions.m07._shared import COUNT, JOB

MINUTES = 40


def traffic(**per_minute: int | list[int]) -> list[dict]:
    """Counter series of `MINUTES` minutes, named `route_status` (predict_200, predict_503,
    healthz_200, metrics_200, ...): what each grows by every minute, one number or a list."""
    series = []
    for name, steps in per_minute.items():
        route, status = name.split("_")
        steps = steps if isinstance(steps, list) else [steps] * MINUTES
        labels = f'{JOB},instance="10.0.0.1:8000",route="/{route}",status="{status}"'
        series.append({"series": f"{COUNT}{{{labels}}}", "values": counter_values(steps)})
    return series


def _then(first: int, then: int, at: int = 20) -> list[int]:
    """`first` a minute until minute `at`, then `then`."""
    return [first] * at + [then] * (MINUTES - at)


# Probes and scrapes: many fast requests that are not predictions.
_PROBES = {"healthz_200": 300, "metrics_200": 300}


@cache
def alert_scenarios() -> dict[str, tuple[list[dict], dict[str, bool]]]:
    """The judged scenarios: name -> (series, {eval time: should it be firing?})."""
    return {
        # 10% of predictions fail (overloaded: 503) for 20 minutes, then 2.5%, still above 2%.
        "outage": (
            traffic(predict_200=_then(900, 975), predict_503=_then(100, 25), metrics_200=60),
            {"12m": True, "35m": True},
        ),
        "outage, early": (traffic(predict_200=900, predict_503=100), {"3m": False}),
        "blip": (
            traffic(predict_200=1000, predict_503=[2] * 10 + [150] + [2] * 29),
            {"12m": False, "14m": False, "15m": False, "20m": False},
        ),
        "client errors": (traffic(predict_200=700, predict_422=300), {"20m": False}),
        # 1% failing, then 1.5%: below the 2% that pages, however many requests that is.
        "busy and healthy": (
            traffic(predict_200=_then(5940, 5910), predict_503=_then(60, 90)),
            {"20m": False, "35m": False},
        ),
        # Half of 20 predictions a minute fail (a crash: 500), among 600 probes and scrapes.
        "quiet outage": (traffic(predict_200=10, predict_500=10, **_PROBES), {"20m": True}),
    }


@cache
def explaining_scenarios() -> dict[str, tuple[list[dict], str]]:
    """Variants that tell mistakes apart once a judged scenario failed: name -> (series, time)."""
    return {
        # The outage, failing with 500 instead of 503; and with every prediction failing.
        "outage of 500s": (traffic(predict_200=900, predict_500=100), "12m"),
        "total outage": (traffic(predict_503=1000), "12m"),
        # The quiet outage, with 503 instead of 500; and without the probes.
        "quiet outage of 503s": (traffic(predict_200=10, predict_503=10, **_PROBES), "20m"),
        "quiet outage, no probes": (traffic(predict_200=10, predict_500=10), "20m"),
        # Healthy at 1.5%, like the busy service, at 200 requests a minute.
        "quiet and healthy": (traffic(predict_200=197, predict_503=3), "20m"),
        # One failed prediction a minute in 6,000.
        "trickle": (traffic(predict_200=5999, predict_503=1), "20m"),
    }
