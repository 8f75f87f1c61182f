"""The API's HTTP protocol (reference_api/http_protocol.py) sends what uvicorn writes in one
loop step as one write, in order; nothing is lost on close, nor written to a closed
connection."""

from __future__ import annotations

import asyncio

from reference_api.http_protocol import CoalescingTransport


class RecordingTransport:
    """The part of a transport CoalescingTransport uses, recording what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def coalescing() -> tuple[CoalescingTransport, RecordingTransport]:
    sink = RecordingTransport()
    return CoalescingTransport(sink, asyncio.get_running_loop()), sink


def test_the_writes_of_one_step_go_out_as_one_write_in_order() -> None:
    async def run() -> list[bytes]:
        transport, sink = coalescing()
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        await asyncio.sleep(0)  # the step ends
        transport.write(b"the next response")
        await asyncio.sleep(0)
        return sink.writes

    assert asyncio.run(run()) == [
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
        b"the next response",
    ]


def test_close_sends_what_is_pending_first() -> None:
    async def run() -> RecordingTransport:
        transport, sink = coalescing()
        transport.write(b"last words")
        transport.close()
        await asyncio.sleep(0)  # the flush already scheduled finds nothing left
        return sink

    sink = asyncio.run(run())
    assert sink.writes == [b"last words"] and sink.closed


def test_nothing_is_written_to_a_transport_already_closing() -> None:
    async def run() -> list[bytes]:
        transport, sink = coalescing()
        transport.write(b"for a client that left")
        sink.close()  # the connection was lost before the step ended
        await asyncio.sleep(0)
        return sink.writes

    assert asyncio.run(run()) == []


def test_everything_else_is_the_wrapped_transports() -> None:
    transport = CoalescingTransport(RecordingTransport(), asyncio.new_event_loop())
    assert transport.get_extra_info("peername") == "info:peername"
