"""Story 1.2 AC1: `docker compose up --build` starts the system, in the right order, with
any credentials, and `down -v` takes it all away. Needs --stack=compose, but for "any
credentials", which the local stack proves by starting the implementation again."""

from __future__ import annotations

import dataclasses
import json
import secrets
import subprocess
from datetime import datetime

import psycopg
import pytest

from harness.blocked import Blocked
from harness.inspect.live_schema import read_live_schema
from harness.races.answers import describe
from harness.races.client import ApiClient
from harness.races.judge import view_later
from harness.races.tables import read_coupon
from harness.stacks.compose_project import FAULT_PROXY, ComposeProject
from harness.stacks.credentials import escaping_credentials
from harness.stacks.embedded_postgres import DbCredentials
from harness.stacks.opener import open_stack
from harness.stacks.spec import StackSpec
from harness.stacks.stack import Stack, StackError

from .fault_load import HealthRoute

pytestmark = pytest.mark.runtime


@pytest.fixture(scope="module")
def project(compose_project: ComposeProject, stack: Stack) -> ComposeProject:
    """The compose project, up (skipped, with the reason, on the other stacks)."""
    return compose_project


def timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text[:26].rstrip("Z") + "+00:00")


@pytest.mark.ac("1.2-AC1.up")
def test_both_services_running(project: ComposeProject) -> None:
    containers = project.container_ids()
    containers.pop(FAULT_PROXY, None)  # the harness's own, where it added it
    expected = sorted([project.api, project.database])  # their names are AC2's concern
    assert sorted(containers) == expected, f"containers: {containers}"
    for service in containers:
        state = project.inspect(service)["State"]
        assert state["Running"], f"{service} is {state['Status']}"
        health = (state.get("Health") or {}).get("Status")
        assert health in (None, "healthy"), f"{service} health is {health}"


@pytest.mark.ac("1.2-AC1.postgres-5432")
def test_postgres_on_5432_with_configured_credentials(
    project: ComposeProject, stack: Stack
) -> None:
    container = project.inspect(project.database)
    exposed = container["NetworkSettings"]["Ports"] or {}
    assert "5432/tcp" in exposed, f"postgres container ports {sorted(exposed)}"
    with psycopg.connect(stack.dsn, connect_timeout=5) as conn:
        port = conn.execute("SHOW port").fetchone()[0]
    assert port == "5432", f"SHOW port answered {port!r} in the database of {stack.dsn}"


@pytest.mark.ac("1.2-AC1.waits-for-db")
def test_api_started_after_postgres_was_healthy(project: ComposeProject) -> None:
    api, postgres = project.inspect(project.api), project.inspect(project.database)
    api_started = timestamp(api["State"]["StartedAt"])
    healthy_probes = [
        timestamp(probe["End"])
        for probe in (postgres["State"].get("Health") or {}).get("Log", [])
        if probe["ExitCode"] == 0
    ]
    assert postgres["State"].get("Health"), "postgres has no health check, so nothing to wait for"
    assert api["RestartCount"] == 0, f"api restarted {api['RestartCount']} time(s): it did not wait"
    assert healthy_probes and min(healthy_probes) <= api_started, (
        f"api started at {api_started:%H:%M:%S.%f}, postgres's first passing health probe on "
        f"record ended at {min(healthy_probes) if healthy_probes else 'never'}"
    )


@pytest.mark.ac("1.2-AC4.auto-init")
def test_schema_exists_without_manual_step(project: ComposeProject, db: psycopg.Connection) -> None:
    tables = read_live_schema(db).tables
    assert {"coupons", "claims"} <= set(tables), f"after `up` the database has {sorted(tables)}"


def with_credentials(credentials: DbCredentials) -> str:
    return (
        f"with user {credentials.user!r}, password {credentials.password!r} and database "
        f"{credentials.dbname!r}"
    )


