"""Helpers shared by the contract tests; the stack, client and database come from the plugin."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from harness.blocked import CREATE_CREATED, Blocked
from harness.inspect.init_sql import read_story_schema
from harness.inspect.schema_facts import Schema
from harness.plugin.profiles import use_suite_profile
from harness.races.answers import describe
from harness.races.client import ApiClient
from harness.races.judge import view_later, views_of
from harness.races.tables import read_coupon, snapshot, state_from_view
from harness.stacks.stack import FaultControls, Stack

from .fault_load import HealthRoute


def pytest_configure(config: pytest.Config) -> None:
    use_suite_profile(config)


@pytest.fixture(scope="session")
def story_schema() -> Schema:
    return read_story_schema()


@pytest.fixture
def faults(stack: Stack) -> FaultControls:
    if stack.faults is None:
        pytest.skip(f"faults need a stack the suite controls; the {stack.kind} stack is not")
    return stack.faults


@pytest.fixture(scope="session")
def health_route(api: ApiClient) -> HealthRoute:
    """GET /health with everything up: whether the steps that wait on it can."""
    return HealthRoute.asked(api.health())


# A run's stock, largest first: what the implementation takes is create.created's to
# judge (its int-max row); a long run needs only more stock than it can sell.
LONG_RUN_STOCKS = (2**31 - 1, 2**15 - 1, 5_000)


@pytest.fixture(scope="session")
def long_run_stock(api: ApiClient, unique_name: Callable[[str], str]) -> int:
    """The largest of LONG_RUN_STOCKS this implementation creates a coupon with: the fault
    runs and the hostile claims need a coupon that does not sell out."""
    for amount in LONG_RUN_STOCKS:
        response = api.create(unique_name("stock-probe"), amount)
        if response.status_code == 201:
            return amount
    raise Blocked(
        CREATE_CREATED, f"no stock of {LONG_RUN_STOCKS} is taken; last: {describe(response)}"
    )


@pytest.fixture(scope="session")
def recoveries() -> dict[str, float]:
    """Seconds each fault test waited for every instance to serve again after its fault
    ended: faults.recovery is judged on them."""
    return {}


@pytest.fixture
def unchanged_tables(db: psycopg.Connection) -> Callable[[], Any]:
    """`with unchanged_tables(): ...` fails if anything in coupons or claims changed. Where
    the story's tables are not there to read, the block still runs and its assertions on
    the answer still fail the check; if they hold, the check is blocked by the schema."""

    @contextmanager
    def guard():
        try:
            before = snapshot(db)
        except Blocked as unreadable:
            yield
            raise unreadable.having_held("the answer held") from None
        yield
        after = snapshot(db)
        changed = [
            f"{table} {len(before[table])} -> {len(after[table])} rows"
            for table in before
            if after[table] != before[table]
        ]
        assert not changed, f"a rejected request changed the tables: {', '.join(changed)}"

    return guard


@pytest.fixture
def stored(db: psycopg.Connection, api: ApiClient) -> Callable[..., Any]:
    """`with stored(name, ...) as (state, ...):` each coupon as the tables hold it (None: no
    row), its stock as GET shows it where coupons lacks the story's columns. Where the
    claims cannot be read as the story's, as GET shows it: what the block asserts still
    fails the check, and if it holds the check is blocked by the schema, the tables
    unjudged. A coupon GET does not show leaves nothing to judge: blocked at once."""

    @contextmanager
    def read(*names: str):
        try:
            states = tuple(read_coupon(db, name, view_later(api, name)) for name in names)
        except Blocked as unreadable:
            views = views_of(api, names)
            states = tuple(state_from_view(name, views[name]) for name in names)
            if None in states:
                raise
            yield states
            raise unreadable.having_held("what HTTP showed held") from None
        else:
            yield states

    return read
