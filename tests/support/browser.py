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
