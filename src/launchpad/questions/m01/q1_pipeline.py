"""A sentiment-analysis pipeline loaded from the course model's folder."""

from launchpad.checks import Answers, expect, question
from launchpad.checks.texts import NEGATIVE_TEXT, POSITIVE_TEXT


@question(
    names=["classifier"],
    hints=[
        '`pipeline` takes the task first: `pipeline("sentiment-analysis", model=...)`.',
        "The model argument is the folder: `model=str(model_path)`.",
    ],
)
def pipeline_labels_sentiment(answers: Answers):
    classifier = answers.function("classifier")
    results = classifier([POSITIVE_TEXT, NEGATIVE_TEXT])
    expect(
        isinstance(results, list)
        and len(results) == 2
        and all(isinstance(r, dict) and {"label", "score"} <= set(r) for r in results),
        "Calling `classifier` on two texts should give two dicts with 'label' and 'score'. "
        "Is it a sentiment-analysis pipeline?",
    )
    labels = {r["label"] for r in results}
    expect(
        labels <= {"POSITIVE", "NEGATIVE"},
        f"The labels are {sorted(labels)}, not "
        "POSITIVE/NEGATIVE: load the course model from `model_path`.",
    )
    expect(
        [r["label"] for r in results] == ["POSITIVE", "NEGATIVE"],
        "The classifier got two obvious sentences wrong: is it loaded from `model_path`?",
    )
    return "Two lines of code, a working sentiment model."
