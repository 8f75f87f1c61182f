"""Invariants 1-4 judged on hand-built outcomes: a clean run passes, each breach is named."""

from harness.concurrency import Answer
from harness.invariants import INVARIANTS
from harness.tables import CouponState


def answer(user: str, status: int | None) -> Answer:
    return Answer(user, "C", status, {}, None if status else "reset", 0.0, 1.0)


CLEAN_STATE = CouponState("C", amount=2, remaining_amount=0, claimants=("a", "b"))
CLEAN_ANSWERS = [answer("a", 200), answer("b", 201), answer("c", 400), answer("a", 409)]
CLEAN_VIEW = {"name": "C", "amount": 2, "remaining_amount": 0, "claimed_by": ["b", "a"]}


def violations(state=CLEAN_STATE, answers=CLEAN_ANSWERS, view=CLEAN_VIEW) -> dict[int, list[str]]:
    found = {n: check(state, answers, view) for n, check in INVARIANTS.items()}
    return {n: problems for n, problems in found.items() if problems}


def test_clean_run_has_no_violations() -> None:
    assert violations() == {}


def test_oversell_breaks_invariant_1() -> None:
    state = CouponState("C", amount=2, remaining_amount=0, claimants=("a", "b", "c"))
    answers = [*CLEAN_ANSWERS[:2], answer("c", 200)]
    found = violations(state, answers, {**CLEAN_VIEW, "claimed_by": ["a", "b", "c"]})
    assert list(found) == [1] and "2 - 3 claims rows" in found[1][0]


def test_negative_stock_breaks_invariant_1() -> None:
    state = CouponState("C", amount=2, remaining_amount=-1, claimants=("a", "b", "c"))
    assert any("negative" in p for p in violations(state, view=None)[1])


def test_doubled_claim_breaks_invariant_2() -> None:
    state = CouponState("C", amount=3, remaining_amount=1, claimants=("a", "a"))
    found = violations(
        state,
        [answer("a", 200), answer("a", 200)],
        {**CLEAN_VIEW, "amount": 3, "remaining_amount": 1, "claimed_by": ["a", "a"]},
    )
    assert list(found) == [2] and "'a' holds 2 claims" in found[2][0]


def test_success_without_row_breaks_invariant_3() -> None:
    state = CouponState("C", amount=2, remaining_amount=1, claimants=("a",))
    found = violations(
        state,
        [answer("a", 200), answer("b", 200)],
        {**CLEAN_VIEW, "remaining_amount": 1, "claimed_by": ["a"]},
    )
    assert list(found) == [3] and "'b' got 1 success" in found[3][0]


def test_rejection_with_row_breaks_invariant_3() -> None:
    found = violations(answers=[answer("a", 200), answer("b", 400)])
    assert list(found) == [3] and "'b' got 0 success" in found[3][0]


def test_unknown_outcome_may_have_a_row_or_not() -> None:
    assert violations(answers=[answer("a", 200), answer("b", None)]) == {}
    state = CouponState("C", amount=2, remaining_amount=1, claimants=("a",))
    view = {**CLEAN_VIEW, "remaining_amount": 1, "claimed_by": ["a"]}
    assert violations(state, [answer("a", 200), answer("b", None)], view) == {}


def test_view_disagreeing_breaks_invariant_4() -> None:
    found = violations(view={**CLEAN_VIEW, "claimed_by": ["a"]})
    assert list(found) == [4] and "missing ['b']" in found[4][0]
    assert 4 in violations(view={**CLEAN_VIEW, "remaining_amount": 1})
    assert 4 in violations(view={"error": "boom"})
