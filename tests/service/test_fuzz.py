"""Property-based testing of the whole API from its own OpenAPI schema (schemathesis).

Schemathesis generates valid and invalid requests for every operation and checks each answer:
no 5xx, and every response matches the documented schema (status code, content type, body).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from sentiment_api import create_app
from sentiment_api.settings import Settings

CASES = {"count": 0}
MAX_EXAMPLES = 500


# The schema is read when the module is collected, before any fixture runs, from the app
# itself (not by serving /openapi.json, which would start it); the model folder is only read
# when the app starts, so the fixture below fills it in then.
SETTINGS = Settings(max_text_chars=200, max_batch_size=8, max_body_bytes=4096)
APP = create_app(SETTINGS)
# A request the schema forbids may be refused with any of these: 413 when the invalid body is
# also larger than the body limit (schemathesis' default list has no 413).
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [400, 413, 415, 422]}}}
)
schema = schemathesis.openapi.from_dict(APP.openapi(), config=CONFIG)
schema.app = APP  # as from_asgi would set it: each case is sent to the app, in-process


@pytest.fixture(scope="module")
def fuzz_client_ready(wait_ready, course_model_dir):
    """Run the app's lifespan (it loads the model) for the whole module."""
    SETTINGS.model_dir = course_model_dir
    with TestClient(APP) as client:
        wait_ready(client)
        yield


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,  # the same cases on every machine and every run
)
def test_api_never_fails_and_matches_its_schema(case, fuzz_client_ready):
    CASES["count"] += 1
    response = case.call_and_validate()
    assert response.status_code < 500


def test_fuzz_ran_cases():
    """Runs after the fuzz test (file order); reports and checks how many cases ran."""
    print(f"\nschemathesis ran {CASES['count']} cases with zero 5xx")
    assert CASES["count"] >= MAX_EXAMPLES
