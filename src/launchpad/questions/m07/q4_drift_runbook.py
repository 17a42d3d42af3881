"""Reading four drift reports: which features drifted each day (PSI above 0.25, not the watch
band), and what the runbook says to do about it."""

from __future__ import annotations

from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.drift import PSI_DRIFT, PSI_WATCH, DriftReport, feature_bins
from launchpad.questions.m07.materials import INPUT_FEATURES, RUNBOOK, drift_reports


def _action(report: DriftReport) -> str:
    """The runbook's first rule that matches the report."""
    drifted = set(report.drifted)
    if drifted & set(INPUT_FEATURES):
        return "label a sample"
    return "check the sources" if drifted else "nothing"


@question(
    names=["drifted", "action"],
    hints=[
        "A feature drifted when its PSI is above 0.25 (the report says `drift`); between 0.1 and "
        "0.25 it says `watch`, which is not drift.",
        "Then the runbook, first rule that matches: an input feature (length or unknown words) "
        "drifted → 'label a sample'; only the predicted label → 'check the sources'; none → "
        "'nothing'.",
    ],
)
def drift_is_read_and_acted_on(answers: Answers):
    drifted, action = answers.value("drifted"), answers.value("action")
    reports = drift_reports()
    for name, given in (("drifted", drifted), ("action", action)):
        expect(
            isinstance(given, dict) and set(given) == set(reports),
            f"`{name}` should be a dict with one entry per day: {list(reports)}.",
        )
    features = set(feature_bins())
    for day, report in reports.items():
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
