"""Learntools-style exercise checks: `q1.check()`, `q1.hint()`, `q1.solution()`.

A question is a function that looks at the learner's namespace and either returns (correct) or
raises `Incorrect("what is wrong and where to look")`. Reading a name that is still the `____`
placeholder, or calling a function that still raises `NotImplementedError`, raises
`NotAttempted`, so an untouched exercise notebook runs top to bottom without a traceback; a
placeholder left because the learner's cell raised before assigning it is `Incorrect`, and
names that exception (`cell_errors`).

One question is one file, `launchpad/questions/mNN/qK_slug.py`; it declares what it reads:

    @question(names=["softmax"], hints=["..."])
    def softmax_is_stable(answers):
        softmax = answers.function("softmax")
        expect(abs(softmax([1, 2]).sum() - 1) < 1e-6, "The probabilities should sum to 1.")

Its module (NN) and number (K) come from where the file is (`launchpad.questions.binding`);
what `solution()` shows comes from the solution notebook's `### BEGIN SOLUTION qK` blocks.
"""

from __future__ import annotations

import sysconfig
import traceback
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchpad.checks.cell_errors import cell_error
from launchpad.checks.feedback import Feedback, show
from launchpad.classroom import outbox as classroom
from launchpad.paths import using_workspace
from launchpad.progress.store import record


class _Blank:
    """The `____` placeholder in exercise notebooks."""

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


____ = _Blank()


class Incorrect(Exception):
    """The answer is wrong; the message tells the learner what to look at."""


class NotAttempted(Exception):
    """The answer is still a placeholder."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise Incorrect(message)


class UndeclaredName(AssertionError):
    """A check read a name it did not declare: a bug in the course, reported as such."""


class Answers:
    """The learner's namespace, read through helpers that turn placeholders into NotAttempted.

    Only the names the question declared can be read, so the declaration (which the capstone
    audit and the dashboard trust) cannot drift from what the check does."""

    def __init__(self, namespace: Mapping[str, Any], names: Collection[str] | None = None):
        self._namespace = namespace
        self._names = None if names is None else frozenset(names)

    def value(self, name: str) -> Any:
        if self._names is not None and name not in self._names:
            raise UndeclaredName(f"the check reads `{name}` but does not declare it")
        value = self._namespace.get(name, ____)
        if isinstance(value, _Blank):
            raised = cell_error(name)  # the learner did answer, but their cell raised
            if raised:
                raise Incorrect(raised)
            raise NotAttempted(f"Replace the ____ in `{name} = ____` with your answer.")
        return value

    def function(self, name: str) -> Callable:
        value = self.value(name)
        expect(
            callable(value), f"`{name}` should be a function, but it is a {type(value).__name__}."
        )
        return _Guarded(name, value)


@dataclass
class _Guarded:
    """Calls the learner's function; turns its exceptions into feedback instead of tracebacks."""

    name: str
    function: Callable

    def __call__(self, *args, **kwargs):
        try:
            return self.function(*args, **kwargs)
        except NotImplementedError as error:
            raise NotAttempted(
                f"`{self.name}` (or a function it calls) still raises NotImplementedError."
            ) from error
        except (Incorrect, NotAttempted):
            raise
        except Exception as error:  # the learner's bug, reported without a traceback
            where = learner_frame(error)
            raise Incorrect(
                f"Calling `{self.name}` raised {type(error).__name__}: {error} "
                f"(line {where.lineno}: `{(where.line or '').strip()}`)."
            ) from error


