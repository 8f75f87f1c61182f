"""Security hygiene of the artifacts: no secret in the compose file, .env kept out of git
and of the image, the runtime not running as root, the database not published to the
network."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from harness.inspect.compose_file import (
    as_mapping,
    compose_file_or_blocked,
)
from harness.inspect.dockerfile import dockerfile_or_blocked
from harness.inspect.ignore_files import docker_ignore_file, ignores
from harness.inspect.layout import ProjectLayout

pytestmark = pytest.mark.static

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY", re.IGNORECASE)
INTERPOLATION = re.compile(r"\$\{?[A-Za-z_]")
ROOT_USERS = {"", "root", "0", "0:0", "root:root"}


@pytest.mark.contract("security.no-secret-literal")
def test_no_secret_literal_in_compose(project_dir: Path) -> None:
    compose = compose_file_or_blocked(project_dir, cross_check=False)
    literals = [
        f"{service}.{name}"
        for service, definition in (compose.written.get("services") or {}).items()
        for name, value in as_mapping((definition or {}).get("environment")).items()
        if SECRET_NAME.search(name)
        and value not in (None, "")
        and not INTERPOLATION.search(str(value))
    ]
    assert not literals, (
        f"{compose.path.name}: secret literal(s) in {', '.join(literals)}: use ${{VARIABLE}} "
        "and keep the value in an ignored .env"
    )


@pytest.mark.contract("security.env-ignored")
def test_env_file_is_not_committed(project_dir: Path) -> None:
    assert ignores(project_dir / ".gitignore", ".env"), (
        ".gitignore does not exclude .env: its secrets would be committed"
    )


@pytest.mark.contract("security.env-ignored")
def test_env_file_is_kept_out_of_the_build(layout: ProjectLayout) -> None:
    project_dir = layout.project_dir
    context, dockerfile = layout.build
    env = (project_dir / ".env").resolve()
    if not env.is_relative_to(context.resolve()):
        return  # the build's context does not hold .env: nothing to keep out
    ignore_file = docker_ignore_file(context, dockerfile)
    assert ignores(ignore_file, env.relative_to(context.resolve()).as_posix()), (
        f"{os.path.relpath(ignore_file, project_dir)} does not exclude .env: its secrets "
        "would be sent into the image's build context"
    )


@pytest.mark.contract("security.non-root")
def test_runtime_user_is_not_root(layout: ProjectLayout) -> None:
    dockerfile = dockerfile_or_blocked(layout.dockerfile)
    users = dockerfile.runtime.find("USER")
    user = users[-1].value.strip() if users else ""
    assert user not in ROOT_USERS, (
        f"{dockerfile.where(users[-1].line if users else dockerfile.runtime.line)}: the runtime "
        f"stage runs as {user or 'root (no USER)'}"
    )


EVERY_INTERFACE = {None, "", "0.0.0.0", "::", "[::]"}


def published_on(entry: object) -> tuple[str | None, str]:
    """(host address or None, container port) of one `ports:` entry, short or long form."""
    if isinstance(entry, dict):
        return entry.get("host_ip"), str(entry.get("target"))
    parts = str(entry).rsplit(":", 2)
    container = parts[-1].split("/")[0]
    return (parts[0] if len(parts) == 3 else None), container


@pytest.mark.contract("security.db-port-loopback")
def test_database_port_not_published_to_the_network(project_dir: Path) -> None:
    compose = compose_file_or_blocked(project_dir, cross_check=False)
    postgres = compose.services.get(compose.playing("postgres") or "postgres") or {}
    everywhere = [
        entry
        for entry in postgres.get("ports") or []
        if published_on(entry)[0] in EVERY_INTERFACE and published_on(entry)[1] == "5432"
    ]
    assert not everywhere, (
        f"{compose.where('5432')}: postgres publishes {everywhere} on every interface; "
        'bind it to loopback ("127.0.0.1:5432:5432") or drop it outside development'
    )
