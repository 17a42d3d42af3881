"""The reference sentiment service: what the course builds, finished.

Run it with `python -m sentiment_api`. It needs a model folder (`MODEL_DIR`) and nothing from the
course toolkit, so it can ship alone in a container.
"""

from sentiment_api.app import create_app

__all__ = ["create_app"]
