"""The deployment descriptors in deploy/: the validators and checkov that `make lint` runs on them
really reject broken ones, and the rehearsal's contract is read from the files themselves."""

from __future__ import annotations

import shutil

import pytest
import yaml

from launchpad.deploy import contract, validate
from launchpad.deploy.render import render_cloudrun
from launchpad.linters import checkov


@pytest.fixture
def deploy(repo, tmp_path):
    """A scratch copy of deploy/ to break."""
    shutil.copytree(repo / "deploy", tmp_path / "deploy")
    return tmp_path / "deploy"


def edit_yaml(path, change):
    docs = list(yaml.safe_load_all(path.read_text()))
    change(docs[0])
    path.write_text(yaml.safe_dump_all(docs))


def container(doc):
    return doc["spec"]["template"]["spec"]["containers"][0]


def test_the_reference_descriptors_are_valid(repo):
    problems = [
        p for f in (repo / "deploy/k8s").glob("*.yaml") for p in validate.kubernetes_problems(f)
    ]
    problems += validate.cloudrun_problems(repo / "deploy/cloudrun/service.yaml")
    problems += validate.beanstalk_problems(repo / "deploy/elasticbeanstalk")
    assert not problems


def test_a_misspelt_kubernetes_field_is_an_error(deploy):
    path = deploy / "k8s/deployment.yaml"
    edit_yaml(path, lambda d: container(d).update(livenesProbe=container(d).pop("livenessProbe")))
    [problem] = validate.kubernetes_problems(path)
    assert "livenesProbe" in problem and "containers.0" in problem


def test_cloud_run_refuses_unknown_fields_and_a_port_variable_of_your_own(deploy):
    path = deploy / "cloudrun/service.yaml"

    def break_it(doc):
        container(doc)["readinessProbes"] = {}
        container(doc)["env"].append({"name": "PORT", "value": "9000"})

    edit_yaml(path, break_it)
    problems = "\n".join(validate.cloudrun_problems(path))
    assert "readinessProbes" in problems
    assert "env.1.name" in problems  # PORT is Cloud Run's to set


def test_beanstalk_refuses_a_v2_dockerrun_and_an_unknown_namespace(deploy):
    bundle = deploy / "elasticbeanstalk"
    dockerrun = bundle / "Dockerrun.aws.json"
    dockerrun.write_text(dockerrun.read_text().replace('"1"', '"2"', 1))
    config = bundle / ".ebextensions/01-service.config"
    config.write_text(config.read_text().replace("aws:autoscaling:asg", "aws:autoscalling:asg"))
    problems = "\n".join(validate.beanstalk_problems(bundle))
    assert "AWSEBDockerrunVersion" in problems and "aws:autoscalling:asg" in problems


def test_checkov_fails_a_deployment_that_runs_as_root_without_probes(deploy):
    path = deploy / "k8s/deployment.yaml"

    def root(doc):
        del doc["spec"]["template"]["spec"]["securityContext"]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            del container(doc)[probe]
        container(doc)["securityContext"] = {"privileged": True}

    edit_yaml(path, root)
    failed = "\n".join(checkov(deploy / "k8s", "kubernetes"))
    for check in ("CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_16", "CKV_K8S_23"):
        assert check in failed  # liveness, readiness, privileged, root admitted


def test_the_contract_is_read_from_the_descriptor(deploy):
    path = deploy / "k8s/deployment.yaml"

    def change(doc):
        pod = doc["spec"]["template"]["spec"]
        pod["terminationGracePeriodSeconds"] = 45
        container(doc)["resources"]["limits"]["memory"] = "1536Mi"
        container(doc)["ports"][0]["containerPort"] = 9090

    edit_yaml(path, change)
    read = contract.from_kubernetes(path)
    assert (read.port, read.memory, read.grace_s) == (9090, "1536Mi", 45)
    assert {p.port for p in read.probes} == {9090}  # probes name the port `http`
    assert "--memory=1610612736" in read.docker_run_args()
    assert read.read_only and read.tmpfs == (("/tmp", "64Mi"),) and read.user == "10001:10001"


def test_a_release_renders_the_cloud_run_service_with_its_image(repo, tmp_path):
    source = repo / "deploy/cloudrun/service.yaml"
    image = "europe-west1-docker.example/p/r/sentiment-api:v1.2.0"
    rendered = render_cloudrun(source, image, tmp_path / "service.yaml")
    assert container(yaml.safe_load(rendered.read_text()))["image"] == image
    with pytest.raises(ValueError, match="image"):
        render_cloudrun(source, "", tmp_path / "empty.yaml")
