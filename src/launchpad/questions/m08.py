"""Module 08 — Automate the model lifecycle. Register the course model with MLflow's own API,
explain why two training runs differ, a directional behavioural test run against the course
model and against broken ones, a promotion decision on hidden cases, and a rehearsal of
promotion, refusal and rollback with the course's registry.

Questions 1 and 5 are checked by reading the learner's MLflow store (a sqlite file in the
workspace) with MLflow's client, as any tool of a team would; question 3 runs the learner's test
function against the real course model.
"""

from __future__ import annotations

import math
import numbers
import tempfile
from functools import cache
from operator import eq
from pathlib import Path

from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, learner_frame, question
from launchpad.lifecycle.gate import ACCURACY_FLOORS, MAX_REGRESSION
from launchpad.lifecycle.registry import (
    CHALLENGER,
    CHAMPION,
    MODEL_NAME,
    STORE_FILE,
    STORE_FOLDER,
    git_commit,
    sqlite_uri,
)
from launchpad.paths import workspace_dir

REHEARSAL_FOLDER = "mlflow-rehearsal"  # question 5's store, emptied each time its cell runs


def _store_uri(folder: str) -> str:
    return sqlite_uri(workspace_dir() / folder)


def _client(folder: str):
    """MLflow's client on a store of the workspace, or None if the store does not exist."""
    from mlflow import MlflowClient

    if not (workspace_dir() / folder / STORE_FILE).is_file():
        return None
    uri = _store_uri(folder)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


GIT_COMMIT = git_commit()


# ---- Question 1: log and register the course model -----------------------------------------


def _course_manifest() -> dict:
    from launchpad.course_model import read_manifest
    from launchpad.model import resolve

    return read_manifest(resolve().path)


def _as_version(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, str)):
        kind = type(value).__name__
        raise Incorrect(
            f"version is a {kind}; it should be the version number (an int): "
            "int(client.create_model_version(...).version)."
        )
    if isinstance(value, str) and not value.isdigit():
        raise Incorrect(f"version is {value!r}; it should be the version number, an int.")
    return int(value)


