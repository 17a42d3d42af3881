"""The course manifest (`course.yml`) read into typed objects, or refused with the field named.

The manifest is the one place that names, times and orders the modules and lays out the
workshop agendas. Reading it does no other work: nothing here imports the questions, the model
or the site, so every part of the course can ask for it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PositiveInt,
    StringConstraints,
    Tag,
    ValidationError,
)

from launchpad.paths import REPO_ROOT

COURSE_FILE = REPO_ROOT / "course.yml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class CourseError(ValueError):
    """The manifest is malformed; the message names the file and the field."""


class _Strict(BaseModel):
    # A misspelt field is an error, not a silently ignored key.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Minutes(_Strict):
    lesson: PositiveInt
    exercise: PositiveInt

    @property
    def total(self) -> int:
        return self.lesson + self.exercise


class Module(_Strict):
    """One module. Markdown fields are written as on its page, `docs/modules/NN-slug.md`."""

    number: Annotated[str, StringConstraints(pattern=r"^\d\d$")]
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    title: Text
    minutes: Minutes
    time_note: Text | None = None  # said after the split on the module page's Time row
    prerequisites: Text
    objectives: Annotated[list[Text], Field(min_length=1)]
    summary: Text  # the README's roadmap: what you end with, in a few words
    you_end_with: Text  # the site's roadmap: what the exercise leaves in workspace/
    checked_by: Text  # the site's roadmap: the real tools that check it
    then: Text | None = None  # a Then row on the module page, where the course goes next

    @property
    def stem(self) -> str:
        """Its page's and notebooks' file name without the suffix: `NN-slug`."""
        return f"{self.number}-{self.slug}"

    @property
    def label(self) -> str:
        """How headings, the nav and links name it: `NN · Title`."""
        return f"{self.number} · {self.title}"


class ModuleSlot(_Strict):
    """A module taught in an agenda: all of it, or only its lesson or its exercise."""

    module: Annotated[str, StringConstraints(pattern=r"^\d\d$")]
    part: Literal["lesson", "exercise"] | None = None
    about: Text | None = None  # said after the module's name


class Break(_Strict):
    name: Text = Field(alias="break")
    minutes: PositiveInt


class Session(_Strict):
    """Anything else on the day: a welcome, a buffer, a wrap-up. `session` names it in totals."""

    session: Text
    about: Text | None = None
    minutes: PositiveInt


def _row_kind(row: Any) -> str | None:
    if isinstance(row, dict):
        return next((key for key in ("module", "break", "session") if key in row), None)
    return {ModuleSlot: "module", Break: "break", Session: "session"}.get(type(row))


Row = Annotated[
    Annotated[ModuleSlot, Tag("module")]
    | Annotated[Break, Tag("break")]
    | Annotated[Session, Tag("session")],
    Discriminator(
        _row_kind,
        custom_error_type="row_kind",
        custom_error_message="a row is a `module:`, a `break:` or a `session:`",
    ),
]


class Day(_Strict):
    start: Clock
    end: Text  # the closing row: "End", "End of day 1"
    rows: Annotated[list[Row], Field(min_length=1)]


class Agenda(_Strict):
    days: Annotated[list[Day], Field(min_length=1)]
    homework: bool = False  # the modules the agenda does not teach are given as homework


class Course(_Strict):
    modules: Annotated[list[Module], Field(min_length=1)]
    agendas: dict[str, Agenda] = {}

    def module(self, number: str) -> Module:
        for module in self.modules:
            if module.number == number:
                return module
        raise KeyError(f"course.yml has no module {number}")

    def titles(self) -> dict[str, str]:
        """{module number: title}, in course order."""
        return {m.number: m.title for m in self.modules}


def _where(loc: tuple) -> str:
    """pydantic's error location as a reader writes it: `modules[3].minutes.lesson`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in ("module", "break", "session") or not out.endswith("]"):
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _check_references(course: Course) -> list[str]:
    """What the types cannot say: numbering, and agendas that teach each module exactly once."""
    problems = []
    for index, module in enumerate(course.modules):
        if module.number != f"{index:02}":
            problems.append(
                f"modules[{index}].number: {module.number!r}, but modules are numbered"
                f" 00, 01, ... in course order, so this one is {index:02}"
            )
    for field in ("slug", "title"):
        values = [getattr(m, field) for m in course.modules]
        problems += [
            f"modules.{field}: {v!r} is used by more than one module"
            for v in sorted({v for v in values if values.count(v) > 1})
        ]
    known = {m.number for m in course.modules}
    for name, agenda in course.agendas.items():
        parts: dict[str, list[str | None]] = {}
        for d, day in enumerate(agenda.days):
            for r, row in enumerate(day.rows):
                if not isinstance(row, ModuleSlot):
                    continue
                where = f"agendas.{name}.days[{d}].rows[{r}].module"
                if row.module not in known:
                    problems.append(f"{where}: there is no module {row.module} in modules")
                parts.setdefault(row.module, []).append(row.part)
        for number, seen in parts.items():
            if seen not in ([None], ["lesson", "exercise"]):
                problems.append(
                    f"agendas.{name}: module {number} is taught as {seen}: teach it once"
                    " (no part), or its lesson and then its exercise"
                )
    return problems


def parse(data: Any, source: str = "course.yml") -> Course:
    """The manifest from its YAML data; CourseError names the field that is wrong."""
    try:
        course = Course.model_validate(data)
    except ValidationError as error:
        lines = [
            f"{_where(e['loc'])}: {e['msg']}"
            + (f" (got {e['input']!r})" if isinstance(e.get("input"), str | int | float) else "")
            for e in error.errors(include_url=False)
        ]
        raise CourseError(f"{source} is malformed:\n  " + "\n  ".join(lines)) from None
    problems = _check_references(course)
    if problems:
        raise CourseError(f"{source} is malformed:\n  " + "\n  ".join(problems))
    return course


@cache
def load(path: Path = COURSE_FILE) -> Course:
    """The course manifest, read once per process."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CourseError(f"cannot read the course manifest {path}: {error}") from None
    except yaml.YAMLError as error:
        raise CourseError(f"{path.name} is not valid YAML: {error}") from None
    return parse(data, path.name)
