"""PromQL queries and alert rules replayed by the real `promtool` on series with known answers.

`promtool test rules` replays input series minute by minute and compares what a query returns
with what the test expects. It cannot print what a query returns, except when a test fails: a
`promql_expr_test` that expects nothing fails with `got: <series>`. `evaluate` uses that to
read any query's answer, so a check can evaluate a learner's query and the common wrong queries
on the same series and name the mistake whose answer matches; `firing` asks whether an alert of
a rule file is firing at a given time. (Module 07's checks do both.) `range_windows` and
`with_windows` read and rewrite a query's windows ([5m]), so a check can tell which window a
query uses, and whether another would have given the answer.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

_RANGE = re.compile(r"\[\s*(\w+)\s*(:[^\]]*)?\]")  # [5m], and a subquery's [5m:1m]
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_GOT = re.compile(r"got: (nil|.*)$", re.M)
_SERIES = re.compile(r"(\{[^{}]*\}) (\S+?)(?:,\s|$)")
_ERR = re.compile(r"err: (.*)$", re.M)


class QueryError(Exception):
    """promtool cannot parse or run the query; the message is promtool's own."""


class UnexpectedOutput(Exception):
    """promtool failed without saying what the query returned; the message is its output."""


def duration_seconds(text: str) -> float | None:
    """A PromQL duration ("5m", "300s", "1h30m") in seconds; None if it is not one."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + unit for n, unit in parts) != text:
        return None
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in parts)


def range_windows(expr: str) -> list[str]:
    """The windows of a PromQL expression's range selectors and subqueries, as written:
    `sum(rate(x[5m])) / sum(rate(y[1h]))` gives ["5m", "1h"]."""
    return [window for window, _ in _RANGE.findall(expr)]


def with_windows(expr: str, window: str) -> str:
    """`expr` with every range selector's window replaced by `window` (e.g. "5m"); a
    subquery keeps its step."""
    return _RANGE.sub(lambda m: f"[{window}{m[2] or ''}]", expr)


def counter_values(per_minute: list[int], start: int = 0) -> str:
    """A counter's values, one a minute, in promtool's series notation, from what it grows by
    each minute."""
    total, values = start, [str(start)]
    for step in per_minute:
        total += step
        values.append(str(total))
    return " ".join(values)


def run_rule_tests(tests: list[dict], rules: str | None = None) -> tuple[int, str]:
    """Run `promtool test rules` on `tests` (and a rule file's text): its exit code and its
    output. Raises PrometheusError if promtool cannot be had."""
    import yaml

    from launchpad.monitoring import promtool

    document = {"rule_files": ["rules.yml"] if rules else [], "evaluation_interval": "1m"}
    document["tests"] = tests
    with tempfile.TemporaryDirectory(prefix="launchpad-promql-") as folder:
        if rules:
            Path(folder, "rules.yml").write_text(rules)
        Path(folder, "test.yml").write_text(yaml.safe_dump(document, sort_keys=False))
        done = promtool("test", "rules", "test.yml", cwd=Path(folder))
    return done.returncode, done.stdout + done.stderr


def evaluate(expr: str, series: list[dict], at: str) -> list[tuple[str, float]]:
    """What PromQL `expr` returns at `at` (e.g. "30m") over `series` (promtool's input_series,
    one sample a minute): (labels, value) per series. QueryError if promtool cannot parse or
    run it."""
    test = {
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [{"expr": expr, "eval_time": at, "exp_samples": []}],
    }
    code, output = run_rule_tests([test])
    if code == 0:
        return []  # it matched the empty expectation: no series
    if error := _ERR.search(output):
        raise QueryError(error.group(1).strip())
    got = _GOT.search(output)
    if got is None:
        raise UnexpectedOutput(output.strip()[-300:])
    if got.group(1) == "nil":
        return []
    return [(labels, float(value)) for labels, value in _SERIES.findall(got.group(1))]


def firing(rules: str, alert: str, series: list[dict], at: str) -> bool:
    """Is `alert`, from the rule file `rules`, firing at `at` over `series`? (A rule file that
    promtool refuses fires nothing.)"""
    expr = f'clamp_max(count(ALERTS{{alertname="{alert}",alertstate="firing"}}), 1) or vector(0)'
    test = {
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [
            {"expr": expr, "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]}
        ],
    }
    return run_rule_tests([test], rules)[0] == 0
