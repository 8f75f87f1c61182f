"""Story 1.2 AC4: the schema, exactly, in scripts/init.sql (else the SQL the compose file
mounts into the init directory) and in the running database."""

from __future__ import annotations

import stat

import psycopg
import pytest

from harness.blocked import INIT_FILE, Blocked
from harness.inspect import schema_diff
from harness.inspect.init_scripts import INIT_DIR, STORY_INIT_SQL
from harness.inspect.init_sql import InitSqlError, read_init_sql
from harness.inspect.layout import ProjectLayout
from harness.inspect.live_schema import read_live_schema
from harness.inspect.schema_facts import Schema
from harness.races.answers import describe

SOURCES = [
    pytest.param("scripts/init.sql", marks=pytest.mark.static, id="init.sql"),
    pytest.param("live database", marks=pytest.mark.runtime, id="live"),
]


@pytest.fixture
def declared(request: pytest.FixtureRequest, source: str) -> tuple[str, Schema]:
    """(where it was read, the schema): the live database's, or the one its SQL declares
    (scripts/init.sql, else what the compose file mounts into the init directory)."""
    if source == "live database":
        return source, read_live_schema(request.getfixturevalue("db"))
    # No file, one that does not parse or one declaring no table is one failure,
    # 1.2-AC4.init-file's: the rows it blocks are still judged on the live database.
    layout: ProjectLayout = request.getfixturevalue("layout")
    project_dir, found = layout.project_dir, layout.init
    if found is None:
        raise Blocked(
            INIT_FILE,
            f"{project_dir / STORY_INIT_SQL} does not exist, and the compose file mounts no "
            f".sql into {INIT_DIR}",
        )
    try:
        schema = read_init_sql(found.files)
    except InitSqlError as exc:
        raise Blocked(INIT_FILE, f"PostgreSQL would not run it: {exc}") from None
    if not schema.tables:  # an API that makes its tables at start-up: judged live
        raise Blocked(
            INIT_FILE,
            f"{found.origin} declares no table, where story 1.2 asks for its schema there "
            "(the tables the API made are judged in the live database)",
        )
    return found.origin, schema


def no_differences(problems: list[str], where: str) -> None:
    assert not problems, f"{where}: " + "; ".join(problems)


@pytest.mark.ac("1.2-AC4.coupons")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.relies_on("1.2-AC4.init-file")
def test_coupons_table(declared: tuple[str, Schema], story_schema: Schema) -> None:
    where, schema = declared
    no_differences(schema_diff.column_differences(story_schema, schema, "coupons"), where)


@pytest.mark.ac("1.2-AC4.claims")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.relies_on("1.2-AC4.init-file")
def test_claims_table(declared: tuple[str, Schema], story_schema: Schema) -> None:
    where, schema = declared
    no_differences(schema_diff.column_differences(story_schema, schema, "claims"), where)


@pytest.mark.ac("1.2-AC4.checks")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.relies_on("1.2-AC4.init-file")
def test_check_constraints(declared: tuple[str, Schema], story_schema: Schema) -> None:
    where, schema = declared
    no_differences(schema_diff.check_differences(story_schema, schema), where)


@pytest.mark.ac("1.2-AC4.unique")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.relies_on("1.2-AC4.init-file")
def test_unique_user_per_coupon(declared: tuple[str, Schema], story_schema: Schema) -> None:
    where, schema = declared
    no_differences(schema_diff.unique_differences(story_schema, schema), where)


@pytest.mark.ac("1.2-AC4.index")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.relies_on("1.2-AC4.init-file")
def test_claims_coupon_name_index(declared: tuple[str, Schema], story_schema: Schema) -> None:
    where, schema = declared
    no_differences(schema_diff.index_differences(story_schema, schema), where)


