"""Serving a model from an MLflow model registry (module 08): `MODEL_URI=models:/NAME@ALIAS`.

The service asks the registry which version the alias points to, downloads that version's
files and loads them like any model folder. Moving the alias (a promotion, a rollback) is
therefore a release: the next instance to start serves the new version. mlflow is imported
only when MODEL_URI is set, so images that serve a baked-in MODEL_DIR do not need it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sentiment_api.predictions import ModelLoadError

# models:/NAME@ALIAS or models:/NAME/VERSION, as MLflow spells them.
_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[\w-]+)|/(?P<version>\d+))$")


@dataclass(frozen=True)
class RegisteredFiles:
    path: Path
    name: str
    version: str


def import_mlflow():
    """mlflow, with its usage telemetry and download progress bars off unless the environment
    turns them on: the service stays on its own network, and its logs are JSON lines. Set
    before the import, which is when MLflow decides."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow

    return mlflow


# --8<-- [start:fetch]
def fetch(uri: str, into: Path, tracking_uri: str | None = None) -> RegisteredFiles:
    """Download the version `uri` names into `into`, from the registry at `tracking_uri`
    (default: MLFLOW_TRACKING_URI); a ModelLoadError says what went wrong."""
    match = _URI.match(uri)
    if match is None:
        raise ModelLoadError(
            f"MODEL_URI={uri!r} is not a registry URI: use models:/NAME@ALIAS or models:/NAME/N."
        )
    try:
        mlflow = import_mlflow()
    except ImportError as error:
        raise ModelLoadError(
            "MODEL_URI needs the mlflow package, which is not installed."
        ) from error
    from mlflow.exceptions import MlflowException

    name, alias = match["name"], match["alias"]
    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    try:
        found = (
            client.get_model_version_by_alias(name, alias)
            if alias
            else client.get_model_version(name, match["version"])
        )
        # Where the version's files are (its run's artifacts), then those files: a plain
        # artifact URI, so no second registry lookup behind the client's back.
        source = client.get_model_version_download_uri(name, found.version)
        path = mlflow.artifacts.download_artifacts(
            artifact_uri=source, dst_path=str(into), tracking_uri=tracking_uri
        )
    except MlflowException as error:
        where = tracking_uri or mlflow.get_tracking_uri()
        raise ModelLoadError(
            f"{uri} could not be resolved in the registry at {where}: {error.message}"
        ) from error
    return RegisteredFiles(Path(path), name, str(found.version))
    # --8<-- [end:fetch]
