"""Health checks that come together share one query (CouponStore.ping), on a real
PostgreSQL: counted by the pool's own tally of connections lent."""

from __future__ import annotations

import asyncio

from reference_api.store import CouponStore


def connections_lent(store: CouponStore) -> int:
    return store.pool.pool.get_stats().get("requests_num", 0)


def test_concurrent_health_checks_share_one_query(store: CouponStore, loop) -> None:
    async def fifty_at_once() -> int:
        before = connections_lent(store)
        await asyncio.gather(*(store.ping() for _ in range(50)))
        return connections_lent(store) - before

    assert loop.run(fifty_at_once()) == 1


def test_a_health_check_after_the_last_one_ended_asks_again(store: CouponStore, loop) -> None:
    async def one_after_another() -> int:
        before = connections_lent(store)
        for _ in range(3):
            await store.ping()
        return connections_lent(store) - before

    assert loop.run(one_after_another()) == 3
