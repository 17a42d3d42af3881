"""The course model exported to ONNX and quantised to int8 (module 06).

Recipe: `torch.onnx.export` writes the fine-tuned classifier as an fp32 graph with dynamic batch
and sequence axes; ONNX Runtime's dynamic quantisation then stores the weights of every MatMul
as int8 with one scale per output channel (per-tensor scales cost noticeable fidelity on this
encoder). ONNX Runtime fuses and optimises the graph itself when it loads it.

The export is evaluated on the course's evaluation sets through the service's own backends, and
the accuracies of both, their label agreement and their largest score difference are written to
its manifest: a faster model is only worth serving if it still gives the same answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import warnings
from importlib import metadata
from pathlib import Path

from launchpad.model.build import (
    LABELS,
    MANIFEST,
    ensure,
    file_inventory,
    read_manifest,
    split,
    verify,
)
from launchpad.model.data import load_ratings
from launchpad.paths import cache_dir

# --8<-- [start:recipe]
ONNX_RECIPE = {
    "exporter": "torch.onnx.export (TorchScript), opset 17",
    "quantization": "dynamic, int8 weights, per-channel",
    "evaluation": "the service's backends, batches of 64 split into length groups",
}
# --8<-- [end:recipe]
VERSIONED = ("torch", "onnx", "onnxruntime")
COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MAX_ACCURACY_DROP = 0.01  # the most accuracy int8 may lose on any evaluation set


def onnx_dir(source: Path) -> Path:
    """Where the export of the model in `source` lives for this recipe and these versions."""
    versions = {name: metadata.version(name) for name in VERSIONED}
    blob = json.dumps(
        {"source": read_manifest(source)["version"], "recipe": ONNX_RECIPE, "versions": versions},
        sort_keys=True,
    )
    key = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return cache_dir() / "models" / f"{source.name}-onnx-int8-{key}"


# --8<-- [start:export]
def export_fp32(source: Path, target: Path) -> Path:
    """The PyTorch model in `source` as an fp32 ONNX graph; batch and length are dynamic."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = AutoModelForSequenceClassification.from_pretrained(source).eval()
    example = AutoTokenizer.from_pretrained(source)(
        ["an example", "a second, longer example"], padding=True, return_tensors="pt"
    )
    dynamic = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with warnings.catch_warnings():  # the tracer warns about shape-dependent Python branches
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            tuple(example[name] for name in INPUTS),
            str(target),
            input_names=list(INPUTS),
            output_names=["logits"],
            dynamic_axes={**dynamic, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return target


def quantize_int8(fp32: Path, target: Path, per_channel: bool = True) -> Path:
    """Weights to int8 (activations are quantised on the fly, per batch)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic advises pre-processing through the root logger; that is for static
    # quantisation and would only land on a notebook's stderr.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            fp32,
            target,
            per_channel=per_channel,
            weight_type=QuantType.QInt8,
            # The exporter leaves some intermediate types unstated; they are all float32.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)
    return target


# --8<-- [end:export]


def predict_all(model, texts: list[str], batch_size: int = 64) -> list:
    """`model`'s predictions for `texts`, in order; batched by similar length (little padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    predictions = [None] * len(texts)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        for i, prediction in zip(chunk, model.predict([texts[i] for i in chunk]), strict=True):
            predictions[i] = prediction
    return predictions


def agreement(reference: list, candidate: list) -> dict:
    """How far `candidate`'s predictions stray from `reference`'s for the same texts: the share
    of labels they agree on and the largest difference in the POSITIVE probability."""
    same = sum(a.label == b.label for a, b in zip(reference, candidate, strict=True))
    worst = max(
        abs(positive_probability(a) - positive_probability(b))
        for a, b in zip(reference, candidate, strict=True)
    )
    return {
        "texts": len(reference),
        "label_agreement": round(same / len(reference), 4),
        "max_score_difference": round(worst, 4),
    }


def positive_probability(prediction) -> float:
    return prediction.score if prediction.label == LABELS[1] else 1 - prediction.score


def accuracy(predictions: list, rows) -> float:
    right = sum(LABELS.index(p.label) == e.label for p, e in zip(predictions, rows, strict=True))
    return round(right / len(rows), 4)


def evaluate(source: Path, exported: Path, threads: int = 2) -> dict:
    """Accuracy per evaluation set of PyTorch (`source`) and ONNX int8 (`exported`), served
    by the service's own backends, and how often they agree."""
    from sentiment_api.inference import SentimentModel
    from sentiment_api.onnx_inference import OnnxSentimentModel

    _, sets = split(load_ratings())
    rows = [e for examples in sets.values() for e in examples]
    texts = [e.text for e in rows]
    by_torch = predict_all(SentimentModel(source, threads=threads), texts)
    by_onnx = predict_all(OnnxSentimentModel(exported, threads=threads), texts)
    report, start = {}, 0
    for name, examples in sets.items():
        span = slice(start, start + len(examples))
        report[name] = {
            "examples": len(examples),
            "torch": accuracy(by_torch[span], examples),
            "onnx_int8": accuracy(by_onnx[span], examples),
        }
        start += len(examples)
    return {"accuracy": report, "agreement": agreement(by_torch, by_onnx)}


def build(source: Path, target: Path) -> Path:
    """Export, quantise and evaluate; the folder appears only when all of it succeeded."""
    started = time.perf_counter()
    # Per process: two builds at once (two notebooks, a test run) must not share a folder.
    staging = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    fp32 = export_fp32(source, staging / "fp32.onnx")
    quantize_int8(fp32, staging / "model.onnx")
    fp32_bytes = fp32.stat().st_size
    fp32.unlink()
    for name in COPIED:
        shutil.copy2(source / name, staging / name)
    source_manifest = read_manifest(source)
    manifest = {
        "name": f"{source_manifest['name']}-onnx-int8",
        "version": target.name.rsplit("-", 1)[-1],
        "source": {"name": source_manifest["name"], "version": source_manifest["version"]},
        "recipe": ONNX_RECIPE,
        "fp32_bytes": fp32_bytes,
        "evaluation": evaluate(source, staging),
        "build_seconds": round(time.perf_counter() - started, 1),
        "files": file_inventory(staging),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    if target.exists() and verify(target, full=True) is None:  # another build finished first
        shutil.rmtree(staging)
        return target
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def ensure_onnx(source: Path | None = None) -> Path:
    """The int8 export of `source` (default: the course model), built on first use."""
    from launchpad.model.build_lock import exclusive

    source = source or ensure()
    target = onnx_dir(source)
    if target.exists() and verify(target, full=True) is None:
        return target
    with exclusive(target, "the ONNX export"):
        if target.exists() and verify(target, full=True) is None:  # built while we waited
            return target
        return build(source, target)


def model_dir_for(backend: str) -> Path:
    """The folder the course has the service serve with `backend` (its MODEL_DIR): the
    resolved model (the course model unless LAUNCHPAD_MODEL says otherwise) for torch, its int8
    export for onnx."""
    from launchpad.model.source import resolve

    source = resolve().path
    return ensure_onnx(source) if backend == "onnx" else source


def accuracy_drops(folder: Path) -> dict[str, float]:
    """Points of accuracy int8 lost against PyTorch, per evaluation set (negative: gained)."""
    report = read_manifest(folder)["evaluation"]["accuracy"]
    return {name: round(s["torch"] - s["onnx_int8"], 4) for name, s in report.items()}
