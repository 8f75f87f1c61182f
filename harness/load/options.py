"""The load run's options: the stack options every command takes, the load's own, and
locust's own names for running across machines (a master, workers that connect to it)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from harness.stacks.option_types import folder_to_write
from harness.stacks.options import add_stack_options, stack_spec
from harness.stacks.spec import StackSpec

LOAD_INSTANCES = 1  # the load is the point here; --instances 2 spreads it over two
MASTER_PORT = 5557  # locust's own default


def hot_coupon_name(run_id: str) -> str:
    """The coupon every flash-sale user of the run claims."""
    return f"load-{run_id}-hot"


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="coupon-acceptance load",
        description="Locust flash sale, then the invariants of api-contract.md checked on "
        "every claim's answer. Arguments it does not know go to locust (e.g. "
        "--flash-weight 10 --dipper-weight 5).",
    )
    stack = parser.add_argument_group("stack (the contract suite's options)")
    add_stack_options(stack.add_argument, instances=LOAD_INSTANCES)
    stack.add_argument("--host", help=argparse.SUPPRESS)  # before --api-url; one more release
    load = parser.add_argument_group("load")
    load.add_argument("--users", type=int, default=200, help="concurrent locust users (200)")
    load.add_argument("--spawn-rate", type=float, default=100, help="users started per second")
    load.add_argument("--run-time", default="30s", help="how long, e.g. 10s, 1m (30s)")
    load.add_argument("--hot-stock", type=int, default=1000, help="stock of the hot coupon")
    load.add_argument(
        "--arrival-rate",
        type=float,
        default=0.0,
        help="open model: claims per second at a fixed rate, answered or not, in place of "
        "the user mix, split between the workers; latency counts from when each claim was "
        "due (no coordinated omission)",
    )
    load.add_argument(
        "--results", type=folder_to_write, help="folder for the report (results/load-RUN)"
    )
    load.add_argument(
        "--max-failure-ratio",
        type=float,
        default=0.0,
        help="failures (5xx, transport errors) allowed, as a share of requests",
    )
    load.add_argument("--locustfile", type=Path, help=argparse.SUPPRESS)  # tests/mutants
    spread = parser.add_argument_group(
        "across processes and machines (locust's own distribution and option names)"
    )
    spread.add_argument(
        "--workers",
        type=int,
        default=0,
        help="one master and N worker processes on this machine",
    )
    spread.add_argument(
        "--master",
        action="store_true",
        help="run the master: open the stack, wait for --expect-workers workers to connect "
        "from any host, run the sale, judge every claim they report",
    )
    spread.add_argument("--expect-workers", type=int, default=1, help="with --master (1)")
    spread.add_argument(
        "--master-bind-host", default="*", help="with --master: the interface to listen on (*)"
    )
    spread.add_argument(
        "--master-bind-port", type=int, default=MASTER_PORT, help=f"with --master ({MASTER_PORT})"
    )
    spread.add_argument(
        "--expect-workers-max-wait",
        type=int,
        default=120,
        help="with --master: seconds to wait for the workers to connect before giving up (120)",
    )
    spread.add_argument(
        "--worker",
        action="store_true",
        help="run one worker: connect to --master-host and send what the master says; needs "
        "no stack option, no clone and no shared disk",
    )
    spread.add_argument("--master-host", help="with --worker: where the master runs")
    spread.add_argument(
        "--master-port", type=int, default=MASTER_PORT, help=f"with --worker ({MASTER_PORT})"
    )
    options, passthrough = parser.parse_known_args(argv)
    if options.host:
        print("--host is deprecated: use --api-url URL (with --dsn DSN)", file=sys.stderr)
        options.api_url = [*options.api_url, options.host]  # not the shared default list
    if problem := usage_problem(options):
        parser.error(problem)
    return options, passthrough


def usage_problem(options: argparse.Namespace) -> str | None:
    roles = [name for name in ("workers", "master", "worker") if getattr(options, name)]
    if len(roles) > 1:
        return f"--{roles[0]} and --{roles[1]} do not go together"
    if options.worker:
        return None if options.master_host else "--worker needs --master-host HOST"
    if options.master_host:
        return "--master-host is for --worker"
    if options.master and options.expect_workers < 1:
        return "--expect-workers must be 1 or more"
    if options.arrival_rate < 0:
        return "--arrival-rate must be positive"
    return spec_of(options).problem()


def spec_of(options: argparse.Namespace, results: Path | None = None) -> StackSpec:
    spec = stack_spec(
        lambda dest: getattr(options, dest), project_dir=Path.cwd(), instances=LOAD_INSTANCES
    )
    # a compose project's override file and logs go with the run's results
    return dataclasses.replace(spec, workdir=results / "compose") if results else spec
