"""Deliberately broken variants of the reference API, one bug each.

Run one as `python tests/mutants/api.py NAME`: it serves like the reference API (same
environment variables) with the named bug in place. The contract suite must catch each;
`catalogue.py` says by which criterion."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool
from pydantic import AfterValidator, BaseModel, Field, StrictInt, StrictStr

from reference_api import app as app_module
from reference_api.app import create_app
from reference_api.models import Name
from reference_api.recovering_pool import RecoveringPool
from reference_api.server import load_settings, serve
from reference_api.settings import Settings
from reference_api.store import ClaimOutcome, Coupon, CouponStore, DatabaseTimeout

Mutant = Callable[[Settings], Any]
MUTANTS: dict[str, Mutant] = {}


def mutant(build: Mutant) -> Mutant:
    MUTANTS[build.__name__.replace("_", "-")] = build
    return build


def with_store(store_class: type[CouponStore]) -> Mutant:
    return lambda settings: create_app(settings, store_class(settings))


def rewrite_responses(
    app: Any, edit: Callable[[dict, int, bytes], tuple[int, bytes, bytes]]
) -> Any:
    """Wrap an ASGI app; `edit(scope, status, body)` returns (status, body, content type)."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, body, content_type = edit(scope, start["status"], b"".join(chunks))
            headers = [
                (k, v) for k, v in start["headers"] if k not in (b"content-length", b"content-type")
            ]
            headers += [
                (b"content-length", str(len(body)).encode()),
                (b"content-type", content_type),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def rewriting(edit: Callable[[dict, int, bytes], tuple[int, bytes, bytes]]) -> Mutant:
    return lambda settings: rewrite_responses(create_app(settings), edit)


JSON = b"application/json"


def plain_text_errors(scope: dict, status: int, body: bytes) -> tuple[int, bytes, bytes]:
    """An edit for `rewriting`: each error's text without its JSON object."""
    if status >= 400:
        return status, json.loads(body)["error"].encode(), b"text/plain"
    return status, body, JSON


def claims_answer_201(app: Any) -> Any:
    """`app` answering a successful claim 201 instead of 200 (allowed: 200 or 201)."""
    return rewrite_responses(
        app,
        lambda scope, status, body: (
            201 if scope["path"] == "/api/coupons/claim" and status == 200 else status,
            body,
            JSON,
        ),
    )


# ---------------------------------------------------------------- health and create


@mutant
def health_wrong_body(settings: Settings) -> Any:
    """/health answers 200 {"status": "ok"} instead of {"status": "healthy"}."""
    return rewriting(
        lambda scope, status, body: (
            (status, b'{"status":"ok"}', JSON)
            if scope["path"] == "/health"
            else (status, body, JSON)
        )
    )(settings)


@mutant
def dies_at_start(settings: Settings) -> Any:
    """Exits at start-up with an error of its own (a driver that will not load)."""
    raise SystemExit("cannot load the database driver")


def without_health(app: Any) -> Any:
    """`app` with no /health route: 404, as a router without it answers."""
    return rewrite_responses(
        app,
        lambda scope, status, body: (
            (404, b'{"error":"not found"}', JSON)
            if scope["path"] == "/health"
            else (status, body, JSON)
        ),
    )


@mutant
def database_settings_ignored(settings: Settings) -> Any:
    """Its database address hard-coded instead of read from DB_HOST/DB_PORT (here a port
    nobody listens on): /health answers 503 and every request that needs the database
    fails. One root cause: stack.ready fails once, saying so, and blocks the rest. (Its
    database calls give up after 0.5 s, so that /health answers within the harness's wait.)"""
    return create_app(dataclasses.replace(settings, db_port=1, db_timeout=0.5))


@mutant
def no_health(settings: Settings) -> Any:
    """No GET /health at all (404); everything else right."""
    return without_health(create_app(settings))


@mutant
def no_health_oversells(settings: Settings) -> Any:
    """No GET /health (404), and a claim that oversells under contention."""
    return without_health(create_app(settings, OversellingStore(settings)))


@mutant
def create_answers_200(settings: Settings) -> Any:
    """A successful create answers 200 instead of 201 Created."""
    return rewriting(lambda scope, status, body: (200 if status == 201 else status, body, JSON))(
        settings
    )


class UpsertingStore(CouponStore):
    async def create(self, name: str, amount: int) -> bool:
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET amount = EXCLUDED.amount, "
                "remaining_amount = EXCLUDED.remaining_amount",
                (name, amount, amount),
            )
        return True


@mutant
def create_upserts(settings: Settings) -> Any:
    """Creating an existing name overwrites it and answers 201 instead of 409."""
    return with_store(UpsertingStore)(settings)


class CheckThenInsertStore(CouponStore):
    async def create(self, name: str, amount: int) -> bool:
        if await self.get(name) is not None:
            return False
        # the bug: a racing create of the same name inserted meanwhile; UNIQUE refuses this
        # one, and the error becomes a 500
        await self._one_row(
            "INSERT INTO coupons (name, amount, remaining_amount) "
            "VALUES (%(name)s, %(amount)s, %(amount)s)",
            {"name": name, "amount": amount},
        )
        return True


@mutant
def create_check_then_insert(settings: Settings) -> Any:
    """Create looks the name up, then inserts: a racing duplicate answers 500, not 409."""
    return with_store(CheckThenInsertStore)(settings)


def names_as(normal: Callable[[str], str]) -> type[CouponStore]:
    """A store that files every coupon under normal(name), as sloppy lookups do."""

    class NormalizingStore(CouponStore):
        async def create(self, name: str, amount: int) -> bool:
            return await super().create(normal(name), amount)

        async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
            return await super().claim(user_id, normal(coupon_name))

        async def get(self, name: str) -> Coupon | None:
            return await super().get(normal(name))

    return NormalizingStore


@mutant
def names_case_insensitive(settings: Settings) -> Any:
    """Coupon names are compared case-insensitively ("Promo" is "PROMO")."""
    return with_store(names_as(str.lower))(settings)


