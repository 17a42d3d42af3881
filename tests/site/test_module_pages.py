"""Every module page has the Carpentries-style parts a learner and an instructor look for, in
the same places, and the nav lists the modules in roadmap order."""

from __future__ import annotations

import re

import pytest
import yaml

from launchpad.paths import REPO_ROOT
from launchpad.questions import MODULES

PAGES = sorted((REPO_ROOT / "docs" / "modules").glob("[0-9][0-9]-*.md"))


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---")[1])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_a_module_page_has_every_part(page):
    text = page.read_text()
    meta = front_matter(text)
    slug = page.stem
    assert meta["module"] == slug[:2] and meta["time_minutes"] > 0
    questions = len(MODULES[slug[:2]][1])
    for part in (
        f"| **Time** | {meta['time_minutes']} minutes",
        "| **Prerequisites** |",
        f"(../notebooks/{slug}.ipynb)",
        f"[{questions} checked question",
        f"(../exercises/{slug}.ipynb)",
        f"(../solutions/{slug}.ipynb)",
        "## Objectives",
        "## Key points",
        '??? note "Instructor notes"',  # collapsed for learners
    ):
        assert part in text, f"{page.name} lacks {part!r}"
    if slug[:2] != "00":  # the welcome module has no reference code yet to show
        assert re.search(r'--8<-- "(src|deploy|bench|\.github)/', text), (
            f"{page.name} includes no code"
        )


def test_the_nav_follows_the_roadmap(repo):
    nav = (repo / "mkdocs.yml").read_text()
    order = re.findall(r"Overview: modules/(\d\d)-", nav)
    assert order == sorted(order) == [p.stem[:2] for p in PAGES]
    assert list(MODULES) == order


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_the_lesson_states_the_same_time_as_its_page(page):
    import nbformat

    lesson = nbformat.read(REPO_ROOT / "notebooks" / f"{page.stem}.ipynb", 4)
    stated = re.search(r"\*\*Time:\*\* *(\d+) minutes", lesson.cells[0].source)
    assert stated, f"{page.stem}.ipynb does not say its time in its first cell"
    assert int(stated.group(1)) == front_matter(page.read_text())["time_minutes"]


def test_the_home_page_states_the_sum_of_the_module_times():
    total = sum(front_matter(page.read_text())["time_minutes"] for page in PAGES)
    home = (REPO_ROOT / "docs" / "index.md").read_text()
    stated = re.search(r"\*\*Time:\*\* (\d+) minutes in all, about (\d+)(½?) hours", home)
    assert stated, "the home page does not state the course's total time"
    assert int(stated[1]) == total
    assert int(stated[2]) + (0.5 if stated[3] else 0) == round(total / 30) / 2
