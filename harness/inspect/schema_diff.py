"""Differences between the schema the story requires and one that was read, as sentences."""

from __future__ import annotations

from .schema_facts import Schema, Table


def _table(schema: Schema, name: str) -> Table | None:
    return schema.tables.get(name)


def _describe(columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"


def column_differences(expected: Schema, actual: Schema, table_name: str) -> list[str]:
    """Columns (names, types, nullability, defaults), the primary key and the foreign keys."""
    want, have = expected.tables[table_name], _table(actual, table_name)
    if have is None:
        return [f"table {table_name} is missing"]
    problems: list[str] = []
    for name, column in want.columns.items():
        found = have.columns.get(name)
        if found is None:
            problems.append(f"{table_name}.{name} is missing")
            continue
        for aspect in ("type", "not_null", "default"):
            if getattr(found, aspect) != getattr(column, aspect):
                problems.append(
                    f"{table_name}.{name}: {aspect} is {getattr(found, aspect)!r}, "
                    f"expected {getattr(column, aspect)!r}"
                )
    for extra in have.columns.keys() - want.columns.keys():
        problems.append(f"{table_name}.{extra} is not in the story's schema")
    if have.primary_key != want.primary_key:
        found = _describe(have.primary_key) if have.primary_key else "missing"
        problems.append(
            f"{table_name}: primary key is {found}, expected {_describe(want.primary_key)}"
        )
    for fk in want.foreign_keys - have.foreign_keys:
        problems.append(
            f"{table_name}: missing FOREIGN KEY {_describe(fk.columns)} "
            f"REFERENCES {fk.ref_table}{_describe(fk.ref_columns)}"
        )
    return problems


def _missing_per_table(expected: Schema, actual: Schema, facts: str, say) -> list[str]:
    """Each of a table's `facts` (checks, uniques) the expected schema has and the actual
    one lacks, said by say(table name, fact)."""
    problems = []
    for name, want in expected.tables.items():
        have = _table(actual, name)
        found = getattr(have, facts) if have else set()
        problems += [say(name, fact) for fact in sorted(getattr(want, facts) - found)]
    return problems


def check_differences(expected: Schema, actual: Schema) -> list[str]:
    return _missing_per_table(
        expected, actual, "checks", lambda table, check: f"{table}: missing CHECK ({check})"
    )


def unique_differences(expected: Schema, actual: Schema) -> list[str]:
    return _missing_per_table(
        expected,
        actual,
        "uniques",
        lambda table, unique: f"{table}: missing UNIQUE{_describe(unique)}",
    )


def index_differences(expected: Schema, actual: Schema) -> list[str]:
    problems = []
    for name, want in expected.indexes.items():
        have = actual.indexes.get(name)
        if have is None:
            problems.append(f"index {name} on {want.table}{_describe(want.columns)} is missing")
        elif (have.table, have.columns) != (want.table, want.columns):
            problems.append(
                f"index {name} is on {have.table}{_describe(have.columns)}, "
                f"expected {want.table}{_describe(want.columns)}"
            )
    return problems
