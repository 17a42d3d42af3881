"""Behavioural tests of a sentiment model, in the style of CheckList (Ribeiro et al., 2020)
and Made With ML's model tests: unit tests for what a model must do, whatever its accuracy.

- Minimum functionality: sentences so plain that any usable model labels them right.
- Invariance: changing what should not matter (a name, a city) does not change the label.
- Directional: adding praise raises the POSITIVE probability; adding a complaint lowers it.

Each suite returns how many cases passed and which failed, so a gate can hold it to a rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from launchpad.model.onnx_export import positive_probability

# --8<-- [start:suites]
MINIMUM_FUNCTIONALITY = [
    ("I loved this movie.", "POSITIVE"),
    ("A wonderful, moving film.", "POSITIVE"),
    ("The acting was superb.", "POSITIVE"),
    ("Great fun from start to finish.", "POSITIVE"),
    ("One of the best films of the year.", "POSITIVE"),
    ("A beautiful story, beautifully told.", "POSITIVE"),
    ("I would happily watch it again.", "POSITIVE"),
    ("Charming, funny and smart.", "POSITIVE"),
    ("Not bad at all.", "POSITIVE"),
    ("I hated this movie.", "NEGATIVE"),
    ("A dull, lifeless film.", "NEGATIVE"),
    ("The acting was terrible.", "NEGATIVE"),
    ("A boring mess from start to finish.", "NEGATIVE"),
    ("One of the worst films of the year.", "NEGATIVE"),
    ("A waste of two hours.", "NEGATIVE"),
    ("I want my money back.", "NEGATIVE"),
    ("Clumsy, loud and stupid.", "NEGATIVE"),
    ("This movie was not good.", "NEGATIVE"),
    ("I did not like it at all.", "NEGATIVE"),
    ("It was not boring for a second.", "POSITIVE"),
]
INVARIANCE_TEMPLATES = [
    "{name} gave a wonderful performance.",
    "{name} was badly miscast and it shows.",
    "We watched it in {city} and loved every minute.",
    "We watched it in {city} and regretted every minute.",
]
NAMES = ["Tom", "Maria", "Ahmed", "Mei", "Olga", "Kwame"]
CITIES = ["London", "Lagos", "Mumbai", "Lima", "Osaka", "Oslo"]
DIRECTIONAL_BASES = [
    "The film is two hours long.",
    "I saw it with my sister.",
    "The story follows a young teacher.",
    "The cast is mostly newcomers.",
    "It opens in cinemas on Friday.",
    "The director made it on a small budget.",
]
PRAISE = " And the ending is perfect."
COMPLAINT = " But the ending ruined it."
# --8<-- [end:suites]


@dataclass
class SuiteResult:
    name: str
    passed: int
    total: int
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.total


def minimum_functionality(model) -> SuiteResult:
    texts = [text for text, _ in MINIMUM_FUNCTIONALITY]
    failures = [
        f"{text!r}: {p.label}, expected {expected}"
        for (text, expected), p in zip(MINIMUM_FUNCTIONALITY, model.predict(texts), strict=True)
        if p.label != expected
    ]
    return SuiteResult("minimum functionality", len(texts) - len(failures), len(texts), failures)


def invariance(model) -> SuiteResult:
    """One case per template: every name (or city) filled in must get the same label."""
    failures = []
    for template in INVARIANCE_TEMPLATES:
        fillers = NAMES if "{name}" in template else CITIES
        texts = [template.format(name=f, city=f) for f in fillers]
        labels = {p.label: f for p, f in zip(model.predict(texts), fillers, strict=True)}
        if len(labels) > 1:
            failures.append(
                f"{template!r}: " + ", ".join(f"{f} → {lab}" for lab, f in labels.items())
            )
    total = len(INVARIANCE_TEMPLATES)
    return SuiteResult("invariance", total - len(failures), total, failures)


def directional(model) -> SuiteResult:
    """Two cases per base sentence: praise must raise P(POSITIVE), a complaint lower it."""
    variants = [b + suffix for b in DIRECTIONAL_BASES for suffix in ("", PRAISE, COMPLAINT)]
    p = [positive_probability(x) for x in model.predict(variants)]
    failures = []
    for i, base in enumerate(DIRECTIONAL_BASES):
        before, praised, complained = p[3 * i : 3 * i + 3]
        if praised <= before:
            failures.append(f"{base!r} + praise: P(POSITIVE) {before:.2f} → {praised:.2f}")
        if complained >= before:
            failures.append(f"{base!r} + complaint: P(POSITIVE) {before:.2f} → {complained:.2f}")
    total = 2 * len(DIRECTIONAL_BASES)
    return SuiteResult("directional", total - len(failures), total, failures)


SUITES = (minimum_functionality, invariance, directional)
