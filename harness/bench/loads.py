"""The two load generators, each pointed at the same PostgreSQL with the same concurrency:
pgbench running SQL straight at the database, and wrk sending claims over HTTP. Both
report claims/s counted as rows the database gained, plus latency percentiles."""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from harness.steal import StealMeter

WRK_SCRIPT = Path(__file__).with_name("claims.wrk.lua")


@dataclass(frozen=True)
class Measurement:
    generator: str  # "pgbench: 3-statement claim", "pgbench: the API's SQL", "API over HTTP"
    shape: str  # "hot" or "spread"
    clients: int
    claims_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    steal: float | None = None  # the host's steal share while it ran (steal.py)


def claims_rows(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM claims").fetchone()[0]


def coupon_expression(coupon: str, spread: int) -> str:
    """SQL for the coupon a pgbench transaction claims (pgbench variable :c when spread)."""
    return f"'{coupon}-' || :c" if spread else f"'{coupon}'"


def usual_claim_script(coupon: str, spread: int) -> str:
    """The per-claim transaction most implementations run: lock, insert, decrement, commit."""
    name = coupon_expression(coupon, spread)
    return (
        (f"\\set c random(1, {spread})\n" if spread else "")
        + "BEGIN;\n"
        + f"SELECT remaining_amount FROM coupons WHERE name = {name} FOR UPDATE;\n"
        + "INSERT INTO claims (user_id, coupon_name) "
        + f"VALUES ('pgb-' || gen_random_uuid(), {name});\n"
        + f"UPDATE coupons SET remaining_amount = remaining_amount - 1 WHERE name = {name};\n"
        + "END;\n"
    )


def api_sql_script(claim_sql: str, coupon: str, spread: int) -> str:
    """The API's own statement for one claim (with %(user)s and %(coupon)s parameters), for
    the cost of its SQL apart from HTTP."""
    sql = " ".join(claim_sql.split())
    sql = sql.replace("%(user)s", "('api-' || :client_id || '-' || :u)")
    sql = sql.replace("%(coupon)s", f"({coupon_expression(coupon, spread)})")
    return (f"\\set c random(1, {spread})\n" if spread else "") + (
        "\\set u random(1, 2000000000)\n" + sql + ";\n"
    )


def run_pgbench(
    dsn: str, script: str, label: str, shape: str, clients: int, seconds: int
) -> Measurement:
    with tempfile.TemporaryDirectory() as folder:
        script_path = Path(folder) / "claim.sql"
        script_path.write_text(script)
        before = claims_rows(dsn)
        with StealMeter() as host:
            result = subprocess.run(
                [
                    "pgbench",
                    "--no-vacuum",
                    "--protocol=prepared",
                    f"--client={clients}",
                    f"--jobs={min(clients, 2)}",
                    f"--time={seconds}",
                    f"--file={script_path}",
                    "--log",
                    f"--log-prefix={folder}/tx",
                    dsn,
                ],
                capture_output=True,
                text=True,
                cwd=folder,
            )
        if result.returncode != 0:
            raise RuntimeError(f"pgbench failed: {result.stderr[-2000:]}")
        gained = claims_rows(dsn) - before
        latencies = [
            int(line.split()[2]) / 1000
            for log in Path(folder).glob("tx*")
            for line in log.read_text().splitlines()
        ]
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    return Measurement(
        label,
        shape,
        clients,
        gained / seconds,
        *_percentiles(latencies),
        int(failed.group(1)) if failed else 0,
        host.share,
    )


def run_wrk(
    api_urls: tuple[str, ...],
    dsn: str,
    coupon: str,
    spread: int,
    shape: str,
    clients: int,
    seconds: int,
) -> Measurement:
    """wrk against every instance at once, the connections split between them (wrk talks
    to one host): claims/s from the rows gained, p50 the instances' mean, p99 their worst."""
    before = claims_rows(dsn)
    with StealMeter() as host:
        stats = _run_wrk_processes(api_urls, coupon, spread, clients, seconds)
    gained = claims_rows(dsn) - before
    return Measurement(
        "API over HTTP",
        shape,
        clients,
        gained / seconds,
        statistics.fmean(s["p50_us"] for s in stats) / 1000,
        max(s["p99_us"] for s in stats) / 1000,
        sum(s["non_2xx"] + s["socket_errors"] for s in stats),
        host.share,
    )


def _run_wrk_processes(
    api_urls: tuple[str, ...], coupon: str, spread: int, clients: int, seconds: int
) -> list[dict]:
    """One wrk a URL, all at once, the connections split between them; their summaries."""
    shares = [
        clients // len(api_urls) + (i < clients % len(api_urls)) for i in range(len(api_urls))
    ]
    runs = [
        subprocess.Popen(
            [
                "wrk",
                f"--threads={min(share, max(1, 2 // len(api_urls)))}",
                f"--connections={share}",
                f"--duration={seconds}s",
                "--timeout=10s",
                f"--script={WRK_SCRIPT}",
                url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={
                **os.environ,
                "BENCH_COUPON": coupon,
                "BENCH_SPREAD": str(spread),
                "BENCH_RUN": f"w{secrets.token_hex(4)}",
            },
        )
        for url, share in zip(api_urls, shares, strict=True)
        if share
    ]
    return [_wrk_stats(run) for run in runs]


def _wrk_stats(run: subprocess.Popen[str]) -> dict:
    stdout, stderr = run.communicate()
    line = next((text for text in stdout.splitlines() if text.startswith("WRK_JSON ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {stdout[-1000:]}{stderr[-1000:]}")
    return json.loads(line.removeprefix("WRK_JSON "))


def _percentiles(latencies_ms: list[float]) -> tuple[float, float]:
    if len(latencies_ms) < 2:
        return (latencies_ms[0], latencies_ms[0]) if latencies_ms else (0.0, 0.0)
    cuts = statistics.quantiles(latencies_ms, n=100)
    return cuts[49], cuts[98]
