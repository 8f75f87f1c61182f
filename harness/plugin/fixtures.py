"""The fixtures the contract suite is written against: the project, the running stack, an
HTTP client, a database connection, the implementation's rejection statuses, fresh names."""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from ..inspect.layout import ProjectLayout
from ..races.calibration import learn_claim_statuses
from ..races.client import ApiClient
from ..races.statuses import StatusMap
from ..stacks.compose_project import ComposeProject, image_at_hand
from ..stacks.opener import open_stack
from ..stacks.spec import StackSpec
from ..stacks.stack import Stack, StackError
from .budgets import SearchBudget, budget_for_search
from .options import stack_spec_of
from .standing import StandingCause
from .terminal import say


@pytest.fixture(scope="session")
def stack_spec(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> StackSpec:
    """The stack the options describe; on compose, with the fault proxy where an image to
    run it in is at hand, and its files and logs in this run's temp dir."""
    spec = stack_spec_of(pytestconfig)
    if spec.kind != "compose":
        return spec
    image = pytestconfig.getoption("fault_proxy_image")
    if not image_at_hand(image):
        say(pytestconfig, f"\nno image {image} for the fault proxy: network faults will skip")
        image = None
    return dataclasses.replace(
        spec, fault_proxy_image=image, workdir=tmp_path_factory.mktemp("compose")
    )


@pytest.fixture(scope="session")
def layout(stack_spec: StackSpec) -> ProjectLayout:
    """The project's files as read once: compose file, services, Dockerfile, schema."""
    return stack_spec.layout


@pytest.fixture(scope="session")
def project_dir(layout: ProjectLayout) -> Path:
    return layout.project_dir


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest, stack_spec: StackSpec) -> Iterator[Stack]:
    config = request.config
    try:
        with open_stack(stack_spec) as running:
            reporter = config.pluginmanager.get_plugin("coupon-scorecard")
            reporter.stack_description = running.description
            say(config, f"\nstack up: {running.description}")
            yield running
    except StackError as exc:
        raise exc.blocking(stack_spec.kind) from None
    finally:
        if stack_spec.workdir and request.session.testsfailed:
            say(config, f"compose logs kept in {stack_spec.workdir / 'compose.log'}")


@pytest.fixture(scope="session")
def compose_project(request: pytest.FixtureRequest, stack_spec: StackSpec) -> ComposeProject:
    """The compose project, up; a check that needs it skips, with the reason, elsewhere."""
    if stack_spec.kind != "compose":
        pytest.skip(f"needs --stack=compose (this run uses the {stack_spec.kind} stack)")
    return request.getfixturevalue("stack").compose


@pytest.fixture(scope="session")
def api(stack: Stack) -> ApiClient:
    return ApiClient(stack.api_urls)


@pytest.fixture
def db(stack: Stack) -> Iterator[psycopg.Connection]:
    """A connection of its own per test: a fault test may have restarted the database."""
    with psycopg.connect(stack.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def claim_statuses(api: ApiClient, unique_name: Callable[[str], str]) -> StatusMap:
    """How this implementation answers each kind of claim rejection, learned by asking."""
    return learn_claim_statuses(api, unique_name)


_RUN = secrets.token_hex(3)
_SERIAL = itertools.count(1)


@pytest.fixture(scope="session")
def unique_name() -> Callable[[str], str]:
    """Names no other test (or earlier run against the same database) uses."""

    def make(prefix: str = "coupon") -> str:
        return f"{prefix}-{_RUN}-{next(_SERIAL)}"

    return make


@pytest.fixture
def search_budget(pytestconfig: pytest.Config) -> Iterator[SearchBudget]:
    """This check's search budget: `search_budget.guard()` first in every example."""
    yield from budget_for_search(pytestconfig)


@pytest.fixture(scope="session")
def slowness(pytestconfig: pytest.Config) -> StandingCause:
    """Where a check that finds the API answering later than --answer-within says so: a
    later check whose request times out is then BLOCKED by it, not failed again."""
    return pytestconfig.pluginmanager.get_plugin("coupon-scorecard").slowness


@pytest.fixture(scope="session")
def lost_api(pytestconfig: pytest.Config) -> StandingCause:
    """Where a fault test that restarted the API says it did not come back: a later check
    whose request finds no API is then BLOCKED by it."""
    return pytestconfig.pluginmanager.get_plugin("coupon-scorecard").lost_api
