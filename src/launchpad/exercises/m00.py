"""Module 00 — Welcome and setup."""

from __future__ import annotations

from launchpad.checks import Answers, ____, expect, question
from launchpad.probe import Report

CONCEPTS = {
    "model": "C",
    "tokenizer": "E",
    "batch": "A",
    "drift": "B",
    "model registry": "D",
}


@question(
    "00",
    1,
    hints=["`probe()` returns a report; assign it: `report = probe()`."],
    solution="report = probe()",
)
def q1(answers: Answers):
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


@question(
    "00",
    2,
    hints=[
        "The model is what you ship, like a compiled binary; drift is the data changing under you.",
        "A model registry keeps versions you can promote and roll back, like an image registry.",
    ],
    solution=f"concept_map = {CONCEPTS!r}",
)
def q2(answers: Answers):
    concept_map = answers.value("concept_map")
    expect(
        isinstance(concept_map, dict), "`concept_map` should be a dict like {'model': 'A', ...}."
    )
    missing = [k for k in CONCEPTS if k not in concept_map]
    expect(not missing, f"`concept_map` has no entry for: {', '.join(missing)}.")
    wrong = [k for k, v in CONCEPTS.items() if str(concept_map[k]).strip().upper() != v]
    expect(
        not wrong,
        f"{len(wrong)} of {len(CONCEPTS)} are not matched yet: "
        f"{', '.join(wrong)}. Try .hint() for a nudge.",
    )
    return "That map will carry you through the course."


QUESTIONS = [q1, q2]
__all__ = ["____", "q1", "q2"]
