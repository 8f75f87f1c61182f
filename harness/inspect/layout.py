"""A project's layout, read once: its compose file, the services that play postgres and
api, where the API's image is built from, and the schema its database is given. The stack
opener and the static checks all ask this one value rather than each walking the files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .compose_file import ComposeFile, ComposeFileError, read_compose_file
from .init_scripts import InitScripts, init_scripts


@dataclass(frozen=True)
class ProjectLayout:
    project_dir: Path
    compose: ComposeFile | None  # None when there is none, or it does not read
    compose_error: str | None  # why, then
    database: str  # the service that plays postgres (the story's name where none does)
    api: str  # the service that plays api
    build: tuple[Path, Path]  # (context, Dockerfile) of the API's image
    init: InitScripts | None  # the schema the database is given; None when there is none

    @property
    def dockerfile(self) -> Path:
        return self.build[1]


def read_layout(project_dir: Path) -> ProjectLayout:
    """The project as it stands on disk; never raises for a missing or broken file (the
    checks that read one say what is wrong with it)."""
    project_dir = project_dir.resolve()
    try:
        compose, error = read_compose_file(project_dir, cross_check=False), None
    except ComposeFileError as exc:
        compose, error = None, str(exc)
    build = compose.build_of("api") if compose else None
    return ProjectLayout(
        project_dir=project_dir,
        compose=compose,
        compose_error=error,
        database=(compose and compose.playing("postgres")) or "postgres",
        api=(compose and compose.playing("api")) or "api",
        build=build or (project_dir, project_dir / "Dockerfile"),
        init=init_scripts(project_dir, compose),
    )
