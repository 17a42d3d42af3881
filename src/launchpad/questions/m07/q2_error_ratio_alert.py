"""An alert rule, PredictErrors, in the workspace's monitoring/alerts.yml: checked by
`promtool check rules`, read for its window and summary, then replayed by promtool on six
scenarios (an outage that eases to 2.5%, its first minutes, a blip, client errors, a busy healthy
service, a quiet outage), each with the verdict it should get. When one fails, variants of it
tell which mistake it was (`_alert_scenarios`)."""

from __future__ import annotations

from launchpad.checks import PROMTOOL, Answers, Incorrect, expect, question
from launchpad.promql_replay import firing
from launchpad.questions.m07._alert_rule import (
    ALERT_NAME,
    ALERT_RULES,
    read_alert_rule,
    summary_mistake,
    trailing_threshold,
    window_mistake,
)
from launchpad.questions.m07._alert_scenarios import alert_scenarios, explaining_scenarios
from launchpad.questions.m07._shared import replaying


def _fires(rules: str, scenario: str) -> dict[str, bool]:
    """When the learner's alert is firing in `scenario`, at each time the scenario looks."""
    series, expected = alert_scenarios()[scenario]
    with replaying():
        return {at: firing(rules, ALERT_NAME, series, at) for at in expected}


def _explains(rules: str, variant: str) -> bool:
    """Is the learner's alert firing in an explaining variant (`explaining_scenarios`)?"""
    series, at = explaining_scenarios()[variant]
    with replaying():
        return firing(rules, ALERT_NAME, series, at)


def _silent_in_the_outage(rules: str, expr: str, fires_later: bool, wait: str) -> str:
    """Why the alert was not firing 12 minutes into a 10% outage."""
    said = (
        f"With 10% of /predict answers failing for 12 minutes, {ALERT_NAME} was not firing "
        f"(its for: is {wait})"
    )
    if fires_later:
        return (
            f"{said}; it fired only later in the outage. Whoever it pages learns of an outage "
            "long after users did: the question asks for 5 minutes of failing, then a page."
        )
    if _explains(rules, "outage of 500s"):
        return (
            f"{said}, though it fires when they fail with 500: those failures were 503s "
            "(overloaded), and a 5xx is any status from 500 to 599, each a failure of the "
            "service."
        )
    if _explains(rules, "total outage"):
        return (
            f"{said}, though it fires when every answer fails: its threshold is above 10%, far "
            "above the 2% the question pages at (2% is 0.02)."
        )
    if (threshold := trailing_threshold(expr)) is not None and threshold > 1:
        return (
            f"{said}, nor when every answer failed: a share of failures is at most 1, so it "
            f"never passes {threshold:g}. A percentage is not a ratio: 2% is 0.02."
        )
    return (
        f"{said}, nor when every answer failed: its expression never passed. Either its "
        "threshold cannot be reached (a share is at most 1; 2% is 0.02), or it selects no "
        "series (check the metric name and the status matcher), or the two sides of its "
        "division never match: without sum(...), the 5xx and the all-status series have "
        "different labels."
    )


def _fires_when_healthy(rules: str) -> str:
    """Why the alert fired on a busy service with 1% to 1.5% of predictions failing."""
    said = f"At 6,000 requests a minute with 1% to 1.5% failing, {ALERT_NAME} fired"
    if _explains(rules, "trickle"):
        return (
            f"{said}, and it fires at a single failed prediction in 6,000: it pages on any "
            "error at all, however rare, so what it compares with its threshold is not the "
            "share that fails. (Without sum, each 5xx series is divided by itself: 100%.)"
        )
    if _explains(rules, "quiet and healthy"):
        return (
            f"{said}, and at 1.5% of 200 requests a minute too: its threshold is below the 2% "
            "the question pages at, so it wakes someone for a service within its error budget."
        )
    return (
        f"{said} (60 to 90 failures a minute), though it is silent when fewer requests come: "
        "the more traffic, the more failures at the same health. Alert on the share that "
        "fails, not on a count."
    )


