"""scripts/init.sql read into facts, in the forms implementations really write it."""

import pytest

from harness.inspect import schema_diff
from harness.inspect.init_sql import InitSqlError, parse_init_sql
from harness.inspect.schema_facts import ForeignKey

STORY = """
CREATE TABLE coupons (name VARCHAR(255) PRIMARY KEY, amount INTEGER NOT NULL CHECK (amount > 0),
  remaining_amount INTEGER NOT NULL CHECK (remaining_amount >= 0),
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW());
CREATE TABLE claims (id SERIAL PRIMARY KEY, user_id VARCHAR(255) NOT NULL,
  coupon_name VARCHAR(255) NOT NULL REFERENCES coupons(name),
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(), UNIQUE(user_id, coupon_name));
CREATE INDEX idx_claims_coupon_name ON claims(coupon_name);
"""

# The same schema as another implementation might write it: IF NOT EXISTS, table-level
# constraints, ALTER TABLE, bare REFERENCES, CURRENT_TIMESTAMP, character varying.
EQUIVALENT = """
CREATE TABLE IF NOT EXISTS coupons (
  name character varying(255) NOT NULL, amount int NOT NULL, remaining_amount integer NOT NULL,
  created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT coupons_pkey PRIMARY KEY (name),
  CONSTRAINT positive CHECK (amount > 0), CHECK (remaining_amount >= 0));
CREATE TABLE IF NOT EXISTS claims (id serial, user_id varchar(255) NOT NULL,
  coupon_name varchar(255) NOT NULL REFERENCES coupons, created_at timestamptz DEFAULT now());
ALTER TABLE claims ADD PRIMARY KEY (id);
ALTER TABLE claims ADD CONSTRAINT one_per_user UNIQUE (user_id, coupon_name);
CREATE INDEX IF NOT EXISTS idx_claims_coupon_name ON claims (coupon_name);
"""


def all_differences(expected, actual) -> list[str]:
    return (
        schema_diff.column_differences(expected, actual, "coupons")
        + schema_diff.column_differences(expected, actual, "claims")
        + schema_diff.check_differences(expected, actual)
        + schema_diff.unique_differences(expected, actual)
        + schema_diff.index_differences(expected, actual)
    )


def test_story_schema_facts() -> None:
    schema = parse_init_sql(STORY)
    claims = schema.tables["claims"]
    assert claims.primary_key == ("id",)
    assert claims.columns["id"].default == "nextval" and claims.columns["id"].not_null
    assert claims.foreign_keys == {ForeignKey(("coupon_name",), "coupons", ("name",))}
    assert schema.tables["coupons"].checks == {"amount>0", "remaining_amount>=0"}
    assert schema.indexes["idx_claims_coupon_name"].columns == ("coupon_name",)


def test_equivalent_spelling_has_no_differences() -> None:
    assert all_differences(parse_init_sql(STORY), parse_init_sql(EQUIVALENT)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("VARCHAR(255) PRIMARY KEY", "VARCHAR(100) PRIMARY KEY"),
            "coupons.name: type is 'varchar(100)'",
        ),
        ((" CHECK (amount > 0)", ""), "coupons: missing CHECK (amount>0)"),
        ((", UNIQUE(user_id, coupon_name)", ""), "claims: missing UNIQUE(user_id, coupon_name)"),
        ((" REFERENCES coupons(name)", ""), "claims: missing FOREIGN KEY (coupon_name)"),
        (
            ("CREATE INDEX idx_claims_coupon_name ON claims(coupon_name);", ""),
            "index idx_claims_coupon_name",
        ),
        (("id SERIAL PRIMARY KEY", "id SERIAL"), "claims: primary key is missing"),
        (
            ("NOT NULL CHECK (amount > 0)", "CHECK (amount > 0)"),
            "coupons.amount: not_null is False",
        ),
        (
            (
                "created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW());\nCREATE TABLE claims",
                "created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(), claimed_by TEXT[]);\n"
                "CREATE TABLE claims",
            ),
            "coupons.claimed_by is not in the story's schema",
        ),
    ],
)
def test_each_deviation_is_named(change: tuple[str, str], expected: str) -> None:
    mutated = STORY.replace(*change)
    assert mutated != STORY
    problems = all_differences(parse_init_sql(STORY), parse_init_sql(mutated))
    assert any(expected in p for p in problems), problems


def test_missing_table_is_reported() -> None:
    only_coupons = STORY.split("CREATE TABLE claims")[0]
    assert "table claims is missing" in all_differences(
        parse_init_sql(STORY), parse_init_sql(only_coupons)
    )


def test_unparseable_sql_is_an_error_not_a_crash() -> None:
    with pytest.raises(InitSqlError):
        parse_init_sql("CREATE TABLE coupons (name VARCHAR(255) PRIMARY KEY")


def test_psql_meta_commands_are_not_sql_and_not_an_error() -> None:
    """The postgres image runs init files through psql: `\\connect` and `\\set` lines are
    its own, and a database made first is allowed; the tables are read all the same."""
    text = "\\set home :DBNAME\nCREATE DATABASE archive;\n\\connect archive\n\\connect :home\n"
    assert set(parse_init_sql(text + STORY).tables) == {"coupons", "claims"}
    with pytest.raises(InitSqlError):
        parse_init_sql("\\connect archive\nCREATE TABLE (;\n")
