"""The live classroom (issue 21): a room of learners on 127.0.0.1 seen in Chromium, a restart
that loses and duplicates nothing, checks that work as before without it, and hostile input
refused or shown as text."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
import urllib.error
import urllib.request

from playwright.sync_api import expect
from support.browser import offline_browser
from support.classroom import RIGHT, WRONG, classroom

from launchpad.classroom.board import build as build_board
from launchpad.classroom.board import to_csv
from launchpad.classroom.events import FEEDBACK_CHARS, first_sentence, make_event, problem
from launchpad.classroom.store import Event, Learner

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def _events(database) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def _post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_a_room_of_learners_is_seen_live_in_chromium(tmp_path, learners, room_port):
    ada, bob, cy, mallory, late = learners("Ada", "Bob", "Cy", HOSTILE, "Late")
    with classroom(tmp_path / "room.sqlite", room_port) as room:
        for learner in (ada, bob, cy, mallory):
            joined = learner.join(room)
            assert joined.returncode == 0, joined.stderr
            assert "Joined the classroom" in joined.stdout
        assert "Correct" in ada.check(RIGHT)
        assert "Not yet" in bob.check(WRONG)
        assert "Correct" in bob.check(RIGHT)
        assert "Not yet" in cy.check(WRONG)
        cy.check(WRONG)
        mallory.check(WRONG)

        page_url = f"{room.base}/?token={room.token}"
        with offline_browser(room.base) as (context, refused):
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_url)
            expect(page.locator("#grid tbody tr")).to_have_count(4)
            rows = {
                page.locator("#grid tbody tr").nth(i).locator("th").inner_text(): i
                for i in range(4)
            }
            assert HOSTILE in rows  # the name is shown as the text it is
            assert page.locator("img").count() == 0  # ...and never became an element

            def state(name: str, column: int = 2) -> str:  # column 0: the name; 00 q2 is 2nd
                cells = page.locator("#grid tbody tr").nth(rows[name]).locator("td")
                return cells.nth(column - 1).get_attribute("data-state")

            assert state("Ada") == "done"
            assert state("Bob") == "done"
            assert state("Cy") == "trying"
            assert state("Ada", 1) == "not started"  # 00 q1: nobody answered it
            stuck = page.locator("#stuck li").first.inner_text()
            assert "Module 00 q2" in stuck and "2 trying" in stuck
            assert "2 of 5 are not matched yet" in stuck  # the most frequent feedback

            # Live: a learner who joins now appears without a reload.
            assert late.join(room).returncode == 0
            late.check(RIGHT)
            expect(page.locator("#grid tbody tr")).to_have_count(5, timeout=10_000)
            reply = page.request.get(f"{room.base}/export.csv?token={room.token}")
            assert reply.ok
            exported = reply.text()
            assert not errors and not refused
        rows = list(csv.DictReader(io.StringIO(exported)))
        assert {r["learner"] for r in rows} >= {"Ada", "Bob", "Cy", "Late"}
        bob_q2 = next(r for r in rows if r["learner"] == "Bob" and r["question"] == "q2")
        assert bob_q2["state"] == "done" and bob_q2["attempts"] == "2"


def test_a_restart_loses_nothing_and_duplicates_nothing(tmp_path, learners, room_port):
    database = tmp_path / "room.sqlite"
    [ada] = learners("Ada")
    with classroom(database, room_port) as room:
        assert ada.join(room).returncode == 0
        ada.check(WRONG)
        code, token = room.code, room.token
    assert _events(database) == 1

    # The classroom is down: checks work as before, and their verdicts wait in the queue.
    started = time.monotonic()
    assert "Not yet" in ada.check(WRONG)
    assert "Correct" in ada.check(RIGHT)
    assert time.monotonic() - started < 30
    assert ada.queued() == 2

    with classroom(database, room_port) as room:
        assert (room.code, room.token) == (code, token)  # the same room
        ada.check(RIGHT)
        assert ada.queued() == 0
        learner = room.board()["learners"][0]
    assert learner["cells"][1] == {
        "state": "done",
        "attempts": 4,
        "feedback": learner["cells"][1]["feedback"],
    }
    assert _events(database) == 4

    # A queue sent twice (the reply was lost) is stored once.
    with classroom(database, room_port) as room:
        config = json.loads((ada.workspace / ".launchpad" / "classroom.json").read_text())
        event = make_event("00", "q2", "correct", "Correct.")
        body = json.dumps({"secret": config["secret"], "events": [event]}).encode()
        headers = {"X-Join-Code": room.code}
        assert _post(f"{room.base}/api/events", body, headers) == (
            200,
            {"accepted": 1, "duplicates": 0},
        )
        assert _post(f"{room.base}/api/events", body, headers) == (
            200,
            {"accepted": 0, "duplicates": 1},
        )
    assert _events(database) == 5


def test_nothing_is_sent_without_joining(learners, room_port, tmp_path):
    [ada] = learners("Ada")
    with classroom(tmp_path / "room.sqlite", room_port) as room:
        assert "Correct" in ada.check(RIGHT)
        assert room.board()["learners"] == []
    assert not (ada.workspace / ".launchpad" / "classroom-outbox.jsonl").exists()


def test_hostile_requests_get_a_clear_4xx_and_a_flood_stops_no_one_else(
    tmp_path, learners, room_port
):
    flood, other = learners("Flood", "Other")
    with classroom(tmp_path / "room.sqlite", room_port) as room:
        events = f"{room.base}/api/events"
        assert flood.join(room).returncode == 0 and other.join(room).returncode == 0
        secret = {
            learner.name: json.loads(
                (learner.workspace / ".launchpad" / "classroom.json").read_text()
            )["secret"]
            for learner in (flood, other)
        }

        def send(name: str, event: dict | None = None, code: str | None = None):
            body = {
                "secret": secret[name],
                "events": [event or make_event("00", "q2", "incorrect", "No.")],
            }
            return _post(events, json.dumps(body).encode(), {"X-Join-Code": code or room.code})

        assert send("Other", code="WRONG1")[0] == 403
        status, reply = _post(f"{room.base}/api/join", b'{"code": "WRONG1", "name": "Eve"}')
        assert status == 403 and "join code" in reply["detail"]
        assert (
            _post(
                f"{room.base}/api/join", json.dumps({"code": room.code, "name": "x" * 41}).encode()
            )[0]
            == 422
        )
        assert _post(events, b"{not json", {"X-Join-Code": room.code})[0] == 400
        assert _post(events, b"x" * 40_000, {"X-Join-Code": room.code})[0] == 413
        status, reply = send("Other", {**make_event("00", "q2", "incorrect", "x"), "status": "<b>"})
        assert status == 422 and "status" in reply["detail"]
        status, reply = send("Other", make_event("00", "q99", "incorrect", "x"))
        assert status == 422 and "no such question" in reply["detail"]
        status, _ = _post(
            events,
            json.dumps(
                {"secret": "guess", "events": [make_event("00", "q2", "correct", "")]}
            ).encode(),
            {"X-Join-Code": room.code},
        )
        assert status == 403
        with urllib.request.urlopen(f"{room.base}/api/health") as reply:
            assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
        try:
            urllib.request.urlopen(f"{room.base}/api/board?token=guess")
            raise AssertionError("the board answered without the instructor's token")
        except urllib.error.HTTPError as error:
            assert error.code == 403

        statuses = [send("Flood")[0] for _ in range(60)]
        assert 429 in statuses and statuses[0] == 200
        assert send("Other")[0] == 200  # the flood did not stop the others


def test_feedback_is_cut_to_its_first_sentence_and_events_are_checked():
    assert first_sentence("Nearly.\nThe second sentence stays home.") == "Nearly."
    assert len(first_sentence("a" * 1000)) == FEEDBACK_CHARS
    assert problem(make_event("03", "q3", "correct", "ok")) is None
    assert "fields" in problem({**make_event("03", "q3", "correct", "ok"), "code": "print(1)"})
    assert "module" in problem({**make_event("03", "q3", "correct", "ok"), "module": "3"})
    assert "at:" in problem({**make_event("03", "q3", "correct", "ok"), "at": "yesterday"})


def test_the_export_defuses_spreadsheet_formulas_in_learner_strings():
    learner = Learner("l1", '=HYPERLINK("http://x")', "2026-12-03T10:00:00+00:00")
    event = Event("e" * 32, "l1", "00", "q2", "incorrect", "+1 more", "2026-12-03T10:01:00+00:00")
    rows = list(csv.reader(io.StringIO(to_csv(build_board([("00", "q2")], [learner], [event])))))
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][-1] == "'+1 more"
