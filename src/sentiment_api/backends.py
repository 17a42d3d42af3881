"""Which inference backend serves the model (`BACKEND=torch` or `BACKEND=onnx`).

Each backend lives in its own module and is imported only when chosen, so the slim image can
leave PyTorch out. Import it in the main thread (`backend_class`) before loading in a worker
thread: transformers' lazy imports are not thread-safe.
"""

from __future__ import annotations

import importlib

from sentiment_api.predictions import Model

BACKENDS = {
    "torch": ("sentiment_api.inference", "SentimentModel"),
    "onnx": ("sentiment_api.onnx_inference", "OnnxSentimentModel"),
}


def backend_class(name: str) -> type[Model]:
    module, cls = BACKENDS[name]
    return getattr(importlib.import_module(module), cls)
