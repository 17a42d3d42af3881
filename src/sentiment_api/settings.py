"""Configuration from environment variables (twelve-factor), validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every field is an environment variable of the same name in upper case (`PORT`, ...)."""

    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore", protected_namespaces=()
    )

    host: str = Field("127.0.0.1", description="Address to bind; 0.0.0.0 in a container.")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on (Cloud Run sets it).")
    model_dir: Path | None = Field(
        None, description="The model folder to serve (unset: MODEL_URI must name a model)."
    )
    model_uri: str | None = Field(
        None,
        description="Serve a registered model instead of MODEL_DIR (module 08), e.g."
        " models:/launchpad-sentiment@champion, from the registry at MLFLOW_TRACKING_URI.",
    )
    max_text_chars: int = Field(1000, ge=1, description="Longest text accepted, in characters.")
    max_batch_size: int = Field(32, ge=1, description="Most texts accepted in one request.")
    max_body_bytes: int = Field(65536, ge=1024, description="Largest request body accepted.")
    backend: Literal["torch", "onnx"] = Field(
        "torch", description="What runs the model: PyTorch, or ONNX Runtime on an exported model."
    )
    inference_threads: int = Field(
        1, ge=1, description="Threads per forward pass: at most the CPU limit (module 06)."
    )
    batch_max_texts: int = Field(
        32, ge=1, description="Most texts in one forward pass; 1 turns micro-batching off."
    )
    # 0 measured best here: requests that arrive while a pass runs form the next batch anyway,
    # and a lone request does not wait for company that may never come (make bench).
    batch_max_wait_ms: float = Field(
        0.0, ge=0, le=1000, description="How long a batch waits for more requests to join it."
    )
    queue_max_requests: int = Field(
        64, ge=1, description="Requests that may wait for the model; beyond it, 503 at once."
    )
    shutdown_timeout_s: float = Field(
        20.0, gt=0, description="On SIGTERM, how long in-flight requests may take to finish."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
