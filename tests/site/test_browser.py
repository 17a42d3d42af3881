"""The built site in a real browser (Debian's Chromium, driven by Playwright), served on
127.0.0.1 with every other address refused: each page opens without console errors and with
its title, notebooks show their outputs and their plots, search works, the home page leads to
every module. Screenshots of a few pages are left in SCREENSHOTS for a person to look at."""

from __future__ import annotations

import json
import struct

import pytest
from support.browser import offline_browser, pictures, served

from launchpad.course import load
from launchpad.paths import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "build" / "site-screenshots"
TABS = 8
MODULES = [module.stem for module in load().modules]
# Pages that promise plots (issue 20), with how many pictures at least.
PLOTTED = {
    # throughput per batch size
    "/notebooks/01-load-a-pretrained-model/": 1,
    # the batching playground; throughput and p99 against clients; the latency distributions
    "/notebooks/06-scale-it/": 3,
    # traffic, errors and p99 over time; the drift distributions; the drift report's three
    "/notebooks/07-monitor-it/": 5,
    # the gate's accuracy per registry version, against its floors
    "/notebooks/08-automate-the-model-lifecycle/": 1,
}


@pytest.fixture(scope="module")
def site(built_site):
    with served(built_site) as base, offline_browser(base) as (context, refused):
        yield base, context, refused


def page_paths(built_site) -> list[str]:
    """The URL path of every page of the built site."""
    paths = []
    for index in built_site.rglob("index.html"):
        parts = index.parent.relative_to(built_site).parts
        if not parts or parts[0] not in ("assets", "search"):
            paths.append("/" + "".join(f"{part}/" for part in parts))
    return sorted(paths)


