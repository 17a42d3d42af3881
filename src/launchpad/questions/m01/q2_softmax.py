"""softmax: logits to probabilities, numerically stable and row by row for a batch."""

from launchpad.checks import Answers, expect, question


@question(
    names=["softmax"],
    hints=[
        "softmax(x) = exp(x) / sum(exp(x)), taken along the last axis.",
        "exp(1000) overflows. Subtract the largest logit first: it cancels out in the division.",
    ],
)
def softmax_is_stable_and_batched(answers: Answers):
    import numpy as np

    softmax = answers.function("softmax")
    got = np.asarray(softmax(np.array([1.0, 2.0, 3.0])), dtype=float)
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    expect(
        got.shape == (3,),
        f"softmax of 3 logits should give 3 probabilities, got shape {got.shape}.",
    )
    expect(
        np.allclose(got, expected, atol=1e-6),
        f"softmax([1, 2, 3]) should be "
        f"{np.round(expected, 3).tolist()}, got {np.round(got, 3).tolist()}.",
    )
    with np.errstate(all="ignore"):
        big = np.asarray(softmax(np.array([1000.0, 1001.0])), dtype=float)
    expect(
        np.all(np.isfinite(big)),
        "softmax([1000, 1001]) gave nan or inf: exp overflows. "
        "Subtract the largest logit before exponentiating.",
    )
    batch = np.asarray(softmax(np.array([[1.0, 2.0], [3.0, 1.0]])), dtype=float)
    expect(
        np.allclose(batch.sum(axis=-1), 1.0),
        "For a batch (one row per text), each row "
        "should sum to 1: normalise along the last axis (axis=-1, keepdims=True).",
    )
    return "That is the last step inside every classification pipeline."
