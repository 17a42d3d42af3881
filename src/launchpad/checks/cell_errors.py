"""Why a name is still the `____` placeholder: the learner's cell raised before it assigned it.

IPython keeps the last exception it showed in `sys.last_value` / `sys.last_traceback`, and the
code of every cell in `linecache` (as an entry with no modification time, so it is never
evicted): the cell that raised, its source and its failing line can all be read back. The error
is blamed only if that cell assigns the name, so an older, unrelated error says nothing about it.
"""

from __future__ import annotations

import ast
import linecache
import re
import sys
import traceback
from collections.abc import Iterator

LONGEST_ERROR = 300  # characters of the exception's text: the cell's output has the rest


def cell_error(name: str) -> str | None:
    """'The cell that sets `name` raised ...', or None when no error shown explains why `name`
    is unset. Never raises: it only improves a message."""
    try:
        return _describe(name)
    except Exception:  # a best-effort diagnosis must never break a check
        return None


def _describe(name: str) -> str | None:
    error = getattr(sys, "last_value", None)
    if not isinstance(error, BaseException):
        return None
    unparsed = isinstance(error, SyntaxError) and _is_cell(error.filename)
    if unparsed:  # the cell never ran: no frame, only its name and the line
        filename, lineno, line = error.filename, error.lineno, error.text
    else:
        tb = getattr(sys, "last_traceback", None) or error.__traceback__
        cells = [f for f in traceback.extract_tb(tb) if _is_cell(f.filename)]
        if not cells:
            return None
        filename, lineno, line = cells[0].filename, cells[0].lineno, cells[0].line
    if not (_is_cell(filename) and _assigns("".join(linecache.getlines(filename)), name)):
        return None
    text = error.msg if unparsed else str(error)  # msg: without the cell's internal name
    text = text if len(text) <= LONGEST_ERROR else text[:LONGEST_ERROR].rstrip() + "…"
    raised = "has a" if unparsed else "raised"
    where = f" (line {lineno}: `{(line or '').strip()}`)" if lineno else ""
    return (
        f"The cell that sets `{name}` {raised} {type(error).__name__}: {text}{where}, "
        f"so `{name}` was never set: the check has nothing to look at until that cell runs "
        "to the end."
    )


def _is_cell(filename: str | None) -> bool:
    """IPython caches a cell's code in linecache with no modification time; files have one."""
    entry = linecache.cache.get(filename or "")
    return entry is not None and len(entry) == 4 and entry[1] is None


def _assigns(source: str, name: str) -> bool:
    try:
        return name in set(_bound_names(ast.parse(source)))
    except SyntaxError:  # the cell cannot be parsed: look for `name = ...` or `def name(`
        name = re.escape(name)
        binds = (
            rf"(?m)^\s*(?:(?:async\s+)?def\s+{name}\b|class\s+{name}\b|{name}\s*(:[^=\n]*)?=(?!=))"
        )
        return re.search(binds, source) is not None


def _bound_names(tree: ast.Module) -> Iterator[str]:
    """The names a cell binds at its top level (not inside the functions it defines)."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((a.asname or a.name.partition(".")[0]) for a in node.names)
        elif not isinstance(node, ast.Lambda):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                yield node.id
            pending.extend(ast.iter_child_nodes(node))
