"""The parts of pages that list modules, written from the manifest.

A page keeps its prose and marks where a generated part goes with an HTML comment,
`<!-- course: KIND [ARGUMENTS] -->`; the site's hook (`docs/hooks/course.py`) expands them at
build time, and `launchpad.course.sync` writes the README's table. The kinds:

    module-page           a module page's title, facts table and objectives (docs/modules/)
    roadmap               the roadmap table
    agenda NAME DAY       one day of an agenda (DAY counts from 1) and that day's totals
    agenda-totals NAME    the totals of all the agenda's days
    homework NAME         the modules an agenda leaves as homework, with their minutes
    heading NN            a section heading for module NN: `## NN · Title`
    link NN               a link to module NN's page, named `NN · Title`
    total-time            the course's time in all, in minutes and hours

Links in the manifest's own Markdown are written relative to the page that shows them (module
pages for a module's fields, docs/workshop/ for the agendas); links made here are made relative
to the page being built.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from launchpad.course.agenda import Slot, homework, schedule, totals
from launchpad.course.manifest import Course, Module

NONE = "—"
MARKER = re.compile(r"<!--\s*course:\s*(?P<kind>[\w-]+)(?P<args>[^>]*?)\s*-->")
# Code shows a marker as it is written (a page that explains them): fences and inline code.
CODE = r"^[ \t]*(?P<fence>`{3,}|~{3,}).*?^[ \t]*(?P=fence)|`[^`\n]*`"
CODE_OR_MARKER = re.compile(f"{CODE}|{MARKER.pattern}", re.M | re.S)
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


class MarkerError(ValueError):
    """A marker that cannot be expanded; the message names the page and the marker."""


def _table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        # A cell may be empty (the facts' header, the homework's total row): keep its bars.
        return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"

    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, rows)])


def page_link(module: Module, to_docs: str, text: str | None = None) -> str:
    return f"[{module.title if text is None else text}]({to_docs}modules/{module.stem}.md)"


def module_page(module: Module, questions: int, to_docs: str = "../") -> str:
    """A module page's title, facts table and objectives."""
    time = f"{module.minutes.total} minutes ({module.minutes.lesson} lesson,"
    time += f" {module.minutes.exercise} exercise"
    time += f"; {module.time_note})" if module.time_note else ")"
    checked = f"{questions} checked question{'s' if questions != 1 else ''}"
    facts = [
        ["**Time**", time],
        ["**Prerequisites**", module.prerequisites],
        ["**Lesson**", f"[{module.label}]({to_docs}notebooks/{module.stem}.ipynb)"],
        [
            "**Exercise**",
            f"[{checked}]({to_docs}exercises/{module.stem}.ipynb)"
            f" · [solution]({to_docs}solutions/{module.stem}.ipynb)",
        ],
    ]
    if module.then:
        facts.append(["**Then**", module.then])
    objectives = "\n".join(f"- {objective}" for objective in module.objectives)
    return f"# {module.label}\n\n{_table(['', ''], facts)}\n\n## Objectives\n\n{objectives}"


def roadmap(course: Course, to_docs: str = "") -> str:
    rows = [
        [
            m.number,
            page_link(m, to_docs),
            f"{m.minutes.total} min",
            m.you_end_with,
            m.checked_by,
        ]
        for m in course.modules
    ]
    return _table(["#", "module", "time", "you end with", "checked by"], rows)


def readme_roadmap(course: Course) -> str:
    """The README's shorter roadmap: it has no links, GitHub shows it beside the code."""
    rows = [[m.number, m.title, m.summary] for m in course.modules]
    return _table(["#", "module", "you end with"], rows)


def _session(slot: Slot, end: str, to_docs: str) -> str:
    row = slot.row
    if slot.kind == "end":
        return end
    if slot.kind == "break":
        return row.name
    if slot.kind == "module":
        name = page_link(slot.module, to_docs)
        if row.part:
            name += ", part 1: the lesson" if row.part == "lesson" else ", part 2: the exercise"
    else:
        name = row.session
    return f"{name}: {row.about}" if row.about else name


def _totals_rows(slots: list[Slot], span: str, names: bool) -> list[list[str]]:
    summed = totals(slots)
    lunch = any(s.kind == "break" and s.row.name == "Lunch" for s in slots)
    other = "other sessions"
    if names and summed.sessions:
        other += ": " + ", ".join(name.lower() for name in summed.sessions)
    return [
        ["modules", str(summed.modules)],
        ["breaks and lunch" if lunch else "breaks", str(summed.breaks)],
        [other, str(summed.other)],
        [f"in all, {span}", str(summed.in_all)],
    ]


