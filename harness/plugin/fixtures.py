"""The fixtures the contract suite is written against: the project, the running stack, an
HTTP client, a database connection, the implementation's rejection statuses, fresh names."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from pytest_docker.plugin import DockerComposeExecutor, Services

from ..races.calibration import learn_claim_statuses
from ..races.client import ApiClient
from ..races.statuses import StatusMap
from ..stacks.compose import DOWN, ComposeProject, compose_stack, partly_up
from ..stacks.external import external_stack
from ..stacks.local import LocalOptions, local_stack
from ..stacks.stack import Stack, StackError
from .budgets import SearchBudget, budget_for_search
from .options import project_dir_of
from .slowness import Slowness
from .terminal import say


@pytest.fixture(scope="session")
def project_dir(pytestconfig: pytest.Config) -> Path:
    return project_dir_of(pytestconfig)


@pytest.fixture(scope="session")
def local_options(pytestconfig: pytest.Config, project_dir: Path) -> LocalOptions:
    """How the local stack starts the implementation (also for a second start)."""
    return LocalOptions(
        project_dir=project_dir,
        api_cmd=pytestconfig.getoption("api_cmd"),
        pg_bin=pytestconfig.getoption("pg_bin"),
        startup_timeout=pytestconfig.getoption("startup_timeout"),
        instances=pytestconfig.getoption("instances"),
        db_proxy=True,
    )


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, local_options: LocalOptions
) -> Iterator[Stack]:
    kind = pytestconfig.getoption("stack")
    timeout = pytestconfig.getoption("startup_timeout")
    if kind == "compose":
        context = running_compose_stack(request, timeout)
    elif kind == "external":
        context = external_stack(
            pytestconfig.getoption("api_url"), pytestconfig.getoption("dsn"), timeout
        )
    else:
        context = local_stack(local_options)
    try:
        with context as running:
            reporter = pytestconfig.pluginmanager.get_plugin("coupon-scorecard")
            reporter.stack_description = running.description
            say(pytestconfig, f"\nstack up: {running.description}")
            yield running
    except StackError as exc:
        raise exc.blocking(kind) from None


@contextmanager
def running_compose_stack(request: pytest.FixtureRequest, timeout: float) -> Iterator[Stack]:
    project: ComposeProject = request.getfixturevalue("compose_project")
    up_failed = False
    try:
        services = request.getfixturevalue("docker_services")  # pytest-docker: up --build
    except Exception as exc:  # pytest-docker raises a bare Exception carrying compose's output
        # A replica that exited fails `up --wait`: the run goes on with those that serve,
        # and takes the project down itself (pytest-docker does only after an `up` that
        # succeeded).
        partly_up(project, str(exc))
        up_failed = True
        files = [str(file) for file in project.files]
        services = Services(DockerComposeExecutor(project.command, files, project.name))
    try:
        yield compose_stack(project, services, timeout)
    finally:
        kept = project.workdir / "compose.log"
        kept.write_text(project.logs(tail=100_000))
        if request.session.testsfailed:
            say(request.config, f"compose logs kept in {kept}")
        if up_failed:
            project.run(*DOWN.split(), check=False)


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
def slowness(pytestconfig: pytest.Config) -> Slowness:
    """Where a check that finds the API answering later than --answer-within says so: a
    later check whose request times out is then BLOCKED by it, not failed again."""
    return pytestconfig.pluginmanager.get_plugin("coupon-scorecard").slowness
