"""An int8 ONNX export of the course model that the service can load and that still agrees with
PyTorch."""

from __future__ import annotations

import json
import math
import os
import random
from collections import Counter
from functools import cache
from pathlib import Path

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.checks.progress import step
from launchpad.paths import cache_dir, workspace_dir
from launchpad.questions.m06._shared import torch_model

ONNX_FOLDER = Path("onnx")
NEEDED_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json")
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
INT8_OPS = ("MatMulInteger", "DynamicQuantizeLinear", "QLinearMatMul", "QAttention")
SAMPLE_SIZE, SAMPLE_SEED = 800, 0
MIN_AGREEMENT = 0.97


@cache
def evaluation_sample() -> tuple[str, ...]:
    """A fixed sample of the course's evaluation texts (held-out movies and other domains)."""
    from launchpad.model.build import split
    from launchpad.model.data import load_ratings

    _, sets = split(load_ratings())
    texts = [e.text for examples in sets.values() for e in examples]
    return tuple(
        texts[i] for i in random.Random(SAMPLE_SEED).sample(range(len(texts)), SAMPLE_SIZE)
    )


@cache
def _reference_predictions(path: str) -> tuple:
    """PyTorch's predictions for the sample, computed once per machine and model version (a
    cold PyTorch pass over the sample takes seconds; a learner re-runs the check often)."""
    from importlib import metadata

    from launchpad.model.onnx_export import predict_all
    from sentiment_api.predictions import Prediction, identity

    name, version = identity(Path(path))
    key = f"{name}-{version}-torch{metadata.version('torch')}-{SAMPLE_SIZE}-{SAMPLE_SEED}"
    stored = cache_dir() / "checks" / f"m06-q3-{key}.json"
    try:
        rows = json.loads(stored.read_text())
        if len(rows) == SAMPLE_SIZE:
            return tuple(Prediction(label, score) for label, score in rows)
    except (OSError, ValueError, TypeError):
        pass  # not computed yet, or unreadable: compute it again
    # Measured here: 25 s of CPU (71 s of wall time on a 2-core machine shared with a dozen other
    # jobs); once per machine and model.
    with step("Computing PyTorch's labels for them, once on this machine", usually="25 s"):
        predictions = predict_all(torch_model(path), list(evaluation_sample()))
    stored.parent.mkdir(parents=True, exist_ok=True)
    partial = stored.with_name(f"{stored.name}.{os.getpid()}")
    partial.write_text(json.dumps([[p.label, p.score] for p in predictions]))
    partial.replace(stored)
    return tuple(predictions)


def _graph(path: Path) -> dict:
    """What the check needs to know about an ONNX file, without running it."""
    import onnx

    try:
        model = onnx.load(str(path))
    except Exception as error:
        raise Incorrect(f"{path.name} is not an ONNX model onnx can read: {error}") from error
    weights = {i.name for i in model.graph.initializer}
    inputs = {
        i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
        for i in model.graph.input
        if i.name not in weights
    }
    scales = [i for i in model.graph.initializer if i.name.endswith("_scale")]
    ops = Counter(node.op_type for node in model.graph.node)
    return {
        "inputs": inputs,
        "outputs": [o.name for o in model.graph.output],
        "int8": sum(ops[op] for op in INT8_OPS),
        "per_channel": any(math.prod(s.dims) > 1 for s in scales),
        "megabytes": path.stat().st_size / 1e6,
    }