def use_end_to_end(api_url: str, dsn: str, credentials: DbCredentials, route: HealthRoute) -> None:
    """The API started with these credentials serves a claim, stored where they lead.
    /health is asked only where the first stack answered it 200 (else it is health.ok's
    one finding, and create, claim and the tables still show the credentials work)."""
    how = with_credentials(credentials)
    api = ApiClient(api_url)
    if route.served:
        health = api.health()
        assert health.status_code == 200, f"{how}: {describe(health)}"
    name = f"any-credentials-{secrets.token_hex(3)}"
    created = api.create(name, 1)
    assert created.status_code == 201, f"{how}: {describe(created)}"
    claimed = api.claim("u", name)
    assert claimed.status_code in (200, 201), f"{how}: {describe(claimed)}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            state = read_coupon(conn, name, view_later(api, name))
        except Blocked as unread:  # the schema's finding: the answers held
            raise unread.having_held(f"{how}: create and claim answered as they should") from None
    assert state is not None and state.claimants == ("u",), (
        f"{how}: the claim is not in the database they lead to: {state}"
    )


def second_stack(spec: StackSpec, credentials: DbCredentials, workdir) -> StackSpec:
    """The implementation started again as one instance (enough here) on a database whose
    user, password and name need escaping in a URL or a DSN; on compose, another project
    of the same files, the credentials in its env file."""
    quick = dataclasses.replace(
        spec,
        instances=1,
        # a connection string that does not parse leaves the API answering 5xx: 20 s of it
        # is plenty on the local stack
        startup_timeout=min(spec.startup_timeout, 20 if spec.kind == "local" else 120),
        db_proxy=False,
        fault_proxy_image=None,
    )
    if spec.kind == "local":
        return dataclasses.replace(quick, credentials=credentials)
    env_file = workdir / "escaping.env"
    variables = {
        "POSTGRES_USER": credentials.user,
        "POSTGRES_PASSWORD": credentials.password,
        "POSTGRES_DB": credentials.dbname,
    }
    # Double-quoted values: compose reads \" and \\ in them as the characters.
    env_file.write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in variables.items()))
    return dataclasses.replace(quick, env_file=env_file, workdir=workdir)


@pytest.mark.ac("1.2-AC1.any-credentials")
@pytest.mark.relies_on("health.ok")
def test_escaping_credentials_on_the_local_stack(
    stack: Stack, stack_spec: StackSpec, health_route: HealthRoute
) -> None:
    """The implementation started a second time, on a database whose user, password and
    name need escaping in a connection string."""
    if stack.kind != "local":
        pytest.skip(
            "on compose the second project has such credentials"
            if stack.kind == "compose"
            else "an external stack cannot be started again with other credentials"
        )
    credentials = escaping_credentials()
    try:
        with open_stack(second_stack(stack_spec, credentials, None)) as second:
            use_end_to_end(second.api_url, second.dsn, credentials, health_route)
    except StackError as exc:
        pytest.fail(f"{with_credentials(credentials)}: {exc.reason}", pytrace=False)


@pytest.mark.slow
@pytest.mark.ac("1.2-AC1.any-credentials", "1.2-AC1.down-clean")
@pytest.mark.relies_on("health.ok")
def test_escaping_credentials_end_to_end_then_down_leaves_nothing(
    project: ComposeProject,
    stack_spec: StackSpec,
    tmp_path_factory: pytest.TempPathFactory,
    health_route: HealthRoute,
) -> None:
    credentials = escaping_credentials()
    spec = second_stack(stack_spec, credentials, tmp_path_factory.mktemp("escaping-credentials"))
    try:
        with open_stack(spec) as other:
            dsn = other.dsn
            given = psycopg.conninfo.conninfo_to_dict(dsn)["password"]
            assert given == credentials.password, f"the second project's DSN says {given!r}"
            use_end_to_end(other.api_url, dsn, credentials, health_route)
    except StackError as exc:
        pytest.fail(f"{with_credentials(credentials)}: {exc}", pytrace=False)
    assert other.compose is not None, "a compose stack without its compose project"
    name = other.compose.name
    leftovers = {
        kind: subprocess.run(
            [
                "docker",
                kind,
                "ls",
                *(["--all"] if kind == "container" else []),
                "--quiet",
                "--filter",
                f"label=com.docker.compose.project={name}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for kind in ("container", "network", "volume")
    }
    assert not any(leftovers.values()), f"after down -v, {name} left {leftovers}"
