"""Module 09, the capstone: every earlier check run again on the learner's workspace, and the
workspace turned into a portfolio repository that stands on its own.

A check reads one of two things. Most read only files in `workspace/` (the service and its
tests, the Dockerfile, the Makefile and workflow, the descriptors, the ONNX export, the alert
rules): `audit()` runs them again, now, with the same real tools, so a file broken since the
learner passed its check shows up. The others read names the learner defined in an exercise
notebook (a function, a query, a number): only that notebook's kernel has them, so the audit can
only report what `workspace/.launchpad/progress.json` recorded when they passed. The checks that
build and run the image (modules 03 and 05) need a Docker engine and minutes of build time: they
are reported from progress too, unless the learner asks for them (`audit(engine=True)`).
"""

from __future__ import annotations

import dis
import os
import platform
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import CodeType

from launchpad.checks import Question
from launchpad.paths import REPO_ROOT, WORKSPACE_VAR, workspace_dir
from launchpad.standalone import course_ties, detach, outside_the_course

CAPSTONE = "09"

# Where a check finds what it checks.
WORKSPACE, NOTEBOOK, ENGINE = "workspace", "notebook", "engine"
# Checks that build the learner's image and run it on a Docker engine (module 03's context
# probe, build, run and inspection; module 05's rehearsal of both deploy contracts).
NEEDS_IMAGE = {("03", 1), ("03", 3), ("03", 4), ("03", 5), ("05", 5)}

# What a row of the audit says.
PASSED, FAILS, MISSING = "passed now", "fails now", "missing"
RECORDED, NOT_RECORDED = "recorded", "not recorded"
MARKS = {PASSED: "✓", FAILS: "✗", MISSING: "·", RECORDED: "●", NOT_RECORDED: "○"}
LEGEND = (
    "✓ re-verified now · ✗ fails now · · missing from the workspace · "
    "● passed in its notebook (recorded) · ○ not recorded yet"
)


# --8<-- [start:evidence]
def evidence(question: Question) -> str:
    """What a check reads: the workspace alone (it can run again now), the exercise notebook's
    names (only its kernel has them), or an image built on a Docker engine."""
    if (question.module, question.number) in NEEDS_IMAGE:
        return ENGINE
    code = question.rule.__code__
    return NOTEBOOK if _reads_names(code, code.co_varnames[0]) else WORKSPACE


def _reads_names(code: CodeType, answers: str) -> bool:
    """Whether compiled code calls `answers.value(...)` or `answers.function(...)`, the only
    ways a check reads the learner's namespace (nested functions and comprehensions included).
    Read from the bytecode, not the source file, which may have changed since the import."""
    steps = list(dis.get_instructions(code))
    for load, attribute in zip(steps, steps[1:], strict=False):
        if (
            load.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE")
            and load.argval == answers
            and attribute.opname in ("LOAD_ATTR", "LOAD_METHOD")
            and attribute.argval in ("value", "function")
        ):
            return True
    return any(
        _reads_names(inner, answers) for inner in code.co_consts if isinstance(inner, CodeType)
    )


# --8<-- [end:evidence]


def earlier_modules() -> dict[str, tuple[str, list[Question]]]:
    """Every module before the capstone that has checks, in course order."""
    from launchpad.questions import MODULES

    return {m: entry for m, entry in MODULES.items() if m < CAPSTONE}


def exercise_notebook(module: str) -> str:
    found = sorted((REPO_ROOT / "solutions").glob(f"{module}-*.ipynb"))
    return f"exercises/{found[0].name}" if found else f"exercise {module}"


@contextmanager
def using_workspace(workspace: Path | None) -> Iterator[Path]:
    """Run the checks against `workspace` (default: the learner's), as the tests and the
    self-tests do, and put the environment back afterwards."""
    saved = os.environ.get(WORKSPACE_VAR)
    if workspace is not None:
        os.environ[WORKSPACE_VAR] = str(workspace)
    try:
        yield workspace_dir()
    finally:
        if saved is None:
            os.environ.pop(WORKSPACE_VAR, None)
        else:
            os.environ[WORKSPACE_VAR] = saved


