"""The portfolio: the workspace written out as a repository that stands on its own, with its
own README, its tests run as a fresh clone would run them, and its files linted."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from launchpad.capstone import grading
from launchpad.capstone.audit import Report, absolute, exercise_notebook
from launchpad.capstone.checklist import checklist
from launchpad.capstone.figures import Figure, audit_figure, day, measured_figures, served_model_dir
from launchpad.capstone.pieces import (
    COPIED_TREES,
    OPTIONAL,
    OWN_FOLDERS,
    PIECES,
    Piece,
    missing_pieces,
)
from launchpad.capstone.readme import (
    CHART,
    GENERATED,
    figures_chart,
    render_readme,
    serves_metrics,
)
from launchpad.capstone.standalone import course_ties, detach, outside_the_course
from launchpad.paths import using_workspace
from launchpad.pytest_run import PYTEST_SETTINGS, PytestRun, summarise

TESTS_TIME = "15 s on a 2-core laptop"

GITIGNORE = """__pycache__/
.pytest_cache/
.ruff_cache/
.venv/
build/
model/
"""


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
    unmeasured: list[str] = field(default_factory=list)  # "what: why" for figures it lacks
    replaced: list[str] = field(default_factory=list)  # files of the folder it backed up
    backups: Path | None = None  # where those are
    report: Report | None = None  # the audit it was given

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
        lines = [
            f"Portfolio written to {self.folder.name}/: {len(self.files)} files, a README.md "
            f"with the diagram, the measured figures and the checklist; {tests}; {checked}."
        ]
        lines += [f"Not measured, so not in the README: {what}." for what in self.unmeasured]
        if self.replaced:
            lines.append(
                f"It replaced {len(self.replaced)} file(s) that differed from the new ones "
                f"({', '.join(self.replaced[:4])}{', ...' if len(self.replaced) > 4 else ''}); "
                f"your versions are kept in {self.backups}."
            )
        return "\n".join(lines)

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
    missing, rather than writing half a project; refuses a folder where the workspace keeps
    its own files. It is made in a scratch folder first, then copied into `target`: a file
    there that it would change is backed up under the workspace's `.launchpad/backups/`."""
    from launchpad.authoring.reference import backup_folder
    from launchpad.checks.progress import step

    with using_workspace(absolute(workspace)) as folder:
        target = Path(target).expanduser().resolve() if target is not None else folder / "portfolio"
        missing = missing_pieces(folder)
        if missing:
            return Portfolio(
                None,
                missing,
                f"{len(missing)} piece(s) are missing or unfinished in the workspace:",
            )
        if report is not None and report.workspace.resolve() != folder.resolve():
            return Portfolio(None, [], "the report is of another workspace: run audit() here.")
        refused = _refused_target(folder, target)
        if refused:
            return Portfolio(None, [], refused)
        with tempfile.TemporaryDirectory(prefix="launchpad-portfolio-") as scratch:
            made = Path(scratch) / target.resolve().name
            files = _copy_project(folder, made)
            detached = detach(made)
            files += grading.write(made)  # the capstone graded in CI (GitHub Classroom)
            figures, unmeasured = measured_figures(folder) if measure else ([], [])
            if report is not None:
                figures.append(audit_figure(report))
            tests = None
            if run_tests:
                with step("Running the portfolio's own `make test`", usually=TESTS_TIME):
                    tests = _make_test(made)
                figures.append(
                    Figure(
                        "tests of this repository",
                        tests.summary,
                        "measured: `make test`, with the course's packages out of reach",
                        day(),
                    )
                )
            ticks = checklist(report, folder)
            chart = figures_chart(figures)
            if chart:
                (made / CHART).write_text(chart)
                files += [CHART]
            readme = render_readme(figures, ticks, serves_metrics(made), CHART if chart else None)
            (made / "README.md").write_text(readme)
            files += ["README.md"]
            backups = backup_folder(folder) / made.name
            replaced = _publish(made, target, backups)
        problems = check_portfolio(target)
        return Portfolio(
            target,
            files=sorted(files),
            figures=figures,
            tests=tests,
            problems=problems,
            detached=detached,
            unmeasured=unmeasured,
            replaced=replaced,
            backups=backups if replaced else None,
            report=report,
        )


