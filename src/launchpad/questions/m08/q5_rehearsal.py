"""A rehearsal of promotion, refusal and rollback with the course's registry, checked by
reading the rehearsal store: each model registered and gated, the praise-trained one refused,
the recalibrated one promoted then rolled back, and `serving` the version the alias names."""

from __future__ import annotations

from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.lifecycle.registry import CHALLENGER, CHAMPION, MODEL_NAME, open_store
from launchpad.paths import workspace_dir

REHEARSAL_FOLDER = "mlflow-rehearsal"  # the store of this question, emptied each time its cell runs


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
    numbers = [n for n, v in versions.items() if v["kind"] == kind]
    return max(numbers) if numbers else None


@question(
    names=["serving"],
    files=[f"{REHEARSAL_FOLDER}/"],
    hints=[
        "registry.register(folder, description) returns the new version (the challenger); "
        "registry.promote() gates the challenger and makes it champion, or raises "
        "PromotionRefused with the report; registry.rollback() moves the champion back.",
        "The order: register and promote the course model; register and promote RECALIBRATED; "
        "register PRAISE_TRAINED and promote it inside try/except PromotionRefused; then "
        "rollback(). serving: MlflowClient(registry.uri).get_model_version_by_alias(...).",
    ],
)
def promoted_refused_and_rolled_back(answers: Answers):
    from mlflow.exceptions import MlflowException

    client = open_store(workspace_dir() / REHEARSAL_FOLDER)
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
            f"The rehearsal store has no version of {what} ({folder}): the story registers "
            f"it and puts it through the gate ({why}).",
        )
        expect(
            "gate" in versions[number]["tags"],
            f"Version {number} ({what}) was registered but never went through the gate, so "
            f"the store holds no verdict on it ({why}).",
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
