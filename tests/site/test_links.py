"""Every internal link and anchor of the built site points at something that exists."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target_file(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def test_no_broken_internal_links_or_anchors(built_site):
    pages = {p: parse(p) for p in built_site.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        here = "/" + path.relative_to(built_site).as_posix()
        for link in page.links:
            if urlparse(link).scheme or link.startswith(("//", "mailto:", "data:")):
                continue
            url, fragment = urldefrag(urljoin(here, link))
            target = target_file(built_site, urlparse(url).path)
            if not target.exists():
                broken.append(f"{here}: {link} (no {target.relative_to(built_site)})")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{here}: {link} (no #{fragment} there)")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:30])
