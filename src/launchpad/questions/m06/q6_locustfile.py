"""workspace/locustfile.py: Locust users that post reviews to /predict as JSON, count a refusal
as a failure, and wait between requests.

The check runs the learner's file with Locust, headless, for a few seconds, against a stand-in
for the service on 127.0.0.1 that records every request (`_recorder`), and reads Locust's CSV
files back with the toolkit's `launchpad.locust_run`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.paths import workspace_dir

USERS, SECONDS = 4, 5


@question(
    files=["locustfile.py"],
    hints=[
        "In the class body, `wait_time = between(0.5, 2)`: each user reads the answer for half "
        "a second to two seconds before it sends the next review.",
        "In predict: `self.client.post('/predict', json={'text': random.choice(REVIEWS)})`. "
        "`json=` sends a JSON body (and its Content-Type); Locust counts a 4xx or 5xx as a "
        "failure by itself. With `catch_response=True`, call `response.failure(...)` when the "
        "status is not 200.",
    ],
)
def locustfile_drives_the_service(answers: Answers):
    from launchpad import locust_run
    from launchpad.questions.m06._recorder import recording_service

    path = workspace_dir() / "locustfile.py"
    if not path.exists():
        raise NotAttempted("There is no locustfile.py in your workspace yet: run its cell.")
    with recording_service() as service:
        result = locust_run.run(path, service.base, USERS, USERS, SECONDS, timeout=60)
    _expect_it_ran(result)
    elsewhere = [s for s in service.seen if not s.predict]
    expect(
        not elsewhere,
        f"Your users sent {len(elsewhere)} requests as {elsewhere[0].method} "
        f"{elsewhere[0].path}, which answers 404: predictions are POST /predict."
        if elsewhere
        else "",
    )
    seen = service.seen
    expect(
        result.requests > 0 and seen,
        f"Locust ran your users for {SECONDS} s and they sent no request: does the class "
        "have a method marked @task that calls self.client.post('/predict', ...)?",
    )
    _expect_predict_with_json(seen)
    texts = {text for s in seen for text in s.texts}
    expect(
        len(seen) < 10 or len(texts) > 1,
        f"All {len(seen)} requests sent the same text: a load test of one sentence measures "
        "one length of input, and a model's cost grows with the tokens. Pick from several "
        "realistic reviews (random.choice).",
    )
    _expect_refusals_are_failures(result, service)
    _expect_wait_time(path)
    # No counts in the praise: they vary from run to run, and the stored notebook shows it.
    return (
        "Every body valid JSON, every refusal counted as a failure, and users that wait between "
        "requests: a locustfile you can point at the real service "
        "(`locust -f workspace/locustfile.py --headless ...`)."
    )


def _expect_it_ran(result) -> None:
    """Locust started, imported the file, and the tasks did not stop on an exception."""
    for row in result.exceptions:
        if "NotImplementedError" in row.get("Traceback", "") + row.get("Message", ""):
            raise NotAttempted("locustfile.py still raises NotImplementedError.")
    if result.returncode is None:
        raise Incorrect("Locust did not stop within a minute of a 5-second run.")
    if not result.total:  # no CSV: Locust stopped before the run started
        lines = [line for line in result.output.strip().splitlines() if line.strip()]
        raise Incorrect(
            "Locust could not run locustfile.py: " + (lines[-1] if lines else "no output")
        )
    if result.exceptions:
        row = result.exceptions[0]
        raise Incorrect(
            f"Your task raised an exception ({row.get('Message', '')}){_where(row)}, "
            f"{row.get('Count', '?')} times: Locust logs it and the user goes on, but nothing "
            "was measured for it. The service's answer is "
            "{'model': ..., 'predictions': [{'label': ..., 'score': ...}]}."
        )


def _where(row: dict) -> str:
    """' on line N: `code`', the learner's last line in Locust's traceback, or ''."""
    lines = row.get("Traceback", "").splitlines()
    found = ""
    for number, line in enumerate(lines):
        if 'locustfile.py", line ' in line:
            code = lines[number + 1].strip() if number + 1 < len(lines) else ""
            line_no = line.split('", line ')[1].split(",")[0]
            found = f" on line {line_no}" + (f": `{code}`" if code else "")
    return found


def _expect_predict_with_json(seen) -> None:
    bad = next((s for s in seen if s.status == 422), None)
    if bad is None:
        return
    if "json_invalid" in bad.problem or "Invalid JSON" in bad.problem:
        form = "form-urlencoded" in bad.content_type
        raise Incorrect(
            f"The requests' bodies are not JSON (Content-Type {bad.content_type or 'none'!r}"
            f"{', a form: `data=` sends form fields' if form else ''}), so the service "
            "answers 422 to every one of them and the test measures error pages. Pass the "
            "body as `json={'text': ...}`."
        )
    raise Incorrect(
        f"The service answers 422 to your body {bad.body[:120].decode(errors='replace')!r}: "
        f"{bad.problem}. It expects {{'text': 'one review'}} (or {{'texts': [...]}}); a load "
        "test that only gets 422s measures how fast the service refuses."
    )


def _expect_refusals_are_failures(result, service) -> None:
    """The stand-in refused some requests with 503 in the first seconds (well before the
    last CSV snapshot): Locust must have counted each of them, and nothing else, as failed."""
    refused = service.refused
    if refused and result.failed < refused:
        raise Incorrect(
            f"The service refused {refused} requests with 503 (overloaded, Retry-After: 1), "
            f"and Locust counted {result.failed} failures: your task marks a refusal as a "
            "success (response.success() whatever the status?). A load test that counts 503s "
            "as answers reports a capacity the service does not have."
        )
    if result.failed > refused:
        why = result.failures[0].get("Error", "") if result.failures else ""
        raise Incorrect(
            f"Locust counted {result.failed} failures, but the service refused only {refused} "
            f"requests and answered the rest with 200: your task fails good answers"
            f"{f' ({why})' if why else ''}. The answer is "
            "{'model': ..., 'predictions': [{'label': ..., 'score': ...}]}."
        )


def _expect_wait_time(path: Path) -> None:
    """A class in the file sets wait_time (an attribute or a method): Locust's default is no
    wait at all."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (
                    statement.targets
                    if isinstance(statement, ast.Assign)
                    else [statement.target]
                    if isinstance(statement, ast.AnnAssign)
                    else []
                )
                if any(isinstance(t, ast.Name) and t.id == "wait_time" for t in targets):
                    return
                if isinstance(statement, ast.FunctionDef) and statement.name == "wait_time":
                    return
    raise Incorrect(
        "Your users set no wait_time, and Locust's default is no wait at all: each user "
        "sends its next review the instant it has an answer, a flood no person makes. Say "
        "how long a user waits, e.g. `wait_time = between(0.5, 2)` (or `constant(0)`, if you "
        "mean a closed loop)."
    )
