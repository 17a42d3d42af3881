"""How a module's questions become `q1`, `q2`, ... (learntools' `bind_exercises`, without a list).

A module is a package `launchpad/questions/mNN/` with one file per question, `qK_slug.py`, each
defining one `@question`. Its `__init__.py` calls `bind_questions(globals())`, which gives the
module id NN and the number K to each question, and exports `q1 ... qN`, `____`, `QUESTIONS` and
`__all__`: adding a question is adding a file, and nothing is typed twice.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

from launchpad.checks import Question, ____

QUESTION_FILE = re.compile(r"q(\d+)_\w+")
MODULE_PACKAGE = re.compile(r"launchpad\.questions\.m(\d\d)")


class BindingError(ImportError):
    """A question package is malformed (a gap in the numbers, a file without a question)."""


def bind_questions(namespace: dict[str, Any]) -> list[Question]:
    package = namespace["__name__"]
    match = MODULE_PACKAGE.fullmatch(package)
    if not match:
        raise BindingError(f"{package}: question packages are named launchpad.questions.mNN")
    module = match[1]
    found = {}
    for info in pkgutil.iter_modules(namespace["__path__"]):
        number = QUESTION_FILE.fullmatch(info.name)
        if number:
            found[int(number[1])] = importlib.import_module(f"{package}.{info.name}")
    if sorted(found) != list(range(1, len(found) + 1)):
        raise BindingError(f"{package}: question files must be numbered 1..n, got {sorted(found)}")
    questions = []
    for number in sorted(found):
        declared = [v for v in vars(found[number]).values() if isinstance(v, Question)]
        if len(declared) != 1:
            raise BindingError(f"{found[number].__name__} must define exactly one @question")
        question = declared[0]
        question.module, question.number = module, number
        namespace[f"q{number}"] = question
        questions.append(question)
    namespace["____"] = ____
    namespace["QUESTIONS"] = questions
    namespace["__all__"] = ["____", *(f"q{q.number}" for q in questions)]
    return questions