def _silent_in_the_quiet_outage(rules: str) -> str:
    """Why the alert stayed silent with half of 20 predictions a minute failing."""
    said = (
        f"At 20 requests a minute with half of them failing (500: a crash), {ALERT_NAME} "
        "stayed silent"
    )
    if _explains(rules, "quiet outage of 503s"):
        return (
            f"{said}, though it fires when they fail with 503: a 5xx is any status from 500 "
            "to 599, and a crash is the failure that matters most."
        )
    if _explains(rules, "quiet outage, no probes"):
        return (
            f"{said}, though it fires without the probes and scrapes: they are most of the "
            "requests and dilute the share that fails, so a quiet /predict outage never pages. "
            "The question is about /predict, on both sides of the division."
        )
    return (
        f"{said}: 10 failures a minute are too few to pass a threshold on a count, though "
        "half of the predictions fail. Alert on a ratio, not a count."
    )


@question(
    files=[str(ALERT_RULES)],
    needs=[PROMTOOL],
    hints=[
        "The expression is a share: the per-second rate of /predict's 5xx answers over 5 "
        "minutes, divided by the rate of all its answers over the same window, each summed "
        "over replicas, compared with 2% written as a fraction. The _count series of the "
        "latency histogram counts answers by route and status.",
        "Besides its expr, the rule needs a for: that makes the condition hold 5 minutes, a "
        "severity label of page, and a summary annotation that says what is failing, for "
        "whom, and what to look at first.",
    ],
)
def predict_errors_alert(answers: Answers):
    alert = read_alert_rule()
    rules, rule, wait = alert.text, alert.rule, alert.wait
    severity = (rule.get("labels") or {}).get("severity")
    expect(
        severity == "page",
        f"{ALERT_NAME} has severity {severity!r}: failing predictions are worth waking someone "
        "for, and the routing pages a person only for severity page.",
    )
    summary = (rule.get("annotations") or {}).get("summary")
    expect(
        isinstance(summary, str) and summary.strip(),
        f"{ALERT_NAME} has no `annotations: {{summary: ...}}`: the person it wakes up reads it "
        "first, so say what is wrong and where to look.",
    )
    for mistake in (summary_mistake(summary), window_mistake(alert.exprs)):
        expect(mistake is None, mistake)
    outage = _fires(rules, "outage")
    if not outage["12m"]:
        raise Incorrect(_silent_in_the_outage(rules, alert.expr, outage["35m"], wait))
    if _fires(rules, "outage, early")["3m"]:
        raise Incorrect(
            f"{ALERT_NAME} was already firing 3 minutes into the outage (its for: is {wait}): "
            "the question asks for 5 minutes of failing before a page, so that a short spell "
            "does not wake anyone."
        )
    if any(_fires(rules, "busy and healthy").values()):
        raise Incorrect(_fires_when_healthy(rules))
    if _fires(rules, "client errors")["20m"]:
        raise Incorrect(
            f"{ALERT_NAME} fired when 30% of requests got 422 and none a 5xx: a 4xx is the "
            "client's mistake, not the service's, and paging on it wakes someone for requests "
            "the service answered correctly."
        )
    if not _fires(rules, "quiet outage")["20m"]:
        raise Incorrect(_silent_in_the_quiet_outage(rules))
    if not outage["35m"]:
        raise Incorrect(
            f"When the outage eased to 2.5% of /predict answers failing, {ALERT_NAME} stopped "
            "firing, though 2.5% is still above the 2% the question pages at: its threshold is "
            "too high, and users meet an outage that pages no one."
        )
    if any(_fires(rules, "blip").values()):
        raise Incorrect(
            f"A one-minute burst of 150 errors, then health again, fired {ALERT_NAME} (its for: "
            f"is {wait}): a blip should not page. Only a failure that lasts the 5 minutes the "
            "question names should wake someone."
        )
    return (
        f"{ALERT_NAME} pages after 5 minutes of failing predictions, quiet or busy, and stays "
        "silent on a blip, on client errors and on a healthy busy service: six scenarios, "
        "replayed by promtool test rules."
    )
