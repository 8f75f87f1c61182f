"""Faults during a flash sale, on a stack the suite controls (local or compose): the
database crashes and comes back, or freezes and thaws; the API is restarted. A steady
claim load runs throughout; its history is judged afterwards like any other (invariants
1-6), and every acknowledged claim must still be there (invariant 7)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from harness.races.concurrency import Call, Reply, send_until
from harness.races.judge import judge, views_of
from harness.races.statuses import record
from harness.stacks.stack import FaultControls, Stack
from harness.stacks.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.runtime, pytest.mark.slow]

PROCESSES = 8


@pytest.fixture
def faults(stack: Stack) -> FaultControls:
    if stack.faults is None:
        pytest.skip(f"faults need a stack the suite controls; the {stack.kind} stack is not")
    return stack.faults


@dataclass
class FaultReport:
    sent: int
    acknowledged: int
    failed: int
    recovery_s: float

    def __str__(self) -> str:
        return (
            f"{self.sent} claims sent, {self.acknowledged} acknowledged, {self.failed} "
            f"failed or unanswered, recovered {self.recovery_s:.1f}s after the fault ended"
        )


def health(api_url: str, timeout: float = 30) -> int | None:
    try:
        return requests.get(f"{api_url}/health", timeout=timeout).status_code
    except requests.RequestException:
        return None


def every_health(stack: Stack) -> list[int | None]:
    """/health of each instance."""
    return [health(url) for url in stack.api_urls]


def wait_until_every_instance_serves(stack: Stack, after: str) -> None:
    wait_until(
        lambda: every_health(stack) == [200] * len(stack.api_urls),
        what=f"/health 200 from every instance after {after} (the API must recover by itself)",
        timeout=60,
        interval=0.2,
    )


def under_load(
    stack: Stack, coupon: str, fault: Callable[[], float], client_timeout: float = 15.0
) -> tuple[list[Call], list[Reply], float]:
    """Run a steady claim load, apply `fault` in the middle of it (it returns its recovery
    time), and let the load go on a little after."""
    stop = threading.Event()
    result: dict = {}

    def load() -> None:
        result["run"] = send_until(
            stack.api_urls,
            lambda p, n: Call.claim(f"u{p}-{n}", coupon),
            stop,
            PROCESSES,
            timeout=client_timeout,
        )

    worker = threading.Thread(target=load)
    worker.start()
    try:
        time.sleep(0.5)
        recovery = fault()
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join()
    calls, replies = result["run"]
    return calls, replies, recovery


def judge_run(stack, api, coupon, calls, replies, statuses, recovery, request) -> None:
    history = record(calls, replies, statuses)
    judgement = judge(history, [coupon], stack.dsn, views_of(api, [coupon]))
    violations = judgement.broken()
    report = FaultReport(
        len(history),
        sum(op.type == "ok" for op in history),
        sum(op.type != "ok" for op in history),
        recovery,
    )
    request.node.user_properties.append(("report", f"{report}; {len(violations)} violation(s)"))
    assert report.acknowledged, f"no claim was acknowledged: {report}"
    assert not violations, f"{report}: " + "; ".join(str(v) for v in violations[:3])
    if judgement.blocked:
        raise judgement.blocked  # what HTTP shows holds; the tables could not be read


@pytest.fixture(scope="module")
def health_while_down() -> list[int | None]:
    """What /health answered while the crash test had the database down: the preferred
    503 is judged on them, without a crash of its own."""
    return []


@pytest.mark.contract("faults.db-crash")
def test_database_crash_mid_sale(
    stack, faults, api, unique_name, claim_statuses, request, health_while_down
) -> None:
    coupon = unique_name("crash")
    assert api.create(coupon, 2**31 - 1).status_code == 201
    while_down = health_while_down

    def crash_and_restart() -> float:
        faults.kill_database()
        for _ in range(3):
            while_down.extend(every_health(stack))
            time.sleep(0.3)
        faults.start_database()
        restarted = time.monotonic()
        wait_until_every_instance_serves(stack, "the database came back")
        return time.monotonic() - restarted

    def crash_twice() -> float:
        """Two crashes a second apart: an acknowledged claim whose WAL was not yet written
        when the database died is lost only if one was in flight at that instant, so two
        chances to catch it (one missed the asynchronous-commit mutant in about 1 run in 7)."""
        first = crash_and_restart()
        time.sleep(1.0)
        return max(first, crash_and_restart())

    calls, replies, recovery = under_load(stack, coupon, crash_twice)
    assert 200 not in while_down, f"/health answered {while_down} while the database was down"
    assert any(status and status >= 500 for status in while_down), (
        f"/health answered {while_down} while the database was down; expected a 5xx"
    )
    judge_run(stack, api, coupon, calls, replies, claim_statuses, recovery, request)


@pytest.mark.contract("health.prefer-503")
def test_health_prefers_503_while_the_database_is_down(stack, faults, health_while_down) -> None:
    while_down = list(health_while_down)
    if not while_down:  # the crash test did not run: crash it once here
        faults.kill_database()
        try:
            while_down = [status for _ in range(3) for status in every_health(stack)]
        finally:
            faults.start_database()
            wait_until_every_instance_serves(stack, "the database came back")
    assert set(while_down) == {503}, f"/health answered {while_down} while the database was down"


@pytest.mark.contract("faults.db-pause")
def test_database_pause_mid_sale(
    stack, faults, api, unique_name, claim_statuses, request, pytestconfig
) -> None:
    """Frozen, not dead: connections stay open and nothing answers, which no error tells the
    API about; only its own time limit can. The pause outlasts --answer-within."""
    answer_within = pytestconfig.getoption("answer_within")
    coupon = unique_name("pause")
    assert api.create(coupon, 2**31 - 1).status_code == 201
    window: dict[str, float] = {}
    health_while_paused: list[tuple[int | None, float]] = []

    def pause_and_resume() -> float:
        faults.pause_database()
        window["paused"] = time.monotonic()
        try:
            while time.monotonic() - window["paused"] < answer_within + 2:
                url = stack.api_urls[len(health_while_paused) % len(stack.api_urls)]
                asked = time.monotonic()
                health_while_paused.append((health(url), time.monotonic() - asked))
        finally:
            faults.resume_database()
        window["resumed"] = time.monotonic()
        wait_until_every_instance_serves(stack, "the database resumed")
        return time.monotonic() - window["resumed"]

    calls, replies, recovery = under_load(
        stack, coupon, pause_and_resume, client_timeout=answer_within * 3
    )
    during = [r for r in replies if window["paused"] <= r.invoked < window["resumed"]]
    slow = [r for r in during if r.completed - r.invoked > answer_within or r.status is None]
    waits = sorted(r.completed - r.invoked for r in during)
    request.node.user_properties.append(
        (
            "report",
            f"paused {window['resumed'] - window['paused']:.1f}s: {len(during)} claims sent "
            f"meanwhile, longest wait {waits[-1] if waits else 0:.1f}s",
        )
    )
    assert during, "no claim was sent while the database was paused"
    assert not slow, (
        f"{len(slow)} of {len(during)} claims sent during the pause got no answer within "
        f"{answer_within:g}s; first: waited {slow[0].completed - slow[0].invoked:.1f}s, "
        f"{slow[0].status or slow[0].error}"
    )
    hung = [(status, took) for status, took in health_while_paused if took > answer_within]
    assert not hung, f"/health took {hung[0][1]:.1f}s while the database was paused"
    assert all(status != 200 for status, _ in health_while_paused), (
        f"/health answered 200 while the database was paused: {health_while_paused}"
    )
    judge_run(stack, api, coupon, calls, replies, claim_statuses, recovery, request)


@pytest.mark.contract("faults.api-restart")
def test_api_restart_mid_sale(stack, faults, api, unique_name, claim_statuses, request) -> None:
    coupon = unique_name("restart")
    assert api.create(coupon, 2**31 - 1).status_code == 201

    def restart() -> float:
        started = time.monotonic()
        faults.restart_api()
        return time.monotonic() - started

    calls, replies, recovery = under_load(stack, coupon, restart)
    judge_run(stack, api, coupon, calls, replies, claim_statuses, recovery, request)
