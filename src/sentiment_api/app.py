"""The FastAPI application: routes, model lifecycle and wiring."""

import asyncio
import logging
import tempfile
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from sentiment_api import errors, model_registry
from sentiment_api.backends import backend_class
from sentiment_api.batching import MicroBatcher, QueueFull
from sentiment_api.metrics import CONTENT_TYPE, Metrics
from sentiment_api.middleware import RequestContext
from sentiment_api.predictions import Model, ModelLoadError
from sentiment_api.schemas import (
    ErrorResponse,
    ModelInfo,
    PredictResponse,
    Status,
    predict_request_model,
)
from sentiment_api.settings import Settings

log = logging.getLogger("sentiment_api")
ERROR_RESPONSES = {code: {"model": ErrorResponse} for code in (400, 413, 415, 422, 500, 503)}
RETRY_AFTER_S = "5"
# A full queue drains in a few forward passes, so a client may try again almost at once.
OVERLOADED_RETRY_AFTER_S = "1"


class ModelSlot:
    """The model and where it is in its life: loading → ready, or loading → failed. Once
    ready, requests reach it through the batcher."""

    def __init__(self):
        self.model: Model | None = None
        self.batcher: MicroBatcher | None = None
        self.status = "loading"
        self.detail: str | None = None


def create_app(
    settings: Settings | None = None, load_model: Callable[[Settings], Model] | None = None
) -> FastAPI:
    """Build the app. `load_model` is replaceable so tests can inject a failing loader."""
    settings = settings or Settings()
    load_model = load_model or _load_model
    slot = ModelSlot()
    try:
        # Import the backend's libraries now, in the main thread, before the loader thread
        # runs: importing transformers from two threads at once is not safe.
        backend_class(settings.backend)
    except ImportError as error:
        slot.status = "failed"
        slot.detail = (
            f"BACKEND={settings.backend} needs the {error.name} package, which is not installed"
            " (the slim image serves BACKEND=onnx only)."
        )

    # --8<-- [start:lifespan]
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if slot.status == "failed":
            log.error("model cannot load", extra={"error": slot.detail})
        if slot.model is None:
            loading = asyncio.create_task(_load_in_background(slot, settings, load_model, metrics))
        else:  # served before (a test client per request): the model stays loaded
            loading = None
            _start_batcher(slot, settings, metrics)
        yield
        if loading is not None and not loading.done():
            loading.cancel()
        if slot.batcher is not None:
            await slot.batcher.stop()
            slot.batcher = None
        log.info("shutdown complete")

    # --8<-- [end:lifespan]

    app = FastAPI(
        title="Sentiment API",
        version="1.0.0",
        description="Classifies English text as POSITIVE or NEGATIVE. Built in MLOps Launchpad.",
        lifespan=lifespan,
    )
    errors.install(app)
    metrics = Metrics()
    metrics.queue.set_function(lambda: slot.batcher.waiting if slot.batcher else 0)
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes, metrics=metrics)
    PredictRequest = predict_request_model(settings.max_text_chars, settings.max_batch_size)

    # --8<-- [start:health]
    @app.get(
        "/healthz",
        response_model=Status,
        responses={503: {"model": Status}},
        summary="Liveness: is the process healthy?",
    )
    async def healthz():
        if slot.status == "failed":
            return JSONResponse({"status": "failed", "detail": slot.detail}, status_code=503)
        return Status(status="ok")

    @app.get(
        "/readyz",
        response_model=Status,
        responses={503: {"model": Status}},
        summary="Readiness: is the model loaded and warmed up?",
    )
    async def readyz():
        if slot.status != "ready":
            return JSONResponse(
                {"status": slot.status, "detail": slot.detail},
                status_code=503,
                headers={"Retry-After": RETRY_AFTER_S},
            )
        return Status(status="ready")

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics():
        """For Prometheus to scrape (module 07), in its text format."""
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    # --8<-- [end:health]
    # --8<-- [start:predict]

    @app.post(
        "/predict",
        response_model=PredictResponse,
        responses=ERROR_RESPONSES,
        summary="Classify one text or a batch of texts.",
    )
    async def predict(body: PredictRequest):  # type: ignore[valid-type]
        model, batcher = slot.model, slot.batcher
        if model is None or batcher is None:
            return errors.error_response(
                503,
                "not_ready",
                f"The model is {slot.status}.",
                headers={"Retry-After": RETRY_AFTER_S},
            )
        try:
            # Waits in the batcher's queue, then shares a forward pass (run in a worker
            # thread, so the event loop keeps answering) with the requests around it.
            predictions = await batcher.submit(body.batch())
        except QueueFull:
            return errors.error_response(
                503,
                "overloaded",
                "The service is at capacity; try again shortly.",
                headers={"Retry-After": OVERLOADED_RETRY_AFTER_S},
            )
        return PredictResponse(
            model=ModelInfo(name=model.name, version=model.version),
            predictions=[{"label": p.label, "score": p.score} for p in predictions],
        )

    # --8<-- [end:predict]

    app.state.model_slot = slot
    app.state.metrics = metrics
    app.state.settings = settings
    return app


def _load_model(settings: Settings) -> Model:
    backend = backend_class(settings.backend)
    if settings.model_uri:
        if settings.model_dir:
            raise ModelLoadError("Set MODEL_DIR or MODEL_URI, not both.")
        # The files are only read while loading; the model then lives in memory.
        with tempfile.TemporaryDirectory(prefix="sentiment-api-model-") as folder:
            registered = model_registry.fetch(settings.model_uri, Path(folder))
            model = backend(registered.path, threads=settings.inference_threads)
        model.name, model.version = registered.name, registered.version
        return model
    if not settings.model_dir:
        raise ModelLoadError(
            "MODEL_DIR is not set: set it to the folder of the model to serve"
            " (or MODEL_URI to a registered model)."
        )
    return backend(Path(settings.model_dir), threads=settings.inference_threads)


async def _load_in_background(
    slot: ModelSlot,
    settings: Settings,
    load_model: Callable[[Settings], Model],
    metrics: Metrics,
) -> None:
    if slot.status == "failed":
        return
    log.info("loading model", extra={"backend": settings.backend})
    try:
        model = await anyio.to_thread.run_sync(load_model, settings)
        await anyio.to_thread.run_sync(model.predict, ["warm-up request"])
    except Exception as error:  # any failure must show in /readyz and the logs, not vanish
        slot.status, slot.detail = "failed", str(error)
        log.error("model failed to load", extra={"error": str(error), "kind": type(error).__name__})
        if not isinstance(error, ModelLoadError):
            log.exception("unexpected error while loading the model")
        return
    slot.model, slot.status = model, "ready"
    metrics.info.labels(model.name, model.version, settings.backend).set(1)
    _start_batcher(slot, settings, metrics)
    log.info("model ready", extra={"model": model.name, "version": model.version})


def _start_batcher(slot: ModelSlot, settings: Settings, metrics: Metrics) -> None:
    """The batcher's worker runs on the event loop of the lifespan that starts it."""
    slot.batcher = MicroBatcher(
        metrics.instrument(slot.model.predict),
        max_texts=settings.batch_max_texts,
        max_wait_s=settings.batch_max_wait_ms / 1000,
        max_queue=settings.queue_max_requests,
    )
    slot.batcher.start()
