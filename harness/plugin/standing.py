"""One root cause, one failure, for what stays wrong once found: a later check that fails
the same way is BLOCKED by the first finding rather than failed again.
- A slow implementation: once a check has found the API answering later than
  --answer-within, a later request that times out waits behind the same backlog.
- An API that did not come back after a restart: a later request finds no API to answer."""

from __future__ import annotations

import socket

import requests

from ..blocked import Blocked

# What a request that got no answer in time raises, through requests or a raw socket.
TIMEOUTS = (requests.exceptions.Timeout, TimeoutError, socket.timeout)
# What a request to an instance that is not there raises.
REFUSALS = (requests.exceptions.ConnectionError, ConnectionError)


class StandingCause:
    def __init__(self, errors: tuple[type[BaseException], ...], then: str) -> None:
        self.errors = errors  # the failures it explains
        self.then = then  # what a blocked check then met, said after what held
        self.cause: Blocked | None = None  # the first finding

    def found(self, criterion: str, observed: str) -> None:
        if self.cause is None:
            self.cause = Blocked(criterion, observed)

    def blocking(self, error: BaseException | None) -> Blocked | None:
        """What blocks a check that failed with `error`: the finding, when the error is
        one it explains."""
        while isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]  # hypothesis' distinct failures: the first
        if self.cause is None or not isinstance(error, self.errors):
            return None
        return self.cause.having_held(f"{self.then}: {type(error).__name__}")


def slowness() -> StandingCause:
    return StandingCause(TIMEOUTS, "its own request then timed out")


def lost_api() -> StandingCause:
    return StandingCause(REFUSALS, "its own request then found no API to answer")
