"""uvicorn's httptools protocol, sending each response in one socket write.

uvicorn writes a response's status line and headers as soon as the app sends them, then
the body in a second write: two system calls per response, and on loopback each one also
runs the receiver's side of TCP. They were the largest single cost of a claim (py-spy,
docs/performance.md). Here a connection's writes made in one step of the event loop are
joined and sent at the end of that step."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport whose writes wait for the end of the current loop step. Everything else
    is the wrapped transport's. A response sent without yielding to the loop is held whole
    until then, which suits the API's small JSON answers (it streams nothing)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.write(b"".join(pending))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's `http=` protocol class: the same, over a CoalescingTransport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
