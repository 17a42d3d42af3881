"""Request and response bodies. Limits come from settings, so the schema is built per app and
the OpenAPI document shows the limits that are really enforced."""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

# "Something other than white space", written so that Python and JSON Schema (ECMA regex)
# agree on it exactly: the OpenAPI document promises what the validator enforces.
HAS_CONTENT = r"[^ \t\n\r\f\v]"


def _not_blank(text: str) -> str:
    if not re.search(HAS_CONTENT, text):
        raise ValueError("text must contain something other than white space")
    return text


# --8<-- [start:request]
def predict_request_model(max_chars: int, max_batch: int) -> type[BaseModel]:
    Text = Annotated[
        str,
        StringConstraints(min_length=1, max_length=max_chars),
        AfterValidator(_not_blank),
        WithJsonSchema(
            {"type": "string", "minLength": 1, "maxLength": max_chars, "pattern": HAS_CONTENT}
        ),
    ]

    class PredictRequest(BaseModel):
        """Send `text` for one prediction or `texts` for a batch (exactly one of them)."""

        model_config = ConfigDict(
            extra="forbid",
            json_schema_extra={
                # Exactly one of the two fields, stated in the schema so clients (and the
                # fuzzer) know it, and enforced by `exactly_one` below.
                "oneOf": [{"required": ["text"]}, {"required": ["texts"]}],
                "examples": [
                    {"text": "What a wonderful film."},
                    {"texts": ["Loved it.", "Never again."]},
                ],
            },
        )
        # Optional but not nullable: absent means "not sent"; an explicit null is an error.
        text: Text = Field(None, description=f"One text, 1 to {max_chars} characters.")
        texts: Annotated[list[Text], Field(min_length=1, max_length=max_batch)] = Field(
            None, description=f"1 to {max_batch} texts, each 1 to {max_chars} characters."
        )

        @model_validator(mode="after")
        def exactly_one(self) -> Self:
            if (self.text is None) == (self.texts is None):
                raise ValueError("send exactly one of 'text' or 'texts'")
            return self

        def batch(self) -> list[str]:
            return [self.text] if self.text is not None else list(self.texts or [])

    return PredictRequest


# --8<-- [end:request]


class Prediction(BaseModel):
    label: str = Field(examples=["POSITIVE"])
    score: float = Field(ge=0, le=1, description="The model's confidence in the label.")


class ModelInfo(BaseModel):
    name: str
    version: str


class PredictResponse(BaseModel):
    model: ModelInfo
    predictions: list[Prediction] = Field(description="One per input text, in order.")


class Status(BaseModel):
    status: str = Field(examples=["ok"])
    detail: str | None = None


class ErrorDetail(BaseModel):
    field: str = Field(description="Where in the request, e.g. 'body.texts.0'.")
    problem: str


class ErrorBody(BaseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx answer has this shape."""

    error: ErrorBody
    request_id: str | None = None
