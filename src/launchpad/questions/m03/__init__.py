"""Module 03's questions: `from launchpad.questions.m03 import *` gives one name per question
(`q1`, `q2`, ...) and `____`. The learner's Dockerfile lives in `workspace/`.

hadolint runs on every machine; the build, run and inspection checks use a real Docker engine
when one is reachable (in the course's CI it always is) and say how to get one when not
(`launchpad.containers.learner_image`).
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
