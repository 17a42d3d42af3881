"""Module 06's questions: `from launchpad.questions.m06 import *` gives one name per question
(`q1`, `q2`, ...) and `____`.

Percentiles from raw timings, a micro-batcher driven by concurrent requests, an ONNX int8
export that must still agree with PyTorch, and sizing a deployment from measured figures. The
figures the exercise works on are in `launchpad.questions.m06.figures`.
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
