"""The environment probe reports everything the course needs."""

from launchpad.checks import Answers, expect, question


@question(names=["report"], hints=["`probe()` returns a report; assign it: `report = probe()`."])
def environment_is_ready(answers: Answers):
    from launchpad.probe import Report

    report = answers.value("report")
    expect(isinstance(report, Report), _not_a_report(report))
    missing = [i.name for i in report.items if i.required and not i.ok]
    expect(
        not missing,
        f"The probe found problems with: {', '.join(missing)}. "
        "Follow the fix printed next to each one, then run the probe again.",
    )
    return "Your environment is ready for the course."


def _not_a_report(report: object) -> str:
    """What `report` is instead, said so the learner recognises their own line."""
    from launchpad.probe import probe

    if report is probe:
        return (
            "`report` is the function `probe` itself, not the report it returns when called. "
            "Did you write `probe` without the parentheses?"
        )
    if isinstance(report, bool):
        what = f"`report` is {report}, a bool: one yes/no answer, like the report's `.ready`"
    elif report is None:
        what = "`report` is None: `print(...)` and `display(...)` show a value but return None"
    elif isinstance(report, str):
        what = "`report` is a str, the report's text as printed"
    else:
        what = f"`report` is a {type(report).__name__}"
    return (
        f"{what}; the check needs the report that `probe()` returns, because it reads every "
        "item the probe looked at (Python, the packages, the model)."
    )
