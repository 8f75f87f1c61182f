"""Concurrent workloads drawn by hypothesis: coupons, stocks, users with repeats, the same
user on several coupons, creates racing their claims, claims on unknown coupons."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .concurrency import Call

UNKNOWN = -1  # a claim on a coupon nobody creates


@dataclass(frozen=True)
class Workload:
    stocks: tuple[int, ...]  # one per coupon
    created_first: tuple[bool, ...]  # False: the create is sent together with the claims
    claims: tuple[tuple[int, int], ...]  # (user, coupon index or UNKNOWN), in sending order
    concurrency: int

    def calls(self, names: list[str], unknown: str) -> list[Call]:
        """Creates that race the claims go first, so each process sends them early."""
        racing = [
            Call.create(name, stock)
            for name, stock, first in zip(names, self.stocks, self.created_first, strict=True)
            if not first
        ]
        claims = [
            Call.claim(f"user_{user}", unknown if coupon == UNKNOWN else names[coupon])
            for user, coupon in self.claims
        ]
        return racing + claims


@st.composite
def workloads(draw: st.DrawFn, max_concurrency: int = 64) -> Workload:
    coupons = draw(st.integers(1, 3))
    stocks = tuple(draw(st.lists(st.integers(1, 8), min_size=coupons, max_size=coupons)))
    created_first = tuple(draw(st.lists(st.booleans(), min_size=coupons, max_size=coupons)))
    users = draw(st.integers(1, 16))
    coupon_choice = st.one_of(st.integers(0, coupons - 1), st.just(UNKNOWN))
    claims = draw(
        st.lists(st.tuples(st.integers(0, users - 1), coupon_choice), min_size=1, max_size=80)
    )
    concurrency = draw(st.integers(1, max_concurrency))
    return Workload(stocks, created_first, tuple(claims), concurrency)


@st.composite
def returning_users(draw: st.DrawFn) -> Workload:
    """One coupon that sells out, and every user claiming it twice in a drawn order, on few
    processes: winners come back after the sell-out, where the order of checks shows."""
    stock = draw(st.integers(1, 3))
    users = draw(st.integers(stock + 1, stock + 3))
    order = draw(st.permutations([user for user in range(users) for _ in range(2)]))
    return Workload((stock,), (True,), tuple((user, 0) for user in order), draw(st.integers(1, 3)))
