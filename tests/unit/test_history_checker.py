"""The history checker on hand-written histories: a valid one passes, and each broken one
is reported under the invariant it breaks, with the operations that prove it."""

from __future__ import annotations

import pytest

from harness.races.checker import check
from harness.races.history import CouponState, Operation, Reason
from harness.races.statuses import StatusMap, classify_claim

STATUSES = StatusMap(already_claimed=409, out_of_stock=400, not_found=404)


# Two rejections answered with one status: the answer may mean either.
SHARED_409 = (Reason.ALREADY_CLAIMED, Reason.OUT_OF_STOCK)


def claim(
    user: str,
    kind: str,
    reason: Reason | tuple[Reason, ...] | None = None,
    at: float = 0.0,
    took: float = 1.0,
    coupon: str = "C",
    process: int = 0,
) -> Operation:
    reasons = reason if isinstance(reason, tuple) else (reason,) if reason else ()
    status = {"ok": 200, "info": None}.get(
        kind,
        {
            (Reason.ALREADY_CLAIMED,): 409,
            (Reason.OUT_OF_STOCK,): 400,
            (Reason.NOT_FOUND,): 404,
        }.get(reasons, 409),
    )
    return Operation(
        process=process,
        f="claim",
        coupon=coupon,
        user=user,
        type=kind,
        reasons=reasons,
        status=status,
        invoked=at,
        completed=at + took,
    )


def create(amount: int, kind: str = "ok", at: float = 0.0, coupon: str = "C") -> Operation:
    return Operation(
        process=0,
        f="create",
        coupon=coupon,
        amount=amount,
        type=kind,
        status=201,
        invoked=at,
        completed=at + 0.5,
    )


def state(amount: int, remaining: int, *claimants: str) -> CouponState:
    return CouponState("C", amount, remaining, claimants)


def view_of(s: CouponState) -> dict:
    return {
        "name": s.name,
        "amount": s.amount,
        "remaining_amount": s.remaining_amount,
        "claimed_by": list(s.claimants),
    }


def rules(history, final: CouponState | None, view: dict | None = None) -> dict[str, list]:
    views = {"C": view if view is not None else (view_of(final) if final else None)}
    found: dict[str, list] = {}
    for violation in check(history, {"C": final}, views):
        found.setdefault(violation.rule, []).append(violation)
    return found


# A flash sale of stock 2: a and b win, c is told "out of stock", a's second try "already".
VALID = [
    claim("a", "ok", at=0.0),
    claim("b", "ok", at=0.1),
    claim("c", "fail", Reason.OUT_OF_STOCK, at=0.2),
    claim("a", "fail", Reason.ALREADY_CLAIMED, at=0.3),
]
SOLD = state(2, 0, "a", "b")


def test_valid_history_has_no_violations() -> None:
    assert rules(VALID, SOLD) == {}


def test_oversell_is_invariant_1() -> None:
    history = [*VALID[:2], claim("c", "ok", at=0.2)]
    found = rules(history, state(2, 0, "a", "b", "c"))
    assert "invariant.1" in found and "oversold, 3 claims on a stock of 2" in str(
        found["invariant.1"]
    )


def test_remaining_drift_is_invariant_1() -> None:
    assert "invariant.1" in rules(VALID, state(2, 1, "a", "b"), view_of(state(2, 1, "a", "b")))


def test_two_claims_of_one_user_is_invariant_2() -> None:
    history = [claim("a", "ok"), claim("a", "ok", process=1)]
    found = rules(history, state(3, 1, "a", "a"))
    assert list(found) == ["invariant.2"]


def test_ok_without_row_is_invariant_3_with_its_operations() -> None:
    found = rules(VALID, state(2, 1, "a"))
    [violation] = found["invariant.3"]
    assert "'b' got 1 ok answer(s)" in violation.message and violation.operations == (VALID[1],)


