"""What every way of getting a stack hands to the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import requests

from ..waiting import wait_until

if TYPE_CHECKING:
    from .compose import ComposeProject


class FaultControls(Protocol):
    """What the fault tests do to a stack they control."""

    def kill_database(self) -> None: ...  # a crash: no clean shutdown

    def start_database(self) -> None: ...

    def pause_database(self) -> None: ...  # every database process frozen, sockets open

    def resume_database(self) -> None: ...

    def restart_api(self) -> None: ...  # SIGTERM, then start it again


class StackError(RuntimeError):
    """The stack could not be brought up; the message says which part and shows its log."""


@dataclass(frozen=True)
class Stack:
    kind: str  # local, compose or external
    api_url: str
    dsn: str
    description: str  # one line for the run's output: what was started, from where
    compose: ComposeProject | None = None  # set on the compose stack only
    faults: FaultControls | None = None  # None where the suite does not own the stack


def wait_for_health(api_url: str, *, timeout: float, give_up=lambda: None) -> None:
    def healthy() -> bool:
        return requests.get(f"{api_url}/health", timeout=2).status_code == 200

    wait_until(
        healthy, what=f"GET {api_url}/health to answer 200", timeout=timeout, give_up=give_up
    )
