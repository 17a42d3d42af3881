"""The model is loaded once, in the lifespan, and /readyz says when it is."""

from launchpad.checks import Answers, expect, question
from launchpad.questions.m02._app import call, client, main_with_fake_model, started


@question(
    files=["api/"],
    hints=[
        "In the lifespan, before `yield`: `state['model'] = load_model()`.",
        "In readyz: if 'model' is not in state, return JSONResponse({'status': 'loading'}, "
        "status_code=503); otherwise {'status': 'ready'}.",
    ],
)
def loaded_once_and_ready(answers: Answers):
    record: dict = {}
    main = main_with_fake_model(record)
    expect(
        record.get("loads", 0) == 0,
        "The model was loaded when api/main.py was imported: "
        "load it in the lifespan instead, so imports (and tests) stay fast.",
    )
    cold = call(client(main.app), "GET", "/readyz")  # no `with`: the lifespan has not run
    expect(
        cold.status_code == 503,
        f"/readyz answered {cold.status_code} before the model was "
        "loaded: it should answer 503 until the lifespan has loaded it.",
    )
    with started(main.app) as running:
        replies = [call(running, "GET", "/readyz") for _ in range(3)]
        health = call(running, "GET", "/healthz")
    expect(
        replies[0].status_code == 200,
        f"/readyz answered {replies[0].status_code} after "
        "start-up: it should be 200 once the model is loaded.",
    )
    expect(
        replies[0].json() == {"status": "ready"},
        f"/readyz should answer {{'status': 'ready'}}, not {replies[0].json()}.",
    )
    expect(
        record.get("loads", 0) == 1,
        f"The model was loaded {record['loads']} times: load it once, in the lifespan.",
    )
    expect(health.status_code == 200, "/healthz should still answer 200.")
    return "Loaded once, ready when it says so: exactly what a load balancer needs to know."
