"""`python -m harness.bench` (what `nox -s bench` runs): claims/s of the reference API over
HTTP against pgbench straight at the same PostgreSQL, in one run: the sale (a fresh
database, one coupon, a whole sale, claims/s per window), the hot row and the spread
(several concurrency levels each); and the load generators compared. Printed as tables
with ratios, saved as JSON and PNGs."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import shlex
import shutil
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg

from harness.stacks.opener import open_stack
from harness.stacks.options import add_stack_options, stack_spec
from harness.stacks.spec import StackSpec
from harness.stacks.stack import StackError
from harness.steal import steal_cell, steal_legend

from .calm import DEFAULT_TRIES, SetAside, measure_calmly
from .generators import (
    CLASSES,
    PROCESS_COUNTS,
    TARGETS,
    USERS_PER_RUN,
    GeneratorRun,
    generators_table,
    run_generator,
    scaling_table,
)
from .loads import Measurement, api_sql_script, run_pgbench, run_wrk, usual_claim_script
from .sale import STOCK, SaleRun, run_sale, sale_table, windows_line

HOT, SPREAD = "bench-hot", "bench-spread"
CONSTANT_TARGET_CMD = f"{shlex.quote(sys.executable)} -m harness.bench.constant_target"
SHAPES = ("sale", "hot", "spread", "generators")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__)
    parser.add_argument(
        "--shapes",
        default="sale,hot,spread,generators",
        help="which, in order (sale,hot,spread,generators: locust's HttpUser against "
        "FastHttpUser on GET /health, of the API and of a constant answer)",
    )
    parser.add_argument(
        "--clients", default="1,8,32,64", help="hot and spread: concurrency levels (1,8,32,64)"
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="hot and spread: per measurement (10)"
    )
    parser.add_argument("--sale-seconds", type=int, default=60, help="sale: its length (60)")
    parser.add_argument("--sale-clients", type=int, default=64, help="sale: concurrency (64)")
    parser.add_argument("--window", type=float, default=5.0, help="sale: window, seconds (5)")
    parser.add_argument("--rounds", type=int, default=2, help="sale: rounds of every generator (2)")
    parser.add_argument("--spread", type=int, default=1000, help="coupons in the spread case")
    parser.add_argument(
        "--api-sql",
        type=Path,
        default=None,
        help="a file with the API's SQL for one claim, with %%(user)s and %%(coupon)s, for "
        "pgbench to run as it is beside the API (`nox -s bench` gives the reference's, "
        "reference_api/claim.sql; default: none)",
    )
    parser.add_argument("--pool-size", type=int, default=None, help="the API's DB_POOL_SIZE")
    parser.add_argument(
        "--calm-tries",
        type=int,
        default=DEFAULT_TRIES,
        help="a figure measured while the host's steal was over 5%% is measured again, up "
        f"to this many tries in all, and the calmest kept; the others are listed ({DEFAULT_TRIES}; "
        "1: never again)",
    )
    parser.add_argument("--results", type=Path, default=Path("results"), help="JSON goes here")
    parser.add_argument(
        "--plot", type=Path, default=Path("docs/bench.png"), help="hot and spread PNG plot"
    )
    parser.add_argument(
        "--sale-plot", type=Path, default=Path("docs/bench-sale.png"), help="sale PNG plot"
    )
    # wrk's connections are split between the instances; on 2 cores a second instance
    # gained little (docs/performance.md), so one by default.
    add_stack_options(
        parser.add_argument_group("stack (the contract suite's options)").add_argument,
        instances=1,
    )
    options = parser.parse_args(argv)
    spec = spec_of(options)
    if problem := spec.problem():
        parser.error(problem)
    if spec.kind == "external":
        parser.error(
            "bench measures stacks it starts itself (each sale on a fresh database): "
            "--stack local or compose; `load --api-url URL --dsn DSN` runs against yours"
        )
    unknown = set(options.shapes.split(",")) - set(SHAPES)
    if unknown:
        parser.error(f"--shapes: unknown {', '.join(sorted(unknown))} (known: {', '.join(SHAPES)})")
    if options.calm_tries < 1:
        parser.error(f"--calm-tries: at least 1, not {options.calm_tries}")
    return options


def spec_of(options: argparse.Namespace) -> StackSpec:
    return stack_spec(lambda dest: getattr(options, dest), project_dir=Path.cwd(), instances=1)


def claim_sql(path: Path | None) -> str | None:
    """The statement of --api-sql, with its comments left out (pgbench takes one line)."""
    if path is None:
        return None
    lines = path.read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("--"))


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
        f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'steal':>7}"
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
            f"{ratio:>7.2f}{m.p50_ms:>9.1f}{m.p99_ms:>9.1f}{m.errors:>8}{steal_cell(m.steal):>7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    missing = [tool for tool in ("wrk", "pgbench") if shutil.which(tool) is None]
    if missing:
        print(f"bench needs {' and '.join(missing)}: apt-get install wrk postgresql-client-15")
        return 2
    if options.pool_size:
        os.environ["DB_POOL_SIZE"] = str(options.pool_size)
    scripts = [("pgbench: 3-statement claim", usual_claim_script)]
    api_sql = claim_sql(options.api_sql)
    if api_sql:
        scripts.append(("pgbench: the API's SQL", functools.partial(api_sql_script, api_sql)))
    shapes = options.shapes.split(",")
    sales: list[SaleRun] = []
    measurements: list[Measurement] = []
    generators: list[GeneratorRun] = []
    scaling: list[GeneratorRun] = []
    set_aside = SetAside([], [], [])
    try:
        if "sale" in shapes:
            sales = run_sales(options, scripts, set_aside.sales)
        grid = [shape for shape in shapes if shape in ("hot", "spread")]
        if grid:
            measurements = run_grid(options, scripts, grid, set_aside.measurements)
        if "generators" in shapes:
            generators, scaling = run_generators(options, set_aside.generators)
    except StackError as exc:
        print(f"the stack did not come up: {exc}", file=sys.stderr)
        return 1
    if sales:
        print(
            f"\nsale: {options.sale_clients} clients, {options.sale_seconds} s, "
            f"claims/s per {options.window:g}-s window\n{sale_table(sales)}"
            + steal_legend([run.measurement.steal for run in sales], options.calm_tries)
        )
    if measurements:
        print(
            f"\n{table(measurements)}"
            + steal_legend([m.steal for m in measurements], options.calm_tries)
        )
    if generators:
        print(
            f"\nload generators: {USERS_PER_RUN} users, {options.seconds} s each\n"
            f"{generators_table(generators)}"
            + steal_legend([run.steal for run in generators], options.calm_tries)
        )
    if scaling:
        print(
            f"\nFastHttpUser as {', '.join(map(str, PROCESS_COUNTS))} processes against the "
            f"constant answer, {os.cpu_count()} cores: the machine's ceiling\n"
            f"{scaling_table(scaling)}"
            + steal_legend([run.steal for run in scaling], options.calm_tries)
        )
    if set_aside:
        print(set_aside.note())
    save(options, sales, measurements, generators + scaling, set_aside)
    return 0


def run_sales(
    options: argparse.Namespace, scripts: list, set_aside: list[SaleRun]
) -> list[SaleRun]:
    """Every generator's sale, round after round, each on a fresh database (a try measured
    again for steal on a fresh database too)."""
    n, seconds = options.sale_clients, options.sale_seconds
    generators = [
        (label, functools.partial(_pgbench_sale, script, label, n, seconds))
        for label, script in scripts
    ] + [("API over HTTP", functools.partial(_wrk_sale, n, seconds))]
    runs = []
    for round_ in range(1, options.rounds + 1):
        for label, generator in generators:
            print(f"sale, round {round_}: {label} ...", flush=True)
            run = measure_calmly(
                f"round {round_}, {label}",
                functools.partial(_sale_try, options, generator, round_),
                lambda run: run.measurement.steal,
                options.calm_tries,
                set_aside,
            )
            runs.append(run)
    return runs


def _sale_try(options: argparse.Namespace, generator, round_: int) -> SaleRun:
    run = run_sale(spec_of(options), generator, options.window, round_)
    print(f"  {windows_line(run)}", flush=True)
    return run


def _pgbench_sale(
    script, label: str, clients: int, seconds: int, _urls, dsn, coupon
) -> Measurement:
    return run_pgbench(dsn, script(coupon, 0), label, "sale", clients, seconds)


def _wrk_sale(clients: int, seconds: int, urls, dsn, coupon) -> Measurement:
    return run_wrk(urls, dsn, coupon, 0, "sale", clients, seconds)


def run_grid(
    options: argparse.Namespace, scripts: list, shapes: list[str], set_aside: list[Measurement]
) -> list[Measurement]:
    """Hot and spread at each concurrency level, on one stack (pgbench fills the coupons
    first, so these measure a database that has seen claims)."""

    def calmly(what: str, run, *args) -> Measurement:
        """`run(*args, options.seconds)`, measured again while the host's steal is high."""
        return measure_calmly(
            what,
            functools.partial(run, *args, options.seconds),
            lambda m: m.steal,
            options.calm_tries,
            set_aside,
        )

    clients = [int(c) for c in options.clients.split(",")]
    measurements: list[Measurement] = []
    with open_stack(spec_of(options)) as stack:
        print(f"stack: {stack.description}; {os.cpu_count()} cores", flush=True)
        prepare(stack.dsn, options.spread)
        for shape in shapes:
            spread = options.spread if shape == "spread" else 0
            coupon = SPREAD if shape == "spread" else HOT
            for n in clients:
                point = f"{shape}, {n} clients"
                for label, script in scripts:
                    measurements.append(
                        calmly(
                            f"{point}, {label}",
                            run_pgbench,
                            stack.dsn,
                            script(coupon, spread),
                            label,
                            shape,
                            n,
                        )
                    )
                measurements.append(
                    calmly(
                        f"{point}, API over HTTP",
                        run_wrk,
                        stack.api_urls,
                        stack.dsn,
                        coupon,
                        spread,
                        shape,
                        n,
                    )
                )
                latest = [m for m in measurements if m.shape == shape and m.clients == n]
                print(table(latest).split("\n", 1)[1], flush=True)
    return measurements


