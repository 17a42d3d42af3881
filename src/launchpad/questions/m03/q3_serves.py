"""The image builds, starts on $HOST and $PORT, and answers /predict."""

from launchpad.checks import DOCKER, Answers, expect, question
from launchpad.containers.learner_image import BUILD_FILES, built_image, running


@question(
    files=BUILD_FILES,
    needs=[DOCKER],
    hints=[
        "Two stages: build a venv from /wheels in the first, COPY --from=build /opt/venv in the "
        "second, so pip and the wheels stay out of the final image.",
        'CMD must start uvicorn on $HOST and $PORT: ["sh", "-c", "exec uvicorn api.main:app '
        '--host $HOST --port $PORT"]; exec makes uvicorn PID 1, so it receives SIGTERM.',
    ],
)
def image_serves_predictions(answers: Answers):
    import httpx

    engine, tag = built_image()
    with running(engine, tag) as container:
        good = httpx.post(f"{container.base}/predict", json={"text": "Loved every minute."})
        bad = httpx.post(f"{container.base}/predict", json={"text": ""})
    expect(
        good.status_code == 200 and good.json().get("label") == "POSITIVE",
        f"POST /predict in the container answered {good.status_code}: {good.text[:150]}",
    )
    expect(400 <= bad.status_code < 500, f"An empty text got {bad.status_code} in the container.")
    return "Your service runs in a container, on the port the platform gives it."
