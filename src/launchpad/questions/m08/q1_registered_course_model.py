"""The course model logged as an MLflow run and registered as a version, checked by reading the
learner's store with MLflow's client: the run's parameters, tag, metrics and artifacts against
the model's manifest, and the version's source verified byte for byte."""

from __future__ import annotations

import math
import numbers
import tempfile
from operator import eq
from pathlib import Path

from launchpad.checks import Answers, Incorrect, expect, question
from launchpad.lifecycle.registry import MODEL_NAME, STORE_FOLDER, open_store
from launchpad.paths import workspace_dir
from launchpad.questions.m08.materials import repository_commit


def _course_manifest() -> dict:
    from launchpad.model.build import read_manifest
    from launchpad.model.source import resolve

    return read_manifest(resolve().path)


def _as_version(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, str)):
        kind = type(value).__name__
        raise Incorrect(
            f"version is a {kind}; it should be the version number (an int), the number "
            "`make promote VERSION=...` and the registry's aliases use."
        )
    if isinstance(value, str) and not value.isdigit():
        raise Incorrect(f"version is {value!r}; it should be the version number, an int.")
    return int(value)


def _missing(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _expect_logged(recorded: dict, wanted: dict, kind: str, pattern: str, why: str, same) -> None:
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
        raise Incorrect(f"The run has no {kind} {_missing(missing)}: {why}.")
    wrong = [name for name, value in wanted.items() if not same(recorded[name], value)]
    if wrong:
        name = wrong[0]
        raise Incorrect(
            f"The {kind} {name} is {recorded[name]!r}, but the course model's manifest says "
            f"{wanted[name]!r}: {why}."
        )


def _verify_source(source: str) -> str | None:
    """What is wrong with the files a version's source holds, or None."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from launchpad.model.build import verify

    with tempfile.TemporaryDirectory(prefix="launchpad-q1-") as folder:
        try:
            path = mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=folder)
        except (MlflowException, OSError):
            return "cannot be downloaded"
        problem = verify(Path(path), full=True)
    return None if problem is None else f"does not hold the course model ({problem})"


@question(
    names=["version"],
    files=[f"{STORE_FOLDER}/"],
    hints=[
        "In a run (mlflow.start_run, as a context manager): the recipe as parameters named "
        "recipe.<key> and data_sha256 as one more, GIT_COMMIT as the tag git_commit, one "
        "metric accuracy_<set> per evaluation set, and the folder's files as artifacts under "
        "model/.",
        "After the run, client.create_model_version makes the version: its source is the "
        "run's artifact URI followed by /model, its run_id the run's id. Return its number as "
        "an int, and call the function for `version`.",
    ],
)
def course_model_is_registered(answers: Answers):
    from mlflow.exceptions import MlflowException

    number = _as_version(answers.value("version"))
    client = open_store(workspace_dir() / STORE_FOLDER)
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
            "version go to another store (another tracking URI, or a client of its own)? "
            "`make registry` and `make promote` read this one."
        ) from None
    try:
        return _version_holds_the_course_model(client, found, number, where)
    except Incorrect as error:
        note = _left_behind(client, found, number)
        if not note:
            raise
        raise Incorrect(f"{error} {note}") from error.__cause__


def _left_behind(client, found, number: int) -> str:
    """What a failed attempt left in the learner's store, and how it is cleaned; nothing for a
    version the registry's own verbs made or moved (aliased or gated: not a failed attempt)."""
    aliases = client.get_registered_model(MODEL_NAME).aliases
    if str(number) in map(str, aliases.values()) or "gate" in found.tags:
        return ""
    run = f'; client.delete_run("{found.run_id}")' if found.run_id else ""
    return (
        f"(This attempt stays in the store as version {number}, and `make registry` lists it: "
        f'remove it with client.delete_model_version(MODEL_NAME, "{number}")'
        f"{run}.)"
    )


def _version_holds_the_course_model(client, found, number: int, where: str) -> str:
    """The checks on version `number` of the store: its run, what it logged, its files."""
    expect(
        found.run_id,
        f"Version {number} is not linked to a run, so it leads to nothing that made it: no "
        "parameters, no metrics, no commit.",
    )
    run = client.get_run(found.run_id)
    expect(
        run.info.status == "FINISHED",
        f"The run of version {number} is still {run.info.status}: to anyone reading the "
        "store, a run that never ended is a training job still going, or one that crashed.",
    )
    manifest = _course_manifest()
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
    recipe = {f"recipe.{key}": str(value) for key, value in manifest["recipe"].items()}
    _expect_logged(
        params,
        recipe,
        "parameter",
        "recipe.<key>",
        "the version must say how it was made, or no one can make it again",
        eq,
    )
    expect(
        params.get("data_sha256") == manifest["data_sha256"],
        "The run has no parameter data_sha256 with the manifest's data hash: without it, "
        "nobody can tell which data made the model."
        if "data_sha256" not in params
        else "Parameter data_sha256 is not the manifest's data_sha256.",
    )
    expect(
        tags.get("git_commit") == repository_commit(),
        "The run has no tag git_commit: the version does not lead to the code that made it."
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
        "the registry and the gate compare versions by these figures",
        math.isclose,
    )
    files = sorted(manifest["files"]) + ["launchpad-manifest.json"]
    logged = {Path(a.path).name for a in client.list_artifacts(run.info.run_id, "model")}
    if not logged:
        at_root = {Path(a.path).name for a in client.list_artifacts(run.info.run_id)}
        expect(
            not set(files) & at_root,
            "The model's files are at the root of the run's artifacts, not under model/, "
            "where the version's source points: the version holds nothing to serve.",
        )
    lacking = [name for name in files if name not in logged]
    expect(
        not lacking,
        f"The run's model/ artifacts lack {_missing(lacking)}: a version without them "
        "cannot be served, nor verified against its manifest.",
    )
    problem = _verify_source(found.source)
    expect(
        problem is None,
        f"Version {number}'s source ({found.source}) {problem}: a service that loads this "
        "version would not get the course model.",
    )
    return (
        f"Version {number} of {MODEL_NAME} in {where}/: {len(recipe)} recipe parameters, the "
        f"data's hash, the commit, {len(scores)} accuracies, and the model's "
        f"{len(files)} files, which verify byte for byte against its manifest. `make "
        "registry` lists it, and `make promote VERSION=...` would put it through the gate."
    )
