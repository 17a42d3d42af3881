"""exercises/ is generated from solutions/: prove it is in sync, and that the generator is right."""

from __future__ import annotations

import nbformat
import pytest

from launchpad.authoring.generate import (
    GenerationError,
    clear_solutions,
    exercise_from_solution,
    generate_all,
    render,
)
from launchpad.authoring.solutions import SolutionTagError


def test_exercises_match_their_solutions(repo, tmp_path):
    written = generate_all(repo / "solutions", tmp_path)
    committed = sorted(p.name for p in (repo / "exercises").glob("*.ipynb"))
    assert [p.name for p in written] == committed, "run `make exercises` and commit exercises/"
    for path in written:
        stale = (repo / "exercises" / path.name).read_text() != path.read_text()
        assert not stale, f"exercises/{path.name} is out of date: run `make exercises`"


def test_every_module_has_lesson_exercise_and_solution(repo):
    names = lambda folder: {p.name for p in (repo / folder).glob("[0-9][0-9]-*.ipynb")}  # noqa: E731
    assert names("notebooks") == names("solutions") == names("exercises")


def test_an_edited_solution_changes_the_exercise(repo):
    path = sorted((repo / "solutions").glob("*.ipynb"))[-1]
    solution = nbformat.read(path, as_version=4)
    before = render(exercise_from_solution(solution))
    solution.cells[0].source += "\nAn extra sentence."
    assert render(exercise_from_solution(solution)) != before


def test_assignments_become_placeholders():
    source = (
        "x = 1\n### BEGIN SOLUTION q1\nanswer = compute(x)\nother = 2\n"
        "### END SOLUTION\nprint(answer)"
    )
    assert clear_solutions(source) == (
        "x = 1\nanswer = ____  # your code here\nother = ____  # your code here\nprint(answer)"
    )


def test_function_bodies_raise_not_implemented():
    source = (
        "def f(x):\n    ### BEGIN SOLUTION q1\n    y = x + 1\n    return y\n    ### END SOLUTION\n"
    )
    cleared = clear_solutions(source)
    assert "return y" not in cleared
    assert '    raise NotImplementedError("Replace this line with your code.")' in cleared
    namespace: dict = {}
    exec(cleared, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


def test_top_level_code_is_only_commented_out():
    cleared = clear_solutions(
        "### BEGIN SOLUTION q1\nfor i in range(3):\n    print(i)\n### END SOLUTION"
    )
    assert cleared == "# YOUR CODE HERE"


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION q1\nx = 1\n", "without ### END"),
        ("x = 1\n### END SOLUTION\n", "without ### BEGIN"),
        ("### BEGIN SOLUTION q1\n### BEGIN SOLUTION q1\n### END SOLUTION\n", "nested"),
    ],
)
def test_unbalanced_markers_are_reported_with_their_place(source, message):
    with pytest.raises(GenerationError, match=message):
        clear_solutions(source, where="demo.ipynb cell 3")


def test_solution_only_cells_and_outputs_are_dropped():
    solution = nbformat.v4.new_notebook()
    kept = nbformat.v4.new_code_cell("q1.check()", execution_count=3)
    kept.outputs = [nbformat.v4.new_output("stream", text="Correct")]
    dropped = nbformat.v4.new_code_cell("q1.expect_fail('x')")
    dropped.metadata["tags"] = ["solution-only"]
    solution.cells = [kept, dropped]
    exercise = exercise_from_solution(solution)
    assert [c.source for c in exercise.cells] == ["q1.check()"]
    assert exercise.cells[0].outputs == [] and exercise.cells[0].execution_count is None


def test_lessons_and_solutions_are_stored_executed(repo):
    """nbval compares stored outputs: an unexecuted notebook would pass while checking nothing,
    and the site would show it without outputs. `make notebooks` executes them."""
    for path in sorted(
        [*(repo / "notebooks").glob("*.ipynb"), *(repo / "solutions").glob("*.ipynb")]
    ):
        code = [
            c
            for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code" and c.source.strip()
        ]
        unexecuted = [i for i, c in enumerate(code) if c.execution_count is None]
        assert not unexecuted, f"{path.name}: code cells {unexecuted} were never executed"


@pytest.mark.parametrize("marker", ["### BEGIN SOLUTION", "### BEGIN SOLUTION question 2"])
def test_a_block_must_name_the_questions_it_answers(marker):
    """`qN.solution()` shows the blocks tagged qN: an untagged block would answer nothing."""
    with pytest.raises(SolutionTagError, match="e.g. `### BEGIN SOLUTION q2`"):
        clear_solutions(f"{marker}\nx = 1\n### END SOLUTION\n", where="demo.ipynb cell 3")


def test_only_a_function_body_stub_raises():
    """A stub raises NotImplementedError only where a call runs it (a function body). In a class
    body it would run at import and stop the whole file; at the top level, the whole cell."""
    source = (
        "class Request:\n"
        "    ### BEGIN SOLUTION q1\n"
        "    text: str = 'Hello'\n"
        "    ### END SOLUTION\n"
        "\n"
        "    def shout(self):\n"
        "        ### BEGIN SOLUTION q1\n"
        "        return self.text.upper()\n"
        "        ### END SOLUTION\n"
        "\n"
        "    ### BEGIN SOLUTION q2\n"
        "    def whisper(self):\n"
        "        return self.text.lower()\n"
        "    ### END SOLUTION\n"
        "\n"
        "\n"
        "for word in ('a', 'b'):\n"
        "    ### BEGIN SOLUTION q3\n"
        "    print(word)\n"
        "    ### END SOLUTION\n"
    )
    cleared = clear_solutions(source)
    assert "    text: str  # your code here" in cleared.split("\n")
    namespace: dict = {}
    exec(cleared, namespace)
    request = namespace["Request"]
    assert list(request.__annotations__) == ["text"]  # the field is still declared
    assert not hasattr(request, "whisper")
    with pytest.raises(NotImplementedError):
        request().shout()


def test_exercise_02s_unfinished_schemas_import_and_say_not_attempted(repo):
    """api/schemas.py of the untouched exercise 02 must import, or api/main.py (questions 2 to
    6) cannot be checked before question 1 is done; its validator's stub is what question 1
    reports as "not attempted"."""
    solution = nbformat.read(repo / "solutions" / "02-wrap-it-in-an-api.ipynb", as_version=4)
    [cell] = [
        c
        for c in exercise_from_solution(solution).cells
        if c.source.startswith("%%writefile {WORKSPACE}/api/schemas.py")
    ]
    namespace: dict = {}
    exec(cell.source.split("\n", 1)[1], namespace)
    with pytest.raises(NotImplementedError):
        namespace["PredictRequest"](text="Loved it.")
