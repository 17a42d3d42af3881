"""The pitch: 20 to 80 words that name the path to production, and whose every number is one of
the portfolio's measured figures. A pitch that passes opens the portfolio's README."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from launchpad.capstone import Figure, Portfolio
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


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:  # a version, "3.11.7": only the same text is the same number
        return None


def unit_of(quoted: Decimal) -> Decimal:
    """The precision a number is written with: 0.1 for 39.3, 1 for 39, 10 for 40 (an integer's
    trailing zeros are read as rounding)."""
    exponent = quoted.as_tuple().exponent
    if exponent == 0 and quoted != 0:
        digits = str(abs(quoted))
        exponent = len(digits) - len(digits.rstrip("0"))
    return Decimal(10) ** exponent


def rounded(value: Decimal, unit: Decimal) -> Decimal:
    return (value / unit).to_integral_value(ROUND_HALF_UP) * unit


def rounds_to(quoted: str, value: str) -> bool:
    """`quoted` is `value`, or `value` honestly rounded: to the precision `quoted` is written
    with ("about 39 ms" for 39.3 ms, "40 ms", "1,000 texts" for 1,012), keeping at least the
    value's first significant digit ("100 ms" is no rounding of 86.1 ms)."""
    q, v = _decimal(quoted), _decimal(value)
    if q is None or v is None or v == 0:
        return quoted == value
    unit = unit_of(q)
    return unit <= Decimal(10) ** v.adjusted() and abs(q - v) <= unit / 2


def _nearest(quoted: str, measured: list[tuple[str, Figure]]) -> str:
    """What a number that is none of the figures is close to, if anything: the figure it may
    have been meant to round (a truncation, 77 for 77.7, is not a rounding)."""
    q = _decimal(quoted)
    close = [
        (abs(q - v) / v, v, figure)
        for text, figure in measured
        if q is not None and (v := _decimal(text)) and abs(q - v) / v <= Decimal("0.2")
    ]
    if not close:
        return ""
    _, value, figure = min(close, key=lambda c: c[0])
    return (
        f" The nearest is {figure.name}, {figure.value}, which rounds to "
        f"{rounded(value, unit_of(q)).normalize():f}, not {quoted}."
    )


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
    measured = [
        (n, figure)
        for figure in portfolio.figures
        for n in numbers_in(f"{figure.name} {figure.value}")
    ]
    quoted = numbers_in(pitch)
    invented = [q for q in quoted if not any(rounds_to(q, n) for n, _ in measured)]
    shown = ", ".join(f"{f.value} ({f.name})" for f in portfolio.figures[:4])
    expect(
        not invented,
        f"Where does {invented[0] if invented else ''} come from? It is none of your measured "
        f"figures ({shown}, ...), nor one of them rounded: a number a reader cannot trace is a "
        "claim an interviewer takes apart." + (_nearest(invented[0], measured) if invented else ""),
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
        f"{words} words, {len(quoted)} figure(s), all measured (or honestly rounded), and "
        f"{len(named)} steps named: it now opens {portfolio.folder.name}/README.md. What the check "
        "cannot verify: that each number stands beside the quantity it measures (a latency "
        "quoted as a latency); read the sentence once more for that."
    )
