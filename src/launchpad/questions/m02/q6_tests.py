"""tests/: at least three passing tests that would catch a broken model."""

from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.paths import workspace_dir
from launchpad.pytest_run import run_pytest
from launchpad.workspace import mutated_workspace

# Appended to a copy of api/main.py: the lifespan then loads a model that is always wrong.
BROKEN_MODEL = """

def load_model():
    def always_negative(texts, **kwargs):
        texts = [texts] if isinstance(texts, str) else texts
        return [{"label": "NEGATIVE", "score": 0.99} for _ in texts]

    return always_negative
"""


@question(
    files=["tests/", "api/", "pyproject.toml"],
    hints=[
        "Each test makes a client with `with TestClient(app) as client:` (the `with` runs the "
        "lifespan, which loads the model).",
        "Test the happy path, a bad input (expect 422) and /readyz.",
    ],
)
def tests_pass_and_catch_a_broken_model(answers: Answers):
    workspace = workspace_dir()
    tests = workspace / "tests"
    if not any(tests.glob("test_*.py")):
        raise NotAttempted(
            "There are no tests/test_*.py files in your workspace yet: run the %%writefile cell."
        )
    from launchpad.checks.progress import step

    with step("Running your tests with pytest", usually="15 s on a 2-core laptop"):
        run = run_pytest(workspace)
    if run.returncode == 5:  # pytest: no tests collected
        raise NotAttempted("tests/test_api.py has no test functions yet.")
    if "NotImplementedError" in run.output:
        raise NotAttempted("Your tests, or the code they import, still raise NotImplementedError.")
    expect(
        run.returncode == 0,
        f"pytest reported: {run.summary}. Run `python -m pytest` in your workspace to see the "
        "details.",
    )
    expect(
        run.passed >= 3,
        f"{run.passed} test(s) passed: write at least three (a prediction, a bad input, "
        "readiness).",
    )
    # A safety net must catch something: run the tests against a broken copy of the app.
    with (
        mutated_workspace("api/main.py", "", "", append=BROKEN_MODEL) as broken,
        step("Running them again on a copy whose model is broken", usually="15 s"),
    ):
        caught = run_pytest(broken).returncode != 0
    expect(
        caught,
        "Your tests still pass when the model answers NEGATIVE to everything: assert the label "
        "of an obviously positive text.",
    )
    return f"{run.passed} tests pass: your service has a safety net for everything that follows."
