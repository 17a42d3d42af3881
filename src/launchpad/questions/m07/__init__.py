"""Module 07's questions: `from launchpad.questions.m07 import *` gives one name per question
(`q1`, `q2`, ...) and `____`.

A PromQL query and an alert rule, both replayed by the real `promtool` on series whose answer is
known (`launchpad.promql_replay`); a PSI function held to `launchpad.drift`; four drift reports
to read; and a small app to instrument, scraped with prometheus_client's parser. What the
exercise hands the learner (the reports, the runbook, a toy model) is in
`launchpad.questions.m07.materials`.
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
