"""A project's .gitignore and .dockerignore, asked whether they exclude a file."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from .user_file import read_lenient_text


def ignores(patterns_file: Path, name: str) -> bool:
    """Whether the ignore file's patterns (gitignore/dockerignore style) exclude `name`;
    False where there is no readable file."""
    ignored = False
    for raw in (read_lenient_text(patterns_file) or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated, pattern = line.startswith("!"), line.lstrip("!").lstrip("/").removeprefix("**/")
        if fnmatch.fnmatch(name, pattern):
            ignored = not negated
    return ignored


def docker_ignore_file(context: Path, dockerfile: Path) -> Path:
    """The ignore file a build reads: BuildKit's <Dockerfile>.dockerignore where there is
    one, else the context's .dockerignore."""
    own = dockerfile.with_name(dockerfile.name + ".dockerignore")
    return own if own.is_file() else context / ".dockerignore"
