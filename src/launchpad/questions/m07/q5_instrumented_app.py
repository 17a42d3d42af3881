"""A small FastAPI app instrumented with prometheus_client: a Counter of predictions by label
and a latency Histogram, in the app's own registry, served at /metrics. The check sends known
requests and reads /metrics with prometheus_client's own parser."""

from __future__ import annotations

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.questions.m07.materials import toy_model

REQUESTS = [
    ["Loved it.", "A dull, dull film."],
    ["Great fun."],
    ["Never again.", "Wonderful cast.", "Fine."],
]


def _families(client) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    reply = client.get("/metrics")
    expect(reply.status_code == 200, f"GET /metrics answered {reply.status_code}, not 200.")
    try:
        families = list(text_string_to_metric_families(reply.text))
    except Exception as error:
        raise Incorrect(
            f"/metrics is not in Prometheus' text format ({reply.text[:60]!r}...): FastAPI "
            "sent the registry's bytes as a JSON string, which Prometheus cannot scrape."
        ) from error
    expect(
        reply.headers.get("content-type", "").startswith("text/plain"),
        f"/metrics answers with content-type {reply.headers.get('content-type')!r}: "
        "Prometheus reads a scrape by its content type, and this one is not its text format.",
    )
    return {family.name: family for family in families}


def _client(make_app):
    from fastapi.testclient import TestClient

    return TestClient(make_app())


def _send(client) -> None:
    for texts in REQUESTS:
        try:
            reply = client.post("/predict", json={"texts": texts})
        except NotImplementedError as error:
            raise NotAttempted("predict (in make_app) still raises NotImplementedError.") from error
        except Exception as error:
            raise Incorrect(
                f"POST /predict with {texts} raised {type(error).__name__}: {error}"
            ) from error
        expect(
            reply.status_code == 200,
            f"POST /predict with {texts} answered {reply.status_code}: {reply.text[:200]}",
        )


@question(
    names=["make_app"],
    hints=[
        "Make both metrics inside make_app, each with registry=registry: a Counter named "
        "predictions with one label, `label`, and a Histogram named predict_duration_seconds.",
        "In predict, the histogram's time() context manager around the model calls, and the "
        "counter incremented once per text, through .labels() with its label. /metrics "
        "returns generate_latest(registry) in a Response whose media type is "
        "CONTENT_TYPE_LATEST.",
    ],
)
def app_exports_metrics(answers: Answers):
    make_app = answers.function("make_app")
    try:
        client, other = _client(make_app), _client(make_app)
    except Incorrect as error:
        if "Duplicated timeseries" in str(error):
            raise Incorrect(
                "make_app() failed the second time: its metrics went to prometheus_client's "
                "global registry, where a name can exist once, so no second app (a test, a "
                "re-run cell) can be built."
            ) from error
        raise
    _send(client)
    families = _families(client)
    counter = families.get("predictions")
    expect(
        counter is not None,
        f"/metrics has no metric named predictions (it has {sorted(families)}): the "
        "dashboards and alerts look for it by that name.",
    )
    expect(
        counter.type == "counter",
        f"predictions is a {counter.type}: a count of events is a Counter, which only goes up "
        "and which rate() understands.",
    )
    counted = {
        s.labels.get("label"): s.value for s in counter.samples if s.name == "predictions_total"
    }
    texts = [text for request in REQUESTS for text in request]
    want = {label: sum(toy_model(t) == label for t in texts) for label in ("POSITIVE", "NEGATIVE")}
    expect(
        None not in counted,
        "predictions has no `label` label: without it PromQL cannot compare the share of "
        "each label, the first sign that the inputs or the model changed.",
    )
    expect(
        set(counted) <= set(want),
        f"predictions has {len(counted)} label values ({sorted(counted)[:3]}...): only a model's "
        "labels belong in a label. Each new value is a new time series; texts would be millions.",
    )
    if sum(counted.values()) == len(REQUESTS):
        raise Incorrect(
            f"predictions counts {len(REQUESTS)}, one per request; {len(texts)} texts were "
            "predicted, so every request of several texts is undercounted."
        )
    expect(
        {label: counted.get(label, 0) for label in want} == want,
        f"After {len(REQUESTS)} requests with {len(texts)} texts, predictions_total says "
        f"{counted}; the model answered {want}.",
    )
    timing = families.get("predict_duration_seconds")
    expect(
        timing is not None,
        f"/metrics has no metric named predict_duration_seconds (it has {sorted(families)}).",
    )
    expect(
        timing.type == "histogram",
        f"predict_duration_seconds is a {timing.type}: a Summary's quantiles cannot be added "
        "up across replicas, a Histogram's buckets can.",
    )
    observed = next(s.value for s in timing.samples if s.name.endswith("_count"))
    expect(
        observed == len(REQUESTS),
        f"predict_duration_seconds observed {observed:g} times for {len(REQUESTS)} requests: "
        "its p99 would describe parts of requests, not what a client waits for.",
    )
    untouched = _families(other).get("predictions")
    expect(
        untouched is None
        or not any(s.value for s in untouched.samples if s.name.endswith("total")),
        "A second app, which served nothing, shows predictions too: each app needs its own "
        "metrics, registered in its own registry.",
    )
    return (
        f"predictions_total {want} and a latency histogram of {len(REQUESTS)} requests, in "
        "Prometheus' text format: the same pattern as the service's sentiment_api/metrics.py."
    )
