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
from pytest_docker.plugin import get_docker_services

from harness.inspect.live_schema import read_live_schema
from harness.races.client import ApiClient
from harness.stacks.compose import (
    DOWN,
    FAULT_PROXY,
    ComposeProject,
    database_dsn,
    new_project,
    up_command,
)
from harness.stacks.credentials import escaping_credentials
from harness.stacks.embedded_postgres import DbCredentials
from harness.stacks.local import LocalOptions, local_stack
from harness.stacks.stack import Stack, StackError, wait_for_api

from .conftest import describe

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
        assert conn.execute("SHOW port").fetchone()[0] == "5432"


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


@pytest.fixture(scope="module")
def second_stack(project: ComposeProject, tmp_path_factory: pytest.TempPathFactory):
    """The same compose files brought up again as another project, with credentials that
    need escaping in a URL or a DSN."""
    workdir = tmp_path_factory.mktemp("escaping-credentials")
    credentials = escaping_credentials()
    env_file = workdir / "escaping.env"
    variables = {
        "POSTGRES_USER": credentials.user,
        "POSTGRES_PASSWORD": credentials.password,
        "POSTGRES_DB": credentials.dbname,
    }
    # Double-quoted values: compose reads \" and \\ in them as the characters.
    env_file.write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in variables.items()))
    other = new_project(project.project_dir, workdir, project.files[1:-1], env_file)
    return other, credentials


def use_end_to_end(api_url: str, dsn: str, credentials: DbCredentials) -> None:
    """The API started with these credentials serves a claim, stored where they lead."""
    how = with_credentials(credentials)
    api = ApiClient(api_url)
    health = api.health()
    assert health.status_code == 200, f"{how}: {describe(health)}"
    name = f"any-credentials-{secrets.token_hex(3)}"
    created = api.create(name, 1)
    assert created.status_code == 201, f"{how}: {describe(created)}"
    claimed = api.claim("u", name)
    assert claimed.status_code in (200, 201), f"{how}: {describe(claimed)}"
    with psycopg.connect(dsn) as conn:
        claimants = conn.execute("SELECT user_id FROM claims WHERE coupon_name = %s", (name,))
        assert claimants.fetchall() == [("u",)], f"{how}: the claim is not in the database"


@pytest.mark.ac("1.2-AC1.any-credentials")
def test_escaping_credentials_on_the_local_stack(stack: Stack, local_options: LocalOptions) -> None:
    """The implementation started a second time, on a database whose user, password and
    name need escaping in a connection string."""
    if stack.kind != "local":
        pytest.skip(
            "on compose the second project has such credentials"
            if stack.kind == "compose"
            else "an external stack cannot be started again with other credentials"
        )
    credentials = escaping_credentials()
    # One instance is enough here; a connection string that does not parse leaves the API
    # answering 5xx, and 20 s of that is plenty.
    quick = dataclasses.replace(
        local_options, instances=1, startup_timeout=min(local_options.startup_timeout, 20)
    )
    try:
        with local_stack(quick, credentials) as second:
            use_end_to_end(second.api_url, second.dsn, credentials)
    except StackError as exc:
        pytest.fail(f"{with_credentials(credentials)}: {exc.reason}", pytrace=False)


@pytest.mark.slow
@pytest.mark.ac("1.2-AC1.any-credentials", "1.2-AC1.down-clean")
def test_escaping_credentials_end_to_end_then_down_leaves_nothing(second_stack) -> None:
    other, credentials = second_stack
    try:
        with get_docker_services(
            other.command,
            [str(f) for f in other.files],
            other.name,
            [up_command(120, api=other.api)],
            [DOWN],
        ) as services:
            api_url = f"http://127.0.0.1:{services.port_for(other.api, 3000)}"
            wait_for_api(api_url, timeout=60)
            dsn = database_dsn(other, services)
            assert psycopg.conninfo.conninfo_to_dict(dsn)["password"] == credentials.password
            use_end_to_end(api_url, dsn, credentials)
    except BaseException:
        # pytest-docker takes a project down only once its `up` succeeded; when `up` failed
        # (say, an api that never got healthy), take it down here before reporting that.
        other.run(*DOWN.split(), check=False)
        raise
    leftovers = {
        kind: subprocess.run(
            [
                "docker",
                kind,
                "ls",
                *(["--all"] if kind == "container" else []),
                "--quiet",
                "--filter",
                f"label=com.docker.compose.project={other.name}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for kind in ("container", "network", "volume")
    }
    assert not any(leftovers.values()), f"after down -v, {other.name} left {leftovers}"
