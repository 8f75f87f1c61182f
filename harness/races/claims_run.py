"""The pipeline every concurrent check shares: make the coupons, send the calls at once,
record what came back as a history, and judge it against the tables and GET."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answers import describe
from .client import ApiClient
from .concurrency import Call, Reply, send_at_once
from .history import Operation
from .judge import Judgement, judge, views_of
from .statuses import StatusMap, record


def create_coupons(api: ApiClient, stocks: Mapping[str, int]) -> None:
    """Each coupon created with its stock; a create that fails fails the check that needs
    it, with the request and its answer."""
    for name, stock in stocks.items():
        created = api.create(name, stock)
        if created.status_code != 201:
            raise AssertionError(f"creating the coupon the check needs: {describe(created)}")


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
    ) -> ClaimsRun:
        return cls(api, dsn, list(coupons), calls, replies, record(calls, replies, statuses))

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
    urls: Sequence[str] | None = None,
    concurrency: int | None = None,
    timeout: float = 60.0,
) -> ClaimsRun:
    """`calls` released together (call i from process i % concurrency, process p to
    instance p % len(urls)), each reply awaited `timeout` seconds at most."""
    replies = send_at_once(urls or api.base_urls, calls, concurrency, timeout)
    return ClaimsRun.of(api, dsn, statuses, coupons, calls, replies)
