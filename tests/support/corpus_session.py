"""The answer corpus runs beside the rest of the suite (issue 19: the suite in 15 minutes).

Its modules start when collection ends, in worker processes, so they overlap the other tests
instead of following them; the corpus tests run last and only read the results. Processes, not
threads: tests change os.environ (monkeypatch) while they run, and a corpus kernel started in
the middle of that would inherit it. Each worker takes the environment as it was at the start.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import pytest

from launchpad.authoring.corpus.cases import load_module
from launchpad.authoring.corpus.results import ModuleResult, known_wrong_report, table
from launchpad.authoring.corpus.runner import default_corpus, run_module

CORPUS = default_corpus()

FIXTURE = "corpus_runs"
# Two cores: one corpus module at a time while the other tests run, then as many as there are
# cores once they are done (the corpus tests run last, and waiting for a result says so).
BESIDE_TESTS = 1
ALONE = int(os.environ.get("LAUNCHPAD_CORPUS_WORKERS", str(min(os.cpu_count() or 1, 2))))


def _adopt(environment: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(environment)


class CorpusSession:
    """The modules run longest first (by the sum of their cases' time limits: modules 03 and 09,
    which build images and run audits, first), so that what is left when the other tests end
    splits well between the workers."""

    def __init__(self, modules: list[str], cost: Callable[[str], float]):
        self.started = time.monotonic()
        self.waiting = sorted(modules, key=cost, reverse=True)
        self.limit = BESIDE_TESTS
        self.lock = threading.RLock()  # a done callback may run in the thread that submits
        self.pool = ProcessPoolExecutor(
            max(1, BESIDE_TESTS, ALONE),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_adopt,
            initargs=(dict(os.environ),),
        )
        self.runs: dict[str, Future] = {}
        self._top_up()

    def _top_up(self, _done: Future | None = None) -> None:
        """Start waiting modules while fewer than `limit` run."""
        with self.lock:
            while self.waiting and sum(not f.done() for f in self.runs.values()) < self.limit:
                module = self.waiting.pop(0)
                self.runs[module] = self.pool.submit(run_module, module)
                self.runs[module].add_done_callback(self._top_up)

    def result(self, module: str) -> ModuleResult:
        """Called by the corpus tests, which run last: the rest of the suite is done, so the
        corpus gets every worker from now on."""
        self.limit = max(BESIDE_TESTS, ALONE)
        while True:
            self._top_up()
            if module in self.runs:
                return self.runs[module].result()
            running = [f for f in self.runs.values() if not f.done()]
            wait(running, timeout=1, return_when=FIRST_COMPLETED)

    def finish(self, reporter) -> None:
        self.waiting.clear()
        self.pool.shutdown(wait=True, cancel_futures=True)
        done = [f.result() for f in self.runs.values() if f.done() and not f.exception()]
        if not done:
            return
        reporter.ensure_newline()
        reporter.section(f"answer corpus ({time.monotonic() - self.started:.0f} s wall time)")
        known = known_wrong_report(done)
        if known:
            reporter.line(known + "\n")
        reporter.line(table(done))


def uses_corpus(item: pytest.Item) -> bool:
    return FIXTURE in getattr(item, "fixturenames", ())


def order_last(items: list[pytest.Item]) -> None:
    """The tests that read the corpus's results go last: by then the runs are done or nearly."""
    items.sort(key=uses_corpus)  # stable: every other test keeps its place


def start(session: pytest.Session) -> None:
    """Start the corpus of every module a selected test reads (collection has ended)."""
    modules = set()
    if session.config.option.collectonly:  # nothing runs
        session.config.stash[KEY] = None
        return
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if uses_corpus(item) and "module" in params:
            modules.add(params["module"])

    def cost(module: str) -> float:
        return sum(case.timeout for cases in load_module(CORPUS, module).values() for case in cases)

    session.config.stash[KEY] = CorpusSession(sorted(modules), cost) if modules else None


def running(config: pytest.Config) -> CorpusSession:
    corpus = config.stash.get(KEY, None)
    assert corpus is not None, "no corpus module was selected"
    return corpus


def finish(config: pytest.Config, reporter) -> None:
    corpus = config.stash.get(KEY, None)
    if corpus is not None:
        config.stash[KEY] = None
        corpus.finish(reporter)


KEY = pytest.StashKey[CorpusSession | None]()
