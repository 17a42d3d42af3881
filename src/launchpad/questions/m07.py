"""Module 07 — Monitor it. A PromQL query and an alert rule, both evaluated by the real
`promtool` on series whose answer is known; a PSI function held to `launchpad.drift`; four
drift reports to read; and a small app to instrument, scraped with prometheus_client's parser.

promtool cannot print what a query returns, except when a test fails: a `promql_expr_test` that
expects nothing fails with `got: <series>`. The checks use that to evaluate the learner's query
and the common wrong queries on the same series, and name the mistake whose answer matches.
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import yaml

from launchpad import yamlfile
from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.drift import PSI_DRIFT, PSI_WATCH, DriftReport, Feature, compare
from launchpad.drift import psi as reference_psi
from launchpad.paths import workspace_dir

JOB = 'job="sentiment-api"'
BUCKET = "http_request_duration_seconds_bucket"
COUNT = "http_request_duration_seconds_count"


def _promtool_test(tests: list[dict], rules: str | None = None) -> tuple[int, str]:
    """Run `promtool test rules` on `tests` (and a rule file); its exit code and its output."""
    from launchpad.monitoring import PrometheusError, promtool

    document = {"rule_files": ["rules.yml"] if rules else [], "evaluation_interval": "1m"}
    document["tests"] = tests
    with tempfile.TemporaryDirectory(prefix="launchpad-m07-") as folder:
        if rules:
            Path(folder, "rules.yml").write_text(rules)
        Path(folder, "test.yml").write_text(yaml.safe_dump(document, sort_keys=False))
        try:
            done = promtool("test", "rules", "test.yml", cwd=Path(folder))
        except PrometheusError as error:
            raise Incorrect(f"The check needs promtool: {error}") from error
    return done.returncode, done.stdout + done.stderr


def _cumulative(per_minute: list[int], start: int = 0) -> str:
    """A counter's values, one a minute, from what it grows by each minute."""
    total, values = start, [str(start)]
    for step in per_minute:
        total += step
        values.append(str(total))
    return " ".join(values)


# ---- Question 1: p99 of /predict ------------------------------------------------------------

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
        values = _cumulative(steps, start[i])
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
        "That mixes in the /healthz probes, which are many and fast: select "
        'route="/predict" inside the braces.'
    ),
    _p99(window="1m"): "That is over the last minute: the question asks for 5 ([5m]).",
    _p99(window="2m"): "That is over the last 2 minutes: the question asks for 5 ([5m]).",
    _p99(window="15m"): "That is over 15 minutes: the question asks for the last 5 ([5m]).",
    _p99(window="1h"): "That is over an hour (here, since the start): the question asks for 5m.",
    f'histogram_quantile(0.99, sum by (le) ({BUCKET}{{route="/predict"}}))': (
        "That is the p99 since the process started: take rate(...[5m]) of the buckets first, "
        "so that the answer is about the last 5 minutes."
    ),
}

_GOT = re.compile(r"got: (nil|.*)$", re.M)
_SERIES = re.compile(r"(\{[^{}]*\}) (\S+?)(?:,\s|$)")
_ERR = re.compile(r"err: (.*)$", re.M)


def evaluate(expr: str, series: list[dict], at: str) -> list[tuple[str, float]]:
    """What PromQL `expr` returns at `at` over `series`, evaluated by promtool: (labels,
    value) per series. Incorrect if promtool cannot parse or run it."""
    test = {
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [{"expr": expr, "eval_time": at, "exp_samples": []}],
    }
    code, output = _promtool_test([test])
    if code == 0:
        return []  # it matched the empty expectation: no series
    if error := _ERR.search(output):
        raise Incorrect(f"promtool cannot run your query: {error.group(1).strip()}")
    got = _GOT.search(output)
    if got is None:
        raise Incorrect(f"promtool failed: {output.strip()[-300:]}")
    if got.group(1) == "nil":
        return []
    return [(labels, float(value)) for labels, value in _SERIES.findall(got.group(1))]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6) or (math.isnan(a) and math.isnan(b))


