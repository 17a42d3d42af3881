"""A promotion decision, `should_promote`, on hidden cases: the measured models of lesson 08
and the edges (no champion, exactly on a floor, exactly at the tolerance, a set not measured)."""

from __future__ import annotations

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.questions.m08.materials import FLOORS, MAX_REGRESSION, MEASURED

_COURSE, _RECALIBRATED, _PRAISE = MEASURED.values()
_EDGE = {"movies": 0.85, "amazon": 0.78, "tweets": 0.70, "nyt": 0.76}
# (case, candidate, champion, expected, what a wrong answer missed)
PROMOTION_CASES = [
    ("first release", _COURSE, None, True, "there is no champion yet (None): only the floors"),
    (
        "first release under a floor",
        _PRAISE,
        None,
        False,
        "movies (0.72) and nyt (0.537) are under their floors (0.82, 0.7): refuse, champion or not",
    ),
    (
        "exactly on the floors",
        dict(FLOORS),
        None,
        True,
        "a candidate exactly on each floor meets it (>=, not >)",
    ),
    (
        "recalibrated against the course model",
        _RECALIBRATED,
        _COURSE,
        True,
        "it loses 2 points on movies, within the 3 allowed: a regression up to max_regression "
        "is tolerated",
    ),
    (
        "course model against the recalibrated champion",
        _COURSE,
        _RECALIBRATED,
        False,
        "it loses 6 points on amazon and 13.7 on tweets against the champion, more than "
        "max_regression (0.03): refuse",
    ),
    (
        "exactly at the tolerance",
        {**_EDGE, "movies": 0.82},
        _EDGE,
        True,
        "movies drops from 0.85 to 0.82, exactly max_regression (0.03), which is allowed; but "
        "0.85 - 0.82 is 0.030000000000000027 in floating point: compare with a little "
        "slack (max_regression + 1e-9)",
    ),
    (
        "one text beyond the tolerance",
        {**_EDGE, "movies": 0.8167},
        _EDGE,
        False,
        "movies drops from 0.85 to 0.8167, 0.0333: more than max_regression (0.03)",
    ),
    (
        "better than the champion, under a floor",
        {**_EDGE, "nyt": 0.69},
        {**_EDGE, "nyt": 0.68},
        False,
        "nyt (0.69) is under its floor (0.7), even though the champion did worse: floors hold "
        "whatever the champion",
    ),
    (
        "a set not measured",
        {k: v for k, v in _RECALIBRATED.items() if k != "nyt"},
        _COURSE,
        False,
        "the candidate has no figure for nyt (the gate could not measure it): a missing figure "
        "fails its floor",
    ),
]


def _call(should_promote, candidate, champion) -> object:
    return should_promote(
        dict(candidate), None if champion is None else dict(champion), dict(FLOORS), MAX_REGRESSION
    )


@question(
    names=["should_promote"],
    hints=[
        "Refuse (False) if any set in floors is missing from candidate or under its floor "
        "(candidate[s] < floors[s]). With a champion, also refuse if champion[s] - "
        "candidate[s] > max_regression for any set. Otherwise True.",
        "champion is None on a first release: skip the regression rule then. Floating point "
        "makes 0.85 - 0.82 a hair more than 0.03: compare with max_regression + 1e-9.",
    ],
)
def promotion_is_decided(answers: Answers):
    should_promote = answers.function("should_promote")
    for case, candidate, champion, want, missed in PROMOTION_CASES:
        try:
            got = _call(should_promote, candidate, champion)
        except Incorrect as error:
            cause = error.__cause__
            if champion is None and isinstance(cause, TypeError):
                raise Incorrect(
                    f"{error} On a first release there is no champion: champion is None, and "
                    "only the floors apply."
                ) from error
            if case == "a set not measured" and isinstance(cause, KeyError):
                raise Incorrect(
                    f"{error} A candidate without a figure for a set must be refused, not "
                    "crash the gate: treat a missing figure as under its floor."
                ) from error
            raise
        expect(
            isinstance(got, bool),
            f"should_promote should return True or False, got {got!r} ({case}).",
        )
        expect(got == want, f"{case}: should_promote returned {got}, but {missed}.")
    return (
        "Your gate promotes the recalibrated model over the course model, refuses the "
        "praise-trained one, and takes the edges right: no champion, exactly on a floor, "
        "exactly at the tolerance, a set not measured. The course's gate "
        "(launchpad.lifecycle.gate) adds the behavioural suites."
    )
