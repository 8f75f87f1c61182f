"""`python -m harness.bench` (what `nox -s bench` runs): claims/s of the reference API over
HTTP against pgbench straight at the same PostgreSQL, hot row and spread, at several
concurrency levels, in one run; printed as a table with ratios, saved as JSON and a PNG."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import psycopg

from harness.stacks.local import REFERENCE_API_CMD, LocalOptions, local_stack
from harness.stacks.stack import StackError

from .loads import Measurement, api_sql_script, run_pgbench, run_wrk, usual_claim_script

HOT, SPREAD = "bench-hot", "bench-spread"
STOCK = 2**31 - 1  # never sold out during a run


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__)
    parser.add_argument("--clients", default="1,8,32,64", help="concurrency levels (1,8,32,64)")
    parser.add_argument("--seconds", type=int, default=10, help="per measurement (10)")
    parser.add_argument("--spread", type=int, default=1000, help="coupons in the spread case")
    parser.add_argument("--api-cmd", default=REFERENCE_API_CMD, help="the API to measure")
    parser.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), help="whose scripts/init.sql to load"
    )
    parser.add_argument(
        "--api-sql",
        default="reference_api.store:CLAIM_SQL",
        help="MODULE:NAME of the API's SQL for one claim, with %%(user)s and %%(coupon)s, for "
        "pgbench to run as it is; 'none' to leave it out (default: the reference API's)",
    )
    parser.add_argument("--pool-size", type=int, default=None, help="the API's DB_POOL_SIZE")
    parser.add_argument("--results", type=Path, default=Path("results"), help="JSON goes here")
    parser.add_argument("--plot", type=Path, default=Path("docs/bench.png"), help="PNG plot")
    return parser.parse_args(argv)


def claim_sql(spec: str) -> str | None:
    """The statement named by --api-sql, loaded by name: the bench measures any API and
    imports none."""
    if spec == "none":
        return None
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def prepare(dsn: str, spread: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = [(HOT, STOCK, STOCK)] + [
            (f"{SPREAD}-{i}", STOCK, STOCK) for i in range(1, spread + 1)
        ]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                rows,
            )


def table(measurements: list[Measurement]) -> str:
    lines = [
        f"{'shape':<7}{'clients':>8}  {'generator':<30}{'claims/s':>10}{'ratio':>7}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    ]
    for m in measurements:
        baseline = next(
            b
            for b in measurements
            if b.shape == m.shape
            and b.clients == m.clients
            and b.generator.startswith("pgbench: 3")
        )
        ratio = m.claims_per_s / baseline.claims_per_s if baseline.claims_per_s else 0.0
        lines.append(
            f"{m.shape:<7}{m.clients:>8}  {m.generator:<30}{m.claims_per_s:>10.0f}"
            f"{ratio:>7.2f}{m.p50_ms:>9.1f}{m.p99_ms:>9.1f}{m.errors:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    missing = [tool for tool in ("wrk", "pgbench") if shutil.which(tool) is None]
    if missing:
        print(f"bench needs {' and '.join(missing)}: apt-get install wrk postgresql-client-15")
        return 2
    clients = [int(c) for c in options.clients.split(",")]
    if options.pool_size:
        os.environ["DB_POOL_SIZE"] = str(options.pool_size)
    scripts = [("pgbench: 3-statement claim", usual_claim_script)]
    api_sql = claim_sql(options.api_sql)
    if api_sql:
        scripts.append(("pgbench: the API's SQL", functools.partial(api_sql_script, api_sql)))
    measurements: list[Measurement] = []
    try:
        with local_stack(LocalOptions(options.project_dir, options.api_cmd)) as stack:
            print(f"stack: {stack.description}; {os.cpu_count()} cores", flush=True)
            prepare(stack.dsn, options.spread)
            for shape, spread in (("hot", 0), ("spread", options.spread)):
                coupon = HOT if shape == "hot" else SPREAD
                for n in clients:
                    for label, script in scripts:
                        measurements.append(
                            run_pgbench(
                                stack.dsn, script(coupon, spread), label, shape, n, options.seconds
                            )
                        )
                    measurements.append(
                        run_wrk(stack.api_url, stack.dsn, coupon, spread, shape, n, options.seconds)
                    )
                    latest = [m for m in measurements if m.shape == shape and m.clients == n]
                    print(table(latest).split("\n", 1)[1], flush=True)
    except StackError as exc:
        print(f"the stack did not come up: {exc}", file=sys.stderr)
        return 1
    report = table(measurements)
    print(f"\n{report}")
    options.results.mkdir(parents=True, exist_ok=True)
    saved = options.results / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    saved.write_text(
        json.dumps(
            {
                "cores": os.cpu_count(),
                "seconds": options.seconds,
                "measurements": [dataclasses.asdict(m) for m in measurements],
            },
            indent=2,
        )
    )
    from .plot import draw

    draw(measurements, options.plot)
    print(f"saved {saved} and {options.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
