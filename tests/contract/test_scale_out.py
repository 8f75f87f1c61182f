"""Invariant 8: every rule holds when the API runs as several instances on one database
(--instances, default 2). The stress scenarios and races already spread their requests
over the instances; this check aims at what a lock, a cache or a set in one process's
memory gets wrong: a flash sale and double dippers whose requests alternate instances.

Instances are started together; one that does not come up while another does is this
check's failure alone (the rest of the suite runs on those that came up), and it is not
retried one at a time: replicas of a real deployment start together too."""

from __future__ import annotations

import pytest

from harness.races.claims_run import claims_at_once, create_coupons
from harness.races.concurrency import Call

pytestmark = [pytest.mark.runtime, pytest.mark.slow]

USERS, STOCK, DIPPERS, DIPS = 120, 12, 8, 6


@pytest.mark.contract("scale.instances")
@pytest.mark.relies_on("claim.success", "create.created", "invariant.9")
def test_invariants_hold_across_instances(stack, api, unique_name, claim_statuses) -> None:
    if stack.unstarted is not None:  # the other checks ran on the instances that came up
        pytest.fail(f"{stack.unstarted.reason}\n{stack.unstarted.detail}", pytrace=False)
    if len(stack.api_urls) < 2:
        pytest.skip("one instance of the API (--instances 1): nothing to scale out")
    sale, dips = unique_name("scale-sale"), unique_name("scale-dips")
    creates = create_coupons(api, {sale: STOCK, dips: DIPPERS * DIPS})
    # Process p talks to instance p modulo their number: neighbours are on different
    # instances, and so are each dipper's tries, which stand next to each other.
    calls = [Call.claim(f"buyer_{i:03d}", sale) for i in range(USERS)] + [
        Call.claim(f"dipper_{i}", dips) for i in range(DIPPERS) for _ in range(DIPS)
    ]
    run = claims_at_once(
        api, stack.dsn, claim_statuses, [sale, dips], calls, creates=creates, urls=stack.api_urls
    )
    replies, judgement = run.replies, run.judge()
    won = {
        name: sum(
            r.succeeded
            for c, r in zip(calls, replies, strict=True)
            if c.body["coupon_name"] == name
        )
        for name in (sale, dips)
    }
    summary = (
        f"{len(stack.api_urls)} instances: {won[sale]} of {USERS} buyers won a stock of {STOCK}, "
        f"{won[dips]} claims of {DIPPERS} users trying {DIPS} times each succeeded"
    )
    statuses = {r.status or 0 for r in replies if not r.succeeded}  # 0: no answer
    odd = sorted(status for status in statuses if not 400 <= status <= 409)
    assert not odd, f"{summary}; answers other than a success or a 400..409 rejection: {odd}"
    assert won == {sale: STOCK, dips: DIPPERS}, summary
    broken = judgement.broken()
    assert not broken, f"{summary}: " + "; ".join(str(v) for v in broken[:3])
    if beside := judgement.apart():
        raise beside.having_held(f"{summary}; invariants 1-6 held")
    if judgement.blocked:
        raise judgement.blocked.having_held("what HTTP showed held")
