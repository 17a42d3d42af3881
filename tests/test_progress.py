from __future__ import annotations

import ipywidgets

from launchpad import progress


def test_progress_is_recorded_once_per_question(workspace):
    progress.record("01", "q1")
    first = progress.load()["01"]["q1"]
    progress.record("01", "q1")
    progress.record("01", "q2")
    assert progress.load()["01"] == {"q1": first, "q2": progress.load()["01"]["q2"]}
    assert progress.progress_file().is_relative_to(workspace)


def test_corrupt_progress_file_is_set_aside_not_fatal(workspace):
    path = progress.progress_file()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert progress.load() == {}
    assert path.with_suffix(".corrupt.json").read_text() == "{not json"
    progress.record("00", "q1")
    assert list(progress.load()) == ["00"]


def test_summary_and_dashboard_count_passed_checks(workspace):
    progress.record("01", "q2")
    progress.record("01", "q9")  # not a question of module 01 (any more): not counted
    rows = {module: (passed, total) for module, _, passed, total in progress.summary()}
    assert rows["00"] == (0, 2)
    assert rows["01"] == (1, 6)
    panel = progress.dashboard()
    assert isinstance(panel, ipywidgets.VBox) and len(panel.children) == len(rows)
