"""Module 02's questions: `from launchpad.questions.m02 import *` gives q1 ... q6 and
____. The learner's service lives in `workspace/api/`."""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