@question(
    files=[f"{ONNX_FOLDER}/"],
    hints=[
        "Export with torch.onnx.export: the example's tensors in the order of INPUTS, "
        "input_names=INPUTS, output_names=['logits'], dynamic_axes that name axis 0 (batch) and "
        "1 (tokens) of every input and axis 0 of logits, opset_version=17, dynamo=False.",
        "Quantise fp32_path into int8_path with onnxruntime's quantize_dynamic: per_channel=True, "
        "int8 weights (QuantType.QInt8), and the DefaultTensorType extra option the cell's "
        "comment gives. Then shutil.copy the three files from model_path into ONNX_DIR.",
    ],
)
def int8_export_agrees_with_pytorch(answers: Answers):
    from launchpad.model.onnx_export import agreement
    from launchpad.model.source import resolve

    folder = workspace_dir() / ONNX_FOLDER
    model_file, fp32 = folder / "model.onnx", folder / "fp32.onnx"
    if not model_file.exists():
        if fp32.exists():
            raise Incorrect(
                f"{ONNX_FOLDER}/fp32.onnx is there, {ONNX_FOLDER}/model.onnx is not: the "
                "service loads model.onnx, so it would find no model in this folder."
            )
        raise NotAttempted(f"There is no {ONNX_FOLDER}/model.onnx in your workspace yet.")
    graph = _graph(model_file)
    names = sorted(graph["inputs"])
    expect(
        set(names) <= set(ONNX_INPUTS) and "input_ids" in names,
        f"The graph's inputs are named {names}; the service feeds them by name "
        f"({', '.join(ONNX_INPUTS)}), so it could not run this graph.",
    )
    expect(
        "logits" in graph["outputs"],
        f"The graph's output is named {graph['outputs']}; the service asks for 'logits' by "
        "name, so it would find no answer in this graph.",
    )
    fixed = {
        name: dims
        for name, dims in graph["inputs"].items()
        if any(isinstance(d, int) and d > 0 for d in dims)
    }
    expect(
        not fixed,
        f"The inputs have fixed shapes ({fixed}): the model would accept only batches of that "
        "many texts of that many tokens, and real requests come in every size.",
    )
    expect(
        graph["int8"] > 0,
        f"{ONNX_FOLDER}/model.onnx ({graph['megabytes']:.0f} MB) has no int8 operations: it is "
        "still the fp32 graph, four times the size of an int8 one and without its integer "
        "arithmetic.",
    )
    missing = [name for name in NEEDED_FILES if not (folder / name).is_file()]
    expect(
        not missing,
        f"{ONNX_FOLDER}/ has model.onnx but not {', '.join(missing)}: the graph alone cannot "
        "serve, since the labels are in config.json and the request parser in the tokenizer "
        "files.",
    )
    from sentiment_api.onnx_inference import OnnxSentimentModel
    from sentiment_api.predictions import ModelLoadError

    try:
        onnx_model = OnnxSentimentModel(folder, threads=min(4, os.cpu_count() or 1))
    except ModelLoadError as error:
        raise Incorrect(f"The service could not load {ONNX_FOLDER}/: {error}") from error
    texts = list(evaluation_sample())
    # Measured here: 6 s of CPU (10 to 26 s of wall time on a shared 2-core machine).
    with step(f"Running your ONNX model on {len(texts)} evaluation texts", usually="6 s"):
        try:
            # One text per forward pass: int8 activations are quantised per batch (one scale
            # for the whole tensor), so a text's answer shifts a little with its batch-mates;
            # alone, it is reproducible.
            candidate = [onnx_model.predict([text])[0] for text in texts]
        except Exception as error:
            raise Incorrect(
                f"ONNX Runtime failed on a batch of evaluation texts: {type(error).__name__}: "
                f"{str(error)[:300]}"
            ) from error
    reference = list(_reference_predictions(str(resolve().path)))
    report = agreement(reference, candidate)
    share = report["label_agreement"]
    if share < MIN_AGREEMENT:
        if not graph["per_channel"]:
            raise Incorrect(
                f"Your int8 model gives PyTorch's label for only {share:.1%} of {len(texts)} "
                f"evaluation texts (at least {MIN_AGREEMENT:.0%} needed): one scale per weight "
                "matrix (per-tensor) is too coarse for this encoder, and your users would get "
                "another label than PyTorch gives for about one text in "
                f"{1 / max(1 - share, 1e-9):.0f}."
            )
        raise Incorrect(
            f"Your ONNX model gives PyTorch's label for only {share:.1%} of {len(texts)} "
            f"evaluation texts (at least {MIN_AGREEMENT:.0%} needed): did you export the "
            "course model (model_path) and copy its own config.json and tokenizer files?"
        )
    scales = "per-channel" if graph["per_channel"] else "per-tensor"
    return (
        f"{ONNX_FOLDER}/model.onnx is int8 ({scales}, {graph['megabytes']:.0f} MB) and gives "
        f"PyTorch's label for at least {MIN_AGREEMENT:.0%} of {len(texts)} evaluation texts: "
        "the service serves this folder with BACKEND=onnx, without PyTorch."
    )
