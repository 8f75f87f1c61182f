"""Many claims released at the same instant over real HTTP, each answer kept with its timing."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests


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


def _json_or_text(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def claim_at_once(
    base_url: str, claims: list[tuple[str, str]], timeout: float = 60.0
) -> list[Answer]:
    """Send every (user_id, coupon_name) claim from its own thread and connection,
    all released together by a barrier; answers come back in the order given."""
    barrier = threading.Barrier(len(claims))
    url = f"{base_url}/api/coupons/claim"

    def send(claim: tuple[str, str]) -> Answer:
        user_id, coupon_name = claim
        with requests.Session() as session:
            barrier.wait()
            invoked = time.monotonic()
            try:
                response = session.post(
                    url, json={"user_id": user_id, "coupon_name": coupon_name}, timeout=timeout
                )
            except requests.RequestException as exc:
                return Answer(user_id, coupon_name, None, None, repr(exc), invoked, time.monotonic())
            return Answer(
                user_id,
                coupon_name,
                response.status_code,
                _json_or_text(response),
                None,
                invoked,
                time.monotonic(),
            )

    with ThreadPoolExecutor(max_workers=len(claims)) as pool:
        return list(pool.map(send, claims))
