"""Import the learner's code from the workspace, fresh every time a check runs.

The learner edits files with %%writefile and re-runs checks; a cached import would test the
old code. Import errors become feedback, not tracebacks.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from launchpad.checks import Incorrect, NotAttempted, learner_frame
from launchpad.paths import link_or_copy, workspace_dir


def import_fresh(module: str, purge: bool = True) -> ModuleType:
    """Import `module` (e.g. "api.main") from the workspace, dropping any cached copy of its
    package first (unless `purge` is false: to import a sibling of a module just patched)."""
    root = str(workspace_dir())
    path = workspace_dir().joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists():
        raise NotAttempted(
            f"There is no {path.relative_to(root)} in your workspace yet: run its %%writefile cell."
        )
    package = module.split(".")[0]
    if purge:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
    if root in sys.path:  # first on the path, even if another workspace was used before
        sys.path.remove(root)
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    try:
        return importlib.import_module(module)
    except NotImplementedError as error:
        culprit = Path(traceback.extract_tb(error.__traceback__)[-1].filename).name
        raise NotAttempted(f"{culprit} still raises NotImplementedError.") from error
    except SyntaxError as error:
        raise Incorrect(
            f"{path.relative_to(root)} has a syntax error on line {error.lineno}: {error.msg}."
        ) from error
    except Exception as error:  # a learner's import error, reported plainly
        where = learner_frame(error)
        raise Incorrect(
            f"Importing {path.relative_to(root)} failed with {type(error).__name__}: {error} "
            f"(line {where.lineno} of {where.filename.rsplit('/', 1)[-1]})."
        ) from error


@contextmanager
def mutated_workspace(relative: str, old: str, new: str, append: str = ""):
    """A copy of the workspace with one edit in one file (`old` replaced by `new`, then `append`
    added): the realistic wrong answer that a self-test feeds to a check
    (`q.expect_fail(..., workspace=path)`), or the broken app that a check runs tests against."""
    source = workspace_dir()
    target = source / relative
    text = target.read_text()
    if old not in text:
        raise ValueError(f"{old!r} is not in {relative}")
    with tempfile.TemporaryDirectory(prefix="launchpad-mutant-") as tmp:
        copy = Path(tmp) / "workspace"
        # Hard links, not copies: a workspace can hold hundreds of MB of wheels (module 03).
        shutil.copytree(
            source,
            copy,
            ignore=shutil.ignore_patterns("__pycache__", ".launchpad"),
            copy_function=link_or_copy,
        )
        (copy / relative).unlink()  # break the link before editing: the original stays intact
        (copy / relative).write_text((text.replace(old, new) if old else text) + append)
        yield copy
