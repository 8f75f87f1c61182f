"""The pipeline every concurrent check shares: make the coupons, send the calls at once,
record what came back as a history, and judge it against the tables and GET."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .client import ApiClient
from .concurrency import Call, Reply, send_at_once
from .history import Operation
from .judge import Judgement, judge, views_of
from .statuses import StatusMap, record
from .steps import create_needed


def create_coupons(api: ApiClient, stocks: Mapping[str, int]) -> list[Operation]:
    """Each coupon created with its stock, as the first operations of the run's history
    (the stock a sale promised is the one its create was acknowledged for, whatever the
    tables say). A create that fails blocks the check that needs it (create.created's
    finding), with the request and its answer."""
    creates = []
    for name, stock in stocks.items():
        invoked = time.monotonic()
        create_needed(api, name, stock)
        creates.append(
            Operation(
                process=0,  # before any claim: process 0's are sent after it completes
                f="create",
                coupon=name,
                amount=stock,
                type="ok",
                status=201,
                invoked=invoked,
                completed=time.monotonic(),
            )
        )
    return creates


@dataclass(frozen=True)
class ClaimsRun:
    """Calls, their replies and the history they make, with what judges them."""

    api: ApiClient
    dsn: str
    coupons: list[str]  # every coupon the calls touch: each is judged
    calls: list[Call]
    replies: list[Reply]
    history: list[Operation]

    @classmethod
    def of(
        cls,
        api: ApiClient,
        dsn: str,
        statuses: StatusMap,
        coupons: Sequence[str],
        calls: list[Call],
        replies: list[Reply],
        creates: Sequence[Operation] = (),
    ) -> ClaimsRun:
        """`creates`: those made before the calls were sent (`create_coupons`)."""
        history = [*creates, *record(calls, replies, statuses)]
        return cls(api, dsn, list(coupons), calls, replies, history)

    def judge(self, views: dict[str, Any] | None = None) -> Judgement:
        """The history against the final tables (and GET, fetched now unless given)."""
        return judge(
            self.history, self.coupons, self.dsn, views or views_of(self.api, self.coupons)
        )


def claims_at_once(
    api: ApiClient,
    dsn: str,
    statuses: StatusMap,
    coupons: Sequence[str],
    calls: list[Call],
    *,
    creates: Sequence[Operation] = (),
    urls: Sequence[str] | None = None,
    concurrency: int | None = None,
    timeout: float = 60.0,
) -> ClaimsRun:
    """`calls` released together (call i from process i % concurrency, process p to
    instance p % len(urls)), each reply awaited `timeout` seconds at most; `creates` made
    before, as `create_coupons` returns them."""
    replies = send_at_once(urls or api.base_urls, calls, concurrency, timeout)
    return ClaimsRun.of(api, dsn, statuses, coupons, calls, replies, creates)
