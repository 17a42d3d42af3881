"""The portfolio is written, stands on its own (its tests pass, the linters find nothing) and its
README carries the diagram and the figures measured for it.

It reads the folder the learner's `portfolio` names, wherever they chose to write it."""

from launchpad.capstone import PIECES, Portfolio, check_portfolio, earlier_modules
from launchpad.checks import Answers, Incorrect, expect, question


@question(
    names=["portfolio"],
    hints=[
        "`build_portfolio(PORTFOLIO, report=report)` copies your project into PORTFOLIO, writes "
        "its README and runs its tests; it returns what it did.",
        "If it wrote nothing, print it: it lists each missing or unfinished piece and the "
        "exercise that makes it.",
    ],
)
def portfolio_stands_alone(answers: Answers):
    portfolio = answers.value("portfolio")
    expect(
        isinstance(portfolio, Portfolio),
        f"`portfolio` should be what build_portfolio() returns, not a {type(portfolio).__name__}.",
    )
    if not portfolio.written:
        raise Incorrect(
            str(portfolio).replace("\n- ", " · ").replace(":\n", ": ")
            + (" Finish those, then build it again." if portfolio.missing else "")
        )
    folder = portfolio.folder
    readme = folder / "README.md"
    expect(readme.is_file(), f"{folder} has no README.md any more: build the portfolio again.")
    absent = [piece.path for piece in PIECES if not (folder / piece.path).is_file()]
    expect(not absent, f"The portfolio has no {', '.join(absent[:3])}: build it again.")
    problems = check_portfolio(folder)
    expect(
        not problems,
        f"The portfolio would not stand on its own: {len(problems)} problem(s), the first: "
        f"{problems[0] if problems else ''} Fix it in the workspace, then build it again.",
    )
    tests = portfolio.tests
    expect(
        tests is not None,
        "The portfolio's tests were not run (run_tests=False): a repository you publish should "
        "show that its tests pass. Build it with the default run_tests=True.",
    )
    expect(
        tests.returncode == 0 and tests.passed > 0,
        f"The portfolio's own tests say: {tests.summary}. Run `make test` in {folder.name}/ "
        "to see why: its tests must pass without the course, as in a fresh clone.",
    )
    text = readme.read_text()
    expect("```mermaid" in text, "The README has no architecture diagram: build it again.")
    expect(
        any(f.name.startswith("course checks re-verified") for f in portfolio.figures),
        "The README does not say what the audit re-verified: pass the report, "
        "build_portfolio(PORTFOLIO, report=report).",
    )
    audited = portfolio.report.modules if portfolio.report is not None else {}
    expect(
        set(audited) == set(earlier_modules()),
        f"The report it was given covers module(s) {', '.join(audited)} only: the README's "
        "checklist and its 're-verified' figure would present part of the audit as the whole.",
    )
    latency = [f for f in portfolio.figures if f.name.startswith("p50 latency")]
    why = [note for note in portfolio.unmeasured if note.startswith("the latency")]
    expect(
        latency or why,
        "The README has no figure measured on your service (its latency, the model's accuracy): "
        "it was built with measure=False, and a portfolio's figures are its evidence.",
    )
    expect(
        latency,
        f"Your service's latency could not be measured ({why[0] if why else ''}): the README "
        "would quote no figure of the service itself.",
    )
    lost = [f for f in portfolio.figures if f"| {f.value} |" not in text.replace("\\|", "|")]
    expect(
        not lost,
        f"The README no longer shows the figure '{lost[0].name if lost else ''}' that was "
        "measured for it: edit the prose, not the figures; build it again to measure anew.",
    )
    return (
        f"{folder.name}/ stands on its own: {len(portfolio.files)} files, its `make test` "
        f"({tests.summary}) passes with the course's packages out of reach, ruff, YAML, "
        "actionlint and hadolint find nothing, and its README has the diagram and the measured "
        "figures, each with its source and date."
    )