def run_generators(
    options: argparse.Namespace, set_aside: list[GeneratorRun]
) -> tuple[list[GeneratorRun], list[GeneratorRun]]:
    """HttpUser then FastHttpUser against each target, round after round: the API and the
    constant answer (always on a local stack of its own); then FastHttpUser as 1, 2 and 4
    processes against the constant answer. Returns the two lists."""
    api = spec_of(options)
    constant = dataclasses.replace(api, kind="local", api_cmd=CONSTANT_TARGET_CMD, instances=1)
    runs, scaling = [], []
    with ExitStack() as stacks:
        urls = {
            target: stacks.enter_context(open_stack(spec)).api_url
            for target, spec in zip(TARGETS, (api, constant), strict=True)
        }
        for round_ in range(1, options.rounds + 1):
            for target, url in urls.items():
                for user_class in CLASSES:
                    what = f"generators, round {round_}: {user_class}, {target}"
                    print(f"{what} ...", flush=True)
                    run = measure_calmly(
                        what,
                        functools.partial(run_generator, target, url, user_class, options.seconds),
                        lambda run: run.steal,
                        options.calm_tries,
                        set_aside,
                    )
                    runs.append(run)
            constant_url = urls[TARGETS[1]]
            for processes in PROCESS_COUNTS:
                what = f"generators, round {round_}: FastHttpUser x{processes} processes"
                print(f"{what} ...", flush=True)
                send = functools.partial(
                    run_generator,
                    TARGETS[1],
                    constant_url,
                    "FastHttpUser",
                    options.seconds,
                    processes=processes,
                )
                scaling.append(
                    measure_calmly(what, send, lambda run: run.steal, options.calm_tries, set_aside)
                )
    return runs, scaling


def save(
    options: argparse.Namespace,
    sales: list[SaleRun],
    measurements: list[Measurement],
    generators: list[GeneratorRun],
    set_aside: SetAside,
) -> None:
    from .plot import draw, draw_sale

    options.results.mkdir(parents=True, exist_ok=True)
    saved = options.results / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    saved.write_text(
        json.dumps(
            {
                "cores": os.cpu_count(),
                "seconds": options.seconds,
                "measurements": [dataclasses.asdict(m) for m in measurements],
                "generators": [dataclasses.asdict(run) for run in generators],
                "sale": {
                    "clients": options.sale_clients,
                    "seconds": options.sale_seconds,
                    "window_s": options.window,
                    "runs": [dataclasses.asdict(run) for run in sales],
                },
                "set_aside_for_steal": dataclasses.asdict(set_aside),
            },
            indent=2,
        )
    )
    plots = []
    if measurements:
        draw(measurements, options.plot)
        plots.append(str(options.plot))
    if sales:
        draw_sale(sales, options.window, options.sale_plot)
        plots.append(str(options.sale_plot))
    print(f"saved {' and '.join([str(saved), *plots])}")


if __name__ == "__main__":
    sys.exit(main())
