"""The schema a project gives its database: story 1.2's scripts/init.sql, else the SQL its
compose file mounts into the postgres image's init directory, in the order that image's
entrypoint runs it (by name). A project that keeps its schema elsewhere fails
1.2-AC4.init-file once; the embedded stack still loads what its database would run, so
the API's behaviour is judged all the same."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .compose_file import ComposeFile

INIT_DIR = PurePosixPath("/docker-entrypoint-initdb.d")
STORY_INIT_SQL = Path("scripts") / "init.sql"


@dataclass(frozen=True)
class InitScripts:
    files: tuple[Path, ...]  # run in this order
    origin: str  # where they were found, for the stack's description and errors


def _bind_mounts(service: dict) -> list[tuple[str, str]]:
    """(host path, container path) of a service's bind mounts, short or long syntax."""
    mounts = []
    for volume in service.get("volumes") or ():
        if isinstance(volume, dict):
            if volume.get("type", "bind") == "bind" and volume.get("source"):
                mounts.append((str(volume["source"]), str(volume.get("target", ""))))
            continue
        source, _, rest = str(volume).partition(":")
        if source.startswith((".", "/", "~")) and rest:  # else a named volume
            mounts.append((source, rest.split(":")[0]))
    return mounts


def mounted_init_scripts(compose: ComposeFile) -> list[Path]:
    """The files the database service's bind mounts put into the init directory, ordered
    by their names there."""
    name = compose.playing("postgres")
    if name is None:
        return []
    by_name: dict[str, Path] = {}
    for source, target in _bind_mounts(compose.services[name]):
        host = (compose.path.parent / Path(source).expanduser()).resolve()
        inside = PurePosixPath(target)
        if inside == INIT_DIR and host.is_dir():
            by_name.update({path.name: path for path in host.iterdir() if path.is_file()})
        elif inside.parent == INIT_DIR and host.is_file():
            by_name[inside.name] = host
    return [by_name[key] for key in sorted(by_name)]


def init_scripts(project_dir: Path, compose: ComposeFile | None) -> InitScripts | None:
    """scripts/init.sql when it exists; else what the compose file (if any) mounts; None if
    neither."""
    story = project_dir / STORY_INIT_SQL
    if story.is_file():
        return InitScripts((story,), str(STORY_INIT_SQL))
    if compose is None:
        return None
    mounted = mounted_init_scripts(compose)
    sql = [path for path in mounted if path.suffix == ".sql"]
    # The image also runs .sh and compressed .sql files; the embedded stack does not.
    not_run = [_shown(path, project_dir) for path in mounted if path.suffix != ".sql"]
    if not sql:
        return None
    shown = ", ".join(_shown(path, project_dir) for path in sql)
    unrun = f" ({', '.join(not_run)} not run by the local stack)" if not_run else ""
    return InitScripts(
        tuple(sql), f"{shown}, which {compose.path.name} mounts into {INIT_DIR}{unrun}"
    )


def _shown(path: Path, project_dir: Path) -> str:
    try:
        return str(path.relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)