def _missing(names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return shown


@question(
    "08",
    1,
    hints=[
        "Inside `with mlflow.start_run(run_name=...) as run:` call mlflow.log_params({...}), "
        "mlflow.log_param('data_sha256', ...), mlflow.set_tag('git_commit', GIT_COMMIT), "
        "mlflow.log_metrics({...}) and mlflow.log_artifacts(str(model_path), 'model').",
        "After the run: client.create_model_version(MODEL_NAME, "
        "source=f'{run.info.artifact_uri}/model', run_id=run.info.run_id); return int(its "
        ".version). Then version = register_course_model(model_path).",
    ],
    solution="""def register_course_model(model_path):
    mlflow.set_tracking_uri(STORE_URI)
    mlflow.set_experiment(MODEL_NAME)
    manifest = read_manifest(model_path)
    with mlflow.start_run(run_name="the course model, registered by hand") as run:
        mlflow.log_params({f"recipe.{key}": value for key, value in manifest["recipe"].items()})
        mlflow.log_param("data_sha256", manifest["data_sha256"])
        mlflow.set_tag("git_commit", GIT_COMMIT)
        accuracy = {name: scores["accuracy"] for name, scores in manifest["evaluation"].items()}
        mlflow.log_metrics({f"accuracy_{name}": value for name, value in accuracy.items()})
        mlflow.log_artifacts(str(model_path), artifact_path="model")
    source = f"{run.info.artifact_uri}/model"
    created = client.create_model_version(MODEL_NAME, source=source, run_id=run.info.run_id)
    return int(created.version)

version = register_course_model(model_path)""",
)
def q1(answers: Answers):
    from mlflow.exceptions import MlflowException

    number = _as_version(answers.value("version"))
    client = _client(STORE_FOLDER)
    where = f"workspace/{STORE_FOLDER}"
    expect(
        client is not None,
        f"There is no MLflow store in {where}/ (mlflow.db): run the set-up cell, and register "
        "into STORE_URI.",
    )
    try:
        found = client.get_model_version(MODEL_NAME, str(number))
    except MlflowException:
        raise Incorrect(
            f"The store in {where}/ has no version {number} of {MODEL_NAME}: did the "
            "version go to another store? Set mlflow.set_tracking_uri(STORE_URI) before the "
            "run, and use the client of the set-up cell."
        ) from None
    expect(
        found.run_id,
        f"Version {number} is not linked to a run: pass run_id=run.info.run_id to "
        "create_model_version, so the version leads to what made it.",
    )
    run = client.get_run(found.run_id)
    expect(
        run.info.status == "FINISHED",
        f"The run of version {number} is still {run.info.status}: log inside "
        "`with mlflow.start_run(...) as run:`, which ends the run when the block ends.",
    )
    manifest = _course_manifest()
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
    recipe = {f"recipe.{key}": str(value) for key, value in manifest["recipe"].items()}
    _expect_logged(
        params, recipe, "parameter", "recipe.<key>", "log manifest['recipe'], item by item", eq
    )
    expect(
        params.get("data_sha256") == manifest["data_sha256"],
        "The run has no parameter data_sha256 with the manifest's data hash: without it, "
        "nobody can tell which data made the model."
        if "data_sha256" not in params
        else "Parameter data_sha256 is not the manifest's data_sha256.",
    )
    expect(
        tags.get("git_commit") == GIT_COMMIT,
        "The run has no tag git_commit: set it (mlflow.set_tag('git_commit', GIT_COMMIT)), "
        "so the version leads to the code that made it."
        if "git_commit" not in tags
        else f"Tag git_commit is {tags['git_commit']!r}, not this repository's commit "
        "(GIT_COMMIT).",
    )
    scores = {f"accuracy_{name}": s["accuracy"] for name, s in manifest["evaluation"].items()}
    _expect_logged(
        metrics,
        scores,
        "metric",
        "accuracy_<set>",
        "log each set's 'accuracy' from manifest['evaluation']",
        math.isclose,
    )
    files = sorted(manifest["files"]) + ["launchpad-manifest.json"]
    logged = {Path(a.path).name for a in client.list_artifacts(run.info.run_id, "model")}
    if not logged:
        at_root = {Path(a.path).name for a in client.list_artifacts(run.info.run_id)}
        expect(
            not set(files) & at_root,
            "The model's files are at the root of the run's artifacts: log them under model/ "
            "(mlflow.log_artifacts(str(model_path), artifact_path='model')).",
        )
    lacking = [name for name in files if name not in logged]
    expect(
        not lacking,
        f"The run's model/ artifacts lack {_missing(lacking)}: log the whole folder "
        "(mlflow.log_artifacts(str(model_path), artifact_path='model')).",
    )
    problem = _verify_source(found.source)
    expect(
        problem is None,
        f"Version {number}'s source ({found.source}) {problem}: create the version with "
        "source=f'{run.info.artifact_uri}/model'.",
    )
    return (
        f"Version {number} of {MODEL_NAME} in {where}/: {len(recipe)} recipe parameters, the "
        f"data's hash, the commit, {len(scores)} accuracies, and the model's "
        f"{len(files)} files, which verify byte for byte against its manifest. `make "
        "registry` lists it, and `make promote VERSION=...` would put it through the gate."
    )


def _expect_logged(recorded: dict, wanted: dict, kind: str, pattern: str, how: str, same) -> None:
    """Every name of `wanted` is in `recorded` (a run's parameters or metrics) with its value;
    names logged without their prefix, missing names and wrong values are named."""
    prefix = pattern.split("<")[0]
    missing = [name for name in wanted if name not in recorded]
    if missing:
        bare = [name.removeprefix(prefix) for name in missing]
        if all(name in recorded for name in bare):
            raise Incorrect(
                f"The run logs {_missing(bare)} without a prefix: name each {kind} {pattern}, "
                "so that a run's fields stay apart (and the registry and the gate find them)."
            )
        raise Incorrect(f"The run has no {kind} {_missing(missing)}: {how}.")
    wrong = [name for name, value in wanted.items() if not same(recorded[name], value)]
    if wrong:
        name = wrong[0]
        raise Incorrect(
            f"The {kind} {name} is {recorded[name]!r}, but the course model's manifest says "
            f"{wanted[name]!r}: {how}."
        )


def _verify_source(source: str) -> str | None:
    """What is wrong with the files a version's source holds, or None."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from launchpad.course_model import verify

    with tempfile.TemporaryDirectory(prefix="launchpad-q1-") as folder:
        try:
            path = mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=folder)
        except (MlflowException, OSError):
            return "cannot be downloaded"
        problem = verify(Path(path), full=True)
    return None if problem is None else f"does not hold the course model ({problem})"


# ---- Question 2: why two runs differ -------------------------------------------------------


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
_CAUSES = {
    "run-b": "data_sha256",
    "run-c": "recipe.seed",
    "run-d": "lib.torch",
    "run-e": None,
    "run-f": "git_commit",
}


@question(
    "08",
    2,
    hints=[
        "Compare each run with run-a field by field: "
        "[key for key in run if run[key] != RUNS['run-a'][key]].",
        "Some fields differ for every run by nature (who ran it, when, its id, how long it "
        "took) and the accuracies are the effect, not the cause. What is left decides the "
        "weights: data, code, recipe, libraries. If nothing is left, the answer is None.",
    ],
    solution="""cause = {
    "run-b": "data_sha256",  # new data: the biggest change
    "run-c": "recipe.seed",  # another random start: a point or so
    "run-d": "lib.torch",  # a library upgrade: tiny differences
    "run-e": None,  # only bookkeeping differs: the same model, reproduced
    "run-f": "git_commit",  # the training code changed
}""",
)
def q2(answers: Answers):
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


# ---- Question 3: a directional test ---------------------------------------------------------

# Neutral sentences about a product, and a complaint that must lower P(POSITIVE) after each.
BASES = [
    "The package arrived on Tuesday.",
    "I bought it for my father.",
    "It comes in three colours.",
    "We used it on a camping trip.",
    "I ordered the large size.",
]
COMPLAINT = " But it broke after a week."
# P(POSITIVE) of broken models, per base: (without, with the complaint).
_BEFORE = [0.40, 0.71, 0.83, 0.46, 0.30]
_FAKES = {
    "ignores the complaint": [(p, p) for p in _BEFORE],
    "is cheered up by the complaint": [(p, min(0.99, p + 0.15)) for p in _BEFORE],
    "fails on one sentence": [(p, 0.1) for p in _BEFORE[:-1]] + [(0.30, 0.35)],
}


class _Fake:
    """A model whose P(POSITIVE) for BASES and their complaints is set by hand."""

    def __init__(self, name: str, pairs: list[tuple[float, float]]):
        self.name = name
        self._p = {}
        for base, (before, after) in zip(BASES, pairs, strict=True):
            self._p[base], self._p[base + COMPLAINT] = before, after

    def predict(self, texts):
        from sentiment_api.predictions import Prediction

        out = []
        for text in texts:
            p = self._p.get(text, 0.5)
            out.append(Prediction("POSITIVE", p) if p >= 0.5 else Prediction("NEGATIVE", 1 - p))
        return out


class _Shifted:
    """`model` with its threshold moved: `shift` added to every logit, as a retraining on
    nearly all praise would (see launchpad.lifecycle.candidates)."""

    def __init__(self, model, shift: float):
        self._model, self._shift = model, shift

    def predict(self, texts):
        from launchpad.onnx_model import positive_probability
        from sentiment_api.predictions import Prediction

        out = []
        for prediction in self._model.predict(texts):
            p = min(max(positive_probability(prediction), 1e-9), 1 - 1e-9)
            p = 1 / (1 + math.exp(-(math.log(p / (1 - p)) + self._shift)))
            out.append(Prediction("POSITIVE", p) if p >= 0.5 else Prediction("NEGATIVE", 1 - p))
        return out


@cache
def _course_model():
    from launchpad.lifecycle.gate import load
    from launchpad.model import resolve

    return load(resolve().path)


def _run_test(test, model) -> tuple[str, object]:
    """("passed", returned) or ("failed", message); other exceptions become feedback."""
    try:
        returned = test(model)
    except AssertionError as error:
        return "failed", str(error)
    except NotImplementedError as error:
        raise NotAttempted(
            "test_complaint_lowers_positive (or a function it calls) still raises "
            "NotImplementedError."
        ) from error
    except (Incorrect, NotAttempted):
        raise
    except Exception as error:
        where = learner_frame(error)
        raise Incorrect(
            f"test_complaint_lowers_positive raised {type(error).__name__}: {error} "
            f"(line {where.lineno}: `{(where.line or '').strip()}`). A test fails with an "
            "AssertionError; anything else is a bug in the test."
        ) from error
    return "passed", returned


def _said(message: object) -> str:
    text = str(message).strip()
    return f" It said: {text[:160]}" if text else ""


@question(
    "08",
    3,
    hints=[
        "p_positive: return prediction.score when prediction.label is 'POSITIVE', else "
        "1 - prediction.score. The test: predict BASES, then each base + COMPLAINT.",
        "For every pair, assert p_positive(after) < p_positive(before), with a message naming "
        "the sentence: a test fails by raising, and < means strictly lower.",
    ],
    solution="""def p_positive(prediction):
    if prediction.label == "POSITIVE":
        return prediction.score
    return 1 - prediction.score

def test_complaint_lowers_positive(model):
    before = model.predict(BASES)
    after = model.predict([base + COMPLAINT for base in BASES])
    for base, b, a in zip(BASES, before, after):
        assert p_positive(a) < p_positive(b), (
            f"{base!r} + complaint: P(POSITIVE) {p_positive(b):.2f} -> {p_positive(a):.2f}"
        )""",
)
def q3(answers: Answers):
    from sentiment_api.predictions import Prediction

    p_positive = answers.function("p_positive")
    for label, score, want in (("POSITIVE", 0.8, 0.8), ("NEGATIVE", 0.9, 0.1)):
        got = p_positive(Prediction(label, score))
        expect(
            isinstance(got, numbers.Real) and math.isclose(got, want, abs_tol=1e-9),
            f"p_positive({label}, score {score}) should be {want}, got {got!r}: score is the "
            "probability of the label the model returned, so for a NEGATIVE answer "
            "P(POSITIVE) is 1 - score.",
        )
    test = answers.value("test_complaint_lowers_positive")
    expect(callable(test), "test_complaint_lowers_positive should be a function.")

    course = _course_model()
    must_pass = (
        (
            course,
            "Your test fails on the course model, which does lower P(POSITIVE) after every "
            "base sentence (e.g. 'I bought it for my father.': 0.71, then 0.15).",
            " Compare p_positive before and after, not .score: it is the probability of the "
            "label returned, which goes up when the label flips to NEGATIVE.",
        ),
        (
            _Shifted(course, 3.0),
            "Your test fails on a model retrained on a week of praise: its threshold moved "
            "(every P(POSITIVE) is higher) but every complaint still lowers it.",
            " A directional test checks the direction (before against after), not labels or "
            "fixed cut-offs.",
        ),
    )
    for model, what, advice in must_pass:
        status, said = _run_test(test, model)
        if status == "failed":
            raise Incorrect(what + _said(said) + advice)
    for name, pairs in _FAKES.items():
        status, returned = _run_test(test, _Fake(name, pairs))
        if status == "failed":
            continue
        if returned is False:
            raise Incorrect(
                f"Your test returned False for a model that {name}, and a test runner ignores "
                "what a test returns: fail by raising (assert ...)."
            )
        if name == "ignores the complaint":
            raise Incorrect(
                "Your test passed a model that ignores the complaint (P(POSITIVE) unchanged): "
                "lowering means strictly lower, < not <=."
            )
        if name == "fails on one sentence":
            raise Incorrect(
                "Your test passed a model whose P(POSITIVE) rises from 0.30 to 0.35 on "
                f"{BASES[-1]!r} + the complaint (the label stays NEGATIVE): check every "
                "sentence, compare probabilities, not labels or an average."
            )
        raise Incorrect(f"Your test passed a model that {name}: it should fail.")
    return (
        "Your test passes the course model, fails three broken ones, and passes the model "
        "retrained on praise too: a shifted threshold keeps every direction. That is why the "
        "gate holds accuracy floors as well as behavioural suites."
    )


# ---- Question 4: the promotion decision ------------------------------------------------------

# What the gate measured on its sample (300 texts per set), in lesson 08.
MEASURED = {
    "course model": {"movies": 0.883, "amazon": 0.753, "tweets": 0.693, "nyt": 0.797},
    "recalibrated": {"movies": 0.863, "amazon": 0.813, "tweets": 0.830, "nyt": 0.793},
    "praise-trained": {"movies": 0.720, "amazon": 0.720, "tweets": 0.807, "nyt": 0.537},
}
_COURSE, _RECALIBRATED, _PRAISE = MEASURED.values()
FLOORS = dict(ACCURACY_FLOORS)

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
    "08",
    4,
    hints=[
        "Refuse (False) if any set in floors is missing from candidate or under its floor "
        "(candidate[s] < floors[s]). With a champion, also refuse if champion[s] - "
        "candidate[s] > max_regression for any set. Otherwise True.",
        "champion is None on a first release: skip the regression rule then. Floating point "
        "makes 0.85 - 0.82 a hair more than 0.03: compare with max_regression + 1e-9.",
    ],
    solution="""def should_promote(candidate, champion, floors, max_regression):
    for name, floor in floors.items():
        if name not in candidate or candidate[name] < floor:
            return False
    if champion is not None:
        for name, value in champion.items():
            if value - candidate.get(name, 0.0) > max_regression + 1e-9:
                return False
    return True""",
)
def q4(answers: Answers):
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


# ---- Question 5: promotion, refusal and rollback -----------------------------------------


def _versions(client) -> dict[int, dict]:
    """Each version of MODEL_NAME: its kind (from the run's parameters) and its tags."""
    versions = {}
    for found in client.search_model_versions(f"name = '{MODEL_NAME}'"):
        params = client.get_run(found.run_id).data.params if found.run_id else {}
        shift = params.get("prior_shift")
        kind = {None: "course", "1.0": "recalibrated", "3.0": "praise"}.get(shift, "other")
        versions[int(found.version)] = {"kind": kind, "tags": found.tags}
    return versions


def _latest(versions: dict[int, dict], kind: str) -> int | None:
    numbers_ = [n for n, v in versions.items() if v["kind"] == kind]
    return max(numbers_) if numbers_ else None


@question(
    "08",
    5,
    hints=[
        "registry.register(folder, description) returns the new version (the challenger); "
        "registry.promote() gates the challenger and makes it champion, or raises "
        "PromotionRefused with the report; registry.rollback() moves the champion back.",
        "The order: register and promote the course model; register and promote RECALIBRATED; "
        "register PRAISE_TRAINED and promote it inside try/except PromotionRefused; then "
        "rollback(). serving: MlflowClient(registry.uri).get_model_version_by_alias(...).",
    ],
    solution="""registry.register(model_path, "the course model")
registry.promote()
registry.register(RECALIBRATED, "recalibrated on feedback")
registry.promote()
registry.register(PRAISE_TRAINED, "retrained on a week of praise")
try:
    registry.promote()
except PromotionRefused as refused:
    print(refused.report.summary())
registry.rollback()

rehearsal_client = MlflowClient(registry.uri)
serving = int(rehearsal_client.get_model_version_by_alias(MODEL_NAME, "champion").version)""",
)
def q5(answers: Answers):
    from mlflow.exceptions import MlflowException

    client = _client(REHEARSAL_FOLDER)
    if client is None:
        raise NotAttempted("Run the rehearsal cell: it makes the store of this question.")
    try:
        registered = client.get_registered_model(MODEL_NAME)
    except MlflowException:
        raise NotAttempted(
            "Nothing is registered in the rehearsal store yet: fill in the rehearsal cell."
        ) from None
    versions = _versions(client)
    aliases = {alias: int(number) for alias, number in registered.aliases.items()}
    champion = aliases.get(CHAMPION)
    course, recalibrated, praise = (
        _latest(versions, k) for k in ("course", "recalibrated", "praise")
    )
    steps = (
        (course, "the course model", "model_path", "the first champion"),
        (recalibrated, "RECALIBRATED", "RECALIBRATED", "it passes against the course model"),
        (praise, "PRAISE_TRAINED", "PRAISE_TRAINED", "the gate refuses it (PromotionRefused)"),
    )
    for number, what, folder, why in steps:
        expect(
            number is not None,
            f"The rehearsal store has no version of {what}: registry.register({folder}), then "
            f"registry.promote(); {why}.",
        )
        expect(
            "gate" in versions[number]["tags"],
            f"Version {number} ({what}) was registered but never went through the gate: "
            f"call registry.promote() after registering it; {why}.",
        )
    expect(
        versions[course]["tags"]["gate"] == "passed"
        and versions[recalibrated]["tags"]["gate"] == "passed",
        "The gate refused the course model or the recalibrated one: register model_path and "
        "RECALIBRATED as they are.",
    )
    expect(
        champion != praise,
        f"Version {praise}, the model retrained on praise, is the champion: it went around the "
        "gate (an alias moved by hand?). Promote only with registry.promote().",
    )
    expect(champion is not None, "No version is champion: nothing would serve.")
    expect(
        champion != recalibrated,
        f"Version {recalibrated}, the recalibrated model, still serves: support has forwarded "
        "complaints about it, roll back (registry.rollback()).",
    )
    expect(
        champion == course and versions[recalibrated]["tags"].get("rolled_back") == "true",
        f"The champion is version {champion}; after promoting version {recalibrated} and "
        f"rolling it back with registry.rollback(), it should be the course model (version "
        f"{course}), and version {recalibrated} marked rolled_back.",
    )
    serving = answers.value("serving")
    expect(
        not isinstance(serving, bool) and serving == champion,
        f"serving is {serving!r}, but models:/{MODEL_NAME}@{CHAMPION} resolves to version "
        f"{champion}: ask the store after the rollback "
        f"(client.get_model_version_by_alias(MODEL_NAME, 'champion')).",
    )
    waiting = aliases.get(CHALLENGER)
    still = ", still the challenger" if waiting == praise else ""
    return (
        f"Version {course} serves again; version {recalibrated} was promoted and rolled back "
        f"(its tag says so); version {praise} was refused by the gate{still}, and never "
        f"reached a user. A service started now with MODEL_URI=models:/{MODEL_NAME}@champion "
        f"loads version {champion}."
    )


QUESTIONS = [q1, q2, q3, q4, q5]
__all__ = [
    "BASES",
    "COMPLAINT",
    "FLOORS",
    "GIT_COMMIT",
    "MAX_REGRESSION",
    "MEASURED",
    "MODEL_NAME",
    "RUNS",
    "____",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
]
