"""MkDocs hook: the site's module lists come from the course manifest (`course.yml`).

`on_config` fills the nav's `Modules` section; `on_page_markdown` expands each page's
`<!-- course: ... -->` markers (see `launchpad.course.markdown`). A malformed manifest or
marker stops the build with the field or the marker named.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from launchpad.course import CourseError, load
from launchpad.course.markdown import MarkerError, expand

NAV_SECTION = "Modules"


def _course():
    try:
        return load()
    except CourseError as error:
        raise PluginError(str(error)) from None


def _questions(module: str) -> int:
    from launchpad.questions import questions_of

    return len(questions_of(module))


def on_config(config):
    load.cache_clear()  # `mkdocs serve` rebuilds in one process: read an edited manifest anew
    course = _course()
    modules = [
        {
            module.label: [
                {"Overview": f"modules/{module.stem}.md"},
                {"Lesson": f"notebooks/{module.stem}.ipynb"},
                {"Exercise": f"exercises/{module.stem}.ipynb"},
                {"Solution": f"solutions/{module.stem}.ipynb"},
            ]
        }
        for module in course.modules
    ]
    for item in config.nav or []:
        if isinstance(item, dict) and NAV_SECTION in item:
            item[NAV_SECTION] = modules
            return config
    raise PluginError(f"mkdocs.yml: the nav has no `{NAV_SECTION}: []` section to fill")


def on_page_markdown(markdown, page, config, files):
    try:
        return expand(markdown, page.file.src_uri, _course(), _questions)
    except MarkerError as error:
        raise PluginError(str(error)) from None
