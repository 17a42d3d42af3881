"""Reading a check's verdict in a test."""

from __future__ import annotations

from launchpad.checks import Question


def outcome(question: Question, **namespace) -> tuple[str, str]:
    """(status, message) of `question` checked against `namespace` as the learner's names."""
    result = question.evaluate(namespace)
    return result.status, result.message
