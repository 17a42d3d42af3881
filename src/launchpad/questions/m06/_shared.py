"""What several of module 06's questions use: the course model under PyTorch (questions 2 and
3) and the sizing arithmetic (questions 4 and 5)."""

from __future__ import annotations

import math
import os
from functools import cache
from pathlib import Path


@cache
def torch_model(path: str):
    """The course model under PyTorch, loaded once per kernel."""
    from sentiment_api.inference import SentimentModel

    return SentimentModel(Path(path), threads=min(4, os.cpu_count() or 1))


def instances_for(peak: float, rps: float, utilisation: float) -> int:
    """Instances that serve `peak` requests/s, each at `utilisation` of its `rps`."""
    return math.ceil(peak / (rps * utilisation))
