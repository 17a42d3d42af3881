"""Drift: is today's traffic still the traffic the model was built for? (module 07)

A model fails silently: when its inputs change (a new client sends tweets to a model trained on
film reviews), it still answers 200 with confident labels, only worse ones. Nothing in the
golden signals moves. So a drift monitor compares a recent window of inputs and predictions
with a reference window (what the model was evaluated on) feature by feature:

- input length, in words;
- the share of each text's words that the training data never contained (out of vocabulary);
- the predicted label.

Each comparison is a population stability index (PSI) over bins fixed by the reference: the
same statistic credit-risk teams have used for decades. Below 0.1 nothing moved, 0.1 to 0.25 is
worth a look, above 0.25 the population changed.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[a-z']+")
PSI_WATCH, PSI_DRIFT = 0.1, 0.25
LENGTH_EDGES = (5, 10, 15, 20, 30, 45)  # words
OOV_EDGES = (0.0, 0.05, 0.1, 0.2, 0.35)  # share of a text's words
LENGTH, UNKNOWN_WORDS, LABEL = "input length (words)", "unknown words", "predicted label"


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


# --8<-- [start:psi]
def psi(reference: Sequence[float], current: Sequence[float], floor: float = 1e-4) -> float:
    """Population stability index of two distributions over the same bins (shares summing
    to 1). `floor` keeps an empty bin from dividing by zero."""
    total = 0.0
    for r, c in zip(reference, current, strict=True):
        r, c = max(r, floor), max(c, floor)
        total += (c - r) * math.log(c / r)
    return total


# --8<-- [end:psi]


def shares(values: Iterable, bins: Sequence) -> list[float]:
    """The share of `values` in each bin: numbers binned by upper edges (the last bin takes
    the rest), anything else counted by category."""
    values = list(values)
    if not values:
        raise ValueError("an empty window has no distribution")
    if bins and isinstance(bins[0], (int, float)):
        counts = [0] * (len(bins) + 1)
        for value in values:
            counts[next((i for i, edge in enumerate(bins) if value <= edge), len(bins))] += 1
    else:
        seen = Counter(values)
        counts = [seen[category] for category in bins]
    return [count / len(values) for count in counts]


@dataclass(frozen=True)
class Feature:
    name: str
    bins: list[str]
    reference: list[float]
    current: list[float]

    @property
    def psi(self) -> float:
        return psi(self.reference, self.current)

    @property
    def verdict(self) -> str:
        return "drift" if self.psi > PSI_DRIFT else "watch" if self.psi > PSI_WATCH else "stable"


@dataclass(frozen=True)
class DriftReport:
    reference_size: int
    current_size: int
    features: list[Feature]

    @property
    def drifted(self) -> list[str]:
        return [f.name for f in self.features if f.verdict == "drift"]

    def summary(self) -> str:
        lines = [f"reference {self.reference_size} texts, current {self.current_size} texts"]
        lines += [f"  {f.name:<20} PSI {f.psi:6.3f}  {f.verdict}" for f in self.features]
        return "\n".join(lines)

    def to_html(self) -> str:
        """A page a person can read: one table per feature, reference next to current."""
        parts = [
            "<h2>Drift report</h2>",
            f"<p>Reference: {self.reference_size} texts. Current window: {self.current_size}"
            f" texts. PSI above {PSI_DRIFT} means drift; above {PSI_WATCH}, worth a look.</p>",
        ]
        for f in self.features:
            colour = {"drift": "#c62828", "watch": "#ef6c00", "stable": "#2e7d32"}[f.verdict]
            rows = "".join(
                f"<tr><td>{html.escape(b)}</td><td>{r:.1%}</td><td>{c:.1%}</td></tr>"
                for b, r, c in zip(f.bins, f.reference, f.current, strict=True)
            )
            parts.append(
                f"<h3>{html.escape(f.name)}: <span style='color:{colour}'>{f.verdict}</span>"
                f" (PSI {f.psi:.3f})</h3><table><tr><th>bin</th><th>reference</th>"
                f"<th>current</th></tr>{rows}</table>"
            )
        return "\n".join(parts)


def _edge_labels(edges: Sequence[float], fmt: str) -> list[str]:
    labels = [f"≤ {fmt.format(edge)}" for edge in edges]
    return [*labels, f"> {fmt.format(edges[-1])}"]


def feature_bins(labels: Sequence[str] = ("NEGATIVE", "POSITIVE")) -> dict[str, list[str]]:
    """Each feature a report compares, in report order, with the names of its bins."""
    return {
        LENGTH: _edge_labels(LENGTH_EDGES, "{:g}"),
        UNKNOWN_WORDS: _edge_labels(OOV_EDGES, "{:.0%}"),
        LABEL: list(labels),
    }


def oov_share(text: str, vocabulary: set[str]) -> float:
    tokens = words(text)
    return sum(w not in vocabulary for w in tokens) / len(tokens) if tokens else 0.0


def compare(
    reference_texts: Sequence[str],
    reference_labels: Sequence[str],
    current_texts: Sequence[str],
    current_labels: Sequence[str],
    vocabulary: set[str],
    labels: Sequence[str] = ("NEGATIVE", "POSITIVE"),
) -> DriftReport:
    """Compare a current window of inputs and predicted labels with a reference window."""
    if len(reference_texts) != len(reference_labels) or len(current_texts) != len(current_labels):
        raise ValueError("each window needs one predicted label per text")

    names = feature_bins(labels)

    def feature(name, bins, reference, current) -> Feature:
        return Feature(name, names[name], shares(reference, bins), shares(current, bins))

    return DriftReport(
        len(reference_texts),
        len(current_texts),
        [
            feature(
                LENGTH,
                LENGTH_EDGES,
                [len(words(t)) for t in reference_texts],
                [len(words(t)) for t in current_texts],
            ),
            feature(
                UNKNOWN_WORDS,
                OOV_EDGES,
                [oov_share(t, vocabulary) for t in reference_texts],
                [oov_share(t, vocabulary) for t in current_texts],
            ),
            feature(LABEL, list(labels), reference_labels, current_labels),
        ],
    )


def training_vocabulary(texts: Iterable[str]) -> set[str]:
    return {w for text in texts for w in words(text)}
