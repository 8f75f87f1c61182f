"""The schema a running database really has, read from pg_catalog into schema facts."""

from __future__ import annotations

import psycopg

from . import schema_facts as facts

_TABLES = """
SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
"""

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, NULL), a.atttypmod, a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
"""

_COLUMN_NAMES = (
    "ARRAY(SELECT attname FROM unnest({keys}) WITH ORDINALITY k(num, pos) "
    "JOIN pg_attribute ON attrelid = {rel} AND attnum = k.num ORDER BY k.pos)"
)

_CONSTRAINTS = f"""
SELECT con.contype, pg_get_constraintdef(con.oid),
       {_COLUMN_NAMES.format(keys="con.conkey", rel="con.conrelid")},
       con.confrelid::regclass::text,
       {_COLUMN_NAMES.format(keys="con.confkey", rel="con.confrelid")}
FROM pg_constraint con WHERE con.conrelid = %s
"""

# Indexes that back a constraint (the primary key, UNIQUE) are facts of that constraint.
_INDEXES = f"""
SELECT i.relname, t.relname, ix.indisunique,
       {_COLUMN_NAMES.format(keys="ix.indkey::int2[]", rel="t.oid")}
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
"""

_VARCHAR_HEADER = 4  # atttypmod of varchar(n) is n + 4


def _column(
    name: str, type_name: str, typmod: int, not_null: bool, default: str | None
) -> facts.Column:
    length = typmod - _VARCHAR_HEADER if type_name == "character varying" and typmod > 0 else None
    return facts.Column(
        name, facts.canonical_type(type_name, length), not_null, facts.canonical_default(default)
    )


def _add_constraint(
    table: facts.Table, kind: str, definition: str, keys, ref_table, ref_keys
) -> None:
    columns = tuple(keys or ())
    if kind == "p":
        table.primary_key = columns
    elif kind == "u":
        table.uniques.add(columns)
    elif kind == "c":
        table.checks.add(facts.canonical_check(definition))
    elif kind == "f":
        table.foreign_keys.add(facts.ForeignKey(columns, ref_table, tuple(ref_keys or ())))


def read_live_schema(conn: psycopg.Connection) -> facts.Schema:
    schema = facts.Schema()
    with conn.cursor() as cur:
        for oid, name in cur.execute(_TABLES).fetchall():
            table = facts.Table(name)
            for row in cur.execute(_COLUMNS, (oid,)).fetchall():
                table.columns[row[0]] = _column(*row)
            for row in cur.execute(_CONSTRAINTS, (oid,)).fetchall():
                _add_constraint(table, *row)
            schema.tables[name] = table
        for name, table_name, unique, columns in cur.execute(_INDEXES).fetchall():
            schema.indexes[name] = facts.Index(name, table_name, tuple(columns), unique)
    return schema
