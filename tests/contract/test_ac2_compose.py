"""Story 1.2 AC2: the docker-compose.yml, read as written and as a fresh clone sees it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from harness.blocked import COMPOSE_FILE, Blocked
from harness.inspect.compose_file import (
    NO_COMPOSE,
    ComposeFile,
    ComposeFileError,
    as_mapping,
    interpolate,
    read_compose_file,
)
from harness.inspect.dockerfile import runtime_base

pytestmark = pytest.mark.static

INIT_DIR = "/docker-entrypoint-initdb.d/"
# Connection settings that must come from the environment, per service.
CONNECTION = {
    "postgres": ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"),
    "api": ("DB_USER", "DB_PASSWORD", "DB_NAME"),
}
INTERPOLATION = re.compile(r"\$\{?[A-Za-z_]")


@pytest.fixture(scope="module")
def compose_read(project_dir: Path) -> ComposeFile | ComposeFileError:
    try:
        return read_compose_file(project_dir)
    except ComposeFileError as exc:
        return exc


@pytest.fixture(scope="module")
def compose(compose_read: ComposeFile | ComposeFileError) -> ComposeFile:
    """For every row but the root's: a compose file missing or unreadable is one failure,
    1.2-AC2.valid's."""
    if isinstance(compose_read, ComposeFileError):
        raise Blocked(COMPOSE_FILE, str(compose_read))
    return compose_read


def playing(compose: ComposeFile, role: str) -> str:
    """The service that plays `role`, whatever its name (naming it is 1.2-AC2.services'
    concern); with none or several that look the part, nothing to judge: blocked."""
    name = compose.playing(role)
    if name is None:
        raise Blocked(
            "1.2-AC2.services",
            f"{compose.path.name}: no service named {role!r}, nor one alone that plays it "
            f"(services {sorted(compose.services)})",
        )
    return name


def service(compose: ComposeFile, role: str) -> dict:
    return compose.services[playing(compose, role)]


def called(compose: ComposeFile, role: str) -> str:
    """The role's service as the messages name it: "postgres", or "db (plays postgres)"."""
    name = playing(compose, role)
    return role if name == role else f"{name} (plays {role})"


def health_command(written: dict) -> str:
    test = (written.get("healthcheck") or {}).get("test", "")
    if isinstance(test, list):
        return " ".join(str(part) for part in test[1:])  # after CMD / CMD-SHELL
    return str(test)


@pytest.mark.ac("1.2-AC2.services")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_exactly_postgres_and_api(compose: ComposeFile) -> None:
    assert sorted(compose.services) == ["api", "postgres"], (
        f"{compose.path.name} defines services {sorted(compose.services)}, "
        "expected api and postgres"
    )


@pytest.mark.ac("1.2-AC2.postgres-image")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_postgres_15_alpine(compose: ComposeFile) -> None:
    postgres = service(compose, "postgres")
    if (build := compose.build(postgres)) is not None:
        dockerfile = os.path.relpath(build[1], compose.path.parent)
        pytest.fail(
            f"{compose.where('build:')}: {called(compose, 'postgres')} is built from "
            f"{dockerfile} (FROM {runtime_base(build[1])}), expected the official image "
            "postgres:15-alpine",
            pytrace=False,
        )
    image = postgres.get("image", "")
    assert image == "postgres:15-alpine", (
        f"{compose.where('image:')}: {called(compose, 'postgres')} image is {image!r} "
        "(with defaults), "
        "expected postgres:15-alpine"
    )


@pytest.mark.ac("1.2-AC2.healthcheck")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_pg_isready_with_escaped_user_and_database(compose: ComposeFile) -> None:
    command = health_command(compose.written_service(playing(compose, "postgres")))
    where = compose.where("pg_isready")
    assert "pg_isready" in command, (
        f"{where}: {called(compose, 'postgres')} health check {command!r} is not pg_isready"
    )
    for flag, long_flag, what in (("-U", "--username", "user"), ("-d", "--dbname", "database")):
        assert re.search(rf"({flag}|{long_flag})[=\s]+\$\$\{{?[A-Za-z_]", command), (
            f"{where}: pg_isready {command!r} must name the {what} with {flag} $${{VARIABLE}} "
            "(a $$ escape, so the container's own variable is read when the check runs)"
        )


