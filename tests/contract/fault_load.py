"""What every fault test does: a steady claim load with the fault in the middle, the wait for
every instance to serve again, and the run judged like any other (invariants 1-7)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from harness.blocked import HEALTH_OK, Blocked
from harness.races.answers import describe
from harness.races.claims_run import ClaimsRun
from harness.races.concurrency import Call, Reply, send_until
from harness.stacks.stack import Stack
from harness.stacks.waiting import wait_until

PROCESSES = 8


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


def every_health(stack: Stack, timeout: float = 30) -> list[int | None]:
    """/health of each instance."""
    return [health(url, timeout) for url in stack.api_urls]


@dataclass(frozen=True)
class HealthRoute:
    """How GET /health answered with everything up. Where not 200, health.ok is the one
    row to fail for it: waits ask the API's own endpoints instead, and what only /health
    could show is BLOCKED by health.ok."""

    answer: str  # the request and its answer
    served: bool  # answered 200

    @classmethod
    def asked(cls, response: requests.Response) -> HealthRoute:
        return cls(describe(response), response.status_code == 200)

    def blocked(self, held: str) -> Blocked:
        return Blocked(HEALTH_OK, f"with the database up, {self.answer}", held=held)


# A coupon nobody makes: the API answers 404 for it only once it reaches its database.
UNKNOWN_COUPON = "/api/coupons/coupon-harness-serving-probe"


def serves(api_url: str, route: HealthRoute) -> bool:
    """The instance serves: /health 200 where it has one, else a lookup answered 404."""
    if route.served:
        return health(api_url, timeout=5) == 200
    try:
        return requests.get(f"{api_url}{UNKNOWN_COUPON}", timeout=5).status_code == 404
    except requests.RequestException:
        return False


def seconds_until_every_instance_serves(stack: Stack, route: HealthRoute, after: str) -> float:
    """From now until every instance serves again: the recovery time."""
    began = time.monotonic()
    how = "/health 200" if route.served else f"GET {UNKNOWN_COUPON} 404 (no /health)"
    wait_until(
        lambda: all(serves(url, route) for url in stack.api_urls),
        what=f"{how} from every instance after {after} (the API must recover by itself)",
        timeout=60,
        interval=0.05,
    )
    return time.monotonic() - began


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


def unanswered_in_time(replies: list[Reply], window: tuple[float, float], bound: float) -> str:
    """Claims in flight at any time within `window` (monotonic times) that got no answer
    within `bound` seconds, as one line; empty when every one was answered (an error is an
    answer). Those sent just before the fault count too: when every client's claim hangs
    from the fault's first moment, none is sent during it, and the hang is the finding."""
    during = [r for r in replies if r.invoked < window[1] and r.completed >= window[0]]
    slow = [r for r in during if r.completed - r.invoked > bound or r.status is None]
    if not during:
        return "no claim was in flight during the fault"
    if not slow:
        return ""
    first = slow[0]
    return (
        f"{len(slow)} of {len(during)} claims in flight during the fault got no answer "
        f"within {bound:g}s; first: waited {first.completed - first.invoked:.1f}s, "
        f"{first.status or first.error}"
    )


def judge_run(stack, api, creates, calls, replies, statuses, recovery, request) -> None:
    """The run judged from its creates on: a coupon gone after the fault is found."""
    coupons = [create.coupon for create in creates]
    run = ClaimsRun.of(api, stack.dsn, statuses, coupons, calls, replies, creates)
    history, judgement = run.history, run.judge()
    violations = judgement.broken()
    claims = [op for op in history if op.f == "claim"]
    report = FaultReport(
        len(claims),
        sum(op.type == "ok" for op in claims),
        sum(op.type != "ok" for op in claims),
        recovery,
    )
    request.node.user_properties.append(("report", f"{report}; {len(violations)} violation(s)"))
    assert report.acknowledged, f"no claim was acknowledged: {report}"
    assert not violations, f"{report}: " + "; ".join(str(v) for v in violations[:3])
    if beside := judgement.apart():
        raise beside.having_held(f"{report}; every acknowledged claim kept")
    if judgement.blocked:
        raise judgement.blocked.having_held("what HTTP showed held")
