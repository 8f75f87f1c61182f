"""Coupons and claims on PostgreSQL: each operation is one statement, one round trip."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from psycopg import errors
from psycopg_pool import AsyncConnectionPool

from .settings import Settings


class ClaimOutcome(enum.Enum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    OUT_OF_STOCK = "out_of_stock"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Coupon:
    name: str
    amount: int
    remaining_amount: int
    claimed_by: list[str]


# The whole claim in one statement, so one transaction and one round trip:
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


class CouponStore:
    def __init__(self, settings: Settings) -> None:
        self.pool = AsyncConnectionPool(
            kwargs={**settings.conninfo(), "autocommit": True},
            min_size=settings.db_pool_size,
            max_size=settings.db_pool_size,
            timeout=10,
            open=False,
        )

    async def open(self) -> None:
        # wait=False: the API starts even while the database is still coming up,
        # and /health says so until it answers.
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def ping(self) -> None:
        async with self.pool.connection(timeout=3) as conn:
            await conn.execute("SELECT 1")

    async def create(self, name: str, amount: int) -> bool:
        """True when created, False when a coupon of that name exists."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(CREATE_SQL, {"name": name, "amount": amount})
            return await cursor.fetchone() is not None

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
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
        async with self.pool.connection() as conn:
            cursor = await conn.execute(GET_SQL, {"name": name})
            row = await cursor.fetchone()
        return None if row is None else Coupon(*row)
