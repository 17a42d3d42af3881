"""Module 09's checks: they pass the reference answers and name realistic mistakes.

The reports and portfolios here are made without running the earlier checks or the model (a
report built row by row, a portfolio written with measure=False), so each case takes moments;
tests/test_capstone.py runs the real audit and the portfolio's own tests.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.questions import outcome

from launchpad import capstone
from launchpad.authoring.reference import ensure_project
from launchpad.capstone import FAILS, NOT_RECORDED, PASSED, Figure, Report, Row
from launchpad.capstone.readme import render_readme
from launchpad.paths import using_workspace, workspace_dir
from launchpad.pytest_run import PytestRun
from launchpad.questions import m09
from launchpad.questions.m09.q3_pitch_quotes_measured_figures import numbers_in, rounds_to


def report_of(workspace, failing: tuple[str, int] | None = None, modules=None) -> Report:
    """A report as audit() makes it, row by row: workspace checks passed (or one failing),
    the others not recorded."""
    chosen = {
        m: entry
        for m, entry in capstone.earlier_modules().items()
        if modules is None or m in modules
    }
    rows = []
    for module, (_, questions) in chosen.items():
        for q in questions:
            kind = capstone.evidence(q)
            if kind != capstone.WORKSPACE:
                rows.append(Row(module, q.number, kind, NOT_RECORDED))
            elif (module, q.number) == failing:
                rows.append(Row(module, q.number, kind, FAILS, "make lint failed: F401."))
            else:
                rows.append(Row(module, q.number, kind, PASSED, "fine"))
    titles = {m: title for m, (title, _) in chosen.items()}
    return Report(workspace, datetime.now(UTC), 1.0, titles, rows)


@pytest.mark.parametrize("question", m09.QUESTIONS, ids=lambda q: f"q{q.number}")
def test_placeholders_are_not_attempted(question, workspace):
    status, _ = outcome(question, report=m09.____, portfolio=m09.____, pitch=m09.____)
    assert status == "not_attempted"


# ---- Question 1 ------------------------------------------------------------------------------


def test_q1_passes_a_green_report_of_this_workspace(workspace):
    status, message = outcome(m09.q1, report=report_of(workspace))
    assert status == "correct" and "0 of the" in message and "Next steps" in message


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda ws: "all green", "should be what audit() returns"),
        (lambda ws: report_of(ws.parent), "not of your workspace"),
        (lambda ws: report_of(ws, modules=("02", "07")), "covers module(s) 02, 07 only"),
        (lambda ws: report_of(ws, failing=("04", 1)), "the first: 04 q1 fails now: make lint"),
    ],
    ids=["not-a-report", "other-workspace", "subset", "failing"],
)
def test_q1_names_the_problem(workspace, make, says):
    status, message = outcome(m09.q1, report=make(workspace))
    assert status == "incorrect" and says in message, message
    if "fails now" in says:
        assert "Fix it in exercises/04-automate-with-ci-cd.ipynb" in message


def test_q1_on_a_real_audit_of_an_empty_workspace(workspace):
    status, message = outcome(m09.q1, report=capstone.audit())
    assert (
        status == "incorrect" and "01 q6 finds nothing to check: There is no predict.py" in message
    )
    # Most checks find nothing: the learner likely started late, and is told how to catch up.
    assert "ensure_project(workspace_dir())" in message


def test_q1_takes_the_workspace_named_by_a_relative_path(workspace, monkeypatch):
    """A report of `audit("../workspace")` is of the learner's workspace (it was refused)."""
    monkeypatch.chdir(workspace.parent)
    status, message = outcome(m09.q1, report=report_of(Path(workspace.name)))
    assert status == "correct", message


# ---- Question 2 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A reference workspace and a portfolio written from it without measuring (no model)."""
    folder = tmp_path_factory.mktemp("m09") / "workspace"
    folder.mkdir()
    with using_workspace(folder):
        ensure_project(folder, modules=("01", "02", "03", "04", "05", "07"))
        report = report_of(folder)
        portfolio = capstone.build_portfolio(report=report, run_tests=False, measure=False)
    assert portfolio.written, str(portfolio)
    portfolio.tests = PytestRun(0, "3 passed", 3)  # the real run is tests/test_capstone.py's
    return folder, portfolio


@pytest.fixture
def portfolio(built, monkeypatch, tmp_path):
    """A fresh copy of the built portfolio, with two figures as if measured, for a test to
    break."""
    folder, original = built
    monkeypatch.setenv("LAUNCHPAD_WORKSPACE", str(folder))
    copy = tmp_path / "portfolio"
    shutil.copytree(original.folder, copy)
    figures = [
        *original.figures,
        Figure("p50 latency of POST /predict", "12.3 ms", "measured", "2025-01-01"),
        Figure("tests of this repository", "3 passed", "measured", "2025-01-01"),
    ]
    ticks = capstone.checklist(None, folder)
    (copy / "README.md").write_text(render_readme(figures, ticks))
    return dataclasses.replace(original, folder=copy, figures=figures)


def test_q2_passes_a_built_portfolio(portfolio):
    status, message = outcome(m09.q2, portfolio=portfolio)
    assert status == "correct" and "stands on its own" in message, message


def test_q2_lists_what_is_missing(workspace):
    status, message = outcome(m09.q2, portfolio=capstone.build_portfolio())
    assert status == "incorrect" and "16 piece(s) are missing" in message
    assert "predict.py: the prediction script (module 01" in message and "again" in message


