"""The course manifest (`course.yml`) is the one source of the modules' titles and times: it
reads into typed objects or says which field is wrong, its generated copies are up to date, and
no other file keeps a title of its own."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
import yaml

from launchpad.course import COURSE_FILE, CourseError, load, sync
from launchpad.course.manifest import parse
from launchpad.course.markdown import MarkerError, expand, total_time
from launchpad.paths import REPO_ROOT

HOOK = REPO_ROOT / "docs" / "hooks" / "course.py"


def data() -> dict:
    return yaml.safe_load(COURSE_FILE.read_text())


def test_every_module_has_its_page_and_notebooks_in_course_order():
    course = load()
    assert [m.number for m in course.modules] == [f"{i:02}" for i in range(len(course.modules))]
    for folder, suffix in (
        ("docs/modules", ".md"),
        ("notebooks", ".ipynb"),
        ("solutions", ".ipynb"),
    ):
        stems = sorted(p.stem for p in (REPO_ROOT / folder).glob(f"[0-9][0-9]-*{suffix}"))
        assert stems == [m.stem for m in course.modules], f"{folder}/ and course.yml differ"


def _broken(edit) -> str:
    manifest = data()
    edit(manifest)
    with pytest.raises(CourseError) as raised:
        parse(manifest)
    return str(raised.value)


def _row(manifest: dict, day: int, index: int) -> dict:
    return manifest["agendas"]["two-day"]["days"][day]["rows"][index]


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["modules"][3].pop("title"), "modules[3].title: Field required"),
        (
            lambda d: d["modules"][3]["minutes"].update(lesson="thirty"),
            "modules[3].minutes.lesson: Input should be a valid integer",
        ),
        (
            lambda d: d["modules"][3].update(objectivs=["typo"]),
            "modules[3].objectivs: Extra inputs are not permitted",
        ),
        (lambda d: d["modules"][3].update(objectives=[]), "modules[3].objectives: List should"),
        (lambda d: d["modules"][3].update(number="3"), "modules[3].number: String should match"),
        (
            lambda d: d["modules"].insert(0, d["modules"].pop(3)),
            "modules[0].number: '03', but modules are numbered 00, 01, ...",
        ),
        (
            lambda d: d["modules"][4].update(title=d["modules"][3]["title"]),
            "is used by more than one module",
        ),
        (
            lambda d: d["agendas"]["one-day"]["days"][0].update(start="9:00"),
            "agendas.one-day.days[0].start: String should match",
        ),
        (
            lambda d: _row(d, 0, 3).update(pause=15),
            "agendas.two-day.days[0].rows[3].pause: Extra inputs are not permitted",
        ),
        (
            lambda d: d["agendas"]["two-day"]["days"][0]["rows"].insert(2, {"lunch": 45}),
            "agendas.two-day.days[0].rows[2]: a row is a `module:`, a `break:` or a `session:`",
        ),
        (
            lambda d: _row(d, 1, 3).update(module="10"),
            "agendas.two-day.days[1].rows[3].module: there is no module 10",
        ),
        (
            lambda d: _row(d, 1, 1).pop("part"),
            "agendas.two-day: module 05 is taught as ['lesson', None]",
        ),
        (
            lambda d: _row(d, 1, 3).update(module="02"),
            "agendas.two-day: module 02 is taught as [None, None]",
        ),
    ],
)
def test_a_malformed_manifest_is_refused_with_the_field_named(edit, message):
    assert message in _broken(edit)


def test_a_manifest_that_is_not_yaml_names_the_file(tmp_path):
    broken = tmp_path / "course.yml"
    broken.write_text("modules: [\n")
    with pytest.raises(CourseError, match="course.yml is not valid YAML"):
        load(broken)


def test_the_generated_copies_are_up_to_date():
    stale = sync.stale()
    assert not stale, f"run `python -m launchpad.course` (make exercises): {stale} are stale"


def test_a_title_changed_in_the_manifest_reaches_the_readme_and_the_notebooks(tmp_path):
    for part in ("README.md", "notebooks", "solutions"):
        source = REPO_ROOT / part
        copy_ = shutil.copytree if source.is_dir() else shutil.copy
        copy_(source, tmp_path / part)
    renamed = copy.deepcopy(data())
    renamed["modules"][3]["title"] = "Ship it in a box"
    renamed["modules"][3]["minutes"]["lesson"] += 5
    course = parse(renamed)
    stem = course.modules[3].stem
    changed = {p.relative_to(tmp_path).as_posix() for p in sync.stale(tmp_path, course)}
    assert changed == {"README.md", f"notebooks/{stem}.ipynb", f"solutions/{stem}.ipynb"}
    sync.write(tmp_path, course)
    assert not sync.stale(tmp_path, course)
    assert "| 03 | Ship it in a box |" in (tmp_path / "README.md").read_text()
    lesson = json.loads((tmp_path / "notebooks" / f"{stem}.ipynb").read_text())
    assert lesson["cells"][0]["source"][0] == "# 03 · Ship it in a box\n"
    assert "**Time:** 95 minutes" in "".join(lesson["cells"][0]["source"])
    solution = json.loads((tmp_path / "solutions" / f"{stem}.ipynb").read_text())
    assert solution["cells"][0]["source"][0] == "# Exercise 03 · Ship it in a box\n"


def test_markers_are_expanded_or_named():
    course = load()
    link = expand("see <!-- course: link 06 -->.", "workshop/x.md", course)
    assert (
        link == f"see [06 · {course.module('06').title}](../modules/{course.module('06').stem}.md)."
    )
    shown = "`<!-- course: link NN -->`\n\n```\n<!-- course: roadmap -->\n```"
    assert expand(shown, "contributing.md", course) == shown, "code shows a marker as written"
    with pytest.raises(MarkerError, match=r"docs/index.md: <!-- course: roadmapp -->: unknown"):
        expand("<!-- course: roadmapp -->", "index.md", course)
    with pytest.raises(MarkerError, match="module-page -->: it belongs on a module's page"):
        expand("<!-- course: module-page -->", "roadmap.md", course)
    with pytest.raises(MarkerError, match="agenda 'two-day' has days 1 to 2, not 3"):
        expand("<!-- course: agenda two-day 3 -->", "workshop/two-day.md", course)


def test_the_total_time_is_in_minutes_and_half_hours():
    course = load()
    total = sum(m.minutes.total for m in course.modules)
    stated = re.fullmatch(
        r"(\d+) minutes in all, about (\d+)(½?) hours: \w+ modules .*", total_time(course)
    )
    assert stated and int(stated[1]) == total
    assert int(stated[2]) + (0.5 if stated[3] else 0) == round(total / 30) / 2


def _hook():
    spec = importlib.util.spec_from_file_location("course_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hook_fills_the_nav_with_every_module_in_course_order():
    from mkdocs.exceptions import PluginError

    hook, course = _hook(), load()
    config = SimpleNamespace(nav=[{"Home": "index.md"}, {"Modules": []}, {"Career": "career.md"}])
    sections = hook.on_config(config).nav[1]["Modules"]
    assert [next(iter(s)) for s in sections] == [m.label for m in course.modules]
    assert sections[3][course.modules[3].label][0] == {
        "Overview": f"modules/{course.modules[3].stem}.md"
    }
    with pytest.raises(PluginError, match="no `Modules: \\[\\]` section"):
        hook.on_config(SimpleNamespace(nav=[{"Home": "index.md"}]))


# Where a title may appear besides the manifest: nowhere that someone must edit by hand.
# Generated copies are left out because a test compares each with its source: the exercises
# (tests/test_exercise_generation.py), the README's roadmap block and the notebooks' titles
# (above), and notebook outputs (nbval re-runs the code that prints them). The changelog is
# history: it records what a release was called then.
NOT_COPIES = {"course.yml", "docs/changelog.md"}
GENERATED_FOLDERS = ("exercises/",)


def repository_texts() -> dict[str, str]:
    """{where: text} of every file in the repository a person edits (a notebook cell by cell)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    stems = {m.stem for m in load().modules}
    texts = {}
    for name in filter(None, listed):
        path = REPO_ROOT / name
        if name in NOT_COPIES or name.startswith(GENERATED_FOLDERS) or path.is_symlink():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
            continue
        if name.endswith(".ipynb"):
            sources = ["".join(cell["source"]) for cell in json.loads(text)["cells"]]
            if path.parent.name in ("notebooks", "solutions") and path.stem in stems:
                sources[0] = "\n" + sources[0].split("\n", 1)[-1]  # its title: synced above
            texts |= {f"{name}, cell {i}": source for i, source in enumerate(sources)}
        else:
            texts[name] = sync.README_BLOCK.sub("", text) if name == "README.md" else text
    return texts


def test_each_module_title_is_written_only_in_the_manifest():
    titles = [m.title for m in load().modules]
    texts = repository_texts()
    assert "src/launchpad/course/manifest.py" in texts, "the scan found the repository's files"
    copies = []
    for where, text in texts.items():
        for title in titles:
            for match in re.finditer(rf"(?<!\w){re.escape(title)}(?!\w)", text):
                copies.append(
                    f"{where}, line {text.count(chr(10), 0, match.start()) + 1}: {title!r}"
                )
    assert not copies, (
        "a module's title is written by hand outside course.yml; name the module by its number,"
        " or generate the text from the manifest (a `<!-- course: link NN -->` marker on a"
        " site page):\n" + "\n".join(copies)
    )