def agenda_day(course: Course, name: str, day: int, to_docs: str = "../") -> str:
    """Day `day` (from 1) of agenda `name`: its rows with their start times, then its totals."""
    agenda = _agenda(course, name)
    if not 1 <= day <= len(agenda.days):
        raise MarkerError(f"agenda {name!r} has days 1 to {len(agenda.days)}, not {day}")
    end = agenda.days[day - 1].end
    slots = schedule(course, agenda.days[day - 1])
    rows = [
        [
            slot.clock,
            _session(slot, end, to_docs),
            slot.module.number if slot.module else NONE,
            NONE if slot.minutes is None else str(slot.minutes),
        ]
        for slot in slots
    ]
    span = f"{slots[0].clock}–{slots[-1].clock}"
    return "\n\n".join(
        [
            _table(["start", "session", "module", "minutes"], rows),
            _table(["totals", "minutes"], _totals_rows(slots, span, names=True)),
        ]
    )


def agenda_totals(course: Course, name: str) -> str:
    agenda = _agenda(course, name)
    slots = [slot for day in agenda.days for slot in schedule(course, day)]
    days = len(agenda.days)
    span = {1: "the day", 2: "both days"}.get(days, f"all {_word(days)} days")
    return _table(["totals", "minutes"], _totals_rows(slots, span, names=False))


def homework_table(course: Course, name: str, to_docs: str = "../") -> str:
    modules = homework(course, _agenda(course, name))
    if not modules:
        raise MarkerError(f"agenda {name!r} gives no homework (set `homework: true`)")
    rows = [[m.number, page_link(m, to_docs), str(m.minutes.total)] for m in modules]
    rows.append(["", "in all", str(sum(m.minutes.total for m in modules))])
    return _table(["module", "homework", "minutes"], rows)


def total_time(course: Course) -> str:
    """`770 minutes in all, about 13 hours: ten modules of 20 to 90 minutes each`."""
    minutes = [m.minutes.total for m in course.modules]
    total = sum(minutes)
    halves = round(total / 30)  # to the nearest half hour
    hours = f"{halves // 2}{'½' if halves % 2 else ''}"
    return (
        f"{total} minutes in all, about {hours} hours: {_word(len(minutes))} modules of"
        f" {min(minutes)} to {max(minutes)} minutes each"
    )


def _word(number: int) -> str:
    return WORDS[number] if number < len(WORDS) else str(number)


def _agenda(course: Course, name: str):
    if name not in course.agendas:
        raise MarkerError(f"course.yml has no agenda {name!r} (it has {sorted(course.agendas)})")
    return course.agendas[name]


def expand(
    text: str, page: str, course: Course, questions: Callable[[str], int] | None = None
) -> str:
    """`text` of the page at `page` (relative to docs/, e.g. `workshop/one-day.md`) with every
    marker replaced by its part. `questions(NN)` counts module NN's checked questions (a module
    page's facts say how many)."""
    to_docs = "../" * page.count("/")

    def part(match: re.Match) -> str:
        if match["kind"] is None:  # code
            return match[0]
        kind, args = match["kind"], match["args"].split()
        makers: dict[str, tuple[int, Callable[..., str]]] = {
            "module-page": (0, lambda: _module_page(course, page, questions, to_docs)),
            "roadmap": (0, lambda: roadmap(course, to_docs)),
            "agenda": (2, lambda name, day: agenda_day(course, name, _int(day), to_docs)),
            "agenda-totals": (1, lambda name: agenda_totals(course, name)),
            "homework": (1, lambda name: homework_table(course, name, to_docs)),
            "heading": (1, lambda n: f"## {_module(course, n).label}"),
            "link": (1, lambda n: page_link(_module(course, n), to_docs, _module(course, n).label)),
            "total-time": (0, lambda: total_time(course)),
        }
        try:
            if kind not in makers:
                raise MarkerError(f"unknown kind {kind!r}; the kinds are {', '.join(makers)}")
            arity, make = makers[kind]
            if len(args) != arity:
                raise MarkerError(f"{kind} takes {arity} argument(s), got {len(args)}")
            return make(*args)
        except MarkerError as error:
            raise MarkerError(f"docs/{page}: {match[0]}: {error}") from None

    return CODE_OR_MARKER.sub(part, text)


def _module_page(
    course: Course, page: str, questions: Callable[[str], int] | None, to_docs: str
) -> str:
    stem = page.removeprefix("modules/").removesuffix(".md")
    module = next((m for m in course.modules if m.stem == stem), None)
    if module is None:
        raise MarkerError(
            "it belongs on a module's page, docs/modules/NN-slug.md, as course.yml names it"
        )
    if questions is None:
        raise MarkerError("a module page needs its questions counted")
    return module_page(module, questions(module.number), to_docs)


def _module(course: Course, number: str) -> Module:
    try:
        return course.module(number)
    except KeyError:
        raise MarkerError(f"course.yml has no module {number!r}") from None


def _int(text: str) -> int:
    if not text.isdigit():
        raise MarkerError(f"a day is a number from 1, not {text!r}")
    return int(text)
