"""predict: tokenizer, model and softmax by hand, giving the pipeline's own answers."""

import math
from functools import cache

from launchpad.checks import Answers, expect, question

MIXED_LENGTHS = [
    "Great!",
    "The plot wanders, but the performances are wonderful and the ending is earned.",
    "Boring.",
]


@cache
def reference():
    """The course model's pipeline, loaded once per kernel for comparisons."""
    from launchpad.model.source import load_pipeline

    return load_pipeline()


@question(
    names=["predict"],
    hints=[
        "tokenizer(texts, padding=True, truncation=True, return_tensors='pt') handles "
        "texts of different lengths.",
        "Turn the class index into a name with model.config.id2label[index].",
    ],
)
def predict_matches_the_pipeline(answers: Answers):
    predict = answers.function("predict")
    got = predict(MIXED_LENGTHS)
    expected = reference()(MIXED_LENGTHS)
    expect(
        isinstance(got, list) and len(got) == len(MIXED_LENGTHS),
        f"predict should return one result per text ({len(MIXED_LENGTHS)}), got "
        f"{type(got).__name__} of length {len(got) if hasattr(got, '__len__') else '?'}.",
    )
    labels = [g.get("label") if isinstance(g, dict) else None for g in got]
    want = [e["label"] for e in expected]
    flipped = ["POSITIVE" if w == "NEGATIVE" else "NEGATIVE" for w in want]
    expect(
        labels != flipped,
        "Every label is the opposite of the pipeline's: map the index "
        "with model.config.id2label instead of guessing the order.",
    )
    expect(labels == want, f"Labels {labels} differ from the pipeline's {want}.")
    scores = [float(g["score"]) for g in got]
    expect(
        all(0.0 <= s <= 1.0 for s in scores),
        f"Scores {[round(s, 3) for s in scores]} are "
        "not probabilities: "
        "apply softmax to the logits.",
    )
    expect(
        all(
            math.isclose(s, e["score"], abs_tol=1e-3) for s, e in zip(scores, expected, strict=True)
        ),
        "Scores differ from the pipeline's: take the probability of the predicted label.",
    )
    return "Same answers as the pipeline: you now know what it does inside."
