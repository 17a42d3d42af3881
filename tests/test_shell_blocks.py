"""Every shell command a lesson, an exercise or a page shows is run here, as a learner runs it:
in a terminal at the root of a copy of the repository, with the course's environment active,
against 127.0.0.1 (issue 18).

The inventory of blocks is computed (`launchpad.authoring.shell_blocks.find_blocks`); `HOW` maps
each one to how it runs. A new block without an entry fails `test_every_block_has_a_runner`.
Each entry may replace what cannot run here with a stand-in, and says so:

- `adapt` / `instead`: a free port for a fixed one, a placeholder filled in (`<project>`), an
  option that keeps a browser closed. Never the command's substance.
- `serve`: the command starts a server: it is started in the background (as in a second
  terminal), probed until it answers, and stopped at the end.
- `offline`: not run, with the reason (a cloud account, root, or this suite itself); what the
  offline tools can check is checked instead (`stand_in`, and the entry's `check`).
- `workspace`: the learner's workspace as it is at the end of that exercise.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from launchpad.authoring.shell_blocks import (
    Command,
    Result,
    ShellBlock,
    Terminal,
    bare,
    find_blocks,
    learner_clone,
    learner_env,
    link_environment,
    one_line,
    workspace_after,
)
from launchpad.net import free_port, wait_ready
from launchpad.paths import link_or_copy

TOKEN = "shell-block-test"
SERVER_TIMEOUT = 300  # a JupyterLab or an MLflow server on a busy 2-core machine


# --- how a block runs ---------------------------------------------------------------------


@dataclass(frozen=True)
class Offline:
    why: str
    stand_in: str | None = None  # what runs instead, offline; it must succeed


@dataclass(frozen=True)
class Probe:
    path: str  # answers 200 once the server is up
    port: str = "{port}"


@dataclass
class Run:
    """One block's run: the terminal, what each command gave, and the test's own scratch."""

    block: ShellBlock
    terminal: Terminal
    root: Path  # the repository copy
    tmp: Path
    values: dict[str, str]
    hub_cache: Callable  # conftest's `hub_cache`: a model laid out as a Hub download
    results: dict[str, Result] = field(default_factory=dict)  # learner's command -> result
    skipped: dict[str, str] = field(default_factory=dict)  # learner's command -> why

    def fill(self, text: str) -> str:
        for key, value in self.values.items():
            text = text.replace("{" + key + "}", value)
        return text

    def result(self, key: str) -> Result:
        [found] = [r for c, r in self.results.items() if matches(key, c)]
        return found

    def cwd(self) -> Path:
        return Path(self.terminal.run("pwd").stdout.strip())


Hook = Callable[[Run], None]


@dataclass(frozen=True)
class How:
    """How one block runs. The tables are keyed by command (see `matches`)."""

    adapt: dict[str, str] = field(default_factory=dict)  # text -> stand-in, in every command
    instead: dict[str, str] = field(default_factory=dict)  # command -> what runs instead
    serve: dict[str, Probe] = field(default_factory=dict)  # command -> what answers once it is up
    offline: dict[str, Offline] = field(default_factory=dict)  # command -> why it does not run
    tty: dict[str, tuple[str, int]] = field(default_factory=dict)  # command -> (typed, status)
    before: dict[str, Hook] = field(default_factory=dict)  # command -> the test's own step
    after: dict[str, Hook] = field(default_factory=dict)
    workspace: str | None = None  # as at the end of this exercise
    outside: bool = False  # starts outside the repository (it clones it)
    env: dict[str, str] = field(default_factory=dict)
    prepare: Hook | None = None
    check: Hook | None = None  # after the last command, servers still up
    timeout: float = 600


def matches(key: str, text: str) -> bool:
    """A key is a command as shown (without its `NAME=value` assignments), or `start *` for
    every command that starts so."""
    if key.endswith(" *"):
        return (bare(text) + " ").startswith(key[:-1])
    return bare(text) == key


def matching(table: dict, command: Command):
    return next((v for k, v in table.items() if matches(k, command.text)), None)


def key_of(block: ShellBlock) -> str:
    page = re.split(r", cell |:(?=\d+$)", block.places[0])[0]
    return f"{page}: {one_line(block.commands[0].text)}"


# --- stand-ins and checks, block by block ---------------------------------------------------


# `make lab` with no browser to open, on a free port, with a token the test knows.
LAB = f"make lab NO_BROWSER=1 LAB_PORT={{port}} LAB_ARGS=--IdentityProvider.token={TOKEN}"


LAB_PROBE = Probe(f"/lab?token={TOKEN}")


def lab_serves_the_course(run: Run) -> None:
    url = f"http://127.0.0.1:{run.values['port']}/api/contents/exercises?token={TOKEN}"
    names = {item["name"] for item in httpx.get(url, timeout=30).json()["content"]}
    assert "00-welcome.ipynb" in names, f"JupyterLab should serve the course's exercises: {names}"


def hub_model_in_cache(run: Run) -> None:
    """Stand-in for the one download: the course model laid out in a Hugging Face cache under
    that Hub id, as `huggingface_hub` stores a download (the tests never reach the Hub)."""
    run.hub_cache("distilbert-base-uncased-finetuned-sst-2-english")


def lab_kernels_load_the_hub_model(run: Run) -> None:
    lab_serves_the_course(run)
    # A kernel of that JupyterLab inherits its environment: LAUNCHPAD_MODEL and the cache.
    found = run.terminal.run(
        "LAUNCHPAD_MODEL=distilbert-base-uncased-finetuned-sst-2-english python -c "
        "'from launchpad.model import resolve; print(resolve().path)'"
    )
    assert found.status == 0, found.tail()
    assert str(run.hub_cache.root) in found.stdout, found.stdout


def model_dir_is_one_folder(run: Run) -> None:
    captured = run.terminal.run('printf "%s" "$MODEL_DIR"').stdout
    assert "\n" not in captured, f"MODEL_DIR captured more than one line: {captured!r}"
    assert (Path(captured) / "config.json").is_file(), f"MODEL_DIR is not a model: {captured!r}"


def predicts_positive(prefix: str) -> Hook:
    """The command's reply is a positive prediction: the reference service's shape, or the
    learner's (module 02's `{"label": ..., "score": ...}`)."""

    def check(run: Run) -> None:
        reply = json.loads(run.result(prefix).stdout)
        prediction = reply["predictions"][0] if "predictions" in reply else reply
        assert prediction["label"] == "POSITIVE", reply

    return check


def its_tests_passed(prefix: str) -> Hook:
    def check(run: Run) -> None:
        output = run.result(prefix).stdout
        assert re.search(r"\d+ passed", output) and "failed" not in output, output[-2000:]

    return check


def cloudrun_descriptor(run: Run) -> None:
    """`make cloudrun-service` ran for real; the gcloud lines read what it wrote and name the
    service it declares; each gcloud command and option exists in gcloud's own command tree
    (its static completion table: offline, when the Cloud SDK is installed)."""
    descriptor = yaml.safe_load((run.root / "build" / "cloudrun-service.yaml").read_text())
    assert descriptor["metadata"]["name"] == "sentiment-api"
    image = descriptor["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.invalid/my-project/sentiment/sentiment-api:v1.0.0", image
    gcloud_lines = [c for c in run.skipped if c.startswith("gcloud")]
    assert any("replace build/cloudrun-service.yaml" in c for c in gcloud_lines)
    named = [c for c in gcloud_lines if " run services " in c and " replace " not in c]
    assert named and all(" sentiment-api " in c for c in named), named
    tree = gcloud_tree()
    if tree is not None:
        for line in gcloud_lines:
            for command in line.split(" && "):
                assert_in_gcloud_tree(tree, command)


def gcloud_tree() -> dict | None:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    table = Path(gcloud).resolve().parents[1] / "data" / "cli" / "gcloud_completions.py"
    if not table.is_file():
        return None
    namespace: dict = {}
    exec(compile(table.read_text(), str(table), "exec"), namespace)
    return namespace["STATIC_COMPLETION_CLI_TREE"]


def assert_in_gcloud_tree(tree: dict, command: str) -> None:
    words = shlex.split(command)[1:]
    node, path = tree, ["gcloud"]
    while words and words[0] in node.get("commands", {}):
        node = node["commands"][words[0]]
        path.append(words.pop(0))
    assert not node.get("commands"), f"{command!r}: `{' '.join(path)}` needs a subcommand"
    for word in words:
        if word.startswith("--"):
            flag = word.split("=")[0]
            assert flag in node["flags"] or flag in tree["flags"], (
                f"{command!r}: `{' '.join(path)}` has no option {flag}"
            )


def beanstalk_bundle(run: Run) -> None:
    here = run.cwd()
    assert here.name == "elasticbeanstalk", here
    bundle = json.loads((here / "Dockerrun.aws.json").read_text())
    assert bundle["Image"]["Name"], bundle
    configs = sorted((here / ".ebextensions").glob("*.config"))
    assert configs, "the block says the scaling and health check are in .ebextensions/"
    for config in configs:
        assert isinstance(yaml.safe_load(config.read_text()), dict), config


def kubernetes_manifests(run: Run) -> None:
    """What the kubectl lines name exists in the manifests they apply: the files, the
    namespace, the deployment and its container `api`, the service and its port 80."""
    objects = []
    for line in run.skipped:
        for path in re.findall(r"-f (\S+)", line):
            target = run.root / path
            assert target.exists(), f"{line!r}: no {path}"
            files = sorted(target.glob("*.yaml")) if target.is_dir() else [target]
            for file in files:
                objects += [d for d in yaml.safe_load_all(file.read_text()) if d]
    named = {(o["kind"].lower(), o["metadata"]["name"]): o for o in objects}
    assert ("namespace", "sentiment") in named
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == "sentiment", obj["metadata"]
    deployment = named[("deployment", "sentiment-api")]
    containers = [c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert "api" in containers, containers  # `set image deployment/sentiment-api api=...`
    ports = [p["port"] for p in named[("service", "sentiment-api")]["spec"]["ports"]]
    assert 80 in ports, ports  # `port-forward service/sentiment-api 8080:80`


def team_server_allows_its_clients(run: Run) -> None:
    """A client of `MLFLOW_TRACKING_URI=http://mlflow.example.internal:5000` (the lesson's)
    sends `Host: mlflow.example.internal:5000`; the server must accept it, and refuse others."""
    url = f"http://127.0.0.1:{run.values['port']}/api/2.0/mlflow/experiments/search"
    ok = httpx.get(url, params={"max_results": 1}, headers={"Host": "mlflow.example.internal:5000"})
    assert ok.status_code == 200, f"{ok.status_code}: {ok.text[:200]}"
    other = httpx.get(url, params={"max_results": 1}, headers={"Host": "elsewhere.example:5000"})
    assert other.status_code == 403, other.status_code


def two_registries(run: Run) -> None:
    """A registered model in each store the two lines name, so each UI shows its own."""
    stores = {"workspace": "in-workspace", "workspace/lesson-08": "in-lesson-08"}
    script = (
        "import sys\n"
        "from mlflow import MlflowClient\n"
        "for uri, name in zip(sys.argv[1::2], sys.argv[2::2]):\n"
        "    MlflowClient(uri).create_registered_model(name)\n"
    )
    args = []
    for store, name in stores.items():
        (run.root / store / "mlflow").mkdir(parents=True)
        args += [f"sqlite:///{run.root / store / 'mlflow' / 'mlflow.db'}", name]
    made = run.terminal.run(f"python -c {shlex.quote(script)} {shlex.join(args)}", timeout=300)
    assert made.status == 0, made.tail()


def each_ui_reads_its_store(run: Run) -> None:
    for port, name in (("port", "in-workspace"), ("port2", "in-lesson-08")):
        url = f"http://127.0.0.1:{run.values[port]}/api/2.0/mlflow/registered-models/search"
        found = [m["name"] for m in httpx.get(url, timeout=30).json()["registered_models"]]
        assert found == [name], f"the UI on {url} shows {found}, not the store its line names"


def pip_reads_the_index(run: Run) -> None:
    seen = run.terminal.run("python -m pip config debug")
    assert "PIP_EXTRA_INDEX_URL='https://download.pytorch.org/whl/cpu'" in seen.stdout, seen.tail()


def prometheus_tools(run: Run) -> None:
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        pytest.skip("Prometheus is not installed here: nothing offline to check")
    for tool in ("prometheus", "promtool"):  # the page's own check after the install
        answer = run.terminal.run(f"{tool} --version")
        assert answer.status == 0 and "version" in answer.stdout + answer.stderr, answer.tail()


def progress_line(run: Run) -> None:
    shown = run.result(".venv/bin/python -c *").stdout
    # The dashboard as text: the totals, then one line per module of the course.
    from launchpad.questions import module_ids

    assert shown.startswith("Progress: "), shown
    for module in module_ids():
        assert re.search(rf"^{module}\b.*\d+/\d+", shown, re.M), f"no line for {module}:\n{shown}"


def a_cohort_worked_here(run: Run) -> None:
    notebook = run.root / "exercises" / "00-welcome.ipynb"
    notebook.write_text(notebook.read_text().replace("____", "{'model': 'C'}", 1))


def nothing_changed_yet(run: Run) -> None:
    result = run.result("make workshop-reset")
    assert "Reset now? [y/N]" in result.stdout, result.tail()
    assert "{'model': 'C'}" in (run.root / "exercises" / "00-welcome.ipynb").read_text()
    assert (run.root / "workspace" / "api" / "main.py").is_file()


def reset_done_with_a_backup(run: Run) -> None:
    assert "Reset done" in run.result("make workshop-reset YES=1").stdout
    assert not any(p for p in (run.root / "workspace").iterdir() if p.name != ".launchpad"), sorted(
        p.name for p in (run.root / "workspace").iterdir()
    )
    [backup] = (run.root / "workspace-backups").iterdir()
    assert (backup / "workspace" / "api" / "main.py").is_file(), sorted(backup.rglob("*"))
    assert "{'model': 'C'}" not in (run.root / "exercises" / "00-welcome.ipynb").read_text()


def same_json_lines(run: Run) -> None:
    """A console block's output: the same JSON lines, numbers aside (timings and scores vary)."""
    for command, result in run.results.items():
        [shown] = [c for c in run.block.commands if c.text == command]
        got = result.stdout.strip().splitlines()
        assert len(got) == len(shown.output), f"{command}: {got}"
        for expected, line in zip(shown.output, got, strict=True):
            want, have = json.loads(expected), json.loads(line)
            assert want.keys() == have.keys(), (want, have)
            for key, value in want.items():
                if isinstance(value, (int, float)):
                    assert isinstance(have[key], (int, float)), (key, have)
                else:
                    assert have[key] == value, (key, have)


def classroom_running(run: Run) -> None:
    """The instructor's classroom, started as the page's first block starts it (on 127.0.0.1);
    its join code and token are read from what it prints."""
    run.values["port"] = str(free_port())
    server = run.terminal.start(run.fill("make classroom CLASSROOM_PORT={port}"))
    base = run.fill("http://127.0.0.1:{port}")
    wait_ready(base, SERVER_TIMEOUT, died=server.died, path="/api/health")
    printed = server.log.read_text()
    run.values["code"] = re.search(r"Join code: (\w+)", printed)[1]
    run.values["token"] = re.search(r"\?token=(\S+)", printed)[1]


def classroom_prints_the_join_line(run: Run) -> None:
    [server] = run.terminal.servers
    printed = server.log.read_text()
    # The line learners run, in the form of the page's second block.
    join = run.fill(r"make join ADDRESS=http://127\.0\.0\.1:{port} CODE=\w+ NAME='Their Name'")
    assert re.search(join, printed), printed
    token = re.search(r"\?token=(\S+)", printed)[1]
    page = httpx.get(run.fill("http://127.0.0.1:{port}/"), params={"token": token}, timeout=30)
    assert page.status_code == 200, page.status_code


def learner_on_the_board(run: Run) -> None:
    board = httpx.get(
        run.fill("http://127.0.0.1:{port}/api/board"),
        params={"token": run.values["token"]},
        timeout=30,
    )
    assert "Ada Lovelace" in board.text, board.text[:500]


def grading_runs_in_its_own_test(run: Run) -> None:
    graded = (run.root / "tests" / "test_capstone_grading.py").read_text()
    for command in run.skipped:
        criterion = command.split()[-1]
        assert criterion in {c.id for c in grading_criteria()} | {"stop"}, command
    assert '"grading/grade.py"' in graded, "test_capstone_grading.py no longer runs the grader"


def grading_criteria():
    from launchpad.capstone import grading

    return grading.CRITERIA


def remove_container(run: Run) -> None:
    """Whatever the block left: its container (`--rm` removes it a moment after it stops, so
    wait for that) and its image."""
    name = run.values["image"]
    gone = run.terminal.run(
        f"docker rm --force {name} >/dev/null 2>&1; for _ in $(seq 60); do "
        f'[ -z "$(docker ps --all --quiet --filter name=^{name}$)" ] && break; sleep 0.5; done; '
        f"docker image rm --force {name} >/dev/null 2>&1; docker image inspect {name}"
    )
    assert gone.status != 0, f"the image {name} is still there"


def link_the_environment(run: Run) -> None:
    # `make lab` in a fresh clone would create .venv from the package index first (make install);
    # the suite's own environment stands in for it.
    link_environment(run.cwd())


# The commands of `docs/contributing.md` and the README that are this suite or its authoring.
SUITE = "this suite itself (`make test`); only checked to be a make target here"
LINT = "the first prerequisite of `make test`, run on every run; only checked to be a target here"
NOTEBOOKS = (
    "re-executes every lesson and solution and rewrites them; the suite's nbval run checks "
    "that they re-execute to their stored outputs"
)

GRADING = (
    "runs in a learner's capstone portfolio, outside the course's folder, after its `make "
    "context`: tests/test_capstone_grading.py runs these commands as the workflow does, on the "
    "reference portfolio and the course's engine"
)

# MLflow's servers start four worker processes and a job runner; one worker and no jobs serve
# the test's few requests (with four, a start took over five minutes on a busy 2-core machine).
ONE_MLFLOW_WORKER = {"MLFLOW_WORKERS": "1", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}

HOW: dict[str, How] = {
    # --- lessons
    "notebooks/01-load-a-pretrained-model.ipynb: "
    "LAUNCHPAD_MODEL=distilbert-base-uncased-finetuned-sst-2-english make lab": How(
        instead={
            "make lab": "LAUNCHPAD_MODEL=distilbert-base-uncased-finetuned-sst-2-english " + LAB
        },
        serve={"make lab": LAB_PROBE},
        prepare=hub_model_in_cache,
        env={"HF_HUB_CACHE": "{tmp}/hub"},  # conftest's hub_cache; HF_HUB_OFFLINE=1 as always
        check=lab_kernels_load_the_hub_model,
    ),
    'notebooks/02-wrap-it-in-an-api.ipynb: export MODEL_DIR="$(make -s model)"': How(
        adapt={"8000": "{port}"},
        serve={".venv/bin/python -m sentiment_api": Probe("/readyz")},
        after={"export MODEL_DIR": model_dir_is_one_folder},
        check=predicts_positive("curl *"),
    ),
    "notebooks/05-deploy-to-the-cloud.ipynb: "
    "gcloud auth login && gcloud config set project <project>": How(
        adapt={"<region registry host>": "registry.invalid", "<project>": "my-project"},
        offline={"gcloud *": Offline("needs a Google Cloud account and project")},
        check=cloudrun_descriptor,
    ),
    "notebooks/05-deploy-to-the-cloud.ipynb: cd deploy/elasticbeanstalk": How(
        offline={"eb *": Offline("needs an AWS account and the EB CLI")},
        check=beanstalk_bundle,
    ),
    "notebooks/05-deploy-to-the-cloud.ipynb: "
    "kubectl apply -f deploy/k8s/namespace.yaml -f deploy/k8s/": How(
        offline={"kubectl *": Offline("needs a Kubernetes cluster (client dry runs need one too)")},
        check=kubernetes_manifests,
    ),
    "notebooks/08-automate-the-model-lifecycle.ipynb: mlflow server "
    "--backend-store-uri postgresql://mlflow@db.example.internal/mlflow "
    "--artifacts-destination s3://example-models/mlflow "
    "--host 0.0.0.0 --port 5000 --allowed-hosts mlflow.example.internal:5000": How(
        # The team's database and object store, stood in for by a sqlite file and a folder.
        adapt={
            "postgresql://mlflow@db.example.internal/mlflow": "sqlite:///{tmp}/team.db",
            "s3://example-models/mlflow": "{tmp}/artifacts",
            "--host 0.0.0.0": "--host 127.0.0.1",
            "--port 5000": "--port {port}",
        },
        serve={"mlflow server *": Probe("/health")},
        env=ONE_MLFLOW_WORKER,
        check=team_server_allows_its_clients,
    ),
    "notebooks/08-automate-the-model-lifecycle.ipynb: make mlflow-ui": How(
        instead={
            "make mlflow-ui": "make mlflow-ui MLFLOW_PORT={port}",
            "make mlflow-ui LAUNCHPAD_WORKSPACE=workspace/lesson-08": (
                "make mlflow-ui LAUNCHPAD_WORKSPACE=workspace/lesson-08 MLFLOW_PORT={port2}"
            ),
        },
        serve={
            "make mlflow-ui": Probe("/health"),
            "make mlflow-ui LAUNCHPAD_WORKSPACE=workspace/lesson-08": Probe("/health", "{port2}"),
        },
        env=ONE_MLFLOW_WORKER,
        prepare=two_registries,
        check=each_ui_reads_its_store,
    ),
    # --- exercises (and their solutions)
    'solutions/01-load-a-pretrained-model.ipynb: python workspace/predict.py "Loved it" '
    '"Hated it"': How(workspace="01", check=same_json_lines),
    "solutions/02-wrap-it-in-an-api.ipynb: "
    "cd workspace && ../.venv/bin/uvicorn api.main:app --port 8000": How(
        workspace="02",
        adapt={"8000": "{port}"},
        serve={"cd workspace && ../.venv/bin/uvicorn *": Probe("/readyz")},
        check=its_tests_passed("cd workspace && ../.venv/bin/python -m pytest"),
    ),
    "solutions/03-package-it-in-a-container.ipynb: "
    'eval "$(python -m launchpad.containers.engine)"': How(
        workspace="03",
        # A free port, and a tag and container name of the test's own (a shared engine). The
        # wait for /readyz is longer: on a CI machine shared with other jobs, the container took
        # 50 s to be ready, where a 2-core laptop takes about ten.
        adapt={"8000": "{port}", "my-sentiment-api": "{image}", "--retry 30 ": "--retry 300 "},
        check=predicts_positive(
            "curl --fail --silent --write-out '\\n' http://127.0.0.1:8000/predict *"
        ),
        timeout=1800,  # the first build on a machine makes the base image too
    ),
    "solutions/04-automate-with-ci-cd.ipynb: cd workspace": How(
        workspace="04", check=its_tests_passed("make lint test")
    ),
    # --- pages
    "README.md: make lab": How(
        instead={"make lab": LAB},
        serve={"make lab": LAB_PROBE},
        offline={"make test": Offline(SUITE, stand_in="make -n test")},
        check=lab_serves_the_course,
    ),
    "docs/contributing.md: make notebooks": How(
        offline={
            "make notebooks": Offline(NOTEBOOKS, stand_in="make -n notebooks"),
            "make lint": Offline(LINT, stand_in="make -n lint"),
            "make test": Offline(SUITE, stand_in="make -n test"),
        }
    ),
    "docs/index.md: git clone <this repository> && cd mlops-launchpad": How(
        outside=True,
        adapt={"<this repository>": "{origin}"},
        instead={"make lab": LAB},
        before={"make lab": link_the_environment},
        serve={"make lab": LAB_PROBE},
        check=lab_serves_the_course,
    ),
    "docs/setup.md: make lab": How(
        instead={"make lab": LAB}, serve={"make lab": LAB_PROBE}, check=lab_serves_the_course
    ),
    "docs/setup.md: export PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu": How(
        check=pip_reads_the_index
    ),
    "docs/setup.md: "
    "sudo apt-get install prometheus && sudo systemctl disable --now prometheus": How(
        offline={
            "sudo *": Offline("needs root and the network, and changes the machine's services")
        },
        check=prometheus_tools,
    ),
    "docs/workshop/classroom.md: make classroom HOST=0.0.0.0": How(
        # On 127.0.0.1: HOST=0.0.0.0 opens it to the room's network, which tests never use.
        instead={
            "make classroom HOST=0.0.0.0": "make classroom HOST=127.0.0.1 CLASSROOM_PORT={port}"
        },
        serve={"make classroom HOST=0.0.0.0": Probe("/api/health")},
        check=classroom_prints_the_join_line,
    ),
    "docs/workshop/classroom.md: "
    "make join ADDRESS=http://192.168.1.20:8765 CODE=K7Q4PX NAME='Ada Lovelace'": How(
        prepare=classroom_running,
        adapt={"http://192.168.1.20:8765": "http://127.0.0.1:{port}", "K7Q4PX": "{code}"},
        check=learner_on_the_board,
    ),
    "docs/workshop/classroom.md: python grading/grade.py build": How(
        offline={"python grading/grade.py *": Offline(GRADING)},
        check=grading_runs_in_its_own_test,
    ),
    "docs/workshop/index.md: .venv/bin/python -c "
    '"from launchpad.progress.views import report; print(report())"': How(
        workspace="01", check=progress_line
    ),
    "docs/workshop/index.md: make workshop-reset": How(
        workspace="02",
        prepare=a_cohort_worked_here,
        tty={"make workshop-reset": ("n\n", 2)},  # it asks; the answer is no (make says 2)
        after={"make workshop-reset": nothing_changed_yet},
        check=reset_done_with_a_backup,
    ),
}


# --- the tests ------------------------------------------------------------------------------

BLOCKS = find_blocks()


def test_every_block_has_a_runner():
    keys = [key_of(b) for b in BLOCKS]
    missing = [f"{k}  ({b.describe()})" for k, b in zip(keys, BLOCKS, strict=True) if k not in HOW]
    assert not missing, (
        "Shell blocks with no entry in tests/test_shell_blocks.py's HOW (say how each runs, or "
        "why it cannot run here):\n" + "\n".join(missing)
    )
    stale = sorted(set(HOW) - set(keys))
    assert not stale, f"HOW entries that match no block any more: {stale}"


def test_the_inventory_finds_every_kind_of_block(tmp_path):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(
        "Text.\n\n- a list item:\n\n  ```console\n  $ make model\n  /some/folder\n  ```\n\n"
        "```python\n!pip list\nprint(1)\n```\n\n"
        "```bash\ngcloud run deploy x \\\n  --region r   # a comment\n"
        "# roll back:  gcloud run services delete x\n# an ordinary comment\n```\n"
    )
    (tmp_path / "README.md").write_text("```sh\nmake lab  # start\n```\n")
    blocks = {b.places[0]: b for b in find_blocks(tmp_path)}
    assert set(blocks) == {"README.md:1", "docs/page.md:5", "docs/page.md:10", "docs/page.md:15"}
    console = blocks["docs/page.md:5"].commands
    assert [(c.text, c.output) for c in console] == [("make model", ("/some/folder",))]
    assert [c.text for c in blocks["docs/page.md:10"].commands] == ["pip list"]
    cloud = blocks["docs/page.md:15"].commands
    assert [(c.text, c.in_comment) for c in cloud] == [
        ("gcloud run deploy x \\\n  --region r", False),
        ("gcloud run services delete x", True),
    ]
    assert blocks["README.md:1"].commands[0].comment == "start"


def test_the_terminal_keeps_its_state_and_stops_its_servers(tmp_path):
    with Terminal(tmp_path, dict(os.environ), tmp_path / "scratch") as terminal:
        assert terminal.run("mkdir sub && cd sub && export GREETING=hello").status == 0
        assert terminal.run('pwd; echo "$GREETING"').stdout.split() == [
            str(tmp_path / "sub"),
            "hello",
        ]
        assert terminal.run("false").status == 1
        asked = terminal.run('read -p "Go? " answer; echo "got $answer"; [ -t 0 ]', tty_input="y\n")
        assert asked.status == 0 and "got y" in asked.stdout, asked  # on a terminal, as typed
        server = terminal.start("sleep 600")
        assert server.died() is None
    assert server.died() is not None


@pytest.mark.parametrize("block", BLOCKS, ids=[key_of(b)[:90] for b in BLOCKS])
def test_shell_block_runs_as_shown(block, tmp_path, hub_cache):
    how = HOW.get(key_of(block))
    if how is None:
        pytest.fail("no entry in HOW: see test_every_block_has_a_runner")
    assert hub_cache.root == tmp_path / "hub"  # where the entries' `{tmp}/hub` points
    run_block(block, how, tmp_path, hub_cache)


def run_block(block: ShellBlock, how: How, tmp: Path, hub_cache: Callable) -> Run:
    values = {"tmp": str(tmp), "image": f"launchpad-shell-block-{os.getpid()}"}
    if how.outside:
        origin = learner_clone(tmp / "remote" / "mlops-launchpad")  # what a learner clones
        subprocess.run(["git", "add", "-A"], cwd=origin, check=True)
        commit = ["git", "-c", "user.name=course", "-c", "user.email=course@example.invalid"]
        subprocess.run([*commit, "commit", "-qm", "the course"], cwd=origin, check=True)
        values["origin"] = str(origin)
        home = tmp / "home"
        home.mkdir()
        root, cwd = home / "mlops-launchpad", home
    else:
        root = cwd = learner_clone(tmp / "mlops-launchpad")
    if how.workspace:
        workspace_after(root, how.workspace)
    env = {**learner_env(root), **{k: v.replace("{tmp}", str(tmp)) for k, v in how.env.items()}}
    with Terminal(cwd, env, tmp / "terminal") as terminal:
        run = Run(block, terminal, root, tmp, values, hub_cache)
        try:
            _run_commands(run, how)
        finally:
            if "{image}" in how.adapt.values():
                remove_container(run)
    return run


def _run_commands(run: Run, how: How) -> None:
    if how.prepare:
        how.prepare(run)
    used: set[str] = set()
    for command in run.block.commands:
        offline = matching(how.offline, command)
        if offline is not None:
            run.skipped[command.text] = offline.why
            if offline.stand_in:
                done = run.terminal.run(offline.stand_in, timeout=how.timeout)
                assert done.status == 0, f"{offline.stand_in}:\n{done.tail()}"
            continue
        assert not command.in_comment, f"{command.text!r} is shown in a comment: mark it offline"
        text = matching(how.instead, command) or command.text
        for shown, stand_in in how.adapt.items():
            used.update([shown] if shown in text else [])
            text = text.replace(shown, stand_in)
        for name in re.findall(r"\{(port\d?)\}", text):
            run.values.setdefault(name, str(free_port()))
        text = run.fill(text)
        if hook := matching(how.before, command):
            hook(run)
        if probe := matching(how.serve, command):
            server = run.terminal.start(text)
            base = f"http://127.0.0.1:{run.fill(probe.port)}"
            wait_ready(base, SERVER_TIMEOUT, died=server.died, path=run.fill(probe.path))
        else:
            typed, status = matching(how.tty, command) or (None, 0)
            result = run.terminal.run(text, timeout=how.timeout, tty_input=typed)
            run.results[command.text] = result
            assert result.status == status, (
                f"`{command.text}` ({run.block.describe()}) exited with {result.status}, as run "
                f"here:\n{text}\n{result.tail()}"
            )
        if hook := matching(how.after, command):
            hook(run)
    # A stand-in that matches nothing any more would leave a command running unadapted.
    assert used == set(how.adapt), f"adaptations that match no command: {set(how.adapt) - used}"
    shown = [c.text for c in run.block.commands]
    stale = [k for k in how.instead if not any(matches(k, c) for c in shown)]
    assert not stale, f"`instead` entries that match no command: {stale}"
    if how.check:
        how.check(run)


def test_model_dir_is_one_folder_while_make_lab_still_builds(
    tmp_path, monkeypatch, course_model_dir, course_onnx_dir
):
    """Lesson 02's `export MODEL_DIR="$(make -s model)"` while the background build that
    `make lab` started still holds the model's lock: the capture must still be one folder."""
    from launchpad.model.build import model_dir
    from launchpad.model.build_lock import exclusive
    from launchpad.paths import CACHE_VAR

    monkeypatch.setenv(CACHE_VAR, str(tmp_path / "cache"))
    folder = model_dir()
    folder.parent.mkdir(parents=True)
    clone = learner_clone(tmp_path / "mlops-launchpad")
    with exclusive(folder):  # the background build, still running
        make = subprocess.Popen(
            ["make", "-s", "model"],
            cwd=clone,
            env=learner_env(clone),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen = _read_until(make, "Waiting for the course model", timeout=300)
        # The build finishes: the model and its export land in the cache, then the lock goes.
        for source in (course_model_dir, course_onnx_dir):
            shutil.copytree(source, folder.parent / source.name, copy_function=link_or_copy)
    stdout, stderr = make.communicate(timeout=300)
    stdout, stderr = seen["stdout"] + stdout, seen["stderr"] + stderr
    assert make.returncode == 0, stderr
    assert stdout == f"{folder}\n", stdout


def _read_until(process: subprocess.Popen, text: str, timeout: float) -> dict[str, str]:
    """What `process` printed on each stream until `text` appeared on one of them."""
    import selectors
    import time

    seen = {"stdout": "", "stderr": ""}
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, "stdout")
        selector.register(process.stderr, selectors.EVENT_READ, "stderr")
        while text not in seen["stdout"] + seen["stderr"]:
            left = deadline - time.monotonic()
            events = selector.select(left) if left > 0 else []
            assert events, f"no {text!r} within {timeout:.0f} s: {seen}"
            for key, _ in events:
                line = key.fileobj.readline()
                assert line or process.poll() is None, f"exited before {text!r}: {seen}"
                seen[key.data] += line
    return seen
