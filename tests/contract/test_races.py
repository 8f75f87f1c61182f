"""Races searched for, not written down: hypothesis draws concurrent workloads, runs them
over real HTTP, and the history checker judges every answer against invariants 1-6.
A failure shrinks to a small workload and prints it, with a blob to replay it exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, note

from harness.blocked import Blocked
from harness.races.claims_run import claims_at_once, create_coupons
from harness.races.judge import Judgement
from harness.races.workload import Workload, returning_users, workloads

pytestmark = [pytest.mark.runtime, pytest.mark.slow]


@pytest.fixture(scope="session")
def run_workload(api, stack, unique_name, claim_statuses):
    def run(workload: Workload) -> Judgement:
        names = [unique_name("race") for _ in workload.stocks]
        unknown = unique_name("never-created")
        stocks = zip(names, workload.stocks, workload.created_first, strict=True)
        creates = create_coupons(api, {name: stock for name, stock, first in stocks if first})
        calls = workload.calls(names, unknown)
        judgement = claims_at_once(
            api,
            stack.dsn,
            claim_statuses,
            [*names, unknown],
            calls,
            creates=creates,
            concurrency=workload.concurrency,
        ).judge()
        for violation in judgement.violations:
            note(str(violation))
        return judgement

    return run


@pytest.mark.contract("races.workloads")
@pytest.mark.relies_on("claim.success", "create.created", "invariant.9")
def test_concurrent_workloads_keep_the_invariants(run_workload, search_budget) -> None:
    # Blocked is raised after hypothesis is done: inside, it would be a failing example.
    blocked: list[Blocked] = []

    @given(workload=workloads())
    def every_workload(workload: Workload) -> None:
        search_budget.guard()
        judgement = run_workload(workload)
        broken = judgement.broken()
        assert not broken, "\n".join(str(v) for v in broken[:5])
        blocked.extend(cause for cause in (judgement.apart(), judgement.blocked) if cause)

    every_workload()
    if blocked:
        raise blocked[0].having_held("what HTTP showed held in every workload")


@pytest.mark.contract("claim.order")
@given(workload=returning_users())
@pytest.mark.relies_on("claim.success", "create.created")
def test_concurrent_workloads_check_eligibility_first(
    run_workload, search_budget, workload: Workload
) -> None:
    search_budget.guard()
    preferred = [v for v in run_workload(workload).violations if v.preferred]
    assert not preferred, "\n".join(str(v) for v in preferred[:5])
