"""How far the learner is: the passed checks (`launchpad.progress.store`) per module.

`dashboard()` (opened from `notebooks/progress.ipynb`), `report()` and `one_line()` are three
views of the same `modules()`: a widget, plain text, and a line for a workshop's chat. Module
titles and order come from the course manifest, the questions from `launchpad.questions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchpad.progress.store import load

__all__ = [
    "ModuleProgress",
    "dashboard",
    "modules",
    "one_line",
    "report",
    "summary",
    "totals",
]

PASSED, NOT_YET = "✓", "○"


@dataclass(frozen=True)
class ModuleProgress:
    """One module's line on the dashboard: its questions, and those the learner has passed."""

    module: str
    title: str
    questions: tuple[str, ...]  # "q1", "q2", ... in order
    passed: dict[str, str]  # question -> ISO time first passed; only current questions

    @property
    def label(self) -> str:
        return f"{self.module} {self.title}"

    @property
    def complete(self) -> bool:
        return len(self.passed) == len(self.questions)

    @property
    def done(self) -> int:
        return len(self.passed)

    @property
    def total(self) -> int:
        return len(self.questions)

    def bar(self, width: int = 10) -> str:
        filled = round(width * self.done / self.total) if self.total else width
        return "█" * filled + "░" * (width - filled)

    def marks(self) -> str:
        return " ".join(f"{q}{PASSED if q in self.passed else NOT_YET}" for q in self.questions)


def modules() -> list[ModuleProgress]:
    """Every module with checked questions, in course order, with what has been passed.

    Titles and order come from the course manifest (`course.yml`), questions from
    `launchpad.questions`, so a new module shows up here (and on the dashboard) as soon as its
    checks exist. A recorded question that no longer exists (a module that was renumbered) is
    not counted."""
    from launchpad.course import load as load_course
    from launchpad.questions import questions_by_module

    by_module = questions_by_module()
    data = load()
    rows = []
    for module in load_course().modules:
        if module.number not in by_module:
            continue
        names = tuple(f"q{q.number}" for q in by_module[module.number])
        recorded = data.get(module.number, {})
        passed = {q: recorded[q] for q in names if q in recorded}
        rows.append(ModuleProgress(module.number, module.title, names, passed))
    return rows


def summary() -> list[tuple[str, str, int, int]]:
    """(module, title, passed, total) for every module with checked questions."""
    return [(m.module, m.title, m.done, m.total) for m in modules()]


def _counts(rows: list[ModuleProgress]) -> tuple[int, int]:
    return sum(m.done for m in rows), sum(m.total for m in rows)


def totals(rows: list[ModuleProgress]) -> str:
    done, total = _counts(rows)
    complete = sum(m.complete for m in rows)
    return f"{done} of {total} checks passed; {complete} of {len(rows)} modules complete"


def report(rows: list[ModuleProgress] | None = None) -> str:
    """The dashboard as plain text: for a terminal, a chat message, or a page without widgets."""
    rows = modules() if rows is None else rows
    width = max(len(m.label) for m in rows)
    lines = [f"Progress: {totals(rows)}"]
    lines += [f"{m.label:<{width}}  {m.bar()}  {m.done}/{m.total}  {m.marks()}" for m in rows]
    lines.append(f"{PASSED} passed   {NOT_YET} not yet")
    return "\n".join(lines)


def one_line(rows: list[ModuleProgress] | None = None) -> str:
    """Where a learner is, short enough to paste into a workshop's chat."""
    rows = modules() if rows is None else rows
    done, total = _counts(rows)
    parts = [f"{m.module} {PASSED if m.complete else f'{m.done}/{m.total}'}" for m in rows]
    return f"{done}/{total} checks: " + " · ".join(parts)


def dashboard():
    """An ipywidgets panel: one bar per module, which questions passed, and a Refresh button.

    Run a check in another notebook, then press Refresh: the panel re-reads the progress file.
    Where widgets do not render (plain output, the course site), it shows `report()` instead."""
    import ipywidgets as widgets

    class Dashboard(widgets.VBox):
        def __init__(self):
            super().__init__()
            self.button = widgets.Button(description="Refresh", icon="refresh")
            self.button.on_click(lambda _: self.refresh())
            self.refresh()

        def refresh(self) -> None:
            self.rows = modules()
            header = widgets.HTML(f"<b>{totals(self.rows)}</b>")
            self.children = [header, *(_widget_row(widgets, m) for m in self.rows), self.button]

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            if bundle:
                bundle["text/plain"] = report(self.rows)
            return bundle

    return Dashboard()


# Colours from JupyterLab's theme, so the chips read in its dark mode too.
_CHIP = {
    PASSED: "color:var(--jp-success-color1,#2e7d32);font-weight:bold",
    NOT_YET: "color:var(--jp-ui-font-color2,#757575)",
}


def _widget_row(widgets, m: ModuleProgress):
    chips = []
    for q in m.questions:
        mark = PASSED if q in m.passed else NOT_YET
        when = f' title="passed {m.passed[q]}"' if q in m.passed else ""
        chips.append(f'<span{when} style="{_CHIP[mark]}">{q}&nbsp;{mark}</span>')
    return widgets.HBox(
        [
            widgets.Label(m.label, layout={"width": "20em"}),
            widgets.IntProgress(
                value=m.done, min=0, max=m.total, bar_style="success" if m.complete else "info"
            ),
            widgets.Label(f"{m.done}/{m.total}", layout={"width": "3em"}),
            widgets.HTML(" ".join(chips)),
        ]
    )
