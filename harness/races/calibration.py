"""The status calibration: how an implementation answers each claim rejection, learned by
asking it once over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from .client import ApiClient
from .statuses import StatusMap
from .steps import claim_needed, create_needed


def learn_claim_statuses(api: ApiClient, unique_name: Callable[[str], str]) -> StatusMap:
    """ "Already claimed" is asked while stock remains, so an implementation that checks
    stock first still shows its real answer. The create and the first claim are steps
    other rows judge: where one fails, every check that reads statuses is BLOCKED. The
    second claim's answer is not judged here: a refused claim that still took stock (an
    invariant's finding) leaves none for it, and "out of stock" is learned all the same."""
    coupon = unique_name("calibration")
    create_needed(api, coupon, 2)
    claim_needed(api, "first", coupon)
    already_claimed = api.claim("first", coupon).status_code
    api.claim("second", coupon)
    return StatusMap(
        already_claimed=already_claimed,
        out_of_stock=api.claim("third", coupon).status_code,
        not_found=api.claim("first", unique_name("absent")).status_code,
    )
