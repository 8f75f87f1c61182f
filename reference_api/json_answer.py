"""The JSON answers every claim gets (its success and its errors), built with less work.

Starlette's JSONResponse gives the same bytes, but each one makes a new JSON encoder (it
passes options to json.dumps), builds its header list through a general path, and checks
for websockets and background tasks when sent; on a claim that all counted
(docs/performance.md)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

# JSONResponse's own encoding: compact, UTF-8, no NaN.
ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class JSONAnswer(Response):
    """A JSONResponse without headers of the caller's or background tasks; for HTTP only."""

    media_type = "application/json"

    def __init__(self, content: Any, status_code: int = 200) -> None:
        self.status_code = status_code
        self.background = None  # FastAPI reads it, and may set it, on a route's answer
        self.body = ENCODER.encode(content).encode()
        self.raw_headers = [
            (b"content-length", str(len(self.body)).encode()),
            (b"content-type", b"application/json"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})
