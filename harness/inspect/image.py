"""A built image as facts: its config, its OS, its files, the size it adds over its base,
and whether its entry binary is a static ELF. Read through the Docker engine."""

from __future__ import annotations

import io
import json
import posixpath
import subprocess
import tarfile
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

STAND_IN_LABEL = "org.coupon-acceptance.stand-in"
TOOLCHAIN = ("gcc", "cc", "go", "g++", "clang")
BIN_DIRS = ("bin", "usr/bin", "usr/local/bin", "usr/local/go/bin", "usr/lib/go/bin")


class ImageError(RuntimeError):
    """The engine could not show us the image."""


def docker(*args: str, binary: bool = False) -> str | bytes:
    result = subprocess.run(["docker", *args], capture_output=True, text=not binary, timeout=300)
    if result.returncode != 0:
        error = result.stderr if not binary else result.stderr.decode(errors="replace")
        raise ImageError(f"docker {' '.join(args[:2])} failed: {error.strip()}")
    return result.stdout


@dataclass(frozen=True)
class ElfFacts:
    interpreter: str | None  # PT_INTERP: the dynamic loader it needs
    needed: tuple[str, ...]  # DT_NEEDED: the shared libraries it needs

    @property
    def static(self) -> bool:
        return self.interpreter is None and not self.needed


def read_elf(data: bytes) -> ElfFacts | None:
    """None when the data is not an ELF file (a script, say)."""
    try:
        elf = ELFFile(io.BytesIO(data))
        interpreter = None
        for segment in elf.iter_segments():
            if segment.header.p_type == "PT_INTERP":
                interpreter = segment.get_interp_name()
        needed = []
        dynamic = elf.get_section_by_name(".dynamic")
        if dynamic is not None:
            needed = [tag.needed for tag in dynamic.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]
        return ElfFacts(interpreter, tuple(needed))
    except ELFError:
        return None


@dataclass
class ImageFacts:
    reference: str
    size: int
    labels: dict[str, str]
    user: str
    exposed_ports: list[str]
    command: list[str]  # entrypoint + cmd, as the container runs it
    os_release: dict[str, str]
    paths: set[str]  # every path in the filesystem, without leading /
    symlinks: dict[str, str] = field(default_factory=dict)
    entry_path: str | None = None
    entry_elf: ElfFacts | None = None
    base: str | None = None  # the local image whose layers this one starts with
    base_size: int | None = None

    @property
    def stand_in(self) -> str | None:
        return self.labels.get(STAND_IN_LABEL)

    @property
    def added_size(self) -> int | None:
        return None if self.base_size is None else self.size - self.base_size

    def toolchain(self) -> list[str]:
        return sorted(
            f"/{directory}/{tool}"
            for directory in BIN_DIRS
            for tool in TOOLCHAIN
            if f"{directory}/{tool}" in self.paths
        )


def _entry_candidates(command: list[str], workdir: str, env: list[str]) -> list[str]:
    if not command:
        return []
    program = command[0]
    if "/" in program:
        return [posixpath.normpath(posixpath.join(workdir or "/", program)).lstrip("/")]
    path = next((e.split("=", 1)[1] for e in env if e.startswith("PATH=")), "/usr/bin:/bin")
    return [posixpath.join(d, program).lstrip("/") for d in path.split(":") if d]


def _walk_filesystem(
    reference: str, wanted: set[str]
) -> tuple[set[str], dict[str, str], dict[str, bytes]]:
    """Every path, the symlinks, and the content of the wanted files, from `docker export`."""
    container = str(docker("create", reference)).strip()
    try:
        export = subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE)
        paths, links, contents = set(), {}, {}
        with tarfile.open(fileobj=export.stdout, mode="r|") as archive:
            for member in archive:
                name = member.name.lstrip("./").rstrip("/")
                paths.add(name)
                if member.issym():
                    links[name] = member.linkname
                elif member.isfile() and name in wanted:
                    contents[name] = archive.extractfile(member).read()
        export.wait()
    finally:
        docker("rm", "--force", container)
    return paths, links, contents


def _follow(path: str, links: dict[str, str]) -> str:
    for _ in range(20):
        target = links.get(path)
        if target is None:
            return path
        base = "" if target.startswith("/") else posixpath.dirname(path)
        path = posixpath.normpath(posixpath.join(base, target)).lstrip("/")
    return path


def _base_of(layers: list[str]) -> tuple[str | None, int | None]:
    """The local image with the longest proper prefix of our layers: what we were built FROM."""
    ids = str(docker("image", "ls", "--quiet", "--no-trunc")).split()
    best: tuple[int, str | None, int | None] = (0, None, None)
    for image in json.loads(str(docker("image", "inspect", *ids))) if ids else []:
        theirs = image["RootFS"].get("Layers") or []
        if (
            0 < len(theirs) < len(layers)
            and layers[: len(theirs)] == theirs
            and len(theirs) > best[0]
        ):
            name = (image.get("RepoTags") or [image["Id"]])[0]
            best = (len(theirs), name, image["Size"])
    return best[1], best[2]


def read_image(reference: str) -> ImageFacts:
    info = json.loads(str(docker("image", "inspect", reference)))[0]
    config = info["Config"]
    command = (config.get("Entrypoint") or []) + (config.get("Cmd") or [])
    candidates = _entry_candidates(
        command, config.get("WorkingDir") or "/", config.get("Env") or []
    )
    wanted = {"etc/os-release", "usr/lib/os-release", *candidates}
    paths, links, contents = _walk_filesystem(reference, wanted)
    entry = next((c for c in candidates if c in paths), None)
    resolved = _follow(entry, links) if entry else None
    if resolved and resolved not in contents:  # the entry was a symlink: fetch its target
        contents.update(_walk_filesystem(reference, {resolved})[2])
    release_text = (
        contents.get("etc/os-release") or contents.get("usr/lib/os-release") or b""
    ).decode()
    os_release = dict(
        (key, value.strip('"'))
        for key, _, value in (line.partition("=") for line in release_text.splitlines())
        if key
    )
    base, base_size = _base_of(info["RootFS"].get("Layers") or [])
    return ImageFacts(
        reference=reference,
        size=info["Size"],
        labels=config.get("Labels") or {},
        user=config.get("User") or "",
        exposed_ports=sorted(config.get("ExposedPorts") or {}),
        command=command,
        os_release=os_release,
        paths=paths,
        symlinks=links,
        entry_path=resolved,
        entry_elf=read_elf(contents[resolved]) if resolved in contents else None,
        base=base,
        base_size=base_size,
    )
