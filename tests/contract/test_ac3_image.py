"""Story 1.2 AC3, on the image itself: the runtime image `docker compose up --build` built
for the api service is Alpine, small, holds no compiler, and (for Go) runs a static binary."""

from __future__ import annotations

import pytest

from harness.inspect.dockerfile import dockerfile_or_blocked
from harness.inspect.image import ImageError, ImageFacts, read_image
from harness.inspect.layout import ProjectLayout
from harness.stacks.compose_project import ComposeProject
from harness.stacks.stack import Stack

pytestmark = [pytest.mark.image, pytest.mark.runtime]

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def image(compose_project: ComposeProject, stack: Stack) -> ImageFacts:
    """The image `docker compose up --build` built for the api service."""
    try:
        return read_image(compose_project.inspect(compose_project.api)["Image"])
    except ImageError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def go_builder(layout: ProjectLayout) -> bool:
    return bool(dockerfile_or_blocked(layout.dockerfile).go_builders)


@pytest.mark.ac("1.2-AC3.image-alpine")
def test_runtime_image_is_alpine(image: ImageFacts) -> None:
    if image.stand_in:
        pytest.skip(
            f"built on a stand-in base ({image.stand_in}) because no registry was reachable: "
            "the OS is the stand-in's; 1.2-AC3.alpine checks the Dockerfile's real base"
        )
    assert image.os_release.get("ID") == "alpine", (
        f"{image.reference}: /etc/os-release says {image.os_release.get('PRETTY_NAME')!r}"
    )


@pytest.mark.ac("1.2-AC3.image-no-toolchain")
def test_no_build_toolchain(image: ImageFacts) -> None:
    found = image.toolchain()
    assert not found, f"{image.reference} ships a build toolchain: {', '.join(found)}"


@pytest.mark.ac("1.2-AC3.image-size")
def test_added_size_within_budget(image: ImageFacts, pytestconfig: pytest.Config) -> None:
    if image.added_size is None:
        pytest.skip("the base image is not in the local engine, so the added size is unknown")
    budget = pytestconfig.getoption("image_size_budget")
    assert image.added_size <= budget * MIB, (
        f"{image.reference} adds {image.added_size / MIB:.0f} MiB to {image.base}; "
        f"budget {budget:.0f} MiB (--image-size-budget)"
    )


@pytest.mark.ac("1.2-AC3.image-static")
def test_go_entry_binary_is_static(image: ImageFacts, go_builder: bool) -> None:
    if not go_builder:
        pytest.skip(f"the builder is not Go; the entry is {image.command[:1]}, an interpreter")
    assert image.entry_elf is not None, (
        f"{image.reference}: entry {image.command} is not an ELF binary in the image"
    )
    elf = image.entry_elf
    assert elf.static, (
        f"/{image.entry_path} needs {elf.interpreter} and {list(elf.needed)}: "
        "build it with CGO_ENABLED=0"
    )
