"""One root cause, one failure, for a slow implementation: once a check has found the API
answering later than --answer-within, a later check whose request times out is BLOCKED by
that finding rather than failed again (a slow claim path leaves a backlog that every later
request waits behind)."""

from __future__ import annotations

import socket

import requests

from ..blocked import Blocked

# What a request that got no answer in time raises, through requests or a raw socket.
TIMEOUTS = (requests.exceptions.Timeout, TimeoutError, socket.timeout)


class Slowness:
    def __init__(self) -> None:
        self.cause: Blocked | None = None  # the first finding

    def found(self, criterion: str, observed: str) -> None:
        if self.cause is None:
            self.cause = Blocked(criterion, observed)

    def blocking(self, error: BaseException) -> Blocked | None:
        """What blocks a check that failed with `error`: the finding, when the error is a
        request that got no answer in time."""
        while isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]  # hypothesis' distinct failures: the first
        if self.cause is None or not isinstance(error, TIMEOUTS):
            return None
        return self.cause.having_held(f"its own request then timed out: {type(error).__name__}")
