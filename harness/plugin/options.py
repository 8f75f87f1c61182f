"""The suite's command-line options (`pytest --help`, under "Flash Sale Coupon API contract
suite"), and the combinations it refuses before anything starts."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

from ..stacks.option_types import number_or_zero, positive_int, positive_number
from ..stacks.options import add_stack_options, stack_spec
from ..stacks.spec import StackSpec

# Two instances by default: no rule may rest on memory inside one process.
SUITE_INSTANCES = 2


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupon", "Flash Sale Coupon API contract suite")
    add_stack_options(group.addoption, instances=SUITE_INSTANCES)
    group.addoption(
        "--image-size-budget",
        type=positive_number,
        default=150.0,
        help="MiB the API's runtime image may add to its base image (default 150)",
    )
    group.addoption(
        "--answer-within",
        type=positive_number,
        default=10.0,
        help="seconds within which the API must answer every request of a stress scenario, "
        "and every request during a fault, with an error if need be (default 10)",
    )
    group.addoption(
        "--big-coupon",
        type=positive_int,
        default=2000,
        metavar="N",
        help="claimers of the big coupon invariant 10 is judged on: every one claims, GET "
        "must list them all (default 2000)",
    )
    group.addoption(
        "--check-budget",
        type=number_or_zero,
        default=60.0,
        help="seconds each search (the model, the workloads, each hostile-input check) may "
        "take; past it the search stops and its row is CUT SHORT with what it judged "
        "(default 60; 0: no limit)",
    )
    group.addoption(
        "--run-budget",
        type=number_or_zero,
        default=480.0,
        help="seconds the checks that need the stack may take in all (its start-up "
        "included); one that would start after that is CUT SHORT, so a slow implementation "
        "gets its verdict in bounded time (default 480; 0: no limit)",
    )
    group.addoption(
        "--recover-within",
        type=positive_number,
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
    group.addoption(
        "--report",
        type=Path,
        default=None,
        help="folder for the report: index.html (the scorecard with each row's evidence and "
        "timelines of the violations found), and the histories judged, kept to be judged "
        "again with `coupon-acceptance check` (default: results/report-RUN in the current "
        "directory)",
    )
    group.addoption("--no-report", action="store_true", help="write no report folder")
    group.addoption("--scorecard-md", type=Path, help="also write the scorecard as Markdown here")
    group.addoption("--scorecard-json", type=Path, help="also write the scorecard as JSON here")


def project_dir_of(config: pytest.Config) -> Path:
    """--project-dir, or this repository (pytest's rootdir) when none is given."""
    return (config.getoption("project_dir") or config.rootpath).resolve()


def stack_spec_of(config: pytest.Config) -> StackSpec:
    """The stack the options describe (the fault proxy is added by the fixture)."""
    return stack_spec(
        config.getoption,
        project_dir=project_dir_of(config),
        instances=SUITE_INSTANCES,
        db_proxy=True,
    )


def report_dir_of(config: pytest.Config) -> Path | None:
    """Where this run's report is to go (None: nowhere); the reporter asks once."""
    if config.getoption("no_report"):
        return None
    run = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
    return (config.getoption("report") or Path("results") / f"report-{run}").resolve()


def check_options(config: pytest.Config) -> None:
    """Refuse what cannot work, as a usage error (exit status 4), before any stack starts."""
    if problem := stack_spec_of(config).problem():
        raise pytest.UsageError(problem)
