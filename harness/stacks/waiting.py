"""Readiness as an explicit wait strategy: what is awaited, for how long, and why it failed."""

from __future__ import annotations

import time
from collections.abc import Callable


class NotReady(RuntimeError):
    """The awaited condition did not hold within its time-out."""


def wait_until(
    probe: Callable[[], bool],
    *,
    what: str,
    timeout: float,
    interval: float = 0.1,
    give_up: Callable[[], str | None] = lambda: None,
) -> None:
    """Call `probe` until it returns True.

    `give_up` is asked between attempts and returns a reason when waiting longer is
    pointless (the process being waited for has exited, say)."""
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while True:
        try:
            if probe():
                return
        except Exception as exc:  # the probe's failure is the reason we keep waiting
            last_error = f"{type(exc).__name__}: {exc}"
        reason = give_up()
        if reason:
            raise NotReady(f"gave up waiting for {what}: {reason}")
        if time.monotonic() >= deadline:
            raise NotReady(f"waited {timeout:.0f}s for {what} (last: {last_error})")
        time.sleep(interval)