def learner_frame(error: BaseException) -> traceback.FrameSummary:
    """The deepest frame of the learner's own code: not a library's, not the toolkit's. Judged
    by where the files really are, so a clone in a folder that happens to be called
    `launchpad` (or `site-packages`) keeps the learner's frames."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if not _outside_the_learners_code(f.filename)]
    return (own or frames)[-1]


def _not_learners() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    places = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return (Path(__file__).resolve().parents[1], *(Path(p).resolve() for p in places))


def _outside_the_learners_code(filename: str) -> bool:
    path = Path(filename).resolve()
    return any(path.is_relative_to(place) for place in _not_learners())


_bound: dict[str, Any] | None = None


def bind(namespace: dict[str, Any]) -> None:
    """Check answers in `namespace` (default: the Jupyter kernel's user namespace)."""
    global _bound
    _bound = namespace


def _learner_namespace() -> Mapping[str, Any]:
    if _bound is not None:
        return _bound
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("Call launchpad.checks.bind(globals()) before checking outside Jupyter.")
    return shell.user_ns


# What a check may need besides the workspace and the notebook (the capstone audit and the
# dashboard read these declarations).
DOCKER = "a Docker engine"
PROMTOOL = "promtool (Debian's prometheus package)"


@dataclass
class Question:
    """One checked question. `module` and `number` are filled in by `bind_questions`."""

    rule: Callable[[Answers], str | None]
    hints: list[str] = field(default_factory=list)
    names: tuple[str, ...] = ()  # the exercise notebook's names it reads
    files: tuple[str, ...] = ()  # the workspace files it reads
    needs: tuple[str, ...] = ()  # e.g. DOCKER
    module: str = ""
    number: int = 0

    @property
    def label(self) -> str:
        return f"Question {self.number}"

    def evaluate(self, namespace: Mapping[str, Any] | None = None) -> Feedback:
        """Run the rule and return its feedback without displaying it."""
        answers = Answers(_learner_namespace() if namespace is None else namespace, self.names)
        try:
            praise = self.rule(answers)
        except NotAttempted as why:
            return Feedback("not_attempted", self.label, str(why))
        except Incorrect as why:
            return Feedback("incorrect", self.label, str(why))
        except Exception as error:  # a bug in the check itself: say so, never a traceback
            kind = type(error).__name__
            return Feedback(
                "incorrect",
                self.label,
                f"The check itself failed ({kind}: {error})."
                " This is a bug in the course, not in your answer: please report it.",
            )
        return Feedback("correct", self.label, praise or "")

    def check(self) -> None:
        result = self.evaluate()
        if result.status == "correct":
            record(self.module, f"q{self.number}")
        show(result)
        # After `launchpad join` only: the verdict goes to the live classroom, in the background.
        classroom.report(self.module, f"q{self.number}", result.status, result.message)

    def hint(self, n: int = 1) -> None:
        if not self.hints:
            show(Feedback("hint", self.label, "No hint for this one: read the error message."))
            return
        n = min(max(n, 1), len(self.hints))
        more = (
            f" (hint {n} of {len(self.hints)}; try .hint({n + 1}))" if n < len(self.hints) else ""
        )
        show(Feedback("hint", self.label, self.hints[n - 1] + more))

    @property
    def solution_code(self) -> str:
        """The solution notebook's own code for this question (its tagged blocks)."""
        from launchpad.authoring.solutions import solution_code

        return solution_code(self.module, self.number)

    def solution(self) -> None:
        show(Feedback("solution", self.label, code=self.solution_code))

    def expect_fail(self, match: str, workspace: str | None = None, **overrides: Any) -> None:
        """Self-test: with `overrides` in place of the learner's names (and `workspace` in place
        of the learner's workspace), the check must fail with a message containing `match`.
        Used in solution-only cells, like learntools' `assert_check_failed`; the real
        namespace and workspace are left untouched."""
        namespace = {**_learner_namespace(), **overrides}
        with using_workspace(workspace):
            result = self.evaluate(namespace)
        if result.status != "incorrect" or match not in result.message:
            raise AssertionError(f"expected a failure mentioning {match!r}, got: {result}")
        # Only the stable part is printed: messages may quote timings that nbval cannot compare.
        print(f"self-test ok: {self.label} fails with a message mentioning {match!r}")


def question(
    hints: list[str] | None = None,
    names: Collection[str] = (),
    files: Collection[str] = (),
    needs: Collection[str] = (),
) -> Callable[[Callable[[Answers], str | None]], Question]:
    """Decorator that turns a rule function into a Question that declares what it reads."""

    def wrap(rule: Callable[[Answers], str | None]) -> Question:
        return Question(rule, list(hints or []), tuple(names), tuple(files), tuple(needs))

    return wrap


__all__ = [
    "DOCKER",
    "PROMTOOL",
    "Answers",
    "Incorrect",
    "NotAttempted",
    "Question",
    "____",
    "bind",
    "expect",
    "question",
]
