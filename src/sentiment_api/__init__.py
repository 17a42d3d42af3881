"""The reference sentiment service: what the course builds, finished.

Run it with `python -m sentiment_api`. It needs a model folder (`MODEL_DIR`) and nothing from the
course toolkit, so it can ship alone in a container.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):
    # The app (and FastAPI with it) is imported when asked for, so code that needs only the
    # service's types, such as `sentiment_api.predictions.Prediction`, stays light.
    if name == "create_app":
        from sentiment_api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
