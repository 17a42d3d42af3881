"""Module 01, Load a pretrained model: `from launchpad.questions.m01 import *` gives q1 ... q6
and ____."""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
