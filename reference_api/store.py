"""Coupons and claims on PostgreSQL. Claims are committed in groups (group_commit.py):
one statement per batch, its coupon rows locked, its claims decided in arrival order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from psycopg import errors

from .decide import ClaimKey, ClaimOutcome
from .group_commit import GroupCommit
from .recovering_pool import RecoveringPool
from .settings import Settings

__all__ = ["ClaimOutcome", "Coupon", "CouponStore", "DatabaseTimeout"]

log = logging.getLogger("reference_api")

# A batch of claims in one statement, decided as decide.py says: as if they ran one after
# another in arrival order. Coupon rows are locked in name order, so two batches (in two API
# processes) never wait on each other in a cycle. Within a pair's tries (nth), only the
# first can win; `place` numbers the first tries on each coupon, and those within its stock
# win. Stock is read from the locked rows, so it is the latest committed; `held` is read
# from the statement's snapshot, which may miss a claim another process committed while we
# waited for the lock: then the INSERT fails on UNIQUE(user_id, coupon_name), nothing of
# the batch is stored, and commit_claims runs it again with a fresh snapshot.
# `held` asks whether the coupon is among the user's claims: a probe on user_id, which only
# UNIQUE(user_id, coupon_name) can serve. Asked as "user_id = ... AND coupon_name = ...",
# a generic plan made while claims was empty (a fresh database: the pool prepares its
# statements in the sale's first seconds) may take idx_claims_coupon_name and then read every
# claim of the coupon for each claim, so a sale slows as it sells (docs/performance.md).
BATCH_SQL = """
WITH request AS (
    SELECT user_id, coupon_name, arrival
    FROM unnest(%(users)s::varchar[], %(coupons)s::varchar[]) WITH ORDINALITY
         AS r(user_id, coupon_name, arrival)
), locked AS MATERIALIZED (
    SELECT name, remaining_amount FROM coupons WHERE name = ANY(%(coupons)s::varchar[])
    ORDER BY name FOR UPDATE
), tried AS (
    SELECT r.*, l.remaining_amount,
           r.coupon_name = ANY (SELECT c.coupon_name FROM claims c WHERE c.user_id = r.user_id)
               AS held,
           row_number() OVER (PARTITION BY r.user_id, r.coupon_name ORDER BY r.arrival) AS nth
    FROM request r LEFT JOIN locked l ON l.name = r.coupon_name
), queued AS (
    SELECT user_id, coupon_name,
           row_number() OVER (PARTITION BY coupon_name ORDER BY arrival) AS place
    FROM tried WHERE remaining_amount IS NOT NULL AND NOT held AND nth = 1
), decided AS (
    SELECT t.arrival, t.user_id, t.coupon_name,
           CASE WHEN t.remaining_amount IS NULL THEN 'N'
                WHEN t.held THEN 'A'
                WHEN q.place > t.remaining_amount THEN 'O'
                WHEN t.nth = 1 THEN 'C'
                ELSE 'A' END AS outcome
    FROM tried t LEFT JOIN queued q USING (user_id, coupon_name)
), inserted AS (
    -- In arrival order, so claim ids (and GET's claimed_by) follow the order of decisions.
    INSERT INTO claims (user_id, coupon_name)
    SELECT user_id, coupon_name FROM decided WHERE outcome = 'C' ORDER BY arrival
), decremented AS (
    UPDATE coupons SET remaining_amount = remaining_amount - taken.count
    FROM (SELECT coupon_name, count(*) AS count FROM decided WHERE outcome = 'C'
          GROUP BY coupon_name) AS taken
    WHERE coupons.name = taken.coupon_name
)
SELECT string_agg(outcome, '' ORDER BY arrival) FROM decided
"""

BATCH_OUTCOMES = {
    "C": ClaimOutcome.CLAIMED,
    "A": ClaimOutcome.ALREADY_CLAIMED,
    "O": ClaimOutcome.OUT_OF_STOCK,
    "N": ClaimOutcome.NOT_FOUND,
}

# A batch of one claim, in one statement, so one transaction and one round trip:
# lock the coupon row, then eligibility, then stock, then decrement and insert.
# Eligibility is read from the statement's snapshot; a claim by the same user that
# committed after that snapshot makes the INSERT fail on UNIQUE(user_id, coupon_name),
# which aborts the statement (decrement included) and is answered as "already claimed".
# Eligibility probes the user's claims, as `held` does in BATCH_SQL, and for the same reason.
# In a file of its own, so that the bench can run the very statement through pgbench.
CLAIM_SQL = (Path(__file__).with_name("claim.sql")).read_text()

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

# Every statement here is a key lookup, and a seq scan is only ever chosen for a table that
# looked small when the plan was made: a cached plan keeps it as the table grows. With seq
# scans off, each probe takes its index in any planner state (tests/reference/
# test_claim_plans.py holds it), the foreign key's check on coupons included.
SESSION_OPTIONS = "-c enable_seqscan=off"

T = TypeVar("T")

MAX_BATCH_SIZE = 512
# Batches in flight at once. The next batch forms while one commits; a second in flight
# took the claims that came while the first committed one or two at a time, and each
# batch costs a round trip, a commit and Python work whatever its size, so one in flight
# serves more claims with less database work than two or more (docs/performance.md).
CONCURRENT_BATCHES = 1


def ignore_outcome(future: asyncio.Future) -> None:
    """Read an outcome nobody awaits any more, so asyncio does not log it as lost."""
    if not future.cancelled():
        future.exception()


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
        self.pool = RecoveringPool(
            kwargs={**settings.conninfo(), "autocommit": True, "options": SESSION_OPTIONS},
            size=settings.db_pool_size,
            timeout=settings.db_timeout,
        )
        self.group_commit = GroupCommit(
            self.commit_claims,
            max_batches=CONCURRENT_BATCHES,
            max_batch_size=MAX_BATCH_SIZE,
            timeout=settings.db_timeout,
        )
        self._ping: asyncio.Future[tuple | None] | None = None

    async def open(self) -> None:
        await self.pool.open()

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
        """SELECT 1, shared by every health check that comes while one is in flight: a
        flood of them costs the database one query at a time, and no answer is older than
        one round trip. Shielded, so a caller that goes away leaves it to the others."""
        if self._ping is None or self._ping.done():
            self._ping = asyncio.ensure_future(self._one_row("SELECT 1"))
            self._ping.add_done_callback(ignore_outcome)  # when every caller went away
        await asyncio.shield(self._ping)

    async def create(self, name: str, amount: int) -> bool:
        """True when created, False when a coupon of that name exists."""
        return await self._one_row(CREATE_SQL, {"name": name, "amount": amount}) is not None

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        try:
            # Not `bounded`: group commit keeps the time itself, and withdraws a claim still
            # waiting for its batch when time is up, so its 503 means it never happened.
            return await self.group_commit.claim(user_id, coupon_name)
        except TimeoutError:
            raise DatabaseTimeout(self.timeout) from None

    async def commit_claims(self, claims: Sequence[ClaimKey]) -> list[ClaimOutcome]:
        """Decide and store a batch of claims in one transaction; return after its commit."""
        if len(claims) == 1:  # the lighter statement for a claim that met no other
            return [await self.commit_claim(*claims[0])]
        params = {"users": [user for user, _ in claims], "coupons": [c for _, c in claims]}
        async with self.pool.connection() as conn:
            # Runs again only when another process committed a claim of this batch while
            # the statement waited for its locks; the next run sees that claim as held, so
            # this ends after at most len(claims) more runs.
            while True:
                try:
                    cursor = await conn.execute(BATCH_SQL, params)
                except errors.UniqueViolation:
                    log.info("batch ran again", extra={"claims": len(claims)})
                    continue
                (codes,) = await cursor.fetchone()
                return [BATCH_OUTCOMES[code] for code in codes]

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
