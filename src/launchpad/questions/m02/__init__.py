"""Module 02's questions: `from launchpad.questions.m02 import *` gives one name per question
(`q1`, `q2`, ...) and `____`. The learner's service lives in `workspace/api/`."""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
