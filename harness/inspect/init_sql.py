"""scripts/init.sql parsed by PostgreSQL's own parser (pglast) into schema facts."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pglast
from pglast import ast
from pglast.enums import AlterTableType, ConstrType
from pglast.stream import RawStream

from .schema_facts import (
    Column,
    ForeignKey,
    Index,
    Schema,
    Table,
    canonical_check,
    canonical_default,
    canonical_type,
)
from .user_file import read_user_text

_SERIALS = {"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint"}


class InitSqlError(ValueError):
    """The file is not SQL PostgreSQL would accept; `offset`, where known, is the byte of
    the text at which its parser stopped."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


def _names(nodes) -> tuple[str, ...]:
    return tuple(node.sval for node in nodes or ())


def _type_of(column: ast.ColumnDef) -> tuple[str, bool]:
    """(canonical type, whether it is a serial pseudo-type)."""
    name = column.typeName.names[-1].sval
    if name in _SERIALS:
        return _SERIALS[name], True
    mods = column.typeName.typmods
    length = mods[0].val.ival if mods else None
    return canonical_type(name, length), False


def _apply_constraint(table: Table, constraint: ast.Constraint, column: str | None = None) -> None:
    keys = _names(constraint.keys) or ((column,) if column else ())
    kind = constraint.contype
    if kind == ConstrType.CONSTR_PRIMARY:
        table.primary_key = keys
    elif kind == ConstrType.CONSTR_UNIQUE:
        table.uniques.add(keys)
    elif kind == ConstrType.CONSTR_CHECK:
        table.checks.add(canonical_check(RawStream()(constraint.raw_expr)))
    elif kind == ConstrType.CONSTR_FOREIGN:
        columns = _names(constraint.fk_attrs) or keys
        table.foreign_keys.add(
            ForeignKey(columns, constraint.pktable.relname, _names(constraint.pk_attrs))
        )


def _create_table(statement: ast.CreateStmt) -> Table:
    table = Table(statement.relation.relname)
    for element in statement.tableElts or ():
        if isinstance(element, ast.Constraint):
            _apply_constraint(table, element)
            continue
        type_name, serial = _type_of(element)
        not_null, default = serial, "nextval" if serial else None
        for constraint in element.constraints or ():
            if constraint.contype in (ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY):
                not_null = True
            if constraint.contype == ConstrType.CONSTR_DEFAULT:
                default = canonical_default(RawStream()(constraint.raw_expr))
            _apply_constraint(table, constraint, element.colname)
        table.columns[element.colname] = Column(element.colname, type_name, not_null, default)
    return table


def _complete(schema: Schema) -> None:
    """What PostgreSQL infers: primary key columns are NOT NULL, and a bare
    `REFERENCES t` points at t's primary key."""
    for table in schema.tables.values():
        for name in table.primary_key:
            column = table.columns.get(name)
            if column is not None:
                table.columns[name] = Column(column.name, column.type, True, column.default)
        for fk in [fk for fk in table.foreign_keys if not fk.ref_columns]:
            target = schema.tables.get(fk.ref_table)
            table.foreign_keys.discard(fk)
            table.foreign_keys.add(
                ForeignKey(fk.columns, fk.ref_table, target.primary_key if target else ())
            )


def without_meta_commands(text: str) -> str:
    """The SQL of an init file, psql's meta-commands (`\\connect db`, `\\set ...`, a line
    each) blanked: the postgres image runs its init files through psql, which takes them.
    Lines are kept, so the parser's positions still point into the file."""
    return "\n".join("" if line.lstrip().startswith("\\") else line for line in text.split("\n"))


def parse_init_sql(text: str) -> Schema:
    try:
        statements = pglast.parse_sql(without_meta_commands(text))
    except pglast.parser.ParseError as exc:
        message, *at = exc.args
        raise InitSqlError(str(message), at[0] if at else None) from None
    schema = Schema()
    for raw in statements:
        statement = raw.stmt
        if isinstance(statement, ast.CreateStmt):
            table = _create_table(statement)
            schema.tables[table.name] = table
        elif isinstance(statement, ast.IndexStmt):
            columns = tuple(param.name for param in statement.indexParams)
            schema.indexes[statement.idxname] = Index(
                statement.idxname, statement.relation.relname, columns, bool(statement.unique)
            )
        elif isinstance(statement, ast.AlterTableStmt):
            table = schema.tables.get(statement.relation.relname)
            for command in statement.cmds or ():
                if table is not None and command.subtype == AlterTableType.AT_AddConstraint:
                    _apply_constraint(table, command.def_)
    _complete(schema)
    return schema


def read_init_sql(paths: Sequence[Path]) -> Schema:
    """The schema the files declare, run in turn. One that is not a readable file of UTF-8
    text (what PostgreSQL's UTF8 database takes), or that PostgreSQL's parser refuses,
    raises InitSqlError as `FILE:LINE: what is wrong`."""
    texts = [(path, read_user_text(path, InitSqlError)) for path in paths]
    try:
        return parse_init_sql("\n".join(text for _, text in texts))
    except InitSqlError as exc:
        raise InitSqlError(f"{_where(texts, exc.offset)}: {exc}") from None


def _where(texts: list[tuple[Path, str]], offset: int | None) -> str:
    """FILE:LINE of a byte offset into the files' texts joined by newlines (FILE, or the
    files, where the parser gave no offset)."""
    if offset is None:
        return ", ".join(str(path) for path, _ in texts)
    for path, text in texts:
        data = text.encode()
        if offset <= len(data):
            line = data[:offset].count(NEWLINE) + 1
            return f"{path}:{line}"
        offset -= len(data) + 1
    return str(texts[-1][0])


NEWLINE = b"\n"


def read_story_schema() -> Schema:
    """The schema story 1.2 gives, exactly (story_schema.sql, beside this module)."""
    return parse_init_sql(resources.files(__package__).joinpath("story_schema.sql").read_text())
