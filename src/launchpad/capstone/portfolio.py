"""The portfolio: the workspace written out as a repository that stands on its own, with its
own README, its tests run as a fresh clone would run them, and its files linted."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from launchpad.capstone.audit import Report, exercise_notebook
from launchpad.capstone.checklist import checklist
from launchpad.capstone.figures import Figure, audit_figure, day, measured_figures, served_model_dir
from launchpad.capstone.pieces import COPIED_TREES, OPTIONAL, PIECES, Piece, missing_pieces
from launchpad.capstone.readme import GENERATED, render_readme, serves_metrics
from launchpad.capstone.standalone import course_ties, detach, outside_the_course
from launchpad.paths import using_workspace
from launchpad.pytest_run import PYTEST_SETTINGS, PytestRun, summarise

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
        figures = measured_figures(folder) if measure else []
        if report is not None:
            figures.append(audit_figure(report))
        tests = _make_test(target) if run_tests else None
        if tests is not None:
            figures.append(
                Figure(
                    "tests of this repository",
                    tests.summary,
                    "measured: `make test`, with the course's packages out of reach",
                    day(),
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
