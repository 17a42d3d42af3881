"""api/schemas.py: the request and response bodies, with their limits."""

from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.workspace import import_fresh


@question(
    files=["api/schemas.py"],
    hints=[
        "Annotate the field: `text: str = Field(min_length=1, max_length=500)`.",
        "White space only: add a `@field_validator('text')` that raises ValueError when "
        "`not value.strip()`.",
    ],
)
def schemas_enforce_the_limits(answers: Answers):
    from pydantic import ValidationError

    schemas = import_fresh("api.schemas")
    for name in ("PredictRequest", "PredictResponse"):
        expect(hasattr(schemas, name), f"api/schemas.py should define `{name}`.")
    request = schemas.PredictRequest

    def rejects(value) -> bool:
        try:
            request(**value)
        except ValidationError:
            return True
        except NotImplementedError as error:
            raise NotAttempted(
                "A validator in api/schemas.py still raises NotImplementedError."
            ) from error
        return False

    expect(
        not rejects({"text": "Loved it."}),
        "PredictRequest(text='Loved it.') was refused: a normal sentence must pass.",
    )
    expect(rejects({}), "PredictRequest() without `text` was accepted: make `text` required.")
    expect(rejects({"text": ""}), "An empty text was accepted: add min_length=1.")
    expect(
        rejects({"text": " \n "}),
        "White space only was accepted: add a validator that refuses text whose .strip() is empty.",
    )
    expect(not rejects({"text": "a" * 500}), "500 characters were refused: the limit is 500.")
    expect(rejects({"text": "a" * 501}), "501 characters were accepted: add max_length=500.")
    response = schemas.PredictResponse(label="POSITIVE", score=0.5)
    expect(
        response.model_dump() == {"label": "POSITIVE", "score": 0.5},
        "PredictResponse should have exactly two fields: label and score.",
    )
    return "Your contract is explicit, and FastAPI will enforce it and document it."
