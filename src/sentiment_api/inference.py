"""The PyTorch backend: the Hugging Face model folder, loaded with transformers."""

from __future__ import annotations

from pathlib import Path

# Imported here, in the main thread, not lazily in the loader thread: transformers' lazy
# module is not safe to import from two threads at once.
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as hf_logging

from sentiment_api.predictions import (
    MAX_TOKENS,
    ModelLoadError,
    Prediction,
    identity,
    predict_grouped,
    read_config,
)

__all__ = ["ModelLoadError", "Prediction", "SentimentModel"]


class SentimentModel:
    def __init__(self, path: Path, threads: int = 1):
        hf_logging.disable_progress_bar()  # progress bars are not log lines
        hf_logging.set_verbosity_error()

        read_config(path)
        torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            self._model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        except Exception as error:  # safetensors, tokenizers and torch raise their own types
            raise ModelLoadError(f"Could not load the model in {path}: {error}") from error
        self.name, self.version = identity(path)

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Classify a batch. Blocking: call it from a worker thread, not the event loop."""
        lengths = [len(ids) for ids in self._encode(texts)["input_ids"]]
        return predict_grouped(texts, lengths, self._forward)

    def _encode(self, texts: list[str], **options):
        return self._tokenizer(texts, truncation=True, max_length=MAX_TOKENS, **options)

    def _forward(self, texts: list[str]) -> list[Prediction]:
        """One pass over texts padded to the longest."""
        encoded = self._encode(texts, padding=True, return_tensors="pt")
        with torch.inference_mode():
            probabilities = self._model(**encoded).logits.softmax(dim=-1)
        scores, indices = probabilities.max(dim=-1)
        labels = self._model.config.id2label
        return [Prediction(labels[int(i)], float(s)) for s, i in zip(scores, indices, strict=True)]
