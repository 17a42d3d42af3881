"""The workshop agendas add up, and agree with the module pages.

A module's time is written on its page (`time_minutes` in the front matter, and the Time row of
its table), in the roadmap and in the agendas. Change it in one place only and a test here says
which place disagrees with which. The module list comes from `docs/modules/`: a new module page
must find its slot in the agendas, and a slot for a module without a page yet (module 09) is
tolerated only while it is marked `(planned)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from launchpad.paths import REPO_ROOT

DOCS = REPO_ROOT / "docs"
WORKSHOP = DOCS / "workshop"
NONE = "—"
MODULE = re.compile(r"^(\d\d)( \(planned\))?$")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass
class Page:
    module: str
    minutes: int
    path: Path


def module_pages(docs: Path = DOCS) -> dict[str, Page]:
    """Every module page's front matter: {module: Page}, in course order."""
    pages = {}
    for path in sorted((docs / "modules").glob("[0-9][0-9]-*.md")):
        front = yaml.safe_load(path.read_text().split("---\n")[1])
        pages[str(front["module"])] = Page(str(front["module"]), front["time_minutes"], path)
    return pages


@dataclass
class Row:
    start: str
    session: str
    module: str | None  # "05", or None for breaks and the rest
    planned: bool
    minutes: int | None  # None on the closing row

    @property
    def kind(self) -> str:
        if self.module:
            return "modules"
        if self.minutes is None:
            return "end"
        return "breaks" if self.session.startswith(("Break", "Lunch")) else "other"


@dataclass
class Section:
    title: str
    agendas: list[list[Row]] = field(default_factory=list)
    totals: list[dict[str, int]] = field(default_factory=list)
    homework: list[tuple[str, bool, int | None]] = field(default_factory=list)
    homework_total: int | None = None


def tables(text: str):
    """(section title, header cells, body rows) for every Markdown table, in order."""
    section, block = "", []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip().strip("*").strip() for cell in line.strip("|").split("|")])
            continue
        if block:
            yield section, block[0], block[2:]
            block = []
        if line.startswith("## "):
            section = line[3:].strip()


def minutes_of(cell: str) -> int | None:
    return None if cell == NONE else int(cell)


def clock(time: str) -> int:
    hours, minutes = time.split(":")
    return int(hours) * 60 + int(minutes)


def parse(text: str) -> list[Section]:
    sections: dict[str, Section] = {}
    for title, header, body in tables(text):
        section = sections.setdefault(title, Section(title))
        if header == ["start", "session", "module", "minutes"]:
            rows = []
            for start, session, module, minutes in body:
                match = MODULE.match(module)
                assert match or module == NONE, f"{title}: module {module!r} is not NN or —"
                number, planned = (match.group(1), bool(match.group(2))) if match else (None, 0)
                text = LINK.sub(r"\1", session)  # messages name the session, not its link
                rows.append(Row(start, text, number, planned, minutes_of(minutes)))
            section.agendas.append(rows)
        elif header == ["totals", "minutes"]:
            section.totals.append({label: int(minutes) for label, minutes in body})
        elif header == ["module", "homework", "minutes"]:
            for module, _, minutes in body:
                match = MODULE.match(module)
                if match:
                    section.homework.append(
                        (match.group(1), bool(match.group(2)), minutes_of(minutes))
                    )
                else:
                    section.homework_total = int(minutes)
    return list(sections.values())


def total_problems(where: str, stated: dict[str, int], agendas: list[list[Row]]) -> list[str]:
    rows = [row for agenda in agendas for row in agenda]
    problems = []
    for label, minutes in stated.items():
        word = label.split()[0].rstrip(",:")
        if word == "in":
            counted = sum(row.minutes or 0 for row in rows)
            span = re.search(r"(\d\d:\d\d)–(\d\d:\d\d)", label)
            if span and len(agendas) == 1:
                first, last = agendas[0][0].start, agendas[0][-1].start
                if span.groups() != (first, last):
                    problems.append(
                        f"{where}: totals say {label!r}, the agenda runs {first}–{last}"
                    )
        elif word in ("modules", "breaks", "other"):
            counted = sum(row.minutes for row in rows if row.kind == word)
        else:
            problems.append(
                f"{where}: totals row {label!r}: start it with modules, breaks, other or 'in all'"
            )
            continue
        if counted != minutes:
            problems.append(
                f"{where}: totals say {label!r} is {minutes} minutes; its rows add up to {counted}"
            )
    return problems


