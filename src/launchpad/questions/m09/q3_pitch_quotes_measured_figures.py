"""The pitch: 20 to 80 words that name the path to production, and whose every number is one of
the portfolio's measured figures. A pitch that passes opens the portfolio's README."""

import re

from launchpad.capstone import Portfolio
from launchpad.checks import Answers, expect, question

MAX_WORDS = 80
MIN_WORDS = 20
STAGES = {
    "the API": ("api", "fastapi", "service"),
    "the container": ("container", "docker", "image"),
    "CI/CD": ("ci", "ci/cd", "github actions", "pipeline"),
    "the deployment": ("cloud run", "kubernetes", "deploy", "deployed", "deployment"),
    "scaling": ("onnx", "int8", "batching", "autoscal"),
    "monitoring": ("prometheus", "alert", "alerts", "drift", "monitoring"),
}
# A number on its own: not the 50 of p50, the 8 of int8 or k8s, nor part of a version.
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


def numbers_in(text: str) -> list[str]:
    """The numbers `text` quotes, written as the figures write them ("1,012" is "1012")."""
    return [n.replace(",", "") for n in NUMBER.findall(text)]


def _named(pitch: str) -> list[str]:
    lower = pitch.lower()
    return [
        stage
        for stage, words in STAGES.items()
        if any(re.search(rf"(?<![a-z]){re.escape(w)}", lower) for w in words)
    ]


@question(
    names=["pitch", "portfolio"],
    hints=[
        "Say what you built and how it runs in production, in 20 to 80 words, and quote figures "
        "from `portfolio.figures`: `portfolio.figure('p50').value`, "
        "`portfolio.figure('accuracy, movies').value`.",
        "Every number must be one of your measured figures: write them with an f-string from "
        "`portfolio.figures` rather than typing them.",
    ],
)
def pitch_quotes_measured_figures(answers: Answers):
    pitch = answers.value("pitch")
    portfolio = answers.value("portfolio")
    expect(
        isinstance(portfolio, Portfolio) and portfolio.written,
        "Build the portfolio first (question 2): the pitch quotes its figures.",
    )
    expect(isinstance(pitch, str), f"`pitch` should be text, not a {type(pitch).__name__}.")
    words = len(pitch.split())
    expect(
        words >= MIN_WORDS,
        f"Your pitch has {words} words: say what you built, how it runs and one measured result.",
    )
    expect(
        words <= MAX_WORDS,
        f"Your pitch has {words} words: a reader gives it ten seconds. Keep it under {MAX_WORDS}.",
    )
    measured = {
        n for figure in portfolio.figures for n in numbers_in(f"{figure.name} {figure.value}")
    }
    quoted = numbers_in(pitch)
    invented = [n for n in quoted if n not in measured]
    shown = ", ".join(f"{f.value} ({f.name})" for f in portfolio.figures[:4])
    expect(
        not invented,
        f"Where does {invented[0] if invented else ''} come from? It is none of your measured "
        f"figures ({shown}, ...): quote them from portfolio.figures, never from memory.",
    )
    expect(
        quoted,
        "Your pitch has no figure: quote at least one measured figure (a latency, an accuracy, "
        "the tests) from portfolio.figures.",
    )
    named = _named(pitch)
    expect(
        len(named) >= 3,
        f"Your pitch names {', '.join(named) or 'none'} of the steps: name at least three of "
        f"{', '.join(STAGES)}, so a reader sees the whole path to production.",
    )
    portfolio.add_pitch(pitch)
    return (
        f"{words} words, {len(quoted)} figure(s), all measured, and {len(named)} steps named: it "
        f"now opens {portfolio.folder.name}/README.md."
    )
