"""The stress scenarios of api-contract.md over real concurrent HTTP; then the history of
each, with the final tables and GET, judged against invariants 1-7, and the coupons beside
each scenario's (near misses of its name) against invariant 9."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from harness.races.claims_run import claims_at_once, create_coupons
from harness.races.concurrency import Call, Reply
from harness.races.judge import Judgement, views_of

pytestmark = [pytest.mark.runtime, pytest.mark.slow, pytest.mark.early]
T = TypeVar("T")


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


class Run:
    """A scenario's answers, and what is read after them (GET, the tables), read once when
    first asked for: behind a slow API's backlog that GET may time out, which must not
    keep the answers from being judged."""

    def __init__(self, replies: list[Reply], judged: Callable[[], tuple[Judgement, Any]]):
        self.replies = replies
        self._judged = once(judged)

    @property
    def judgement(self) -> Judgement:
        return self._judged()[0]

    @property
    def view(self) -> Any:  # GET of the coupon afterwards
        return self._judged()[1]


def once(make: Callable[[], T]) -> Callable[[], T]:
    """`make`, called the first time only; what it raised, raised again each time (a
    request that timed out is not sent again by every test that reads the outcome)."""
    outcome: list = []

    def get() -> T:
        if not outcome:
            try:
                outcome.append((make(), None))
            except Exception as exc:
                outcome.append((None, exc))
        value, error = outcome[0]
        if error is not None:
            raise error
        return value

    return get


@pytest.fixture(scope="session")
def answer_within(pytestconfig) -> float:
    return pytestconfig.getoption("answer_within")


@pytest.fixture(scope="session")
def run_scenario(api, stack, unique_name, claim_statuses, answer_within):
    """Each scenario runs once per session; its outcome is judged by several tests. A
    request waits for its answer --answer-within seconds at most (then its outcome is
    unknown), so a slow implementation's scenario ends in bounded time."""

    def run(name: str) -> Run:
        # `_` and `.`: a claim matching names as a pattern would take a bystander for it
        scenario, coupon = SCENARIOS[name], unique_name(name.replace("-", "_") + ".")
        creates = create_coupons(api, {coupon: scenario.stock})
        calls = [
            Call.claim("same-user" if scenario.one_user else f"user_{i:03d}", coupon)
            for i in range(scenario.requests)
        ]
        claims = claims_at_once(
            api, stack.dsn, claim_statuses, [coupon], calls, creates=creates, timeout=answer_within
        )

        def judged() -> tuple[Judgement, Any]:
            views = views_of(api, [coupon])
            return claims.judge(views), views[coupon]

        return Run(claims.replies, judged)

    runs = {name: once(lambda name=name: run(name)) for name in SCENARIOS}
    return lambda name: runs[name]()


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.contract(f"stress.{n}")) for n in SCENARIOS]
)
@pytest.mark.relies_on("claim.success", "create.created")
def test_scenario_outcome(run_scenario, answer_within, slowness, name: str) -> None:
    """Judged over HTTP alone: every answer within --answer-within, the answers, and the
    remaining stock GET reports."""
    scenario, run = SCENARIOS[name], run_scenario(name)
    took = sorted(r.completed - r.invoked for r in run.replies)
    late = [r for r in run.replies if r.status is None or r.completed - r.invoked > answer_within]
    if late:
        finding = (
            f"{name}: {len(late)} of {len(run.replies)} requests not answered within "
            f"--answer-within {answer_within:g} s (median {took[len(took) // 2]:.1f} s, "
            f"slowest {took[-1]:.1f} s, {sum(r.status is None for r in late)} with no answer "
            f"by then); {sum(r.succeeded for r in run.replies)} successes before that"
        )
        slowness.found(f"stress.{name}", finding)
        pytest.fail(finding, pytrace=False)
    statuses = sorted(r.status for r in run.replies if r.status is not None)
    lost = [r.error for r in run.replies if r.status is None]
    successes = sum(r.succeeded for r in run.replies)
    summary = (
        f"{name}: {successes} successes, statuses {_histogram(statuses)}, "
        f"{len(lost)} transport errors"
    )
    assert not lost, f"{summary}; first: {lost[0]}"
    assert successes == scenario.successes, (
        f"{summary}; expected exactly {scenario.successes} successes"
    )
    # Already claimed is 409 or 400, out of stock 400..409: either way 400..409.
    wrong = [r.status for r in run.replies if not r.succeeded and not 400 <= r.status <= 409]
    assert not wrong, f"{summary}; rejections must be 400..409"
    if not scenario.one_user:
        remaining = run.view.get("remaining_amount") if isinstance(run.view, dict) else None
        assert remaining == 0, f"{summary}; GET says remaining_amount {remaining}: {run.view!r}"


# Each scenario's history, its coupon and the bystanders beside it (8: scale-out's, and 10:
# the sizes', are judged by checks of their own).
INVARIANTS = (1, 2, 3, 4, 5, 6, 7, 9)


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize(
    "invariant",
    [pytest.param(i, marks=pytest.mark.contract(f"invariant.{i}")) for i in INVARIANTS],
)
@pytest.mark.relies_on("claim.success", "create.created")
def test_invariant_holds(run_scenario, name: str, invariant: int) -> None:
    judgement = run_scenario(name).judgement
    broken = judgement.broken(f"invariant.{invariant}")
    assert not broken, f"after {name}: " + "; ".join(str(v) for v in broken[:3])
    if judgement.blocked:
        raise judgement.blocked.having_held("what HTTP showed held")


def _histogram(statuses: list[int]) -> dict[int, int]:
    return {status: statuses.count(status) for status in sorted(set(statuses))}
