"""The claim lane (reference_api/claim_lane.py) is only a shortcut: for any request, the
API answers exactly as it does with every claim going through FastAPI."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from starlette.responses import JSONResponse

from reference_api.app import CLAIM_PATH, create_app
from reference_api.claim_lane import ClaimLane
from reference_api.limits import MAX_BODY_BYTES
from reference_api.models import ClaimResult
from reference_api.settings import Settings
from reference_api.store import ClaimOutcome, DatabaseTimeout

SCRIPTED_OUTCOMES = {
    "won": ClaimOutcome.CLAIMED,
    "mine": ClaimOutcome.ALREADY_CLAIMED,
    "sold-out": ClaimOutcome.OUT_OF_STOCK,
}


class ScriptedStore:
    """Answers claims by coupon name, so both apps meet the same outcomes and failures."""

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        if coupon_name == "paused-db":
            raise DatabaseTimeout(5)
        if coupon_name == "bug":
            raise RuntimeError("an unexpected failure")
        return SCRIPTED_OUTCOMES.get(coupon_name, ClaimOutcome.NOT_FOUND)

    async def get(self, name: str) -> None:
        return None


def call(app, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]):
    """One request straight through ASGI: (status, content type, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 3000),
    }
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]).get(b"content-type"), body


# Every coupon name ScriptedStore knows, and one it does not.
SCRIPTED_NAMES = [*SCRIPTED_OUTCOMES, "paused-db", "bug", "nope"]

names = st.one_of(st.sampled_from([*SCRIPTED_NAMES, "", "x" * 256]), st.text(max_size=8))
claim_objects = st.fixed_dictionaries(
    {},
    optional={
        "user_id": st.one_of(names, st.integers(), st.none(), st.lists(names, max_size=2)),
        "coupon_name": st.one_of(names, st.integers(), st.booleans()),
        "extra": st.integers(),
    },
)
valid_claims = st.fixed_dictionaries(
    {"user_id": st.text(min_size=1, max_size=8), "coupon_name": st.sampled_from(SCRIPTED_NAMES)}
)
# Bodies a lane might get wrong, each sent whole and in three pieces.
EDGE_BODIES = [
    b"",
    b"[]",
    b'"text"',
    b"{",
    b'{"user_id": "\\ud800", "coupon_name": "won"}',  # a lone surrogate
    b'{"user_id": "a\\u0000", "coupon_name": "won"}',
    b'{"user_id": "a", "coupon_name": "won", "user_id": "b"}',  # a repeated key
    b'{"user_id": "a", "coupon_name": "won"}\n',
    b"\xff\xfe{}",
    b"[" * 5_000,  # deeper than json.loads can go
    b'{"user_id": "u", "coupon_name": "won"}' + b" " * MAX_BODY_BYTES,  # valid, too large
]
bodies = st.one_of(
    st.sampled_from(EDGE_BODIES),
    claim_objects.map(lambda obj: json.dumps(obj).encode()),
    claim_objects.map(lambda obj: json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace")),
    st.binary(max_size=40),
)
content_types = st.sampled_from(
    [
        None,
        b"application/json",
        b"Application/JSON",
        b"application/json; charset=utf-8",
        b"application/merge-patch+json",
        b"text/plain",
    ]
)
anything = st.tuples(
    st.sampled_from(["POST", "POST", "GET", "PUT"]),
    st.sampled_from([CLAIM_PATH, CLAIM_PATH, CLAIM_PATH + "/", "/api/coupons/won"]),
    content_types,
    bodies,
    st.integers(1, 3),
)
claims = st.tuples(
    st.just("POST"),
    st.just(CLAIM_PATH),
    st.just(b"application/json"),
    valid_claims.map(lambda obj: json.dumps(obj).encode()),
    st.integers(1, 3),
)
requests = st.one_of(claims, anything)  # about half of them for the lane to take


def answers(request: tuple, claim_lane: bool):
    method, path, content_type, body, pieces = request
    app = create_app(Settings(), ScriptedStore(), claim_lane=claim_lane)
    headers = [(b"content-type", content_type)] if content_type else []
    size = -(-len(body) // pieces) or 1
    chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    return call(app, method, path, headers, chunks)


@pytest.mark.parametrize("pieces", [1, 3])
@pytest.mark.parametrize("body", EDGE_BODIES, ids=range(len(EDGE_BODIES)))
def test_the_lane_answers_edge_bodies_as_fastapi_does(body: bytes, pieces: int) -> None:
    request = ("POST", CLAIM_PATH, b"application/json", body, pieces)
    assert answers(request, claim_lane=True) == answers(request, claim_lane=False)


@settings(max_examples=300, deadline=None)
@given(request=requests)
def test_the_lane_answers_every_request_as_fastapi_does(request) -> None:
    assert answers(request, claim_lane=True) == answers(request, claim_lane=False)


def test_the_lane_serves_valid_claims_and_leaves_the_rest_to_fastapi() -> None:
    """The comparison above means something only if the lane does take claims."""
    valid = json.dumps({"user_id": "u1", "coupon_name": "won"}).encode()
    status, content_type, body = answers(
        ("POST", CLAIM_PATH, b"application/json", valid, 1), claim_lane=True
    )
    assert (status, content_type) == (200, b"application/json")
    assert json.loads(body) == {"message": "coupon claimed", "user_id": "u1", "coupon_name": "won"}
    assert set(json.loads(body)) == set(ClaimResult.model_fields)  # what OpenAPI documents
    status, _, body = answers(("POST", CLAIM_PATH, b"application/json", b"{", 1), True)
    assert status == 400 and b"JSON" in body  # FastAPI's own message, not the lane's


class LaxClaim(BaseModel):
    user_id: str
    coupon_name: str


async def answer_won(claim: LaxClaim) -> JSONResponse:
    return JSONResponse({"message": "coupon claimed", **claim.model_dump()})


def test_a_lane_that_validates_less_than_fastapi_would_be_caught() -> None:
    """A lane with a laxer model stores a claim FastAPI refuses: the comparison sees it."""
    lax = ClaimLane(
        create_app(Settings(), ScriptedStore(), claim_lane=False),
        path=CLAIM_PATH,
        model=LaxClaim,
        answer=answer_won,
        max_body=MAX_BODY_BYTES,
    )
    empty_user = json.dumps({"user_id": "", "coupon_name": "won"}).encode()
    headers = [(b"content-type", b"application/json")]
    lane_answer = call(lax, "POST", CLAIM_PATH, headers, [empty_user])
    fastapi_answer = answers(("POST", CLAIM_PATH, b"application/json", empty_user, 1), False)
    assert fastapi_answer[0] == 400
    assert lane_answer != fastapi_answer
