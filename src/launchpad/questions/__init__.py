"""The checked questions: one package per course module (`m01/`), one file per question.

`from launchpad.questions.m01 import *` gives an exercise notebook q1 ... qN and `____`.
Nothing here imports a module's questions until asked, so importing is cheap and the capstone
(whose own questions live in m09) can ask for the modules before it without a cycle.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from launchpad.checks import Question

_PACKAGE = re.compile(r"m(\d\d)")


def module_ids() -> list[str]:
    """Every module that has questions, in course order: ["00", "01", ...]."""
    found = (
        _PACKAGE.fullmatch(info.name) for info in pkgutil.iter_modules([str(Path(__file__).parent)])
    )
    return sorted(m[1] for m in found if m)


def questions_of(module: str) -> list[Question]:
    return importlib.import_module(f"launchpad.questions.m{module}").QUESTIONS


def questions_by_module() -> dict[str, list[Question]]:
    """{module id: its questions}, in course order."""
    return {module: questions_of(module) for module in module_ids()}


def __getattr__(name: str):
    """`MODULES`: {module id: (title, questions)} in course order, the titles from course.yml."""
    if name == "MODULES":
        from launchpad.course import CourseError, load

        titles = load().titles()
        by_module = questions_by_module()
        unknown = sorted(set(by_module) - set(titles))
        if unknown:
            raise CourseError(f"questions for modules {unknown}, which course.yml does not list")
        return {m: (titles[m], qs) for m, qs in by_module.items()}
    raise AttributeError(name)
