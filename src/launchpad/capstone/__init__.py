"""Module 09, the capstone: every earlier check run again on the learner's workspace, and the
workspace turned into a portfolio repository that stands on its own.

A check reads one of two things. Most read only files in `workspace/` (the service and its
tests, the Dockerfile, the Makefile and workflow, the descriptors, the ONNX export, the alert
rules): `audit()` runs them again, now, with the same real tools, so a file broken since the
learner passed its check shows up. The others read names the learner defined in an exercise
notebook (a function, a query, a number): only that notebook's kernel has them, so the audit can
only report what `workspace/.launchpad/progress.json` recorded when they passed. The checks that
build and run the image (modules 03 and 05) need a Docker engine and minutes of build time: they
are reported from progress too, unless the learner asks for them (`audit(engine=True)`).

One module per concern, each importing only those listed after it:

- `portfolio`: `build_portfolio()` copies, cuts loose, tests and lints the project; adds a README
- `standalone`: the course scaffolding replaced by standalone lines in the portfolio
- `readme`: the README, from the figures, the checklist and the pieces
- `pieces`: the files a portfolio is made of
- `figures`: numbers for the README, read from files or measured, each with source and date
- `checklist`: the classic portfolio path, ticked only where the audit proves it
- `audit`: `audit()` and its `Report`; where each check's evidence is, read from its declaration
"""

from launchpad.capstone.audit import (
    ENGINE,
    FAILS,
    MISSING,
    NOT_RECORDED,
    NOTEBOOK,
    PASSED,
    RECORDED,
    WORKSPACE,
    Report,
    Row,
    audit,
    earlier_modules,
    evidence,
    exercise_notebook,
)
from launchpad.capstone.checklist import CHECKLIST, Step, Tick, checklist
from launchpad.capstone.figures import Figure
from launchpad.capstone.pieces import PIECES, Piece
from launchpad.capstone.portfolio import Portfolio, build_portfolio, check_portfolio

__all__ = [
    "CHECKLIST",
    "ENGINE",
    "FAILS",
    "MISSING",
    "NOTEBOOK",
    "NOT_RECORDED",
    "PASSED",
    "PIECES",
    "RECORDED",
    "WORKSPACE",
    "Figure",
    "Piece",
    "Portfolio",
    "Report",
    "Row",
    "Step",
    "Tick",
    "audit",
    "build_portfolio",
    "check_portfolio",
    "checklist",
    "earlier_modules",
    "evidence",
    "exercise_notebook",
]
