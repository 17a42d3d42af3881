"""The model behind the API: loaded once, warmed up, then called from a worker thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# Imported here, in the main thread, not lazily in the loader thread: transformers' lazy
# module is not safe to import from two threads at once.
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as hf_logging


class ModelLoadError(RuntimeError):
    """The model folder is missing or unusable."""


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float


class SentimentModel:
    def __init__(self, path: Path, threads: int = 1):
        hf_logging.disable_progress_bar()  # progress bars are not log lines
        hf_logging.set_verbosity_error()

        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is not a model folder (no config.json).")
        torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            self._model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        except Exception as error:  # safetensors, tokenizers and torch raise their own types
            raise ModelLoadError(f"Could not load the model in {path}: {error}") from error
        self.name, self.version = _identity(path)

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Classify a batch. Blocking: call it from a worker thread, not the event loop."""
        encoded = self._tokenizer(
            texts, padding=True, truncation=True, max_length=256, return_tensors="pt"
        )
        with torch.inference_mode():
            probabilities = self._model(**encoded).logits.softmax(dim=-1)
        scores, indices = probabilities.max(dim=-1)
        labels = self._model.config.id2label
        return [Prediction(labels[int(i)], float(s)) for s, i in zip(scores, indices, strict=True)]


def _identity(path: Path) -> tuple[str, str]:
    """Name and version: the course model's manifest, else the folder's name and config."""
    manifest = path / "launchpad-manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        return data["name"], data["version"]
    config = json.loads((path / "config.json").read_text())
    return path.name, str(config.get("transformers_version", "unknown"))


def default_model_dir() -> Path:
    """The course model, when MODEL_DIR is unset and the course toolkit is installed."""
    try:
        from launchpad.model import resolve
    except ImportError as error:
        raise ModelLoadError("Set MODEL_DIR to the folder of the model to serve.") from error
    return resolve().path
