"""Module 07's checks: they pass the reference answers and name realistic mistakes.

The solution notebook self-tests each check on wrong answers too; these cases add the edges
(placeholders, stubs, empty files) and run without a notebook kernel. Questions 1 and 2 run the
real promtool.
"""

from __future__ import annotations

import math

import pytest
from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Summary,
    generate_latest,
)
from support.questions import outcome

from launchpad.drift import psi as toolkit_psi
from launchpad.promql_replay import duration_seconds, range_windows, with_windows
from launchpad.questions import m07
from launchpad.questions.m07.materials import REPORTS, toy_model
from launchpad.questions.m07.q3_psi import PSI_CASES

# ---- Question 1 ------------------------------------------------------------------------------

P99 = (
    "histogram_quantile(0.99, sum by (le) ("
    'rate(http_request_duration_seconds_bucket{route="/predict"}[5m])))'
)


@pytest.mark.parametrize(
    "query",
    [
        P99,
        P99.replace('{route="/predict"}', '{job="sentiment-api",route="/predict"}'),
        P99.replace("sum by (le)", "sum by (le, route)"),
        P99.replace("rate(", "increase("),
    ],
    ids=["reference", "job", "by-route", "increase"],
)
def test_q1_passes_equivalent_queries(query):
    status, message = outcome(m07.q1, P99_PREDICT=query)
    assert status == "correct" and "635.7 ms" in message, message


@pytest.mark.parametrize(
    "query, says",
    [
        (P99.replace("rate(", "(").replace("[5m]", ""), "since the process started"),
        (P99.replace("sum by (le)", "sum"), "returns no series"),
        (P99.replace("sum by (le)", "sum by (route)"), "returns no series"),
        (P99.replace("sum by (le) ", ""), "one p99 per replica"),
        (P99.replace("0.99", "0.95"), "That is p95"),
        (P99.replace("0.99", "0.5"), "the median"),
        (P99.replace("0.99", "99"), "not a percentage"),
        (P99.replace('{route="/predict"}', ""), "/healthz probes"),
        (P99.replace("[5m]", "[1m]"), "over the last minute"),
        (P99.replace("[5m]", "[1h]"), "over an hour"),
        (P99.replace("_bucket", "_count"), "returns no series"),
        (P99[:-1], "cannot run your query"),
        (0.99, "as a string"),
    ],
    ids=[
        "no-rate",
        "no-le",
        "by-route-only",
        "no-sum",
        "p95",
        "median",
        "percentage",
        "all-routes",
        "1m",
        "1h",
        "count",
        "syntax",
        "number",
    ],
)
def test_q1_names_the_mistake(query, says):
    status, message = outcome(m07.q1, P99_PREDICT=query)
    assert status == "incorrect" and says in message, message


@pytest.mark.parametrize(
    "query, says",
    [
        (P99.replace("rate(", "irate("), "That is irate"),
        (P99.replace("rate(", "irate(").replace("[5m]", "[1m]"), "And [1m] is not"),
        (P99.replace("[5m]", "[2m]"), "over the last 2 minutes"),
        (P99.replace("[5m]", "[120s]"), "over the last 2 minutes"),
        (P99.replace("[5m]", "[90s]"), "over the last [90s]"),
        (P99.replace("rate(", "increase(").replace("[5m]", "[15m]"), "over 15 minutes"),
    ],
    ids=["irate", "irate-1m", "2m", "120s", "90s", "increase-15m"],
)
def test_q1_names_the_mistake_the_query_has_not_one_with_the_same_answer(query, says):
    """irate, [1m] and [2m] give the same p99 on the replay: the query's text says which it is."""
    status, message = outcome(m07.q1, P99_PREDICT=query)
    assert status == "incorrect" and says in message, message
    if "irate" in query or "2m" in query or "120s" in query:
        assert "last minute" not in message, message


def test_windows_are_read_and_rewritten_as_promql_writes_them():
    expr = 'sum(rate(a{b="c"}[ 5m ])) / sum(rate(a[1h30m])) + max_over_time(x[10m:1m])'
    assert range_windows(expr) == ["5m", "1h30m", "10m"]
    assert with_windows(expr, "5m") == (
        'sum(rate(a{b="c"}[5m])) / sum(rate(a[5m])) + max_over_time(x[5m:1m])'
    )
    durations = [duration_seconds(d) for d in ("5m", "300s", "1h30m", "90", "5x")]
    assert durations == [300, 300, 5400, None, None]


def test_q1_placeholder_is_not_attempted():
    assert outcome(m07.q1, P99_PREDICT=m07.____)[0] == "not_attempted"


# ---- Question 2 ------------------------------------------------------------------------------

