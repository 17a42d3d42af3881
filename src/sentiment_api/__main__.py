"""`python -m sentiment_api`: serve with uvicorn, configured from the environment."""

from __future__ import annotations

import signal
import sys

import uvicorn
from pydantic import ValidationError

from sentiment_api.app import create_app
from sentiment_api.logs import log_config
from sentiment_api.settings import Settings


def main() -> int:
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Invalid configuration:\n{error}", file=sys.stderr)
        return 2
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal with the handler
    # that was installed before it started. This one turns that into a clean exit status 0, so
    # an orchestrator sees a graceful stop, not a kill.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=log_config(settings.log_level),
        access_log=False,  # RequestContext logs each request as JSON, with its id
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
