"""What several of module 07's questions use: the service's metric names (questions 1 and 2),
promtool's failures said as feedback (1 and 2), and a float comparison (1 and 3)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from launchpad.checks import Incorrect
from launchpad.promql_replay import QueryError, UnexpectedOutput

JOB = 'job="sentiment-api"'
BUCKET = "http_request_duration_seconds_bucket"
COUNT = "http_request_duration_seconds_count"


@contextmanager
def replaying() -> Iterator[None]:
    """Replays by promtool (`launchpad.promql_replay`) whose failures become feedback."""
    from launchpad.monitoring import PrometheusError  # it imports an HTTP client

    try:
        yield
    except QueryError as error:
        raise Incorrect(f"promtool cannot run your query: {error}") from error
    except UnexpectedOutput as error:
        raise Incorrect(f"promtool failed: {error}") from error
    except PrometheusError as error:
        raise Incorrect(f"The check needs promtool: {error}") from error


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6) or (math.isnan(a) and math.isnan(b))
