"""One verdict as it travels from a learner's check to the classroom, and the limits on it.

An event holds the module, the question, the status, the feedback's first sentence and the time,
with a random id (so a re-sent event is recognised) and nothing else: no code, no file, no path.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

STATUSES = ("correct", "incorrect", "not_attempted")
FEEDBACK_CHARS = 240  # the first sentence, cut here
NAME_CHARS = 40
MAX_EVENTS = 50  # per request
MAX_BODY = 32 * 1024  # bytes per request
MODULE = re.compile(r"\d\d")
QUESTION = re.compile(r"q\d{1,2}")
EVENT_ID = re.compile(r"[0-9a-f]{32}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def first_sentence(message: str) -> str:
    """The feedback's first sentence, on one line, at most FEEDBACK_CHARS long."""
    text = " ".join(message.split())
    text = _SENTENCE_END.split(text, maxsplit=1)[0]
    return text if len(text) <= FEEDBACK_CHARS else text[: FEEDBACK_CHARS - 1] + "…"


def make_event(module: str, question: str, status: str, message: str) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "module": module,
        "question": question,
        "status": status,
        "feedback": first_sentence(message),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def problem(event: object) -> str | None:
    """What is wrong with an event as received, or None. The server refuses it with this."""
    if not isinstance(event, dict):
        return "an event is a JSON object"
    expected = {"id", "module", "question", "status", "feedback", "at"}
    if set(event) != expected:
        return f"an event has exactly the fields {sorted(expected)}"
    if not all(isinstance(event[key], str) for key in expected):
        return "every field of an event is a string"
    checks = [
        (EVENT_ID.fullmatch(event["id"]), "id: 32 lowercase hex digits"),
        (MODULE.fullmatch(event["module"]), "module: two digits, like 03"),
        (QUESTION.fullmatch(event["question"]), "question: like q2"),
        (event["status"] in STATUSES, f"status: one of {', '.join(STATUSES)}"),
        (len(event["feedback"]) <= FEEDBACK_CHARS, f"feedback: at most {FEEDBACK_CHARS} chars"),
        (_time(event["at"]) is not None, "at: an ISO 8601 time with its zone"),
    ]
    return next((why for ok, why in checks if not ok), None)


def clean_name(name: object) -> str | None:
    """A learner's display name: printable, one line, 1 to NAME_CHARS characters."""
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())
    if not 0 < len(name) <= NAME_CHARS or not name.isprintable():
        return None
    return name


def _time(text: str) -> datetime | None:
    if len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_time(text: str) -> datetime:
    moment = _time(text)
    if moment is None:
        raise ValueError(f"not an ISO 8601 time with a zone: {text!r}")
    return moment
