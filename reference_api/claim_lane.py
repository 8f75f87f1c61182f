"""A fast lane for the flash sale's one hot request, POST /api/coupons/claim.

FastAPI's middleware, routing, dependency solving and response plumbing cost more CPU per
claim than the claim itself (profiles in docs/performance.md).
The lane sits in front of the FastAPI app and answers a well-formed claim with the same
model and the same answering function as the FastAPI route; it hands everything else
(another path or method, another content type, a body that does not validate or is too
large, a client that went away) to FastAPI with the body replayed, so every other answer
still comes from one place."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

Message = dict[str, Any]


class ClaimLane:
    """ASGI middleware. `answer` must not raise: the lane has no exception handlers. It reads
    at most `max_body` bytes of a body before leaving the request to `app`'s own limit."""

    def __init__(
        self,
        app: Any,
        path: str,
        model: type[BaseModel],
        answer: Callable[[Any], Awaitable[Response]],
        max_body: int,
    ) -> None:
        self.app = app
        self.path = path
        self.model = model
        self.answer = answer
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if not self._takes(scope):
            return await self.app(scope, receive, send)
        messages = await self._read(receive)
        request = self._parse(messages)
        if request is None:
            return await self.app(scope, _replay(messages, receive), send)
        response = await self.answer(request)
        await response(scope, receive, send)

    def _takes(self, scope: dict) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == self.path
            and _content_type(scope) == b"application/json"
        )

    async def _read(self, receive: Any) -> list[Message]:
        """The body's messages, up to the end of the body or past `max_body` bytes."""
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":  # the client went away
                return messages
            size += len(message.get("body", b""))
            if not message.get("more_body") or size > self.max_body:
                return messages

    def _parse(self, messages: list[Message]) -> BaseModel | None:
        """The request as the FastAPI route would validate it, or None to let FastAPI
        answer (FastAPI too reads the body with json.loads, then validates the object)."""
        if messages[-1]["type"] != "http.request":  # the client went away
            return None
        body = b"".join(message.get("body", b"") for message in messages)
        if len(body) > self.max_body:  # FastAPI answers 413
            return None
        try:
            data = json.loads(body)
            return self.model.model_validate(data) if isinstance(data, dict) else None
        except (ValueError, RecursionError):  # pydantic's ValidationError is a ValueError
            return None


def _content_type(scope: dict) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.lower()
    return None


def _replay(messages: list[Message], receive: Any) -> Callable[[], Awaitable[Message]]:
    """`receive` for the next app: the messages already read, then the connection's own."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
