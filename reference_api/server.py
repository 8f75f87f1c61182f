"""Process entry: settings, logging, uvicorn. Mutants reuse it with a store of their own."""

from __future__ import annotations

import sys

import uvicorn

from .app import create_app
from .logs import configure_logging
from .settings import Settings, SettingsError
from .store import CouponStore

# Seconds uvicorn waits for in-flight requests after SIGTERM before closing them.
GRACEFUL_SHUTDOWN_SECONDS = 10


def main(store_class: type[CouponStore] = CouponStore) -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"reference_api: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings, store_class(settings)),
        host=settings.server_host,
        port=settings.server_port,
        log_config=None,
        log_level=settings.log_level,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        server_header=False,
        backlog=4096,
    )
    return 0