@question(
    "07",
    1,
    hints=[
        "Start from the inside: the bucket counters http_request_duration_seconds_bucket of "
        'route="/predict", their rate over [5m], summed by (le), and histogram_quantile(0.99, ...) '
        "of that.",
        "histogram_quantile(0.99, sum by (le) "
        '(rate(http_request_duration_seconds_bucket{route="/predict"}[5m])))',
    ],
    solution='P99_PREDICT = (\n    "histogram_quantile(0.99, sum by (le) ("\n    '
    "'rate(http_request_duration_seconds_bucket{route=\"/predict\"}[5m])))'\n)",
)
def q1(answers: Answers):
    expr = answers.value("P99_PREDICT")
    expect(
        isinstance(expr, str) and expr.strip(),
        f"P99_PREDICT should be a PromQL query, as a string; it is {expr!r}.",
    )
    series = _p99_series()
    got = evaluate(expr, series, EVAL_AT)
    [(_, right)] = evaluate(_p99(), series, EVAL_AT)
    if not got:
        raise Incorrect(
            "Your query returns no series, though /predict had traffic: histogram_quantile "
            "reads the _bucket counters and their `le` label, so keep it when you aggregate "
            "(sum by (le) (...)); and check the metric and label names."
        )
    if len(got) > 1:
        raise Incorrect(
            f"Your query returns {len(got)} series, one p99 per replica, method and status: add "
            "them up with sum by (le) (...) inside histogram_quantile."
        )
    [(_, value)] = got
    if _close(value, right):
        return (
            f"p99 of /predict over the last 5 minutes: {value * 1000:.1f} ms, from 4 bucket "
            "counters across 2 replicas and 2 statuses. The same query is the heart of "
            "HighPredictLatencyP99."
        )
    if math.isinf(value):
        raise Incorrect(
            "Your query returns +Inf: the quantile is a fraction (0.99), not a percentage (99)."
        )
    for mistake, why in P99_MISTAKES.items():
        if why is not None and any(_close(value, v) for _, v in evaluate(mistake, series, EVAL_AT)):
            raise Incorrect(f"Your query gives {value:.4f} s; the answer is {right:.4f} s. {why}")
    raise Incorrect(
        f"Your query gives {value:.4f} s; p99 of /predict over the last 5 minutes is "
        f"{right:.4f} s. Compare it with the hint's shape: quantile, sum by (le), rate, [5m]."
    )


# ---- Question 2: an alert rule ----------------------------------------------------------------

ALERT_RULES = Path("monitoring/alerts.yml")
ALERT_NAME = "PredictErrors"
FIRING = f'clamp_max(count(ALERTS{{alertname="{ALERT_NAME}",alertstate="firing"}}), 1) or vector(0)'


def _traffic(minutes: int, **per_minute) -> list[dict]:
    """Counter series for /predict (and probes): keyword `s503=[...]` or an int per minute,
    `route_status` names: predict_200, predict_503, predict_422, healthz_200, metrics_200."""
    series = []
    for name, steps in per_minute.items():
        route, status = name.split("_")
        steps = steps if isinstance(steps, list) else [steps] * minutes
        labels = f'{JOB},instance="10.0.0.1:8000",route="/{route}",status="{status}"'
        series.append({"series": f"{COUNT}{{{labels}}}", "values": _cumulative(steps)})
    return series