def _refused_target(workspace: Path, target: Path) -> str:
    """Why the portfolio may not be written to `target`, or "": not over the workspace, not
    over a README the capstone did not write, not into a folder where the workspace keeps its
    own files (the service in `api/`, ...) or any other folder of the workspace that already
    holds files. Elsewhere, what it would overwrite is backed up."""
    here, there = workspace.resolve(), target.resolve()
    if there == here or here.is_relative_to(there):
        return f"{target} holds the workspace itself: pick a new folder."
    readme = target / "README.md"
    if readme.exists() and not _written_by_the_capstone(target):
        return f"{readme} exists and was not written by the capstone: pick a new folder."
    if not there.is_relative_to(here):
        return ""
    inside = there.relative_to(here)
    top = here / inside.parts[0]
    mixed = (
        "the portfolio's files (its own api/, tests/, Makefile, README) would mix with yours "
        "there and overwrite those of the same name. Pick a new folder."
    )
    if top.name in OWN_FOLDERS or top.name.startswith("."):
        where = "is" if there == top else f"is inside {top.name}/,"
        return f"{inside.as_posix()}/ {where} one of your workspace's own folders: {mixed}"
    if top.is_dir() and any(top.iterdir()) and not _written_by_the_capstone(top):
        return f"{top.name}/ in your workspace holds files the capstone did not write: {mixed}"
    return ""


def _written_by_the_capstone(folder: Path) -> bool:
    readme = folder / "README.md"
    return readme.is_file() and GENERATED in readme.read_text(errors="replace")


def _publish(made: Path, target: Path, backups: Path) -> list[str]:
    """Copy the portfolio made in a scratch folder into `target`; a file there that would
    change (the README you edited, a file you fixed in the portfolio) is backed up first.
    Returns the files backed up."""
    from launchpad.authoring.reference import back_up

    replaced = []
    for source in sorted(path for path in made.rglob("*") if path.is_file()):
        relative = source.relative_to(made)
        destination = target / relative
        if destination.is_file() and destination.read_bytes() != source.read_bytes():
            back_up(destination, backups / relative)
            replaced.append(relative.as_posix())
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    return replaced


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
        generated["pyproject.toml"] = PYTEST_SETTINGS
    for relative, text in generated.items():
        (target / relative).write_text(text)
    return sorted(wanted | set(generated))


def _make_test(folder: Path) -> PytestRun:
    """The new repository's own `make test`, as a fresh clone would run it: the course's
    packages cannot be imported, the model is the one the learner serves, and no caches are
    left behind."""
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
    return summarise(run)


def _ruff_as_a_clone_runs_it(folder: Path) -> list[str]:
    """Ruff takes its settings from the nearest configuration up the tree: for a portfolio in
    the course's `workspace/`, the course's own pyproject.toml, whose import-sorting rules see
    `api` as a third-party package. A clone of the portfolio has only its own settings: used when
    it has some, else none (`--isolated`)."""
    own = [folder / "ruff.toml", folder / ".ruff.toml"]
    pyproject = folder / "pyproject.toml"
    if any(p.is_file() for p in own) or (
        pyproject.is_file() and "[tool.ruff" in pyproject.read_text(errors="replace")
    ):
        return []
    return ["--isolated"]


def check_portfolio(folder: Path) -> list[str]:
    """What the ecosystem's linters say about the generated repository: ruff on the Python,
    every YAML file parsed (duplicate keys refused), actionlint on the workflows, hadolint on
    the Dockerfile. Empty when clean."""
    from launchpad import yamlfile
    from launchpad.linters import VENV_BIN, actionlint, hadolint

    problems = []
    plain = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    ruff = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", "--no-cache", "--output-format", "concise"]
        + _ruff_as_a_clone_runs_it(folder)
        + ["."],
        cwd=folder,
        env={**plain, "NO_COLOR": "1"},
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