def test_rejection_with_row_is_invariant_3() -> None:
    history = [claim("a", "ok"), claim("b", "fail", Reason.OUT_OF_STOCK, at=0.5)]
    assert "invariant.3" in rules(history, state(2, 0, "a", "b"))


def test_unknown_outcome_may_go_either_way() -> None:
    history = [claim("a", "ok"), claim("b", "info")]
    assert rules(history, state(2, 1, "a")) == {}
    assert rules(history, state(2, 0, "a", "b")) == {}


def test_view_disagreeing_is_invariant_4() -> None:
    found = rules(VALID, SOLD, {**view_of(SOLD), "claimed_by": ["a"]})
    assert list(found) == ["invariant.4"]
    assert list(rules(VALID, SOLD, {"error": "boom"})) == ["invariant.4"]


def test_out_of_stock_before_stock_was_sold_is_invariant_5() -> None:
    # Under-selling: a lock time-out turned into "out of stock" while a unit was left.
    history = [claim("a", "ok"), claim("b", "fail", Reason.OUT_OF_STOCK, at=0.1)]
    [violation] = rules(history, state(2, 1, "a"))["invariant.5"]
    assert violation.operations == (history[1],)


def test_out_of_stock_is_valid_once_enough_claims_were_sent() -> None:
    # b's claim was sent before c's rejection arrived, though it completed after it.
    history = [
        claim("a", "ok", at=0.0),
        claim("b", "ok", at=0.1, took=5.0),
        claim("c", "fail", Reason.OUT_OF_STOCK, at=0.2, took=0.1),
    ]
    assert rules(history, SOLD) == {}


def test_lost_sales_are_proven_by_the_acknowledged_create_whatever_the_state_says() -> None:
    """A create acknowledged for 5, then 'out of stock' to everyone: lost sales, though the
    final state (GET's, where the tables cannot be read) says the coupon has no stock at
    all; judged by the state alone, it held."""
    refused = [claim(f"u{i}", "fail", Reason.OUT_OF_STOCK, at=1.0 + i) for i in range(50)]
    stockless = state(0, 0)
    assert rules(refused, stockless) == {}
    [violation] = rules([create(5), *refused], stockless)["invariant.5"]
    assert len(violation.operations) == 50 and "before 5 claims" in violation.message


def test_already_claimed_without_any_claim_is_invariant_6() -> None:
    history = [claim("a", "fail", Reason.ALREADY_CLAIMED)]
    assert list(rules(history, state(2, 2))) == ["invariant.6"]


def test_already_claimed_after_an_unknown_claim_is_valid() -> None:
    history = [claim("a", "info"), claim("a", "fail", Reason.ALREADY_CLAIMED, at=0.5)]
    assert rules(history, state(2, 1, "a")) == {}


def test_ambiguous_rejection_is_valid_if_either_reading_is() -> None:
    # 409 for both rejections: "a" again after its success may be either; "c" early is neither.
    history = [claim("a", "ok"), claim("a", "fail", SHARED_409, at=0.5)]
    assert rules(history, state(2, 1, "a")) == {}
    history.append(claim("c", "fail", SHARED_409, at=0.6))
    assert list(rules(history, state(2, 1, "a"))) == ["invariant.5"]


def test_shared_not_found_status_before_the_create_is_valid() -> None:
    # 400 for both "not found" and "already claimed": a claim that raced its coupon's create
    # and lost is "not found", not an "out of stock" or a wrong "already claimed".
    shared_400 = (Reason.ALREADY_CLAIMED, Reason.NOT_FOUND)
    history = [create(2, at=1.0), claim("a", "fail", shared_400, at=0.5, took=0.2)]
    assert rules(history, state(2, 2)) == {}
    history.append(claim("b", "fail", shared_400, at=2.0))  # after the create, no claim by b
    assert list(rules(history, state(2, 2))) == ["invariant.6"]


