"""The pipeline every concurrent check shares: make the coupons, send the calls at once,
record what came back as a history, and judge it against the tables and GET."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .bystanders import STOCK as BYSTANDER_STOCK
from .bystanders import near_misses
from .client import ApiClient
from .concurrency import Call, Reply, send_at_once
from .history import Operation
from .judge import Judgement, judge, views_of
from .statuses import StatusMap, classify_create, record
from .steps import create_needed
from .tables import state_from_view


def create_coupons(
    api: ApiClient, stocks: Mapping[str, int], *, bystanders: bool = True
) -> list[Operation]:
    """Each coupon created with its stock, and beside it its bystanders (bystanders.py), as
    the first operations of the run's history: the stock a sale promised is the one its
    create was acknowledged for, whatever the tables say, and a bystander must end as it
    was made. A create of the run's own that fails blocks the check that needs it
    (create.created's finding), with the request and its answer; a bystander refused (a
    name the implementation takes for another: names.identity's finding) is not judged."""
    creates = []
    for name, stock in stocks.items():
        invoked = time.monotonic()
        create_needed(api, name, stock)
        creates.append(_create(name, stock, 201, invoked))
    return creates + (create_bystanders(api, list(stocks)) if bystanders else [])


def create_bystanders(api: ApiClient, names: Sequence[str]) -> list[Operation]:
    """The bystanders of each of `names`, each create as the history has it, and read back
    at once: one refused, or that GET does not show as its create made it (create.created's
    finding, or a name taken for another), is left unjudged (`info`)."""
    creates = []
    for beside in dict.fromkeys(b for name in names for b in near_misses(name) if b not in names):
        invoked = time.monotonic()
        status = api.create(beside, BYSTANDER_STOCK).status_code
        shown = status == 201 and state_from_view(beside, views_of(api, [beside])[beside])
        made = shown and (shown.amount, shown.remaining_amount, shown.claimants) == AS_MADE
        creates.append(_create(beside, BYSTANDER_STOCK, status, invoked, known=bool(made)))
    return creates


AS_MADE = (BYSTANDER_STOCK, BYSTANDER_STOCK, ())  # amount, remaining_amount, claimants


def _create(name: str, amount: int, status: int, invoked: float, known: bool = True) -> Operation:
    kind, reasons = classify_create(status) if known else ("info", ())
    return Operation(
        process=0,  # before any claim: process 0's are sent after it completes
        f="create",
        coupon=name,
        amount=amount,
        type=kind,
        reasons=reasons,
        status=status,
        invoked=invoked,
        completed=time.monotonic(),
    )


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
        """`creates`: those made before the calls were sent (`create_coupons`), whose
        coupons are judged too."""
        history = [*creates, *record(calls, replies, statuses)]
        judged = list(dict.fromkeys([*coupons, *(op.coupon for op in creates)]))
        return cls(api, dsn, judged, calls, replies, history)

    def judge(self, views: dict[str, Any] | None = None) -> Judgement:
        """The history against the final tables (and GET, fetched now where not given)."""
        given = views or {}
        unseen = [name for name in self.coupons if name not in given]
        return judge(self.history, self.coupons, self.dsn, {**views_of(self.api, unseen), **given})


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