@mutant
def names_trimmed(settings: Settings) -> Any:
    """Surrounding whitespace is trimmed from coupon names (" Promo" is "Promo")."""
    return with_store(names_as(str.strip))(settings)


@mutant
def names_normalized(settings: Settings) -> Any:
    """Coupon names are unicode-normalized (NFC): "cafe\u0301" is "caf\u00e9"."""
    return with_store(names_as(lambda name: unicodedata.normalize("NFC", name)))(settings)


def users_as(normal: Callable[[str], str]) -> type[CouponStore]:
    """A store that files every claim under normal(user_id), as a case-insensitive
    collation or a trimming form binder does."""

    class NormalizingStore(CouponStore):
        async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
            return await super().claim(normal(user_id), coupon_name)

    return NormalizingStore


@mutant
def users_case_insensitive(settings: Settings) -> Any:
    """User ids are compared case-insensitively: "Ann" is refused because "ann" claimed."""
    return with_store(users_as(str.lower))(settings)


@mutant
def users_trimmed(settings: Settings) -> Any:
    """Surrounding whitespace is trimmed from user ids (" ann" is "ann")."""
    return with_store(users_as(str.strip))(settings)


class LaxNewCoupon(BaseModel):
    name: str
    amount: int  # lax: "5" and true become integers


@mutant
def create_lax_types(settings: Settings) -> Any:
    """Create coerces "5" and true to amounts instead of refusing them."""
    app_module.NewCoupon = LaxNewCoupon
    return create_app(settings)


class SmallIntCoupon(BaseModel):
    name: Name
    amount: Annotated[StrictInt, Field(ge=1, le=2**15 - 1)]


@mutant
def small_int_amounts(settings: Settings) -> Any:
    """Amounts kept in a 16-bit integer: a create of more than 32767 is refused (400), as an
    API whose amount field is an int16 does; everything else right."""
    app_module.NewCoupon = SmallIntCoupon
    return create_app(settings)


class StocklessCreateStore(CouponStore):
    async def create(self, name: str, amount: int) -> bool:
        created = await self._one_row(
            "INSERT INTO coupons (name, amount, remaining_amount) VALUES (%(name)s, %(amount)s, 0) "
            "ON CONFLICT (name) DO NOTHING RETURNING name",
            {"name": name, "amount": amount},
        )
        return created is not None


@mutant
def create_leaves_no_stock(settings: Settings) -> Any:
    """A create stores remaining_amount 0 (a field that never reached the row): answered 201
    with the right body, and every claim on the coupon refused as out of stock."""
    return with_store(StocklessCreateStore)(settings)


# ---------------------------------------------------------------- claim


class UnstoredClaimStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        return ClaimOutcome.CLAIMED if await self.get(coupon_name) else ClaimOutcome.NOT_FOUND


@mutant
def claim_not_stored(settings: Settings) -> Any:
    """A claim answers success without storing anything."""
    return with_store(UnstoredClaimStore)(settings)


class AckOnUniqueViolationStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn, conn.transaction():
            row = await (
                await conn.execute(
                    "SELECT remaining_amount FROM coupons WHERE name = %s FOR UPDATE",
                    (coupon_name,),
                )
            ).fetchone()
            if row is None:
                return ClaimOutcome.NOT_FOUND
            if row[0] <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            try:
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)",
                        (user_id, coupon_name),
                    )
            except errors.UniqueViolation:
                return ClaimOutcome.CLAIMED  # the bug: refused by the database, yet "success"
            await conn.execute(
                "UPDATE coupons SET remaining_amount = remaining_amount - 1 WHERE name = %s",
                (coupon_name,),
            )
        return ClaimOutcome.CLAIMED


@mutant
def ack_on_unique_violation(settings: Settings) -> Any:
    """A claim the UNIQUE(user_id, coupon_name) pair refuses is answered 200."""
    return with_store(AckOnUniqueViolationStore)(settings)


class StocklessClaimStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn, conn.transaction():
            if not await self.get(coupon_name):
                return ClaimOutcome.NOT_FOUND
            await conn.execute(
                "UPDATE coupons SET remaining_amount = remaining_amount - 1 WHERE name = %s",
                (coupon_name,),
            )
            await conn.execute(
                "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", (user_id, coupon_name)
            )
        return ClaimOutcome.CLAIMED


@mutant
def claim_ignores_stock(settings: Settings) -> Any:
    """A claim never checks stock; the CHECK constraint's refusal surfaces as a 500."""
    return with_store(StocklessClaimStore)(settings)


@mutant
def claim_unknown_500(settings: Settings) -> Any:
    """A claim on an unknown coupon answers 500 instead of 404."""
    app_module.CLAIM_REJECTIONS[ClaimOutcome.NOT_FOUND] = (500, "coupon not found")
    return create_app(settings)


class UnlimitedUserClaim(BaseModel):
    user_id: StrictStr  # no length limits
    coupon_name: Annotated[StrictStr, Field(min_length=1, max_length=255)]


@mutant
def claim_accepts_empty_user(settings: Settings) -> Any:
    """A claim accepts an empty (or over-long) user_id."""
    app_module.ClaimRequest = UnlimitedUserClaim
    return create_app(settings)


class OversellingStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute(
                    "SELECT remaining_amount FROM coupons WHERE name = %s", (coupon_name,)
                )
            ).fetchone()
            if row is None:
                return ClaimOutcome.NOT_FOUND
            if row[0] <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            try:
                await conn.execute(
                    "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)",
                    (user_id, coupon_name),
                )
            except errors.UniqueViolation:
                return ClaimOutcome.ALREADY_CLAIMED
            # the bug: read-then-write, no lock: a lost update on the hot row
            await conn.execute(
                "UPDATE coupons SET remaining_amount = %s WHERE name = %s",
                (max(row[0] - 1, 0), coupon_name),
            )
        return ClaimOutcome.CLAIMED


@mutant
def oversell_claim(settings: Settings) -> Any:
    """A claim reads the stock, then writes remaining - 1 without a lock: oversells."""
    return with_store(OversellingStore)(settings)


class SplitTransactionStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn:
            taken = await (
                await conn.execute(
                    "UPDATE coupons SET remaining_amount = remaining_amount - 1 "
                    "WHERE name = %s AND remaining_amount > 0 RETURNING 1",
                    (coupon_name,),
                )
            ).fetchone()  # committed on its own (autocommit): the bug
            if not taken:
                found = await self.get(coupon_name)
                return ClaimOutcome.OUT_OF_STOCK if found else ClaimOutcome.NOT_FOUND
            try:
                await conn.execute(
                    "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)",
                    (user_id, coupon_name),
                )
            except errors.UniqueViolation:
                return ClaimOutcome.ALREADY_CLAIMED  # ... and the unit it took is gone
        return ClaimOutcome.CLAIMED


@mutant
def split_transactions(settings: Settings) -> Any:
    """The decrement commits in one transaction, the insert in another: a refused insert
    leaves the stock decremented."""
    return with_store(SplitTransactionStore)(settings)


class NoWaitStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        key = (user_id, coupon_name)
        async with self.pool.connection() as conn:
            try:
                async with conn.transaction():
                    row = await (
                        await conn.execute(
                            "SELECT remaining_amount FROM coupons WHERE name = %s "
                            "FOR UPDATE NOWAIT",
                            (coupon_name,),
                        )
                    ).fetchone()
                    if row is None:
                        return ClaimOutcome.NOT_FOUND
                    held = await (
                        await conn.execute(
                            "SELECT 1 FROM claims WHERE user_id = %s AND coupon_name = %s", key
                        )
                    ).fetchone()
                    if held:
                        return ClaimOutcome.ALREADY_CLAIMED
                    if row[0] <= 0:
                        return ClaimOutcome.OUT_OF_STOCK
                    await conn.execute(
                        "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", key
                    )
                    await conn.execute(
                        "UPDATE coupons SET remaining_amount = remaining_amount - 1 "
                        "WHERE name = %s",
                        (coupon_name,),
                    )
            except errors.LockNotAvailable:
                return ClaimOutcome.OUT_OF_STOCK  # the bug: busy is not sold out
        return ClaimOutcome.CLAIMED


@mutant
def lock_timeout_as_sold_out(settings: Settings) -> Any:
    """A claim that cannot lock the coupon row at once answers "out of stock": under
    contention it under-sells."""
    return with_store(NoWaitStore)(settings)


class UnlockedEligibilityStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn:
            held = await (
                await conn.execute(
                    "SELECT 1 FROM claims WHERE user_id = %s AND coupon_name = %s",
                    (user_id, coupon_name),
                )
            ).fetchone()
            if held:
                return ClaimOutcome.ALREADY_CLAIMED
            async with conn.transaction():
                taken = await (
                    await conn.execute(
                        "UPDATE coupons SET remaining_amount = remaining_amount - 1 "
                        "WHERE name = %s AND remaining_amount > 0 RETURNING 1",
                        (coupon_name,),
                    )
                ).fetchone()
                if not taken:
                    return ClaimOutcome.OUT_OF_STOCK
                await conn.execute(
                    "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)",
                    (user_id, coupon_name),
                )
        return ClaimOutcome.CLAIMED


@mutant
def unlocked_eligibility(settings: Settings) -> Any:
    """Eligibility is read outside the claim's lock: without UNIQUE, a user claims twice."""
    return with_store(UnlockedEligibilityStore)(settings)


class OneCouponPerUserStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn:
            held = await (
                await conn.execute("SELECT 1 FROM claims WHERE user_id = %s", (user_id,))
            ).fetchone()
        if held and await self.get(coupon_name):
            return ClaimOutcome.ALREADY_CLAIMED  # the bug: any coupon counts, not this one
        return await super().claim(user_id, coupon_name)


@mutant
def one_coupon_per_user(settings: Settings) -> Any:
    """Eligibility looks at every coupon: a user who claimed coupon A is told "already
    claimed" on coupon B."""
    return with_store(OneCouponPerUserStore)(settings)


class StockFirstStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        coupon = await self.get(coupon_name)
        if coupon is None:
            return ClaimOutcome.NOT_FOUND
        if coupon.remaining_amount <= 0:
            return ClaimOutcome.OUT_OF_STOCK  # the bug: stock before eligibility
        return await super().claim(user_id, coupon_name)


@mutant
def stock_before_eligibility(settings: Settings) -> Any:
    """A user who holds the last unit and claims again is told "out of stock"."""
    return with_store(StockFirstStore)(settings)


@mutant
def claim_answers_201(settings: Settings) -> Any:
    """A successful claim answers 201 (allowed) instead of the preferred 200."""
    return claims_answer_201(create_app(settings))


@mutant
def already_claimed_400(settings: Settings) -> Any:
    """Already claimed answers 400 (allowed) instead of the preferred 409."""
    app_module.CLAIM_REJECTIONS[ClaimOutcome.ALREADY_CLAIMED] = (400, "already claimed")
    return create_app(settings)


@mutant
def sold_out_409(settings: Settings) -> Any:
    """Out of stock answers 409 (allowed) instead of the preferred 400."""
    app_module.CLAIM_REJECTIONS[ClaimOutcome.OUT_OF_STOCK] = (409, "out of stock")
    return create_app(settings)


@mutant
def unknown_coupon_400(settings: Settings) -> Any:
    """A claim on an unknown coupon answers 400 (tolerated) instead of the preferred 404."""
    app_module.CLAIM_REJECTIONS[ClaimOutcome.NOT_FOUND] = (400, "no such coupon")
    return create_app(settings)


@mutant
def sold_out_404(settings: Settings) -> Any:
    """Out of stock answers 404 (allowed: 400..409), the status of an unknown coupon too."""
    app_module.CLAIM_REJECTIONS[ClaimOutcome.OUT_OF_STOCK] = (404, "sold out")
    return create_app(settings)


