"""`coupon-acceptance load` (and `nox -s load`): a locust flash sale against a stack, then
every claim's answer and the final tables judged against the contract's invariants.

It takes the contract suite's stack options: by default the embedded stack (reference
API, or --api-cmd); --stack compose brings up --project-dir's compose stack; --api-url and
--dsn point it at a running one. Across machines it is locust's own distribution: `load
--master --expect-workers N` on one host, `load --worker --master-host HOST` on each of
the others; the workers ship their histories to the master over locust's messages.

Exit status: 0 when no invariant is violated, every worker's history arrived whole and
failures stay within --max-failure-ratio; 1 otherwise (or when the stack does not come up,
or the workers never connect); 2 on a usage error."""

from __future__ import annotations

import os
import secrets
import sys
from argparse import Namespace
from pathlib import Path

import psycopg

from harness.races.calibration import learn_claim_statuses
from harness.races.checker import check
from harness.races.claims_run import create_bystanders
from harness.races.client import ApiClient
from harness.races.history import HistoryFile, Operation, read_history
from harness.races.judge import judge, views_of
from harness.races.kept import KeptRun
from harness.report import run_status
from harness.report.load_page import write_load_report
from harness.stacks.opener import open_stack
from harness.stacks.stack import StackError
from harness.steal import StealMeter, steal_line

from .commands import locust_commands, run_locust, worker_command
from .generator import bottleneck, read_generators
from .options import hot_coupon_name, parse_args, spec_of
from .report import endpoint_rows, summary
from .shipping import read_summary
from .workers import short_counts, unknown_after_death, worker_lines


def run_coupons(dsn: str, run_id: str, history: list[Operation]) -> list[str]:
    """Every coupon of the run: those its history names (its bystanders among them), and
    the coupons table's of the run's prefix where it can be read as the story's."""
    named = {op.coupon for op in history}
    try:
        with psycopg.connect(dsn) as conn:
            found = conn.execute(
                "SELECT name FROM coupons WHERE name LIKE %s", (f"load-{run_id}-%",)
            )
            return sorted(named | {name for (name,) in found})
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn):
        return sorted(named)


def main(argv: list[str] | None = None) -> int:
    options, passthrough = parse_args(sys.argv[1:] if argv is None else argv)
    if options.worker:  # this process becomes the locust worker: signals reach it
        command = worker_command(options, options.master_host, options.master_port)
        os.execv(command[0], command + passthrough)
    run_id = secrets.token_hex(4)
    results = (options.results or Path("results") / f"load-{run_id}").resolve()
    try:
        run_status.mark(results, run_status.RUNNING)
    except OSError as exc:
        print(f"coupon-acceptance load: cannot write in {results}: {exc.strerror}", file=sys.stderr)
        return 2
    # SIGTERM keeps its own meaning here: the end of the harness, with locust and the
    # stack's processes (their death signal) and a compose project (its reaper); ignored
    # by a master that is a container's first process, which `docker compose up
    # --exit-code-from master` sends it when the workers end, before the run is judged.
    try:
        code = load_run(options, passthrough, run_id, results)
    except KeyboardInterrupt:
        run_status.mark(results, run_status.INTERRUPTED, "stopped by Ctrl-C: no verdict")
        raise
    run_status.mark(results, run_status.FINISHED)
    return code


def load_run(options: Namespace, passthrough: list[str], run_id: str, results: Path) -> int:
    try:
        with open_stack(spec_of(options, results)) as stack:
            print(f"stack: {stack.description}\nrun {run_id}: results in {results}", flush=True)
            api = ApiClient(stack.api_url)
            statuses = learn_claim_statuses(
                api, lambda prefix: f"load-{run_id}-{prefix}-{secrets.token_hex(3)}"
            )
            # beside the hot coupon, named as near misses of it: they must end as created
            bystanders = create_bystanders(api, [hot_coupon_name(run_id)])
            if options.master:
                print(
                    f"waiting for {options.expect_workers} worker(s) on port "
                    f"{options.master_bind_port} (at most {options.expect_workers_max_wait} s): "
                    f"coupon-acceptance load --worker --master-host THIS_HOST",
                    flush=True,
                )
            commands = locust_commands(options, stack, run_id, results, statuses, passthrough)
            with StealMeter() as host:
                locust_status = run_locust(commands)
            workers = read_summary(results)
            if not workers:
                print(
                    f"no locust process reported a history (locust exited with {locust_status}"
                    + (": did the workers connect?)" if options.master else ")"),
                    file=sys.stderr,
                )
                return 1
            read_back = list(read_history(results / "history"))
            history = [*bystanders, *read_back]
            names = run_coupons(stack.dsn, run_id, history)
            views = views_of(api, names)
            judgement = judge(history, names, stack.dsn, views)
    except StackError as exc:
        print(f"the stack did not come up: {exc}", file=sys.stderr)
        return 1
    problems = short_counts(workers)
    received = sum(log.operations for log in workers)
    if len(read_back) != received:
        problems.append(f"{received} operations arrived, {len(read_back)} read back")
    violations = judgement.violations
    if unknown := unknown_after_death(workers, history, judgement.states):
        # the requests of a dead worker that may have happened, kept with the others
        HistoryFile(results / "history", "unknown-after-death").write(unknown)
        history += unknown
        violations = check(history, judgement.states, views)
    broken = [v for v in violations if not v.preferred]
    if judgement.blocked:
        print(f"judged from GET alone: {judgement.blocked.observed}")
    rows = endpoint_rows(results)
    report = summary(rows, history, broken, len(names))
    report += "\n" + "\n".join(worker_lines(workers))
    if unknown:
        report += f"\n{len(unknown)} claim(s) of the workers that died counted as unknown"
    report += (
        f"\njudged: {len(history) - len(bystanders)} operations ({received} as the workers "
        f"sent them), and {len(bystanders)} coupons beside the hot one (they must end as made)"
    )
    report += "".join(f"\n{problem}" for problem in problems)
    report += "\n" + bottleneck(read_generators(results / "generators"))
    report += "\n" + steal_line(host.share)
    (results / "summary.txt").write_text(report + "\n")
    print(report)
    blocked = judgement.blocked and str(judgement.blocked)
    kept = KeptRun(history, judgement.states, views, violations, blocked)
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
    return 1 if broken or problems else 0


if __name__ == "__main__":
    sys.exit(main())
