"""Invariants 1-4 of api-contract.md, checked on one coupon after a concurrent run.

Pure functions of (the coupon's rows, the answers sent, the API's GET view): they return
sentences describing each violation, and an empty list when the invariant holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from .concurrency import Answer
from .tables import CouponState


def stock_matches_claims(state: CouponState, answers: list[Answer], view: Any) -> list[str]:
    """1. remaining_amount = amount - (claims rows), and 0 <= remaining_amount."""
    problems = []
    expected = state.amount - len(state.claimants)
    if state.remaining_amount != expected:
        problems.append(
            f"{state.name}: remaining_amount is {state.remaining_amount} but amount "
            f"{state.amount} - {len(state.claimants)} claims rows = {expected}"
        )
    if state.remaining_amount < 0:
        problems.append(f"{state.name}: remaining_amount is negative ({state.remaining_amount})")
    return problems


def one_claim_per_user(state: CouponState, answers: list[Answer], view: Any) -> list[str]:
    """2. No user holds two claims on one coupon."""
    doubled = {user: n for user, n in Counter(state.claimants).items() if n > 1}
    return [f"{state.name}: user {user!r} holds {n} claims" for user, n in sorted(doubled.items())]


def answers_match_rows(state: CouponState, answers: list[Answer], view: Any) -> list[str]:
    """3. Every 2xx has exactly one claims row; every 4xx added none; unknown may have either."""
    rows = Counter(state.claimants)
    problems = []
    for user in sorted({a.user_id for a in answers} | set(rows)):
        mine = [a for a in answers if a.user_id == user]
        ok = sum(a.succeeded for a in mine)
        unknown = sum(a.status is None or a.status >= 500 for a in mine)
        if not ok <= rows[user] <= ok + unknown:
            problems.append(
                f"{state.name}: user {user!r} got {ok} success answer(s) "
                f"({unknown} unknown) but has {rows[user]} claims row(s); "
                f"statuses {[a.status for a in mine]}"
            )
    return problems


def view_matches_rows(state: CouponState, answers: list[Answer], view: Any) -> list[str]:
    """4. GET's claimed_by is exactly the set of users with a claims row."""
    listed = view.get("claimed_by") if isinstance(view, dict) else None
    if not isinstance(listed, list):
        return [f"{state.name}: GET answered {view!r}, no claimed_by list"]
    problems = []
    if sorted(listed) != sorted(state.claimants):
        missing = sorted(set(state.claimants) - set(listed))
        extra = sorted(set(listed) - set(state.claimants))
        problems.append(
            f"{state.name}: claimed_by disagrees with the claims table "
            f"(missing {missing[:5]}, not in table {extra[:5]}, {len(listed)} listed, "
            f"{len(state.claimants)} rows)"
        )
    for field in ("amount", "remaining_amount"):
        if view.get(field) != getattr(state, field):
            shown, stored = view.get(field), getattr(state, field)
            problems.append(f"{state.name}: GET {field} is {shown!r}, table has {stored}")
    return problems


INVARIANTS: dict[int, Callable[[CouponState, list[Answer], Any], list[str]]] = {
    1: stock_matches_claims,
    2: one_claim_per_user,
    3: answers_match_rows,
    4: view_matches_rows,
}
