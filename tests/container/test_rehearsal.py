"""The deploy rehearsal: the real image, run the way each platform's descriptor says it will be
run (port, memory, read-only root, user, probes, grace period), must start, answer and stop."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import yaml

from launchpad.deploy import contract
from launchpad.deploy.rehearse import Rehearsal, RehearsalFailed

PLATFORMS = {
    "cloudrun": "deploy/cloudrun/service.yaml",
    "kubernetes": "deploy/k8s/deployment.yaml",
    "beanstalk": "deploy/elasticbeanstalk",
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_image_keeps_each_platforms_contract(engine, image, repo, platform):
    terms = contract.READERS[platform](repo / PLATFORMS[platform])
    with Rehearsal(engine, image.tag, terms, f"launchpad-rehearsal-{platform}") as rehearsal:
        report = rehearsal.run()
    print("\n" + "\n".join(report.lines()))
    assert report.label == "POSITIVE" and report.uid != "0"
    assert report.exit_code == 0 and report.stop_s < terms.grace_s  # drained, then exit 0


def _deployment(repo, tmp_path, change):
    path = tmp_path / "deployment.yaml"
    shutil.copy(repo / PLATFORMS["kubernetes"], path)
    doc = yaml.safe_load(path.read_text())
    change(doc["spec"]["template"]["spec"]["containers"][0])
    path.write_text(yaml.safe_dump(doc))
    return contract.from_kubernetes(path)


def test_a_changed_descriptor_is_what_gets_rehearsed(engine, image, repo, tmp_path):
    def move_to_9090(container):
        container["ports"][0]["containerPort"] = 9090
        container["env"][0]["value"] = "9090"

    terms = _deployment(repo, tmp_path, move_to_9090)
    with Rehearsal(engine, image.tag, terms, "launchpad-rehearsal-moved") as rehearsal:
        assert rehearsal.run().contract.port == 9090


def test_a_descriptor_that_forgets_to_set_port_fails_its_startup_probe(
    engine, image, repo, tmp_path
):
    def forget_port(container):
        container["env"] = [e for e in container["env"] if e["name"] != "PORT"]
        container["startupProbe"].update(periodSeconds=1, failureThreshold=8)

    terms = _deployment(repo, tmp_path, forget_port)
    expected = pytest.raises(RehearsalFailed, match="startup probe GET /healthz on port 8080")
    with Rehearsal(engine, image.tag, terms, "launchpad-rehearsal-noport") as rehearsal, expected:
        rehearsal.run()


def test_a_service_listening_on_localhost_only_fails_the_rehearsal(engine, image, repo):
    # Every probe from inside would pass; the platform, connecting from outside, would not.
    terms = contract.READERS["cloudrun"](repo / PLATFORMS["cloudrun"])
    local_only = dataclasses.replace(terms, env={**terms.env, "HOST": "127.0.0.1"})
    expected = pytest.raises(RehearsalFailed, match="listens on 127.0.0.1 only")
    with (
        Rehearsal(engine, image.tag, local_only, "launchpad-rehearsal-local") as rehearsal,
        expected,
    ):
        rehearsal.run()