@pytest.mark.ac("1.2-AC2.healthcheck")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_health_check_has_start_period(compose: ComposeFile) -> None:
    healthcheck = service(compose, "postgres").get("healthcheck") or {}
    assert healthcheck.get("start_period"), (
        f"{compose.where('healthcheck')}: {called(compose, 'postgres')} health check has no "
        "start_period"
    )


@pytest.mark.ac("1.2-AC2.depends-healthy")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_api_waits_for_healthy_postgres(compose: ComposeFile) -> None:
    depends = as_mapping(service(compose, "api").get("depends_on"))
    database = playing(compose, "postgres")
    condition = (depends.get(database) or {}).get("condition") if database in depends else None
    assert condition == "service_healthy", (
        f"{compose.where('depends_on')}: {called(compose, 'api')} depends_on "
        f"{database} with condition {condition!r}, "
        "expected service_healthy (anything else only waits for the container to start)"
    )


@pytest.mark.ac("1.2-AC2.env-vars")
@pytest.mark.parametrize("role", list(CONNECTION))
@pytest.mark.relies_on("1.2-AC2.valid")
def test_connection_settings_are_variables(compose: ComposeFile, role: str) -> None:
    name = playing(compose, role)
    written = compose.written_service(name)
    environment = as_mapping(written.get("environment"))
    literals = []
    for variable in CONNECTION[role]:
        value = environment.get(variable)
        if value is None and written.get("env_file"):
            continue  # provided by the env file
        if value is None or not INTERPOLATION.search(str(value)):
            literals.append(f"{variable}={value!r}")
    assert not literals, (
        f"{compose.where(name + ':')}: service {called(compose, role)} sets "
        f"{', '.join(literals)}; "
        "connection settings must be ${VARIABLE} interpolations (with defaults if you like)"
    )


@pytest.mark.ac("1.2-AC2.init-mount")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_init_sql_mounted_into_init_dir(compose: ComposeFile) -> None:
    volumes = service(compose, "postgres").get("volumes") or []
    mounts = [
        str(v) if not isinstance(v, dict) else f"{v.get('source')}:{v.get('target')}"
        for v in volumes
    ]
    found = [m for m in mounts if "init.sql" in m and INIT_DIR in m]
    assert found, (
        f"{compose.where('volumes')}: {called(compose, 'postgres')} has no scripts/init.sql "
        f"mount into {INIT_DIR}: {mounts}"
    )


@pytest.mark.ac("1.2-AC2.ports")
@pytest.mark.parametrize(("role", "port"), [("postgres", 5432), ("api", 3000)])
@pytest.mark.relies_on("1.2-AC2.valid")
def test_port_published(compose: ComposeFile, role: str, port: int) -> None:
    ports = [
        str(p) if not isinstance(p, dict) else f"{p.get('published')}:{p.get('target')}"
        for p in service(compose, role).get("ports") or []
    ]
    assert any(p.split(":")[-2:] == [str(port), str(port)] or p == str(port) for p in ports), (
        f"{compose.where('ports')}: {called(compose, role)} publishes {ports}, "
        f"expected {port}:{port}"
    )


@pytest.mark.ac("1.2-AC2.valid")
@pytest.mark.relies_on("1.2-AC2.valid")
def test_docker_compose_reads_it_as_the_suite_does(
    compose_read: ComposeFile | ComposeFileError,
) -> None:
    if isinstance(compose_read, ComposeFileError):
        pytest.fail(str(compose_read), pytrace=False)
    compose = compose_read
    if compose.docker_config_error == NO_COMPOSE:
        pytest.skip(f"{NO_COMPOSE} to cross-check the file with `docker compose config`")
    assert compose.docker_config is not None, (
        f"`docker compose config` rejects {compose.path.name}: {compose.docker_config_error}"
    )
    theirs = compose.docker_config["services"]
    assert sorted(theirs) == sorted(compose.services), (
        f"`docker compose config` reads services {sorted(theirs)}, the suite "
        f"{sorted(compose.services)}"
    )
    for name, ours in compose.services.items():
        environment = {k: str(v) for k, v in as_mapping(ours.get("environment")).items()}
        assert as_mapping(theirs[name].get("environment")) == environment, name
        their_test = (theirs[name].get("healthcheck") or {}).get("test")
        if their_test:
            # `config` writes $ as $$ again; undo that to compare with the interpolated value
            unescaped = [interpolate(part, {}) for part in their_test]
            assert unescaped == (ours.get("healthcheck") or {}).get("test"), name
