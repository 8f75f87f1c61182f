"""Bad bodies (api-contract.md): 400 with {"error": ...}, and nothing stored."""

import json

import pytest

from harness.blocked import (
    CLAIM_ALREADY,
    CLAIM_INVALID,
    CLAIM_OUT_OF_STOCK,
    CLAIM_UNKNOWN,
    CREATE_DUPLICATE,
    CREATE_INVALID,
    GET_UNKNOWN,
    Blocked,
)
from harness.races.answers import describe, error_text
from harness.races.steps import claim_needed, create_needed, error_body_judged_elsewhere

pytestmark = pytest.mark.runtime

EXISTING = "<existing coupon>"  # replaced by a coupon that exists, so only the body is wrong
TOO_LONG = "x" * 256

CREATE_BODIES = {
    "not-json": b'{"name": "x", "amount": ',
    "json-array": [],
    "json-string": "coupon",
    "json-null": None,
    "empty-object": {},
    "missing-name": {"amount": 5},
    "missing-amount": {"name": "{fresh}"},
    "amount-string": {"name": "{fresh}", "amount": "5"},
    "amount-true": {"name": "{fresh}", "amount": True},
    "amount-float": {"name": "{fresh}", "amount": 1.5},
    "amount-zero": {"name": "{fresh}", "amount": 0},
    "amount-negative": {"name": "{fresh}", "amount": -3},
    "amount-over-int32": {"name": "{fresh}", "amount": 2**31},
    "amount-null": {"name": "{fresh}", "amount": None},
    "name-empty": {"name": "", "amount": 5},
    "name-256": {"name": TOO_LONG, "amount": 5},
    "name-nul": {"name": "{fresh}\u0000", "amount": 5},
    "name-number": {"name": 12345, "amount": 5},
    "name-null": {"name": None, "amount": 5},
    "name-list": {"name": ["a"], "amount": 5},
}

CLAIM_BODIES = {
    "not-json": b'{"user_id": "u1", ',
    "json-array": [],
    "json-number": 42,
    "empty-object": {},
    "missing-user": {"coupon_name": EXISTING},
    "missing-coupon": {"user_id": "u1"},
    "user-number": {"user_id": 12345, "coupon_name": EXISTING},
    "user-null": {"user_id": None, "coupon_name": EXISTING},
    "user-empty": {"user_id": "", "coupon_name": EXISTING},
    "user-256": {"user_id": TOO_LONG, "coupon_name": EXISTING},
    "user-nul": {"user_id": "u\u00001", "coupon_name": EXISTING},
    "coupon-number": {"user_id": "u1", "coupon_name": 7},
    "coupon-empty": {"user_id": "u1", "coupon_name": ""},
    "coupon-256": {"user_id": "u1", "coupon_name": TOO_LONG},
    "coupon-nul": {"user_id": "u1", "coupon_name": "c\u0000"},
}


def encode(body, substitutions: dict[str, str]) -> bytes:
    if isinstance(body, bytes):
        return body
    text = json.dumps(body)
    for placeholder, value in substitutions.items():
        text = text.replace(json.dumps(placeholder)[1:-1], json.dumps(value)[1:-1])
    return text.encode()


@pytest.mark.contract("create.invalid")
@pytest.mark.parametrize("body", list(CREATE_BODIES.values()), ids=list(CREATE_BODIES))
@pytest.mark.relies_on("errors.body")
def test_invalid_create_is_400_and_stores_nothing(api, unique_name, unchanged_tables, body) -> None:
    payload = encode(body, {"{fresh}": unique_name()})
    with unchanged_tables():
        response = api.post_raw("/api/coupons", payload, "application/json")
        assert response.status_code == 400, describe(response)
    error_body_judged_elsewhere(response)


@pytest.mark.contract("claim.invalid")
@pytest.mark.parametrize("body", list(CLAIM_BODIES.values()), ids=list(CLAIM_BODIES))
@pytest.mark.relies_on("create.created", "errors.body")
def test_invalid_claim_is_400_and_stores_nothing(api, unique_name, unchanged_tables, body) -> None:
    coupon = unique_name()
    create_needed(api, coupon, 5)
    payload = encode(body, {EXISTING: coupon})
    with unchanged_tables():
        response = api.post_raw("/api/coupons/claim", payload, "application/json")
        assert response.status_code == 400, describe(response)
    error_body_judged_elsewhere(response)


def _duplicate_create(api, name):
    create_needed(api, name, 1)
    return api.create(name, 1)


def _already_claimed(api, name):
    create_needed(api, name, 2)
    claim_needed(api, "u", name)
    return api.claim("u", name)


def _out_of_stock(api, name):
    create_needed(api, name, 1)
    claim_needed(api, "u", name)
    return api.claim("v", name)


ERROR_CASES = {  # id: (how to provoke the error, the row that judges it is refused)
    "duplicate-create": (_duplicate_create, CREATE_DUPLICATE),
    "already-claimed": (_already_claimed, CLAIM_ALREADY),
    "out-of-stock": (_out_of_stock, CLAIM_OUT_OF_STOCK),
    "claim-unknown": (lambda api, name: api.claim("u", name), CLAIM_UNKNOWN),
    "get-unknown": (lambda api, name: api.get(name), GET_UNKNOWN),
    "invalid-create": (lambda api, name: api.create(name, "many"), CREATE_INVALID),
    "invalid-claim": (lambda api, name: api.claim(None, name), CLAIM_INVALID),
}


@pytest.mark.contract("errors.body")
@pytest.mark.parametrize(("provoke", "refusal"), list(ERROR_CASES.values()), ids=list(ERROR_CASES))
def test_every_error_has_an_error_body(api, unique_name, provoke, refusal) -> None:
    """The body of the error answer, whatever its status (a 5xx that should have been a
    409 is create.duplicate's finding); no error answer at all is its row's finding."""
    response = provoke(api, unique_name())
    if response.status_code < 400:
        raise Blocked(refusal, f"no error answer to judge the body of: {describe(response)}")
    assert response.headers.get("content-type", "").startswith("application/json"), describe(
        response
    )
    assert error_text(response), f"no {{'error': text}} body: {describe(response)}"