def page_problems(name: str, text: str, pages: dict[str, Page]) -> list[str]:
    """Everything that does not add up on one agenda page, one sentence per problem."""
    sections = parse(text)
    agendas = [agenda for section in sections for agenda in section.agendas]
    problems = []
    if not agendas:
        return [f"{name}: no agenda table (| start | session | module | minutes |)"]
    for section in sections:
        for rows in section.agendas:
            where = f"{name}, {section.title}"
            for before, row in zip(rows, rows[1:], strict=False):
                if before.minutes is None:
                    problems.append(
                        f"{where}: only the last row may have no minutes ({before.start})"
                    )
                elif clock(before.start) + before.minutes != clock(row.start):
                    ends = clock(before.start) + before.minutes
                    problems.append(
                        f"{where}: {row.session!r} starts at {row.start}, but {before.session!r}"
                        f" ({before.start}, {before.minutes} min) ends at"
                        f" {ends // 60:02}:{ends % 60:02}"
                    )
            if rows[-1].kind != "end":
                problems.append(
                    f"{where}: the last row should be the end of the day, with no minutes"
                )
        for stated in section.totals:
            summed = section.agendas or agendas  # a totals table of its own section sums all days
            problems += total_problems(f"{name}, {section.title}", stated, summed)

    sessions: dict[str, list[Row]] = {}
    for row in (row for agenda in agendas for row in agenda if row.module):
        sessions.setdefault(row.module, []).append(row)
    homework = [item for section in sections for item in section.homework]
    slots = [(m, rows[0].planned) for m, rows in sessions.items()] + [
        (m, p) for m, p, _ in homework
    ]
    for module, planned in slots:
        page = pages.get(module)
        if page and planned:
            problems.append(
                f"{name}: module {module} has a page now ({page.path.name}):"
                " drop '(planned)' from its row"
            )
        if not page and not planned:
            problems.append(
                f"{name}: module {module} has no page in docs/modules/: mark its row '(planned)'"
            )
    for module, rows in sessions.items():
        page = pages.get(module)
        taught = sum(row.minutes for row in rows)
        if page and taught != page.minutes:
            parts = f" ({' + '.join(str(r.minutes) for r in rows)})" if len(rows) > 1 else ""
            problems.append(
                f"{name}: module {module} has {taught} minutes in the agenda{parts},"
                f" but {page.path.name} says {page.minutes}"
            )
        if len(rows) > 1 and not all("part" in row.session for row in rows):
            problems.append(
                f"{name}: module {module} is split across {len(rows)} sessions:"
                " call each one 'part N'"
            )
    for module, _, minutes in homework:
        page = pages.get(module)
        if page and minutes != page.minutes:
            problems.append(
                f"{name}: homework {module} is {minutes} minutes,"
                f" but {page.path.name} says {page.minutes}"
            )
    if homework:
        expected = sorted(set(pages) - set(sessions))
        listed = sorted(m for m, planned, _ in homework if not planned)
        if listed != expected:
            problems.append(
                f"{name}: homework lists modules {listed};"
                f" the modules it does not teach are {expected}"
            )
        stated = next((s.homework_total for s in sections if s.homework_total is not None), None)
        counted = sum(minutes or 0 for _, _, minutes in homework)
        if stated != counted:
            problems.append(
                f"{name}: homework says 'in all' {stated} minutes; its rows add up to {counted}"
            )
    return problems


def agenda(name: str) -> str:
    return (WORKSHOP / name).read_text()


@pytest.mark.parametrize("name", ["one-day.md", "two-day.md"])
def test_agenda_adds_up_and_matches_the_module_pages(name):
    problems = page_problems(name, agenda(name), module_pages())
    assert not problems, "\n".join(problems)


def test_two_days_teach_every_module_and_one_day_gives_the_rest_as_homework():
    pages = module_pages()
    assert list(pages)[0] == "00" and len(pages) >= 8, "the module pages were not found"
    two_days = {row.module for s in parse(agenda("two-day.md")) for a in s.agendas for row in a}
    missing = sorted(set(pages) - two_days)
    assert not missing, f"two-day.md does not teach modules {missing}: give each a slot"
    one_day = parse(agenda("one-day.md"))
    assert any(section.homework for section in one_day), "one-day.md has no homework table"


