"""Serving a model from an MLflow model registry (module 08): `MODEL_URI=models:/NAME@ALIAS`.

The service asks the registry which version the alias points to, downloads that version's
files and loads them like any model folder. Moving the alias (a promotion, a rollback) is
therefore a release: the next instance to start serves the new version. mlflow is imported
only when MODEL_URI is set, so images that serve a baked-in MODEL_DIR do not need it.
"""

from __future__ import annotations

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


def fetch(uri: str, into: Path) -> RegisteredFiles:
    """Download the version `uri` names into `into`; a ModelLoadError says what went wrong."""
    match = _URI.match(uri)
    if match is None:
        raise ModelLoadError(
            f"MODEL_URI={uri!r} is not a registry URI: use models:/NAME@ALIAS or models:/NAME/N."
        )
    try:
        import mlflow
        from mlflow.exceptions import MlflowException
    except ImportError as error:
        raise ModelLoadError(
            "MODEL_URI needs the mlflow package, which is not installed."
        ) from error
    name, alias = match["name"], match["alias"]
    client = mlflow.MlflowClient()
    try:
        found = (
            client.get_model_version_by_alias(name, alias)
            if alias
            else client.get_model_version(name, match["version"])
        )
        path = mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{name}/{found.version}", dst_path=str(into)
        )
    except MlflowException as error:
        where = mlflow.get_tracking_uri()
        raise ModelLoadError(
            f"{uri} could not be resolved in the registry at {where}: {error.message}"
        ) from error
    return RegisteredFiles(Path(path), name, str(found.version))