def test_stock_before_eligibility_is_a_preferred_rule() -> None:
    history = [
        claim("a", "ok"),
        claim("b", "ok", at=1.5),
        claim("a", "fail", Reason.OUT_OF_STOCK, at=3),
    ]
    [violation] = rules(history, state(2, 0, "a", "b"))["claim.order"]
    assert violation.preferred


def test_not_found_after_create_is_reported() -> None:
    history = [create(2), claim("a", "fail", Reason.NOT_FOUND, at=1.0)]
    assert list(rules(history, state(2, 2))) == ["claim.unknown"]
    racing = [create(2, at=1.0), claim("a", "fail", Reason.NOT_FOUND, at=0.9)]
    assert rules(racing, state(2, 2)) == {}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, ("ok", ())),
        (201, ("ok", ())),
        (None, ("info", ())),
        (503, ("info", ())),
        (409, ("fail", (Reason.ALREADY_CLAIMED,))),
        (400, ("fail", (Reason.OUT_OF_STOCK,))),
        (404, ("fail", (Reason.NOT_FOUND,))),
        (422, ("fail", (Reason.INVALID,))),
    ],
)
def test_claims_are_classified_by_the_learned_statuses(status, expected) -> None:
    assert classify_claim(status, STATUSES) == expected


def test_shared_status_is_ambiguous() -> None:
    shared = StatusMap(already_claimed=409, out_of_stock=409, not_found=404)
    assert classify_claim(409, shared) == ("fail", SHARED_409)


def judged(history, states: dict[str, CouponState | None]) -> dict[str, list]:
    """`check` over several coupons, each viewed as its state says."""
    views = {name: view_of(s) if s else None for name, s in states.items()}
    found: dict[str, list] = {}
    for violation in check(history, states, views):
        found.setdefault(violation.rule, []).append(violation)
    return found


BESIDE = "C_x"  # a bystander: a near miss of the claimed coupon's name, created, never claimed
SALE = [create(2), create(3, coupon=BESIDE), *VALID]


def test_a_bystander_left_as_created_is_no_violation() -> None:
    assert judged(SALE, {"C": SOLD, BESIDE: CouponState(BESIDE, 3, 3, ())}) == {}


@pytest.mark.parametrize(
    "changed",
    [
        CouponState(BESIDE, 3, 2, ()),
        CouponState(BESIDE, 3, 3, ("a",)),
        CouponState(BESIDE, 9, 9, ()),
    ],
    ids=["decremented", "a claim written under it", "amount overwritten"],
)
def test_a_bystander_changed_is_invariant_9_alone(changed: CouponState) -> None:
    """A claim on C changed the coupon beside it: invariant 9 names the bystander and the
    claims that could have done it; its own row is judged by that rule alone (not also as an
    invariant 1 drift or an invariant 3 row without an answer)."""
    found = judged(SALE, {"C": SOLD, BESIDE: changed})
    assert list(found) == ["invariant.9"], found
    [violation] = found["invariant.9"]
    assert violation.message.startswith(f"{BESIDE!r}: ") and "'C'" in violation.message
    assert {op.user for op in violation.operations} == {"a", "b", "c"}


def test_a_coupon_gone_after_acknowledged_writes_is_invariant_7() -> None:
    found = judged(SALE, {"C": None, BESIDE: CouponState(BESIDE, 3, 3, ())})
    [violation] = found["invariant.7"]
    assert "1 acknowledged create(s) and 2 acknowledged claim(s), all lost" in violation.message
    assert [op.f for op in violation.operations] == ["create", "claim", "claim"]
    assert "every coupon of the run" not in violation.message


def test_every_coupon_gone_says_the_table_was_emptied() -> None:
    found = judged(SALE, {"C": None, BESIDE: None})
    assert len(found["invariant.7"]) == 2
    assert all("as is every coupon of the run: 2" in v.message for v in found["invariant.7"])


def test_a_coupon_not_read_is_not_judged() -> None:
    assert judged(SALE, {"C": SOLD}) == {}
