"""The capstone's audit and portfolio (launchpad.capstone), on an empty workspace, a partial one,
and one filled with every module's reference answers the solutions' way.

The reference workspace is audited for real (every check that reads only the workspace, about a
minute) after a portfolio has been written into it, so the portfolio is shown not to disturb the
earlier checks; the portfolio's own tests run with pytest and its files pass the linters.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree import ElementTree

import pytest
import yaml

from launchpad import capstone, plots, yamlfile
from launchpad.authoring.reference import ensure_project, module_stubs
from launchpad.capstone import (
    ENGINE,
    FAILS,
    MISSING,
    NOT_RECORDED,
    NOTEBOOK,
    PASSED,
    PIECES,
    RECORDED,
    WORKSPACE,
    standalone,
)
from launchpad.capstone.audit import MANY_MISSING
from launchpad.capstone.figures import NotMeasured, image_figures, model_figures
from launchpad.capstone.pieces import missing_pieces
from launchpad.capstone.readme import (
    CHART,
    GENERATED,
    MONITOR_READY,
    MONITOR_TO_ADD,
    figures_chart,
    quantity,
    render_readme,
    serves_metrics,
)
from launchpad.capstone.standalone import DETACHMENTS, course_ties, outside_the_course
from launchpad.checks import DOCKER, Question, question
from launchpad.containers import engine, learner_image
from launchpad.containers.image import wheelhouse
from launchpad.model.build import read_manifest
from launchpad.paths import using_workspace
from launchpad.progress import store
from launchpad.pytest_run import PYTEST_SETTINGS

# The modules whose files a portfolio is made of.
PORTFOLIO_MODULES = ("01", "02", "03", "04", "05", "07")

# The checks that build the learner's image and run it on a Docker engine: module 03's context
# probe, build, run and inspection; module 05's rehearsal of both deploy contracts.
BUILD_AN_IMAGE = {("03", 1), ("03", 3), ("03", 4), ("03", 5), ("05", 5)}


def questions():
    return [q for _, (_, qs) in capstone.earlier_modules().items() for q in qs]


@contextmanager
def engine_refused() -> Iterator[set[str]]:
    """A Docker engine that is never there: every way to reach one (find it, start it, run
    `docker`) refuses, so nothing is built or started, and the set collects which checks tried
    ("03 q1")."""
    reached: set[str] = set()
    checking: list[str] = []
    evaluate = Question.evaluate

    def tracked(question, namespace=None):
        checking.append(f"{question.module} q{question.number}")
        try:
            return evaluate(question, namespace)
        finally:
            checking.pop()

    def refuse(*args, **kwargs):
        reached.add(checking[-1] if checking else "outside a check")
        raise engine.EngineError("no Docker engine in this test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Question, "evaluate", tracked)
        for name in ("find", "find_or_start", "start"):
            patch.setattr(engine, name, refuse)
        patch.setattr(engine.Engine, "docker", refuse)
        yield reached


# ---- What each check reads ------------------------------------------------------------------


def test_every_earlier_module_is_audited_and_the_capstone_is_not():
    from launchpad.questions import MODULES

    assert list(capstone.earlier_modules()) == [m for m in MODULES if m < "09"]
    assert "09" in MODULES


def test_checks_are_sorted_by_what_they_read():
    kinds = {(q.module, q.number): capstone.evidence(q) for q in questions()}
    assert all(kinds[("02", n)] == WORKSPACE for n in range(1, 7))
    assert all(kinds[("04", n)] == WORKSPACE for n in range(1, 7))
    assert kinds[("01", 6)] == kinds[("03", 2)] == kinds[("06", 3)] == kinds[("07", 2)] == WORKSPACE
    assert kinds[("00", 1)] == kinds[("01", 1)] == kinds[("07", 1)] == kinds[("08", 1)] == NOTEBOOK
    assert {k for k, v in kinds.items() if v == ENGINE} == BUILD_AN_IMAGE


def test_evidence_is_what_the_question_declares():
    def rule(answers):
        return None

    assert capstone.evidence(question(names=["softmax"])(rule)) == NOTEBOOK
    assert capstone.evidence(question(files=["Dockerfile"])(rule)) == WORKSPACE
    assert capstone.evidence(question()(rule)) == WORKSPACE
    needs_docker = question(names=["tag"], files=["Dockerfile"], needs=[DOCKER])(rule)
    assert capstone.evidence(needs_docker) == ENGINE


def test_the_audit_reaches_for_no_engine_unless_asked(reference):
    """Every check that builds or runs the image declares DOCKER: the reference audit ran every
    other check that reads the workspace with an engine that refuses, and none reached for it."""
    *_, reached = reference
    assert reached == set()


def test_every_check_that_declares_docker_reaches_for_the_engine(reference):
    """The declarations are not broader than the checks: on the reference workspace each check
    that declares DOCKER reaches for the engine (one that refuses)."""
    folder, *_ = reference
    declared = [q for q in questions() if DOCKER in q.needs]
    assert {(q.module, q.number) for q in declared} == BUILD_AN_IMAGE
    with using_workspace(folder), engine_refused() as reached:
        for q in declared:
            assert q.evaluate({}).status != "correct", f"{q.module} q{q.number}"
    assert reached == {f"{q.module} q{q.number}" for q in declared}


# ---- Empty and partial workspaces -----------------------------------------------------------


def test_an_empty_workspace_is_reported_missing_with_next_steps(workspace):
    report = capstone.audit()
    assert report.workspace == workspace and report.complete and not report.green
    rows = {(r.module, r.number): r for r in report.rows}
    assert rows[("02", 6)].status == MISSING and "tests/test_*.py" in rows[("02", 6)].message
    assert rows[("00", 1)].status == NOT_RECORDED and rows[("03", 3)].status == NOT_RECORDED
    assert {r.status for r in report.rows if r.evidence == WORKSPACE} == {MISSING}
    text = str(report)
    assert "Next steps:" in text and "exercises/07-monitor-it.ipynb, question 2" in text
    assert "- 03: pass q1.check() q3.check() q4.check() q5.check()" in text
    assert "audit(engine=True)" in text and "- 00: pass q1.check() q2.check()" in text


def test_a_learner_who_starts_late_is_told_how_to_fill_in_the_earlier_modules(workspace, capsys):
    """Issue 18: a learner who starts at 07 saw 19 missing checks and no word of how to fill in
    modules 01 to 06; the report says it first, and it says what it runs as it goes."""
    ensure_project(workspace, modules=("07",))
    report = capstone.audit()
    said = capsys.readouterr().out
    assert "… Module 02: running its 6 checks on your files again" in said
    assert "… Module 07: running its check on your files again" in said and "done in" in said
    assert report.count(MISSING) >= MANY_MISSING
    steps = str(report).split("Next steps:\n", 1)[1]
    assert steps.startswith(f"- {report.count(MISSING)} checks find nothing to check.")
    assert "ensure_project(workspace_dir())" in steps.splitlines()[0]
    # A file or two missing is a next step of its own, not a late start.
    ensure_project(workspace, modules=("01", "02"))
    (workspace / "predict.py").unlink()
    few = capstone.audit(modules=("01", "02"))
    assert few.count(MISSING) == 1 and not few.fill_in and "ensure_project" not in str(few)


def test_a_relative_workspace_path_is_the_workspace_itself(workspace, monkeypatch):
    """`audit("../workspace")` from the notebook's folder: the report names the workspace as an
    absolute path (the check compares it with the learner's), and the checks that run tools in
    other folders find it."""
    ensure_project(workspace, modules=("07",))
    monkeypatch.chdir(workspace.parent)
    report = capstone.audit("workspace", modules=("07",))
    assert report.workspace == workspace and report.green, str(report)


def test_image_checks_asked_for_without_an_engine_stay_as_recorded(workspace):
    """audit(engine=True) where no engine can be had: the image checks could not run, so they
    are what progress recorded (with why), never "missing from the workspace"."""
    ensure_project(workspace, modules=("02", "03"))
    store.record("03", "q4")
    learner_image.engine.cache_clear()  # an engine found by an earlier test is not asked again
    try:
        with engine_refused():
            report = capstone.audit(modules=("03",), engine=True)
    finally:
        learner_image.engine.cache_clear()
    rows = {r.number: r for r in report.rows}
    assert rows[2].status == PASSED and rows[4].status == RECORDED
    assert {rows[n].status for n in (1, 3, 5)} == {NOT_RECORDED}, str(report)
    assert report.green and "no Docker engine in this test" in str(report)


def test_recorded_progress_is_reported_with_its_time(workspace):
    store.record("01", "q3")
    store.record("03", "q4")
    report = capstone.audit(modules=("01", "03"))
    rows = {(r.module, r.number): r for r in report.rows}
    assert rows[("01", 3)].status == RECORDED and rows[("01", 3)].recorded
    assert rows[("03", 4)].status == RECORDED and rows[("03", 4)].evidence == ENGINE
    assert not report.complete and list(report.modules) == ["01", "03"]
    assert "q3●" in str(report) and "q4●" in str(report)


def test_a_broken_file_fails_now_and_says_what_to_fix(workspace):
    ensure_project(workspace, modules=("07",))
    report = capstone.audit(modules=("07",))
    [rerun] = [r for r in report.rows if r.evidence == WORKSPACE]
    assert rerun.status == PASSED and report.green
    alerts = workspace / "monitoring" / "alerts.yml"
    alerts.write_text(alerts.read_text().replace("severity: page", "severity: ticket"))
    [rerun] = [r for r in capstone.audit(modules=("07",)).rows if r.evidence == WORKSPACE]
    assert rerun.status == FAILS and "severity" in rerun.message
    assert rerun.next_step.startswith("fix it:") and "07-monitor-it.ipynb" in rerun.next_step


def test_the_portfolio_refuses_and_lists_what_is_missing(workspace):
    portfolio = capstone.build_portfolio()
    assert not portfolio.written and len(portfolio.missing) == len(PIECES)
    assert not (workspace / "portfolio").exists()
    ensure_project(workspace, modules=("02",))
    (workspace / "predict.py").write_text("raise NotImplementedError\n")  # an exercise's stub
    portfolio = capstone.build_portfolio()
    missing = [piece.path for piece in portfolio.missing]
    assert "predict.py" in missing and "Dockerfile" in missing and "api/main.py" not in missing
    text = str(portfolio)
    assert text.startswith("No portfolio written:")
    assert "- predict.py: the prediction script (module 01, exercises/01-" in text


def test_the_portfolio_does_not_overwrite_a_readme_it_did_not_write(workspace, tmp_path):
    ensure_project(workspace, modules=("01", "02", "03", "04", "05", "07"))
    target = tmp_path / "mine"
    target.mkdir()
    (target / "README.md").write_text("# My own project\n")
    portfolio = capstone.build_portfolio(target, measure=False, run_tests=False)
    assert not portfolio.written and "was not written by the capstone" in portfolio.refused
    assert (target / "README.md").read_text() == "# My own project\n"
    inside = capstone.build_portfolio(workspace, measure=False, run_tests=False)
    assert not inside.written and "workspace itself" in inside.refused


def test_the_portfolio_refuses_the_workspaces_own_folders(workspace):
    """Issue 18: `build_portfolio(WORKSPACE / "api")` wrote 20 files into the service's folder
    and rewrote api/main.py. A folder of the workspace (made yet or not) is refused, and nothing
    in the workspace changes."""
    ensure_project(workspace, modules=PORTFOLIO_MODULES)
    (workspace / "notes").mkdir()
    (workspace / "notes" / "ideas.md").write_text("- add /metrics\n")
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    for folder in ("api", "api/portfolio", "tests", "deploy", ".launchpad", "onnx"):
        portfolio = capstone.build_portfolio(workspace / folder, measure=False, run_tests=False)
        assert not portfolio.written and "your workspace's own" in portfolio.refused, folder
        assert portfolio.refused.startswith(f"{folder}/ is "), portfolio.refused
    notes = capstone.build_portfolio(workspace / "notes", measure=False, run_tests=False)
    assert "notes/ in your workspace holds files the capstone did not write" in notes.refused
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before


def test_the_portfolio_backs_up_what_it_would_overwrite(workspace, tmp_path):
    """Nothing the course writes overwrites a learner's file without a backup: a README edited
    after the first build, a Makefile of theirs in a folder outside the workspace."""
    ensure_project(workspace, modules=PORTFOLIO_MODULES)
    first = capstone.build_portfolio(measure=False, run_tests=False)
    assert first.written and first.replaced == [] and first.backups is None
    readme = workspace / "portfolio" / "README.md"
    edited = readme.read_text() + "\nWhy I built it: to learn MLOps end to end.\n"
    readme.write_text(edited)
    again = capstone.build_portfolio(measure=False, run_tests=False)
    assert again.replaced == ["README.md"] and (again.backups / "README.md").read_text() == edited
    assert again.backups.is_relative_to(workspace / ".launchpad" / "backups")
    assert f"your versions are kept in {again.backups}" in str(again)
    assert capstone.build_portfolio(measure=False, run_tests=False).replaced == []  # unchanged
    elsewhere = tmp_path / "sentiment-api"
    elsewhere.mkdir()
    (elsewhere / "Makefile").write_text("mine:\n\techo mine\n")
    out = capstone.build_portfolio(elsewhere, measure=False, run_tests=False)
    assert out.written and out.replaced == ["Makefile"]
    assert (out.backups / "Makefile").read_text() == "mine:\n\techo mine\n"
    assert (elsewhere / "Makefile").read_text() == (
        workspace / "portfolio" / "Makefile"
    ).read_text()


def test_filling_in_module_04_keeps_a_copy_of_the_learners_pyproject(workspace):
    """ensure_project writes exercise 04's ruff settings (the reference audit needs them inside
    the course's folder); a pyproject.toml of the learner's gets them appended, its old text
    backed up, and one that configures ruff already is left alone."""
    mine = '[project]\nname = "my-sentiment-api"\n'
    (workspace / "pyproject.toml").write_text(mine)
    assert "pyproject.toml" in ensure_project(workspace, modules=("04",))
    assert "known-first-party" in (workspace / "pyproject.toml").read_text()
    [backup] = (workspace / ".launchpad" / "backups").glob("*/pyproject.toml")
    assert backup.read_text() == mine
    assert "pyproject.toml" not in ensure_project(workspace, modules=("04",))


def test_a_piece_is_unfinished_as_the_reference_answers_see_it(workspace):
    """One definition of unfinished (authoring.reference.unfinished): a finished Dockerfile that
    kept the stub's comment is a piece (it was refused), the untouched stub is not, and a file
    the exercise gives whole is finished as given."""
    ensure_project(workspace, modules=PORTFOLIO_MODULES)
    dockerfile = workspace / "Dockerfile"
    dockerfile.write_text("# YOUR CODE HERE\n" + dockerfile.read_text())
    assert missing_pieces(workspace) == []
    dockerfile.write_text(module_stubs("03")["Dockerfile"])
    assert [p.path for p in missing_pieces(workspace)] == ["Dockerfile"]
    assert "api/healthcheck.py" not in module_stubs("03")


def test_the_image_size_is_of_the_image_the_workspace_builds(workspace):
    """Issue 18: the portfolio reported the size of whatever image was tagged
    my-sentiment-api:latest. It builds the workspace's Dockerfile (a small one here, on the
    course's base), measures that image and removes its tag; where it cannot, it says why.
    The engine is one already running, or one this process starts (stopped when it exits)."""
    docker = engine.find_or_start()
    with pytest.raises(NotMeasured, match="there is no Dockerfile"):
        image_figures(workspace)
    (workspace / "Dockerfile").write_text(
        "ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n"
        'COPY build/payload.bin /payload.bin\nCMD ["python", "-c", "pass"]\n'
    )
    with pytest.raises(NotMeasured, match="nothing is staged under build/"):
        image_figures(workspace)
    (workspace / "build").mkdir()
    (workspace / "build" / "payload.bin").write_bytes(bytes(range(256)) * 40_000)  # 10 MB
    [figure] = image_figures(workspace)
    tag = "launchpad-test/capstone-size:latest"
    learner_image.build(workspace / "Dockerfile", workspace, tag)
    try:
        size = json.loads(docker.docker("image", "inspect", tag).stdout)[0]["Size"]
    finally:
        docker.docker("image", "rm", tag, check=False)
    assert figure.name == "container image size" and figure.value == f"{size / 1e9:.2f} GB"
    tags = docker.docker("image", "ls", "my-sentiment-api", "--format", "{{.Tag}}").stdout
    assert not [t for t in tags.split() if t.startswith("portfolio-")], tags
    (workspace / "build" / "payload.bin").unlink()
    with pytest.raises(NotMeasured, match="docker build failed"):
        image_figures(workspace)


SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> dict[str, int]:
    """How many shapes of each of the house style's colours an SVG draws: its data marks."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    background = root.find(f".//{SVG}g[@id='patch_1']/{SVG}path")
    assert background.get("style") == "fill: none", "not transparent: GitHub's dark theme"
    fills = [path.get("style", "") for path in root.iter(f"{SVG}path")]
    return {c: n for c in plots.COLOURS if (n := sum(f"fill: {c}" in f for f in fills))}


def test_the_figures_chart_draws_a_bar_per_number_and_nothing_else():
    def figure(name, value):
        return capstone.Figure(name, value, "measured", "2026-01-02")

    figures = [
        figure("accuracy, movies", "86.1%"),
        figure("p50 latency of POST /predict", "12.3 ms"),
        figure("serving model version", "launchpad-sentiment v2 (gate: passed)"),
        figure("course checks re-verified", "24 of 25"),
        figure("tests of this repository", "6 passed"),
    ]
    assert [quantity(f) for f in figures] == [(86.1, "%"), (12.3, "ms"), None, (96.0, "%"), None]
    svg = figures_chart(figures)
    # One panel per unit, one colour per panel: two bars in percent, one in milliseconds.
    assert bars(svg) == {plots.COLOURS[0]: 2, plots.COLOURS[1]: 1}
    assert "<!-- 24 of 25 -->" in svg and "<!-- 12.3 ms -->" in svg and "6 passed" not in svg
    assert figures_chart(figures) == svg  # no date, no random ids: a rebuild changes nothing
    assert figures_chart(figures[1:3] + figures[4:]) is None  # one number is no chart
    readme = render_readme(figures, [], chart=CHART)
    assert readme.index("| 6 passed |") < readme.index(f"]({CHART})") < readme.index("## Run it")
    assert f"]({CHART})" not in render_readme(figures, [])


def test_model_figures_are_read_from_the_manifest(tmp_path, course_model_dir):
    manifest = read_manifest(course_model_dir)
    manifest["evaluation"] = {"movies": {"examples": 1234, "accuracy": 0.9123}}
    (tmp_path / "launchpad-manifest.json").write_text(json.dumps(manifest))
    [figure] = model_figures(tmp_path)
    assert figure.value == "91.2%" and "1,234" in figure.name
    assert "launchpad-manifest.json" in figure.source and re.fullmatch(
        r"\d{4}-\d\d-\d\d", figure.when
    )
    assert model_figures(tmp_path / "no-such-model") == []


# ---- The reference workspace ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A workspace with every module's reference answers, its portfolio, its audit, and the
    checks that reached for a Docker engine during the audit (none should). The portfolio is
    written first, so the audit also shows it leaves the earlier checks alone."""
    folder = tmp_path_factory.mktemp("reference") / "workspace"
    folder.mkdir()
    with using_workspace(folder):
        ensure_project(folder)
        capstone.build_portfolio(run_tests=False, measure=False)
        with engine_refused() as reached:
            report = capstone.audit()
        portfolio = capstone.build_portfolio(report=report)
    return folder, report, portfolio, reached


def test_the_reference_workspace_is_green(reference):
    folder, report, *_ = reference
    assert report.workspace == folder and report.complete
    assert report.green, str(report)
    workspace_checks = [q for q in questions() if capstone.evidence(q) == WORKSPACE]
    assert report.count(PASSED) == len(workspace_checks) >= 20
    assert report.headline().startswith(f"{len(workspace_checks)} of {len(workspace_checks)}")


def test_the_portfolio_stands_alone_and_passes_its_linters(reference):
    folder, _, portfolio, _ = reference
    target = folder / "portfolio"
    assert portfolio.written and portfolio.folder == target and portfolio.problems == []
    assert capstone.check_portfolio(target) == []
    assert portfolio.tests.returncode == 0 and portfolio.tests.passed >= 3, portfolio.tests
    # The learner's files as they are, but for the declared course scaffolding and comments'
    # pointers to the exercise's questions ("# Question 2: load the model once").
    detached = {d.path for d in DETACHMENTS} | {"requirements-dev.txt", ".github/workflows/ci.yml"}
    pointed = []
    for piece in PIECES:
        mine, theirs = (target / piece.path).read_text(), (folder / piece.path).read_text()
        expected = standalone.without_question_numbers(theirs)
        assert (mine == expected) == (piece.path not in detached), piece.path
        assert not standalone.QUESTION_POINTER.search(mine), piece.path
        pointed += [piece.path] if expected != theirs else []
    assert {"api/main.py", "deploy/k8s.yaml", ".github/workflows/ci.yml"} <= set(pointed)
    assert "    # Load the model once" in (target / "api" / "main.py").read_text()
    assert len(portfolio.detached) == len(DETACHMENTS) + 2 + len(pointed), portfolio.detached
    assert course_ties(folder) and course_ties(target) == []
    assert not list(target.rglob("__pycache__")) and not (target / "onnx").exists()
    for path in [*target.rglob("*.yml"), *target.rglob("*.yaml")]:
        assert yamlfile.documents(path), path
    assert "build/" in (target / ".gitignore").read_text()


def test_the_portfolio_is_linted_with_its_own_settings_only(reference, repo, tmp_path):
    """The learner's workspace sits inside the course's repository, whose pyproject.toml sorts
    imports with `api` as third-party: the portfolio's tests failed ruff's I001 there, though a
    clone of the portfolio has no such settings. Its own settings still count."""
    _, _, portfolio, _ = reference
    course = tmp_path / "mlops-launchpad"
    shutil.copytree(portfolio.folder, course / "workspace" / "portfolio")
    shutil.copy(repo / "pyproject.toml", course / "pyproject.toml")
    inside = course / "workspace" / "portfolio"
    assert "[tool.ruff" in (inside / "pyproject.toml").read_text()  # exercise 04's settings
    assert capstone.check_portfolio(inside) == []
    (inside / "pyproject.toml").write_text(PYTEST_SETTINGS)  # a project without them
    assert not [p for p in capstone.check_portfolio(inside) if "I001" in p]  # ruff's defaults
    (inside / "ruff.toml").write_text('line-length = 20\n\n[lint]\nselect = ["E501"]\n')
    assert any(p.startswith("ruff: ") and "E501" in p for p in capstone.check_portfolio(inside))


def test_the_readme_claims_metrics_only_for_an_app_that_serves_them(reference, tmp_path):
    _, _, portfolio, _ = reference
    readme = (portfolio.folder / "README.md").read_text()
    # Module 02's service has no /metrics: the README says what to add instead.
    assert not serves_metrics(portfolio.folder)
    assert "-.->|to add: /metrics|" in readme and MONITOR_TO_ADD in readme
    assert "The service exposes Prometheus metrics" not in readme
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "main.py").write_text('app.mount("/metrics", make_asgi_app())\n')
    assert serves_metrics(tmp_path)
    served = render_readme([], [], metrics=True)
    assert "-->|scrapes /metrics|" in served and MONITOR_READY in served
    assert "## Measured figures" not in served  # no figures, no empty table


def test_model_id_joins_the_workflow_env_or_starts_one():
    for workflow in ("name: ci\nenv:\n  # why\n  A: '1'\njobs: {}\n", "name: ci\njobs: {}\n"):
        [document] = yaml.safe_load_all(standalone._with_model_id(workflow))
        assert document["env"]["MODEL_ID"] == "${{ vars.MODEL_ID }}"
        assert document["jobs"] == {} and document["env"].get("A", "1") == "1"


def test_scaffolding_the_learner_rewrote_is_kept_and_named_if_it_needs_the_course(tmp_path):
    (tmp_path / "predict.py").write_text("import launchpad.model as lm\n\nlm.load_pipeline()\n")
    (tmp_path / "Makefile").write_text("context:\n\tpython -m launchpad stage --root .\n")
    assert standalone.detach(tmp_path) == []
    ties = standalone.course_ties(tmp_path)
    assert [t.split(" ")[0] for t in ties] == ["Makefile:2", "predict.py:1"], ties
    assert "a published repository has no such package" in ties[0]


def _make(folder, *verbs, **env):
    return subprocess.run(
        ["make", "--no-print-directory", *verbs],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_a_clone_of_the_portfolio_runs_without_the_course(reference, hub_cache, tmp_path):
    """What a fresh clone does, with the course's packages out of reach: no model yet, so the
    verbs say what to set; `make model` fetches the Hub model named by MODEL_ID (from a Hub cache
    here, offline); then the tests pass, the script classifies and `make context` stages the
    wheels and the model for docker build."""
    _, _, portfolio, _ = reference
    clone = tmp_path / "clone"
    shutil.copytree(portfolio.folder, clone)
    hub_cache("course-org/sentiment-demo")
    with outside_the_course() as env:
        env.pop("MODEL_DIR", None)
        cut_off = subprocess.run(
            [env["PYTHON"], "-c", "import launchpad"], env=env, capture_output=True, text=True
        )
        assert "No module named 'launchpad' (outside the course)" in cut_off.stderr

        no_model = _make(clone, "test", **env)
        assert no_model.returncode != 0
        assert "No model in model/: set MODEL_DIR to one or MODEL_ID" in no_model.stdout

        env |= {
            "MODEL_ID": "course-org/sentiment-demo",
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_CACHE": str(hub_cache.root),
            "PYTEST_ADDOPTS": "-p no:cacheprovider",
        }
        tested = _make(clone, "test", **env)
        assert tested.returncode == 0, tested.stdout[-2000:] + tested.stderr[-2000:]
        assert re.search(r"\b3 passed", tested.stdout) and (clone / "model/config.json").is_file()

        said = subprocess.run(
            [env["PYTHON"], "predict.py", "What a wonderful film."],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert said.returncode == 0, said.stderr[-2000:]
        assert json.loads(said.stdout)["label"] == "POSITIVE"

        # pip finds the pinned wheels where the course keeps them, as a mirror would serve them.
        wheels = wheelhouse()
        staged = _make(
            clone, "context", **env | {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
        )
        assert staged.returncode == 0, staged.stderr[-2000:]
    names = {p.name for p in (clone / "build" / "wheels").iterdir()}
    assert names == {p.name for p in wheels.glob("*.whl")}
    assert any(n.startswith("torch-") for n in names) and not any("nvidia" in n for n in names)
    assert (clone / "build/model/model.safetensors").stat().st_size > 1e6


def test_the_readme_figures_come_from_files_and_measurements(reference, course_model_dir):
    folder, report, portfolio, _ = reference
    readme = (portfolio.folder / "README.md").read_text()
    assert readme.startswith(GENERATED) and "```mermaid\nflowchart LR" in readme
    evaluation = read_manifest(course_model_dir)["evaluation"]
    for name, scores in evaluation.items():
        assert portfolio.figure(f"accuracy, {name}").value == f"{scores['accuracy']:.1%}"
    size = (folder / "onnx" / "model.onnx").stat().st_size / 1e6
    assert portfolio.figure("int8 ONNX model size").value == f"{size:.1f} MB"
    assert portfolio.figure("tests of this repository").value == portfolio.tests.summary
    audited = portfolio.figure("course checks re-verified")
    assert audited.value == f"{report.count(PASSED)} of {report.count(PASSED)}"
    assert re.fullmatch(r"\d+\.\d ms", portfolio.figure("p50 latency").value)
    for figure in portfolio.figures:
        assert figure.source and re.fullmatch(r"\d{4}-\d\d-\d\d", figure.when), figure
        assert f"| {figure.value} |" in readme.replace("\\|", "|"), figure
    # Numbers in the figures table are the figures' and nothing else.
    table = readme.split("## Measured figures", 1)[1].split("## Run it", 1)[0]
    assert len(re.findall(r"^\| (?!figure|---)", table, re.M)) == len(portfolio.figures)


def test_the_readme_shows_its_measured_figures_as_a_chart(reference):
    _, _, portfolio, _ = reference
    readme = (portfolio.folder / "README.md").read_text()
    assert f"![The measured figures above as bars, one chart per unit]({CHART})" in readme
    assert CHART in portfolio.files
    svg = (portfolio.folder / CHART).read_text()
    numeric = [f for f in portfolio.figures if quantity(f)]
    assert sum(bars(svg).values()) == len(numeric) >= 2  # the accuracies, latencies, sizes
    for figure in numeric:
        assert f"<!-- {figure.value} -->" in svg, figure


def test_the_checklist_ticks_only_what_is_proven(reference):
    _, report, *_ = reference
    ticks = {t.step.module: t for t in capstone.checklist(report)}
    assert [t.step.name for t in ticks.values()][:5] == [
        "Pretrained model",
        "API",
        "Container",
        "CI/CD",
        "Cloud deploy",
    ]
    assert ticks["02"].done and ticks["04"].done and "6 passed now" in ticks["02"].evidence
    # Module 01's notebook checks and 03's image checks are not recorded in this workspace.
    assert not ticks["01"].done and "5 not recorded" in ticks["01"].evidence
    assert not ticks["03"].done and not ticks["08"].done
    assert "`mlflow/mlflow.db` not in the workspace yet" in ticks["08"].evidence
    unaudited = capstone.checklist(None, report.workspace)
    assert not any(t.done for t in unaudited) and "present, not audited" in unaudited[1].evidence
    readme = (report.workspace / "portfolio" / "README.md").read_text()
    assert "- [x] **API** (module 02)" in readme and "- [ ] **Container** (module 03)" in readme


def test_a_pitch_goes_to_the_top_of_the_readme_once(reference, tmp_path):
    _, _, portfolio, _ = reference
    copy = tmp_path / "portfolio"
    shutil.copytree(portfolio.folder, copy)
    mine = capstone.Portfolio(copy, figures=portfolio.figures)
    mine.add_pitch("First version.")
    mine.add_pitch("Second version.")
    text = (copy / "README.md").read_text()
    assert "Second version." in text and "First version." not in text
    assert text.index("Second version.") < text.index("## Architecture")
