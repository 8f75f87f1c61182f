"""Requests released together over real HTTP, each reply kept with its timing.

Each of `concurrency` processes (threads) opens its own connection and encodes its first
request before a barrier releases them all, so after it every request is one write on an
open socket: the requests really overlap, and a race in the implementation has its best
chance to show. A process sends its share of the calls one after another."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
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


def send_at_once(
    base_url: str, calls: list[Call], concurrency: int | None = None, timeout: float = 60.0
) -> list[Reply]:
    """Replies in the order of `calls`; call i goes to process i % concurrency."""
    url = urlsplit(base_url)
    processes = max(1, min(concurrency or len(calls), len(calls)))
    barrier = threading.Barrier(processes)
    replies: list[Reply | None] = [None] * len(calls)
    headers = {"Content-Type": "application/json"}

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)

    def run(process: int) -> None:
        conn = connect()
        with contextlib.suppress(OSError):  # the first request reports it, as unknown
            conn.connect()
        barrier.wait()  # reached by every process, connected or not, so none waits forever
        for index in range(process, len(calls), processes):
            call = calls[index]
            body = json.dumps(call.body).encode() if call.body is not None else None
            invoked = time.monotonic()
            try:
                conn.request(call.method, call.path, body, headers)
                response = conn.getresponse()
                status, answer, error = response.status, _decode(response.read()), None
            except (OSError, http.client.HTTPException) as exc:
                status, answer, error = None, None, repr(exc)
                conn.close()
                conn = connect()
            replies[index] = Reply(process, status, answer, error, invoked, time.monotonic())
        conn.close()

    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(run, range(processes)))
    return [reply for reply in replies if reply is not None]
