"""How a batch of claims is decided: as if its claims ran one after another, in arrival
order, on the stock and claims read while every coupon of the batch is locked.

store.BATCH_SQL decides in SQL; `decide` says the same in Python, and is what the tests
hold that statement to (tests/reference/test_batch_statement.py)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence


class ClaimOutcome(enum.Enum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    OUT_OF_STOCK = "out_of_stock"
    NOT_FOUND = "not_found"


ClaimKey = tuple[str, str]  # (user_id, coupon_name)


def decide(
    claims: Sequence[ClaimKey],
    stock: Mapping[str, int],
    held: Iterable[ClaimKey],
) -> list[ClaimOutcome]:
    """`stock`: remaining_amount of each coupon that exists; `held`: the claims already
    stored. Eligibility is decided before stock, as the contract prefers."""
    left, held = dict(stock), set(held)
    outcomes = []
    for user, coupon in claims:
        if coupon not in left:
            outcomes.append(ClaimOutcome.NOT_FOUND)
        elif (user, coupon) in held:
            outcomes.append(ClaimOutcome.ALREADY_CLAIMED)
        elif left[coupon] <= 0:
            outcomes.append(ClaimOutcome.OUT_OF_STOCK)
        else:
            left[coupon] -= 1
            held.add((user, coupon))
            outcomes.append(ClaimOutcome.CLAIMED)
    return outcomes
