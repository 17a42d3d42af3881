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
worth a look, above 0.25 the population changed. A number hides what moved: the report shows each
feature's two distributions as a picture (`figure` draws them for a notebook).
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from launchpad import plots

WORD = re.compile(r"[a-z']+")
PSI_WATCH, PSI_DRIFT = 0.1, 0.25
LENGTH_EDGES = (5, 10, 15, 20, 30, 45)  # words
OOV_EDGES = (0.0, 0.05, 0.1, 0.2, 0.35)  # share of a text's words
LENGTH, UNKNOWN_WORDS, LABEL = "input length (words)", "unknown words", "predicted label"
AXIS_LABELS = {UNKNOWN_WORDS: "unknown words (% of the text's words)"}  # the others say their unit
# Readable on a light and a dark page alike (launchpad.plots): the report's headings and plots.
VERDICT_COLOURS = {"drift": plots.COLOURS[3], "watch": plots.COLOURS[1], "stable": plots.COLOURS[2]}
REFERENCE_COLOUR, CURRENT_COLOUR = plots.GREY, plots.COLOURS[0]


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
        """A page a person can read, self-contained: per feature, a picture of the reference and
        current distributions, and the same shares in a table."""
        parts = [
            "<h2>Drift report</h2>",
            f"<p>Reference: {self.reference_size} texts. Current window: {self.current_size}"
            f" texts. PSI above {PSI_DRIFT} means drift; above {PSI_WATCH}, worth a look.</p>",
        ]
        for f in self.features:
            rows = "".join(
                f"<tr><td>{html.escape(b)}</td><td>{r:.1%}</td><td>{c:.1%}</td></tr>"
                for b, r, c in zip(f.bins, f.reference, f.current, strict=True)
            )
            parts.append(
                f"<h3>{html.escape(f.name)}: <span style='color:{VERDICT_COLOURS[f.verdict]}'>"
                f"{f.verdict}</span> (PSI {f.psi:.3f})</h3>"
                f"<img src='{plots.svg_data_uri(figure({'': self}, [f.name]))}' width='360'"
                f" alt='{html.escape(f.name)}: reference and current shares per bin'>"
                f"<table><tr><th>bin</th><th>reference</th><th>current</th></tr>{rows}</table>"
            )
        return "\n".join(parts)


def draw(axes, feature: Feature) -> None:
    """One feature's distributions on `axes`: the share of texts in each bin, reference and
    current side by side, under its PSI and verdict."""
    width = 0.4
    spots = range(len(feature.bins))
    for shift, shares_, colour, label in (
        (-width / 2, feature.reference, REFERENCE_COLOUR, "reference"),
        (width / 2, feature.current, CURRENT_COLOUR, "current"),
    ):
        axes.bar(
            [i + shift for i in spots], [100 * s for s in shares_], width, color=colour, label=label
        )
    # "≤ 10%" as "≤10%": six or seven labels side by side in a small panel
    ticks = [b.replace("≤ ", "≤").replace("> ", ">") for b in feature.bins]
    axes.set_xticks(list(spots), ticks, fontsize="small")
    axes.set_xlabel(AXIS_LABELS.get(feature.name, feature.name))
    axes.set_ylabel("share of texts (%)")
    axes.grid(axis="x", visible=False)
    axes.set_title(
        f"PSI {feature.psi:.3f}: {feature.verdict}",
        loc="left",
        fontsize="medium",
        color=VERDICT_COLOURS[feature.verdict],
    )


def figure(reports: Mapping[str, DriftReport], features: Sequence[str] = ()):
    """The distributions behind each PSI: a row per report, headed by its key (if any), and a
    column per feature (all, or those named in `features`). Returns a matplotlib Figure, not
    shown by itself: end a notebook cell with it."""
    from matplotlib.figure import Figure  # not pyplot: nothing global to close afterwards

    names = list(features) or [f.name for f in next(iter(reports.values())).features]
    with plots.style():
        shown = Figure(figsize=(3 * len(names), 0.4 + 2.6 * len(reports)))
        rows = shown.subfigures(len(reports), 1, squeeze=False)[:, 0]
        for row, (window, report) in zip(rows, reports.items(), strict=True):
            by_name = {f.name: f for f in report.features}
            panels = row.subplots(1, len(names), squeeze=False)[0]
            for axes, name in zip(panels, names, strict=True):
                draw(axes, by_name[name])
                if axes is not panels[0]:
                    axes.set_ylabel("")
            if window:
                row.suptitle(window, x=0.01, ha="left", fontweight="bold")
        shown.legend(*panels[0].get_legend_handles_labels(), loc="outside upper right", ncols=2)
    return shown


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
