"""launchpad.locust_run: the course's locustfile run headless against 127.0.0.1, its CSV
statistics read back, and plotted."""

from __future__ import annotations

import math

import pytest

from launchpad import locust_run
from launchpad.questions.m06._recorder import recording_service


def test_refuses_any_host_but_this_machine():
    with pytest.raises(ValueError, match="127.0.0.1 only"):
        locust_run.run(locust_run.LOCUSTFILE, "http://example.com", 1, 1, 1)


@pytest.fixture(scope="module")
def swarm(tmp_path_factory):
    """Two users of the course's locustfile for 4 s against the recording stand-in, which
    refuses every third request of the first 2 s with a 503."""
    folder = tmp_path_factory.mktemp("locust")
    with recording_service() as service:
        result = locust_run.run(locust_run.LOCUSTFILE, service.base, 2, 2, 4, workdir=folder)
    return result, service, folder


def test_the_course_locustfile_posts_reviews_as_json(swarm):
    result, service, _ = swarm
    from launchpad.playground import TEXTS

    assert result.returncode is not None, result.output
    assert service.seen and all(s.predict and s.status in (200, 503) for s in service.seen)
    sent = [text for s in service.seen for text in s.texts]
    assert set(sent) <= set(TEXTS) and len(set(sent)) > 1


def test_the_csv_files_are_read_back(swarm):
    result, service, folder = swarm
    assert {"locust_stats.csv", "locust_stats_history.csv"} <= {p.name for p in folder.iterdir()}
    # The last CSV snapshot is at most a second old: it holds nearly every request the
    # stand-in saw, never more, and every refusal (all in the first 2 s) as a failure.
    assert 0 < result.requests <= len(service.seen)
    assert result.requests >= len(service.seen) * 0.5
    assert result.failed == service.refused > 0
    assert result.throughput > 0
    assert 0 < result.p(50) <= result.p(95) <= result.p(99)
    timeline = result.timeline()
    assert len(timeline) >= 2
    assert all(row["users"] <= 2 and row["rps"] >= 0 for row in timeline)
    assert timeline[-1]["users"] == 2
    assert any(not math.isnan(row["p99"]) for row in timeline)


def test_a_run_without_requests_has_no_percentile():
    empty = locust_run.LocustRun(command=[], returncode=1, output="")
    assert empty.requests == 0
    with pytest.raises(ValueError, match="no p99"):
        empty.p(99)


def test_the_plot_shows_throughput_and_latency_in_units(swarm):
    import matplotlib

    matplotlib.use("Agg")
    figure = locust_run.plot(swarm[0])
    labels = {axes.get_ylabel() for axes in figure.axes}
    assert {"requests/s", "milliseconds"} <= labels
    assert all(line.get_xdata().size for axes in figure.axes for line in axes.get_lines())
