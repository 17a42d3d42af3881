"""A workshop agenda laid out in time: when each row starts, and what the day adds up to.

The manifest states only durations; start times and totals are computed here, so a row's time
and a day's sums cannot disagree with the modules' own minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchpad.course.manifest import Agenda, Break, Course, Day, Module, ModuleSlot, Session


@dataclass(frozen=True)
class Slot:
    """One row of a day, placed in time. The closing row has no row and no minutes."""

    start: int  # minutes after midnight
    minutes: int | None
    row: ModuleSlot | Break | Session | None
    module: Module | None = None

    @property
    def kind(self) -> str:
        """ "module", "break", "session", or "end" for the closing row."""
        return {ModuleSlot: "module", Break: "break", Session: "session"}.get(type(self.row), "end")

    @property
    def clock(self) -> str:
        return clock(self.start)


@dataclass(frozen=True)
class Totals:
    modules: int
    breaks: int
    other: int
    sessions: tuple[str, ...]  # the other sessions' names, in order, once each

    @property
    def in_all(self) -> int:
        return self.modules + self.breaks + self.other

    def __add__(self, other: Totals) -> Totals:
        names = self.sessions + tuple(s for s in other.sessions if s not in self.sessions)
        return Totals(
            self.modules + other.modules,
            self.breaks + other.breaks,
            self.other + other.other,
            names,
        )


def clock(minutes: int) -> str:
    return f"{minutes // 60:02}:{minutes % 60:02}"


def _minutes(start: str) -> int:
    hours, minutes = start.split(":")
    return int(hours) * 60 + int(minutes)


def module_minutes(module: Module, slot: ModuleSlot) -> int:
    """A module row lasts the module's time, or that of the part it teaches."""
    return getattr(module.minutes, slot.part) if slot.part else module.minutes.total


def schedule(course: Course, day: Day) -> list[Slot]:
    """The day's rows with their start times, each starting when the one before ends."""
    slots, now = [], _minutes(day.start)
    for row in day.rows:
        if isinstance(row, ModuleSlot):
            module = course.module(row.module)
            slot = Slot(now, module_minutes(module, row), row, module)
        else:
            slot = Slot(now, row.minutes, row)
        slots.append(slot)
        now += slot.minutes
    return [*slots, Slot(now, None, None)]


def totals(slots: list[Slot]) -> Totals:
    def summed(kind: str) -> int:
        return sum(s.minutes for s in slots if s.kind == kind)

    names = [s.row.session for s in slots if s.kind == "session"]
    return Totals(summed("module"), summed("break"), summed("session"), tuple(dict.fromkeys(names)))


def taught(agenda: Agenda) -> list[str]:
    """The modules an agenda teaches, in the order it first teaches them."""
    numbers = [r.module for day in agenda.days for r in day.rows if isinstance(r, ModuleSlot)]
    return list(dict.fromkeys(numbers))


def homework(course: Course, agenda: Agenda) -> list[Module]:
    """The modules the agenda leaves for after the workshop, in course order."""
    if not agenda.homework:
        return []
    done = set(taught(agenda))
    return [m for m in course.modules if m.number not in done]
