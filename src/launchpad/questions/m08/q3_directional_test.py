"""A directional behavioural test (a complaint lowers P(POSITIVE)), run against the course
model and a model with a moved threshold, which it must pass, and against three broken models
(their answers set by hand), which it must fail."""

from __future__ import annotations

import math
import numbers
from functools import cache

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, learner_frame, question
from launchpad.checks.progress import step
from launchpad.questions.m08.materials import BASES, COMPLAINT

# P(POSITIVE) of broken models, per base: (without, with the complaint).
_BEFORE = [0.40, 0.71, 0.83, 0.46, 0.30]
_FAKES = {
    "ignores the complaint": [(p, p) for p in _BEFORE],
    "is cheered up by the complaint": [(p, min(0.99, p + 0.15)) for p in _BEFORE],
    "fails on one sentence": [(p, 0.1) for p in _BEFORE[:-1]] + [(0.30, 0.35)],
}


class _Fake:
    """A model whose P(POSITIVE) for BASES and their complaints is set by hand."""

    def __init__(self, name: str, pairs: list[tuple[float, float]]):
        self.name = name
        self._p = {}
        for base, (before, after) in zip(BASES, pairs, strict=True):
            self._p[base], self._p[base + COMPLAINT] = before, after

    def predict(self, texts):
        from sentiment_api.predictions import Prediction

        out = []
        for text in texts:
            p = self._p.get(text, 0.5)
            out.append(Prediction("POSITIVE", p) if p >= 0.5 else Prediction("NEGATIVE", 1 - p))
        return out


@cache
def _course_model():
    from launchpad.lifecycle.gate import load
    from launchpad.model.source import resolve

    # Once per kernel. Measured here: 4 s of CPU (14 s of wall time on a 2-core machine shared
    # with a dozen jobs), PyTorch's import included.
    with step("Loading the course model to run your test against", usually="5 s"):
        return load(resolve().path)


def _run_test(test, model) -> tuple[str, object]:
    """("passed", returned) or ("failed", message); other exceptions become feedback."""
    try:
        returned = test(model)
    except AssertionError as error:
        return "failed", str(error)
    except NotImplementedError as error:
        raise NotAttempted(
            "test_complaint_lowers_positive (or a function it calls) still raises "
            "NotImplementedError."
        ) from error
    except (Incorrect, NotAttempted):
        raise
    except Exception as error:
        where = learner_frame(error)
        raise Incorrect(
            f"test_complaint_lowers_positive raised {type(error).__name__}: {error} "
            f"(line {where.lineno}: `{(where.line or '').strip()}`). A test fails with an "
            "AssertionError; anything else is a bug in the test."
        ) from error
    return "passed", returned


def _expect_named_sentence(name: str, message: object) -> None:
    """A failing test's message names the sentence that failed: a red test says where to look."""
    said = str(message).strip()
    expect(
        said,
        f"Your test fails a model that {name}, but with a bare assert: its report says "
        "AssertionError and nothing else, so a red gate does not say which sentence broke, "
        "and whoever reads it must rerun the test to find out.",
    )
    broken = BASES[-1].rstrip(".")
    expect(
        name != "fails on one sentence" or broken.lower() in said.lower(),
        f"Your test fails a model that {name} ({BASES[-1]!r} + the complaint), but its message "
        f"does not name that sentence. It said: {said[:160]} A red gate would not say which "
        "sentence broke.",
    )


def _said(message: object) -> str:
    text = str(message).strip()
    return f" It said: {text[:160]}" if text else ""


@question(
    names=["p_positive", "test_complaint_lowers_positive"],
    hints=[
        "p_positive: return prediction.score when prediction.label is 'POSITIVE', else "
        "1 - prediction.score. The test: predict BASES, then each base + COMPLAINT.",
        "For every pair, assert p_positive(after) < p_positive(before), with a message naming "
        "the sentence: a test fails by raising, and < means strictly lower.",
    ],
)
def directional_test_tells_models_apart(answers: Answers):
    from sentiment_api.predictions import Prediction

    p_positive = answers.function("p_positive")
    for label, score, want in (("POSITIVE", 0.8, 0.8), ("NEGATIVE", 0.9, 0.1)):
        got = p_positive(Prediction(label, score))
        expect(
            isinstance(got, numbers.Real) and math.isclose(got, want, abs_tol=1e-9),
            f"p_positive({label}, score {score}) should be {want}, got {got!r}: score is the "
            "probability of the label the model returned, so for a NEGATIVE answer "
            "P(POSITIVE) is 1 - score.",
        )
    test = answers.value("test_complaint_lowers_positive")
    expect(callable(test), "test_complaint_lowers_positive should be a function.")

    from launchpad.lifecycle.candidates import PriorShifted  # numpy and safetensors

    course = _course_model()
    must_pass = (
        (
            course,
            "Your test fails on the course model, which does lower P(POSITIVE) after every "
            "base sentence (e.g. 'I bought it for my father.': 0.71, then 0.15).",
            " Compare p_positive before and after, not .score: it is the probability of the "
            "label returned, which goes up when the label flips to NEGATIVE.",
        ),
        (
            PriorShifted(course, 3.0),
            "Your test fails on a model retrained on a week of praise: its threshold moved "
            "(every P(POSITIVE) is higher) but every complaint still lowers it.",
            " A directional test checks the direction (before against after), not labels or "
            "fixed cut-offs.",
        ),
    )
    # Measured here: 1 s of CPU for the solution's test, 3.5 s for one that predicts pair by pair
    # (3 and 9 s of wall time on a 2-core machine shared with a dozen jobs).
    with step("Running your test against the course model and the praise-trained one", "2 s"):
        verdicts = [(_run_test(test, model), what, advice) for model, what, advice in must_pass]
    for (status, said), what, advice in verdicts:
        if status == "failed":
            raise Incorrect(what + _said(said) + advice)
    reports = {}  # what the test said when it failed each broken model
    for name, pairs in _FAKES.items():
        status, returned = _run_test(test, _Fake(name, pairs))
        if status == "failed":
            reports[name] = returned
            continue
        if returned is False:
            raise Incorrect(
                f"Your test returned False for a model that {name}, and a test runner ignores "
                "what a test returns: fail by raising (assert ...)."
            )
        if name == "ignores the complaint":
            raise Incorrect(
                "Your test passed a model that ignores the complaint (P(POSITIVE) unchanged): "
                "lowering means strictly lower, < not <=."
            )
        if name == "fails on one sentence":
            raise Incorrect(
                "Your test passed a model whose P(POSITIVE) rises from 0.30 to 0.35 on "
                f"{BASES[-1]!r} + the complaint (the label stays NEGATIVE): check every "
                "sentence, compare probabilities, not labels or an average."
            )
        raise Incorrect(f"Your test passed a model that {name}: it should fail.")
    # Only once it tells the models apart: a logic mistake matters more than a terse message.
    for name, said in reports.items():
        _expect_named_sentence(name, said)
    return (
        "Your test passes the course model, fails three broken ones, and passes the model "
        "retrained on praise too: a shifted threshold keeps every direction. That is why the "
        "gate holds accuracy floors as well as behavioural suites."
    )
