"""The stress scenarios of api-contract.md, over real concurrent HTTP, and invariants 1-4
checked in the database after each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from harness.concurrency import Answer, claim_at_once
from harness.invariants import INVARIANTS
from harness.tables import CouponState, read_coupon

pytestmark = [pytest.mark.runtime, pytest.mark.slow]


@dataclass(frozen=True)
class Scenario:
    requests: int
    stock: int
    one_user: bool = False

    @property
    def successes(self) -> int:
        return 1 if self.one_user else min(self.stock, self.requests)


SCENARIOS = {
    "flash-sale": Scenario(requests=50, stock=5),
    "double-dip": Scenario(requests=10, stock=100, one_user=True),
    "scale-100": Scenario(requests=100, stock=10),
    "scale-200": Scenario(requests=200, stock=20),
    "scale-500": Scenario(requests=500, stock=50),
}


@dataclass(frozen=True)
class Run:
    answers: list[Answer]
    state: CouponState
    view: Any


@pytest.fixture(scope="session")
def run_scenario(api, db, unique_name):
    """Each scenario runs once per session; its outcome is judged by several tests."""
    runs: dict[str, Run] = {}

    def run(name: str) -> Run:
        if name not in runs:
            scenario, coupon = SCENARIOS[name], unique_name(name)
            assert api.create(coupon, scenario.stock).status_code == 201
            users = [
                "same-user" if scenario.one_user else f"user_{i:03d}"
                for i in range(scenario.requests)
            ]
            answers = claim_at_once(api.base_url, [(user, coupon) for user in users])
            runs[name] = Run(answers, read_coupon(db, coupon), api.get(coupon).json())
        return runs[name]

    return run


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.contract(f"stress.{n}")) for n in SCENARIOS]
)
def test_scenario_outcome(run_scenario, name: str) -> None:
    scenario, run = SCENARIOS[name], run_scenario(name)
    statuses = sorted(a.status for a in run.answers if a.status is not None)
    lost = [a.error for a in run.answers if a.status is None]
    successes = sum(a.succeeded for a in run.answers)
    summary = (
        f"{name}: {successes} successes, statuses {_histogram(statuses)}, "
        f"{len(lost)} transport errors"
    )
    assert not lost, f"{summary}; first: {lost[0]}"
    assert successes == scenario.successes, (
        f"{summary}; expected exactly {scenario.successes} successes"
    )
    # Already claimed is 409 or 400, out of stock 400..409: either way 400..409.
    wrong = [a.status for a in run.answers if not a.succeeded and not 400 <= a.status <= 409]
    assert not wrong, f"{summary}; rejections must be 400..409"
    if not scenario.one_user:
        assert run.state.remaining_amount == 0, (
            f"{summary}; remaining_amount {run.state.remaining_amount}"
        )


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize(
    "invariant", [pytest.param(i, marks=pytest.mark.contract(f"invariant.{i}")) for i in INVARIANTS]
)
def test_invariant_holds(run_scenario, name: str, invariant: int) -> None:
    run = run_scenario(name)
    problems = INVARIANTS[invariant](run.state, run.answers, run.view)
    assert not problems, f"invariant {invariant} after {name}: " + "; ".join(problems[:5])


def _histogram(statuses: list[int]) -> dict[int, int]:
    return {status: statuses.count(status) for status in sorted(set(statuses))}
