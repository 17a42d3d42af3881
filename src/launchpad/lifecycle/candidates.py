"""Candidate models made in seconds, for the lesson and the tests of the lifecycle.

Retraining the course model takes minutes. Its output layer, though, is a logistic one: the
POSITIVE probability is sigmoid(logit), and a model trained on data with another share of
POSITIVE examples mostly differs by a constant added to that logit (a *prior shift*: log of
the change in the odds). Adding a constant to the classifier's bias therefore gives, in
milliseconds, two realistic candidates:

- a challenger **recalibrated** on labelled feedback from a new domain (the shift that fits
  the feedback best), as a retraining job on fresh labels would produce;
- a **worse** model, as a retraining job on a skewed week of data (nearly all praise) would
  produce, which the quality gate must refuse.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from launchpad.model.build import MANIFEST, file_inventory, read_manifest
from launchpad.model.data import Example
from launchpad.model.onnx_export import positive_probability, predict_all
from launchpad.paths import link_or_copy

WEIGHTS = "model.safetensors"
SHIFTS = [round(0.25 * i, 2) for i in range(-8, 9)]  # -2.0 … +2.0


def with_prior_shift(source: Path, target: Path, shift: float, why: str) -> Path:
    """A copy of the model in `source` whose POSITIVE logit is raised by `shift` (lowered when
    negative). Everything but the weights is linked, not copied."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and path.name not in (WEIGHTS, MANIFEST):
            link_or_copy(path, target / path.name)
    labels = json.loads((source / "config.json").read_text())["label2id"]
    weights = load_file(source / WEIGHTS)
    bias = weights["classifier.bias"].copy()
    # Half on each side keeps the logits centred; only their difference decides the answer.
    bias[labels["POSITIVE"]] += shift / 2
    bias[labels["NEGATIVE"]] -= shift / 2
    weights["classifier.bias"] = bias
    save_file(weights, target / WEIGHTS, metadata={"format": "pt"})

    base = read_manifest(source)
    manifest = {
        "name": base["name"],
        "version": f"{base['version']}.shift{shift:+.2f}",
        "derived_from": {"name": base["name"], "version": base["version"]},
        "prior_shift": shift,
        "why": why,
        "recipe": base.get("recipe"),
        "data_sha256": base.get("data_sha256"),
        "files": file_inventory(target),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


class PriorShifted:
    """`model` with its threshold moved in memory, as `with_prior_shift` moves it on disk:
    `shift` added to every answer's POSITIVE logit. For a check that needs such a model in
    milliseconds, without writing a folder."""

    def __init__(self, model, shift: float):
        self._model, self._shift = model, shift

    def predict(self, texts):
        from sentiment_api.predictions import Prediction

        out = []
        for prediction in self._model.predict(texts):
            p = min(max(positive_probability(prediction), 1e-9), 1 - 1e-9)
            p = 1 / (1 + math.exp(-(math.log(p / (1 - p)) + self._shift)))
            out.append(Prediction("POSITIVE", p) if p >= 0.5 else Prediction("NEGATIVE", 1 - p))
        return out


def best_shift(model, feedback: list[Example]) -> float:
    """The shift in SHIFTS that labels `feedback` best; on a tie, the one nearest zero (the
    change that explains the labels with the least correction)."""
    p = np.array([positive_probability(x) for x in predict_all(model, [e.text for e in feedback])])
    p = np.clip(p, 1e-7, 1 - 1e-7)
    logits = np.log(p / (1 - p))
    truth = np.array([e.label for e in feedback], dtype=bool)
    scores = {s: float(np.mean((logits + s > 0) == truth)) for s in SHIFTS}
    return max(SHIFTS, key=lambda s: (scores[s], -abs(s)))
