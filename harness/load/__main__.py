"""`python -m harness.load` (what `nox -s load` runs): a locust flash sale against a stack,
then every claim's answer and the final tables judged against the contract's invariants.

It takes the contract suite's stack options: by default the embedded stack (reference
API, or --api-cmd); --stack compose brings up --project-dir's compose stack; --api-url and
--dsn point it at a running one. Exit status: 0 when no invariant is violated and failures stay
within --max-failure-ratio; 1 otherwise (or when the stack does not come up); 2 on a usage
error."""

from __future__ import annotations

import argparse
import dataclasses
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg

from harness.races.calibration import learn_claim_statuses
from harness.races.client import ApiClient
from harness.races.history import Operation, read_history
from harness.races.judge import judge, views_of
from harness.races.kept import KeptRun
from harness.races.statuses import StatusMap
from harness.report.load_page import write_load_report
from harness.stacks.opener import open_stack
from harness.stacks.options import add_stack_options, stack_spec
from harness.stacks.ports import free_port
from harness.stacks.spec import StackSpec
from harness.stacks.stack import Stack, StackError
from harness.steal import StealMeter, steal_line

from .generator import bottleneck, read_generators
from .report import endpoint_rows, summary

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOAD_INSTANCES = 1  # the load is the point here; --instances 2 spreads it over two
ARRIVALS = Path(__file__).with_name("arrivals.py")  # the open model


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="nox -s load --",
        description="Locust flash sale, then the invariants of api-contract.md checked. "
        "Arguments it does not know go to locust (e.g. --flash-weight 10 --dipper-weight 5).",
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
        "the user mix; latency counts from when each claim was due (no coordinated omission)",
    )
    load.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run locust distributed: one master and N worker processes",
    )
    load.add_argument("--results", type=Path, help="folder for the report (results/load-RUN)")
    load.add_argument(
        "--max-failure-ratio",
        type=float,
        default=0.0,
        help="failures (5xx, transport errors) allowed, as a share of requests",
    )
    options, passthrough = parser.parse_known_args(argv)
    if options.host:
        print("--host is deprecated: use --api-url URL (with --dsn DSN)", file=sys.stderr)
        options.api_url = [*options.api_url, options.host]  # not the shared default list
    if problem := spec_of(options).problem():
        parser.error(problem)
    if options.arrival_rate < 0:
        parser.error("--arrival-rate must be positive")
    return options, passthrough


def spec_of(options: argparse.Namespace, results: Path | None = None) -> StackSpec:
    spec = stack_spec(
        lambda dest: getattr(options, dest), project_dir=Path.cwd(), instances=LOAD_INSTANCES
    )
    # a compose project's override file and logs go with the run's results
    return dataclasses.replace(spec, workdir=results / "compose") if results else spec


def locust_commands(
    options: argparse.Namespace,
    stack: Stack,
    run_id: str,
    results: Path,
    statuses: StatusMap,
    passthrough: list[str],
) -> list[list[str]]:
    common = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ARRIVALS if options.arrival_rate else LOCUSTFILE),
        "--host",
        stack.api_url,
        "--run-id",
        run_id,
        "--hot-stock",
        str(options.hot_stock),
        "--history-dir",
        str(results / "history"),
        "--generator-dir",
        str(results / "generators"),
        "--api-hosts",
        ",".join(stack.api_urls),
        "--claim-statuses",
        statuses.as_option(),
        *passthrough,
    ]
    users, spawn_rate = options.users, options.spawn_rate
    if options.arrival_rate:  # one SteadyArrivals user per process, its share of the rate
        processes = max(options.workers, 1)
        common += ["--arrival-rate", str(options.arrival_rate / processes)]
        users, spawn_rate = processes, processes
    master = [
        *common,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        options.run_time,
        "--csv",
        str(results / "locust"),
        "--html",
        str(results / "report.html"),
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    if not options.workers:
        return [master]
    port = str(free_port())
    master += [
        "--master",
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        port,
        "--expect-workers",
        str(options.workers),
    ]
    worker = [*common, "--worker", "--master-host", "127.0.0.1", "--master-port", port]
    return [master] + [worker] * options.workers


def run_locust(commands: list[list[str]]) -> None:
    master, *workers = commands
    started = [subprocess.Popen(command) for command in workers]
    try:
        subprocess.run(master, check=False)
    finally:
        for process in started:
            process.wait(timeout=60)


def run_coupons(dsn: str, run_id: str, history: list[Operation]) -> list[str]:
    """Every coupon of the run: from the coupons table, or, where it cannot be read as the
    story's, those the history claimed."""
    try:
        with psycopg.connect(dsn) as conn:
            found = conn.execute(
                "SELECT name FROM coupons WHERE name LIKE %s", (f"load-{run_id}-%",)
            )
            return [name for (name,) in found]
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn):
        return sorted({op.coupon for op in history})


def main(argv: list[str] | None = None) -> int:
    options, passthrough = parse_args(sys.argv[1:] if argv is None else argv)
    run_id = secrets.token_hex(4)
    results = (options.results or Path("results") / f"load-{run_id}").resolve()
    try:
        with open_stack(spec_of(options, results)) as stack:
            print(f"stack: {stack.description}\nrun {run_id}: results in {results}", flush=True)
            api = ApiClient(stack.api_url)
            statuses = learn_claim_statuses(
                api, lambda prefix: f"load-{run_id}-{prefix}-{secrets.token_hex(3)}"
            )
            with StealMeter() as host:
                run_locust(locust_commands(options, stack, run_id, results, statuses, passthrough))
            history = list(read_history(results / "history"))
            names = run_coupons(stack.dsn, run_id, history)
            views = views_of(api, names)
            judgement = judge(history, names, stack.dsn, views)
    except StackError as exc:
        print(f"the stack did not come up: {exc}", file=sys.stderr)
        return 1
    violations = judgement.broken()
    if judgement.blocked:
        print(f"judged from GET alone: {judgement.blocked.observed}")
    rows = endpoint_rows(results)
    report = summary(rows, history, violations, len(names))
    report += "\n" + bottleneck(read_generators(results / "generators"))
    report += "\n" + steal_line(host.share)
    (results / "summary.txt").write_text(report + "\n")
    print(report)
    blocked = judgement.blocked and str(judgement.blocked)
    kept = KeptRun(history, judgement.states, views, judgement.violations, blocked)
    print(f"report: {write_load_report(results, kept, report)}")
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    failures = int(total["Failure Count"]) if total else 0
    requests_sent = int(total["Request Count"]) if total else 0
    ratio = failures / requests_sent if requests_sent else 0.0
    if ratio > options.max_failure_ratio:
        print(
            f"failures: {failures} of {requests_sent} requests, above --max-failure-ratio "
            f"{options.max_failure_ratio}"
        )
        return 1
    if not requests_sent:
        print("no request was sent")
        return 1
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
