"""Sentences the checks send to a learner's model: obvious enough that any working sentiment
model labels them right, so a wrong label means the learner's code, not the model."""

POSITIVE_TEXT = "I loved every minute of this film."
NEGATIVE_TEXT = "A dull, lifeless mess."
