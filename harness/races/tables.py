"""What the story's two tables hold, read straight from the database.

Reading a coupon needs the story's columns (coupons.name, amount, remaining_amount;
claims.id, user_id, coupon_name): on a schema without them it raises `Blocked`, naming the
AC4 criterion that the difference fails, so that a check judges what HTTP shows and
reports the rest as blocked. A snapshot needs no particular schema."""

from __future__ import annotations

from enum import Enum
from typing import Any

import psycopg
from psycopg import sql

from ..blocked import Blocked
from .history import CouponState

_COUPON = "SELECT amount, remaining_amount FROM coupons WHERE name = %s"
_CLAIMANTS = "SELECT user_id FROM claims WHERE coupon_name = %s ORDER BY id"


def read_coupon(conn: psycopg.Connection, name: str) -> CouponState | None:
    row = _read(conn, "1.2-AC4.coupons", _COUPON, name).fetchone()
    if row is None:
        return None
    users = _read(conn, "1.2-AC4.claims", _CLAIMANTS, name).fetchall()
    return CouponState(name, row[0], row[1], tuple(user for (user,) in users))


def _read(conn: psycopg.Connection, root: str, query, *params: Any) -> psycopg.Cursor:
    try:
        return conn.execute(query, params or None)
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as exc:
        if not conn.autocommit:
            conn.rollback()
        table = root.rsplit(".", 1)[-1]
        raise Blocked(
            root, f"{table} cannot be read as story 1.2's table: {str(exc).splitlines()[0]}"
        ) from None


def snapshot(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    """Every row of both tables, whatever their columns: what a refused request must leave
    as it was. (Other tables an implementation keeps, a request log say, are its own.)"""
    rows = {}
    for table in ("coupons", "claims"):
        query = sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
        rows[table] = sorted(
            map(tuple, _read(conn, f"1.2-AC4.{table}", query).fetchall()), key=repr
        )
    return rows


class Unread(Enum):
    """What StoryTables answers for a read the schema does not allow."""

    TABLES = "the story's tables cannot be read"


UNREAD = Unread.TABLES


class StoryTables:
    """The tables, read for the many steps of one check (hypothesis' examples, say) where
    the schema allows: a read it does not allow answers UNREAD, and the steps are judged on
    what HTTP showed. `with StoryTables(conn) as tables:` then raises the first `Blocked`
    once its block has passed, so the check is FAIL on what HTTP showed, else BLOCKED."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.unread: Blocked | None = None  # the first read the schema did not allow

    def __enter__(self) -> StoryTables:
        return self

    def __exit__(self, failure: type[BaseException] | None, *_: object) -> None:
        if failure is None and self.unread is not None:
            raise self.unread

    def snapshot(self) -> dict[str, list[tuple]] | Unread:
        return self._read(snapshot)

    def coupon(self, name: str) -> CouponState | Unread | None:
        return self._read(read_coupon, name)

    def _read(self, reader, *args: Any) -> Any:
        try:
            return reader(self.conn, *args)
        except Blocked as unread:
            self.unread = self.unread or unread
            return UNREAD


def state_from_view(name: str, view: Any) -> CouponState | None:
    """The coupon as GET showed it: what the checker judges when the tables cannot be read."""
    if not isinstance(view, dict) or not isinstance(view.get("claimed_by"), list):
        return None
    try:
        return CouponState(
            name, int(view["amount"]), int(view["remaining_amount"]), tuple(view["claimed_by"])
        )
    except (KeyError, TypeError, ValueError):
        return None