# ---- The audit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One earlier check: where its evidence is, what it says now, and what to do next."""

    module: str
    number: int
    evidence: str
    status: str
    message: str = ""
    recorded: str = ""  # ISO time the learner first passed it, if recorded

    @property
    def name(self) -> str:
        return f"{self.module} q{self.number}"

    @property
    def good(self) -> bool:
        return self.status in (PASSED, RECORDED)

    @property
    def next_step(self) -> str:
        where = f"{exercise_notebook(self.module)}, question {self.number}"
        if self.status == FAILS:
            return f"fix it: {self.message} (open {where}; q{self.number}.hint() helps)"
        if self.status == MISSING:
            return f"write it: {self.message} (open {where})"
        if self.status == NOT_RECORDED:
            return waiting_step(self.module, [self.number], self.evidence)
        return ""


def waiting_step(module: str, numbers: list[int], kind: str) -> str:
    """What to do about checks the audit cannot run again: pass them where they can run."""
    names = " ".join(f"q{n}.check()" for n in numbers)
    where = exercise_notebook(module)
    if kind == ENGINE:
        return (
            f"pass {names} in {where} with a Docker engine (they build and run your image), "
            "or run audit(engine=True)"
        )
    return f"pass {names} in {where}: they check what you define in that notebook"


@dataclass
class Report:
    """The capstone audit of one workspace."""

    workspace: Path
    started: datetime
    seconds: float
    modules: dict[str, str]  # module -> title, the modules audited
    rows: list[Row] = field(default_factory=list)
    engine: bool = False

    def of(self, module: str) -> list[Row]:
        return [row for row in self.rows if row.module == module]

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def problems(self) -> list[Row]:
        """Checks that ran again now and did not pass: what stands between the workspace and
        a portfolio."""
        return [row for row in self.rows if row.status in (FAILS, MISSING)]

    @property
    def green(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        """Every earlier module was audited."""
        return set(self.modules) == set(earlier_modules())

    @property
    def rerun(self) -> int:
        """How many checks were run again now, on the workspace's files."""
        return sum(row.status in (PASSED, FAILS, MISSING) for row in self.rows)

    def headline(self) -> str:
        rerun = self.rerun
        known = len(self.rows) - rerun
        return (
            f"{self.count(PASSED)} of {rerun} checks that read only the workspace pass now; "
            f"{self.count(RECORDED)} of {known} that read a notebook or need an image build "
            "are recorded as passed."
        )

    def __str__(self) -> str:
        width = max(len(f"{m} {t}") for m, t in self.modules.items())
        lines = ["Capstone audit: " + self.headline()]
        for module, title in self.modules.items():
            marks = " ".join(f"q{r.number}{MARKS[r.status]}" for r in self.of(module))
            lines.append(f"{module + ' ' + title:<{width}}  {marks}")
        lines.append(LEGEND)
        steps = []
        for module in self.modules:
            rows = self.of(module)
            steps += [f"- {r.name}: {r.next_step}" for r in rows if r.status in (FAILS, MISSING)]
            for kind in (NOTEBOOK, ENGINE):
                waiting = [
                    r.number for r in rows if r.status == NOT_RECORDED and r.evidence == kind
                ]
                if waiting:
                    steps.append(f"- {module}: {waiting_step(module, waiting, kind)}")
        if steps:
            lines += ["Next steps:", *steps]
        return "\n".join(lines)

    __repr__ = __str__


# --8<-- [start:audit]
def audit(
    workspace: Path | None = None, modules: tuple[str, ...] | None = None, engine: bool = False
) -> Report:
    """Run every earlier check that reads only the workspace, now; report the others from the
    learner's recorded progress. `engine=True` also runs the checks that build and run the
    image (a Docker engine, and minutes)."""
    from launchpad import progress

    chosen = {m: entry for m, entry in earlier_modules().items() if modules is None or m in modules}
    started, clock = datetime.now(UTC), time.perf_counter()
    with using_workspace(workspace) as folder:
        recorded = progress.load()
        rows = []
        for module, (_, questions) in chosen.items():
            for question in questions:
                kind = evidence(question)
                passed_at = str(recorded.get(module, {}).get(f"q{question.number}", ""))
                if kind == WORKSPACE or (kind == ENGINE and engine):
                    result = question.evaluate({})
                    status = {"correct": PASSED, "incorrect": FAILS}.get(result.status, MISSING)
                    rows.append(
                        Row(module, question.number, kind, status, result.message, passed_at)
                    )
                else:
                    status = RECORDED if passed_at else NOT_RECORDED
                    rows.append(Row(module, question.number, kind, status, "", passed_at))
    titles = {m: title for m, (title, _) in chosen.items()}
    return Report(folder, started, time.perf_counter() - clock, titles, rows, engine)


# --8<-- [end:audit]


# ---- The checklist --------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    module: str
    name: str
    what: str
    files: tuple[str, ...]


# The classic portfolio project, then what production adds.
CHECKLIST = (
    Step("01", "Pretrained model", "a script that loads the model and predicts", ("predict.py",)),
    Step(
        "02",
        "API",
        "a FastAPI service with schemas, health checks, limits and tests",
        ("api/main.py", "tests/test_api.py"),
    ),
    Step(
        "03",
        "Container",
        "a small non-root image with a health check",
        ("Dockerfile", ".dockerignore"),
    ),
    Step(
        "04",
        "CI/CD",
        "GitHub Actions: lint, test, build and push, calling make verbs",
        ("Makefile", ".github/workflows/ci.yml"),
    ),
    Step(
        "05",
        "Cloud deploy",
        "Cloud Run and Kubernetes descriptors, rehearsed locally",
        ("deploy/cloudrun.yaml", "deploy/k8s.yaml"),
    ),
    Step(
        "06",
        "Scaling",
        "an int8 ONNX export that agrees with PyTorch, and a capacity plan",
        ("onnx/model.onnx",),
    ),
    Step(
        "07",
        "Monitoring",
        "an alert rule tested with promtool, and drift reading",
        ("monitoring/alerts.yml",),
    ),
    Step(
        "08",
        "Lifecycle",
        "registered model versions, a quality gate, promotion and rollback",
        ("mlflow/mlflow.db",),
    ),
)


@dataclass(frozen=True)
class Tick:
    step: Step
    done: bool
    evidence: str


def checklist(report: Report | None, workspace: Path | None = None) -> list[Tick]:
    """Each step of the checklist, ticked when its files are in the workspace and every one of
    its checks passes now or is recorded as passed. Files alone tick nothing: without a
    report, a step says which of its files are there."""
    folder = report.workspace if report is not None else (workspace or workspace_dir())
    ticks = []
    for step in CHECKLIST:
        absent = [f"`{f}`" for f in step.files if not (folder / f).exists()]
        files = ", ".join(f"`{f}`" for f in step.files)
        if absent:
            ticks.append(Tick(step, False, f"{', '.join(absent)} not in the workspace yet"))
            continue
        rows = report.of(step.module) if report is not None else []
        if report is None or step.module not in report.modules:
            ticks.append(Tick(step, False, f"{files} present, not audited"))
            continue
        counts = {s: sum(r.status == s for r in rows) for s in MARKS}
        said = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        done = bool(rows) and all(row.good for row in rows)
        ticks.append(Tick(step, done, f"{files}; checks: {said}"))
    return ticks


# ---- Measured figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number for the README, with where it comes from and when: never typed by hand."""

    name: str
    value: str
    source: str
    when: str


def _day(timestamp: float | None = None) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d")


def model_figures(model_dir: Path) -> list[Figure]:
    """The served model's evaluation, read from its manifest (the course model writes one when
    it is built; a Hub model has none, and then there is nothing to report)."""
    from launchpad.course_model import MANIFEST, read_manifest

    manifest_file = model_dir / MANIFEST
    if not manifest_file.is_file():
        return []
    manifest = read_manifest(model_dir)
    source = (
        f"`{manifest_file.name}` of the model folder ({manifest['name']} {manifest['version']})"
    )
    when = _day(manifest_file.stat().st_mtime)
    return [
        Figure(
            f"accuracy, {name} ({scores['examples']:,} held-out texts)",
            f"{scores['accuracy']:.1%}",
            source,
            when,
        )
        for name, scores in manifest.get("evaluation", {}).items()
        if "accuracy" in scores
    ]


def served_model_dir() -> Path | None:
    """The folder the learner's service loads: MODEL_DIR, else the course model (not built
    here if it is missing)."""
    if os.environ.get("MODEL_DIR"):
        return Path(os.environ["MODEL_DIR"])
    from launchpad.model import ModelError, resolve

    try:
        return resolve(build=False).path
    except ModelError:
        return None


LATENCY_TEXTS = ("I loved every minute of this film.", "A dull, lifeless mess.", "It was fine.")


def latency_figures(requests: int = 200) -> list[Figure]:
    """p50 and p95 of POST /predict through the learner's app in this process (no network, one
    client at a time), measured now. Not p99: from a few hundred requests it is the slowest
    one or two, noise rather than a figure to quote."""
    from fastapi.testclient import TestClient

    from launchpad.loadtest import percentile
    from launchpad.workspace import import_fresh

    app = import_fresh("api.main").app
    durations = []
    with TestClient(app) as client:
        for i in range(requests + 5):
            body = {"text": LATENCY_TEXTS[i % len(LATENCY_TEXTS)]}
            start = time.perf_counter()
            reply = client.post("/predict", json=body)
            elapsed = time.perf_counter() - start
            if reply.status_code != 200:
                raise RuntimeError(f"POST /predict answered {reply.status_code}")
            if i >= 5:  # the first requests warm the model up
                durations.append(elapsed * 1000)
    machine = f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
    source = f"measured: {requests} sequential requests in-process (TestClient), {machine}"
    return [
        Figure(
            f"p{q} latency of POST /predict", f"{percentile(durations, q):.1f} ms", source, _day()
        )
        for q in (50, 95)
    ]


def file_figure(workspace: Path, relative: str, name: str) -> list[Figure]:
    path = workspace / relative
    if not path.is_file():
        return []
    size = path.stat().st_size / 1e6
    return [
        Figure(
            name,
            f"{size:.1f} MB",
            f"size of `{relative}` in the course workspace (not in this repository)",
            _day(path.stat().st_mtime),
        )
    ]


def image_figures(tag: str = "my-sentiment-api:latest") -> list[Figure]:
    """The learner's image, if a Docker engine is already running and has it: nothing is
    built or started here."""
    import json

    from launchpad.containers import engine

    found = engine.find()
    if found is None:
        return []
    inspected = found.docker("image", "inspect", tag, check=False)
    if inspected.returncode != 0:
        return []
    image = json.loads(inspected.stdout)[0]
    return [
        Figure(
            "container image size",
            f"{image['Size'] / 1e9:.2f} GB",
            f"`docker image inspect {tag}`",
            str(image.get("Created", ""))[:10] or _day(),
        )
    ]


def registry_figures(workspace: Path) -> list[Figure]:
    """The champion of the workspace's MLflow registry (module 08), if there is one."""
    from launchpad.lifecycle.registry import (
        CHAMPION,
        MODEL_NAME,
        STORE_FILE,
        STORE_FOLDER,
        sqlite_uri,
    )

    if not (workspace / STORE_FOLDER / STORE_FILE).is_file():
        return []
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    uri = sqlite_uri(workspace / STORE_FOLDER)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    try:
        version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    except MlflowException:
        return []
    gate = version.tags.get("gate", "not gated")
    return [
        Figure(
            "serving model version (registry champion)",
            f"{MODEL_NAME} v{version.version} (gate: {gate})",
            "the course workspace's MLflow registry (`mlflow/mlflow.db`), alias champion",
            _day(version.last_updated_timestamp / 1000),
        )
    ]


def audit_figure(report: Report) -> Figure:
    return Figure(
        "course checks re-verified on the workspace",
        f"{report.count(PASSED)} of {report.rerun}",
        "MLOps Launchpad capstone audit (every check that reads only the project's files)",
        report.started.strftime("%Y-%m-%d"),
    )


# ---- The portfolio --------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    path: str
    what: str
    module: str


PIECES = (
    Piece("predict.py", "the prediction script", "01"),
    Piece("api/main.py", "the service", "02"),
    Piece("api/model.py", "the model loader", "02"),
    Piece("api/schemas.py", "the request and response schemas", "02"),
    Piece("tests/test_api.py", "the service's tests", "02"),
    Piece("Dockerfile", "the image", "03"),
    Piece(".dockerignore", "the build context's filter", "03"),
    Piece("api/healthcheck.py", "the image's health check", "03"),
    Piece("requirements.txt", "the service's pinned libraries", "03"),
    Piece("Makefile", "the verbs CI calls", "04"),
    Piece("requirements-dev.txt", "the pinned lint and test tools", "04"),
    Piece(".github/workflows/ci.yml", "the CI/CD workflow", "04"),
    Piece(".pre-commit-config.yaml", "the pre-commit hooks", "04"),
    Piece("deploy/cloudrun.yaml", "the Cloud Run service", "05"),
    Piece("deploy/k8s.yaml", "the Kubernetes manifests", "05"),
    Piece("monitoring/alerts.yml", "the alert rules", "07"),
)
COPIED_TREES = ("api", "tests")  # every file under these, besides the pieces
OPTIONAL = ("pyproject.toml",)
UNFINISHED = ("NotImplementedError", "# YOUR CODE HERE")
GENERATED = "<!-- Generated by the MLOps Launchpad capstone (launchpad.capstone). -->"
GITIGNORE = """__pycache__/
.pytest_cache/
.ruff_cache/
.venv/
build/
model/
"""


def missing_pieces(workspace: Path) -> list[Piece]:
    """Pieces absent from the workspace, or still holding an exercise's stub."""
    return [
        piece
        for piece in PIECES
        if not (workspace / piece.path).is_file()
        or any(stub in (workspace / piece.path).read_text() for stub in UNFINISHED)
    ]


@dataclass
class PytestRun:
    returncode: int
    summary: str
    passed: int


@dataclass
class Portfolio:
    """What `build_portfolio` did: the folder it wrote, or the pieces it still needs."""

    folder: Path | None
    missing: list[Piece] = field(default_factory=list)
    refused: str = ""
    files: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tests: PytestRun | None = None
    problems: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)  # course scaffolding made standalone

    @property
    def written(self) -> bool:
        return self.folder is not None

    def figure(self, start: str) -> Figure:
        """The figure whose name starts with `start`."""
        return next(f for f in self.figures if f.name.startswith(start))

    def __str__(self) -> str:
        if not self.written:
            lines = [f"No portfolio written: {self.refused}"]
            lines += [
                f"- {p.path}: {p.what} (module {p.module}, {exercise_notebook(p.module)})"
                for p in self.missing
            ]
            return "\n".join(lines)
        tests = f"tests: {self.tests.summary}" if self.tests else "tests not run"
        checked = (
            "ruff, YAML, actionlint and hadolint find nothing"
            if not self.problems
            else f"{len(self.problems)} problem(s), the first: {self.problems[0]}"
        )
        return (
            f"Portfolio written to {self.folder.name}/: {len(self.files)} files, a README.md "
            f"with the diagram, the measured figures and the checklist; {tests}; {checked}."
        )

    __repr__ = __str__

    def add_pitch(self, pitch: str) -> None:
        """Put the learner's pitch at the top of the README (replacing an earlier one)."""
        readme = self.folder / "README.md"
        text = readme.read_text()
        start, end = "<!-- pitch -->", "<!-- /pitch -->"
        block = f"{start}\n{pitch.strip()}\n{end}"
        if start in text:
            text = re.sub(
                re.escape(start) + ".*?" + re.escape(end),
                lambda _: block,
                text,
                count=1,
                flags=re.S,
            )
        else:
            title_end = text.index("\n\n", text.index("# ")) + 2
            text = text[:title_end] + block + "\n\n" + text[title_end:]
        readme.write_text(text)


