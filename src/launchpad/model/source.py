"""Which model to load, and a clear error when it cannot be loaded.

Resolution order: the `spec` argument, then the `LAUNCHPAD_MODEL` environment variable, then the
course model. A spec is one of:

- `"course"`: the course model, built on first use (see `launchpad.model.build`);
- a path to a local Hugging Face model folder;
- a Hub model id such as `distilbert-base-uncased-finetuned-sst-2-english` (opt-in; with
  `HF_HUB_OFFLINE=1` it must already be in the Hugging Face cache).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

COURSE = "course"
ENV_VAR = "LAUNCHPAD_MODEL"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "tokenizer.model", "vocab.json")


class ModelError(RuntimeError):
    """The model could not be found or loaded. The message says how to fix it."""


@dataclass(frozen=True)
class ResolvedModel:
    """A model folder on disk and where it came from."""

    path: Path
    source: str  # "course", "local" or "hub"
    name: str

    def __fspath__(self) -> str:
        return str(self.path)


def resolve(spec: str | os.PathLike | None = None, build: bool = True) -> ResolvedModel:
    """Turn a model spec into a verified local folder."""
    spec = str(spec or os.environ.get(ENV_VAR) or COURSE)
    if spec == COURSE:
        return _course(build)
    path = Path(spec).expanduser()
    if path.exists() or spec.startswith((".", "/", "~")):
        return ResolvedModel(check_folder(path), "local", path.name)
    return _hub(spec)


def load_pipeline(spec: str | os.PathLike | None = None, **kwargs):
    """A `transformers` sentiment-analysis pipeline on the resolved model."""
    from transformers import pipeline

    model = resolve(spec)
    try:
        return pipeline("sentiment-analysis", model=str(model.path), **kwargs)
    except Exception as error:  # safetensors, tokenizers and torch each raise their own types
        raise ModelError(
            f"The model folder {model.path} exists but could not be loaded ({error}). "
            + _fix_hint(model)
        ) from error


def check_folder(path: Path) -> Path:
    """Fail early, and readably, on a folder that is not a usable model."""
    if not path.is_dir():
        raise ModelError(
            f"No model folder at {path}. Check the path, or use the course model (unset {ENV_VAR})."
        )
    config = path / "config.json"
    if not config.exists():
        raise ModelError(f"{path} has no config.json, so it is not a Hugging Face model folder.")
    try:
        json.loads(config.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelError(f"{config} is not valid JSON ({error}); the folder is corrupt.") from error
    if not any((path / name).exists() for name in WEIGHT_FILES):
        raise ModelError(f"{path} has no weights ({' or '.join(WEIGHT_FILES)}).")
    if not any((path / name).exists() for name in TOKENIZER_FILES):
        raise ModelError(f"{path} has no tokenizer files ({', '.join(TOKENIZER_FILES)}).")
    return path


def _course(build: bool) -> ResolvedModel:
    from launchpad.model import build as recipe
    from launchpad.model.build_lock import building

    folder = recipe.model_dir()
    if not folder.exists():
        if not build:
            raise ModelError(f"The course model is not built yet. Run `make model`. ({folder})")
        if not building(folder):
            print("Building the course model once for this machine (about 5 minutes on 2 cores)...")
        recipe.ensure()  # or waits for the background build `make lab` started
    problem = recipe.verify(folder)
    if problem:
        raise ModelError(
            f"The course model at {folder} is damaged: {problem}. "
            "Run `make model`: it notices the damage and rebuilds the folder."
        )
    return ResolvedModel(folder, COURSE, recipe.MODEL_NAME)


def _hub(model_id: str) -> ResolvedModel:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    offline = os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")
    try:
        folder = Path(snapshot_download(model_id, local_files_only=offline))
    except LocalEntryNotFoundError as error:
        raise ModelError(
            f"{model_id!r} is not in the Hugging Face cache and HF_HUB_OFFLINE is set. "
            "Download it once with network access (unset HF_HUB_OFFLINE), or use the course model."
        ) from error
    except (HfHubHTTPError, OSError, ValueError) as error:
        raise ModelError(
            f"Could not fetch {model_id!r} from the Hugging Face Hub ({error}). "
            "Check the model id and your network, or use the course model."
        ) from error
    return ResolvedModel(check_folder(folder), "hub", model_id)


def _fix_hint(model: ResolvedModel) -> str:
    return {
        COURSE: "Run `make model` to rebuild the course model.",
        "hub": "Delete it from the Hugging Face cache and download it again.",
    }.get(model.source, "Replace the folder with a complete copy of the model.")
