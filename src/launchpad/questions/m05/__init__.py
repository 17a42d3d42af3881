"""Module 05's questions: `from launchpad.questions.m05 import *` gives one name per question
(`q1`, `q2`, ...) and `____`.

The learner's descriptors live in `workspace/deploy/`: `cloudrun.yaml` (a Cloud Run
service) and `k8s.yaml` (Deployment, Service, HPA, PDB).

The checks validate them with the tools the course's own descriptors pass (Cloud Run's
documented fields, the Kubernetes schemas, checkov), check that the pieces fit together, and
rehearse both contracts with the learner's image from module 03 on a real Docker engine.
"""

from launchpad.questions.binding import bind_questions

bind_questions(globals())