def build_portfolio(
    target: Path | None = None,
    report: Report | None = None,
    workspace: Path | None = None,
    run_tests: bool = True,
    measure: bool = True,
) -> Portfolio:
    """Write the workspace out as a repository of its own in `target` (default:
    `workspace/portfolio/`): the learner's files as they are, plus a README with an
    architecture diagram, measured figures and the checklist. Refuses, listing what is
    missing, rather than writing half a project."""
    with using_workspace(workspace) as folder:
        target = Path(target) if target is not None else folder / "portfolio"
        missing = missing_pieces(folder)
        if missing:
            return Portfolio(
                None,
                missing,
                f"{len(missing)} piece(s) are missing or unfinished in the workspace:",
            )
        if report is not None and report.workspace != folder:
            return Portfolio(None, [], "the report is of another workspace: run audit() here.")
        readme = target / "README.md"
        if target.resolve() == folder.resolve() or folder.resolve().is_relative_to(
            target.resolve()
        ):
            return Portfolio(None, [], f"{target} holds the workspace itself: pick a new folder.")
        if readme.exists() and GENERATED not in readme.read_text():
            return Portfolio(
                None, [], f"{readme} exists and was not written by the capstone: pick a new folder."
            )
        files = _copy_project(folder, target)
        detached = detach(target)
        figures = []
        if measure:
            model_dir = served_model_dir()
            figures += model_figures(model_dir) if model_dir else []
            try:
                figures += latency_figures()
            except Exception as error:  # the learner's app: reported, not fatal
                figures.append(
                    Figure("latency of POST /predict", "not measured", str(error), _day())
                )
            figures += file_figure(folder, "onnx/model.onnx", "int8 ONNX model size")
            figures += image_figures()
            figures += registry_figures(folder)
        if report is not None:
            figures.append(audit_figure(report))
        tests = _make_test(target) if run_tests else None
        if tests is not None:
            figures.append(
                Figure(
                    "tests of this repository",
                    tests.summary,
                    "measured: `make test`, with the course's packages out of reach",
                    _day(),
                )
            )
        ticks = checklist(report, folder)
        readme.write_text(render_readme(figures, ticks, serves_metrics(target)))
        files += ["README.md"]
        problems = check_portfolio(target)
        return Portfolio(target, [], "", sorted(files), figures, tests, problems, detached)