@pytest.mark.static
@pytest.mark.ac("1.2-AC4.init-file")
def test_init_sql_readable_by_the_database_container(layout: ProjectLayout) -> None:
    project_dir = layout.project_dir
    # The postgres image runs init scripts as its own user: a 600 file is silently unreadable.
    path = project_dir / STORY_INIT_SQL
    if not path.is_file():
        found = layout.init
        instead = f" (the database is given {found.origin} instead)" if found else ""
        pytest.fail(f"{path} does not exist{instead}")
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & stat.S_IROTH, f"{path} has mode {mode:o}; it must be world-readable (644)"


# Behaviour: each constraint really refuses what it exists to refuse. Every attempt runs
# inside a transaction that is rolled back, so the tables are left as they were.
VIOLATIONS = [
    pytest.param(
        "INSERT INTO coupons (name, amount, remaining_amount) VALUES ({c}, 0, 0)",
        psycopg.errors.CheckViolation,
        id="amount-zero",
        marks=pytest.mark.ac("1.2-AC4.checks"),
    ),
    pytest.param(
        "INSERT INTO coupons (name, amount, remaining_amount) VALUES ({c}, 1, -1)",
        psycopg.errors.CheckViolation,
        id="remaining-negative",
        marks=pytest.mark.ac("1.2-AC4.checks"),
    ),
    pytest.param(
        "INSERT INTO coupons (name, amount, remaining_amount) VALUES ({c}, NULL, 1)",
        psycopg.errors.NotNullViolation,
        id="amount-null",
        marks=pytest.mark.ac("1.2-AC4.coupons"),
    ),
    pytest.param(
        "INSERT INTO coupons (name, amount, remaining_amount) VALUES (repeat('x', 256), 1, 1)",
        psycopg.errors.StringDataRightTruncation,
        id="name-over-255",
        marks=pytest.mark.ac("1.2-AC4.coupons"),
    ),
    pytest.param(
        "INSERT INTO coupons (name, amount, remaining_amount) VALUES ({existing}, 1, 1)",
        psycopg.errors.UniqueViolation,
        id="name-primary-key",
        marks=pytest.mark.ac("1.2-AC4.coupons"),
    ),
    pytest.param(
        "INSERT INTO claims (user_id, coupon_name) VALUES ('u', {c})",
        psycopg.errors.ForeignKeyViolation,
        id="claim-unknown-coupon",
        marks=pytest.mark.ac("1.2-AC4.claims"),
    ),
    pytest.param(
        "INSERT INTO claims (user_id, coupon_name) VALUES (NULL, {existing})",
        psycopg.errors.NotNullViolation,
        id="claim-null-user",
        marks=pytest.mark.ac("1.2-AC4.claims"),
    ),
    pytest.param(
        "INSERT INTO claims (user_id, coupon_name) "
        "VALUES ('twice', {existing}), ('twice', {existing})",
        psycopg.errors.UniqueViolation,
        id="claim-twice",
        marks=pytest.mark.ac("1.2-AC4.unique"),
    ),
]


@pytest.mark.runtime
@pytest.mark.parametrize(("statement", "refusal"), VIOLATIONS)
def test_constraint_refuses(
    db: psycopg.Connection, api, unique_name, statement: str, refusal
) -> None:
    fresh, existing = unique_name("absent"), unique_name("present")
    with db.transaction(force_rollback=True):
        try:
            with db.transaction():
                db.execute(
                    "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, 5, 5)",
                    (existing,),
                )
        except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as exc:
            # coupons' own rows fail for its columns; the claims constraints are still
            # judged, on a coupon the API makes (and keeps: it is not in this transaction)
            created = api.create(existing, 5)
            if created.status_code != 201:
                first_line = str(exc).splitlines()[0]
                raise Blocked(
                    "1.2-AC4.coupons", f"no coupon to refer to: {first_line}; {describe(created)}"
                ) from None
        query = statement.replace("{c}", "%(fresh)s").replace("{existing}", "%(existing)s")
        try:
            with db.transaction():
                db.execute(query, {"fresh": fresh, "existing": existing})
        except refusal:
            return
        except psycopg.Error as exc:
            pytest.fail(
                f"`{statement}` was refused with {type(exc).__name__}, expected {refusal.__name__}"
            )
        pytest.fail(f"`{statement}` was accepted; expected {refusal.__name__}")
