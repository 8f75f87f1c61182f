"""What the story's two tables hold, read straight from the database.

Each table is read where the schema allows. The claims (claims.id, user_id, coupon_name)
are what was sold: without them a coupon cannot be judged on the tables, and reading it
raises `Blocked`, naming the AC4 criterion that the difference fails, so that a check
judges what HTTP shows and reports the rest as blocked. The stock (coupons.name, amount,
remaining_amount) can be taken from GET where its columns are named otherwise: the claims
rows still judge it. A snapshot needs no particular schema."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import psycopg
from psycopg import sql

from ..blocked import CLAIMS_TABLE, COUPONS_TABLE, Blocked
from .history import CouponState

_COUPON = "SELECT amount, remaining_amount FROM coupons WHERE name = %s"
_CLAIMANTS = "SELECT user_id FROM claims WHERE coupon_name = %s ORDER BY id"


def read_coupon(
    conn: psycopg.Connection, name: str, view: Callable[[], Any] | None = None
) -> CouponState | None:
    """The coupon as the tables hold it; where coupons lacks the story's columns, its
    amount and stock as `view` (GET's body) shows them, beside the claims rows."""
    try:
        row = _read(conn, COUPONS_TABLE, _COUPON, name).fetchone()
    except Blocked:
        body = view() if view is not None else None
        if isinstance(body, dict) and "error" in body and "amount" not in body:
            return None  # GET knows no such coupon
        row = _stock_in_view(body)
        if row is None:  # no GET to stand in, or one that shows no coupon
            raise
    if row is None:
        return None
    users = _read(conn, CLAIMS_TABLE, _CLAIMANTS, name).fetchall()
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
            raise self.unread.having_held("what HTTP showed held")

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


def _stock_in_view(view: Any) -> tuple[int, int] | None:
    """(amount, remaining_amount) as GET showed them."""
    try:
        return int(view["amount"]), int(view["remaining_amount"])
    except (KeyError, TypeError, ValueError):
        return None


def state_from_view(name: str, view: Any) -> CouponState | None:
    """The coupon as GET showed it: what the checker judges when the claims cannot be read.
    A `null` claimed_by is read as nobody (get.shape fails it, once)."""
    stock = _stock_in_view(view)
    claimants = view.get("claimed_by") if isinstance(view, dict) else None
    if stock is None or not isinstance(claimants, list | None):
        return None
    return CouponState(name, *stock, tuple(claimants or ()))