def open_page(context, url: str, wait: str = "networkidle"):
    """Open `url`; return the page and the list that collects its console errors and
    uncaught exceptions."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until=wait)
    return page, errors


def test_every_page_opens_cleanly_with_its_title_and_outputs(site, built_site):
    base, context, refused = site
    paths = page_paths(built_site)
    assert len(paths) >= 4 * len(MODULES), paths
    problems = []
    for start in range(0, len(paths), TABS):  # a few tabs at a time, as a reader would
        tabs = {
            path: open_page(context, base + path, wait="commit")
            for path in paths[start : start + TABS]
        }
        for path, (page, errors) in tabs.items():
            page.wait_for_load_state("networkidle")
            title = page.title()
            if not title.endswith("MLOps Launchpad"):
                problems.append(f"{path}: title {title!r}")
            if page.locator("article h1").count() == 0:
                problems.append(f"{path}: no heading")
            notebook = path.startswith(("/notebooks/", "/solutions/"))
            if notebook and page.locator("article .jp-OutputArea-output").count() == 0:
                problems.append(f"{path}: no rendered output")
            problems += [f"{path}: console: {e}" for e in errors]
            page.close()
    assert not problems, "\n".join(problems)
    assert not refused, f"pages tried to fetch from outside the site: {sorted(set(refused))}"


TRANSPARENT = "rgba(0, 0, 0, 0)"


def stored_pictures(path: str) -> int:
    """The pictures that the notebook behind a page's `path` holds in its stored outputs: each
    image output, and each <img> of an HTML output (the drift report's); 0 for other pages."""
    notebook = REPO_ROOT / (path.strip("/") + ".ipynb")
    if not path.startswith(("/notebooks/", "/solutions/")) or not notebook.is_file():
        return 0
    count = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:  # shown instead of any image in the same output
                count += "".join(data["text/html"]).count("<img")
            elif any(kind.startswith("image/") for kind in data):
                count += 1
    return count


def test_every_plotted_page_shows_its_pictures(site, built_site):
    """Each page that holds pictures (a notebook's stored plots, or an <img> in a page) shows
    every one of them in Chromium: loaded, drawn at a readable size, with coloured marks, not
    a blank or an empty frame, and on the page's own background in the light and the dark
    scheme (no panel: the plots are drawn to read on both). The pages that promise plots still
    hold them."""
    base, context, _ = site
    stored = {path: stored_pictures(path) for path in page_paths(built_site)}
    for path, least in PLOTTED.items():
        assert stored[path] >= least, f"{path} holds {stored[path]} pictures, not {least}"
    with_images = {
        path
        for path in stored
        if "<img" in (built_site / path.strip("/") / "index.html").read_text()
    }
    problems, shown = [], 0
    for path in sorted(with_images | {p for p, n in stored.items() if n}):
        page, _ = open_page(context, base + path)
        found = pictures(page)
        page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
        found_dark = pictures(page)
        page.close()
        if stored[path] and len(found) != stored[path]:
            problems.append(f"{path}: {len(found)} pictures on the page, {stored[path]} stored")
        for picture, dark in zip(found, found_dark, strict=True):
            width, height = (int(side) for side in picture["shown"].split("x"))
            if not picture["width"] or width < 200 or height < 100 or picture["coloured"] < 0.002:
                problems.append(f"{path}: {picture}")
            if {picture["background"], dark["background"]} != {TRANSPARENT}:
                problems.append(f"{path}: a panel behind {picture['alt']!r}: {picture}, {dark}")
        shown += len(found)
    assert not problems, "\n".join(problems)
    assert shown >= sum(PLOTTED.values())


def test_the_roadmap_diagram_renders(site):
    base, context, _ = site
    page, errors = open_page(context, base + "/")
    # Material swaps the diagram's source (pre.mermaid) for the drawing (div.mermaid).
    diagram = page.locator("article div.mermaid").first
    diagram.wait_for(timeout=15000)
    assert page.locator("article pre.mermaid").count() == 0
    assert diagram.bounding_box()["height"] > 20 and not errors
    page.close()


def test_wide_notebook_outputs_keep_their_lines_whole(site):
    """The capstone's audit is a table in text: a line broken mid-word ("0 o|f 25") is
    unreadable, so a wide line scrolls instead."""
    base, context, _ = site
    page, _ = open_page(context, base + "/notebooks/09-capstone-and-career/")
    outputs = page.locator("article .jp-OutputArea-output pre")
    assert outputs.count() > 0
    styles = outputs.first.evaluate(
        "e => [getComputedStyle(e).whiteSpace, getComputedStyle(e).overflowX]"
    )
    assert styles == ["pre", "auto"], styles
    page.close()


def test_a_table_without_a_header_draws_no_empty_row(site):
    """Each module page's facts table has an empty Markdown header: it must not show as a bar
    above the facts, while a table with a header keeps it."""
    base, context, _ = site
    page, _ = open_page(context, base + "/modules/03-package-it-in-a-container/")
    facts, figures = page.locator("article table").nth(0), page.locator("article table").nth(1)
    assert facts.locator("thead").evaluate("e => getComputedStyle(e).display") == "none"
    assert facts.locator("tbody tr").first.bounding_box()["height"] > 0
    assert figures.locator("thead").evaluate("e => getComputedStyle(e).display") != "none"
    page.close()


def test_search_finds_a_term_from_module_03(site):
    base, context, _ = site
    page, _ = open_page(context, base + "/")
    page.locator("input.md-search__input").click()
    page.keyboard.type("hadolint", delay=20)  # Material searches as you type
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15000)
    targets = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("03-package-it-in-a-container" in t for t in targets), targets
    page.close()


def test_navigation_from_the_home_page_reaches_every_module(site):
    """Follow links from the home page, two clicks deep, as a newcomer would."""
    base, context, _ = site
    seen, frontier = set(), ["/"]
    for _ in range(2):
        found = set()
        for path in frontier:
            page, _ = open_page(context, base + path, wait="domcontentloaded")
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            found |= {h.removeprefix(base).split("#")[0] for h in hrefs if h.startswith(base)}
            page.close()
        frontier, seen = sorted(found - seen), seen | found
        if all(f"/modules/{m}/" in seen for m in MODULES):
            break
    missing = [m for m in MODULES if f"/modules/{m}/" not in seen]
    assert not missing, f"not reachable from the home page: {missing}"


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_screenshots_of_three_pages(site):
    base, context, _ = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {"home": "/", "module-03": "/modules/03-package-it-in-a-container/"}
    shots["lesson-06"] = "/notebooks/06-scale-it/"
    for name, path in shots.items():
        page, _ = open_page(context, base + path)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        page.close()
        assert png_size(target) == (1280, 900) and target.stat().st_size > 20_000
    print(f"screenshots in {SCREENSHOTS}")
