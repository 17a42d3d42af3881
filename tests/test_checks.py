"""The check framework: feedback, placeholders, guarded calls, progress, self-tests."""

from __future__ import annotations

import json

import pytest

from launchpad.checks import ____, expect, question
from launchpad.checks.feedback import Feedback
from launchpad.progress import store


@question(names=["double"], hints=["first", "second"])
def q_double(answers):
    double = answers.function("double")
    expect(double(2) == 4, f"double(2) should be 4, got {double(2)!r}.")
    return "Well doubled."


q_double.module, q_double.number = "99", 1  # what bind_questions does for a real module


def status(namespace) -> Feedback:
    return q_double.evaluate(namespace)


def test_correct_answer_passes_with_praise():
    result = status({"double": lambda x: 2 * x})
    assert (result.status, result.message) == ("correct", "Well doubled.")


@pytest.mark.parametrize("namespace", [{}, {"double": ____}], ids=["missing", "placeholder"])
def test_placeholder_or_missing_name_is_not_attempted(namespace):
    result = status(namespace)
    assert result.status == "not_attempted"
    assert "double = ____" in result.message


def test_not_implemented_function_is_not_attempted():
    def double(x):
        raise NotImplementedError("Replace this line with your code.")

    assert status({"double": double}).status == "not_attempted"


def test_wrong_answer_gets_the_specific_message():
    result = status({"double": lambda x: x + 2 if x != 2 else 5})
    assert result.status == "incorrect"
    assert result.message == "double(2) should be 4, got 5."


def test_learner_exception_becomes_feedback_not_traceback():
    def double(x):
        return x * undefined_name  # noqa: F821

    result = status({"double": double})
    assert result.status == "incorrect"
    assert "NameError" in result.message and "x * undefined_name" in result.message


def test_non_function_is_named():
    result = status({"double": 4})
    assert result.message == "`double` should be a function, but it is a int."


def test_feedback_renders_as_text_and_html():
    feedback = Feedback("incorrect", "Question 1", "Use <b> & friends.")
    assert str(feedback) == "Question 1 · Not yet: Use <b> & friends."
    html = feedback._repr_html_()
    assert "launchpad-incorrect" in html and "Use &lt;b&gt; &amp; friends." in html


def test_check_prints_text_outside_jupyter_and_records_progress(workspace, capsys):
    from launchpad.checks import bind

    bind({"double": lambda x: 2 * x})
    try:
        q_double.check()
    finally:
        bind(None)
    assert capsys.readouterr().out.strip() == "Question 1 · Correct: Well doubled."
    assert "q1" in json.loads(store.progress_file().read_text())["99"]


def test_failed_check_records_nothing(workspace):
    from launchpad.checks import bind

    bind({"double": lambda x: x})
    try:
        q_double.check()
    finally:
        bind(None)
    assert store.load() == {}


def test_hints_are_numbered_and_clamped(capsys):
    q_double.hint()
    q_double.hint(5)
    first, second = capsys.readouterr().out.strip().split("\n")
    assert first == "Question 1 · Hint: first (hint 1 of 2; try .hint(2))"
    assert second == "Question 1 · Hint: second"


def test_solution_shows_the_solution_notebooks_code(capsys):
    from launchpad.questions import m00

    m00.q1.solution()
    assert "report = probe()" in capsys.readouterr().out


def test_reading_an_undeclared_name_is_the_courses_bug():
    """A check may read only the names it declares: the capstone trusts the declaration."""

    @question(names=["double"])
    def q_sneaky(answers):
        answers.value("triple")

    result = q_sneaky.evaluate({"triple": 3})
    assert result.status == "incorrect"
    assert "does not declare it" in result.message and "bug in the course" in result.message


def test_expect_fail_raises_when_the_check_passes():
    from launchpad.checks import bind

    bind({})
    try:
        with pytest.raises(AssertionError, match="expected a failure"):
            q_double.expect_fail("anything", double=lambda x: 2 * x)
        q_double.expect_fail("should be 4", double=lambda x: x)
    finally:
        bind(None)


def test_every_question_has_a_hint_and_a_solution():
    from launchpad.questions import MODULES

    for module, (_, questions) in MODULES.items():
        for q in questions:
            assert q.hints, f"module {module} q{q.number} has no hint"
            assert not q.solution_code.startswith("(No tagged solution"), f"{module} q{q.number}"


def test_a_bug_in_a_check_is_reported_not_raised():
    @question()
    def q_buggy(answers):
        return [][0]

    result = q_buggy.evaluate({})
    assert result.status == "incorrect"
    assert result.message.startswith("The check itself failed (IndexError")


@pytest.mark.parametrize("folder", ["launchpad", "site-packages"])
def test_the_learners_frame_is_found_in_a_clone_with_any_folder_name(tmp_path, folder):
    """The learner's own line is named even when their clone sits in a folder whose name a
    library path also has (it used to be hidden by a substring test)."""
    main = tmp_path / folder / "workspace" / "api" / "main.py"
    main.parent.mkdir(parents=True)
    main.write_text("def handler():\n    return {}['label']\n")
    scope: dict = {}
    exec(compile(main.read_text(), str(main), "exec"), scope)
    result = status({"double": lambda x: scope["handler"]()})
    assert result.status == "incorrect"
    assert "line 2: `return {}['label']`" in result.message


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """A real IPython shell (no history file, its own profile folder); afterwards the
    exception it showed (`sys.last_*`) is forgotten, so no other test sees it."""
    import sys

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    config = Config()
    config.HistoryManager.enabled = False
    names = ("last_type", "last_value", "last_traceback")
    before = {name: getattr(sys, name) for name in names if hasattr(sys, name)}
    yield InteractiveShell.instance(config=config)
    InteractiveShell.clear_instance()
    for name in names:
        if name in before:
            setattr(sys, name, before[name])
        elif hasattr(sys, name):
            delattr(sys, name)


def test_a_cell_that_raised_before_setting_the_name_is_named(shell):
    """The learner did answer: their cell raised, so the name is unset. Say so, and what."""
    shell.run_cell("scale = 2\ndouble = {'times': scale}['twice']\n")
    result = status({"double": ____})
    assert result.status == "incorrect"
    assert result.message.startswith("The cell that sets `double` raised KeyError: 'twice'")
    assert "(line 2: `double = {'times': scale}['twice']`)" in result.message


def test_a_syntax_error_in_the_cell_that_sets_the_name_is_named(shell):
    shell.run_cell("def double(x):\n    return 2 *\n")
    result = status({})
    assert result.status == "incorrect"
    assert result.message.startswith(
        "The cell that sets `double` has a SyntaxError: invalid syntax (line 2: `return 2 *`)"
    )


@pytest.mark.parametrize(
    "cell",
    ["ratio = 1 / 0", "def halve(x):\n    double = x / 0\n    return double\nhalve(1)"],
    ids=["another-cell", "a-local-of-the-same-name"],
)
def test_an_error_in_a_cell_that_does_not_set_the_name_is_not_blamed(shell, cell):
    shell.run_cell(cell)
    assert status({"double": ____}).status == "not_attempted"


def test_a_strange_last_error_never_breaks_a_check(shell, monkeypatch):
    import sys

    shell.run_cell("double = 1 / 0")
    monkeypatch.setattr(sys, "last_traceback", "not a traceback")
    assert status({}).status == "not_attempted"
    monkeypatch.setattr(sys, "last_value", "not an exception")
    assert status({}).status == "not_attempted"
