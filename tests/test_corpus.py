"""The answer corpus (tests/corpus/mNN/qK.yml): every question's right and wrong answers, run
the way a learner runs them (launchpad.authoring.corpus), must get the verdicts the corpus
expects. A case marked `known_wrong` is a wrong verdict the course gives today: its test fails
once a fix makes it right, so the mark is removed with the fix (like a strict xfail).

Modules run in worker processes beside the rest of the suite (tests/support/corpus_session.py),
one kernel and one scratch clone each, so they cannot interfere; the session ends by printing
the corpus size, the verdict accuracy and the longest stretch a check showed nothing, per module.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from support import corpus_session
from support.corpus_session import CorpusSession

from launchpad.authoring.corpus.cases import (
    RIGHT,
    WRONG,
    CorpusError,
    corpus_modules,
    load_module,
    load_question,
)
from launchpad.authoring.corpus.clone import kernel_env
from launchpad.authoring.corpus.kernel import KernelSession
from launchpad.authoring.corpus.plan import read_plan, with_blocks
from launchpad.authoring.corpus.results import CRASHED, TIMEOUT
from launchpad.authoring.corpus.runner import default_corpus, run_module
from launchpad.authoring.execute import QUIET_ENV
from launchpad.paths import REPO_ROOT

CORPUS = default_corpus()
MODULES = corpus_modules(CORPUS)
MINIMUM = 3  # right and wrong answers per question (issue 18)
SILENCE = 10.0  # seconds a check may show nothing: a learner cannot tell a slow check from a hang


@pytest.fixture(scope="session")
def corpus_runs(request) -> CorpusSession:
    """The corpus of the selected modules, started when collection ended (conftest.py), beside
    the other tests; the summary prints its size, accuracy and longest silence per module."""
    return corpus_session.running(request.config)


@pytest.mark.parametrize("module", MODULES)
def test_corpus_verdicts(module, corpus_runs):
    result = corpus_runs.result(module)
    assert result.results, f"module {module} ran no case"
    unexpected = result.unexpected
    assert not unexpected, "\n".join(r.describe() for r in unexpected)


@pytest.mark.parametrize("module", MODULES)
def test_no_check_is_silent_for_long(module, corpus_runs):
    """A check that takes long prints what it is doing as it goes (launchpad.checks.progress)."""
    silent = [r for r in corpus_runs.result(module).results if r.silence > SILENCE]
    assert not silent, "\n".join(f"{r.case.name}: silent for {r.silence:.0f} s" for r in silent)


@pytest.mark.parametrize("module", MODULES)
def test_every_question_has_enough_answers_of_each_kind(module):
    questions = REPO_ROOT / "src" / "launchpad" / "questions" / f"m{module}"
    for number, cases in load_module(CORPUS, module).items():
        assert list(questions.glob(f"q{number}_*.py")), f"m{module}/q{number}.yml: no question"
        for verdict in (RIGHT, WRONG):
            count = sum(c.verdict == verdict for c in cases)
            assert count >= MINIMUM, f"m{module}/q{number}: {count} {verdict} answers"


def test_a_case_that_crashes_or_hangs_is_reported_and_the_next_ones_still_run(tmp_path):
    """The kernel is replaced and the state rebuilt; each case starts from the same names."""
    folder = tmp_path / "m00"
    folder.mkdir()
    (folder / "q2.yml").write_text(
        textwrap.dedent(
            """\
            cases:
              - {id: crashes, verdict: right, code: "import os; os._exit(1)"}
              - {id: hangs, verdict: right, timeout: 3, code: "import time; time.sleep(60)"}
              - id: right-after-both
                verdict: right
                code: |
                  ideas = ["batch", "drift", "model", "model registry", "tokenizer"]
                  concept_map = dict(zip(ideas, "ABCDE"))
              - id: sees-no-leftover
                verdict: wrong
                feedback: "ignored: the verdict is read below"
                code: "concept_map = dict(zip(ideas, 'ABCDE'))"
            """
        )
    )
    result = run_module("00", corpus=tmp_path)
    statuses = [(r.case.id, r.status) for r in result.results]
    assert statuses == [
        ("crashes", CRASHED),
        ("hangs", TIMEOUT),
        ("right-after-both", "correct"),
        # The last case's names were taken back: its cell raises, and the check says so.
        ("sees-no-leftover", "incorrect"),
    ]
    assert "NameError" in result.results[-1].cell_error
    assert "NameError: name 'ideas' is not defined" in result.results[-1].message


def test_the_longest_silent_stretch_of_a_cell_is_measured(tmp_path):
    session = KernelSession(tmp_path, kernel_env(REPO_ROOT, QUIET_ENV), tmp_path)
    session.start()
    try:
        run = session.execute(
            "import time\nprint('start', flush=True)\ntime.sleep(1.5)\nprint('end')", 30
        )
    finally:
        session.stop()
    assert run.output == "start\nend\n"
    assert 1.4 < run.longest_silence < 3


def test_a_block_case_keeps_earlier_answers_and_the_stubs_of_later_ones():
    plan = read_plan(REPO_ROOT, "02")
    [main] = plan.answer_cells(3)
    source = with_blocks(main, 3, ["return {'label': 'POSITIVE', 'score': 1.0}"])
    assert 'state["model"] = load_model()' in source  # question 2, solved
    assert "\n    return {'label': 'POSITIVE', 'score': 1.0}\n" in source  # the case, indented
    handler = source.split("async def validation_error", 1)[1]
    assert "raise NotImplementedError" in handler  # question 4, still its stub
    assert "### BEGIN" not in source


def test_a_block_shared_by_questions_counts_as_written_for_the_first():
    """Module 04's workflow: the triggers block answers q2 and q5; a q3 case must see it
    written (it was, for q2), not as its stub."""
    plan = read_plan(REPO_ROOT, "04")
    [workflow] = plan.answer_cells(3)
    source = with_blocks(workflow, 3, [None, None])
    assert "pull_request:" in source and "# YOUR CODE HERE" in source  # q4's image job is a stub


def test_answer_cells_are_found_from_the_solution_markers():
    plan = read_plan(REPO_ROOT, "02")
    [main] = plan.answer_cells(2)
    assert main.questions == (2, 3, 4, 5)
    assert plan.answer_cells(5) == [main]
    exercise = nbformat.read(next((REPO_ROOT / "exercises").glob("02-*.ipynb")), as_version=4)
    assert exercise.cells[main.index].source == main.source


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("cases:\n  - {id: a, verdict: wrong, code: x = 1}\n", "names the phrase"),
        ("cases:\n  - {id: a, verdict: right, code: x = 1, colour: red}\n", "unknown keys"),
        ("cases:\n  - {id: a, verdict: right}\n", "as `code`, `block` or `files`"),
        (
            "cases:\n  - {id: a, verdict: right, code: x}\n  - {id: a, verdict: right, code: y}\n",
            "unique",
        ),
        ("cases:\n  - {id: a, verdict: right, code: x, known_wrong: it is}\n", "names its issue"),
    ],
)
def test_malformed_case_files_are_refused_with_a_reason(tmp_path, text, error):
    path = tmp_path / "m00" / "q1.yml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(CorpusError, match=error):
        load_question(path)


def test_the_corpus_sits_beside_the_questions():
    for folder in CORPUS.iterdir():
        assert folder.is_dir() and Path(REPO_ROOT, "src/launchpad/questions", folder.name).is_dir()
