"""Module 09's questions: `from launchpad.questions.m09 import *` gives one name per question
(`q1`, `q2`, ...) and `____`.

The audit of the whole workspace, the portfolio repository written from it, and a pitch
whose every number comes from a measured figure.

The audit and the portfolio are `launchpad.capstone`'s; the checks hold what the learner made
with them to the same real tools: the report must cover every earlier module and show nothing
failing or missing, the portfolio is linted again (ruff, YAML, actionlint, hadolint) and its
README must carry the figures measured for it.
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
