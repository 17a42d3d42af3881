"""How a check talks to the learner: coloured HTML in Jupyter, plain text elsewhere."""

from __future__ import annotations

import html
from dataclasses import dataclass

STYLES = {
    # status: (title, text colour, background)
    "correct": ("Correct", "#1b5e20", "#e8f5e9"),
    "incorrect": ("Not yet", "#b71c1c", "#ffebee"),
    "not_attempted": ("Not attempted yet", "#0d47a1", "#e3f2fd"),
    "hint": ("Hint", "#795548", "#fff8e1"),
    "solution": ("Solution", "#37474f", "#eceff1"),
}


@dataclass(frozen=True)
class Feedback:
    status: str
    question: str
    message: str = ""
    code: str = ""

    @property
    def title(self) -> str:
        return f"{self.question} · {STYLES[self.status][0]}"

    def __str__(self) -> str:
        text = self.title + (f": {self.message}" if self.message else "")
        return text + (f"\n\n{self.code}" if self.code else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        _, colour, background = STYLES[self.status]
        body = f" {html.escape(self.message)}" if self.message else ""
        code = f"<pre>{html.escape(self.code)}</pre>" if self.code else ""
        return (
            f'<div class="launchpad-feedback launchpad-{self.status}" style="color:{colour};'
            f'background:{background};padding:0.5em 0.8em;border-radius:4px">'
            f"<strong>{html.escape(self.title)}</strong>{body}{code}</div>"
        )


def show(feedback: Feedback) -> None:
    """Rich output when a Jupyter kernel is running, plain text otherwise."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a course dependency
        print(feedback)
        return
    if get_ipython() is None:
        print(feedback)
    else:
        display(feedback)
