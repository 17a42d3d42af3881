"""What the corpus runner keeps inside the exercise's kernel: the learner's names as they were
before a question's cases (each case starts from there, so one case cannot lean on another's
leftovers), and the verdicts that `qK.check()` shows, kept as data. After a case it also drops
what would outlive the workspace files the runner put back: modules imported from them, and
MLflow's open connections to their stores.

Imported by the runner's first cell; nothing here runs at import.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from typing import Any

# IPython's own names (output history, input history, the shell's helpers): left alone.
_IPYTHON = re.compile(r"_+|_i+|_i?\d+|In|Out|_oh|_ih|_dh|exit|quit|get_ipython")
_PLAIN = (str, int, float, bool, type(None))


class CorpusProbe:
    def __init__(self, namespace: dict[str, Any]):
        self.namespace = namespace
        self.saved: dict[str, Any] = {}
        self.contents: dict[str, Any] = {}
        self.stores: set[str] = set()  # the workspace's MLflow stores at the snapshot
        self.shown: list[Any] = []
        import launchpad.checks as checks

        shown, original = self.shown, checks.show

        def show_and_keep(feedback):  # `Question.check()` shows its verdict through this
            shown.append(feedback)
            original(feedback)

        checks.show = show_and_keep

    def snapshot(self) -> None:
        """Remember the names, and the contents of plain-data lists and dicts: a case that
        sorts a shared list in place (`LATENCIES_MS.sort()`) changes it for everyone."""
        self.saved = {k: v for k, v in self.namespace.items() if not _IPYTHON.fullmatch(k)}
        self.contents = {k: copy.deepcopy(v) for k, v in self.saved.items() if _plain_data(v)}
        self.stores = _workspace_stores()

    def restore(self) -> None:
        for name in [n for n in self.namespace if not _IPYTHON.fullmatch(n)]:
            if name not in self.saved:
                del self.namespace[name]
        for name, value in self.saved.items():
            self.namespace[name] = value
            if name in self.contents and value != self.contents[name]:
                _refill(value, copy.deepcopy(self.contents[name]))
        self._forget_workspace_modules()
        self._forget_workspace_stores()

    def _forget_workspace_modules(self) -> None:
        """Modules imported from the workspace (`api.main`) would outlive the files a case
        wrote: the next import must read the files as they are now."""
        from launchpad.paths import workspace_dir

        root = os.path.realpath(workspace_dir()) + os.sep
        for name, module in list(sys.modules.items()):
            where = getattr(module, "__file__", None)
            if where and os.path.realpath(where).startswith(root):
                del sys.modules[name]

    def _forget_workspace_stores(self) -> None:
        """The runner puts a case's MLflow stores back as new files (or removes them); MLflow's
        pooled connection would still write to the old one: "attempt to write a readonly
        database" for every case after it."""
        from launchpad.lifecycle.mlflow_cache import forget_store

        for uri in sorted(self.stores | _workspace_stores()):
            forget_store(uri)

    def begin(self) -> None:
        self.shown.clear()

    def verdict(self) -> str:
        """The last verdict shown since `begin()`, as JSON {status, message}."""
        verdicts = [f for f in self.shown if f.status in {"correct", "incorrect", "not_attempted"}]
        if not verdicts:
            return json.dumps({"status": "none", "message": "qK.check() showed no verdict"})
        return json.dumps({"status": verdicts[-1].status, "message": verdicts[-1].message})


def _workspace_stores() -> set[str]:
    """The URIs of the workspace's sqlite MLflow stores (`mlflow/`, `mlflow-rehearsal/`), if
    MLflow was imported: else none is open, and the registry's imports would cost every module
    a second."""
    if "mlflow" not in sys.modules:
        return set()
    from launchpad.lifecycle.registry import STORE_FILE, sqlite_uri
    from launchpad.paths import workspace_dir

    return {sqlite_uri(database.parent) for database in workspace_dir().rglob(STORE_FILE)}


def _plain_data(value: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(value, _PLAIN):
        return depth > 0  # a str or int is rebound, never changed in place
    if type(value) in (list, tuple, set):
        return all(_plain_data(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(_plain_data(k, 1) and _plain_data(v, depth + 1) for k, v in value.items())
    return False


def _refill(value: Any, contents: Any) -> None:
    if isinstance(value, list):
        value[:] = contents
    elif isinstance(value, (dict, set)):
        value.clear()
        value.update(contents)
