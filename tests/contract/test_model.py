"""A sequential model of coupons and claims, run against the live API by hypothesis'
stateful testing: rules for create, claim and get (their error cases included), and the
tables checked against the model after every step. A failure prints the shortest
program of steps that reproduces it."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from harness.blocked import Blocked
from harness.races import bystanders
from harness.races.answers import describe
from harness.races.history import Reason
from harness.races.judge import view_later
from harness.races.steps import create_needed
from harness.races.tables import read_coupon

pytestmark = [pytest.mark.runtime, pytest.mark.slow]

USERS = st.sampled_from(["ana", "ben", "cy", "dee"])


def double_dips(model: dict[str, tuple[int, list[str]]]) -> list[str]:
    """Coupons someone holds that still have stock."""
    return sorted(n for n, (amount, claimants) in model.items() if 0 < len(claimants) < amount)


@pytest.mark.contract("races.model")
@pytest.mark.relies_on("claim.success", "create.created")
def test_api_agrees_with_a_sequential_model(
    api, db, unique_name, claim_statuses, search_budget
) -> None:
    class CouponModel(RuleBasedStateMachine):
        coupons = Bundle("coupons")

        @initialize()
        def start(self) -> None:
            # Past the search's budget a program runs on the model alone: same draws, no
            # requests, nothing judged.
            self.live = search_budget.admit()
            self.model: dict[str, tuple[int, list[str]]] = {}  # name -> (amount, claimants)

        @rule(target=coupons, amount=st.integers(1, 4))
        def create(self, amount: int) -> str:
            name = unique_name("model")
            if self.live:
                create_needed(api, name, amount)
                for beside in bystanders.near_misses(name):  # never claimed: they must stay as made
                    if api.create(beside, bystanders.STOCK).status_code == 201:
                        self.model[beside] = (bystanders.STOCK, [])
            self.model[name] = (amount, [])
            return name

        @rule(name=coupons, amount=st.integers(1, 4))
        def create_again(self, name: str, amount: int) -> None:
            if self.live:
                response = api.create(name, amount)
                assert response.status_code == 409, f"second create: {describe(response)}"

        @rule(name=coupons, user=USERS)
        def claim(self, name: str, user: str) -> None:
            amount, claimants = self.model[name]
            holds, sold_out = user in claimants, len(claimants) == amount
            if self.live:
                judge_claim(name, user, holds, sold_out)
            if not (holds or sold_out):
                claimants.append(user)

        @precondition(lambda self: bool(double_dips(getattr(self, "model", {}))))
        @rule(data=st.data())
        def claim_again(self, data: st.DataObject) -> None:
            """A user who holds a coupon that still has stock claims it again: the contract's
            double dip, where only eligibility can refuse it (sold out, either answer is
            right, so it tells less)."""
            name = data.draw(st.sampled_from(double_dips(self.model)))
            self.claim(name, data.draw(st.sampled_from(self.model[name][1])))

        @rule(user=USERS)
        def claim_unknown(self, user: str) -> None:
            if self.live:
                response = api.claim(user, unique_name("unknown"))
                readings = claim_statuses.reasons(response.status_code)
                assert Reason.NOT_FOUND in readings, (
                    f"claim on an unknown coupon: {describe(response)}"
                )

        @rule(name=coupons)
        def get(self, name: str) -> None:
            if not self.live:
                return
            amount, claimants = self.model[name]
            response = api.get(name)
            body = response.json()
            expected = {"name": name, "amount": amount, "remaining_amount": amount - len(claimants)}
            assert {k: body.get(k) for k in expected} == expected, describe(response)
            assert sorted(body.get("claimed_by") or []) == sorted(claimants), (
                f"the model has {sorted(claimants)}: {describe(response)}"
            )

        @rule(name=consumes(coupons))
        def forget(self, name: str) -> None:
            """Stop using a coupon: keeps the bundle small, the tables still checked."""

        @invariant()
        def tables_agree_with_model(self) -> None:
            if not getattr(self, "live", False):
                return
            for name, (amount, claimants) in getattr(self, "model", {}).items():
                try:
                    state = read_coupon(db, name, view_later(api, name))
                except Blocked as cause:  # judged by the rules' HTTP answers alone
                    blocked.append(cause)
                    return
                assert state is not None, f"{name} missing from coupons"
                assert state.remaining_amount == amount - len(claimants), (
                    f"the model has {amount - len(claimants)} left, the tables: {state}"
                )
                assert sorted(state.claimants) == sorted(claimants), (
                    f"the model has claimers {sorted(claimants)}, the tables: {state}"
                )

    def judge_claim(name: str, user: str, holds: bool, sold_out: bool) -> None:
        response = api.claim(user, name)
        if not (holds or sold_out):
            assert response.status_code in (200, 201), (
                f"{user} on {name} with stock: {describe(response)}"
            )
            return
        # Check order is a SHOULD: a holder of the last unit may hear either answer.
        expected = {Reason.ALREADY_CLAIMED} if holds else set()
        expected |= {Reason.OUT_OF_STOCK} if sold_out else set()
        assert expected & set(claim_statuses.reasons(response.status_code)), (
            f"{user} on {name} ({'holds a unit' if holds else 'holds none'}, "
            f"{'sold out' if sold_out else 'in stock'}): {describe(response)}, which "
            f"is not {' or '.join(r.value for r in expected)} for this implementation"
        )

    blocked: list[Blocked] = []
    run_state_machine_as_test(CouponModel)
    if blocked:
        raise blocked[0].having_held("every answer agreed with the model")
