"""The answer corpus runs beside the rest of the suite (issue 19: the suite in 15 minutes).

Its modules start when collection ends, in worker processes, so they overlap the other tests
instead of following them; the corpus tests run last and only read the results. Processes, not
threads: tests change os.environ (monkeypatch) while they run, and a corpus kernel started in
the middle of that would inherit it. Each worker takes the environment as it was at the start.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor

import pytest

from launchpad.authoring.corpus.results import ModuleResult, known_wrong_report, table
from launchpad.authoring.corpus.runner import run_module

FIXTURE = "corpus_runs"
# Two cores: one corpus module at a time beside the other tests. More workers only make both
# slower; LAUNCHPAD_CORPUS_WORKERS=2 suits `pytest tests/test_corpus.py` alone.
WORKERS = int(os.environ.get("LAUNCHPAD_CORPUS_WORKERS", "1"))


def _adopt(environment: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(environment)


class CorpusSession:
    def __init__(self, modules: list[str]):
        self.modules = modules
        self.started = time.monotonic()
        self.pool = ProcessPoolExecutor(
            max(1, min(WORKERS, len(modules))),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_adopt,
            initargs=(dict(os.environ),),
        )
        self.runs: dict[str, Future] = {m: self.pool.submit(run_module, m) for m in modules}

    def result(self, module: str) -> ModuleResult:
        return self.runs[module].result()

    def finish(self, reporter) -> None:
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
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if uses_corpus(item) and "module" in params:
            modules.add(params["module"])
    session.config.stash[KEY] = CorpusSession(sorted(modules)) if modules else None


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
