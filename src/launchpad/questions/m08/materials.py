"""What module 08's exercise hands the learner: the repository's commit (question 1), six
training runs' records (question 2), the sentences of a directional test (question 3), and
what the gate measured on three models with the gate's own thresholds (question 4). Its
notebook's set-up cell imports them; the questions check answers against the same values.

    from launchpad.questions.m08.materials import BASES, COMPLAINT, GIT_COMMIT, RUNS, ...
"""

from __future__ import annotations

from functools import cache

from launchpad.lifecycle import gate


@cache
def repository_commit() -> str:
    """The commit the learner's runs are tagged with: read once (it runs git), so the notebook
    and the check agree even if a commit is made in between."""
    from launchpad.lifecycle.registry import git_commit

    return git_commit()


def _run(run_id: str, start: str, user: str, seconds: int, **changes) -> dict:
    record = {
        "run_id": run_id,
        "start_time": start,
        "user": user,
        "duration_s": seconds,
        "git_commit": "4f1c2e9b7a0d5c3e8f6a1b2c9d0e7f4a3b5c6d8e",
        "data_sha256": "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
        "recipe.seed": "0",
        "recipe.epochs": "1",
        "recipe.threads": "2",
        "recipe.lr_encoder": "8e-05",
        "lib.torch": "2.13.0",
        "lib.transformers": "5.24.0",
        "accuracy_movies": 0.8607,
        "accuracy_amazon": 0.7772,
    }
    record.update({key.replace("__", "."): value for key, value in changes.items()})
    return record


# Six training runs of the same model, as the registry recorded them: run-a is the reference.
RUNS = {
    "run-a": _run("a3f9c1", "Mar 03 03:00", "ci", 262),
    "run-b": _run(
        "b71e04",
        "Mar 10 03:00",
        "ci",
        281,
        data_sha256="9e2b4d71c0a8f3e6d5b4a29187c6e0f3d2a1b9c8e7f6a5d4c3b2a1908f7e6d5c",
        accuracy_movies=0.8712,
        accuracy_amazon=0.7954,
    ),
    "run-c": _run(
        "c0d2a8",
        "Mar 10 14:12",
        "maria",
        255,
        recipe__seed="1",
        accuracy_movies=0.8577,
        accuracy_amazon=0.7801,
    ),
    "run-d": _run(
        "d9b3f6",
        "Mar 17 03:00",
        "ci",
        240,
        lib__torch="2.14.0",
        accuracy_movies=0.8597,
        accuracy_amazon=0.7768,
    ),
    "run-e": _run("e58a17", "Mar 18 09:30", "tom", 270),
    "run-f": _run(
        "f4c6e2",
        "Mar 24 03:00",
        "ci",
        266,
        git_commit="7b0e5d3a9c1f2e4d6b8a0c2e4f6a8b0d2c4e6f8a",
        accuracy_movies=0.8419,
        accuracy_amazon=0.7705,
    ),
}
BOOKKEEPING = ("run_id", "start_time", "user", "duration_s")

# Neutral sentences about a product, and a complaint that must lower P(POSITIVE) after each.
BASES = [
    "The package arrived on Tuesday.",
    "I bought it for my father.",
    "It comes in three colours.",
    "We used it on a camping trip.",
    "I ordered the large size.",
]
COMPLAINT = " But it broke after a week."

# What the gate measured on its sample (300 texts per set), in lesson 08.
MEASURED = {
    "course model": {"movies": 0.883, "amazon": 0.753, "tweets": 0.693, "nyt": 0.797},
    "recalibrated": {"movies": 0.863, "amazon": 0.813, "tweets": 0.830, "nyt": 0.793},
    "praise-trained": {"movies": 0.720, "amazon": 0.720, "tweets": 0.807, "nyt": 0.537},
}
FLOORS = dict(gate.ACCURACY_FLOORS)
MAX_REGRESSION = gate.MAX_REGRESSION


def __getattr__(name: str):
    # GIT_COMMIT runs git: when first imported (the notebook's set-up cell), not when the
    # question package is.
    if name == "GIT_COMMIT":
        return repository_commit()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
