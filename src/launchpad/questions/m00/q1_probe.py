"""The environment probe reports everything the course needs."""

from launchpad.checks import Answers, expect, question


@question(names=["report"], hints=["`probe()` returns a report; assign it: `report = probe()`."])
def environment_is_ready(answers: Answers):
    from launchpad.probe import Report

    report = answers.value("report")
    expect(
        isinstance(report, Report),
        f"`report` should be what `probe()` returns, not a "
        f"{type(report).__name__}. Did you write `probe` without the parentheses?",
    )
    missing = [i.name for i in report.items if i.required and not i.ok]
    expect(
        not missing,
        f"The probe found problems with: {', '.join(missing)}. "
        "Follow the fix printed next to each one, then run the probe again.",
    )
    return "Your environment is ready for the course."
