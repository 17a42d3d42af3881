"""A real Prometheus server scrapes the running service with the repository's scrape config,
and PromQL sees exactly the traffic this test sent."""

from __future__ import annotations

import time

from launchpad.loadtest import load, running_service
from launchpad.monitoring import running_prometheus, scrape_config

TEXTS = ["A wonderful film.", "Dreadful and dull.", "Loved every minute.", "Never again."]


def test_prometheus_scrapes_the_traffic_the_service_served(course_model_dir):
    with running_service(model_dir=course_model_dir) as service:
        target = service.base.removeprefix("http://")
        with running_prometheus(target) as prometheus:
            up = prometheus.wait_for('up{job="sentiment-api"}', 1)
            assert up == 1, "Prometheus never scraped the service"
            served = 'sum(http_request_duration_seconds_count{route="/predict",status="200"})'
            # Two waves, each seen by a scrape: a series that appears already at its final value
            # has no increase for rate() to see (counters start when first incremented).
            for total in (20, 40):
                sent = load(service.base, TEXTS, concurrency=4, requests=20)
                assert sent.statuses == {200: 20}
                assert prometheus.wait_for(served, total) == total
            labels = prometheus.query("sum by (label) (model_predictions_total)")
            assert sum(float(r["value"][1]) for r in labels) == 40
            assert {r["metric"]["label"] for r in labels} == {"POSITIVE", "NEGATIVE"}
            rate_query = 'sum(rate(http_request_duration_seconds_count{route="/predict"}[1m]))'
            deadline = time.monotonic() + 15
            while (rate := prometheus.value(rate_query)) is None and time.monotonic() < deadline:
                time.sleep(0.5)
            assert rate is not None and rate > 0


def test_the_scrape_config_is_the_repositorys_with_the_target_filled_in():
    config = scrape_config("127.0.0.1:9999")
    [job] = config["scrape_configs"]
    assert job["job_name"] == "sentiment-api" and job["metrics_path"] == "/metrics"
    assert job["static_configs"] == [{"targets": ["127.0.0.1:9999"]}]
    assert config["global"]["scrape_interval"] == "1s"