@mutant
def foreign_choices(settings: Settings) -> Any:
    """Every choice unlike ours, each allowed: stock checked before eligibility, 400 for an
    unknown coupon and for already claimed, 409 for sold out, 201 for a claim."""
    app_module.CLAIM_REJECTIONS[ClaimOutcome.ALREADY_CLAIMED] = (400, "already claimed")
    app_module.CLAIM_REJECTIONS[ClaimOutcome.OUT_OF_STOCK] = (409, "sold out")
    app_module.CLAIM_REJECTIONS[ClaimOutcome.NOT_FOUND] = (400, "no such coupon")
    return claims_answer_201(create_app(settings, StockFirstStore(settings)))


@mutant
def health_500_when_down(settings: Settings) -> Any:
    """/health answers 500 (allowed: any 5xx) instead of 503 while the database is down."""
    return rewriting(
        lambda scope, status, body: (
            (500 if scope["path"] == "/health" and status == 503 else status),
            body,
            JSON,
        )
    )(settings)


@dataclasses.dataclass(frozen=True)
class TableNames:
    """Where a store of its own keeps the stock and the claims."""

    coupons: str
    code: str
    total: str
    left: str
    claims: str
    user: str
    coupon: str


class OwnSchemaStore(CouponStore):
    """Coupons kept in tables of its own (schemas/own-schema.sql), served as the contract
    asks: its schema is the only difference from the story (the own-schema mutants below
    each add one bug to it)."""

    NAMES = TableNames(
        "promotions", "code", "total", "left_count", "redemptions", "user_ref", "promotion_code"
    )

    def sql(self, template: str) -> str:
        """`template` with {coupons}, {code}, ... spelled as this store's tables are."""
        return template.format(**vars(self.NAMES))

    async def create(self, name: str, amount: int) -> bool:
        created = await self._one_row(
            self.sql(
                "INSERT INTO {coupons} ({code}, {total}, {left}) VALUES (%(n)s, %(a)s, %(a)s) "
                "ON CONFLICT DO NOTHING RETURNING {code}"
            ),
            {"n": name, "a": amount},
        )
        return created is not None

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        key = {"u": user_id, "c": coupon_name}
        async with self.pool.connection() as conn, conn.transaction():
            locked = await conn.execute(
                self.sql("SELECT {left} FROM {coupons} WHERE {code} = %(c)s FOR UPDATE"), key
            )
            if (row := await locked.fetchone()) is None:
                return ClaimOutcome.NOT_FOUND
            (left,) = row
            # after the lock, in a statement of its own: it sees the claims committed before
            held = await conn.execute(
                self.sql("SELECT 1 FROM {claims} WHERE {user} = %(u)s AND {coupon} = %(c)s"), key
            )
            if await held.fetchone() is not None:
                return ClaimOutcome.ALREADY_CLAIMED
            if left <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            await conn.execute(
                self.sql("INSERT INTO {claims} ({user}, {coupon}) VALUES (%(u)s, %(c)s)"), key
            )
            await conn.execute(
                self.sql("UPDATE {coupons} SET {left} = {left} - 1 WHERE {code} = %(c)s"), key
            )
        return ClaimOutcome.CLAIMED

    async def get(self, name: str) -> Coupon | None:
        row = await self._one_row(
            self.sql(
                "SELECT {code}, {total}, {left}, ARRAY(SELECT {user} FROM {claims} "
                "WHERE {coupon} = {code} ORDER BY id) FROM {coupons} WHERE {code} = %(c)s"
            ),
            {"c": name},
        )
        return None if row is None else Coupon(*row)


@mutant
def own_schema(settings: Settings) -> Any:
    """Not a bug: tables of its own, everything else right (what tests/integration/test_root_causes
    runs to see that a schema difference is its AC4 rows, and blocks only the tables' part)."""
    return with_store(OwnSchemaStore)(settings)


class OversellingOwnSchemaStore(OwnSchemaStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        key = {"u": user_id, "c": coupon_name}
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute(
                    self.sql("SELECT {left} FROM {coupons} WHERE {code} = %(c)s"), key
                )
            ).fetchone()
            if row is None:
                return ClaimOutcome.NOT_FOUND
            if row[0] <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            try:
                await conn.execute(
                    self.sql("INSERT INTO {claims} ({user}, {coupon}) VALUES (%(u)s, %(c)s)"), key
                )
            except errors.UniqueViolation:
                return ClaimOutcome.ALREADY_CLAIMED
            # the bug: the stock read above, written back without a lock
            await conn.execute(
                self.sql("UPDATE {coupons} SET {left} = %(left)s WHERE {code} = %(c)s"),
                {**key, "left": row[0] - 1},
            )
        return ClaimOutcome.CLAIMED


@mutant
def own_schema_oversells(settings: Settings) -> Any:
    """Tables of its own instead of the story's, and a claim that oversells: the oversell
    must show over HTTP though the harness cannot read the tables."""
    return with_store(OversellingOwnSchemaStore)(settings)


