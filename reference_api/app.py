"""The HTTP surface: routes, status codes and the uniform {"error": ...} body."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from .claim_lane import ClaimLane
from .gc_tuning import tune_for_serving
from .json_answer import JSONAnswer
from .limits import MAX_BODY_BYTES, BodySizeLimit
from .models import (
    ClaimRequest,
    ClaimResult,
    CouponView,
    ErrorBody,
    Health,
    NewCoupon,
    is_storable_name,
)
from .settings import Settings
from .store import ClaimOutcome, CouponStore, DatabaseTimeout

log = logging.getLogger("reference_api")

CLAIM_PATH = "/api/coupons/claim"
DATABASE_ERRORS = (psycopg.OperationalError, psycopg_pool.PoolTimeout, DatabaseTimeout)

AnswerClaim = Callable[[ClaimRequest], Awaitable[JSONAnswer]]

CLAIM_REJECTIONS = {
    ClaimOutcome.ALREADY_CLAIMED: (409, "user has already claimed this coupon"),
    ClaimOutcome.OUT_OF_STOCK: (400, "coupon is out of stock"),
    ClaimOutcome.NOT_FOUND: (404, "coupon not found"),
}


def error(status: int, message: str) -> JSONAnswer:
    return JSONAnswer({"error": message}, status_code=status)


def database_unavailable(exc: Exception) -> JSONAnswer:
    log.warning("database unavailable", extra={"reason": str(exc)})
    return error(503, "database unavailable")


def unexpected_error() -> JSONAnswer:
    """The answer to an exception nobody expected; call it where the exception is caught."""
    log.exception("unexpected error")
    return error(500, "internal error")


def claim_answerer(store: CouponStore) -> AnswerClaim:
    """The answer to a valid claim, for the FastAPI route and the claim lane alike. It never
    raises: a failure is an answer too, since the lane has no FastAPI handlers behind it."""

    async def answer_claim(claim: ClaimRequest) -> JSONAnswer:
        try:
            outcome = await store.claim(claim.user_id, claim.coupon_name)
        except DATABASE_ERRORS as exc:
            return database_unavailable(exc)
        except Exception:
            return unexpected_error()
        if outcome in CLAIM_REJECTIONS:
            return error(*CLAIM_REJECTIONS[outcome])
        # ClaimResult's fields as a plain dict: building and dumping the model would
        # validate again what ClaimRequest validated.
        return JSONAnswer(
            {
                "message": "coupon claimed",
                "user_id": claim.user_id,
                "coupon_name": claim.coupon_name,
            }
        )

    return answer_claim


def describe_validation_error(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors():
        where = ".".join(str(step) for step in problem["loc"] if step != "body")
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return "invalid request body: " + "; ".join(parts)


def errors(**described: str) -> dict[int | str, dict]:
    """OpenAPI entries for error answers: errors(e409="a coupon of that name exists")."""
    return {
        int(key.removeprefix("e")): {"model": ErrorBody, "description": text}
        for key, text in described.items()
    }


def create_app(
    settings: Settings, store: CouponStore | None = None, claim_lane: bool = True
) -> FastAPI | ClaimLane:
    """The API: FastAPI behind the claim lane (claim_lane.py). `claim_lane=False` gives the
    FastAPI app alone, which serves claims too: the tests compare the two."""
    store = store or CouponStore(settings)
    answer_claim = claim_answerer(store)
    app = fastapi_app(settings, store, answer_claim)
    if not claim_lane:
        return app
    return ClaimLane(
        app, path=CLAIM_PATH, model=ClaimRequest, answer=answer_claim, max_body=MAX_BODY_BYTES
    )


def fastapi_app(settings: Settings, store: CouponStore, answer_claim: AnswerClaim) -> FastAPI:
    """Every route, with the error handlers and the body size limit."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await store.open()
        tune_for_serving()
        log.info("listening", extra={"port": settings.server_port, "db_host": settings.db_host})
        yield
        await store.close()

    app = FastAPI(title="Flash Sale Coupon API", version="1.0.0", lifespan=lifespan)
    app.add_middleware(BodySizeLimit)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> Response:
        return error(400, describe_validation_error(exc))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> Response:
        response = error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

    async def database_error(_: Request, exc: Exception) -> Response:
        return database_unavailable(exc)

    for error_class in DATABASE_ERRORS:
        app.add_exception_handler(error_class, database_error)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        return unexpected_error()

    @app.get(
        "/health",
        response_model=Health,
        summary="Whether the API can reach its database",
        responses={503: {"model": Health, "description": "the database does not answer"}},
    )
    async def health() -> JSONResponse:
        try:
            await store.ping()
        except (psycopg.Error, *DATABASE_ERRORS) as exc:
            return JSONResponse(
                {"status": "unhealthy", "error": str(exc) or type(exc).__name__},
                status_code=503,
            )
        return JSONResponse({"status": "healthy"})

    @app.post(
        "/api/coupons",
        status_code=201,
        response_model=CouponView,
        summary="Create a coupon with its stock",
        responses=errors(e400="invalid body", e409="a coupon of that name exists"),
    )
    async def create_coupon(coupon: NewCoupon) -> Response:
        if not await store.create(coupon.name, coupon.amount):
            return error(409, f"coupon {coupon.name!r} already exists")
        view = CouponView(
            name=coupon.name,
            amount=coupon.amount,
            remaining_amount=coupon.amount,
            claimed_by=[],
        )
        return JSONResponse(view.model_dump(), status_code=201)

    @app.post(
        CLAIM_PATH,
        response_model=ClaimResult,
        summary="Claim one unit of a coupon for a user (once per user)",
        responses=errors(
            e400="invalid body, or the coupon is out of stock",
            e404="no coupon of that name",
            e409="this user has already claimed this coupon",
        ),
    )
    async def claim_coupon(claim: ClaimRequest) -> Response:
        return await answer_claim(claim)

    @app.get(
        "/api/coupons/{name}",
        response_model=CouponView,
        summary="A coupon, its remaining stock and its claimants in commit order",
        responses=errors(e404="no coupon of that name"),
    )
    async def get_coupon(name: str) -> Response:
        coupon = await store.get(name) if is_storable_name(name) else None
        if coupon is None:
            return error(404, "coupon not found")
        return JSONResponse(
            CouponView(
                name=coupon.name,
                amount=coupon.amount,
                remaining_amount=coupon.remaining_amount,
                claimed_by=coupon.claimed_by,
            ).model_dump()
        )

    app.openapi = _without_422(app.openapi)
    return app


def _without_422(generate: Callable[[], dict]) -> Callable[[], dict]:
    """FastAPI documents a 422 for every body; this API answers invalid bodies with 400."""

    def openapi() -> dict:
        schema = generate()  # cached by FastAPI after the first call, so this runs once
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].pop("422", None)
        for unused in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(unused, None)
        return schema

    return openapi
