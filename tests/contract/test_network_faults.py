"""Faults in the network between the API and PostgreSQL, made by the fault proxy the API
reaches the database through (on the stacks the suite controls): added latency,
connections reset mid-statement, a blackhole. The database itself is fine throughout, so a
statement may have committed whose answer never arrived: a claim answered with an error is
then of unknown outcome, which the checker accepts either way. What must hold is what
holds for any run (invariants 1-7), every request answered within --answer-within, and
the API serving again once the network is healed; then faults.recovery judges how soon
it served again after each fault of this file and of test_faults.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from harness.races.claims_run import create_coupons
from harness.stacks.db_network import DbNetwork

from .fault_load import (
    every_health,
    judge_run,
    seconds_until_every_instance_serves,
    unanswered_in_time,
)
from .fault_load import under_load as claims_under_load

pytestmark = [pytest.mark.faults, pytest.mark.runtime, pytest.mark.slow]

LATENCY = 0.05  # seconds added each way, to every chunk of bytes
LATENCY_FOR = 3.0  # seconds
RESETS = 3  # every connection reset, this many times
RESET_EVERY = 0.5  # seconds apart
# Then this many commits cut as they happen, the answers withheld: a retry of a claim the
# database has done is then certain to be tried, not left to where a reset falls.
CUT_COMMITS = 20
# PostgreSQL down this long for faults.recovery: a reconnect backoff doubling from 1 s
# (1, 2, 4, 8, 16 s) then waits at least 9 s more once it is back.
OUTAGE = 18.0


@pytest.fixture
def db_network(faults) -> Iterator[DbNetwork]:
    if faults.db_network is None:
        pytest.skip("on this stack the API does not reach PostgreSQL through the fault proxy")
    yield faults.db_network
    faults.db_network.heal()


def require_traffic(network: DbNetwork) -> None:
    """The load runs: bytes must be crossing the proxy, or the API bypasses it (it does not
    use DB_HOST/DB_PORT) and no network fault can touch it."""
    before = network.stats().bytes_up
    time.sleep(0.3)
    if network.stats().bytes_up == before:
        pytest.skip(
            "no bytes crossed the fault proxy while claims were sent: the API does not "
            "reach PostgreSQL at DB_HOST:DB_PORT"
        )


@pytest.fixture
def network_fault(
    stack,
    db_network,
    api,
    unique_name,
    claim_statuses,
    request,
    pytestconfig,
    recoveries,
    health_route,
    long_run_stock,
) -> Callable[[str, Callable[[], None]], None]:
    """`network_fault(name, disturb)`: claims under load; `disturb` the network, heal it,
    and judge: every claim sent meanwhile answered in time, the run's invariants; the
    recovery time is recorded for faults.recovery."""
    answer_within = pytestconfig.getoption("answer_within")

    def run(name: str, disturb: Callable[[], None]) -> None:
        coupon = unique_name(name)
        creates = create_coupons(api, {coupon: long_run_stock})
        window: dict[str, float] = {}

        def fault() -> float:
            require_traffic(db_network)
            window["began"] = time.monotonic()
            try:
                disturb()
            finally:
                window["healed"] = time.monotonic()
                db_network.heal()
            return seconds_until_every_instance_serves(stack, health_route, f"the {name} ended")

        calls, replies, recovery = claims_under_load(
            stack, coupon, fault, client_timeout=answer_within * 3
        )
        recoveries[f"faults.db-{name}"] = recovery
        late = unanswered_in_time(replies, (window["began"], window["healed"]), answer_within)
        assert not late, late
        judge_run(stack, api, creates, calls, replies, claim_statuses, recovery, request)

    return run


@pytest.mark.contract("faults.db-latency")
@pytest.mark.relies_on("claim.success", "create.created", "health.ok", "invariant.9")
def test_database_latency_mid_sale(db_network, network_fault) -> None:
    def slow_network() -> None:
        db_network.add_latency(LATENCY)
        time.sleep(LATENCY_FOR)

    network_fault("latency", slow_network)


@pytest.mark.contract("faults.db-reset")
@pytest.mark.relies_on("claim.success", "create.created", "health.ok", "invariant.9")
def test_database_connections_reset_mid_sale(db_network, network_fault) -> None:
    def resets() -> None:
        for _ in range(RESETS):
            db_network.reset_connections()
            time.sleep(RESET_EVERY)
        db_network.cut_commits(CUT_COMMITS)
        deadline = time.monotonic() + 10  # a slow API commits less: what is left is healed
        while db_network.stats().commits_to_cut and time.monotonic() < deadline:
            time.sleep(0.05)

    network_fault("reset", resets)


@pytest.mark.contract("faults.db-blackhole")
@pytest.mark.relies_on("claim.success", "create.created", "health.ok", "invariant.9")
def test_database_blackhole_mid_sale(db_network, network_fault, pytestconfig) -> None:
    """Connections accepted, nothing answered, for longer than --answer-within: only the
    API's own time limit answers the requests meanwhile."""

    def blackhole() -> None:
        db_network.blackhole()
        time.sleep(pytestconfig.getoption("answer_within") + 1)

    network_fault("blackhole", blackhole)


@pytest.mark.contract("faults.recovery")
@pytest.mark.relies_on("health.ok")
def test_serves_again_soon_after_each_fault(
    stack, faults, recoveries, pytestconfig, request, health_route
):
    """Judged on the recovery times the fault tests recorded (from PostgreSQL accepting
    connections again, or the network healed, to /health 200 on every instance), and on
    one more crash, with PostgreSQL down for OUTAGE seconds while /health is asked, as a
    load balancer would."""
    within = pytestconfig.getoption("recover_within")
    faults.kill_database()
    down_since = time.monotonic()
    while time.monotonic() - down_since < OUTAGE:
        every_health(stack, timeout=1)
        time.sleep(0.05)
    faults.start_database()
    figures = {
        **recoveries,
        f"a {OUTAGE:g}s outage": seconds_until_every_instance_serves(
            stack, health_route, "the database came back"
        ),
    }
    request.node.user_properties.append(
        ("report", ", ".join(f"{fault} {seconds:.2f}s" for fault, seconds in figures.items()))
    )
    slow = {fault: f"{seconds:.1f}s" for fault, seconds in figures.items() if seconds > within}
    assert not slow, f"served again later than --recover-within={within:g}s after: {slow}"
