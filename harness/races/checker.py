"""The checker: a pure function from a history and the final state of the tables to the
violations they prove, each naming the invariant of api-contract.md it breaks and the
operations that show it, so it can be tested on hand-written histories."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .history import CouponState, Operation, Reason


@dataclass(frozen=True)
class Violation:
    rule: str  # "invariant.N" or another criterion id
    message: str
    operations: tuple[Operation, ...] = ()
    preferred: bool = False  # a SHOULD rule: reported, never failing

    def __str__(self) -> str:
        shown = "; ".join(str(op) for op in self.operations[:4])
        more = f" (+{len(self.operations) - 4} more)" if len(self.operations) > 4 else ""
        return f"[{self.rule}] {self.message}" + (f" -- {shown}{more}" if shown else "")


@dataclass
class _Coupon:
    claims: list[Operation] = field(default_factory=list)
    creates: list[Operation] = field(default_factory=list)


def _could_have_claimed(op: Operation) -> bool:
    return op.f == "claim" and op.type in ("ok", "info")


def check(
    history: Iterable[Operation],
    states: dict[str, CouponState | None],
    views: dict[str, Any],
) -> list[Violation]:
    """Every violation of invariants 1-7 and 9 (and of the preferred check order) the
    history and the final state prove. Coupons absent from `states` were not read, and are
    not judged; a coupon read and not found (None) is gone."""
    coupons: dict[str, _Coupon] = defaultdict(_Coupon)
    for op in history:
        (coupons[op.coupon].claims if op.f == "claim" else coupons[op.coupon].creates).append(op)
    claims = [op for ops in coupons.values() for op in ops.claims]
    violations = _lost(coupons, states)
    for name, ops in coupons.items():
        if name not in states:
            continue
        state = states[name]
        by_user = _by_user(ops.claims)
        violations += _rejections(name, state, ops, by_user)
        if state is None:
            continue
        if not ops.claims:  # named by its create alone: a bystander, or a coupon left alone
            violations += _untouched(state, ops.creates, claims)
            continue
        violations += _stock(state, ops.claims)
        violations += _doubles(state)
        violations += _answers_match_rows(state, by_user)
        violations += _view(state, views.get(name))
        violations += _eligibility_before_stock(ops.claims, by_user)
    return violations


# The rule each reading of a rejection answers to, in the order a wrong answer is blamed on
# when none of its readings holds.
_RULES = {
    Reason.OUT_OF_STOCK: "invariant.5",
    Reason.ALREADY_CLAIMED: "invariant.6",
    Reason.NOT_FOUND: "claim.unknown",
}


def _rejections(
    name: str, state: CouponState | None, ops: _Coupon, by_user: dict[str, list[Operation]]
) -> list[Violation]:
    """A rejection is wrong only when none of its readings can be right:
    - not found: no create of the coupon had completed ok before the claim was sent;
    - out of stock (invariant 5, no lost sales): `amount` claims that may have succeeded
      had been sent before the answer arrived, `amount` being what the coupon's create was
      acknowledged for where the history holds it (a sale promised 5 whatever the tables,
      or GET, came to say), else what the final state says;
    - already claimed (invariant 6): a claim by the same user that may have succeeded had
      been sent before the answer arrived."""
    first_created = min((c.completed for c in ops.creates if c.type == "ok"), default=None)
    promised = {c.amount for c in ops.creates if c.type == "ok"}
    stock = promised.pop() if len(promised) == 1 else (state.amount if state else 0)
    # Sorted once, so "how many were sent before" is a binary search: a load run judges
    # tens of thousands of rejections against tens of thousands of claims.
    sent = sorted(op.invoked for op in ops.claims if _could_have_claimed(op))

    def holds(reading: Reason, op: Operation) -> bool:
        if reading == Reason.NOT_FOUND:
            return first_created is None or op.invoked <= first_created
        if state is None:  # never created: only "not found" can be judged
            return True
        if reading == Reason.OUT_OF_STOCK:
            return bisect.bisect_left(sent, op.completed) >= stock
        return bool(_earlier_claim_by_user(by_user, op))

    wrong: dict[str, list[Operation]] = defaultdict(list)
    for op in ops.claims:
        readings = [reason for reason in _RULES if op.may_mean(reason)]
        if readings and not any(holds(reading, op) for reading in readings):
            wrong[_RULES[readings[0]]].append(op)
    sold = len(state.claimants) if state else 0
    lost = wrong.get("invariant.5", ())
    messages = {
        "invariant.5": f"{name}: {len(lost)} 'out of stock' answer(s) before {stock} claims "
        f"that could have succeeded had been sent ({sold} sold)",
        "invariant.6": f"{name}: 'already claimed' with no earlier claim by that user",
        "claim.unknown": f"{name}: 'not found' after it was created",
    }
    return [Violation(rule, messages[rule], tuple(found)) for rule, found in wrong.items()]


def _acknowledged(ops: _Coupon) -> list[Operation]:
    return [op for op in (*ops.creates, *ops.claims) if op.type == "ok"]


def _lost(coupons: dict[str, _Coupon], states: dict[str, CouponState | None]) -> list[Violation]:
    """Invariant 7: a coupon whose create or claims were acknowledged, gone from the tables
    (and from GET); where every such coupon of the run is gone, the table was emptied."""
    kept = [name for name, ops in coupons.items() if states.get(name) and _acknowledged(ops)]
    gone = [name for name, ops in coupons.items() if name in states and not states[name]]
    gone = [name for name in gone if _acknowledged(coupons[name])]
    emptied = "" if kept or len(gone) < 2 else f" (as is every coupon of the run: {len(gone)})"
    violations = []
    for name in gone:
        acknowledged = _acknowledged(coupons[name])
        claims = sum(op.f == "claim" for op in acknowledged)
        violations.append(
            Violation(
                "invariant.7",
                f"{name}: gone from the tables after {len(acknowledged) - claims} acknowledged "
                f"create(s) and {claims} acknowledged claim(s), all lost{emptied}",
                tuple(acknowledged),
            )
        )
    return violations


def _untouched(
    state: CouponState, creates: list[Operation], claims: list[Operation]
) -> list[Violation]:
    """Invariant 9: a coupon no request named after its create holds exactly what its
    create gave it; else a request on another coupon (the run's claims) changed it."""
    promised = {op.amount for op in creates if op.type == "ok"}
    if len(promised) != 1:
        return []
    amount = promised.pop()
    if (state.amount, state.remaining_amount, state.claimants) == (amount, amount, ()):
        return []
    others = sorted({op.coupon for op in claims})
    return [
        Violation(
            "invariant.9",
            # quoted: the name may differ from a claimed one only by a blank
            f"{state.name!r}: no request named it after its create (amount {amount}), yet the "
            f"tables hold amount {state.amount}, remaining_amount {state.remaining_amount}, "
            f"claims by {list(state.claimants)[:5]}: changed by a claim on "
            f"{', '.join(map(repr, others[:3]))}{' ...' if len(others) > 3 else ''}",
            tuple(sorted(claims, key=lambda op: op.type != "ok")),  # acknowledged first
        )
    ]


def _stock(state: CouponState, claims: list[Operation]) -> list[Violation]:
    rows = len(state.claimants)
    violations = []
    if state.remaining_amount != state.amount - rows:
        violations.append(
            Violation(
                "invariant.1",
                f"{state.name}: remaining_amount {state.remaining_amount} != amount "
                f"{state.amount} - {rows} claims",
            )
        )
    if state.remaining_amount < 0 or rows > state.amount:
        # the claims acknowledged: together more than the stock
        acknowledged = tuple(op for op in claims if op.type == "ok")
        violations.append(
            Violation(
                "invariant.1",
                f"{state.name}: oversold, {rows} claims on a stock of {state.amount}",
                acknowledged,
            )
        )
    return violations


def _doubles(state: CouponState) -> list[Violation]:
    doubled = sorted(user for user, n in Counter(state.claimants).items() if n > 1)
    return [
        Violation("invariant.2", f"{state.name}: {user!r} holds two claims") for user in doubled
    ]


def _answers_match_rows(state: CouponState, by_user: dict[str, list[Operation]]) -> list[Violation]:
    rows = Counter(state.claimants)
    violations = []
    for user in sorted(set(by_user) | set(rows)):
        mine = by_user.get(user, [])
        ok = sum(op.type == "ok" for op in mine)
        unknown = sum(op.type == "info" for op in mine)
        if not ok <= rows[user] <= ok + unknown:
            violations.append(
                Violation(
                    "invariant.3",
                    f"{state.name}: {user!r} got {ok} ok answer(s), {unknown} unknown, "
                    f"but has {rows[user]} claims row(s)",
                    tuple(mine),
                )
            )
    return violations


def _view(state: CouponState, view: Any) -> list[Violation]:
    listed = view.get("claimed_by", ()) if isinstance(view, dict) else ()
    if listed is None:  # `null` for nobody is get.shape's one failure; here it is no one
        listed = []
    if not isinstance(listed, list):
        return [Violation("invariant.4", f"{state.name}: GET answered {view!r}")]
    if (
        sorted(listed) != sorted(state.claimants)
        or view.get("remaining_amount") != state.remaining_amount
    ):
        return [
            Violation(
                "invariant.4",
                f"{state.name}: GET says remaining {view.get('remaining_amount')}, "
                f"{len(listed)} claimants; the tables say {state.remaining_amount}, "
                f"{len(state.claimants)}",
            )
        ]
    return []


def _by_user(claims: list[Operation]) -> dict[str, list[Operation]]:
    """Each user's claims: the per-user rules look there, not through a whole load run."""
    grouped: dict[str, list[Operation]] = defaultdict(list)
    for op in claims:
        grouped[op.user].append(op)
    return grouped


def _earlier_claim_by_user(by_user: dict[str, list[Operation]], op: Operation) -> list[Operation]:
    return [
        other
        for other in by_user[op.user]
        if other is not op and _could_have_claimed(other) and other.invoked < op.completed
    ]


def _eligibility_before_stock(
    claims: list[Operation], by_user: dict[str, list[Operation]]
) -> list[Violation]:
    """SHOULD: a user whose claim had succeeded is told 'already claimed', not 'out of stock'."""
    wrong = [
        op
        for op in claims
        if op.reasons == (Reason.OUT_OF_STOCK,)
        and any(other.type == "ok" and other.completed < op.invoked for other in by_user[op.user])
    ]
    if not wrong:
        return []
    return [
        Violation(
            "claim.order",
            "'out of stock' to a user who already holds a claim: stock checked before eligibility",
            tuple(wrong),
            preferred=True,
        )
    ]
