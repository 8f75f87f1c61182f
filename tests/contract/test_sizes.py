"""Invariant 10: every rule at every size the types allow. A coupon of thousands of
claimers (--big-coupon, 2,000 by default; every scenario stops at 500 claims and 50
claimers), each claim judged and every claimer listed by GET, in commit order where the
implementation keeps it; names and user ids of exactly 255 characters of two and four
bytes each, through create, claim, GET and the tables."""

from __future__ import annotations

import pytest

from harness.blocked import Blocked
from harness.races.answers import describe
from harness.races.claims_run import ClaimsRun, claims_at_once, create_coupons
from harness.races.concurrency import Call
from harness.races.judge import view_later
from harness.races.tables import read_coupon

pytestmark = [pytest.mark.runtime, pytest.mark.slow]

BUYERS_AT_ONCE = 50


@pytest.fixture(scope="module")
def big_sale(api, stack, unique_name, claim_statuses, pytestconfig) -> ClaimsRun:
    """Every one of --big-coupon users claims a coupon of that stock, 50 at a time."""
    claimers = pytestconfig.getoption("big_coupon")
    coupon = unique_name("big")
    creates = create_coupons(api, {coupon: claimers})
    calls = [Call.claim(f"buyer-{i:05d}", coupon) for i in range(claimers)]
    return claims_at_once(
        api, stack.dsn, claim_statuses, [coupon], calls, creates=creates, concurrency=BUYERS_AT_ONCE
    )


@pytest.mark.contract("invariant.10")
@pytest.mark.relies_on("claim.success", "create.created", "invariant.9")
def test_a_coupon_of_thousands_of_claimers_is_judged_whole(big_sale: ClaimsRun, api) -> None:
    coupon, claimers = big_sale.coupons[0], len(big_sale.calls)
    judgement = big_sale.judge()
    won = sum(reply.succeeded for reply in big_sale.replies)
    response = api.get(coupon)
    listed = response.json().get("claimed_by") if response.status_code == 200 else None
    summary = (
        f"{claimers} users on a stock of {claimers}: {won} successes; GET lists "
        f"{len(listed) if isinstance(listed, list) else listed!r} claimers"
    )
    broken = judgement.broken()
    assert not broken, f"{summary}: " + "; ".join(str(v) for v in broken[:3])
    if beside := judgement.apart():
        raise beside.having_held(f"{summary}; the big coupon held")
    assert won == claimers, summary
    assert isinstance(listed, list) and sorted(listed) == sorted(
        call.body["user_id"] for call in big_sale.calls
    ), f"{summary}; {describe(response)}"
    if judgement.blocked:
        raise judgement.blocked.having_held("what HTTP showed held")


@pytest.mark.contract("get.prefer-commit-order")
@pytest.mark.relies_on("create.created", "claim.success")
def test_a_big_coupon_lists_its_claimers_in_commit_order(big_sale: ClaimsRun, api, db) -> None:
    coupon = big_sale.coupons[0]
    response = api.get(coupon)
    state = read_coupon(db, coupon)  # a schema of its own: no commit order to compare with
    assert state is not None, f"{coupon} is not in coupons"
    listed = response.json().get("claimed_by")
    assert listed == list(state.claimants), (
        f"GET lists {len(listed or [])} claimers, not in the claims table's id order: "
        f"first {listed[:3] if listed else listed}, the table's {list(state.claimants[:3])}"
    )


@pytest.mark.contract("invariant.10")
@pytest.mark.parametrize("char", ["é", "🎟"], ids=["two-bytes", "four-bytes"])
def test_names_and_user_ids_of_255_characters_round_trip(api, db, unique_name, char) -> None:
    """255 characters, not bytes: VARCHAR(255) counts characters, so a name or id of 255 é
    (510 bytes) or 255 🎟 (1,020 bytes) is valid, and must come back unchanged."""
    name, user = unique_name("n").ljust(255, char), unique_name("u").ljust(255, char)
    created = api.create(name, 2)
    assert created.status_code == 201, f"a name of 255 {char!r}: {describe(created)}"
    claimed = api.claim(user, name)
    assert claimed.status_code in (200, 201), f"a user id of 255 {char!r}: {describe(claimed)}"
    response = api.get(name)
    assert response.status_code == 200, describe(response)
    body = response.json()
    assert (body.get("name"), body.get("claimed_by")) == (name, [user]), describe(response)
    try:
        state = read_coupon(db, name, view_later(api, name))
    except Blocked as unread:
        raise unread.having_held("create, claim and GET kept both whole") from None
    assert state is not None and state.claimants == (user,), f"the tables hold {state}"
