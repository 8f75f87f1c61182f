"""The reference API's batch statement (store.BATCH_SQL) on a real PostgreSQL: it decides
as decide.py says, stores exactly the winners in arrival order, and gets a claim right
that another process committed while the statement waited for its locks."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_api.decide import ClaimOutcome, decide

USERS = ["u0", "u1", "u2", "u3"]


def add_coupons(conn: psycopg.Connection, stock: list[int]) -> list[str]:
    names = [f"batch-{uuid.uuid4().hex[:12]}-{i}" for i in range(len(stock))]
    for name, remaining in zip(names, stock, strict=True):
        conn.execute(
            "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, 5, %s)",
            (name, remaining),
        )
    return names


def stored(conn: psycopg.Connection, coupon: str) -> tuple[int, list[str]]:
    """(remaining_amount, claimants in id order)"""
    (remaining,) = conn.execute(
        "SELECT remaining_amount FROM coupons WHERE name = %s", (coupon,)
    ).fetchone()
    users = conn.execute(
        "SELECT user_id FROM claims WHERE coupon_name = %s ORDER BY id", (coupon,)
    ).fetchall()
    return remaining, [user for (user,) in users]


@settings(max_examples=60, deadline=None)
@given(
    stock=st.lists(st.integers(0, 3), min_size=1, max_size=3),
    held=st.sets(st.tuples(st.sampled_from(USERS), st.integers(0, 2)), max_size=4),
    tries=st.lists(
        st.tuples(st.sampled_from(USERS), st.integers(0, 3)),  # coupon 3 never exists
        min_size=1,
        max_size=12,
    ),
)
def test_a_batch_is_decided_and_stored_as_if_its_claims_ran_in_turn(
    store, loop, database, stock, held, tries
) -> None:
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        names = add_coupons(conn, stock)
        coupon = dict(enumerate(names))  # an index past the last is a coupon that never was
        held_keys = [(user, coupon[i]) for user, i in sorted(held) if i in coupon]
        for key in held_keys:
            conn.execute("INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", key)
        claims = [(user, coupon.get(i, "batch-missing")) for user, i in tries]
        expected = decide(claims, dict(zip(names, stock, strict=True)), held_keys)

        assert loop.run(store.commit_claims(claims)) == expected

        for name, remaining in zip(names, stock, strict=True):
            won = [
                user
                for (user, claimed), outcome in zip(claims, expected, strict=True)
                if claimed == name and outcome is ClaimOutcome.CLAIMED
            ]
            already = [user for user, held_coupon in held_keys if held_coupon == name]
            assert stored(conn, name) == (remaining - len(won), already + won)


def test_a_claim_committed_elsewhere_while_the_batch_waits_counts_as_held(
    store, loop, database
) -> None:
    """The statement reads held claims from its snapshot, taken before its locks were
    granted; the claim committed in between makes its INSERT fail, and the batch runs
    again, this time seeing that claim."""
    with (
        psycopg.connect(database.dsn(), autocommit=True) as watcher,
        psycopg.connect(database.dsn()) as elsewhere,
    ):
        (coupon,) = add_coupons(watcher, [5])
        elsewhere.execute("SELECT 1 FROM coupons WHERE name = %s FOR UPDATE", (coupon,))
        elsewhere.execute("INSERT INTO claims (user_id, coupon_name) VALUES ('u1', %s)", (coupon,))
        elsewhere.execute(
            "UPDATE coupons SET remaining_amount = remaining_amount - 1 WHERE name = %s",
            (coupon,),
        )

        async def batch_meets_the_commit() -> list[ClaimOutcome]:
            batch = asyncio.ensure_future(store.commit_claims([("u1", coupon), ("u2", coupon)]))
            while not watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            ).fetchone()[0]:
                await asyncio.sleep(0.01)
            elsewhere.commit()
            return await batch

        outcomes = loop.run(asyncio.wait_for(batch_meets_the_commit(), 30))

        assert outcomes == [ClaimOutcome.ALREADY_CLAIMED, ClaimOutcome.CLAIMED]
        assert stored(watcher, coupon) == (3, ["u1", "u2"])