# name: (series, {eval time: should it be firing?})
ALERT_SCENARIOS = {
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
    series, expected = ALERT_SCENARIOS[scenario]
    seen = {}
    for at in expected:
        test = {
            "interval": "1m",
            "input_series": series,
            "promql_expr_test": [
                {"expr": FIRING, "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]}
            ],
        }
        seen[at] = _promtool_test([test], rules)[0] == 0
    return seen


def _alert_rule() -> tuple[str, dict]:
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
    "07",
    2,
    hints=[
        'The ratio: sum(rate(http_request_duration_seconds_count{route="/predict",status=~"5.."}'
        '[5m])) / sum(rate(http_request_duration_seconds_count{route="/predict"}[5m])) > 0.02',
        "Under `- alert: PredictErrors` and its `expr:`, add `for: 5m`, `labels: {severity: "
        "page}` and `annotations: {summary: ...}` saying what to look at first.",
    ],
    solution="""- alert: PredictErrors
  expr: |
    sum(rate(http_request_duration_seconds_count{route="/predict",status=~"5.."}[5m]))
      / sum(rate(http_request_duration_seconds_count{route="/predict"}[5m])) > 0.02
  for: 5m
  labels:
    severity: page
  annotations:
    summary: More than 2% of predictions fail; look for the error kind in the logs.""",
)
def q2(answers: Answers):
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


# ---- Question 3: PSI ------------------------------------------------------------------------

FLOOR = 1e-4
PSI_CASES = [
    ([0.5, 0.5], [0.5, 0.5]),
    ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
    ([0.5, 0.5], [0.4, 0.6]),
    ([0.538, 0.462], [0.154, 0.846]),
    ([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]),
    ([0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.0, 0.0]),  # empty bins in the current window
    ([0.6, 0.4, 0.0], [0.5, 0.3, 0.2]),  # a bin the reference never saw
]


def _kl(reference, current):
    return sum(
        max(c, FLOOR) * math.log(max(c, FLOOR) / max(r, FLOOR))
        for r, c in zip(reference, current, strict=True)
    )


def _psi_mistake(reference, current, got) -> str | None:
    right = reference_psi(reference, current)
    call = f"psi({reference}, {current}) should be {right:.4f}, got {got:.4f}"
    if right and _close(got * math.log(10), right):
        return f"{call}: that uses log10; PSI uses the natural logarithm (math.log)."
    if _close(got, _kl(reference, current)) or _close(got, _kl(current, reference)):
        return (
            f"{call}: that is the KL divergence (one direction only). PSI weighs each bin's "
            "log ratio by the difference (current - reference)."
        )
    if _close(got, sum(abs(c - r) for r, c in zip(reference, current, strict=True))):
        return f"{call}: that adds up the differences; multiply each by ln(current / reference)."
    if _close(got, -right):
        return f"{call}: the sign is flipped; (c - r) × ln(c / r) is never negative."
    if 0 in reference or 0 in current:
        return f"{call}: floor each share at {FLOOR} (max(share, floor)) before the logarithm."
    return f"{call}."


@question(
    "07",
    3,
    hints=[
        "For each bin: r = max(reference share, floor), c = max(current share, floor); add up "
        "(c - r) × math.log(c / r).",
        "sum((c - r) * math.log(c / r) for r, c in ((max(r, floor), max(c, floor)) for r, c in "
        "zip(reference, current)))",
    ],
    solution="""def psi(reference, current, floor=1e-4):
    total = 0.0
    for r, c in zip(reference, current):
        r, c = max(r, floor), max(c, floor)
        total += (c - r) * math.log(c / r)
    return total""",
)
def q3(answers: Answers):
    psi = answers.function("psi")
    for reference, current in PSI_CASES:
        try:
            got = psi(list(reference), list(current))
        except Incorrect as error:
            if isinstance(error.__cause__, (ZeroDivisionError, ValueError)):
                raise Incorrect(
                    f"psi({reference}, {current}) raised {type(error.__cause__).__name__}: a bin "
                    f"with share 0 has no logarithm. Floor each share at {FLOOR} first "
                    "(max(share, floor))."
                ) from error
            raise
        expect(
            isinstance(got, (int, float)) and not isinstance(got, bool),
            f"psi should return one number, got {type(got).__name__}.",
        )
        if not math.isclose(got, reference_psi(reference, current), rel_tol=1e-3, abs_tol=1e-6):
            raise Incorrect(_psi_mistake(reference, current, got))
    return (
        "0 for identical windows, larger the more the shares moved, and an empty bin costs a "
        "large but finite amount: the same numbers as launchpad.drift.psi."
    )


# ---- Question 4: reading drift reports ------------------------------------------------------

# The features and bins of launchpad.drift's reports, as compare() names them.
_BINS = {f.name: f.bins for f in compare(["a"], ["NEGATIVE"], ["a"], ["NEGATIVE"], set()).features}
_LENGTH, _UNKNOWN, _LABEL = _BINS
# Counts per bin, from the course model's predictions (PyTorch) on held-out texts: the reference
# is 500 film review snippets; Monday more snippets, Tuesday only the positive ones, Wednesday
# NYT editorial sentences, Thursday Amazon reviews (launchpad.drift.compare on each).
_REFERENCE = {
    _LENGTH: [26, 63, 108, 113, 144, 45, 1],
    _UNKNOWN: [238, 78, 126, 47, 10, 1],
    _LABEL: [269, 231],
}
_DAYS = {
    "monday": {
        _LENGTH: [35, 54, 93, 111, 167, 50, 2],
        _UNKNOWN: [246, 66, 109, 77, 14, 0],
        _LABEL: [266, 246],
    },
    "tuesday": {
        _LENGTH: [15, 24, 52, 60, 82, 19, 1],
        _UNKNOWN: [133, 31, 47, 38, 4, 0],
        _LABEL: [39, 214],
    },
    "wednesday": {
        _LENGTH: [24, 69, 109, 123, 134, 38, 3],
        _UNKNOWN: [72, 16, 100, 191, 102, 19],
        _LABEL: [328, 172],
    },
    "thursday": {
        _LENGTH: [82, 119, 123, 82, 66, 26, 2],
        _UNKNOWN: [200, 28, 128, 105, 26, 13],
        _LABEL: [370, 130],
    },
}


def _report(counts: dict[str, list[int]]) -> DriftReport:
    size = sum(counts[_LABEL])
    reference_size = sum(_REFERENCE[_LABEL])
    return DriftReport(
        reference_size,
        size,
        [
            Feature(
                name,
                _BINS[name],
                [n / reference_size for n in _REFERENCE[name]],
                [n / size for n in counts[name]],
            )
            for name in _BINS
        ],
    )


REPORTS = {day: _report(counts) for day, counts in _DAYS.items()}
INPUT_FEATURES = (_LENGTH, _UNKNOWN)
RUNBOOK = {
    "nothing": "No feature drifted (every PSI at most 0.25): nothing to do now; features in the "
    "watch band (0.1 to 0.25) go in the weekly review.",
    "label a sample": "An input feature drifted: the model sees inputs it was never evaluated on. "
    "Have a sample of this traffic labelled and measure the model on it before anything else.",
    "check the sources": "Only the predicted label drifted, the inputs did not: find out who "
    "sends what (a new client, a campaign, a filter upstream) before blaming the model.",
}


def _action(report: DriftReport) -> str:
    drifted = set(report.drifted)
    if drifted & set(INPUT_FEATURES):
        return "label a sample"
    return "check the sources" if drifted else "nothing"


@question(
    "07",
    4,
    hints=[
        "A feature drifted when its PSI is above 0.25 (the report says `drift`); between 0.1 and "
        "0.25 it says `watch`, which is not drift.",
        "Then the runbook, first rule that matches: an input feature (length or unknown words) "
        "drifted → 'label a sample'; only the predicted label → 'check the sources'; none → "
        "'nothing'.",
    ],
    solution="""drifted = {day: report.drifted for day, report in REPORTS.items()}
action = {
    day: "label a sample" if set(names) & set(INPUT_FEATURES)
    else "check the sources" if names
    else "nothing"
    for day, names in drifted.items()
}""",
)
def q4(answers: Answers):
    drifted, action = answers.value("drifted"), answers.value("action")
    for name, given in (("drifted", drifted), ("action", action)):
        expect(
            isinstance(given, dict) and set(given) == set(REPORTS),
            f"`{name}` should be a dict with one entry per day: {list(REPORTS)}.",
        )
    features = set(_BINS)
    for day, report in REPORTS.items():
        named = drifted[day]
        if named is ____ or action[day] is ____:
            raise NotAttempted(f"Replace the ____ for {day}.")
        expect(
            isinstance(named, (list, tuple, set)),
            f"drifted[{day!r}] should be a list of feature names, not {named!r}.",
        )
        unknown = [n for n in named if n not in features]
        expect(
            not unknown,
            f"{unknown[0] if unknown else ''!r} is not a feature of the report; "
            f"they are {sorted(features)}.",
        )
        psis = {f.name: f.psi for f in report.features}
        for feature in set(named) - set(report.drifted):
            raise Incorrect(
                f"On {day}, {feature!r} has PSI {psis[feature]:.3f}: "
                + (
                    f"that is the watch band ({PSI_WATCH} to {PSI_DRIFT}), worth a look but not "
                    "drift."
                    if psis[feature] > PSI_WATCH
                    else f"below {PSI_WATCH}, nothing moved."
                )
            )
        for feature in set(report.drifted) - set(named):
            raise Incorrect(
                f"On {day}, {feature!r} has PSI {psis[feature]:.3f}, above {PSI_DRIFT}: that is "
                "drift; list it."
            )
        right = _action(report)
        expect(
            action[day] in RUNBOOK,
            f"action[{day!r}] is {action[day]!r}; pick one of the runbook's: {list(RUNBOOK)}.",
        )
        expect(
            action[day] == right,
            f"On {day} the runbook says {right!r}: {RUNBOOK[right]}",
        )
    return (
        "Monday is more of the same; Tuesday's inputs are unchanged but the answers are not; "
        "Wednesday's editorials keep the length and change the words; Thursday's Amazon reviews "
        "change both, and the label share is worth a look too."
    )


# ---- Question 5: instrument an app ----------------------------------------------------------

REQUESTS = [
    ["Loved it.", "A dull, dull film."],
    ["Great fun."],
    ["Never again.", "Wonderful cast.", "Fine."],
]
NEGATIVE_WORDS = ("bad", "dull", "never", "awful", "boring")


def toy_model(text: str) -> str:
    """A stand-in for the model, right about these examples and fast."""
    return "NEGATIVE" if any(word in text.lower() for word in NEGATIVE_WORDS) else "POSITIVE"


def _families(client) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    reply = client.get("/metrics")
    expect(reply.status_code == 200, f"GET /metrics answered {reply.status_code}, not 200.")
    try:
        families = list(text_string_to_metric_families(reply.text))
    except Exception as error:
        raise Incorrect(
            f"/metrics is not in Prometheus' text format ({reply.text[:60]!r}...): return "
            "Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST), not the bytes "
            "(FastAPI would send them as a JSON string)."
        ) from error
    expect(
        reply.headers.get("content-type", "").startswith("text/plain"),
        f"/metrics answers with content-type {reply.headers.get('content-type')!r}: give the "
        "Response media_type=CONTENT_TYPE_LATEST.",
    )
    return {family.name: family for family in families}


def _client(make_app):
    from fastapi.testclient import TestClient

    return TestClient(make_app())


def _send(client) -> None:
    for texts in REQUESTS:
        try:
            reply = client.post("/predict", json={"texts": texts})
        except NotImplementedError as error:
            raise NotAttempted("predict (in make_app) still raises NotImplementedError.") from error
        except Exception as error:
            raise Incorrect(
                f"POST /predict with {texts} raised {type(error).__name__}: {error}"
            ) from error
        expect(
            reply.status_code == 200,
            f"POST /predict with {texts} answered {reply.status_code}: {reply.text[:200]}",
        )


@question(
    "07",
    5,
    hints=[
        'In make_app: predictions = Counter("predictions", "...", ["label"], registry=registry) '
        'and latency = Histogram("predict_duration_seconds", "...", registry=registry).',
        "In predict: `with latency.time():` around the model calls, then "
        "predictions.labels(label=label).inc() for each text's label. In metrics: return "
        "Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST).",
    ],
    solution="""def make_app():
    app = FastAPI()
    registry = CollectorRegistry()  # this app's own metrics
    predictions = Counter("predictions", "Predictions, by label.", ["label"], registry=registry)
    latency = Histogram("predict_duration_seconds", "Time to answer /predict.", registry=registry)

    @app.post("/predict")
    def predict(body: dict):
        with latency.time():
            labels = [toy_model(text) for text in body["texts"]]
        for label in labels:
            predictions.labels(label=label).inc()
        return {"labels": labels}

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app""",
)
def q5(answers: Answers):
    make_app = answers.function("make_app")
    try:
        client, other = _client(make_app), _client(make_app)
    except Incorrect as error:
        if "Duplicated timeseries" in str(error):
            raise Incorrect(
                "make_app() failed the second time: its metrics went to prometheus_client's "
                "global registry, where a name can exist once. Pass registry=registry to each "
                "metric (re-running a cell hits the same error)."
            ) from error
        raise
    _send(client)
    families = _families(client)
    counter = families.get("predictions")
    expect(
        counter is not None,
        f"/metrics has no metric named predictions (it has {sorted(families)}): "
        'Counter("predictions", ..., ["label"], registry=registry).',
    )
    expect(
        counter.type == "counter",
        f"predictions is a {counter.type}: a count of events is a Counter, which only goes up "
        "and which rate() understands.",
    )
    counted = {
        s.labels.get("label"): s.value for s in counter.samples if s.name == "predictions_total"
    }
    texts = [text for request in REQUESTS for text in request]
    want = {label: sum(toy_model(t) == label for t in texts) for label in ("POSITIVE", "NEGATIVE")}
    expect(
        None not in counted,
        "predictions has no `label` label: count predictions by label "
        "(predictions.labels(label=label).inc()), so PromQL can compare the shares.",
    )
    expect(
        set(counted) <= set(want),
        f"predictions has {len(counted)} label values ({sorted(counted)[:3]}...): only a model's "
        "labels belong in a label. Each new value is a new time series; texts would be millions.",
    )
    if sum(counted.values()) == len(REQUESTS):
        raise Incorrect(
            f"predictions counts {len(REQUESTS)}, one per request; {len(texts)} texts were "
            "predicted: increment once per text, with its label."
        )
    expect(
        {label: counted.get(label, 0) for label in want} == want,
        f"After {len(REQUESTS)} requests with {len(texts)} texts, predictions_total says "
        f"{counted}; the model answered {want}.",
    )
    timing = families.get("predict_duration_seconds")
    expect(
        timing is not None,
        f"/metrics has no metric named predict_duration_seconds (it has {sorted(families)}).",
    )
    expect(
        timing.type == "histogram",
        f"predict_duration_seconds is a {timing.type}: use a Histogram, whose buckets can be "
        "added up across replicas (a Summary's quantiles cannot).",
    )
    observed = next(s.value for s in timing.samples if s.name.endswith("_count"))
    expect(
        observed == len(REQUESTS),
        f"predict_duration_seconds observed {observed:g} times for {len(REQUESTS)} requests: "
        "time each request once (`with latency.time():` around the whole prediction).",
    )
    untouched = _families(other).get("predictions")
    expect(
        untouched is None
        or not any(s.value for s in untouched.samples if s.name.endswith("total")),
        "A second app, which served nothing, shows predictions too: each app needs its own "
        "metrics, registered in its own registry.",
    )
    return (
        f"predictions_total {want} and a latency histogram of {len(REQUESTS)} requests, in "
        "Prometheus' text format: the same pattern as the service's sentiment_api/metrics.py."
    )


QUESTIONS = [q1, q2, q3, q4, q5]
__all__ = [
    "ALERT_NAME",
    "INPUT_FEATURES",
    "REPORTS",
    "RUNBOOK",
    "____",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "toy_model",
]
