"""Module 00's questions: `from launchpad.questions.m00 import *` gives q1, q2 and ____."""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
