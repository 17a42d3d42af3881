"""The site builds strictly and `.ci/run` is the README's test command. (Linting is `make lint`,
which `make test` runs first.)"""

from __future__ import annotations

import html
import re

import nbformat

from launchpad.authoring.execute import output_text


def stored_notebooks(repo):
    """The notebooks stored with their outputs, which nbval compares."""
    return sorted([*repo.glob("notebooks/*.ipynb"), *repo.glob("solutions/*.ipynb")])


def test_site_builds_strict_with_every_lesson_rendered(repo, built_site):
    for lesson in (repo / "notebooks").glob("*.ipynb"):
        page = html.unescape((built_site / "notebooks" / lesson.stem / "index.html").read_text())
        printed = [
            o.text.strip().splitlines()[0]
            for c in nbformat.read(lesson, 4).cells
            if c.cell_type == "code"
            for o in c.outputs
            if o.output_type == "stream" and o.text.strip()
        ]
        assert printed, f"{lesson.name} has no printed output"
        assert printed[-1] in page, f"{lesson.name}: its outputs are not on the page"
    recipe = (built_site / "modules" / "01-load-a-pretrained-model" / "index.html").read_text()
    assert "lr_head" in recipe, "the recipe snippet from src/ was not included"


def test_ci_runs_the_readme_test_command(repo):
    readme = (repo / "README.md").read_text()
    assert re.search(r"^make test\b", readme, re.M)
    assert (repo / ".ci" / "run").read_text().strip().endswith("exec make test")
    workflow = (repo / ".github" / "workflows" / "course-ci.yml").read_text()
    assert "run: make test" in workflow


def test_stored_notebooks_are_normalised_and_show_no_widget_constructor(repo):
    """`launchpad execute` stores notebooks normalised; an edit saved from JupyterLab would
    bring back timings, widget state and, on the site, `VBox(children=(...` for a widget."""
    from launchpad.authoring.execute import WIDGET_REPR, WIDGET_VIEW, normalise

    for path in stored_notebooks(repo):
        stored = nbformat.read(path, as_version=4)
        assert nbformat.writes(normalise(nbformat.read(path, as_version=4))) == nbformat.writes(
            stored
        ), f"{path.name} is not normalised: run `launchpad execute` on it"
        for cell in stored.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert not (WIDGET_VIEW in data and WIDGET_REPR.match(data["text/plain"])), path


def test_unstable_outputs_are_tagged_not_commented(repo, built_site):
    """nbval's `# NBVAL_IGNORE_OUTPUT` comment would show in JupyterLab and on every page; the
    `nbval-ignore-output` cell tag does the same job out of the learner's sight."""
    marker = re.compile(r"^\s*#\s*NBVAL_", re.M)
    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((repo / folder).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                assert not marker.search(cell.source), (
                    f"{folder}/{path.name}: tag the cell `nbval-ignore-output` instead"
                )
        for page in (built_site / folder).rglob("index.html"):
            assert "NBVAL_" not in page.read_text(), page


def test_no_checked_output_holds_a_date(repo):
    """nbval compares every output not tagged `nbval-ignore-output`: one that prints today's date
    passes on the day it was stored and fails from the next."""
    date = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")
    for path in stored_notebooks(repo):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
                continue
            for output in cell.outputs:
                text = output_text(output)
                assert not date.search(text), f"{path.name} cell {cell.id}: {date.search(text)[0]}"
