"""Time budgets: a slow implementation gets its verdict in bounded time.

Each search (a hypothesis test: the model, the workloads, hostile input) has its own budget
(`--check-budget`); the checks that need the stack have one in all (`--run-budget`). A
search past its budget stops drawing examples, and a check that would start past the run's
budget is not started. Either is reported CUT SHORT with what was judged before it: never a
pass, never waited for without end."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import pytest
from hypothesis import reject
from hypothesis.control import current_build_context
from hypothesis.errors import Unsatisfiable


class CutShort(Exception):
    """A check stopped by a time budget before it was done; the message says what it
    judged before it, and what was left."""


class RunBudget:
    """The plugin part: counts the time spent in the checks that need the stack (the
    stack's start-up included), and cuts short every such check that would start after
    the budget is spent. Other tests in the same pytest run (this project's own) count
    for nothing and are never cut."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds if seconds > 0 else math.inf
        self.spent = 0.0  # by the checks that needed the stack and are done
        self.current: float | None = None  # when the one running now started

    def remaining(self) -> float:
        running = time.monotonic() - self.current if self.current is not None else 0.0
        return self.seconds - self.spent - running

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        if not item.get_closest_marker("runtime"):
            return (yield)
        self.current = time.monotonic()
        try:
            return (yield)
        finally:
            self.spent += time.monotonic() - self.current
            self.current = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # A check of files alone takes no time worth saving: it always runs.
        if item.get_closest_marker("runtime") and self.remaining() <= 0:
            raise CutShort(
                f"not started: the run's budget of {self.seconds:g} s for the checks that "
                "need the stack (--run-budget) was spent"
            )

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        try:
            return (yield)
        except Unsatisfiable:
            # Every drawn example came after the budget (the explicit ones ran first).
            budget = getattr(item, "funcargs", {}).get("search_budget")
            if budget is not None and budget.cut:
                budget.settle()  # raises CutShort
            raise


class SearchBudget:
    """One search's budget: `guard()` at the start of every example rejects it once the
    budget is spent; a stateful search, whose steps draw as they go, asks `admit()` as
    each program starts and runs one not admitted on its model alone (rejecting it, or
    changing its steps, would change what it draws); `settle()` after the search says
    what the budget cut short."""

    def __init__(self, seconds: float, origin: str) -> None:
        self.seconds, self.origin = seconds, origin
        self.started = time.monotonic()
        self.judged = 0  # examples let through
        self.cut = 0  # examples rejected for the budget
        self.settled = False  # said so once

    def exhausted(self) -> bool:
        """Whether the budget is spent, so that what comes next is not judged. The final
        replay of a failing example always runs as it did, or hypothesis calls it flaky."""
        spent = time.monotonic() - self.started > self.seconds
        if spent and not current_build_context().is_final:
            self.cut += 1
            return True
        return False

    def admit(self) -> bool:
        """Whether the example starting now is judged (counted if so)."""
        admitted = not self.exhausted()
        self.judged += admitted
        return admitted

    def guard(self) -> None:
        """First in every example of a @given test: rejects it once the budget is spent
        (hypothesis then stops drawing quickly)."""
        if not self.admit():
            reject()

    def settle(self) -> None:
        if self.cut and not self.settled:
            self.settled = True
            raise CutShort(
                f"{self.judged} example(s) judged in "
                f"{time.monotonic() - self.started:.0f} s and none broke a rule; the search "
                f"was cut short there by {self.origin}: {self.seconds:.0f} s"
            )


def budget_for_search(config: pytest.Config) -> Iterator[SearchBudget]:
    """The fixture's body: --check-budget, or what is left of the run's, whichever is less."""
    run: RunBudget = config.pluginmanager.get_plugin("coupon-run-budget")
    check = config.getoption("check_budget") or math.inf
    left = run.remaining()
    budget = (
        SearchBudget(check, "its budget (--check-budget)")
        if check <= left
        else SearchBudget(max(left, 0.0), "what was left of the run's budget (--run-budget)")
    )
    yield budget
    budget.settle()
