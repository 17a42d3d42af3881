"""Evidently, the drift library module 07 shows beside the hand-written PSI, agrees with the
course's PSI on the course's own windows of real texts, and runs without the network."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys

import pandas as pd
import pytest

from launchpad import drift, evidently_report
from launchpad.model.build import split
from launchpad.model.data import load_ratings

LOCAL = {"127.0.0.1", "::1", "localhost"}
# Same bins, same shares, same floor for an empty bin (0.0001): only floating point may differ.
SAME_BINS_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def world():
    """The lesson's windows, labelled with the data set's ratings (this compares two PSI
    implementations, not the model): a reference of film reviews and three current windows."""
    training, held_out = split(load_ratings())
    movies = held_out["movies"][:]
    random.Random(0).shuffle(movies)

    def window(examples):
        return [e.text for e in examples], ["POSITIVE" if e.label else "NEGATIVE" for e in examples]

    return {
        "vocabulary": drift.training_vocabulary(e.text for e in training),
        "reference": window(movies[:500]),
        "more movies": window(movies[500:]),
        "tweets": window(held_out["tweets"][:500]),
        "praise only": window([e for e in movies[500:] if e.label == 1]),
    }


@pytest.fixture
def offline(monkeypatch):
    """Any connection or name lookup beyond this machine fails, and is recorded."""
    attempts = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self, address):
        if isinstance(address, tuple) and address[0] not in LOCAL:
            attempts.append(address)
            raise OSError(f"test is offline: connect to {address}")
        return connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in LOCAL and host is not None:
            attempts.append(host)
            raise socket.gaierror(f"test is offline: look up {host}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    assert attempts == []


def course_report(world, name) -> drift.DriftReport:
    return drift.compare(*world["reference"], *world[name], vocabulary=world["vocabulary"])


def frame(world, name) -> pd.DataFrame:
    return evidently_report.features(*world[name], world["vocabulary"])


def binned(table: pd.DataFrame) -> pd.DataFrame:
    """Each numeric feature replaced by the name of its bin in `launchpad.drift`."""
    names = drift.feature_bins()
    edges = {drift.LENGTH: drift.LENGTH_EDGES, drift.UNKNOWN_WORDS: drift.OOV_EDGES}
    out = table.copy()
    for column, bounds in edges.items():
        out[column] = [
            names[column][next((i for i, e in enumerate(bounds) if v <= e), len(bounds))]
            for v in table[column]
        ]
    return out


def test_importing_the_course_module_turns_evidently_telemetry_off():
    """In a fresh interpreter whose environment does not opt out: Evidently's usage logger is
    on until `launchpad.evidently_report` is imported, and off after."""
    probe = (
        "import evidently.telemetry as t; before = t.event_logger.is_enabled()\n"
        "import launchpad.evidently_report\n"
        "print(before, t.event_logger.is_enabled())"
    )
    env = {k: v for k, v in os.environ.items() if k not in evidently_report.TELEMETRY_OFF}
    run = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "False"]


@pytest.mark.parametrize("name", ["more movies", "tweets", "praise only"])
def test_on_the_course_bins_the_library_psi_is_the_course_psi(world, offline, name):
    ours = {f.name: f.psi for f in course_report(world, name).features}
    reference, current = binned(frame(world, "reference")), binned(frame(world, name))
    theirs = evidently_report.psi_scores(reference, current)
    print(f"\n{name}: course {ours}\n{' ' * len(name)}  evidently {theirs}")
    assert theirs == pytest.approx(ours, abs=SAME_BINS_TOLERANCE)


def test_on_raw_values_it_bins_its_own_way_and_finds_the_same_drift(world, offline, workspace):
    for name in ("more movies", "tweets", "praise only"):
        report = course_report(world, name)
        scores = evidently_report.psi_scores(frame(world, "reference"), frame(world, name), name)
        print(f"\n{name}: course {report.drifted}, evidently {scores}")
        assert [c for c, s in scores.items() if s >= drift.PSI_DRIFT] == report.drifted
        page = evidently_report.report_path(name)
        assert page.is_relative_to(workspace) and page.stat().st_size > 10_000
    # not a vacuous agreement: the tweets and the praise drift, the other movies do not
    assert course_report(world, "more movies").drifted == []
    assert drift.UNKNOWN_WORDS in course_report(world, "tweets").drifted
    assert course_report(world, "praise only").drifted == [drift.LABEL]


def test_both_windows_need_the_same_columns(world):
    reference = frame(world, "reference")
    with pytest.raises(ValueError, match="same columns"):
        evidently_report.psi_scores(reference, reference.drop(columns=[drift.LABEL]))