@pytest.mark.parametrize(
    "breaks, says",
    [
        (lambda p: dataclasses.replace(p, tests=None), "were not run"),
        (
            lambda p: dataclasses.replace(p, tests=PytestRun(1, "1 failed, 2 passed", 2)),
            "1 failed, 2 passed",
        ),
        (
            lambda p: (p.folder / "deploy" / "k8s.yaml").write_text("a: 1\na: 2\n") and p,
            "appears twice",
        ),
        (lambda p: (p.folder / "Dockerfile").unlink() or p, "has no Dockerfile"),
        (
            lambda p: dataclasses.replace(
                p, figures=[f for f in p.figures if not f.name.startswith("course checks")]
            ),
            "pass the report",
        ),
        (
            lambda p: (
                (p.folder / "README.md").write_text(
                    (p.folder / "README.md").read_text().replace("12.3 ms", "9.9 ms")
                )
                and p
            ),
            "no longer shows the figure 'p50 latency",
        ),
        (
            lambda p: dataclasses.replace(p, report=report_of(p.report.workspace, modules=("07",))),
            "covers module(s) 07 only",
        ),
        (
            lambda p: dataclasses.replace(
                p, figures=[f for f in p.figures if "latency" not in f.name]
            ),
            "built with measure=False",
        ),
        (
            lambda p: dataclasses.replace(
                p,
                figures=[f for f in p.figures if "latency" not in f.name],
                unmeasured=[
                    "the latency of POST /predict: RuntimeError: POST /predict answered 500"
                ],
            ),
            "could not be measured (the latency of POST /predict: RuntimeError",
        ),
        (
            lambda p: (
                (p.folder / "api" / "model.py").write_text(
                    "from launchpad.model import resolve\n\n\ndef load_model():\n"
                    "    return resolve()\n"
                )
                and p
            ),
            "api/model.py:1 uses the course's package",
        ),
    ],
    ids=[
        "no-tests",
        "failing-tests",
        "bad-yaml",
        "no-dockerfile",
        "no-report",
        "edited-figure",
        "report-of-one-module",
        "not-measured",
        "latency-failed",
        "needs-the-course",
    ],
)
def test_q2_names_the_problem(portfolio, breaks, says):
    status, message = outcome(m09.q2, portfolio=breaks(portfolio))
    assert status == "incorrect" and says in message, message


# ---- Question 3 ------------------------------------------------------------------------------

PITCH = (
    "I took a pretrained sentiment model to production: a FastAPI service, a non-root Docker "
    "image, a GitHub Actions pipeline, Cloud Run and Kubernetes descriptors and Prometheus "
    "alerts. It answers in 12.3 ms (p50) and passes all 3 of its tests on int8 and k8s."
)


def test_q3_passes_a_pitch_of_measured_figures_and_writes_it(portfolio):
    status, message = outcome(m09.q3, pitch=PITCH, portfolio=portfolio)
    assert status == "correct" and "2 figure(s), all measured" in message, message
    assert PITCH in (portfolio.folder / "README.md").read_text()


@pytest.mark.parametrize(
    "pitch, says",
    [
        (PITCH.replace("12.3 ms", "8 ms"), "Where does 8 come from?"),
        (PITCH + " 99.9% uptime.", "Where does 99.9 come from?"),
        (PITCH.replace("12.3 ms (p50)", "milliseconds").replace("all 3 of", "all"), "no figure"),
        ("A FastAPI service in Docker: 12.3 ms.", "has 7 words"),
        (PITCH + " More words." * 20, "Keep it under 80"),
        (
            "I wrote some Python that answers quickly and well, with numbers I measured myself "
            "on a real machine: 12.3 ms for the typical request, on a laptop.",
            "names none of the steps",
        ),
        (42, "should be text"),
    ],
    ids=["invented", "uptime", "no-figure", "short", "long", "no-stages", "number"],
)
def test_q3_names_the_problem(portfolio, pitch, says):
    status, message = outcome(m09.q3, pitch=pitch, portfolio=portfolio)
    assert status == "incorrect" and says in message, message
    assert "<!-- pitch -->" not in (portfolio.folder / "README.md").read_text()


def test_q3_accepts_an_honest_rounding_and_names_a_dishonest_one(portfolio):
    """Issue 18: "about 12 ms" for 12.3 ms was asked where it came from."""
    rounded = PITCH.replace("12.3 ms", "about 12 ms")
    status, message = outcome(m09.q3, pitch=rounded, portfolio=portfolio)
    assert status == "correct" and "cannot verify" in message, message
    status, message = outcome(m09.q3, pitch=PITCH.replace("12.3 ms", "13 ms"), portfolio=portfolio)
    assert status == "incorrect" and "Where does 13 come from?" in message
    assert "p50 latency of POST /predict, 12.3 ms, which rounds to 12, not 13" in message


@pytest.mark.parametrize(
    "quoted, value, honest",
    [
        ("39", "39.3", True),
        ("40", "39.3", True),  # to the ten
        ("39.30", "39.3", True),
        ("1000", "1012", True),
        ("38", "39.3", False),
        ("77", "77.7", False),  # a truncation
        ("100", "86.1", False),  # not even the first digit kept
        ("8", "12.3", False),
        ("3.11", "3.11.7", False),  # a version is its own text
        ("3.11.7", "3.11.7", True),
    ],
)
def test_rounds_to(quoted, value, honest):
    assert rounds_to(quoted, value) is honest


def test_q3_needs_the_portfolio_first(workspace):
    status, message = outcome(m09.q3, pitch=PITCH, portfolio=capstone.build_portfolio())
    assert status == "incorrect" and "Build the portfolio first" in message


def test_numbers_in_ignores_names_and_versions():
    assert numbers_in("p50 of 12.3 ms, int8, k8s, 1,012 texts, Python 3.11.7 and 86.1%") == [
        "12.3",
        "1012",
        "3.11.7",
        "86.1",
    ]
    assert workspace_dir()  # the module imports cleanly outside a kernel
