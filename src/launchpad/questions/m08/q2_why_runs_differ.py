"""Why five training runs differ from a reference run: for each, the one recorded field that
decides the weights (data, code, recipe, libraries), or None when only bookkeeping differs."""

from __future__ import annotations

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.questions.m08.materials import BOOKKEEPING, RUNS

_CAUSES = {
    "run-b": "data_sha256",
    "run-c": "recipe.seed",
    "run-d": "lib.torch",
    "run-e": None,
    "run-f": "git_commit",
}


@question(
    names=["cause"],
    hints=[
        "Compare each run with run-a field by field, and list the fields whose values differ.",
        "Some fields differ for every run by nature (who ran it, when, its id, how long it "
        "took) and the accuracies are the effect, not the cause. What is left decides the "
        "weights: data, code, recipe, libraries. If nothing is left, the answer is None.",
    ],
)
def causes_are_named(answers: Answers):
    cause = answers.value("cause")
    expected = sorted(_CAUSES)
    expect(
        isinstance(cause, dict) and sorted(cause) == expected,
        f"cause should be a dict with one entry for each of {', '.join(expected)} (run-a is "
        f"the reference), got {cause!r}."[:400],
    )
    reference = RUNS["run-a"]
    for name in expected:
        got, right, run = cause[name], _CAUSES[name], RUNS[name]
        if got == right:
            continue
        if right is None:
            raise Incorrect(
                f"run-e: {got!r} differs, but run-e has the same data, code, recipe and "
                "libraries as run-a, and exactly the same accuracy: nothing to explain. Its "
                "answer is None."
            )
        if got is None:
            raise Incorrect(
                f"{name}: its accuracy differs from run-a's, so something that decides the "
                "weights differs too. Compare its fields with run-a's."
            )
        if not isinstance(got, str) or got not in reference:
            spelled = [key for key in reference if isinstance(got, str) and key.endswith(f".{got}")]
            hint = f" (the records write it {spelled[0]})" if spelled else ""
            raise Incorrect(
                f"{name}: {got!r} is not a field of the records{hint}; name one of "
                f"{', '.join(k for k in reference if k not in BOOKKEEPING)}."
            )
        if got in BOOKKEEPING:
            raise Incorrect(
                f"{name}: {got} differs for every run, run-e included, which reproduced run-a "
                "exactly. It records who and when, not what made the model."
            )
        if got.startswith("accuracy_"):
            raise Incorrect(f"{name}: {got} is the effect; which field is the cause?")
        if run[got] == reference[got]:
            raise Incorrect(f"{name}: {got} is the same in run-a and {name}.")
        raise Incorrect(f"{name}: the cause is not {got}.")
    return (
        "Data (run-b), code (run-f), recipe (run-c) and libraries (run-d): a model version is "
        "all four. run-e changed only bookkeeping and got the same model: reproduced. The "
        "course model's cache key hashes the data, the recipe and the library versions for "
        "this reason; the registry adds the commit."
    )
