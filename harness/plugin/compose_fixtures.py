"""pytest-docker's fixtures, overridden so that `docker_services` brings up the project's
own compose stack: its compose file (plus --compose-file extras and a loopback override),
a project name unique to the run, `up --build --wait`, and `down --volumes` at the end.

`compose_project` is also what a test asks for when it needs the compose stack: on any
other stack it skips, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..stacks.compose import DOWN, ComposeProject, image_at_hand, new_project, up_command
from ..stacks.stack import StackError
from .terminal import say


@pytest.fixture(scope="session")
def compose_project(
    pytestconfig: pytest.Config, project_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> ComposeProject:
    kind = pytestconfig.getoption("stack")
    if kind != "compose":
        pytest.skip(f"needs --stack=compose (this run uses the {kind} stack)")
    image = pytestconfig.getoption("fault_proxy_image")
    if not image_at_hand(image):
        say(pytestconfig, f"\nno image {image} for the fault proxy: network faults will skip")
        image = None
    try:
        return new_project(
            project_dir,
            tmp_path_factory.mktemp("compose"),
            tuple(pytestconfig.getoption("compose_file")),
            instances=pytestconfig.getoption("instances"),
            fault_proxy_image=image,
        )
    except StackError as exc:  # no compose file: what needs the stack is blocked by it
        raise exc.blocking(kind) from None


@pytest.fixture(scope="session")
def docker_compose_command(compose_project: ComposeProject) -> str:
    return compose_project.command


@pytest.fixture(scope="session")
def docker_compose_file(compose_project: ComposeProject) -> list[str]:
    return [str(file) for file in compose_project.files]


@pytest.fixture(scope="session")
def docker_compose_project_name(compose_project: ComposeProject) -> str:
    return compose_project.name


@pytest.fixture(scope="session")
def docker_setup(pytestconfig: pytest.Config, compose_project: ComposeProject) -> list[str]:
    timeout = pytestconfig.getoption("startup_timeout")
    return [up_command(timeout, compose_project.instances, compose_project.api)]


@pytest.fixture(scope="session")
def docker_cleanup() -> list[str]:
    return [DOWN]
