"""What module 07's exercise hands the learner: a week of drift reports and the runbook that
says what each calls for (question 4), and a toy model to instrument (question 5). Its
notebook's set-up cell imports them; the questions check answers against the same objects.

    from launchpad.questions.m07.materials import INPUT_FEATURES, REPORTS, RUNBOOK, toy_model
"""

from __future__ import annotations

from launchpad.drift import LABEL, LENGTH, UNKNOWN_WORDS, DriftReport, Feature, feature_bins

# Counts per bin, from the course model's predictions (PyTorch) on held-out texts: the reference
# is 500 film review snippets; Monday more snippets, Tuesday only the positive ones, Wednesday
# NYT editorial sentences, Thursday Amazon reviews (launchpad.drift.compare on each).
_REFERENCE = {
    LENGTH: [26, 63, 108, 113, 144, 45, 1],
    UNKNOWN_WORDS: [238, 78, 126, 47, 10, 1],
    LABEL: [269, 231],
}
_DAYS = {
    "monday": {
        LENGTH: [35, 54, 93, 111, 167, 50, 2],
        UNKNOWN_WORDS: [246, 66, 109, 77, 14, 0],
        LABEL: [266, 246],
    },
    "tuesday": {
        LENGTH: [15, 24, 52, 60, 82, 19, 1],
        UNKNOWN_WORDS: [133, 31, 47, 38, 4, 0],
        LABEL: [39, 214],
    },
    "wednesday": {
        LENGTH: [24, 69, 109, 123, 134, 38, 3],
        UNKNOWN_WORDS: [72, 16, 100, 191, 102, 19],
        LABEL: [328, 172],
    },
    "thursday": {
        LENGTH: [82, 119, 123, 82, 66, 26, 2],
        UNKNOWN_WORDS: [200, 28, 128, 105, 26, 13],
        LABEL: [370, 130],
    },
}
INPUT_FEATURES = (LENGTH, UNKNOWN_WORDS)
RUNBOOK = {
    "nothing": "No feature drifted (every PSI at most 0.25): nothing to do now; features in the "
    "watch band (0.1 to 0.25) go in the weekly review.",
    "label a sample": "An input feature drifted: the model sees inputs it was never evaluated on. "
    "Have a sample of this traffic labelled and measure the model on it before anything else.",
    "check the sources": "Only the predicted label drifted, the inputs did not: find out who "
    "sends what (a new client, a campaign, a filter upstream) before blaming the model.",
}
NEGATIVE_WORDS = ("bad", "dull", "never", "awful", "boring")


def _report(counts: dict[str, list[int]]) -> DriftReport:
    size = sum(counts[LABEL])
    reference_size = sum(_REFERENCE[LABEL])
    return DriftReport(
        reference_size,
        size,
        [
            Feature(
                name,
                bins,
                [n / reference_size for n in _REFERENCE[name]],
                [n / size for n in counts[name]],
            )
            for name, bins in feature_bins().items()
        ],
    )


def drift_reports() -> dict[str, DriftReport]:
    """{day: its drift report against the reference}, made anew on each call."""
    return {day: _report(counts) for day, counts in _DAYS.items()}


def toy_model(text: str) -> str:
    """A stand-in for the model, right about these examples and fast."""
    return "NEGATIVE" if any(word in text.lower() for word in NEGATIVE_WORDS) else "POSITIVE"


def __getattr__(name: str):
    # REPORTS is made when first imported, not when the package is, and each importer gets its
    # own dict: a notebook that changes it cannot change what the check reads.
    if name == "REPORTS":
        return drift_reports()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
