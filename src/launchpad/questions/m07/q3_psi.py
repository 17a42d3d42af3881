"""A PSI function, held to `launchpad.drift.psi` on hidden cases (empty bins included); a wrong
answer is matched against the usual mistakes (log10, KL divergence, no floor, a flipped sign)."""

from __future__ import annotations

import math

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.drift import psi as reference_psi
from launchpad.questions.m07._shared import close

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
    if right and close(got * math.log(10), right):
        return f"{call}: that uses log10; PSI uses the natural logarithm (math.log)."
    if close(got, _kl(reference, current)) or close(got, _kl(current, reference)):
        return (
            f"{call}: that is the KL divergence (one direction only). PSI weighs each bin's "
            "log ratio by the difference (current - reference)."
        )
    if close(got, sum(abs(c - r) for r, c in zip(reference, current, strict=True))):
        return f"{call}: that adds up the differences; multiply each by ln(current / reference)."
    if close(got, -right):
        return f"{call}: the sign is flipped; (c - r) × ln(c / r) is never negative."
    if 0 in reference or 0 in current:
        return f"{call}: floor each share at {FLOOR} (max(share, floor)) before the logarithm."
    return f"{call}."


@question(
    names=["psi"],
    hints=[
        "For each bin: r = max(reference share, floor), c = max(current share, floor); add up "
        "(c - r) × math.log(c / r).",
        "Pair the two windows' shares bin by bin (zip), floor both before anything else, and "
        "add up the terms; math.log is the natural logarithm.",
    ],
)
def psi_matches_the_toolkit(answers: Answers):
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
