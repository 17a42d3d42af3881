"""The model runs off the event loop, so the service keeps answering while it computes."""

from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.checks.texts import POSITIVE_TEXT
from launchpad.questions.m02._app import call, main_with_fake_model, started


@question(
    files=["api/"],
    hints=[
        "A model call blocks the CPU. In an `async def` endpoint, `await "
        "run_in_threadpool(model, [request.text])` runs it in a worker thread.",
        "Or declare the endpoint with plain `def`: FastAPI then runs it in its thread pool.",
    ],
)
def model_runs_off_the_event_loop(answers: Answers):
    record: dict = {}
    main = main_with_fake_model(record)
    with started(main.app) as running:
        reply = call(running, "POST", "/predict", json={"text": POSITIVE_TEXT})
    if "on_event_loop" not in record:
        raise NotAttempted("POST /predict did not call the model yet (question 3).")
    expect(reply.status_code == 200, f"POST /predict answered {reply.status_code}.")
    expect(
        not record["on_event_loop"],
        "The model ran on the event loop's thread: while it "
        "computes, the service cannot answer anything else, not even /healthz. Use `await "
        "run_in_threadpool(...)`, or a plain `def` endpoint.",
    )
    return "Health checks keep answering while the model computes."
