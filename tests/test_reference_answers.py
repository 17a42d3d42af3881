"""Reference answers fill in what a learner has not done, and never lose what they have done."""

from __future__ import annotations

from launchpad.authoring.reference import ensure_answers, stub_files, written_files
from launchpad.authoring.solutions import solution_notebook


def test_an_untouched_stub_is_replaced_by_the_reference(workspace):
    """The exercise's Dockerfile is `# YOUR CODE HERE` until the learner writes it: a module
    that needs module 03's answers must not keep that stub as if it were finished."""
    stub = stub_files(solution_notebook("03"))["Dockerfile"]
    assert "# YOUR CODE HERE" in stub
    (workspace / "Dockerfile").write_text(stub)
    assert "Dockerfile" in ensure_answers("03", workspace)
    reference = written_files(solution_notebook("03"))["Dockerfile"]
    assert (workspace / "Dockerfile").read_text() == reference
    assert not (workspace / ".launchpad" / "backups").exists()  # a stub holds no work


def test_finished_work_is_kept_even_with_the_stub_comment_left_in(workspace):
    mine = '# YOUR CODE HERE\nFROM python:3.11-slim\nCMD ["python", "-m", "http.server"]\n'
    (workspace / "Dockerfile").write_text(mine)
    assert "Dockerfile" not in ensure_answers("03", workspace)
    assert (workspace / "Dockerfile").read_text() == mine


def test_a_half_done_file_is_backed_up_before_it_is_replaced(workspace):
    (workspace / "api").mkdir()
    mine = 'def load_model():\n    raise NotImplementedError("later")\n\nHELPER = 42\n'
    (workspace / "api" / "model.py").write_text(mine)
    assert "api/model.py" in ensure_answers("02", workspace)
    [backup] = (workspace / ".launchpad" / "backups").glob("*/api/model.py")
    assert backup.read_text() == mine
