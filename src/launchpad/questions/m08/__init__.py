"""Module 08's questions: `from launchpad.questions.m08 import *` gives one name per question
(`q1`, `q2`, ...) and `____`.

Register the course model with MLflow's own API, explain why two training runs differ, a
directional behavioural test run against the course model and against broken ones, a promotion
decision on hidden cases, and a rehearsal of promotion, refusal and rollback with the course's
registry. Questions 1 and 5 read the learner's MLflow stores (sqlite files in the workspace)
with MLflow's client, as any tool of a team would. What the exercise hands the learner (the run
records, the sentences, the measured accuracies, the commit) is in
`launchpad.questions.m08.materials`.
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
