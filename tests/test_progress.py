from __future__ import annotations

import ipywidgets

from launchpad.progress import store, views


def test_progress_is_recorded_once_per_question(workspace):
    store.record("01", "q1")
    first = store.load()["01"]["q1"]
    store.record("01", "q1")
    store.record("01", "q2")
    assert store.load()["01"] == {"q1": first, "q2": store.load()["01"]["q2"]}
    assert store.progress_file().is_relative_to(workspace)


def test_corrupt_progress_file_is_set_aside_not_fatal(workspace):
    path = store.progress_file()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert store.load() == {}
    assert path.with_suffix(".corrupt.json").read_text() == "{not json"
    store.record("00", "q1")
    assert list(store.load()) == ["00"]


def test_summary_and_dashboard_count_passed_checks(workspace):
    store.record("01", "q2")
    store.record("01", "q9")  # not a question of module 01 (any more): not counted
    rows = {module: (passed, total) for module, _, passed, total in views.summary()}
    assert rows["00"] == (0, 2)
    assert rows["01"] == (1, 6)
    panel = views.dashboard()
    assert isinstance(panel, ipywidgets.VBox)
    assert len(panel.children) == len(rows) + 2, "a header, a row per module, a Refresh button"


def test_modules_say_which_questions_passed_in_every_module(workspace):
    from launchpad.questions import MODULES

    store.record("00", "q1")
    store.record("00", "q2")
    store.record("02", "q3")
    rows = {m.module: m for m in views.modules()}
    assert list(rows) == list(MODULES), "every module with checks, in course order"
    assert rows["00"].complete and rows["00"].bar() == "█" * 10
    assert list(rows["02"].passed) == ["q3"] and rows["02"].bar() == "██░░░░░░░░"
    assert rows["02"].marks().split()[:3] == ["q1○", "q2○", "q3✓"]
    assert not any(m.passed for k, m in rows.items() if k not in ("00", "02"))


def test_report_and_one_line_show_where_a_learner_is(workspace):
    store.record("00", "q1")
    store.record("00", "q2")
    store.record("01", "q4")
    done, total = 3, sum(t for *_, t in views.summary())
    lines = views.report().splitlines()
    assert lines[0].startswith(f"Progress: {done} of {total} checks passed; 1 of ")
    assert len(lines) == len(views.summary()) + 2
    assert "2/2  q1✓ q2✓" in lines[1] and "1/6" in lines[2] and "q4✓ q5○" in lines[2]
    assert views.one_line().startswith(f"{done}/{total} checks: 00 ✓ · 01 1/6 · 02 0/")


def test_dashboard_refreshes_and_falls_back_to_the_text_report(workspace):
    panel = views.dashboard()
    header, *rows, button = panel.children
    assert isinstance(button, ipywidgets.Button) and "0 of" in header.value
    assert panel._repr_mimebundle_()["text/plain"] == views.report()
    store.record("01", "q1")  # a check passed in another notebook
    assert "0 of" in panel.children[0].value, "only Refresh re-reads the file"
    button.click()
    header, first, second, *_ = panel.children
    assert header.value.startswith("<b>1 of")
    bar = second.children[1]
    assert (bar.value, bar.max) == (1, 6) and "q1&nbsp;✓" in second.children[3].value
    assert first.children[1].bar_style == "info" and "q1&nbsp;○" in first.children[3].value


def test_titles_and_order_come_from_the_course_manifest(workspace, monkeypatch):
    import launchpad.course

    course = launchpad.course.load()
    renamed = course.model_copy(
        update={"modules": [course.modules[0].model_copy(update={"title": "Hello"})]}
    )
    monkeypatch.setattr(launchpad.course, "load", lambda: renamed)
    assert [(m.module, m.title) for m in views.modules()] == [("00", "Hello")]
    assert views.report().splitlines()[1].startswith("00 Hello  ")
