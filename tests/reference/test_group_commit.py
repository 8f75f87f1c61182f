"""Group commit in the reference API: the decision of a batch is the sequential one, and
the scheduler keeps each coupon's claims in arrival order, in one batch at a time."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_api.decide import ClaimKey, ClaimOutcome, decide
from reference_api.group_commit import GroupCommit

CLAIMED, ALREADY, SOLD_OUT, UNKNOWN = (
    ClaimOutcome.CLAIMED,
    ClaimOutcome.ALREADY_CLAIMED,
    ClaimOutcome.OUT_OF_STOCK,
    ClaimOutcome.NOT_FOUND,
)


@pytest.mark.parametrize(
    ("claims", "stock", "held", "expected"),
    [
        ([("u1", "nope")], {}, [], [UNKNOWN]),
        ([("u1", "c"), ("u2", "c"), ("u3", "c")], {"c": 2}, [], [CLAIMED, CLAIMED, SOLD_OUT]),
        ([("u1", "c"), ("u1", "c")], {"c": 5}, [], [CLAIMED, ALREADY]),
        ([("u1", "c"), ("u1", "c")], {"c": 0}, [], [SOLD_OUT, SOLD_OUT]),
        ([("u1", "c")], {"c": 0}, [("u1", "c")], [ALREADY]),  # eligibility before stock
        ([("u1", "c"), ("u1", "d")], {"c": 1, "d": 1}, [("u1", "c")], [ALREADY, CLAIMED]),
    ],
)
def test_a_batch_is_decided_as_if_its_claims_ran_in_turn(claims, stock, held, expected) -> None:
    assert decide(claims, stock, held) == expected


class InMemoryCoupons:
    """Stands in for PostgreSQL behind GroupCommit, and watches the batches it gets."""

    def __init__(self, stock: dict[str, int], seed: int, fail_on: str | None = None) -> None:
        self.stock, self.held = dict(stock), set[ClaimKey]()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.random = random.Random(seed)
        self.fail_on = fail_on

    async def commit_batch(self, claims: list[ClaimKey]) -> list[ClaimOutcome]:
        coupons = {coupon for _, coupon in claims}
        self.overlaps += sorted(coupons & self.in_flight)
        self.in_flight |= coupons
        await asyncio.sleep(self.random.random() / 1000)
        self.in_flight -= coupons
        if self.fail_on in coupons:
            raise ConnectionError("database went away")
        outcomes = decide(claims, self.stock, self.held)
        for (user, coupon), outcome in zip(claims, outcomes, strict=True):
            if outcome is CLAIMED:
                self.stock[coupon] -= 1
                self.held.add((user, coupon))
        return outcomes


arrivals = st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3", "u4"]), st.sampled_from(["a", "b", "c", "x"])),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(claims=arrivals, batches=st.integers(1, 3), size=st.integers(1, 8), seed=st.integers())
def test_grouped_claims_get_the_answers_of_one_claim_at_a_time(claims, batches, size, seed):
    stock = {"a": 1, "b": 2, "c": 5}  # "x" does not exist

    async def run() -> tuple[list[ClaimOutcome], InMemoryCoupons]:
        database = InMemoryCoupons(stock, seed)
        group = GroupCommit(
            database.commit_batch, max_batches=batches, max_batch_size=size, timeout=5
        )
        tasks = []
        for user, coupon in claims:  # arriving one by one, some while batches are running
            tasks.append(asyncio.create_task(group.claim(user, coupon)))
            await asyncio.sleep(0 if random.Random(seed).random() < 0.7 else 0.0005)
        return list(await asyncio.gather(*tasks)), database

    outcomes, database = asyncio.run(run())
    assert not database.overlaps, f"coupons in two running batches: {database.overlaps}"
    assert outcomes == decide(claims, stock, [])


def test_a_failed_batch_fails_each_of_its_claims_and_no_other() -> None:
    async def run() -> list[object]:
        database = InMemoryCoupons({"a": 5, "b": 5}, seed=1, fail_on="a")
        group = GroupCommit(database.commit_batch, max_batches=2, max_batch_size=1, timeout=5)
        claims = [group.claim("u1", "a"), group.claim("u1", "b"), group.claim("u2", "a")]
        return await asyncio.gather(*claims, return_exceptions=True)

    first, second, third = asyncio.run(run())
    assert isinstance(first, ConnectionError) and isinstance(third, ConnectionError)
    assert second is CLAIMED


def test_a_claim_given_up_before_its_batch_started_never_happens() -> None:
    async def run() -> InMemoryCoupons:
        database = InMemoryCoupons({"a": 5}, seed=1)
        group = GroupCommit(database.commit_batch, max_batches=1, max_batch_size=1, timeout=5)
        first = asyncio.create_task(group.claim("u1", "a"))
        second = asyncio.create_task(group.claim("u2", "a"))
        await asyncio.sleep(0)  # both queued; the first one's batch is running
        second.cancel()  # its request timed out while it waited for the next batch
        await first
        await asyncio.sleep(0.01)
        return database

    database = asyncio.run(run())
    assert database.held == {("u1", "a")}


@pytest.mark.parametrize("fail_on", [None, "a"])
def test_a_claim_given_up_after_its_batch_started_is_decided_all_the_same(fail_on) -> None:
    """Its request went away mid-batch: the batch decides it (stored, when it won), answers
    the others, and no exception is left unread (asyncio would log it as lost)."""
    lost: list[dict] = []

    async def run() -> tuple[InMemoryCoupons, object]:
        asyncio.get_running_loop().set_exception_handler(lambda _, context: lost.append(context))
        database = InMemoryCoupons({"a": 5}, seed=1, fail_on=fail_on)
        group = GroupCommit(database.commit_batch, max_batches=1, max_batch_size=2, timeout=5)
        gone = asyncio.create_task(group.claim("u1", "a"))
        stays = asyncio.create_task(group.claim("u2", "a"))
        await asyncio.sleep(0)  # both in the batch now running
        gone.cancel()
        async with asyncio.timeout(5):  # a batch that fails on the cancelled claim never answers
            answer = (await asyncio.gather(stays, return_exceptions=True))[0]
            await asyncio.gather(gone, return_exceptions=True)
        return database, answer

    database, answer = asyncio.run(run())
    if fail_on is None:
        assert database.held == {("u1", "a"), ("u2", "a")} and answer is CLAIMED
    else:
        assert isinstance(answer, ConnectionError)
    assert lost == []


class StalledDatabase:
    """Commits nothing until released, like a paused PostgreSQL; then stores every claim."""

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.batches: list[list[ClaimKey]] = []
        self.stored: list[ClaimKey] = []

    async def commit_batch(self, claims: list[ClaimKey]) -> list[ClaimOutcome]:
        self.batches.append(list(claims))
        await self.released.wait()
        self.stored += claims
        return [CLAIMED] * len(claims)


def test_a_claim_out_of_time_is_told_so_withdrawn_if_waiting_decided_if_sent() -> None:
    """The first claim's batch stalls: both claims time out. The waiting one never reaches
    the database; the sent one is stored once the database answers, and nobody is told."""
    lost: list[dict] = []

    async def run() -> tuple[StalledDatabase, list[object]]:
        asyncio.get_running_loop().set_exception_handler(lambda _, context: lost.append(context))
        database = StalledDatabase()
        group = GroupCommit(database.commit_batch, max_batches=1, max_batch_size=1, timeout=0.05)
        claims = [asyncio.create_task(group.claim(user, "a")) for user in ("sent", "waiting")]
        answers = await asyncio.gather(*claims, return_exceptions=True)
        database.released.set()
        await asyncio.sleep(0.01)  # the stalled batch ends
        return database, answers

    database, answers = asyncio.run(run())
    assert all(isinstance(answer, TimeoutError) for answer in answers)
    assert database.batches == [[("sent", "a")]] and database.stored == [("sent", "a")]
    assert lost == []


def test_each_claim_gets_its_own_time_whatever_came_before() -> None:
    """Claims answered early, then one that stalls: it times out at its own deadline, not
    at the first claim's, and a claim after it is still served."""

    async def run() -> tuple[float, float, object]:
        loop = asyncio.get_running_loop()
        stalled = StalledDatabase()
        quick = InMemoryCoupons({"a": 5, "b": 5}, seed=1)
        use_stalled = False

        async def commit_batch(claims: list[ClaimKey]) -> list[ClaimOutcome]:
            database = stalled if use_stalled else quick
            return await database.commit_batch(claims)

        group = GroupCommit(commit_batch, max_batches=2, max_batch_size=4, timeout=0.1)
        assert await group.claim("u1", "a") is CLAIMED
        await asyncio.sleep(0.06)
        use_stalled = True
        sent_at = loop.time()
        with pytest.raises(TimeoutError):
            await group.claim("u2", "a")
        use_stalled = False
        return sent_at, loop.time(), await group.claim("u3", "b")

    sent_at, failed_at, later = asyncio.run(run())
    assert failed_at - sent_at >= 0.1 - 0.005  # not the first claim's deadline (0.04 away)
    assert later is CLAIMED
