"""Every module page has the Carpentries-style parts a learner and an instructor look for, in
the same places, and the site lists the modules in course order. The title, facts table and
objectives come from course.yml (the page marks their place); the rest is the page's prose."""

from __future__ import annotations

import html
import re

import pytest

from launchpad.course import load
from launchpad.course.markdown import total_time
from launchpad.paths import REPO_ROOT

MODULES = load().modules


def page_of(module):
    return REPO_ROOT / "docs" / "modules" / f"{module.stem}.md"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.stem)
def test_a_module_page_has_every_part(module):
    text = page_of(module).read_text()
    assert text.startswith("<!-- course: module-page -->\n"), (
        f"{module.stem}.md: open with `<!-- course: module-page -->` (title, facts, objectives)"
    )
    for part in ("## Key points", '??? note "Instructor notes"'):  # notes collapsed for learners
        assert part in text, f"{module.stem}.md lacks {part!r}"
    if module.number != "00":  # the welcome module has no reference code yet to show
        assert re.search(r'--8<-- "(src|deploy|bench|\.github)/', text), (
            f"{module.stem}.md includes no code"
        )


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.stem)
def test_the_built_page_states_the_manifest_facts_and_counts_the_questions(module, built_site):
    from launchpad.questions import questions_of

    built = html.unescape((built_site / "modules" / module.stem / "index.html").read_text())
    article = built[built.index("<article") : built.index("</article>")]
    text = re.sub(r"<[^>]+>", "", article)
    assert "<h1 id=" in article and module.label in text
    assert f"{module.minutes.total} minutes ({module.minutes.lesson} lesson," in text
    questions = len(questions_of(module.number))
    assert f"{questions} checked question{'s' if questions > 1 else ''}" in text
    assert 'id="objectives"' in article
    for href in ("notebooks", "exercises", "solutions"):
        assert f'href="../../{href}/{module.stem}/"' in article, f"{module.stem}: no {href} link"


def test_the_nav_lists_every_module_in_course_order(repo, built_site):
    nav = (repo / "mkdocs.yml").read_text()
    assert "  - Modules: []" in nav and "modules/0" not in nav, "the hook writes the modules"
    home = (built_site / "index.html").read_text()
    order = re.findall(r'href="modules/(\d\d-[^/"]+)/"', home)
    assert list(dict.fromkeys(order)) == [m.stem for m in MODULES]


def test_the_home_page_states_the_course_time(built_site):
    home = html.unescape((built_site / "index.html").read_text())
    assert f"<strong>Time:</strong> {total_time(load())}" in home
