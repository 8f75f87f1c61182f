"""Process entry: settings, logging, uvicorn. Mutants reuse `load_settings` and `serve`."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

from .app import create_app
from .http_protocol import CoalescingHttpToolsProtocol
from .logs import configure_logging
from .settings import Settings, SettingsError

# Seconds uvicorn waits for in-flight requests after SIGTERM before closing them.
GRACEFUL_SHUTDOWN_SECONDS = 10
# Seconds an idle keep-alive connection stays open (uvicorn's default: 5). A client that
# reuses a connection just as the server closes it loses that request ("remote end closed
# connection without response"), which a busy client does often at 5 s
# (docs/performance.md). 75 s is nginx's default, longer than most clients keep them idle.
KEEP_ALIVE_SECONDS = 75


def load_settings() -> Settings:
    """Settings from the environment; a bad one ends the process with a one-line reason."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"reference_api: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.log_level)
    return settings


def serve(app: Any, settings: Settings) -> None:
    """Serve `app`; with SERVER_WORKERS > 1, that many processes each build their own
    from the environment (uvicorn imports the factory in each worker)."""
    workers = settings.server_workers
    uvicorn.run(
        "reference_api.asgi:create" if workers > 1 else app,
        factory=workers > 1,
        workers=workers,
        host=settings.server_host,
        port=settings.server_port,
        log_config=None,
        log_level=settings.log_level,
        loop="uvloop",
        http=CoalescingHttpToolsProtocol,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        server_header=False,
        backlog=4096,
        # Off, as both cost CPU on every request: the access log but at debug (uvicorn
        # formats each line's arguments before a disabled logger drops it), and reading
        # X-Forwarded-* headers (nothing here uses the client's address).
        access_log=settings.log_level == "debug",
        proxy_headers=False,
    )


def main() -> int:
    settings = load_settings()
    serve(create_app(settings), settings)
    return 0