RATIO = (
    'sum(rate(http_request_duration_seconds_count{route="/predict",status=~"5.."}[5m]))\n'
    '            / sum(rate(http_request_duration_seconds_count{route="/predict"}[5m])) > 0.02'
)
RULES = f"""groups:
  - name: my-sentiment-api
    rules:
      - alert: PredictErrors
        expr: |
          {RATIO}
        for: 5m
        labels:
          severity: page
        annotations:
          summary: More than 2% of predictions fail; look for the error kind in the logs.
"""


SUMMARY = "summary: More than 2% of predictions fail; look for the error kind in the logs."


def write_rules(workspace, text: str = RULES) -> None:
    folder = workspace / "monitoring"
    folder.mkdir(exist_ok=True)
    (folder / "alerts.yml").write_text(text)


def test_q2_passes_the_reference(workspace):
    write_rules(workspace)
    status, message = outcome(m07.q2)
    assert status == "correct", message


def test_q2_accepts_increase_and_a_longer_for(workspace):
    write_rules(workspace, RULES.replace("rate(", "increase(").replace("for: 5m", "for: 8m"))
    status, message = outcome(m07.q2)
    assert status == "correct", message


@pytest.mark.parametrize(
    "old, new, says",
    [
        ("        for: 5m\n", "", "already firing 3 minutes into the outage"),
        ("for: 5m", "for: 3m", "a blip should not page"),
        ("for: 5m", "for: 30m", "its for: is 30m"),
        ('status=~"5.."', 'status=~"4..|5.."', "a 4xx is the client's mistake"),
        (RATIO, RATIO.split("\n")[0].replace("[5m]))", "[5m])) > 1"), "not on a count"),
        (RATIO, RATIO.split("\n")[0].replace("[5m]))", "[5m])) > 0.1"), "not on a count"),
        ('{route="/predict"}[5m]', "[5m]", "on both sides"),
        ("sum(rate", "(rate", "divided by itself"),
        ("> 0.02", "> 2", "2% is 0.02"),
        ("severity: page", "severity: ticket", "severity 'ticket'"),
        ("summary:", "description:", "no `annotations: {summary: ...}`"),
        ("PredictErrors", "PredictErrorRate", "no alert named PredictErrors"),
        ("expr: |", "expr: |\n          foo(", "promtool check rules refuses"),
        ("severity: page", "severity: page\n     bad: [", "not valid YAML"),
    ],
    ids=[
        "no-for",
        "short-for",
        "long-for",
        "4xx",
        "absolute-high",
        "absolute-low",
        "all-routes",
        "no-sum",
        "percent",
        "ticket",
        "no-summary",
        "name",
        "syntax",
        "yaml",
    ],
)
def test_q2_names_the_mistake(workspace, old, new, says):
    assert old in RULES
    write_rules(workspace, RULES.replace(old, new))
    status, message = outcome(m07.q2)
    assert status == "incorrect" and says in message, message


@pytest.mark.parametrize(
    "old, new",
    [
        ("> 0.02", "> 2 / 100"),
        (RATIO, f"100 * {RATIO.replace('> 0.02', '> 2')}"),
        ('{route="/predict",status=~"5.."}', '{status=~"5..", route="/predict"}'),
        ("for: 5m", "for: 300s"),
        (RATIO, f"({RATIO}) and ({RATIO.replace('[5m]', '[1h]')})"),
        (SUMMARY, 'summary: "{{ $value | humanizePercentage }} of /predict requests fail"'),
    ],
    ids=["fraction", "percent", "matchers-reordered", "for-in-seconds", "multi-window", "template"],
)
def test_q2_passes_other_ways_of_writing_it(workspace, old, new):
    assert old in RULES
    write_rules(workspace, RULES.replace(old, new))
    status, message = outcome(m07.q2)
    assert status == "correct", message