class ForgetfulOwnSchemaStore(OwnSchemaStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        if await self.get(coupon_name) is None:
            return ClaimOutcome.NOT_FOUND
        return ClaimOutcome.CLAIMED  # the bug: answered, never stored


@mutant
def own_schema_forgets_claims(settings: Settings) -> Any:
    """Tables of its own, and claims answered 200 but never stored: GET shows it, though
    the tables cannot be read as the story's."""
    return with_store(ForgetfulOwnSchemaStore)(settings)


class OverwritingOwnSchemaStore(OwnSchemaStore):
    async def create(self, name: str, amount: int) -> bool:
        # the bug: a duplicate answers 409 but has already replaced the first coupon's stock
        row = await self._one_row(
            self.sql(
                "INSERT INTO {coupons} ({code}, {total}, {left}) VALUES (%(n)s, %(a)s, %(a)s) "
                "ON CONFLICT ({code}) DO UPDATE SET {total} = EXCLUDED.{total}, "
                "{left} = EXCLUDED.{left} RETURNING xmax = 0"
            ),
            {"n": name, "a": amount},
        )
        return bool(row and row[0])


@mutant
def own_schema_duplicate_overwrites(settings: Settings) -> Any:
    """Tables of its own, and a duplicate create that answers 409 after overwriting the
    first coupon: GET shows it, though the tables cannot be read as the story's."""
    return with_store(OverwritingOwnSchemaStore)(settings)


@mutant
def own_schema_plain_errors(settings: Settings) -> Any:
    """Tables of its own, and errors in plain text: a refusal's answer is still judged,
    though the tables cannot be read to see that it stored nothing."""
    return rewrite_responses(create_app(settings, OwnSchemaStore(settings)), plain_text_errors)


class StockRenamedStore(OwnSchemaStore):
    """The story's claims table; the stock in coupons, under columns of its own
    (schemas/stock-renamed.sql): the claims rows still judge every claim."""

    NAMES = TableNames("coupons", "name", "total", "left_count", "claims", "user_id", "coupon_name")


@mutant
def stock_renamed(settings: Settings) -> Any:
    """Not a bug: coupons' stock columns named its own way, everything else right (what
    tests/integration/test_root_causes runs to see the claims judged on the tables all the same)."""
    return with_store(StockRenamedStore)(settings)


class ClaimsElsewhereStore(StockRenamedStore):
    NAMES = dataclasses.replace(StockRenamedStore.NAMES, claims="claim_log")


@mutant
def stock_renamed_claims_elsewhere(settings: Settings) -> Any:
    """Stock columns of its own, and every claim kept in a table beside claims (which stays
    empty): GET agrees with the answers; only the claims table shows nothing was stored."""
    return with_store(ClaimsElsewhereStore)(settings)


# ---------------------------------------------------------------- scale-out: right as one process


async def remaining_of(conn: Any, coupon_name: str) -> int | None:
    """A coupon's remaining stock, read without a lock; None when there is no such coupon."""
    cursor = await conn.execute(
        "SELECT remaining_amount FROM coupons WHERE name = %s", (coupon_name,)
    )
    row = await cursor.fetchone()
    return None if row is None else row[0]


async def holds_claim(conn: Any, key: tuple[str, str]) -> bool:
    cursor = await conn.execute("SELECT 1 FROM claims WHERE user_id = %s AND coupon_name = %s", key)
    return await cursor.fetchone() is not None


async def store_claim(conn: Any, key: tuple[str, str], left: int) -> None:
    """The claim row, and the stock written as `left`: right only if nothing else wrote it."""
    async with conn.transaction():
        await conn.execute("INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", key)
        await conn.execute(
            "UPDATE coupons SET remaining_amount = %s WHERE name = %s", (left, key[1])
        )


async def read_check_write(conn: Any, key: tuple[str, str]) -> ClaimOutcome:
    """A claim decided on the stock read without a lock: right only where the caller holds
    one that every claim of the coupon takes."""
    left = await remaining_of(conn, key[1])
    if left is None:
        return ClaimOutcome.NOT_FOUND
    if await holds_claim(conn, key):
        return ClaimOutcome.ALREADY_CLAIMED
    if left <= 0:
        return ClaimOutcome.OUT_OF_STOCK
    await store_claim(conn, key, left - 1)
    return ClaimOutcome.CLAIMED


class InProcessLockStore(CouponStore):
    """Read, check and write under a lock in the process's memory, not the database's."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.lock = asyncio.Lock()

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.lock, self.pool.connection() as conn:
            return await read_check_write(conn, (user_id, coupon_name))


@mutant
def in_process_lock(settings: Settings) -> Any:
    """A claim is serialized by a lock in the process's memory: right as one instance, an
    oversell as two."""
    return with_store(InProcessLockStore)(settings)


class CachedStockStore(CouponStore):
    """Stock counted down in the process's memory, loaded once per coupon."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.lock = asyncio.Lock()
        self.stock: dict[str, int] = {}

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        key = (user_id, coupon_name)
        async with self.lock, self.pool.connection() as conn:
            if coupon_name not in self.stock:
                left = await remaining_of(conn, coupon_name)
                if left is None:
                    return ClaimOutcome.NOT_FOUND
                self.stock[coupon_name] = left
            if await holds_claim(conn, key):
                return ClaimOutcome.ALREADY_CLAIMED
            if self.stock[coupon_name] <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            self.stock[coupon_name] -= 1
            await store_claim(conn, key, self.stock[coupon_name])
        return ClaimOutcome.CLAIMED


@mutant
def stock_cached_per_process(settings: Settings) -> Any:
    """Each process counts a coupon's stock down in its own memory: right as one instance,
    every instance sells the whole stock as several."""
    return with_store(CachedStockStore)(settings)


class InMemoryClaimedStore(CouponStore):
    """ "Already claimed" decided by a set in the process's memory."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.claimed: set[tuple[str, str]] = set()

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        key = (user_id, coupon_name)
        if key in self.claimed:
            return ClaimOutcome.ALREADY_CLAIMED
        self.claimed.add(key)  # before any wait: a second claim of this process sees it
        outcome = ClaimOutcome.CLAIMED
        try:
            async with self.pool.connection() as conn, conn.transaction():
                taken = await (
                    await conn.execute(
                        "UPDATE coupons SET remaining_amount = remaining_amount - 1 "
                        "WHERE name = %s AND remaining_amount > 0 RETURNING 1",
                        (coupon_name,),
                    )
                ).fetchone()
                if taken:
                    await conn.execute(
                        "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", key
                    )
                else:
                    found = await (
                        await conn.execute("SELECT 1 FROM coupons WHERE name = %s", (coupon_name,))
                    ).fetchone()
                    outcome = ClaimOutcome.OUT_OF_STOCK if found else ClaimOutcome.NOT_FOUND
        finally:
            if outcome != ClaimOutcome.CLAIMED:
                self.claimed.discard(key)
        return outcome


@mutant
def claimed_set_in_memory(settings: Settings) -> Any:
    """ "Already claimed" is a set in the process's memory: right as one instance; as two,
    a second claim on the other one reaches the database's UNIQUE pair and answers 500."""
    return with_store(InMemoryClaimedStore)(settings)


# ---------------------------------------------------------------- faults and hostile input


@mutant
def health_without_database(settings: Settings) -> Any:
    """/health answers 200 without asking the database."""
    return rewriting(
        lambda scope, status, body: (
            (200, b'{"status":"healthy"}', JSON)
            if scope["path"] == "/health"
            else (status, body, JSON)
        )
    )(settings)


class AsynchronousCommitStore(CouponStore):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # the bug: a commit is acknowledged before its WAL is written; a crash loses the tail
        self.pool.kwargs["options"] = "-c synchronous_commit=off"


@mutant
def asynchronous_commit(settings: Settings) -> Any:
    """Claims commit with synchronous_commit=off: a database crash loses acknowledged claims."""
    return with_store(AsynchronousCommitStore)(settings)


class AckBeforeCommitStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async def later() -> None:
            await asyncio.sleep(0.3)
            await CouponStore.claim(self, user_id, coupon_name)

        self._pending = getattr(self, "_pending", set())
        task = asyncio.get_running_loop().create_task(later())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return ClaimOutcome.CLAIMED  # the bug: answered before anything is stored


class ConcatenatedDsnStore(CouponStore):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        s = settings
        # the bug: a URL built by concatenation; "@", ":", "/", "#", "%", "?" in a
        # credential change what it says
        dsn = f"postgresql://{s.db_user}:{s.db_password}@{s.db_host}:{s.db_port}/{s.db_name}"
        self.pool = RecoveringPool(
            dsn,
            kwargs={"autocommit": True, "sslmode": s.db_sslmode},
            size=s.db_pool_size,
            timeout=s.db_timeout,
        )


@mutant
def concatenated_dsn(settings: Settings) -> Any:
    """The connection URL is built by string concatenation: credentials that need escaping
    break it (it works with plain ones)."""
    return with_store(ConcatenatedDsnStore)(settings)


class LibraryBackoffStore(CouponStore):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # the bug: the pool reconnects on its own schedule, 1, 2, 4, 8 ... s apart
        self.pool = AsyncConnectionPool(
            kwargs=self.pool.kwargs,
            min_size=settings.db_pool_size,
            max_size=settings.db_pool_size,
            timeout=settings.db_timeout,
            open=False,
        )

    async def open(self) -> None:
        await self.pool.open(wait=False)


@mutant
def slow_recovery(settings: Settings) -> Any:
    """Lost connections come back on psycopg_pool's own backoff (1, 2, 4, 8 s): the API serves
    again many seconds after the database is back."""
    return with_store(LibraryBackoffStore)(settings)


class RetryingStore(CouponStore):
    retry_on: tuple[type[Exception], ...] = ()

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        for wait in (0.1, 0.3, 0.9):
            try:
                return await super().claim(user_id, coupon_name)
            except self.retry_on:
                # the bug: tried again as if the first try had not happened; it may have
                # committed, and then the next answers "already claimed" to the only claim
                await asyncio.sleep(wait)
        return await super().claim(user_id, coupon_name)


class RetryAfterResetStore(RetryingStore):
    retry_on = (psycopg.OperationalError,)


class RetryAfterTimeoutStore(RetryingStore):
    retry_on = (DatabaseTimeout,)


@mutant
def retry_after_reset(settings: Settings) -> Any:
    """A claim whose connection broke mid-statement is tried again, although the first try
    may have committed."""
    return with_store(RetryAfterResetStore)(settings)


@mutant
def retry_after_timeout(settings: Settings) -> Any:
    """A claim waits at most 0.15 s for the database, then is tried again, although the
    first try may still commit."""
    return with_store(RetryAfterTimeoutStore)(dataclasses.replace(settings, db_timeout=0.15))


@mutant
def no_database_time_limit(settings: Settings) -> Any:
    """Requests wait on the database for as long as it takes: a paused database hangs them."""
    return create_app(dataclasses.replace(settings, db_timeout=3600))


@mutant
def ack_before_commit(settings: Settings) -> Any:
    """A claim is answered at once and stored 0.3 s later: a restart loses acknowledged claims."""
    return with_store(AckBeforeCommitStore)(settings)


@mutant
def malformed_json_500(settings: Settings) -> Any:
    """A body that is not JSON answers 500 instead of 400."""

    def edit(scope: dict, status: int, body: bytes) -> tuple[int, bytes, bytes]:
        if status == 400 and (b"JSON decode error" in body or b"parsing the body" in body):
            return 500, b'{"error":"internal error"}', JSON
        return status, body, JSON

    return rewriting(edit)(settings)


class TruncatingStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        return await super().claim(user_id[:255], coupon_name)  # stored, then "validated"


@mutant
def claim_truncates_long_user(settings: Settings) -> Any:
    """A claim stores an over-long user_id cut to 255 characters instead of refusing it."""
    app_module.ClaimRequest = UnlimitedUserClaim
    return with_store(TruncatingStore)(settings)


# ---------------------------------------------------------------- other coupons (invariant 9)


class SloppyMatchStore(CouponStore):
    """A claim right in every way but one: its decrement finds the coupon's row by MATCH,
    which takes more rows than the one named (never below 0, so nothing else shows it)."""

    MATCH = "name = %s"

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn, conn.transaction():
            left = await (
                await conn.execute(
                    "SELECT remaining_amount FROM coupons WHERE name = %s FOR UPDATE",
                    (coupon_name,),
                )
            ).fetchone()
            if left is None:
                return ClaimOutcome.NOT_FOUND
            if await holds_claim(conn, (user_id, coupon_name)):
                return ClaimOutcome.ALREADY_CLAIMED
            if left[0] <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            await conn.execute(
                "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", (user_id, coupon_name)
            )
            await conn.execute(
                "UPDATE coupons SET remaining_amount = GREATEST(remaining_amount - 1, 0) "
                f"WHERE {self.MATCH}",
                (coupon_name,),
            )
        return ClaimOutcome.CLAIMED


class PatternMatchStore(SloppyMatchStore):
    MATCH = "name LIKE %s"


class CaseFoldedStore(SloppyMatchStore):
    MATCH = "lower(name) = lower(%s)"


class PrefixMatchStore(SloppyMatchStore):
    MATCH = "name LIKE %s || '%%'"


@mutant
def claim_matches_as_pattern(settings: Settings) -> Any:
    """A claim's decrement matches the name with LIKE: a `_` in it takes other coupons too."""
    return with_store(PatternMatchStore)(settings)


class BlankPaddedStore(SloppyMatchStore):
    MATCH = "name::bpchar = %s::bpchar"  # CHAR(n) semantics: trailing blanks do not count


class TrimmedStore(SloppyMatchStore):
    MATCH = "btrim(name) = btrim(%s)"


def with_match_index(settings: Settings, name: str, expression: str) -> None:
    """The index an API that compares names by `expression` makes for it, so that its only
    finding is the comparison (without it, each claim scans every coupon, and 500 at once
    answer 503)."""
    with psycopg.connect(**settings.conninfo()) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))  # instances agree
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON coupons (({expression}))")


