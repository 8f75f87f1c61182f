"""What every way of getting a stack hands to the tests, and how it says it failed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from ..blocked import COMPOSE_UP, STACK_READY, Blocked
from .db_network import DbNetwork
from .waiting import NotReady, wait_until


class FaultControls(Protocol):
    """What the fault tests do to a stack they control."""

    # the network between the API and PostgreSQL, where it goes through the fault proxy
    db_network: DbNetwork | None

    def kill_database(self) -> None: ...  # a crash: no clean shutdown

    def start_database(self) -> None: ...

    def pause_database(self) -> None: ...  # every database process frozen, sockets open

    def resume_database(self) -> None: ...

    def restart_api(self) -> None: ...  # SIGTERM, then start it again


class StackError(RuntimeError):
    """The stack could not be brought up (or back): `reason` is one line saying which part
    failed and why, `detail` what shows it (a log tail, compose's output), `root` the
    criterion that fails for it when that is a project's file rather than the stack."""

    def __init__(self, reason: str, detail: str = "", root: str | None = None) -> None:
        super().__init__(reason + (f"\n{detail}" if detail else ""))
        self.reason = reason
        self.detail = detail
        self.root = root

    def blocking(self, kind: str) -> Blocked:
        """What it makes of the checks that needed the stack: blocked by the project's file
        at fault, else by the stack's own row (on compose, story 1.2's AC1 failing)."""
        root = self.root or (COMPOSE_UP if kind == "compose" else STACK_READY)
        return Blocked(root, f"the {kind} stack did not come up: {self.reason}", self.detail)


@contextmanager
def stack_step(what: str, *failures: type[Exception], root: str | None = None) -> Iterator[None]:
    """Run one step of bringing a stack up; any of `failures` becomes a StackError whose
    reason is `what` and the first line of the failure, its detail the rest."""
    try:
        yield
    except failures as exc:
        first, _, rest = str(exc).partition("\n")
        raise StackError(f"{what}: {first}", rest, root) from None


@dataclass(frozen=True)
class Stack:
    kind: str  # local, compose or external
    api_urls: tuple[str, ...]  # one per instance of the API that came up, all on one database
    dsn: str
    description: str  # one line for the run's output: what was started, from where
    faults: FaultControls | None = None  # None where the suite does not own the stack
    # Instances that did not come up while another did: the run goes on with the others,
    # and scale.instances fails once with this.
    unstarted: StackError | None = None
    compose: Any = None  # on the compose stack, its ComposeProject (compose.py imports this)

    @property
    def api_url(self) -> str:
        """The first instance: for what needs one address (a health probe, schemathesis)."""
        return self.api_urls[0]


class _NotYet(Exception):
    """/health answered, with a server error: the API may still be starting."""


def wait_for_api(api_url: str, *, timeout: float, give_up=lambda: None) -> str:
    """Wait until the API answers HTTP, and return what GET /health answered last.

    Ready is /health answering 200, or any answer that is not a server error (a missing or
    wrong health route is for the health check to report; every other check can still
    run). A server error may mean "still starting", so it is waited out until `timeout`;
    an API still answering one then is ready all the same, unless a request that needs the
    database fails as well: then it is not ready, and says so."""
    seen: list[str | None] = []  # what each attempt got: None for no HTTP answer

    def answers() -> bool:
        seen.append(None)
        response = requests.get(f"{api_url}/health", timeout=2)
        seen[-1] = f"GET /health answered {response.status_code} {response.text[:120]!r}"
        if response.status_code >= 500:
            raise _NotYet(seen[-1])
        return True

    what = f"the API at {api_url} to answer HTTP"
    try:
        wait_until(answers, what=what, timeout=timeout, give_up=give_up)
    except NotReady:
        if not seen or seen[-1] is None or give_up():
            raise
        if failed := _database_request_fails(api_url):
            # Not a health route of its own: nothing that needs the database is served, and
            # every check would fail for that one reason.
            raise NotReady(
                f"{what}: {seen[-1]} for {timeout:g} s, and {failed}: the API does not "
                "reach its database"
            ) from None
    return seen[-1]


def _database_request_fails(api_url: str) -> str | None:
    """What a request that needs the database got, when that is a server error or none:
    a GET of a coupon nobody made, which a serving API answers 404."""
    path = "/api/coupons/coupon-harness-startup-probe"
    try:
        response = requests.get(f"{api_url}{path}", timeout=10)
    except requests.RequestException as exc:
        return f"GET {path} got no answer ({type(exc).__name__})"
    if response.status_code >= 500:
        return f"GET {path} answered {response.status_code} {response.text[:120]!r}"
    return None


# What PostgreSQL says to the loser of a race to create one table, type or index.
_RACE_SIGNS = re.compile(
    r"already exists|duplicate key value violates unique constraint \"pg_|"
    r"deadlock detected|tuple concurrently updated|could not serialize",
    re.IGNORECASE,
)


def startup_race(log: str, instances: int) -> str:
    """'' unless an instance's log says it lost a race to make the schema at start-up:
    then what it says, and what that means."""
    sign = _RACE_SIGNS.search(log)
    if sign is None or instances < 2:
        return ""
    line = next(line for line in log.splitlines() if sign.group(0) in line)
    return (
        f"; its log says `{line.strip()[:200]}`: the {instances} instances, started "
        "together, raced to make the schema at start-up and this one lost (a schema made at "
        "start-up must allow another instance making it at the same moment: CREATE ... IF "
        "NOT EXISTS under an advisory lock, or a migration tool's lock; --instances 1 "
        "judges one instance alone)"
    )
