"""What every inference backend shares: the prediction type, the load error, and how a model
folder is read (its config and its identity)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# Longest input, in tokens, that a backend feeds the model; longer texts are truncated.
MAX_TOKENS = 256


class ModelLoadError(RuntimeError):
    """The model folder is missing or unusable."""


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float


class Model(Protocol):
    """A loaded model, whatever runs it."""

    name: str
    version: str

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Classify a batch. Blocking: call it from a worker thread, not the event loop."""
        ...


def length_groups(lengths: list[int], max_padding: float = 0.25) -> list[list[int]]:
    """Split a batch into groups of similar length: indices into `lengths`, shortest first.

    A forward pass pads every text to the longest in it, and pays for the padding: a batch of
    one 10-token text and one 60-token text costs as much as two 60-token texts. On CPU the
    cost per real token barely falls past a handful of texts per pass, so a few passes with
    little padding beat one pass with a lot. A group grows while its padding stays under
    `max_padding` of its real tokens (the token budget of TEI works to the same end)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    groups: list[list[int]] = []
    group: list[int] = []
    tokens = 0
    for i in order:
        # Sorted: the newcomer is the longest, so the group would be padded to its length.
        if group and (len(group) + 1) * lengths[i] > (1 + max_padding) * (tokens + lengths[i]):
            groups.append(group)
            group, tokens = [], 0
        group.append(i)
        tokens += lengths[i]
    if group:
        groups.append(group)
    return groups


def predict_grouped(
    items: list, lengths: list[int], forward: Callable[[list], list[Prediction]]
) -> list[Prediction]:
    """`forward` over each length group of `items` (texts or encodings), answers in order."""
    predictions: list[Prediction] = [None] * len(items)  # type: ignore[list-item]
    for group in length_groups(lengths):
        for i, prediction in zip(group, forward([items[i] for i in group]), strict=True):
            predictions[i] = prediction
    return predictions


def read_config(path: Path) -> dict:
    """The folder's config.json, or a ModelLoadError that names the folder."""
    try:
        return json.loads((path / "config.json").read_text())
    except FileNotFoundError as error:
        raise ModelLoadError(f"{path} is not a model folder (no config.json).") from error
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{path}/config.json is unreadable: {error}") from error


# A model folder may carry a manifest next to its weights: JSON whose "name" and "version" say
# which model this is, whatever the folder is called (in an image it is just /opt/model). It is
# part of the artifact, written by whoever built the model; the course's builds name it so, and
# their folders, images and registered versions carry it under this name.
MANIFEST_FILE = "launchpad-manifest.json"


def identity(path: Path) -> tuple[str, str]:
    """Name and version: from the folder's manifest, else its name and config."""
    manifest = path / MANIFEST_FILE
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        return data["name"], data["version"]
    return path.name, str(read_config(path).get("transformers_version", "unknown"))