@pytest.mark.parametrize(
    "old, new, says, not_says",
    [
        ("> 0.02", "> 0.09", "threshold is too high", "[5m]"),
        ("> 0.02", "> 5 / 100", "threshold is too high", "[5m]"),
        ("> 0.02", "> 0.2", "its threshold is above 10%", "fired only later"),
        ("> 0.02", "> 0.01", "below the 2%", "count"),
        ("> 0.02", "> 0.002", "below the 2%", "count"),
        ("[5m]", "[1m]", "over [1m]", "threshold"),
        ("[5m]", "[30s]", "over [30s]", "threshold"),
        ("[5m]", "[15m]", "over [15m]", "threshold"),
        (RATIO, RATIO.replace("rate(", "(").replace("[5m]", ""), "no range window", "threshold"),
        ("for: 5m", "for: 15m", "it fired only later", "threshold"),
        ("for: 5m", "for: 4m", "a blip should not page", "[5m]"),
        ('status=~"5.."', 'status="500"', "those failures were 503s", "threshold"),
        ('status=~"5.."', 'status="503"', "a crash", "not a count"),
        ('status=~"5.."', 'status=~"5xx"', "selects no series", "fires when"),
        ('{route="/predict"}[5m]', "[5m]", "dilute the share", "not a count"),
        ('{route="/predict"}[5m]', '{job="sentiment-api"}[5m]', "dilute the share", "not a count"),
        (SUMMARY, 'summary: "errors"', "does not say whom it hurts", "what is wrong"),
        (SUMMARY, "summary: High error rate", "does not say whom it hurts", "what is wrong"),
        (SUMMARY, "summary: PredictErrors firing", "say what is wrong or whom", "threshold"),
        (SUMMARY, "summary: The sentiment API needs care", "say what is wrong.", "whom"),
    ],
    ids=[
        "threshold-9%",
        "threshold-5-in-100",
        "threshold-20%",
        "threshold-1%",
        "threshold-0.2%",
        "window-1m",
        "window-30s",
        "window-15m",
        "no-window",
        "for-15m",
        "for-4m",
        "only-500",
        "only-503",
        "status-5xx-literal",
        "all-routes",
        "job-only",
        "summary-errors",
        "summary-what-only",
        "summary-name-only",
        "summary-whom-only",
    ],
)
def test_q2_names_the_mistake_made_not_a_neighbour(workspace, old, new, says, not_says):
    """Issue 18: a 9% threshold, a [1m] window and `summary: errors` were accepted; a [30s]
    window was answered with the threshold, a ratio over every route with counts."""
    assert old in RULES
    write_rules(workspace, RULES.replace(old, new))
    status, message = outcome(m07.q2)
    assert status == "incorrect" and says in message, message
    assert not_says not in message, message


def test_q2_missing_file_and_empty_rules_are_not_attempted(workspace):
    assert outcome(m07.q2)[0] == "not_attempted"
    write_rules(
        workspace, "groups:\n  - name: my-sentiment-api\n    rules:\n      # YOUR CODE HERE\n"
    )
    assert outcome(m07.q2)[0] == "not_attempted"


# ---- Question 3 ------------------------------------------------------------------------------


def reference_psi(reference, current, floor=1e-4):
    pairs = [(max(r, floor), max(c, floor)) for r, c in zip(reference, current, strict=True)]
    return sum((c - r) * math.log(c / r) for r, c in pairs)


def epsilon_added(reference, current, floor=1e-4):
    pairs = [(r + floor, c + floor) for r, c in zip(reference, current, strict=True)]
    return sum((c - r) * math.log(c / r) for r, c in pairs)


def test_q3_hidden_cases_agree_with_the_toolkit():
    for reference, current in PSI_CASES:
        assert math.isclose(reference_psi(reference, current), toolkit_psi(reference, current))


@pytest.mark.parametrize("psi", [reference_psi, epsilon_added], ids=["floor", "epsilon"])
def test_q3_passes_the_reference(psi):
    status, message = outcome(m07.q3, psi=psi)
    assert status == "correct", message


def _floored(term):
    def psi(reference, current, floor=1e-4):
        pairs = [(max(r, floor), max(c, floor)) for r, c in zip(reference, current, strict=True)]
        return sum(term(r, c) for r, c in pairs)

    return psi


@pytest.mark.parametrize(
    "psi, says",
    [
        (
            lambda ref, cur, floor=1e-4: sum(
                (c - r) * math.log(c / r) for r, c in zip(ref, cur, strict=True)
            ),
            "no logarithm",
        ),
        (_floored(lambda r, c: (c - r) * math.log10(c / r)), "uses log10"),
        (_floored(lambda r, c: c * math.log(c / r)), "KL divergence"),
        (_floored(lambda r, c: r * math.log(r / c)), "KL divergence"),
        (_floored(lambda r, c: abs(c - r)), "adds up the differences"),
        (_floored(lambda r, c: (r - c) * math.log(c / r)), "sign is flipped"),
        (lambda ref, cur, floor=1e-4: [reference_psi(ref, cur)], "one number"),
    ],
    ids=["no-floor", "log10", "kl", "kl-reverse", "abs", "sign", "list"],
)
def test_q3_names_the_mistake(psi, says):
    status, message = outcome(m07.q3, psi=psi)
    assert status == "incorrect" and says in message, message


def test_q3_stub_is_not_attempted():
    def stub(reference, current, floor=1e-4):
        raise NotImplementedError

    assert outcome(m07.q3, psi=stub)[0] == "not_attempted"


# ---- Question 4 ------------------------------------------------------------------------------

DRIFTED = {day: report.drifted for day, report in REPORTS.items()}
ACTION = {
    "monday": "nothing",
    "tuesday": "check the sources",
    "wednesday": "label a sample",
    "thursday": "label a sample",
}


