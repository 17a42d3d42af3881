"""The alert rules pass `promtool check rules`, their unit tests pass `promtool test rules`,
and breaking a threshold makes those unit tests fail: the tests can tell a broken rule."""

from __future__ import annotations

import shutil

import pytest

from launchpad.monitoring import SCRAPE_CONFIG, promtool

MONITORING = SCRAPE_CONFIG.parent


def test_alert_rules_are_valid_and_their_unit_tests_pass():
    check = promtool("check", "rules", "alerts.yml", cwd=MONITORING)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "4 rules found" in check.stdout
    tested = promtool("test", "rules", "alerts_test.yml", cwd=MONITORING)
    assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.parametrize(
    ("what", "threshold", "broken"),
    [
        ("error rate", "> 0.05", "> 0.5"),
        ("p99 latency", ")) > 0.25", ")) > 2.5"),
        ("drift", "  ) > 0.2\n", "  ) > 0.6\n"),
        ("no traffic", "== 0", "== -1"),
    ],
)
def test_a_broken_threshold_fails_the_rule_tests(tmp_path, what, threshold, broken):
    rules = (MONITORING / "alerts.yml").read_text()
    assert rules.count(threshold) == 1, f"{what}: the threshold {threshold!r} is not unique"
    (tmp_path / "alerts.yml").write_text(rules.replace(threshold, broken))
    shutil.copy(MONITORING / "alerts_test.yml", tmp_path)
    tested = promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert tested.returncode != 0, f"breaking the {what} threshold went unnoticed"
    assert "FAILED" in tested.stdout + tested.stderr