@mutant
def claim_matches_case_folded(settings: Settings) -> Any:
    """A claim's decrement compares names case-insensitively: "PROMO" loses stock to "promo"."""
    with_match_index(settings, "coupons_lower_name", "lower(name)")
    return with_store(CaseFoldedStore)(settings)


@mutant
def claim_matches_blank_padded(settings: Settings) -> Any:
    """A claim's decrement compares names as CHAR does: "PROMO " loses stock to "PROMO"."""
    with_match_index(settings, "coupons_padded_name", "name::bpchar")
    return with_store(BlankPaddedStore)(settings)


@mutant
def claim_matches_trimmed(settings: Settings) -> Any:
    """A claim's decrement compares names trimmed: " PROMO" loses stock to "PROMO"."""
    with_match_index(settings, "coupons_trimmed_name", "btrim(name)")
    return with_store(TrimmedStore)(settings)


@mutant
def claim_matches_prefix(settings: Settings) -> Any:
    """A claim's decrement matches every name that starts with the one claimed."""
    return with_store(PrefixMatchStore)(settings)


# ---------------------------------------------------------------- other right claims (variants)


class AdvisoryLockStore(CouponStore):
    """Claims of one coupon serialized by an advisory lock on its name's hash (coupons whose
    hashes collide wait for one another, and change nothing of each other's)."""

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (coupon_name,))
            return await read_check_write(conn, (user_id, coupon_name))


