"""Module 01's questions: `from launchpad.questions.m01 import *` gives q1 ... q6
and ____."""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
