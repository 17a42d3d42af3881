"""The model registry: MLflow with its local sqlite store and artifact folder.

One registered model, `launchpad-sentiment`, whose versions are model folders logged from
runs (parameters, metrics, the folder itself). Two aliases say which version does what:
`challenger` is the newest candidate, `champion` the one that serves (the service loads
`models:/launchpad-sentiment@champion`). Promotion moves `champion` after the quality gate
passes; rollback moves it back. Every champion, in order, is kept in the registered model's
`champion_history` tag, so a rollback knows where to go.

The store lives in `workspace/mlflow/` unless MLFLOW_TRACKING_URI names another: a team
points it at a tracking server (a database behind it, an object store for the artifacts), and
nothing else changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from launchpad.lifecycle.gate import (
    ACCURACY_FLOORS,
    ACCURACY_METRIC,
    GateReport,
    load,
    measure_accuracy,
    run_gate,
    sample_fingerprint,
)
from launchpad.lifecycle.mlflow_cache import forget_store
from launchpad.model.build import read_manifest
from launchpad.paths import REPO_ROOT, workspace_dir

if TYPE_CHECKING:
    from mlflow import MlflowClient

MODEL_NAME = "launchpad-sentiment"
CHAMPION, CHALLENGER = "champion", "challenger"
HISTORY_TAG = "champion_history"


class RegistryError(RuntimeError):
    """Something the learner can fix; the message says what."""


class PromotionRefused(RegistryError):
    def __init__(self, report: GateReport):
        super().__init__(report.summary())
        self.report = report


STORE_FOLDER, STORE_FILE = "mlflow", "mlflow.db"  # in the workspace


def store_dir() -> Path:
    return workspace_dir() / STORE_FOLDER


def sqlite_uri(folder: Path) -> str:
    """The tracking URI of the sqlite store kept in `folder`."""
    return f"sqlite:///{folder / STORE_FILE}"


def tracking_uri() -> str:
    """MLFLOW_TRACKING_URI if set, else the sqlite store in the workspace."""
    return os.environ.get("MLFLOW_TRACKING_URI") or sqlite_uri(store_dir())


def open_store(folder: Path) -> MlflowClient | None:
    """MLflow's client on the sqlite store kept in `folder`, or None if there is none: reading
    a store must not create an empty one."""
    if not (folder / STORE_FILE).is_file():
        return None
    from sentiment_api.model_registry import import_mlflow

    uri = sqlite_uri(folder)
    return import_mlflow().MlflowClient(tracking_uri=uri, registry_uri=uri)


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


class Registry:
    def __init__(self, uri: str | None = None):
        self.uri = uri or tracking_uri()
        # The service's modules load FastAPI: imported when a registry is used, not before.
        from sentiment_api.model_registry import import_mlflow

        mlflow = import_mlflow()
        if self.uri.startswith("sqlite:///"):
            database = Path(self.uri.removeprefix("sqlite:///"))
            if not database.exists():  # new, or deleted since MLflow opened it in this process
                forget_store(self.uri)
            database.parent.mkdir(parents=True, exist_ok=True)
        self._client = mlflow.MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)

    # --8<-- [start:register]
    def register(self, folder: Path, description: str = "") -> int:
        """Log the model in `folder` as a run and register it as a new version, the challenger.
        Returns the version number."""
        manifest = _manifest(folder)
        run = self._client.create_run(
            self._experiment_id(),
            run_name=f"{manifest['name']} {manifest['version']}",
            tags={"git_commit": git_commit(), "model_version": manifest["version"]},
        )
        run_id = run.info.run_id
        for key, value in _params(manifest).items():
            self._client.log_param(run_id, key, value)
        for name, scores in manifest.get("evaluation", {}).items():
            if "accuracy" in scores:
                self._client.log_metric(run_id, f"accuracy_{name}", scores["accuracy"])
        self._client.log_artifacts(run_id, str(folder), "model")
        self._client.set_terminated(run_id)
        if not self._client.search_registered_models(f"name = '{MODEL_NAME}'"):
            self._client.create_registered_model(MODEL_NAME)
        version = self._client.create_model_version(
            MODEL_NAME,
            source=f"{run.info.artifact_uri}/model",
            run_id=run_id,
            description=description or manifest.get("why", ""),
        )
        self._client.set_registered_model_alias(MODEL_NAME, CHALLENGER, version.version)
        return int(version.version)

    # --8<-- [end:register]
    # --8<-- [start:promote]
    def promote(self, version: int | None = None, threads: int = 2) -> GateReport:
        """Make `version` (default: the challenger) the champion if it passes the quality gate
        against the current champion; otherwise raise PromotionRefused with the gate's report.
        Either way the gate's figures are recorded on the version's run."""
        candidate = self.version(version) if version is not None else self.alias(CHALLENGER)
        if candidate is None:
            raise RegistryError("There is no challenger to promote: register a model first.")
        champion = self.alias(CHAMPION)
        if champion is not None and champion == candidate:
            raise RegistryError(f"Version {candidate} is already the champion.")
        with self.files(candidate) as path:
            baseline = None
            if champion is not None:
                baseline = self._recorded_accuracy(champion)
            if champion is not None and baseline is None:
                with self.files(champion) as champion_path:
                    baseline = measure_accuracy(load(champion_path, threads))
            names = (f"version {candidate}", f"version {champion}" if champion else None)
            report = run_gate(path, baseline, names, threads)
        self._record(candidate, report)
        if not report.passed:
            raise PromotionRefused(report)
        self._set_champion(candidate, self.history() + [candidate])
        self._client.delete_model_version_tag(MODEL_NAME, str(candidate), "rolled_back")
        if self.alias(CHALLENGER) == candidate:
            self._client.delete_registered_model_alias(MODEL_NAME, CHALLENGER)
        return report

    def rollback(self) -> tuple[int, int]:
        """Point the champion back at the version that served before it: (from, to)."""
        history = self.history()
        if len(history) < 2:
            raise RegistryError("There is no earlier champion to roll back to.")
        current, previous = history[-1], history[-2]
        self._set_champion(previous, history[:-1])
        self._client.set_model_version_tag(MODEL_NAME, str(current), "rolled_back", "true")
        return current, previous

    # --8<-- [end:promote]

    def alias(self, alias: str) -> int | None:
        from mlflow.exceptions import MlflowException

        try:
            return int(self._client.get_model_version_by_alias(MODEL_NAME, alias).version)
        except MlflowException:  # no such alias, or no registered model yet
            return None

    def version(self, number: int) -> int:
        from mlflow.exceptions import MlflowException

        try:
            return int(self._client.get_model_version(MODEL_NAME, str(number)).version)
        except MlflowException as error:
            raise RegistryError(f"{MODEL_NAME} has no version {number}.") from error

    def history(self) -> list[int]:
        """Every champion so far, oldest first; the last one serves."""
        from mlflow.exceptions import MlflowException

        try:
            tags = self._client.get_registered_model(MODEL_NAME).tags
        except MlflowException:  # nothing registered yet
            return []
        try:
            return [int(v) for v in json.loads(tags.get(HISTORY_TAG, "[]"))]
        except (ValueError, TypeError) as error:
            raise RegistryError(
                f"The registered model's {HISTORY_TAG} tag is damaged ({error}); set it again to"
                " the list of champion versions, oldest first, e.g. [1, 2]."
            ) from error

    @contextmanager
    def files(self, version: int) -> Iterator[Path]:
        """The folder of `version`, downloaded for as long as the block runs."""
        from sentiment_api.model_registry import fetch

        with tempfile.TemporaryDirectory(prefix="launchpad-registry-") as folder:
            yield fetch(f"models:/{MODEL_NAME}/{version}", Path(folder), self.uri).path

    def status(self) -> str:
        """A table of the versions: aliases, gate verdict, description."""
        versions = self._client.search_model_versions(f"name = '{MODEL_NAME}'")
        if not versions:
            return f"{MODEL_NAME} has no versions yet."
        aliases: dict[str, list[str]] = {}
        for alias, number in self._client.get_registered_model(MODEL_NAME).aliases.items():
            aliases.setdefault(str(number), []).append(alias)
        lines = [f"{'version':>7}  {'aliases':<20} {'gate':<20} description"]
        for v in sorted(versions, key=lambda v: int(v.version)):
            named = ", ".join(sorted(aliases.get(str(v.version), []))) or "-"
            gate = v.tags.get("gate", "-") + (" (rolled back)" if "rolled_back" in v.tags else "")
            lines.append(f"{v.version:>7}  {named:<20} {gate:<20} {v.description or ''}")
        return "\n".join(lines)

    def _experiment_id(self) -> str:
        found = self._client.get_experiment_by_name(MODEL_NAME)
        if found is not None:
            return found.experiment_id
        # A local store keeps its artifacts next to the database; a server decides for itself.
        location = None
        if self.uri.startswith("sqlite:///"):
            location = (Path(self.uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
        return self._client.create_experiment(MODEL_NAME, artifact_location=location)

    def _record(self, version: int, report: GateReport) -> None:
        run_id = self._client.get_model_version(MODEL_NAME, str(version)).run_id
        for key, value in report.metrics().items():
            self._client.log_metric(run_id, key, value)
        tags = {
            "gate": "passed" if report.passed else "refused",
            "gate_report": report.summary(),
            "gate_sample": sample_fingerprint(),
        }
        for key, value in tags.items():
            self._client.set_model_version_tag(MODEL_NAME, str(version), key, value)

    def _recorded_accuracy(self, version: int) -> dict[str, float] | None:
        """What the gate measured when `version` passed, if it used today's sample."""
        found = self._client.get_model_version(MODEL_NAME, str(version))
        if found.tags.get("gate_sample") != sample_fingerprint():
            return None
        metrics = self._client.get_run(found.run_id).data.metrics
        recorded = {
            key.removeprefix(ACCURACY_METRIC): value
            for key, value in metrics.items()
            if key.startswith(ACCURACY_METRIC)
        }
        return recorded if set(recorded) == set(ACCURACY_FLOORS) else None

    def _set_champion(self, version: int, history: list[int]) -> None:
        self._client.set_registered_model_alias(MODEL_NAME, CHAMPION, str(version))
        self._client.set_registered_model_tag(MODEL_NAME, HISTORY_TAG, json.dumps(history))


def _manifest(folder: Path) -> dict:
    """The course's manifest of a model folder; a folder from elsewhere (a Hub model) gets a
    name and nothing else, and a folder that is not a model is refused."""
    if not (folder / "config.json").is_file():
        raise RegistryError(f"{folder} is not a model folder (no config.json).")
    try:
        return read_manifest(folder)
    except FileNotFoundError:
        return {"name": folder.name, "version": "unversioned"}


def _params(manifest: dict) -> dict[str, str]:
    """What made the model: its recipe, data and lineage, as MLflow parameters."""
    params = {f"recipe.{k}": v for k, v in (manifest.get("recipe") or {}).items()}
    params["data_sha256"] = manifest.get("data_sha256")
    if "derived_from" in manifest:
        params["derived_from"] = manifest["derived_from"]["version"]
        params["prior_shift"] = manifest["prior_shift"]
    return {k: str(v) for k, v in params.items() if v is not None}
