"""A TCP proxy between the API and PostgreSQL that the fault tests disturb on command.

Standard library only, one file, so that it runs as it is in a container beside the
compose stack as well as a process of the local stack:

    python fault_proxy.py --listen 0.0.0.0:5432 --upstream db:5432 --control 0.0.0.0:7000

The control port takes one command a line and answers one JSON line:
  latency S   every chunk of bytes waits S seconds, each way (0 ends it)
  reset       every open connection closed at once with a TCP reset, mid-statement or not
  cut-commits N  the next N connections whose transaction commits closed with a reset just
              then, the answer withheld: the database did it, the API never hears so
  blackhole   nothing forwarded any more, either way; new connections accepted and held
  heal        no latency, blackhole ended (held bytes flow on)
  stats       connections accepted and open, bytes each way

A blackhole holds bytes rather than dropping them, as TCP would retransmit them: the
database has done what it was sent, and the answer arrives once healed, if anyone still
waits for it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import struct
import sys
from dataclasses import dataclass, field

CHUNK = 65536


@dataclass
class Faults:
    latency: float = 0.0
    commits_to_cut: int = 0
    commits_cut: int = 0
    flowing: asyncio.Event = field(default_factory=asyncio.Event)
    accepted: int = 0
    bytes_up: int = 0  # from the API to the database
    bytes_down: int = 0
    open: set = field(default_factory=set)  # the writers of both ends of every connection

    def __post_init__(self) -> None:
        self.flowing.set()


# The first message a client may send before its startup: answered by one byte, N (go on
# in the clear) or S/G (encryption follows, which no proxy reads).
_ENCRYPTION_REQUESTS = (80877103, 80877104)  # SSLRequest, GSSENCRequest


class Commits:
    """The server's side of one connection read as PostgreSQL's messages go by (a type
    byte, a length, the body), in constant memory, to find the moment a transaction has
    committed: a ReadyForQuery saying idle ('Z', 'I') after a CommandComplete ('C')."""

    def __init__(self) -> None:
        self.header = b""
        self.kind = b""
        self.remaining = 0  # bytes of the current message's body still to come
        self.completed = False  # a CommandComplete since the last ReadyForQuery
        self.answer_byte = False  # the server's one-byte answer to an encryption request
        self.lost = False  # encrypted, or not PostgreSQL: nothing more is read
        self.client_started = False

    def client_sent(self, data: bytes) -> None:
        """What the client sent: its first message may ask for encryption."""
        if not self.client_started:
            self.client_started = True
            self.answer_byte = int.from_bytes(data[4:8], "big") in _ENCRYPTION_REQUESTS

    def committed_in(self, data: bytes) -> bool:
        found, i = False, 0
        while i < len(data) and not self.lost:
            if self.answer_byte:
                self.answer_byte, self.lost, i = False, data[i : i + 1] != b"N", i + 1
            elif self.remaining:
                if self.kind == b"Z":
                    found = found or (data[i : i + 1] == b"I" and self.completed)
                    self.completed = False
                taken = min(self.remaining, len(data) - i)
                self.remaining, i = self.remaining - taken, i + taken
            else:
                taken = data[i : i + 5 - len(self.header)]
                self.header, i = self.header + taken, i + len(taken)
                if len(self.header) == 5:
                    self.kind, length = self.header[:1], int.from_bytes(self.header[1:], "big")
                    self.header, self.remaining = b"", length - 4
                    self.lost = not 4 <= length < 1 << 30
                    self.completed = self.completed or self.kind == b"C"
        return found


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST, not FIN: SO_LINGER 0, then abort."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    faults: Faults,
    up: bool,
    commits: Commits,
) -> None:
    try:
        while data := await reader.read(CHUNK):
            await faults.flowing.wait()
            if faults.latency:
                await asyncio.sleep(faults.latency)
            if up:
                commits.client_sent(data)
            if not up and commits.committed_in(data) and faults.commits_to_cut:
                faults.commits_to_cut -= 1
                faults.commits_cut += 1
                reset(writer)  # the commit's answer withheld: the API's end reset
                return
            writer.write(data)
            await writer.drain()
            if up:
                faults.bytes_up += len(data)
            else:
                faults.bytes_down += len(data)
    except OSError:  # a reset, from either end or from the control
        pass


async def forward(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    upstream: tuple[str, int],
    faults: Faults,
) -> None:
    faults.accepted += 1
    faults.open.add(client_writer)
    try:
        await faults.flowing.wait()  # a blackhole holds new connections too
        try:
            server_reader, server_writer = await asyncio.open_connection(*upstream)
        except OSError:
            reset(client_writer)
            return
        faults.open.add(server_writer)
        commits = Commits()
        pumps = {
            asyncio.ensure_future(pump(client_reader, server_writer, faults, True, commits)),
            asyncio.ensure_future(pump(server_reader, client_writer, faults, False, commits)),
        }
        try:  # one end closed: close the other
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
            server_writer.close()
            faults.open.discard(server_writer)
    finally:
        client_writer.close()
        faults.open.discard(client_writer)


def command(line: str, faults: Faults) -> dict:
    word, _, argument = line.strip().partition(" ")
    if word == "latency":
        faults.latency = float(argument)
    elif word == "reset":
        for writer in list(faults.open):
            reset(writer)
    elif word == "cut-commits":
        faults.commits_to_cut = int(argument)
    elif word == "blackhole":
        faults.flowing.clear()
    elif word == "heal":
        faults.latency = 0.0
        faults.commits_to_cut = 0
        faults.flowing.set()
    elif word != "stats":
        return {"error": f"unknown command {word!r}"}
    return {
        "accepted": faults.accepted,
        "open": len(faults.open) // 2,
        "bytes_up": faults.bytes_up,
        "bytes_down": faults.bytes_down,
        "latency": faults.latency,
        "blackhole": not faults.flowing.is_set(),
        "commits_to_cut": faults.commits_to_cut,
        "commits_cut": faults.commits_cut,
    }


async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, faults: Faults):
    try:
        while line := await reader.readline():
            try:
                answer = command(line.decode(), faults)
            except ValueError as exc:
                answer = {"error": str(exc)}
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def serve(listen: tuple[str, int], upstream: tuple[str, int], at: tuple[str, int]) -> None:
    faults = Faults()
    proxy = await asyncio.start_server(lambda r, w: forward(r, w, upstream, faults), *listen)
    controller = await asyncio.start_server(lambda r, w: control(r, w, faults), *at)
    print(f"proxy {listen} -> {upstream}, control on {at}", flush=True)
    async with proxy, controller:
        await asyncio.gather(proxy.serve_forever(), controller.serve_forever())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=address, required=True, help="HOST:PORT for the API")
    parser.add_argument("--upstream", type=address, required=True, help="PostgreSQL HOST:PORT")
    parser.add_argument("--control", type=address, required=True, help="HOST:PORT for commands")
    options = parser.parse_args(argv)
    try:
        asyncio.run(serve(options.listen, options.upstream, options.control))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
