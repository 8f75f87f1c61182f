"""What every way of getting a stack hands to the tests, and how it says it failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import requests

from .waiting import wait_until


class FaultControls(Protocol):
    """What the fault tests do to a stack they control."""

    def kill_database(self) -> None: ...  # a crash: no clean shutdown

    def start_database(self) -> None: ...

    def pause_database(self) -> None: ...  # every database process frozen, sockets open

    def resume_database(self) -> None: ...

    def restart_api(self) -> None: ...  # SIGTERM, then start it again


class StackError(RuntimeError):
    """The stack could not be brought up (or back): `reason` is one line saying which part
    failed and why, `detail` what shows it (a log tail, compose's output)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason + (f"\n{detail}" if detail else ""))
        self.reason = reason
        self.detail = detail


@contextmanager
def stack_step(what: str, *failures: type[Exception]) -> Iterator[None]:
    """Run one step of bringing a stack up; any of `failures` becomes a StackError whose
    reason is `what` and the first line of the failure, its detail the rest."""
    try:
        yield
    except failures as exc:
        first, _, rest = str(exc).partition("\n")
        raise StackError(f"{what}: {first}", rest) from None


@dataclass(frozen=True)
class Stack:
    kind: str  # local, compose or external
    api_url: str
    dsn: str
    description: str  # one line for the run's output: what was started, from where
    faults: FaultControls | None = None  # None where the suite does not own the stack


def wait_for_health(api_url: str, *, timeout: float, give_up=lambda: None) -> None:
    def healthy() -> bool:
        return requests.get(f"{api_url}/health", timeout=2).status_code == 200

    wait_until(
        healthy, what=f"GET {api_url}/health to answer 200", timeout=timeout, give_up=give_up
    )
