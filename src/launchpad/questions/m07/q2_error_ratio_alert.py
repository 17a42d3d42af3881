"""An alert rule, PredictErrors, in the workspace's monitoring/alerts.yml: checked by
`promtool check rules`, then replayed by promtool on six scenarios (an outage, its first
minutes, a blip, client errors, a busy healthy service, a quiet outage), each with the
verdict it should get."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from launchpad.checks import PROMTOOL, Answers, Incorrect, NotAttempted, expect, question
from launchpad.paths import workspace_dir
from launchpad.promql_replay import counter_values, firing
from launchpad.questions.m07._shared import COUNT, JOB, replaying

ALERT_RULES = Path("monitoring/alerts.yml")
ALERT_NAME = "PredictErrors"


def _traffic(minutes: int, **per_minute) -> list[dict]:
    """Counter series for /predict (and probes): keyword `s503=[...]` or an int per minute,
    `route_status` names: predict_200, predict_503, predict_422, healthz_200, metrics_200."""
    series = []
    for name, steps in per_minute.items():
        route, status = name.split("_")
        steps = steps if isinstance(steps, list) else [steps] * minutes
        labels = f'{JOB},instance="10.0.0.1:8000",route="/{route}",status="{status}"'
        series.append({"series": f"{COUNT}{{{labels}}}", "values": counter_values(steps)})
    return series


@cache
def alert_scenarios() -> dict[str, tuple[list[dict], dict[str, bool]]]:
    """name: (series, {eval time: should it be firing?})"""
    return {
        "outage": (_traffic(40, predict_200=900, predict_503=100, metrics_200=60), {"12m": True}),
        "outage, early": (_traffic(40, predict_200=900, predict_503=100), {"3m": False}),
        "blip": (
            _traffic(40, predict_200=1000, predict_503=[2] * 10 + [150] + [2] * 29),
            {"12m": False, "14m": False, "20m": False},
        ),
        "client errors": (_traffic(40, predict_200=700, predict_422=300), {"20m": False}),
        "busy and healthy": (_traffic(40, predict_200=5940, predict_503=60), {"20m": False}),
        "quiet outage": (
            _traffic(40, predict_200=10, predict_503=10, healthz_200=300, metrics_200=300),
            {"20m": True},
        ),
    }


def _fires(rules: str, scenario: str) -> dict[str, bool]:
    """When the learner's alert is firing in `scenario`, at each time the scenario looks."""
    series, expected = alert_scenarios()[scenario]
    with replaying():
        return {at: firing(rules, ALERT_NAME, series, at) for at in expected}


def _alert_rule() -> tuple[str, dict]:
    from launchpad import yamlfile
    from launchpad.monitoring import promtool

    path = workspace_dir() / ALERT_RULES
    if not path.exists():
        raise NotAttempted(f"There is no {ALERT_RULES} yet: run its %%writefile cell.")
    try:
        [document] = yamlfile.documents(path) or [{}]
    except ValueError as error:
        raise Incorrect(str(error)) from error
    rules = [
        rule
        for group in (document.get("groups") or [])
        if isinstance(group, dict)
        for rule in (group.get("rules") or [])
        if isinstance(rule, dict)
    ]
    if not rules:
        raise NotAttempted(f"{ALERT_RULES} has no rules yet.")
    checked = promtool("check", "rules", path.name, cwd=path.parent)
    if checked.returncode != 0:
        said = " ".join((checked.stdout + checked.stderr).split())
        raise Incorrect(f"promtool check rules refuses {ALERT_RULES}: {said[-300:]}")
    named = [rule for rule in rules if rule.get("alert") == ALERT_NAME]
    expect(
        named,
        f"{ALERT_RULES} has no alert named {ALERT_NAME} (it has "
        f"{[r.get('alert') or r.get('record') for r in rules]}).",
    )
    return path.read_text(), named[0]


@question(
    files=[str(ALERT_RULES)],
    needs=[PROMTOOL],
    hints=[
        'The ratio: sum(rate(http_request_duration_seconds_count{route="/predict",status=~"5.."}'
        '[5m])) / sum(rate(http_request_duration_seconds_count{route="/predict"}[5m])) > 0.02',
        "Under `- alert: PredictErrors` and its `expr:`, add `for: 5m`, `labels: {severity: "
        "page}` and `annotations: {summary: ...}` saying what to look at first.",
    ],
)
def predict_errors_alert(answers: Answers):
    rules, rule = _alert_rule()
    severity = (rule.get("labels") or {}).get("severity")
    expect(
        severity == "page",
        f"{ALERT_NAME} has severity {severity!r}: failing predictions are worth waking someone "
        "for, so give it `labels: {severity: page}` (routing reads that label).",
    )
    summary = (rule.get("annotations") or {}).get("summary")
    expect(
        isinstance(summary, str) and summary.strip(),
        f"{ALERT_NAME} has no `annotations: {{summary: ...}}`: the person it wakes up reads it "
        "first, so say what is wrong and where to look.",
    )
    wait = rule.get("for", "0s")
    if not _fires(rules, "outage")["12m"]:
        raise Incorrect(
            f"With 10% of /predict answers failing for 12 minutes, {ALERT_NAME} was not firing"
            f" (its for: is {wait}). Check the threshold (2% is 0.02) and divide sums: without "
            "sum(...), the 5xx and the all-status series have different labels and never match."
        )
    if _fires(rules, "outage, early")["3m"]:
        raise Incorrect(
            f"{ALERT_NAME} was already firing 3 minutes into the outage (its for: is {wait}): "
            "add `for: 5m`, so that the condition must hold for 5 minutes before anyone is paged."
        )
    if _fires(rules, "busy and healthy")["20m"]:
        raise Incorrect(
            f"At 6,000 requests a minute with 1% failing (60 a minute), {ALERT_NAME} fired. "
            "Alert on the share that fails, sum(rate(5xx)) / sum(rate(all)) > 0.02, not on a "
            "count (and without sum, each 5xx series is divided by itself: 100%)."
        )
    if _fires(rules, "client errors")["20m"]:
        raise Incorrect(
            f"{ALERT_NAME} fired when 30% of requests got 422 and none a 5xx: a 4xx is the "
            "client's mistake, not the service's. Count status=~\"5..\" only."
        )
    if not _fires(rules, "quiet outage")["20m"]:
        raise Incorrect(
            f"At 20 requests a minute with half of them failing, {ALERT_NAME} stayed silent. "
            'Alert on a ratio, not a count, and select route="/predict" on both sides: probes '
            "and scrapes are most of the requests and would dilute it."
        )
    if any(_fires(rules, "blip").values()):
        raise Incorrect(
            f"A one-minute burst of 150 errors, then health again, fired {ALERT_NAME} (its for: "
            f"is {wait}): a blip should not page. Use a 5-minute window and `for: 5m`."
        )
    return (
        f"{ALERT_NAME} pages after 5 minutes of failing predictions, quiet or busy, and stays "
        "silent on a blip, on client errors and on a healthy busy service: six scenarios, "
        "replayed by promtool test rules."
    )
