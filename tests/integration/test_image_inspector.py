"""The image inspector on images made here from scratch (no registry): a static and a
dynamic ELF entry binary, and a compiler left in the image."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest

from harness.inspect.image import read_image

pytestmark = pytest.mark.image


def engine_available() -> bool:
    return (
        shutil.which("docker") is not None
        and subprocess.run(["docker", "info"], capture_output=True).returncode == 0
    )


@pytest.fixture(scope="module")
def make_image():
    if not engine_available():
        pytest.skip("no Docker engine reachable")
    made: list[str] = []

    def make(files: dict[str, bytes], cmd: str) -> str:
        tag = f"coupon-inspector-test:{uuid.uuid4().hex[:8]}"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for path, data in files.items():
                info = tarfile.TarInfo(path)
                info.size, info.mode = len(data), 0o755
                archive.addfile(info, io.BytesIO(data))
        subprocess.run(
            ["docker", "import", "--change", f'CMD ["{cmd}"]', "-", tag],
            input=buffer.getvalue(),
            capture_output=True,
            check=True,
        )
        made.append(tag)
        return tag

    yield make
    subprocess.run(["docker", "image", "rm", "--force", *made], capture_output=True)


@pytest.fixture(scope="module")
def static_binary(tmp_path_factory) -> bytes:
    if shutil.which("gcc") is None:
        pytest.skip("no gcc to build a static test binary")
    folder = tmp_path_factory.mktemp("elf")
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    subprocess.run(
        ["gcc", "-static", "-o", str(folder / "api"), str(folder / "main.c")], check=True
    )
    return (folder / "api").read_bytes()


def test_static_entry_binary(make_image, static_binary: bytes) -> None:
    facts = read_image(make_image({"app/api": static_binary}, "/app/api"))
    assert facts.entry_path == "app/api" and facts.entry_elf is not None
    assert facts.entry_elf.static and facts.toolchain() == []


def test_dynamic_entry_binary_and_compiler(make_image) -> None:
    dynamic = Path("/bin/true").read_bytes()
    facts = read_image(make_image({"app/api": dynamic, "usr/bin/gcc": b"#!/bin/sh\n"}, "/app/api"))
    assert facts.entry_elf is not None and not facts.entry_elf.static
    assert facts.entry_elf.interpreter and "libc.so.6" in facts.entry_elf.needed
    assert facts.toolchain() == ["/usr/bin/gcc"]


def test_script_entry_is_not_elf(make_image) -> None:
    facts = read_image(make_image({"app/run.sh": b"#!/bin/sh\necho hi\n"}, "/app/run.sh"))
    assert facts.entry_path == "app/run.sh" and facts.entry_elf is None
