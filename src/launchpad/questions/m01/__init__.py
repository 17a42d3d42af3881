"""Module 01's questions: `from launchpad.questions.m01 import *` gives one name per question
(`q1`, `q2`, ...) and `____`."""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
