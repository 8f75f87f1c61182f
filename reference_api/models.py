"""Request and response bodies, validated strictly: "5", true and 1.5 are not amounts."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StrictInt, StrictStr

MAX_AMOUNT = 2**31 - 1  # amount is stored in an INTEGER column


def storable_text(value: str) -> str:
    """PostgreSQL text holds neither NUL nor lone surrogates (not encodable as UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


# The pattern only documents the NUL rule in the OpenAPI schema; storable_text enforces it
# (and refuses lone surrogates) with a clearer message.
Name = Annotated[
    StrictStr,
    Field(min_length=1, max_length=255, json_schema_extra={"pattern": "^[^\\u0000]*$"}),
    AfterValidator(storable_text),
]


class NewCoupon(BaseModel):
    name: Name = Field(examples=["PROMO_SUPER"])
    amount: Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT, examples=[100])]


class ClaimRequest(BaseModel):
    user_id: Name = Field(examples=["user_12345"])
    coupon_name: Name = Field(examples=["PROMO_SUPER"])


class CouponView(BaseModel):
    name: str
    amount: int
    remaining_amount: int
    claimed_by: list[str]


class ClaimResult(BaseModel):
    message: str
    user_id: str
    coupon_name: str


class Health(BaseModel):
    status: str
    error: str | None = None


class ErrorBody(BaseModel):
    error: str


def is_storable_name(value: str) -> bool:
    """Whether a coupon of this name could exist (used for names taken from the path)."""
    try:
        storable_text(value)
    except ValueError:
        return False
    return 1 <= len(value) <= 255