@mutant
def advisory_lock_claim(settings: Settings) -> Any:
    """Not a bug: a claim serialized per coupon by pg_advisory_xact_lock(hashtext(name))."""
    return with_store(AdvisoryLockStore)(settings)


class CountedStockStore(CouponStore):
    """The stock decided by counting the coupon's claims rows under its row lock, and
    remaining_amount written from that count."""

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        key = (user_id, coupon_name)
        async with self.pool.connection() as conn, conn.transaction():
            row = await (
                await conn.execute(
                    "SELECT amount FROM coupons WHERE name = %s FOR UPDATE", (coupon_name,)
                )
            ).fetchone()
            if row is None:
                return ClaimOutcome.NOT_FOUND
            if await holds_claim(conn, key):
                return ClaimOutcome.ALREADY_CLAIMED
            counted = await (
                await conn.execute(
                    "SELECT count(*) FROM claims WHERE coupon_name = %s", (coupon_name,)
                )
            ).fetchone()
            if counted[0] >= row[0]:
                return ClaimOutcome.OUT_OF_STOCK
            await store_claim(conn, key, row[0] - counted[0] - 1)
        return ClaimOutcome.CLAIMED


@mutant
def stock_counted_from_claims(settings: Settings) -> Any:
    """Not a bug: a claim counts the coupon's claims rows, under its row lock, to decide."""
    return with_store(CountedStockStore)(settings)


class SerializableStore(CouponStore):
    """Each claim one SERIALIZABLE transaction (read, check, write, no lock of its own),
    tried again whenever PostgreSQL refuses it as a serialization failure."""

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn:
            while True:
                try:
                    async with conn.transaction():
                        await conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                        return await read_check_write(conn, (user_id, coupon_name))
                except (errors.SerializationFailure, errors.DeadlockDetected):
                    continue  # another claim of the coupon committed first: decide again
                except errors.UniqueViolation:
                    return ClaimOutcome.ALREADY_CLAIMED


@mutant
def serializable_with_retries(settings: Settings) -> Any:
    """Not a bug: each claim a SERIALIZABLE transaction, retried on serialization failure."""
    return with_store(SerializableStore)(settings)


# ---------------------------------------------------------------- get and errors


def _edit_get_body(change: Callable[[dict], dict]):
    def edit(scope: dict, status: int, body: bytes) -> tuple[int, bytes, bytes]:
        if scope["method"] == "GET" and scope["path"].startswith("/api/coupons/") and status == 200:
            return status, json.dumps(change(json.loads(body))).encode(), JSON
        return status, body, JSON

    return edit


@mutant
def get_null_claimed_by(settings: Settings) -> Any:
    """GET answers "claimed_by": null for a coupon nobody has claimed."""
    return rewriting(_edit_get_body(lambda c: {**c, "claimed_by": c["claimed_by"] or None}))(
        settings
    )


def at_most_255_bytes(value: str) -> str:
    if len(value.encode()) > 255:
        raise ValueError("at most 255 bytes")
    return value


class BytesCountedCoupon(BaseModel):
    name: Annotated[Name, AfterValidator(at_most_255_bytes)]
    amount: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]


@mutant
def names_counted_in_bytes(settings: Settings) -> Any:
    """A name's 255 counted in bytes (as Go's len() counts them): 255 characters of "é" are
    refused, though VARCHAR(255) holds them."""
    app_module.NewCoupon = BytesCountedCoupon
    return create_app(settings)


@mutant
def get_first_1000_claimants(settings: Settings) -> Any:
    """GET lists at most 1,000 claimants (a page size, a LIMIT): right for every scenario,
    wrong for a bigger sale."""
    return rewriting(_edit_get_body(lambda c: {**c, "claimed_by": c["claimed_by"][:1000]}))(
        settings
    )


