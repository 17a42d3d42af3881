"""Question 2's reading of the learner's monitoring/alerts.yml: the PredictErrors rule, checked by
`promtool check rules`, and what its text says that no replay shows as well (its window, its
summary)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from launchpad.checks import Incorrect, NotAttempted, expect
from launchpad.paths import workspace_dir
from launchpad.promql_replay import duration_seconds, range_windows

ALERT_RULES = Path("monitoring/alerts.yml")
ALERT_NAME = "PredictErrors"
WINDOW_S = 5 * 60

# A summary says what is wrong (a failure word) and whom it hits (a word for the predictions,
# their callers or the service). Lenient on purpose: any wording with both passes.
_WHAT = re.compile(r"error|fail|5xx|\b5\d\d\b|outage|unavailable|broken|down\b|crash", re.I)
_WHOM = re.compile(
    r"predict|sentiment|model|inference|request|user|client|customer|caller|api\b|service"
    r"|endpoint|route",
    re.I,
)
# The number a rule ends by comparing with, and a sign that it compares a percentage.
_PERCENT = re.compile(r"\b100\s*\*|\*\s*100\b")
_THRESHOLD = re.compile(r">=?\s*(\d+(?:\.\d*)?(?:e[-+]?\d+)?)\s*$", re.I)


@dataclass(frozen=True)
class AlertRule:
    text: str  # the whole file, as promtool replays it
    rule: dict  # the PredictErrors rule
    exprs: list[str]  # every rule's expr in the file (a recording rule may hold the window)

    @property
    def expr(self) -> str:
        return str(self.rule.get("expr", ""))

    @property
    def wait(self) -> str:
        return str(self.rule.get("for", "0s"))


def read_alert_rule() -> AlertRule:
    """The workspace's PredictErrors rule, once promtool accepts the file."""
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
    exprs = [str(rule.get("expr", "")) for rule in rules]
    return AlertRule(path.read_text(), named[0], exprs)


def trailing_threshold(expr: str) -> float | None:
    """The number a ratio ends by comparing with (`... > 0.02`), if it is one; None for a
    percentage (`100 * ... > 2`)."""
    found = _THRESHOLD.search(expr)
    return float(found[1]) if found and not _PERCENT.search(expr) else None


def summary_mistake(summary: str) -> str | None:
    """What a summary fails to tell the person the alert wakes, or None."""
    said = re.sub(ALERT_NAME, "", summary, flags=re.I)  # its name says nothing new
    missing = [
        part
        for part, pattern in (("what is wrong", _WHAT), ("whom it hurts", _WHOM))
        if not pattern.search(said)
    ]
    if not missing:
        return None
    return (
        f"{ALERT_NAME}'s summary, {summary.strip()!r}, does not say {' or '.join(missing)}. "
        "It is the first line the person it wakes reads, often on a phone: it should tell them "
        "what is failing, and for which requests, before they open a dashboard."
    )


def window_mistake(exprs: list[str]) -> str | None:
    """What is wrong with the range windows of the rules' expressions, or None. (Several
    windows are fine, e.g. a multi-window alert, as long as one is 5 minutes, none shorter.)"""
    windows = [w for expr in exprs for w in range_windows(expr)]
    if not windows:
        return (
            f"{ALERT_NAME}'s expr has no range window: it divides counters that have grown "
            "since the process started, so days of healthy traffic hide an outage that began "
            "minutes ago. The question asks for the share of failures over the last 5 minutes."
        )
    short = [w for w in windows if (duration_seconds(w) or 0) < WINDOW_S]
    if short:
        return (
            f"{ALERT_NAME} measures the failing share over [{short[0]}], not over the 5 minutes "
            "the question asks for. A share over so short a window swings with every burst of "
            "errors, and with fewer than two scrapes in it rate() has nothing to work with: the "
            "alert pages on noise, or stays silent."
        )
    if WINDOW_S not in {duration_seconds(w) for w in windows}:
        return (
            f"{ALERT_NAME} measures the failing share over [{windows[0]}], not over the 5 "
            "minutes the question asks for: a long window notices an outage late and keeps "
            "paging after it is over."
        )
    return None
