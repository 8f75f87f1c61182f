"""Coupons and claims on PostgreSQL. Claims are committed in groups (group_commit.py):
one transaction per batch, its coupon rows locked, its claims decided in arrival order."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from psycopg import errors
from psycopg_pool import AsyncConnectionPool

from .decide import ClaimKey, ClaimOutcome, decide
from .group_commit import GroupCommit, ignore_outcome
from .settings import Settings

__all__ = ["ClaimOutcome", "Coupon", "CouponStore", "DatabaseTimeout"]

# Sorted, so two batches (in two API processes) lock their common coupons in one order
# and never wait on each other in a cycle.
LOCK_SQL = """
SELECT name, remaining_amount FROM coupons WHERE name = ANY(%(coupons)s::varchar[])
ORDER BY name FOR UPDATE
"""

# Run after LOCK_SQL in the same transaction: its snapshot sees every claim committed
# before the locks were granted, and nobody else can add one to these coupons until we commit.
HELD_SQL = """
SELECT c.user_id, c.coupon_name
FROM unnest(%(users)s::varchar[], %(coupons)s::varchar[]) AS r(user_id, coupon_name)
JOIN claims c USING (user_id, coupon_name)
"""

# In arrival order, so claim ids (and GET's claimed_by) follow the order claims were decided.
INSERT_SQL = """
INSERT INTO claims (user_id, coupon_name)
SELECT user_id, coupon_name
FROM unnest(%(users)s::varchar[], %(coupons)s::varchar[]) WITH ORDINALITY
     AS r(user_id, coupon_name, arrival)
ORDER BY arrival
"""

DECREMENT_SQL = """
UPDATE coupons SET remaining_amount = remaining_amount - taken.count
FROM unnest(%(coupons)s::varchar[], %(counts)s::int[]) AS taken(name, count)
WHERE coupons.name = taken.name
"""

# A batch of one claim, in one statement, so one transaction and one round trip:
# lock the coupon row, then eligibility, then stock, then decrement and insert.
# Eligibility is read from the statement's snapshot; a claim by the same user that
# committed after that snapshot makes the INSERT fail on UNIQUE(user_id, coupon_name),
# which aborts the statement (decrement included) and is answered as "already claimed".
CLAIM_SQL = """
WITH target AS (
    SELECT name FROM coupons WHERE name = %(coupon)s FOR UPDATE
), eligible AS (
    SELECT NOT EXISTS (
        SELECT 1 FROM claims WHERE user_id = %(user)s AND coupon_name = %(coupon)s
    ) AS ok
), taken AS (
    UPDATE coupons SET remaining_amount = remaining_amount - 1
    FROM target, eligible
    WHERE coupons.name = target.name AND eligible.ok AND coupons.remaining_amount > 0
    RETURNING coupons.name
), inserted AS (
    INSERT INTO claims (user_id, coupon_name) SELECT %(user)s, name FROM taken
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM target),
       (SELECT ok FROM eligible),
       EXISTS (SELECT 1 FROM inserted)
"""

CREATE_SQL = """
INSERT INTO coupons (name, amount, remaining_amount) VALUES (%(name)s, %(amount)s, %(amount)s)
ON CONFLICT (name) DO NOTHING
RETURNING name
"""

# Claims of one coupon are inserted while its row is locked, so id order is commit order.
GET_SQL = """
SELECT c.name, c.amount, c.remaining_amount,
       COALESCE(ARRAY(SELECT user_id FROM claims WHERE coupon_name = c.name ORDER BY id), '{}')
FROM coupons c WHERE c.name = %(name)s
"""

T = TypeVar("T")

MAX_BATCH_SIZE = 512
# Batches in flight at once. Two keep the database busy while the next batch forms; more
# make smaller batches, and each costs the same round trips and Python work whatever its
# size (nox -s bench, spread at 64 clients: 1,744 claims/s with two, 1,107 with ten).
CONCURRENT_BATCHES = 2


class DatabaseTimeout(Exception):
    """The database did not answer within DB_TIMEOUT (it may be paused or overloaded)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer from the database within {seconds:g} s")


@dataclass(frozen=True)
class Coupon:
    name: str
    amount: int
    remaining_amount: int
    claimed_by: list[str]


