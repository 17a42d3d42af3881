"""The copies of manifest facts that must exist as files: the README's roadmap table (GitHub shows
it without building the site) and the notebooks' titles and lesson times (JupyterLab shows them).

`write()` rewrites them from the manifest, `stale()` says which are out of date; the site's
copies are made at build time instead (`launchpad.course.markdown`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from launchpad.course.manifest import Course, CourseError, Module, load
from launchpad.course.markdown import readme_roadmap
from launchpad.paths import REPO_ROOT

README_BLOCK = re.compile(
    r"(?P<begin><!-- roadmap: [^\n]*-->\n)(?P<table>.*?)(?P<end><!-- /roadmap -->)", re.S
)
LESSON_TIME = re.compile(r"(\*\*Time:\*\* *)\d+( minutes)")


def readme_text(text: str, course: Course) -> str:
    """README.md with its roadmap block (between its two comment lines) written anew."""
    match = README_BLOCK.search(text)
    if not match:
        raise CourseError(
            "README.md has no roadmap block: put `<!-- roadmap: ... -->` and `<!-- /roadmap -->`"
            " lines where the table goes"
        )
    table = "\n" + readme_roadmap(course) + "\n\n"  # blank lines: Markdown sees a table
    return text[: match.start("table")] + table + text[match.end("table") :]


def _first_cell(notebook: dict, path: Path) -> list[str]:
    cells = notebook.get("cells") or [{}]
    source = cells[0].get("source")
    if cells[0].get("cell_type") != "markdown" or not source or not source[0].startswith("# "):
        raise CourseError(f"{path}: the first cell should be Markdown that opens with `# title`")
    if isinstance(source, str):
        cells[0]["source"] = source = source.splitlines(keepends=True)
    return source


def lesson_title(module: Module) -> str:
    return f"# {module.label}\n"


def solution_title(module: Module) -> str:
    return f"# Exercise {module.label}\n"


def _notebook_text(text: str, path: Path, edit: Callable[[list[str]], None]) -> str:
    notebook = json.loads(text)
    edit(_first_cell(notebook, path))
    # The way nbformat writes them, so an unchanged notebook stays byte for byte the same.
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _lesson_edit(module: Module, path: Path) -> Callable[[list[str]], None]:
    def edit(source: list[str]) -> None:
        source[0] = lesson_title(module)
        timed = [i for i, line in enumerate(source) if LESSON_TIME.search(line)]
        if not timed:
            raise CourseError(f"{path}: the first cell does not say `**Time:** N minutes`")
        source[timed[0]] = LESSON_TIME.sub(
            rf"\g<1>{module.minutes.total}\g<2>", source[timed[0]], count=1
        )

    return edit


def _solution_edit(module: Module) -> Callable[[list[str]], None]:
    def edit(source: list[str]) -> None:
        source[0] = solution_title(module)

    return edit


def expected(root: Path = REPO_ROOT, course: Course | None = None) -> dict[Path, tuple[str, str]]:
    """{file: (its text now, its text as the manifest says)} for every generated copy."""
    course = course or load()
    found = {}

    def add(path: Path, make: Callable[[str], str]) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CourseError(f"{path} is missing: course.yml lists its module") from None
        found[path] = (text, make(text))

    add(root / "README.md", lambda text: readme_text(text, course))
    for module in course.modules:
        lesson = root / "notebooks" / f"{module.stem}.ipynb"
        solution = root / "solutions" / f"{module.stem}.ipynb"
        add(lesson, lambda t, m=module, p=lesson: _notebook_text(t, p, _lesson_edit(m, p)))
        add(solution, lambda t, m=module, p=solution: _notebook_text(t, p, _solution_edit(m)))
    return found


def stale(root: Path = REPO_ROOT, course: Course | None = None) -> list[Path]:
    """The generated copies that differ from the manifest."""
    return [path for path, (now, due) in expected(root, course).items() if now != due]


def write(root: Path = REPO_ROOT, course: Course | None = None) -> list[Path]:
    """Rewrite the out-of-date copies from the manifest; return the files written."""
    written = []
    for path, (now, due) in expected(root, course).items():
        if now != due:
            path.write_text(due, encoding="utf-8")
            written.append(path)
    return written
