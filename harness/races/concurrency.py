"""Requests released together over real HTTP, each reply kept with its timing.

Each of `concurrency` processes (threads) opens its own connection and encodes its first
request before a barrier releases them all, so after it every request is one write on an
open socket: the requests really overlap, and a race in the implementation has its best
chance to show. A process sends its share of the calls one after another. Where the API
runs as several instances, process p talks to instance p modulo their number, so requests
released together land on different instances."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None

    @classmethod
    def claim(cls, user_id: str, coupon_name: str) -> Call:
        return cls("POST", "/api/coupons/claim", {"user_id": user_id, "coupon_name": coupon_name})

    @classmethod
    def create(cls, name: str, amount: int) -> Call:
        return cls("POST", "/api/coupons", {"name": name, "amount": amount})


@dataclass(frozen=True)
class Reply:
    process: int
    status: int | None  # None: no answer arrived (time-out, reset); the outcome is unknown
    body: Any
    error: str | None
    invoked: float  # time.monotonic() when sent
    completed: float  # ... and when the answer (or the failure) arrived

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


class _Connection:
    """One process's keep-alive connection; reconnects after a failure."""

    def __init__(self, base_url: str, timeout: float) -> None:
        url = urlsplit(base_url)
        self.host, self.port, self.timeout = url.hostname, url.port, timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        with contextlib.suppress(OSError):  # the first request reports it, as unknown
            self.conn.connect()

    def send(self, process: int, call: Call) -> Reply:
        body = json.dumps(call.body).encode() if call.body is not None else None
        invoked = time.monotonic()
        try:
            self.conn.request(call.method, call.path, body, {"Content-Type": "application/json"})
            response = self.conn.getresponse()
            status, answer, error = response.status, _decode(response.read()), None
        except (OSError, http.client.HTTPException) as exc:
            status, answer, error = None, None, repr(exc)
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return Reply(process, status, answer, error, invoked, time.monotonic())

    def close(self) -> None:
        self.conn.close()


def send_at_once(
    base_urls: Sequence[str],
    calls: list[Call],
    concurrency: int | None = None,
    timeout: float = 60.0,
) -> list[Reply]:
    """Replies in the order of `calls`; call i goes to process i % concurrency."""
    processes = max(1, min(concurrency or len(calls), len(calls)))
    barrier = threading.Barrier(processes)
    replies: list[Reply | None] = [None] * len(calls)

    def run(process: int) -> None:
        connection = _Connection(base_urls[process % len(base_urls)], timeout)
        barrier.wait()  # reached by every process, connected or not, so none waits forever
        for index in range(process, len(calls), processes):
            replies[index] = connection.send(process, calls[index])
        connection.close()

    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(run, range(processes)))
    return [reply for reply in replies if reply is not None]


def send_until(
    base_urls: Sequence[str],
    make_call: Callable[[int, int], Call],
    stop: threading.Event,
    processes: int,
    timeout: float = 15.0,
) -> tuple[list[Call], list[Reply]]:
    """Each process sends make_call(process, n) for n = 0, 1, ... until `stop` is set:
    a steady load for the duration of a fault."""
    sent: list[list[tuple[Call, Reply]]] = [[] for _ in range(processes)]

    def run(process: int) -> None:
        connection = _Connection(base_urls[process % len(base_urls)], timeout)
        while not stop.is_set():
            call = make_call(process, len(sent[process]))
            reply = connection.send(process, call)
            sent[process].append((call, reply))
            if reply.status is None:
                time.sleep(0.05)  # the server is away: back off as a real client would
        connection.close()

    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(run, range(processes)))
    pairs = [pair for lane in sent for pair in lane]
    return [call for call, _ in pairs], [reply for _, reply in pairs]