def test_q4_reports_tell_four_different_stories():
    assert DRIFTED == {
        "monday": [],
        "tuesday": ["predicted label"],
        "wednesday": ["unknown words"],
        "thursday": ["input length (words)", "unknown words"],
    }
    thursday = {f.name: f.verdict for f in REPORTS["thursday"].features}
    assert thursday["predicted label"] == "watch"


def test_q4_passes_the_reference():
    status, message = outcome(m07.q4, drifted=DRIFTED, action=ACTION)
    assert status == "correct", message


@pytest.mark.parametrize(
    "drifted, action, says",
    [
        ({**DRIFTED, "thursday": [*DRIFTED["thursday"], "predicted label"]}, ACTION, "watch band"),
        ({**DRIFTED, "monday": ["unknown words"]}, ACTION, "nothing moved"),
        ({**DRIFTED, "wednesday": []}, ACTION, "that is drift; list it"),
        ({**DRIFTED, "monday": ["length"]}, ACTION, "is not a feature"),
        ({**DRIFTED, "monday": "none"}, ACTION, "should be a list"),
        ({"monday": []}, ACTION, "one entry per day"),
        (DRIFTED, {**ACTION, "tuesday": "label a sample"}, "the runbook says 'check the sources'"),
        (DRIFTED, {**ACTION, "thursday": "check the sources"}, "the runbook says 'label a sample'"),
        (DRIFTED, {**ACTION, "monday": "retrain"}, "pick one of the runbook's"),
    ],
    ids=[
        "watch-as-drift",
        "stable-as-drift",
        "missed",
        "unknown-name",
        "not-a-list",
        "missing-days",
        "label-blamed",
        "inputs-ignored",
        "off-runbook",
    ],
)
def test_q4_names_the_mistake(drifted, action, says):
    status, message = outcome(m07.q4, drifted=drifted, action=action)
    assert status == "incorrect" and says in message, message


def test_q4_placeholders_are_not_attempted():
    assert outcome(m07.q4, drifted=m07.____, action=ACTION)[0] == "not_attempted"
    assert outcome(m07.q4, drifted=DRIFTED, action=m07.____)[0] == "not_attempted"


# ---- Question 5 ------------------------------------------------------------------------------


def app_factory(
    kind=Counter,
    timing=Histogram,
    per_text=True,
    label_of=lambda text, label: label,
    own_registry=True,
    raw=False,
    stub=False,
    time_each_text=False,
):
    """make_app as the solution writes it, with one realistic mistake switched on."""

    def make_app():
        registry = CollectorRegistry() if own_registry else None
        options = {"registry": registry} if own_registry else {}
        predictions = kind("predictions", "Predictions, by label.", ["label"], **options)
        latency = timing("predict_duration_seconds", "Time to answer /predict.", **options)
        app = FastAPI()

        @app.post("/predict")
        def predict(body: dict):
            if stub:
                raise NotImplementedError("Replace this line with your code.")
            labels = []
            with latency.time():
                for text in body["texts"]:
                    labels.append(toy_model(text))
                    if time_each_text:
                        latency.observe(0.001)
            for text, label in zip(body["texts"], labels if per_text else labels[:1], strict=False):
                predictions.labels(label=label_of(text, label)).inc()
            return {"labels": labels}

        @app.get("/metrics")
        def metrics():
            from prometheus_client import REGISTRY

            body = generate_latest(registry if own_registry else REGISTRY)
            return body.decode() if raw else Response(body, media_type=CONTENT_TYPE_LATEST)

        return app

    return make_app


def test_q5_passes_the_reference():
    status, message = outcome(m07.q5, make_app=app_factory())
    assert status == "correct" and "'POSITIVE': 4, 'NEGATIVE': 2" in message, message


@pytest.mark.parametrize(
    "options, says",
    [
        ({"kind": Gauge}, "a count of events is a Counter"),
        ({"timing": Summary}, "a Histogram's buckets can"),
        ({"per_text": False}, "one per request"),
        ({"label_of": lambda text, label: text}, "only a model's labels belong in a label"),
        ({"label_of": lambda text, label: "NEGATIVE"}, "the model answered"),
        ({"own_registry": False}, "global registry"),
        ({"raw": True}, "not in Prometheus' text format"),
        ({"time_each_text": True}, "describe parts of requests"),
    ],
    ids=["gauge", "summary", "per-request", "text-label", "wrong-label", "global", "raw", "timing"],
)
def test_q5_names_the_mistake(options, says):
    status, message = outcome(m07.q5, make_app=app_factory(**options))
    assert status == "incorrect" and says in message, message


def test_q5_stub_and_placeholder_are_not_attempted():
    assert outcome(m07.q5, make_app=app_factory(stub=True))[0] == "not_attempted"
    assert outcome(m07.q5, make_app=m07.____)[0] == "not_attempted"
