"""Story 1.2 AC3: the Dockerfile (the one the compose file builds the API from), read with
dockerfile-parse and linted with hadolint."""

from __future__ import annotations

import re

import pytest

from harness.blocked import DOCKERFILE, Blocked
from harness.inspect.dockerfile import (
    DockerfileError,
    DockerfileFacts,
    read_dockerfile,
)
from harness.inspect.layout import ProjectLayout

pytestmark = pytest.mark.static


@pytest.fixture(scope="module")
def dockerfile_read(layout: ProjectLayout) -> DockerfileFacts | DockerfileError:
    try:
        return read_dockerfile(layout.dockerfile)
    except DockerfileError as exc:
        return exc


@pytest.fixture(scope="module")
def dockerfile(dockerfile_read: DockerfileFacts | DockerfileError) -> DockerfileFacts:
    """For every row but the root's: a Dockerfile missing or without a FROM is one
    failure, 1.2-AC3.multi-stage's."""
    if isinstance(dockerfile_read, DockerfileError):
        raise Blocked(DOCKERFILE, str(dockerfile_read))
    return dockerfile_read


@pytest.mark.ac("1.2-AC3.multi-stage")
@pytest.mark.relies_on("1.2-AC3.multi-stage")
def test_runtime_copies_from_a_builder(dockerfile_read: DockerfileFacts | DockerfileError) -> None:
    if isinstance(dockerfile_read, DockerfileError):
        pytest.fail(str(dockerfile_read), pytrace=False)
    dockerfile = dockerfile_read
    assert len(dockerfile.stages) >= 2, f"{dockerfile.path.name} has a single stage"
    assert dockerfile.builders, (
        f"{dockerfile.where(dockerfile.runtime.line)}: the final stage copies nothing "
        "COPY --from another stage"
    )


@pytest.mark.ac("1.2-AC3.alpine")
@pytest.mark.relies_on("1.2-AC3.multi-stage")
def test_runtime_base_is_alpine(dockerfile: DockerfileFacts) -> None:
    runtime = dockerfile.runtime
    base = runtime.base
    parent = dockerfile.stage(base)  # FROM another stage of this file
    while parent is not None and parent is not runtime:
        runtime, base = parent, parent.base
        parent = dockerfile.stage(base)
    assert "alpine" in base, (
        f"{dockerfile.where(dockerfile.runtime.line)}: runtime stage is FROM {base!r} "
        f"(written {dockerfile.runtime.base_written!r}), expected an alpine image"
    )


@pytest.mark.ac("1.2-AC3.layer-cache")
@pytest.mark.relies_on("1.2-AC3.multi-stage")
def test_manifest_installed_before_source(dockerfile: DockerfileFacts) -> None:
    assert dockerfile.builders, "no builder stage"
    for builder in dockerfile.builders:
        manifest, install, source = builder.build_order()
        where = dockerfile.where
        assert manifest, (
            f"{where(builder.line)}: {builder.label} copies no dependency manifest alone"
        )
        assert install, f"{where(builder.line)}: {builder.label} never installs dependencies"
        assert manifest < install, (
            f"{where(install)}: dependencies installed before the manifest copy"
        )
        assert source is None or install < source, (
            f"{where(source)}: {builder.label} copies the source (line {source}) before installing "
            f"dependencies (line {install}): every code change re-downloads them"
        )


@pytest.mark.ac("1.2-AC3.cgo")
@pytest.mark.relies_on("1.2-AC3.multi-stage")
def test_go_build_is_static_and_stripped(dockerfile: DockerfileFacts) -> None:
    if not dockerfile.go_builders:
        pytest.skip("the builder is not Go: CGO_ENABLED and -ldflags do not apply")
    for builder in dockerfile.go_builders:
        command = builder.go_build or ""
        inline = re.findall(r"CGO_ENABLED=(\S+)", command)
        cgo = inline[-1] if inline else builder.env.get("CGO_ENABLED")
        assert cgo == "0", f"{dockerfile.where(builder.line)}: go build runs with CGO_ENABLED={cgo}"
        flags = re.search(r"-ldflags[=\s]+[\"']?([^\"']*)", command)
        words = flags.group(1).split() if flags else []
        assert "-w" in words and "-s" in words, f"go build -ldflags {words}, expected -w -s"


@pytest.mark.ac("1.2-AC3.hadolint")
@pytest.mark.relies_on("1.2-AC3.multi-stage")
def test_hadolint_finds_no_error(dockerfile: DockerfileFacts) -> None:
    if dockerfile.lint is None:
        pytest.skip(f"hadolint did not run: {dockerfile.lint_error}")
    errors = [f for f in dockerfile.lint if f.level == "error"]
    assert not errors, "; ".join(f"{dockerfile.where(f.line)} {f.code} {f.message}" for f in errors)
