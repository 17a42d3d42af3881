"""POST /predict answers with the real model's label and score."""

from launchpad.checks import Answers, expect, question
from launchpad.checks.texts import NEGATIVE_TEXT, POSITIVE_TEXT
from launchpad.questions.m02._app import call, started
from launchpad.workspace import import_fresh


@question(
    files=["api/"],
    hints=[
        "Call the model with a list: `[result] = model([request.text])`.",
        "Return PredictResponse(label=result['label'], score=result['score']).",
    ],
)
def predict_answers_with_the_model(answers: Answers):
    main = import_fresh("api.main")
    with started(main.app) as running:
        replies = [
            call(running, "POST", "/predict", json={"text": t})
            for t in (POSITIVE_TEXT, NEGATIVE_TEXT)
        ]
    for reply in replies:
        expect(
            reply.status_code == 200,
            f"POST /predict answered {reply.status_code}: {reply.text[:200]}",
        )
    bodies = [r.json() for r in replies]
    expect(
        all(set(b) >= {"label", "score"} for b in bodies),
        f"The answer should have label and score, got {bodies[0]}.",
    )
    expect(
        [b["label"] for b in bodies] == ["POSITIVE", "NEGATIVE"],
        f"Two obvious sentences were labelled {[b['label'] for b in bodies]}.",
    )
    expect(
        all(0.5 <= b["score"] <= 1 for b in bodies),
        "Scores should be the winning label's probability, between 0.5 and 1.",
    )
    return "A model behind HTTP: that is the heart of every model service."
