"""The room, in one sqlite file: its join code and instructor token, the learners who joined,
and every event they sent. It survives a restart of the classroom; an event id is stored once,
so a queue sent twice (the answer was lost, the learner's check sent it again) counts once."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# No 0/O or 1/I/L: the join code is read aloud and copied from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

SCHEMA = """
CREATE TABLE IF NOT EXISTS room (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learners (
    id TEXT PRIMARY KEY, secret_sha256 TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
    joined TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, learner TEXT NOT NULL REFERENCES learners(id), module TEXT NOT NULL,
    question TEXT NOT NULL, status TEXT NOT NULL, feedback TEXT NOT NULL, at TEXT NOT NULL,
    received TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_learner ON events (learner, module, question, at);
"""


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    joined: str


@dataclass(frozen=True)
class Event:
    id: str
    learner: str
    module: str
    question: str
    status: str
    feedback: str
    at: str


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RoomStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()  # one connection, shared by the server's worker threads
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self.join_code = self._setting("join_code", self._new_code)
        self.instructor_token = self._setting("instructor_token", lambda: secrets.token_urlsafe(18))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @staticmethod
    def _new_code() -> str:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    def _setting(self, key: str, make) -> str:
        """A room setting, made once and kept: a restarted classroom keeps its code."""
        with self._lock:
            row = self._db.execute("SELECT value FROM room WHERE key = ?", (key,)).fetchone()
            if row:
                return row[0]
            value = make()
            self._db.execute("INSERT INTO room (key, value) VALUES (?, ?)", (key, value))
            return value

    def join(self, name: str) -> tuple[str, str]:
        """A new learner: (their id, the secret their events carry)."""
        learner, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
        with self._lock:
            self._db.execute(
                "INSERT INTO learners (id, secret_sha256, name, joined) VALUES (?, ?, ?, ?)",
                (learner, _sha256(secret), name, _now()),
            )
        return learner, secret

    def learner_for(self, secret: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM learners WHERE secret_sha256 = ?", (_sha256(secret),)
            ).fetchone()
        return row[0] if row else None

    def add_events(self, learner: str, events: list[dict]) -> tuple[int, int]:
        """Store events (already validated); returns (new, already stored)."""
        received = _now()
        rows = [
            (e["id"], learner, e["module"], e["question"], e["status"], e["feedback"], e["at"])
            for e in events
        ]
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO events "
                "(id, learner, module, question, status, feedback, at, received) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, received) for row in rows],
            )
            self._db.execute("COMMIT")
            new = self._db.total_changes - before
        return new, len(rows) - new

    def learners(self) -> list[Learner]:
        with self._lock:
            rows = self._db.execute("SELECT id, name, joined FROM learners ORDER BY joined, name")
            return [Learner(*row) for row in rows.fetchall()]

    def events(self) -> list[Event]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, learner, module, question, status, feedback, at FROM events "
                "ORDER BY at, received"
            )
            return [Event(*row) for row in rows.fetchall()]
