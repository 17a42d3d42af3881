"""Module 08: the model lifecycle. A registry of model versions (MLflow), behavioural tests and
a quality gate, promotion and rollback, and quick candidate models to exercise them."""
