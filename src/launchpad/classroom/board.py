"""What the instructor's page shows, computed from the room's events: the grid of learners by
question, the questions where the room is stuck (with their most frequent feedback), the median
time per module against the agenda's, and the CSV export."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from launchpad.classroom.events import parse_time
from launchpad.classroom.store import Event, Learner

DONE, TRYING, NOT_STARTED = "done", "trying", "not started"


@dataclass
class Cell:
    """One learner on one question."""

    state: str = NOT_STARTED
    attempts: int = 0
    first: str = ""
    done_at: str = ""
    feedback: str = ""  # the latest verdict's first sentence


@dataclass
class Board:
    questions: list[tuple[str, str]]  # (module, "q2"), in course order
    learners: list[Learner]
    cells: dict[tuple[str, str, str], Cell] = field(default_factory=dict)  # learner, module, q

    def cell(self, learner: str, module: str, question: str) -> Cell:
        return self.cells.get((learner, module, question), Cell())

    def stuck(self, limit: int = 5) -> list[dict]:
        """Questions with learners trying and not done, most first, each with its most
        frequent latest feedback."""
        trying: dict[tuple[str, str], list[str]] = defaultdict(list)
        for (_, module, question), cell in self.cells.items():
            if cell.state == TRYING:
                trying[module, question].append(cell.feedback)
        ranked = sorted(trying.items(), key=lambda item: (-len(item[1]), item[0]))
        return [
            {
                "module": module,
                "question": question,
                "learners": len(feedback),
                "feedback": Counter(feedback).most_common(1)[0][0],
            }
            for (module, question), feedback in ranked[:limit]
        ]

    def to_json(self, agenda: dict[str, int], times: dict[str, list[float]]) -> dict:
        return {
            "questions": [{"module": m, "question": q} for m, q in self.questions],
            "learners": [
                {
                    "name": learner.name,
                    "cells": [
                        {
                            "state": (c := self.cell(learner.id, m, q)).state,
                            "attempts": c.attempts,
                            "feedback": c.feedback,
                        }
                        for m, q in self.questions
                    ],
                }
                for learner in self.learners
            ],
            "stuck": self.stuck(),
            "modules": [
                {
                    "module": module,
                    "median_minutes": round(statistics.median(times[module]), 1)
                    if times.get(module)
                    else None,
                    "learners": len(times.get(module, [])),
                    "agenda_minutes": minutes,
                }
                for module, minutes in agenda.items()
            ],
        }


def build(questions: list[tuple[str, str]], learners: list[Learner], events: list[Event]) -> Board:
    board = Board(questions, learners)
    for event in events:  # in time order
        cell = board.cells.setdefault((event.learner, event.module, event.question), Cell())
        cell.attempts += 1
        cell.first = cell.first or event.at
        cell.feedback = event.feedback
        if event.status == "correct":
            cell.done_at = cell.done_at or event.at
        cell.state = DONE if cell.done_at else TRYING
    return board


def module_minutes(events: list[Event]) -> dict[str, list[float]]:
    """Per module, each learner's minutes from their first check in it to their last."""
    spans: dict[tuple[str, str], list] = {}
    for event in events:
        moment = parse_time(event.at)
        span = spans.setdefault((event.learner, event.module), [moment, moment])
        span[0], span[1] = min(span[0], moment), max(span[1], moment)
    minutes: dict[str, list[float]] = defaultdict(list)
    for (_, module), (first, last) in spans.items():
        minutes[module].append((last - first).total_seconds() / 60)
    return dict(minutes)


# A spreadsheet runs a cell that starts with one of these as a formula: a learner's name could.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(board: Board) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "learner",
            "module",
            "question",
            "state",
            "attempts",
            "first check",
            "done at",
            "latest feedback",
        ]
    )
    for learner in board.learners:
        for module, question in board.questions:
            cell = board.cell(learner.id, module, question)
            writer.writerow(
                [
                    _cell_text(learner.name),
                    module,
                    question,
                    cell.state,
                    cell.attempts,
                    cell.first,
                    cell.done_at,
                    _cell_text(cell.feedback),
                ]
            )
    return out.getvalue()
