"""The facts of a relational schema, in one canonical form whatever they were read from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TYPE_ALIASES = {
    "character varying": "varchar",
    "int4": "integer",
    "int": "integer",
    "timestamp with time zone": "timestamptz",
    "int8": "bigint",
    "int2": "smallint",
    "bool": "boolean",
}


def canonical_type(name: str, length: int | None = None) -> str:
    base = _TYPE_ALIASES.get(name.lower(), name.lower())
    return f"{base}({length})" if length is not None else base


def canonical_default(expression: str | None) -> str | None:
    """now() and CURRENT_TIMESTAMP mean the same; a sequence default is just 'nextval'."""
    if expression is None:
        return None
    text = expression.strip().lower()
    if text.startswith("nextval("):
        return "nextval"
    if text in ("now()", "current_timestamp", "transaction_timestamp()"):
        return "now()"
    return text


def canonical_check(expression: str) -> str:
    """`CHECK ((amount > 0))` and `amount > 0` both become `amount>0`."""
    text = expression.strip()
    text = re.sub(r"^check\b", "", text, flags=re.IGNORECASE)
    return re.sub(r"[\s()]", "", text).lower()


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass
class Table:
    name: str
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    uniques: set[tuple[str, ...]] = field(default_factory=set)
    foreign_keys: set[ForeignKey] = field(default_factory=set)
    checks: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
