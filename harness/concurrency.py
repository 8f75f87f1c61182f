"""Many claims released at the same instant over real HTTP, each answer kept with its timing."""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    user_id: str
    coupon_name: str
    status: int | None  # None: no answer arrived (time-out, reset); the outcome is unknown
    body: Any
    error: str | None
    invoked: float  # time.monotonic() when sent
    completed: float  # ... and when the answer (or the failure) arrived

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def rejected(self) -> bool:
        return self.status is not None and 400 <= self.status < 500


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def claim_at_once(
    base_url: str, claims: list[tuple[str, str]], timeout: float = 60.0
) -> list[Answer]:
    """Send every (user_id, coupon_name) claim on its own connection, all released together.

    Each thread connects and encodes its request before the barrier, so that after it
    every claim is a single write on an open socket: the requests really overlap, and a
    race in the implementation has its best chance to show. Answers keep the given order."""
    url = urlsplit(base_url)
    barrier = threading.Barrier(len(claims))
    headers = {"Content-Type": "application/json"}

    def send(claim: tuple[str, str]) -> Answer:
        user_id, coupon_name = claim
        body = json.dumps({"user_id": user_id, "coupon_name": coupon_name}).encode()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        try:
            try:
                conn.connect()
            except OSError as exc:
                refused: OSError | None = exc
            else:
                refused = None
            barrier.wait()  # reached by every thread, connected or not, so none waits forever
            invoked = time.monotonic()
            try:
                if refused is not None:
                    raise refused
                conn.request("POST", "/api/coupons/claim", body, headers)
                response = conn.getresponse()
                status, answer = response.status, _decode(response.read())
            except (OSError, http.client.HTTPException) as exc:
                return Answer(
                    user_id, coupon_name, None, None, repr(exc), invoked, time.monotonic()
                )
            return Answer(user_id, coupon_name, status, answer, None, invoked, time.monotonic())
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(claims)) as pool:
        return list(pool.map(send, claims))
