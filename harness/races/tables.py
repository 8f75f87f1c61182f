"""What the story's two tables hold, read straight from the database."""

from __future__ import annotations

import psycopg

from .history import CouponState


def read_coupon(conn: psycopg.Connection, name: str) -> CouponState | None:
    row = conn.execute(
        "SELECT amount, remaining_amount FROM coupons WHERE name = %s", (name,)
    ).fetchone()
    if row is None:
        return None
    users = conn.execute(
        "SELECT user_id FROM claims WHERE coupon_name = %s ORDER BY id", (name,)
    ).fetchall()
    return CouponState(name, row[0], row[1], tuple(user for (user,) in users))


def snapshot(conn: psycopg.Connection) -> tuple[list[tuple], list[tuple]]:
    """Every row of both tables, to prove a rejected request changed nothing."""
    coupons = conn.execute(
        "SELECT name, amount, remaining_amount, created_at FROM coupons ORDER BY name"
    ).fetchall()
    claims = conn.execute(
        "SELECT id, user_id, coupon_name, created_at FROM claims ORDER BY id"
    ).fetchall()
    return coupons, claims
