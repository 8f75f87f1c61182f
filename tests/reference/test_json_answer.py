"""JSONAnswer, the claim's lighter JSONResponse, sends what starlette's JSONResponse sends."""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from reference_api.json_answer import JSONAnswer

HTTP_SCOPE = {"type": "http", "method": "POST", "path": "/api/coupons/claim"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def sent(response) -> list[dict]:
    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    async def receive() -> dict:
        raise AssertionError("an answer reads nothing")

    asyncio.run(response(HTTP_SCOPE, receive, send))
    return messages


@given(content=json_values, status=st.sampled_from([200, 201, 400, 404, 409, 500, 503]))
def test_an_answer_sends_the_messages_jsonresponse_sends(content, status) -> None:
    try:
        expected = sent(JSONResponse(content, status_code=status))
    except UnicodeEncodeError:  # a lone surrogate: neither can send it
        with pytest.raises(UnicodeEncodeError):
            JSONAnswer(content, status_code=status)
        return
    assert sent(JSONAnswer(content, status_code=status)) == expected


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_an_answer_refuses_what_json_cannot_carry_as_jsonresponse_does(number) -> None:
    with pytest.raises(ValueError):
        JSONResponse({"amount": number})
    with pytest.raises(ValueError):
        JSONAnswer({"amount": number})


def test_headers_added_later_are_sent() -> None:
    """The 405 handler adds Allow to an error answer, as to any starlette response."""
    answer = JSONAnswer({"error": "method not allowed"}, status_code=405)
    answer.headers.update({"allow": "POST"})
    assert (b"allow", b"POST") in sent(answer)[0]["headers"]