@mutant
def get_first_10_claimants(settings: Settings) -> Any:
    """GET lists at most 10 claimants, disagreeing with the claims table."""
    return rewriting(_edit_get_body(lambda c: {**c, "claimed_by": c["claimed_by"][:10]}))(settings)


@mutant
def claimed_by_alphabetical(settings: Settings) -> Any:
    """GET lists claimants alphabetically instead of in commit order."""
    return rewriting(_edit_get_body(lambda c: {**c, "claimed_by": sorted(c["claimed_by"])}))(
        settings
    )


@mutant
def get_unknown_200(settings: Settings) -> Any:
    """GET of an unknown name answers 200 with an empty object."""
    return rewriting(
        lambda scope, status, body: (
            (200, b"{}", JSON)
            if scope["method"] == "GET" and status == 404
            else (status, body, JSON)
        )
    )(settings)


class DoubleDecodingStore(CouponStore):
    async def get(self, name: str) -> Coupon | None:
        return await super().get(unquote(name))


class PathSpelledStore(CouponStore):
    async def get(self, name: str) -> Coupon | None:
        return await super().get(quote(name, safe=""))


@mutant
def get_unchecked_name(settings: Settings) -> Any:
    """GET sends any name in the path to the database: a NUL in it answers 500."""
    app_module.is_storable_name = lambda name: True
    return create_app(settings)


@mutant
def get_decodes_twice(settings: Settings) -> Any:
    """GET percent-decodes the already-decoded name again: "%41" finds coupon "A"."""
    return with_store(DoubleDecodingStore)(settings)


@mutant
def get_path_undecoded(settings: Settings) -> Any:
    """GET looks the name up as the path spells it, percent-encoding and all ("a%20b" for
    "a b"), as a Go API on fiber v2 does without UnescapePath."""
    return with_store(PathSpelledStore)(settings)


@mutant
def errors_plain_text(settings: Settings) -> Any:
    """Error answers are plain text instead of JSON {"error": ...}."""
    return rewriting(plain_text_errors)(settings)


CLAIM_HOLDS_LOCK_SECONDS = 2.0


class LockHoldingStore(CouponStore):
    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        async with self.pool.connection() as conn, conn.transaction():
            row = await (
                await conn.execute(
                    "SELECT remaining_amount FROM coupons WHERE name = %s FOR UPDATE",
                    (coupon_name,),
                )
            ).fetchone()
            if row is None:
                return ClaimOutcome.NOT_FOUND
            await asyncio.sleep(CLAIM_HOLDS_LOCK_SECONDS)  # the bug: slow work under the lock
            held = await (
                await conn.execute(
                    "SELECT 1 FROM claims WHERE user_id = %s AND coupon_name = %s",
                    (user_id, coupon_name),
                )
            ).fetchone()
            if held:
                return ClaimOutcome.ALREADY_CLAIMED
            if row[0] <= 0:
                return ClaimOutcome.OUT_OF_STOCK
            await conn.execute(
                "INSERT INTO claims (user_id, coupon_name) VALUES (%s, %s)", (user_id, coupon_name)
            )
            await conn.execute(
                "UPDATE coupons SET remaining_amount = remaining_amount - 1 WHERE name = %s",
                (coupon_name,),
            )
        return ClaimOutcome.CLAIMED


@mutant
def claim_holds_lock(settings: Settings) -> Any:
    """Each claim sleeps 2 s inside its transaction, holding the coupon's row lock, with no
    time limit on the database: correct, but the claims of one coupon wait behind one
    another (the fiftieth buyer of a flash sale waits 100 s)."""
    return with_store(LockHoldingStore)(dataclasses.replace(settings, db_timeout=3600))


# ---------------------------------------------------------------- schema made at start-up

STORY_SQL = (Path(__file__).parents[2] / "scripts" / "init.sql").read_text()
# Any constant: the instances of one deployment agree on it.
MIGRATION_LOCK = 0x636F75706F6E


# How long an unlocked migration takes between finding no table and making it (an ORM
# inspects the schema first): instances started together all find none.
INSPECTION_SECONDS = 1.0


def migrate(settings: Settings, sql: str, lock: bool) -> None:
    """Make the tables at start-up when there are none, as GORM's AutoMigrate or Flyway at
    boot do: a restart finds them there."""
    with psycopg.connect(**settings.conninfo()) as conn, conn.transaction():
        if lock:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        found = conn.execute("SELECT to_regclass('coupons') IS NOT NULL").fetchone()
        if found and found[0]:
            return
        if not lock:
            time.sleep(INSPECTION_SECONDS)
        conn.execute(sql)


@mutant
def migrates_once(settings: Settings) -> Any:
    """Makes the story's tables at every start-up with a plain CREATE TABLE: the first
    start is right, a restart exits (relation "coupons" already exists) and never serves."""
    with psycopg.connect(**settings.conninfo()) as conn:
        conn.execute(STORY_SQL)
    return create_app(settings)


@mutant
def wipes_at_start_up(settings: Settings) -> Any:
    """Empties the tables at every start-up, as a migration that drops and makes them again
    does: the first start is right, a restart loses every coupon and claim."""
    with psycopg.connect(**settings.conninfo()) as conn:
        conn.execute("TRUNCATE claims, coupons")
    return create_app(settings)


@mutant
def self_migrating(settings: Settings) -> Any:
    """Allowed: the API makes the story's tables at start-up when they are not there,
    under an advisory lock (so instances started together agree); init.sql declares none."""
    migrate(settings, STORY_SQL, lock=True)
    return create_app(settings)


@mutant
def self_migrating_racy(settings: Settings) -> Any:
    """Makes the tables at start-up when it finds none, without a lock: of two instances
    started together both find none, and the one that creates second exits (relation
    "coupons" already exists); a restart finds the tables and comes up."""
    migrate(settings, STORY_SQL, lock=False)
    return create_app(settings)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MUTANTS:
        sys.exit(f"usage: {sys.argv[0]} NAME, NAME one of: {', '.join(MUTANTS)}")
    settings = load_settings()
    serve(MUTANTS[sys.argv[1]](settings), settings)
