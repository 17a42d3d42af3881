"""The workshop agendas add up, as a facilitator reads them.

course.yml gives each agenda's rows and durations; the site writes the tables, computing start
times and totals (launchpad.course). These tests read the pages as the site builds them and
check what a room relies on: each day runs without gaps, the totals are the rows' sums, a module
gets its own minutes, every module is taught or given as homework.
"""

from __future__ import annotations

import re

import pytest

from launchpad.course import load
from launchpad.course.markdown import expand
from launchpad.paths import REPO_ROOT

WORKSHOP = REPO_ROOT / "docs" / "workshop"
NONE = "—"
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def page(name: str) -> str:
    """docs/workshop/NAME.md as the site shows it."""
    return expand((WORKSHOP / f"{name}.md").read_text(), f"workshop/{name}.md", load())


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """(header, body rows) of every Markdown table, in order, with links reduced to their text."""
    found, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([LINK.sub(r"\1", c).strip() for c in line.strip().strip("|").split("|")])
        elif block:
            found.append((block[0], block[2:]))
            block = []
    return found


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def days(name: str) -> list[tuple[list[list[str]], dict[str, int]]]:
    """Each day's rows and the totals table that follows them."""
    found = tables(page(name))
    return [
        (rows, {label: int(value) for label, value in found[i + 1][1]})
        for i, (header, rows) in enumerate(found)
        if header == ["start", "session", "module", "minutes"]
    ]


def taught(name: str) -> dict[str, list[tuple[str, int]]]:
    """{module: [(session, minutes), ...]} over all the agenda's days."""
    sessions: dict[str, list[tuple[str, int]]] = {}
    for rows, _ in days(name):
        for _, session, module, mins in rows:
            if module != NONE:
                sessions.setdefault(module, []).append((session, int(mins)))
    return sessions


@pytest.mark.parametrize("name", sorted(load().agendas))
def test_each_day_runs_without_gaps_and_its_totals_are_its_rows(name):
    assert days(name), f"{name}.md shows no agenda: `<!-- course: agenda {name} 1 -->`"
    for rows, totals in days(name):
        for (start, session, _, mins), (after, *_) in zip(rows, rows[1:], strict=False):
            assert minutes(start) + int(mins) == minutes(after), f"{session} ends before {after}"
        assert rows[-1][3] == NONE, "the day closes with a row without minutes"
        kinds = {"modules": [], "breaks": [], "other": []}
        for _, session, module, mins in rows[:-1]:
            kind = (
                "modules"
                if module != NONE
                else "breaks"
                if session in ("Break", "Lunch")
                else "other"
            )
            kinds[kind].append(int(mins))
        sums = by_kind(totals)
        counted = {k: sum(v) for k, v in kinds.items()}
        assert counted == {k: sums[k] for k in kinds}, f"{name}: rows {counted}, totals {totals}"
        assert totals[f"in all, {rows[0][0]}–{rows[-1][0]}"] == sum(map(sum, kinds.values()))


@pytest.mark.parametrize("name", sorted(load().agendas))
def test_a_module_gets_its_own_minutes_split_only_into_lesson_then_exercise(name):
    for number, sessions in taught(name).items():
        module = load().module(number)
        assert sum(mins for _, mins in sessions) == module.minutes.total, (number, sessions)
        if len(sessions) > 1:
            assert [s for s, _ in sessions] == [
                f"{module.title}, part 1: the lesson",
                f"{module.title}, part 2: the exercise",
            ]


def by_kind(totals: dict[str, int]) -> dict[str, int]:
    """A totals table keyed by its first word: modules, breaks, other, in."""
    return {label.split()[0]: value for label, value in totals.items()}


def test_two_days_teach_every_module_in_course_order_and_both_days_add_up():
    assert list(taught("two-day")) == [m.number for m in load().modules]
    header, both = tables(page("two-day"))[-1]
    assert header == ["totals", "minutes"] and both[-1][0] == "in all, both days"
    per_day = [by_kind(totals) for _, totals in days("two-day")]
    assert by_kind({label: int(v) for label, v in both}) == {
        kind: sum(day[kind] for day in per_day) for kind in per_day[0]
    }


def test_one_day_gives_every_module_it_does_not_teach_as_homework():
    homework = [rows for header, rows in tables(page("one-day")) if header[1:2] == ["homework"]]
    assert homework, "one-day.md shows no homework: `<!-- course: homework one-day -->`"
    *modules, (_, label, total) = homework[0]
    not_taught = [m for m in load().modules if m.number not in taught("one-day")]
    assert modules == [[m.number, m.title, str(m.minutes.total)] for m in not_taught]
    assert label == "in all" and int(total) == sum(m.minutes.total for m in not_taught)


def test_instructor_notes_cover_every_module():
    notes = (WORKSHOP / "instructor-notes.md").read_text()
    sections = dict(
        re.findall(
            r"^<!-- course: heading (\d\d) -->\n(.*?)(?=^<!-- course: heading |\Z)",
            notes,
            re.M | re.S,
        )
    )
    for module in load().modules:
        section = sections.get(module.number)
        assert section, f"instructor-notes.md has no `<!-- course: heading {module.number} -->`"
        for item in ("**Demo:**", "**Common mistakes:**", "**Where the room gets stuck:**"):
            assert item in section, f"instructor-notes.md, module {module.number}: no {item}"
        assert "**Checkpoint:**" in section, f"module {module.number} has no checkpoint"
        assert f"<!-- course: link {module.number} -->" in section, "link the module's page"
