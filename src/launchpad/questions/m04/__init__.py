"""Module 04's questions: `from launchpad.questions.m04 import *` gives one name per question
(`q1`, `q2`, ...) and `____`.

The learner's Makefile, workflow and pre-commit config live in `workspace/`.

The checks run the Makefile's verbs for real, read the workflow for its meaning (parsed YAML,
the same reviewer the course's own workflows pass), run actionlint and checkov on it, and run
pre-commit on a throwaway git copy of the workspace.
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
