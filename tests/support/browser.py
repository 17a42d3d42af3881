"""A real browser for the site's tests: Debian's Chromium, driven by Playwright.

Playwright normally downloads its own browsers; the course uses the system's Chromium instead
(`executable_path`), installed with apt-get when it is missing, so nothing is fetched from
outside the package registries. Pages are served from the built site on 127.0.0.1, and every
request for anything else is refused and recorded: the site must work offline.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from launchpad.net import free_port
from launchpad.tools import debian_binary

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def chromium() -> str:
    return debian_binary(
        "chromium", "chromium", "install Chromium (or Google Chrome) from your system's packages."
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class names it so
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 (a built site, like `mkdocs serve` without the
    rebuilds); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def offline_browser(base: str) -> Iterator[tuple[object, list[str]]]:
    """A headless Chromium context that may only reach `base`; yields it and the list of
    URLs it tried to fetch elsewhere."""
    from playwright.sync_api import sync_playwright

    refused: list[str] = []

    def only_local(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", only_local)
            yield context, refused
        finally:
            browser.close()


# For each <img> of a page's article: whether it loaded, its size, the share of its pixels that
# are opaque and coloured (the data's marks: the course's axes and text are grey), and the
# background the page paints behind it.
_PICTURES_JS = """
async (images) => Promise.all(images.map(async (img) => {
  await img.decode().catch(() => null);
  const box = img.getBoundingClientRect();
  const found = {alt: img.alt, source: img.src.slice(0, 30), width: img.naturalWidth,
                 shown: Math.round(box.width) + "x" + Math.round(box.height), coloured: 0,
                 background: getComputedStyle(img).backgroundColor};
  if (!img.naturalWidth) return found;
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let coloured = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
    if (pixels[i + 3] > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  found.coloured = coloured / (pixels.length / 4);
  return found;
}))
"""


def pictures(page) -> list[dict]:
    """What each picture in the page's article shows: `alt`, `source` (the start of its URL),
    `width` (0: it did not load), `shown` (its size on the page, "WxH"), `coloured` (the share
    of its pixels that are coloured marks; 0 for a blank or grey-only picture) and `background`
    (the CSS colour behind it: "rgba(0, 0, 0, 0)" when the page shows through)."""
    return page.locator("article img").evaluate_all(_PICTURES_JS)
