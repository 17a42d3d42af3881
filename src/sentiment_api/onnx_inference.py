"""The ONNX Runtime backend: an exported (and usually int8-quantised) model, tokenised with the
`tokenizers` library. Neither PyTorch nor transformers is imported, so an image that serves this
backend can leave them out (about 1 GB)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from sentiment_api.predictions import (
    MAX_TOKENS,
    ModelLoadError,
    Prediction,
    identity,
    predict_grouped,
    read_config,
)

MODEL_FILE = "model.onnx"
# The files an ONNX model folder must hold, next to config.json (which has the labels).
REQUIRED = (MODEL_FILE, "tokenizer.json", "tokenizer_config.json")


class OnnxSentimentModel:
    def __init__(self, path: Path, threads: int = 1):
        config = read_config(path)
        missing = [name for name in REQUIRED if not (path / name).is_file()]
        if missing:
            raise ModelLoadError(
                f"{path} is not an ONNX model folder: {', '.join(missing)} missing."
                " Export one with `launchpad onnx`, or serve this folder with BACKEND=torch."
            )
        options = onnxruntime.SessionOptions()
        # One forward pass at a time runs here (the batcher sees to that): give it `threads`
        # cores and no inter-op pool, as for PyTorch. Idle threads sleep instead of spinning:
        # spinning burns a container's CPU quota and starves the event loop on shared cores.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = onnxruntime.InferenceSession(
                str(path / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer, self._pad_id = _tokenizer(path)
        except Exception as error:  # onnxruntime and tokenizers raise their own types
            raise ModelLoadError(f"Could not load the ONNX model in {path}: {error}") from error
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._labels = {int(k): v for k, v in config["id2label"].items()}
        self.name, self.version = identity(path)

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Classify a batch. Blocking: call it from a worker thread, not the event loop."""
        encodings = self._tokenizer.encode_batch(texts)
        return predict_grouped(encodings, [len(e.ids) for e in encodings], self._forward)

    def _forward(self, encodings) -> list[Prediction]:
        """One pass over texts padded to the longest: [PAD] ids, attention mask 0."""
        width = max(len(e.ids) for e in encodings)
        columns = {name: np.zeros((len(encodings), width), np.int64) for name in self._inputs}
        columns["input_ids"][:] = self._pad_id
        for row, e in enumerate(encodings):
            for name, values in (
                ("input_ids", e.ids),
                ("attention_mask", e.attention_mask),
                ("token_type_ids", e.type_ids),
            ):
                if name in columns:
                    columns[name][row, : len(values)] = values
        [logits] = self._session.run(["logits"], columns)
        # Softmax, shifted by the row's maximum so exp() cannot overflow.
        exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probabilities = exp / exp.sum(axis=-1, keepdims=True)
        indices = probabilities.argmax(axis=-1)
        return [
            Prediction(self._labels[int(i)], float(p[i]))
            for p, i in zip(probabilities, indices, strict=True)
        ]


def _tokenizer(path: Path) -> tuple[Tokenizer, int]:
    """The fast tokenizer, truncating as transformers would, and its padding token's id."""
    settings = json.loads((path / "tokenizer_config.json").read_text())
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    pad = settings.get("pad_token", "[PAD]")
    pad_id = tokenizer.token_to_id(pad)
    if pad_id is None:
        raise ModelLoadError(f"The tokenizer in {path} has no padding token {pad!r}.")
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # padding is per length group, in _forward
    return tokenizer, pad_id