# Negative cases: a time changed in one place only, on a copy of the page text.
BROKEN = [
    ("one-day.md", "| 02 | 90 |", "| 02 | 80 |", ["'Lunch' starts at 12:15", "02 has 80 minutes"]),
    ("one-day.md", "| 13:00 |", "| 13:05 |", ["'Package it in a container' starts at 13:05"]),
    (
        "one-day.md",
        "| modules | 335 |",
        "| modules | 345 |",
        ["'modules' is 345 minutes; its rows"],
    ),
    ("one-day.md", "16:30 | 450 |", "17:00 | 480 |", ["the agenda runs 09:00–16:30"]),
    ("one-day.md", "| 06 | [Scale it](../modules/06-scale-it.md) | 90 |\n", "", ["homework lists"]),
    (
        "one-day.md",
        "| 06 | [Scale it](../modules/06-scale-it.md) | 90 |",
        "| 06 | x | 60 |",
        ["homework 06"],
    ),
    (
        "two-day.md",
        "exercise | 05 | 55 |",
        "exercise | 05 | 45 |",
        ["05 has 80 minutes in the agenda (35 + 45)"],
    ),
    ("two-day.md", "| in all, both days | 960 |", "| in all, both days | 950 |", ["days' is 950"]),
    ("two-day.md", "| 07 | 90 |", "| 07 (planned) | 90 |", ["module 07 has a page now"]),
]


@pytest.mark.parametrize("name, old, new, messages", BROKEN)
def test_a_time_changed_in_one_place_only_is_named(name, old, new, messages):
    text = agenda(name)
    assert text.count(old) == 1, f"the negative case no longer applies to {name}: {old!r}"
    problems = "\n".join(page_problems(name, text.replace(old, new), module_pages()))
    for message in messages:
        assert message in problems, f"expected {message!r} among:\n{problems}"


def test_a_page_whose_time_changes_alone_is_named():
    pages = module_pages()
    pages["03"].minutes = 75
    problems = "\n".join(page_problems("two-day.md", agenda("two-day.md"), pages))
    assert (
        "module 03 has 90 minutes in the agenda, but 03-package-it-in-a-container.md says 75"
        in problems
    )


def test_a_new_module_page_must_find_its_slot():
    pages = module_pages()
    pages["10"] = pages.pop("07")  # as if module 07 were renumbered 10 on its page only
    problems = "\n".join(page_problems("one-day.md", agenda("one-day.md"), pages))
    assert "module 07 has no page in docs/modules/: mark its row '(planned)'" in problems
    assert re.search(
        r"homework lists modules .*'07'.*; the modules it does not teach are .*'10'", problems
    )


def test_each_module_page_states_its_time_once():
    for page in module_pages().values():
        text = page.path.read_text()
        stated = re.search(r"\*\*Time\*\* \| (\d+) minutes \((\d+) lesson, (\d+) exercise", text)
        assert stated, f"{page.path.name}: no '| **Time** | N minutes (L lesson, E exercise' row"
        total, lesson, exercise = map(int, stated.groups())
        assert total == page.minutes, (
            f"{page.path.name}: time_minutes {page.minutes}, Time row {total}"
        )
        assert lesson + exercise == total, f"{page.path.name}: {lesson} + {exercise} is not {total}"


def test_the_roadmap_gives_each_module_its_page_time():
    roadmap = (DOCS / "roadmap.md").read_text()
    for page in module_pages().values():
        row = re.search(rf"^\| {page.module} \|[^|]*\| ([^|]*) \|", roadmap, re.M)
        assert row, f"roadmap.md has no row for module {page.module}"
        assert row.group(1).strip() == f"{page.minutes} min", (
            f"roadmap.md gives module {page.module} {row.group(1).strip()!r};"
            f" {page.path.name} says {page.minutes} min"
        )


def test_instructor_notes_cover_every_module():
    notes = (WORKSHOP / "instructor-notes.md").read_text()
    sections = dict(re.findall(r"^## (\d\d) · [^\n]*\n(.*?)(?=^## |\Z)", notes, re.M | re.S))
    for page in module_pages().values():
        section = sections.get(page.module)
        assert section, f"instructor-notes.md has no '## {page.module} · ...' section"
        for item in ("**Demo:**", "**Common mistakes:**", "**Where the room gets stuck:**"):
            assert item in section, f"instructor-notes.md, module {page.module}: no {item}"
        assert "**Checkpoint:**" in section, f"module {page.module} has no checkpoint"
        assert f"../modules/{page.path.name}" in section, f"link module {page.module}'s page"