def _copy_project(workspace: Path, target: Path) -> list[str]:
    wanted = {piece.path for piece in PIECES}
    wanted |= {p for p in OPTIONAL if (workspace / p).is_file()}
    for tree in COPIED_TREES:
        wanted |= {
            p.relative_to(workspace).as_posix()
            for p in (workspace / tree).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
        }
    for relative in sorted(wanted):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(workspace / relative, target / relative)
    generated = {".gitignore": GITIGNORE}
    if not (workspace / "pyproject.toml").is_file():
        from launchpad.authoring.answers import PYTEST_SETTINGS

        generated["pyproject.toml"] = PYTEST_SETTINGS
    for relative, text in generated.items():
        (target / relative).write_text(text)
    return sorted(wanted | set(generated))


def _make_test(folder: Path) -> PytestRun:
    """The new repository's own `make test`, as a fresh clone would run it: the course's
    packages cannot be imported, the model is the one the learner serves, and no caches are
    left behind."""
    from launchpad.questions.m02 import _summary

    model_dir = served_model_dir()
    with outside_the_course() as env:
        env = {**env, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
        env |= {"MODEL_DIR": str(model_dir)} if model_dir else {}
        env["PYTEST_ADDOPTS"] = "-q --color=no -p no:cacheprovider"
        run = subprocess.run(
            ["make", "--no-print-directory", "test"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    summary = _summary(run)
    passed = int(m[1]) if (m := re.search(r"(\d+) passed", summary)) else 0
    return PytestRun(run.returncode, summary, passed)


def check_portfolio(folder: Path) -> list[str]:
    """What the ecosystem's linters say about the generated repository: ruff on the Python,
    every YAML file parsed (duplicate keys refused), actionlint on the workflows, hadolint on
    the Dockerfile. Empty when clean."""
    from launchpad import yamlfile
    from launchpad.linters import VENV_BIN, actionlint, hadolint

    problems = []
    ruff = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ruff.returncode != 0:
        problems += [f"ruff: {line}" for line in ruff.stdout.splitlines() if ":" in line][:5]
        problems += [] if problems else [f"ruff: {ruff.stderr.strip()[-300:]}"]
    for path in sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")]):
        try:
            yamlfile.documents(path)
        except ValueError as error:
            problems.append(f"{path.relative_to(folder)}: {error}")
    workflows = sorted((folder / ".github" / "workflows").glob("*.y*ml"))
    problems += [f"actionlint: {f}" for f in actionlint(workflows, cwd=folder)] if workflows else []
    problems += [f"hadolint: {f}" for f in hadolint(folder / "Dockerfile")]
    return problems + course_ties(folder)


# ---- The README -----------------------------------------------------------------------------


def serves_metrics(folder: Path) -> bool:
    """Whether the app's code names a /metrics route: module 07 teaches it, module 02's service
    does not have one."""
    return any("/metrics" in p.read_text() for p in (folder / "api").rglob("*.py"))


def _diagram(metrics: bool) -> str:
    """What the repository holds, and where it runs: only what is in it."""
    scrape = "-->|scrapes /metrics|" if metrics else "-.->|to add: /metrics|"
    lines = [
        "flowchart LR",
        "    client([client]) -->|POST /predict| api[FastAPI service<br/>api/main.py]",
        "    api --> model[(sentiment model<br/>MODEL_DIR)]",
        "    dev([git push]) --> ci[GitHub Actions<br/>lint · test · build]",
        "    ci -->|image tagged by commit| registry[(container registry)]",
        "    registry --> cloudrun[Cloud Run<br/>deploy/cloudrun.yaml]",
        "    registry --> k8s[Kubernetes<br/>Deployment · HPA · PDB]",
        "    cloudrun --> api",
        "    k8s --> api",
        f"    prometheus[Prometheus] {scrape} api",
        "    prometheus --> alerts[alert rules<br/>monitoring/alerts.yml]",
    ]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


MONITOR_READY = """\
The service exposes Prometheus metrics on `/metrics`. Check the alert rules with Prometheus'
own tool, then load them into your Prometheus:"""
MONITOR_TO_ADD = """\
The alert rules are written for the request metrics of the course's reference service
(`http_request_duration_seconds`, by route and status). This service does not expose `/metrics`
yet: add `prometheus-client`'s histogram and a `/metrics` route (module 07 of MLOps Launchpad
shows how) before you load the rules. Check them with Prometheus' own tool:"""


def render_readme(figures: list[Figure], ticks: list[Tick], metrics: bool = True) -> str:
    """The portfolio's README: what it is, the architecture, the figures with their sources
    and dates, how to run, test, build, deploy and monitor it, and the checklist. `metrics`:
    whether the app serves /metrics (the README claims it only then)."""
    rows = "\n".join(
        f"| {_cell(f.name)} | {_cell(f.value)} | {_cell(f.source)} | {f.when} |" for f in figures
    )
    figures_section = (
        "## Measured figures\n\n"
        "Every figure below was read from a file of this project (or of the model it serves) or\n"
        "measured when this README was generated, on the date shown. They depend on the machine:\n"
        "measure again on yours before quoting them.\n\n"
        "| figure | value | where it comes from | date |\n|---|---|---|---|\n" + rows + "\n\n"
        if figures
        else ""
    )
    boxes = "\n".join(
        f"- [{'x' if t.done else ' '}] **{t.step.name}** (module {t.step.module}): "
        f"{t.step.what}. {t.evidence}."
        for t in ticks
    )
    today = _day()
    return f"""{GENERATED}
# Sentiment API: a pretrained model, served, shipped and watched

A production-shaped machine learning service: a pretrained sentiment model behind a FastAPI API,
packaged as a small non-root container, tested and built by GitHub Actions, described for
Cloud Run and Kubernetes, and watched with Prometheus alert rules. Built during the MLOps
Launchpad course and published from its workspace on {today}.

## Architecture

```mermaid
{_diagram(metrics)}
```

| path | what it is |
|---|---|
{chr(10).join(f"| `{p.path}` | {p.what} |" for p in PIECES)}

{figures_section}## Run it

```bash
python -m venv .venv && . .venv/bin/activate
make install install-service      # the lint/test tools, then the service's pinned libraries
export MODEL_DIR=/path/to/model   # a Hugging Face sentiment model folder (labels POSITIVE/NEGATIVE)
uvicorn api.main:app --port 8000
curl -s -X POST localhost:8000/predict -H 'Content-Type: application/json' \\
     -d '{{"text": "What a great film!"}}'
```

No model folder yet? `make model MODEL_ID=distilbert-base-uncased-finetuned-sst-2-english` (or
any Hub sentiment model whose labels are POSITIVE and NEGATIVE, as the tests expect) fetches its
configuration, tokenizer and safetensors weights into `model/` (git-ignored), where `MODEL_DIR`
points by default. `GET /healthz` says the process is alive,
`GET /readyz` that the model is loaded, and `python predict.py "some text"` classifies from the
command line.

## Test

```bash
make lint test    # ruff and hadolint, then pytest: the same verbs CI runs
```

## Build the image

The Dockerfile installs from a wheelhouse and copies the model, so `docker build` itself needs no
network. `make context` puts both under `build/`: the pinned wheels (pip downloads them; point
`PIP_EXTRA_INDEX_URL` at PyTorch's CPU-only wheel index to keep CUDA out) and the model folder.

```bash
make context
docker build -t sentiment-api .
docker run --rm -p 8000:8000 sentiment-api
```

## Continuous integration

`.github/workflows/ci.yml` lints and tests every pull request; on `main` it also builds the image
and pushes it, tagged with the commit. It reads three repository variables (Settings → Secrets
and variables → Actions → Variables). PyTorch's "Get started" page gives the CPU-only index when
you pick Linux, pip and CPU; set it in your shell too before `make install-service`.

| variable | what it is |
|---|---|
| `MODEL_ID` | the Hub id of the sentiment model that `make model` fetches for tests and image |
| `PIP_EXTRA_INDEX_URL` | PyTorch's CPU-only wheel index: without it pip takes the CUDA build |
| `IMAGE_REGISTRY` | GitHub's container registry, the one the job's `GITHUB_TOKEN` can push to |

## Deploy

Put the pushed image in the descriptors, then:

```bash
gcloud run services replace deploy/cloudrun.yaml   # Cloud Run
kubectl apply -f deploy/k8s.yaml                   # Kubernetes: Deployment, Service, HPA, PDB
```

## Monitor

{MONITOR_READY if metrics else MONITOR_TO_ADD}

```bash
promtool check rules monitoring/alerts.yml
```

## The MLOps portfolio checklist

Where this project stands on the classic path from a pretrained model to production, as the
MLOps Launchpad capstone audited it in the course workspace when it wrote this README (module
numbers are the course's):

{boxes}
- [ ] **Live deploy** on your own cloud account, with the URL here: the course rehearses both
  platforms' contracts locally, never on a cloud.
"""
