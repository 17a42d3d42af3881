"""Module 01 — Load a pretrained model."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import time
from functools import cache

from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.paths import workspace_dir

POSITIVE_TEXT = "I loved every minute of this film."
NEGATIVE_TEXT = "A dull, lifeless mess."
MIXED_LENGTHS = [
    "Great!",
    "The plot wanders, but the performances are wonderful and the ending is earned.",
    "Boring.",
]


@cache
def reference():
    """The course model's pipeline, loaded once per kernel for comparisons."""
    from launchpad.model import load_pipeline

    return load_pipeline()


@question(
    "01",
    1,
    hints=[
        '`pipeline` takes the task first: `pipeline("sentiment-analysis", model=...)`.',
        "The model argument is the folder: `model=str(model_path)`.",
    ],
    solution='classifier = pipeline("sentiment-analysis", model=str(model_path))',
)
def q1(answers: Answers):
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


@question(
    "01",
    2,
    hints=[
        "softmax(x) = exp(x) / sum(exp(x)), taken along the last axis.",
        "exp(1000) overflows. Subtract the largest logit first: it cancels out in the division.",
    ],
    solution="""def softmax(logits):
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=-1, keepdims=True)""",
)
def q2(answers: Answers):
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


@question(
    "01",
    3,
    hints=[
        "tokenizer(texts, padding=True, truncation=True, return_tensors='pt') handles "
        "texts of different lengths.",
        "Turn the class index into a name with model.config.id2label[index].",
    ],
    solution="""def predict(texts):
    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.inference_mode():
        logits = model(**encoded).logits.numpy()
    probabilities = softmax(logits)
    best = probabilities.argmax(axis=-1)
    return [
        {"label": model.config.id2label[int(i)], "score": float(p[i])}
        for i, p in zip(best, probabilities)
    ]""",
)
def q3(answers: Answers):
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


@question(
    "01",
    4,
    hints=[
        "Time each call with time.perf_counter() before and after, collect the durations.",
        "The median is statistics.median(durations); multiply seconds by 1000 for ms.",
    ],
    solution="""def p50_ms(fn, text, runs=20):
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(text)
        durations.append(time.perf_counter() - start)
    return statistics.median(durations) * 1000""",
)
def q4(answers: Answers):
    p50_ms = answers.function("p50_ms")
    calls = []

    def slow_sometimes(text):  # 5 ms usually, 100 ms every fifth call: an outlier pattern
        calls.append(text)
        time.sleep(0.1 if len(calls) % 5 == 0 else 0.005)

    result = p50_ms(slow_sometimes, "hello", runs=10)
    expect(
        len(calls) in (10, 11),  # one extra call is a warm-up, which is good practice
        f"With runs=10, fn should be timed 10 times; it was called {len(calls)} times.",
    )
    expect(
        isinstance(result, (int, float)),
        f"p50_ms should return a number, got {type(result).__name__}.",
    )
    expect(result > 1, f"{result:.4f} looks like seconds: return milliseconds.")
    expect(
        result < 15,
        f"{result:.1f} ms is pulled up by the slow calls: that is the mean. "
        "Return the median (p50).",
    )
    expect(result >= 4, f"{result:.1f} ms is faster than the 5 ms calls it timed.")
    return "p50 is what a typical request feels like; p99 is what your unhappiest users feel."


@question(
    "01",
    5,
    hints=[
        "Read the file in binary mode: (model_path / 'model.safetensors').read_bytes().",
        "hashlib.sha256(data).hexdigest() gives the 64-character hex string.",
    ],
    solution="""weights_sha256 = hashlib.sha256(
    (model_path / "model.safetensors").read_bytes()
).hexdigest()""",
)
def q5(answers: Answers):
    from launchpad.data import sha256_file
    from launchpad.model import resolve

    value = answers.value("weights_sha256")
    weights = resolve().path / "model.safetensors"  # whichever model the learner uses
    actual = sha256_file(weights)
    expect(
        isinstance(value, str),
        f"`weights_sha256` should be a hex string, got "
        f"{type(value).__name__}. Did you forget .hexdigest()?",
    )
    expect(
        value
        not in {
            hashlib.sha256(str(weights).encode()).hexdigest(),
            hashlib.sha256(weights.name.encode()).hexdigest(),
        },
        "That is the hash of the file's name, not of its bytes: read the file.",
    )
    expect(
        value.lower() == actual,
        "That is not the sha256 of model.safetensors in the course "
        "model folder. Hash the whole file, in binary mode.",
    )
    return "Pin artifacts by content hash, just as you pin images by digest."


@question(
    "01",
    6,
    hints=[
        "In main(): load the pipeline once with load_pipeline(), then loop over the texts; time "
        "each call with time.perf_counter() before and after.",
        "Print one line per text: print(json.dumps({'text': t, 'label': ..., 'score': ..., "
        "'latency_ms': ...})).",
    ],
    solution="""def main(texts):
    classifier = load_pipeline()
    for text in texts:
        start = time.perf_counter()
        [result] = classifier([text])
        latency_ms = (time.perf_counter() - start) * 1000
        print(json.dumps({
            "text": text,
            "label": result["label"],
            "score": round(result["score"], 4),
            "latency_ms": round(latency_ms, 2),
        }))""",
)
def q6(answers: Answers):
    script = workspace_dir() / "predict.py"
    if not script.exists():
        raise NotAttempted(
            f"There is no {script.name} in your workspace yet: run the %%writefile cell."
        )
    try:
        run = subprocess.run(
            [sys.executable, str(script), POSITIVE_TEXT, NEGATIVE_TEXT],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=workspace_dir(),
        )
    except subprocess.TimeoutExpired as error:
        raise Incorrect(
            "predict.py ran for 5 minutes without finishing: is it waiting for "
            "input, or looping forever?"
        ) from error
    if "NotImplementedError" in run.stderr:
        raise NotAttempted("predict.py still raises NotImplementedError.")
    last_error = run.stderr.strip().splitlines()[-1:] or ["no error output"]
    expect(run.returncode == 0, f"predict.py exited with code {run.returncode}: {last_error[0]}")
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    expect(
        len(lines) == 2,
        f"For two texts predict.py should print two lines, it printed {len(lines)}.",
    )
    try:
        rows = [json.loads(line) for line in lines]
    except json.JSONDecodeError as error:
        raise Incorrect(f"Each line should be one JSON object; got {lines[0][:80]!r}.") from error
    for row in rows:
        expect(
            isinstance(row, dict) and {"label", "score", "latency_ms"} <= set(row),
            f"Each line needs label, score and latency_ms; got {row}.",
        )
        expect(
            isinstance(row["latency_ms"], (int, float)) and row["latency_ms"] > 0,
            "latency_ms should be a positive number of milliseconds.",
        )
    expect(
        [r["label"] for r in rows] == ["POSITIVE", "NEGATIVE"],
        f"predict.py labelled two obvious sentences {[r['label'] for r in rows]}.",
    )
    return "Your first model artifact in the workspace: it becomes a service in module 02."


QUESTIONS = [q1, q2, q3, q4, q5, q6]
__all__ = ["____", "q1", "q2", "q3", "q4", "q5", "q6"]
