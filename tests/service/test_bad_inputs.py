"""Bad input, and the answer each kind gets. Never a 5xx; always the one error shape.

The table is shown on the module 02 page of the site, included from this file.
"""

from __future__ import annotations

import pytest

JSON = {"Content-Type": "application/json"}

# --8<-- [start:table]
# fmt: off
# (what is wrong,           request,                                    status, code, message says)
BAD_INPUTS = [
    ("empty text",           {"json": {"text": ""}},                       422, "validation_error", "at least 1 character"),
    ("white space only",     {"json": {"text": " \n\t "}},                 422, "validation_error", "other than white space"),
    ("text too long",        {"json": {"text": "a" * 201}},                422, "validation_error", "at most 200 characters"),
    ("text is a number",     {"json": {"text": 42}},                       422, "validation_error", "body.text: Input should be a valid string"),
    ("text is null",         {"json": {"text": None}},                     422, "validation_error", "body.text: Input should be a valid string"),
    ("both text and texts",  {"json": {"text": "a", "texts": ["b"]}},      422, "validation_error", "exactly one of 'text' or 'texts'"),
    ("empty batch",          {"json": {"texts": []}},                      422, "validation_error", "at least 1 item"),
    ("batch too large",      {"json": {"texts": ["ok"] * 9}},              422, "validation_error", "at most 8 items"),
    ("one bad item in batch", {"json": {"texts": ["ok", ""]}},             422, "validation_error", "body.texts.1"),
    ("unknown field",        {"json": {"text": "a", "lang": "en"}},        422, "validation_error", "body.lang: Extra inputs"),
    ("body is a list",       {"json": ["a", "b"]},                         422, "validation_error", "valid dictionary"),
    ("invalid JSON",         {"content": b'{"text": "a",}', "headers": JSON}, 400, "invalid_json", "not valid JSON"),
    ("lone surrogate",       {"content": b'{"text": "\\ud800"}', "headers": JSON}, 422, "validation_error", "unicode"),
    ("no body",              {},                                           400, "missing_body", "needs a JSON body"),
    ("plain text body",      {"content": b"great film", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported_media_type", "Content-Type: application/json"),
    ("body over the limit",  {"content": b"x" * 5000, "headers": JSON},    413, "body_too_large", "larger than 4096 bytes"),
]
# fmt: on
# --8<-- [end:table]


@pytest.mark.parametrize(
    "what, request_kwargs, status, code, says", BAD_INPUTS, ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_input_gets_a_clear_4xx(client, what, request_kwargs, status, code, says):
    reply = client.post("/predict", **request_kwargs)
    body = reply.json()
    assert (reply.status_code, body["error"]["code"]) == (status, code), body
    assert says in body["error"]["message"] + str(body["error"]["details"])
    assert body["request_id"] == reply.headers["x-request-id"]


@pytest.mark.parametrize(
    "method, path, status, code",
    [
        ("GET", "/predict", 405, "method_not_allowed"),
        ("POST", "/nowhere", 404, "not_found"),
        ("DELETE", "/healthz", 405, "method_not_allowed"),
    ],
)
def test_wrong_route_or_method_uses_the_same_shape(client, method, path, status, code):
    reply = client.request(method, path, json={"text": "a"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (status, code)


def test_chunked_body_over_the_limit_is_refused_without_reading_it_all(client):
    chunks = (b"x" * 1024 for _ in range(64))  # no Content-Length: the limit counts bytes
    reply = client.post("/predict", content=chunks, headers=JSON)
    assert (reply.status_code, reply.json()["error"]["code"]) == (413, "body_too_large")
