"""Checked questions, one module per course module: `from launchpad.questions.m01 import *`."""

from __future__ import annotations

from launchpad.questions import m00, m01, m02, m03, m04, m05, m06, m07, m08, m09

# module -> (title, questions); the progress dashboard reads this.
MODULES = {
    "00": ("Welcome and setup", m00.QUESTIONS),
    "01": ("Load a pretrained model", m01.QUESTIONS),
    "02": ("Wrap it in an API", m02.QUESTIONS),
    "03": ("Package it in a container", m03.QUESTIONS),
    "04": ("Automate with CI/CD", m04.QUESTIONS),
    "05": ("Deploy to the cloud", m05.QUESTIONS),
    "06": ("Scale it", m06.QUESTIONS),
    "07": ("Monitor it", m07.QUESTIONS),
    "08": ("Automate the model lifecycle", m08.QUESTIONS),
    "09": ("Capstone and career", m09.QUESTIONS),
}
