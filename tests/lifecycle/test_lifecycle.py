"""The model lifecycle end to end, with a real MLflow sqlite store: register, promote through
the gate, refuse a worse model, roll back, and a real service process that serves whatever
`models:/launchpad-sentiment@champion` points to. Each step is the command a learner types."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import httpx
import mlflow
import pytest

from launchpad.lifecycle.registry import MODEL_NAME, Registry, RegistryError
from launchpad.loadtest import running_service
from launchpad.model.build import read_manifest

CHAMPION_URI = f"models:/{MODEL_NAME}@champion"


@dataclass
class Step:
    command: str
    returncode: int
    output: str
    champion: int | None


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory, course_model_dir, recalibrated, praise_trained):
    """Run the learner's commands in a fresh workspace; remember what each one said and who
    was champion after it."""
    workspace = tmp_path_factory.mktemp("workspace")
    env = {**os.environ, "LAUNCHPAD_WORKSPACE": str(workspace)}
    env.pop("MLFLOW_TRACKING_URI", None)
    uri = f"sqlite:///{workspace / 'mlflow' / 'mlflow.db'}"
    steps = {}
    script = [
        ("register course", ["register", "--model", str(course_model_dir)]),
        ("promote course", ["promote"]),
        ("register recalibrated", ["register", "--model", str(recalibrated)]),
        ("promote recalibrated", ["promote"]),
        ("register praise", ["register", "--model", str(praise_trained)]),
        ("promote praise", ["promote"]),
        ("rollback", ["rollback"]),
        ("rollback again", ["rollback"]),
    ]
    for name, args in script:
        done = subprocess.run(
            [sys.executable, "-m", "launchpad", "registry", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        champion = Registry(uri).alias("champion")
        steps[name] = Step(name, done.returncode, done.stdout + done.stderr, champion)
    return uri, steps


def test_a_model_that_passes_the_gate_becomes_champion(lifecycle):
    _, steps = lifecycle
    assert steps["register course"].returncode == 0
    assert "as version 1, the challenger" in steps["register course"].output
    promoted = steps["promote course"]
    assert promoted.returncode == 0, promoted.output
    assert "PASSED" in promoted.output and promoted.champion == 1
    second = steps["promote recalibrated"]
    assert second.returncode == 0, second.output
    assert "against champion version 1: PASSED" in second.output and second.champion == 2


def test_a_worse_model_is_refused_and_the_champion_stays(lifecycle):
    uri, steps = lifecycle
    refused = steps["promote praise"]
    assert refused.returncode == 1
    assert "REFUSED" in refused.output and "not promoted" in refused.output
    assert "FAIL  accuracy on movies" in refused.output
    assert refused.champion == 2
    version = mlflow.MlflowClient(uri).get_model_version(MODEL_NAME, "3")
    assert version.tags["gate"] == "refused" and "challenger" in version.aliases


def test_rollback_restores_the_previous_champion_once(lifecycle):
    _, steps = lifecycle
    back = steps["rollback"]
    assert back.returncode == 0 and back.champion == 1
    assert "the champion is version 1 again (was 2)" in back.output
    again = steps["rollback again"]
    assert again.returncode == 1 and again.champion == 1
    assert "no earlier champion" in again.output


def test_each_version_records_what_made_it_and_what_the_gate_measured(lifecycle, course_model_dir):
    uri, _ = lifecycle
    client = mlflow.MlflowClient(uri)
    manifest = read_manifest(course_model_dir)
    run = client.get_run(client.get_model_version(MODEL_NAME, "1").run_id)
    assert run.data.params["recipe.seed"] == str(manifest["recipe"]["seed"])
    assert run.data.params["data_sha256"] == manifest["data_sha256"]
    assert run.data.metrics["accuracy_movies"] == manifest["evaluation"]["movies"]["accuracy"]
    assert run.data.metrics["gate_passed"] == 1.0
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    assert {"model/config.json", "model/model.safetensors"} <= artifacts
    worse = client.get_run(client.get_model_version(MODEL_NAME, "3").run_id)
    assert worse.data.params["prior_shift"] == "3.0"
    assert worse.data.metrics["gate_passed"] == 0.0


def predict(base: str, text: str) -> dict:
    response = httpx.post(f"{base}/predict", json={"text": text}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_service_serves_the_champion_and_a_pinned_version(lifecycle):
    """After the rollback the champion is version 1; version 2 (recalibrated toward
    POSITIVE) is still reachable by number, and answers differently."""
    uri, _ = lifecycle
    text = "The plot is thin, though the actors try."
    answers = {}
    for model_uri in (CHAMPION_URI, f"models:/{MODEL_NAME}/2"):
        with running_service(model_uri=model_uri, mlflow_tracking_uri=uri) as service:
            answers[model_uri] = predict(service.base, text)
            metrics = httpx.get(f"{service.base}/metrics", timeout=10).text
    champion, pinned = answers[CHAMPION_URI], answers[f"models:/{MODEL_NAME}/2"]
    assert champion["model"] == {"name": MODEL_NAME, "version": "1"}
    assert pinned["model"] == {"name": MODEL_NAME, "version": "2"}
    assert f'model_info{{name="{MODEL_NAME}",runtime="torch",version="2"}} 1.0' in metrics

    def positive(answer) -> float:
        p = answer["predictions"][0]
        return p["score"] if p["label"] == "POSITIVE" else 1 - p["score"]

    assert positive(pinned) > positive(champion)


def test_a_folder_that_is_not_a_model_is_refused_and_any_model_folder_is_accepted(
    tmp_path, course_model_dir
):
    registry = Registry(f"sqlite:///{tmp_path / 'store.db'}")
    with pytest.raises(RegistryError, match="is not a model folder"):
        registry.register(tmp_path)
    hub_like = tmp_path / "hub-model"  # a folder without the course's manifest
    hub_like.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        (hub_like / name).symlink_to(course_model_dir / name)
    assert registry.register(hub_like, "from elsewhere") == 1
    assert registry.alias("challenger") == 1 and registry.alias("champion") is None
    with pytest.raises(RegistryError, match="no earlier champion"):
        registry.rollback()


def test_a_rolled_back_version_can_be_promoted_again(lifecycle):
    """Runs last: after the rollback, version 2 goes through the gate again and serves."""
    uri, _ = lifecycle
    registry = Registry(uri)
    assert registry.promote(2).passed
    assert registry.alias("champion") == 2 and registry.history() == [1, 2]
    version = mlflow.MlflowClient(uri).get_model_version(MODEL_NAME, "2")
    assert "rolled_back" not in version.tags
    assert "(rolled back)" not in registry.status()