class CouponStore:
    def __init__(self, settings: Settings) -> None:
        self.timeout = settings.db_timeout
        self.pool = AsyncConnectionPool(
            kwargs={**settings.conninfo(), "autocommit": True},
            min_size=settings.db_pool_size,
            max_size=settings.db_pool_size,
            timeout=settings.db_timeout,
            open=False,
        )
        self.group_commit = GroupCommit(
            self.commit_claims, max_batches=CONCURRENT_BATCHES, max_batch_size=MAX_BATCH_SIZE
        )

    async def open(self) -> None:
        # wait=False: the API starts even while the database is still coming up,
        # and /health says so until it answers.
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def bounded(self, work: Awaitable[T]) -> T:
        """`work`, waited for at most DB_TIMEOUT: a database that stops answering (paused,
        partitioned) costs the request a 503, never a hang. Past the limit the work goes on
        in the background rather than being cancelled, because cancelling a query on a
        database that does not answer can itself wait for it."""
        task = asyncio.ensure_future(work)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            task.add_done_callback(ignore_outcome)  # the answer went out already: a 503
            raise DatabaseTimeout(self.timeout) from None

    async def _one_row(self, sql: str, params: dict | None = None) -> tuple | None:
        """One statement on a pooled connection, bounded by DB_TIMEOUT; its first row."""

        async def query() -> tuple | None:
            async with self.pool.connection() as conn:
                cursor = await conn.execute(sql, params)
                return await cursor.fetchone()

        return await self.bounded(query())

    async def ping(self) -> None:
        await self._one_row("SELECT 1")

    async def create(self, name: str, amount: int) -> bool:
        """True when created, False when a coupon of that name exists."""
        return await self._one_row(CREATE_SQL, {"name": name, "amount": amount}) is not None

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        try:
            # Not `bounded`: a claim still waiting for its batch when time is up is
            # withdrawn (group_commit.py), so its 503 means it never happened.
            async with asyncio.timeout(self.timeout):
                return await self.group_commit.claim(user_id, coupon_name)
        except TimeoutError:
            raise DatabaseTimeout(self.timeout) from None

    async def commit_claims(self, claims: Sequence[ClaimKey]) -> list[ClaimOutcome]:
        """Decide and store a batch of claims in one transaction; return after its commit."""
        if len(claims) == 1:  # no contention: one round trip instead of two
            return [await self.commit_claim(*claims[0])]
        users = [user for user, _ in claims]
        coupons = [coupon for _, coupon in claims]
        # One pipeline: BEGIN and both reads go in one round trip (the first fetch sends
        # them), both writes and COMMIT in a second; the transaction block waits for COMMIT.
        async with self.pool.connection() as conn, conn.pipeline(), conn.transaction():
            locked = await conn.execute(LOCK_SQL, {"coupons": sorted(set(coupons))})
            found = await conn.execute(HELD_SQL, {"users": users, "coupons": coupons})
            stock = dict(await locked.fetchall())
            outcomes = decide(claims, stock, await found.fetchall())
            won = [
                key
                for key, outcome in zip(claims, outcomes, strict=True)
                if outcome is ClaimOutcome.CLAIMED
            ]
            if won:
                taken = Counter(coupon for _, coupon in won)
                await conn.execute(
                    INSERT_SQL, {"users": [u for u, _ in won], "coupons": [c for _, c in won]}
                )
                await conn.execute(
                    DECREMENT_SQL, {"coupons": list(taken), "counts": list(taken.values())}
                )
        return outcomes

    async def commit_claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn:
            try:
                cursor = await conn.execute(CLAIM_SQL, {"user": user_id, "coupon": coupon_name})
            except errors.UniqueViolation:
                return ClaimOutcome.ALREADY_CLAIMED
            found, eligible, inserted = await cursor.fetchone()
        if not found:
            return ClaimOutcome.NOT_FOUND
        if not eligible:
            return ClaimOutcome.ALREADY_CLAIMED
        return ClaimOutcome.CLAIMED if inserted else ClaimOutcome.OUT_OF_STOCK

    async def get(self, name: str) -> Coupon | None:
        row = await self._one_row(GET_SQL, {"name": name})
        return None if row is None else Coupon(*row)
