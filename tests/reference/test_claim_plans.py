"""The claim statements probe by index in any planner state, so a claim costs O(log n)
however many claims there are: on a fresh database (plans made while the tables are empty,
then run on 100,000 claims of one coupon), on 100,000 claims without statistics, and after
ANALYZE; custom and generic plans alike, in the reference API's own session settings."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg

from harness.stacks.embedded_postgres import DbCredentials
from reference_api import store

CLAIMS = 100_000
COUPON = "plan-hot"
# Each statement with its parameters as PREPARE declares them, and the values it runs with.
STATEMENTS = {
    "CLAIM_SQL": (store.CLAIM_SQL, {"user": "varchar", "coupon": "varchar"}),
    "BATCH_SQL": (store.BATCH_SQL, {"users": "varchar[]", "coupons": "varchar[]"}),
}
VALUES = {
    "user": "'plan-newcomer'",
    "coupon": f"'{COUPON}'",
    "users": "ARRAY['plan-a', 'plan-b', 'u-7']::varchar[]",
    "coupons": f"ARRAY['{COUPON}', '{COUPON}', '{COUPON}']::varchar[]",
}
# The only reads allowed: a claim's probes go through these indexes, never a Seq Scan and
# never idx_claims_coupon_name (which reads every claim of the coupon).
EXPECTED = {"claims_user_id_coupon_name_key", "coupons_pkey"}


def prepared(sql: str, types: dict[str, str]) -> tuple[str, str]:
    """(the PREPARE's parameter list and body, with %(name)s as $n) for `sql`."""
    names = list(types)
    body = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", sql)
    return ", ".join(types.values()), body


def execute_call(name: str) -> str:
    _, types = STATEMENTS[name]
    return f"{name.lower()}({', '.join(VALUES[p] for p in types)})"


def reads(plan: dict) -> Iterator[str]:
    """How each node of a JSON plan tree reads a table: the index's name for an index scan
    (a Bitmap Heap Scan reads through the Bitmap Index Scan below it), the node type with
    the table's name for anything else (a Seq Scan). Writes (ModifyTable) are not reads."""
    if "Index Name" in plan:
        yield plan["Index Name"]
    elif "Relation Name" in plan and plan["Node Type"] not in ("ModifyTable", "Bitmap Heap Scan"):
        yield f"{plan['Node Type']} on {plan['Relation Name']}"
    for child in plan.get("Plans", []):
        yield from reads(child)


def wrong_reads(conn: psycopg.Connection, name: str) -> list[str]:
    """The reads of the statement's current plan other than through the expected indexes,
    and the expected indexes it does not read. Inside a rolled-back transaction: EXPLAIN
    EXECUTE only plans, but the data-modifying CTEs make the planner lock what they write."""
    conn.execute("BEGIN")
    try:
        (document,) = conn.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {execute_call(name)}").fetchone()
    finally:
        conn.execute("ROLLBACK")
    found = list(reads(document[0]["Plan"]))
    missing = [f"no probe through {index}" for index in sorted(EXPECTED - set(found))]
    return [read for read in found if read not in EXPECTED] + missing


def session(database: DbCredentials) -> psycopg.Connection:
    """A connection with the reference API's own session settings, its statements prepared."""
    conn = psycopg.connect(database.dsn(), autocommit=True, options=store.SESSION_OPTIONS)
    for name, (sql, types) in STATEMENTS.items():
        params, body = prepared(sql, types)
        conn.execute(f"PREPARE {name.lower()}({params}) AS {body}")
    return conn


def plans_are_probes(conn: psycopg.Connection) -> dict[str, list]:
    wrong = {}
    for mode in ("force_custom_plan", "force_generic_plan"):
        conn.execute(f"SET plan_cache_mode = {mode}")
        for name in STATEMENTS:
            if found := wrong_reads(conn, name):
                wrong[f"{name}, {mode}"] = found
    return wrong


def fill(database: DbCredentials) -> None:
    """100,000 claims of one coupon, autovacuum kept off so that nothing gathers statistics
    behind the test's back."""
    with psycopg.connect(database.dsn(), autocommit=True) as admin:
        admin.execute(
            "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, %s, %s)",
            (COUPON, 2 * CLAIMS, CLAIMS),
        )
        admin.execute(
            "INSERT INTO claims (user_id, coupon_name) "
            "SELECT 'u-' || g, %s FROM generate_series(1, %s) g",
            (COUPON, CLAIMS),
        )


def never_analysed(conn: psycopg.Connection) -> bool:
    (count,) = conn.execute(
        "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('claims', 'coupons') "
        "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
    ).fetchone()
    return count == 2


def test_claim_statements_probe_by_index_in_every_planner_state(database) -> None:
    wrong: dict[str, dict] = {}
    with psycopg.connect(database.dsn(), autocommit=True) as admin:
        for table in ("claims", "coupons"):
            admin.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        with session(database) as fresh:
            # The sale's first seconds: generic plans made and cached on the empty tables,
            # then run on a table of 100,000 claims.
            fresh.execute("SET plan_cache_mode = force_generic_plan")
            for name in STATEMENTS:
                wrong_reads(fresh, name)
            fill(database)
            if found := {name: s for name in STATEMENTS if (s := wrong_reads(fresh, name))}:
                wrong["plans made on empty tables"] = found
        assert never_analysed(admin), "the tables were analysed: not the state to test"
        with session(database) as conn:
            if found := plans_are_probes(conn):
                wrong["100,000 claims, no statistics"] = found
        admin.execute("ANALYZE claims")
        admin.execute("ANALYZE coupons")
        with session(database) as conn:
            if found := plans_are_probes(conn):
                wrong["100,000 claims, analysed"] = found
    assert not wrong, f"reads other than through {sorted(EXPECTED)}: {wrong}"
