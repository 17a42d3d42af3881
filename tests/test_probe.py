from __future__ import annotations

import pytest

from launchpad import probe as probe_module
from launchpad.probe import probe


def test_probe_reports_ready_with_the_course_environment(course_model_dir):
    report = probe()
    assert report.ready
    assert report.item("course model").detail.startswith("built, ")
    assert report.lines()[-1] == "Ready for the course."


@pytest.mark.parametrize(
    "which, run, detail",
    [
        (None, None, "no docker command"),
        ("/usr/bin/docker", OSError("boom"), "docker did not answer"),
    ],
    ids=["no-client", "no-answer"],
)
def test_missing_docker_informs_but_never_blocks(monkeypatch, which, run, detail):
    monkeypatch.setattr(probe_module.shutil, "which", lambda name: which)

    def fake_run(*args, **kwargs):
        raise run

    monkeypatch.setattr(probe_module.subprocess, "run", fake_run)
    report = probe(check_model=False)
    docker = report.item("docker engine")
    assert (docker.ok, docker.required, docker.detail) == (False, False, detail)
    assert "setup page" in docker.fix
    assert report.ready


def test_missing_package_is_required_and_says_how_to_fix(monkeypatch):
    monkeypatch.setattr(probe_module, "PACKAGES", ("torch", "surely-not-installed-pkg"))
    report = probe(check_model=False)
    item = report.item("surely-not-installed-pkg")
    assert (item.ok, item.fix) == (False, "Run `make lab`, which installs the pinned set.")
    assert not report.ready
    assert "!!  surely-not-installed-pkg" in "\n".join(report.lines())


def test_install_names_cuda_wheels_and_the_cpu_index(monkeypatch):
    """`make install` says in one line how to swap a CUDA PyTorch for the CPU-only build."""

    class Dist:
        def __init__(self, name):
            self.metadata = {"Name": name}

    wheels = [Dist("torch"), Dist("nvidia-cublas-cu12"), Dist("nvidia-cudnn-cu12")]
    monkeypatch.setattr(probe_module.metadata, "distributions", lambda: wheels)
    notice = probe_module.cuda_notice()
    assert "2 CUDA wheels" in notice and probe_module.CPU_INDEX in notice
    monkeypatch.setattr(probe_module.metadata, "distributions", lambda: wheels[:1])
    assert probe_module.cuda_notice() == ""


def test_this_machines_pytorch_is_the_cpu_build():
    assert probe_module.cuda_wheels() == []
