"""POST /api/coupons (api-contract.md): create, duplicates, boundaries."""

import pytest

from harness.races.concurrency import Call, send_at_once
from harness.races.tables import read_coupon

from .conftest import describe

pytestmark = pytest.mark.runtime


@pytest.mark.contract("create.created")
@pytest.mark.parametrize("amount", [1, 100, 2**31 - 1], ids=["one", "hundred", "int-max"])
def test_create_stores_full_stock(api, db, unique_name, amount: int) -> None:
    name = unique_name()
    response = api.create(name, amount)
    assert response.status_code == 201, describe(response)
    state = read_coupon(db, name)
    assert state is not None, f"201 for {name!r} but no coupons row"
    assert (state.amount, state.remaining_amount) == (amount, amount), state


@pytest.mark.contract("create.created")
def test_create_accepts_a_255_character_name(api, db, unique_name) -> None:
    name = unique_name("n").ljust(255, "x")
    response = api.create(name, 3)
    assert response.status_code == 201, describe(response)
    assert read_coupon(db, name) is not None


@pytest.mark.contract("create.duplicate")
def test_duplicate_name_is_409_and_first_unchanged(api, db, unique_name) -> None:
    name = unique_name()
    assert api.create(name, 5).status_code == 201
    assert api.claim("first-user", name).status_code in (200, 201)
    response = api.create(name, 50)
    assert response.status_code == 409, describe(response)
    state = read_coupon(db, name)
    assert (state.amount, state.remaining_amount) == (5, 4), f"the first coupon changed: {state}"


@pytest.mark.contract("create.race")
def test_racing_creates_of_one_name_make_one_coupon(api, db, unique_name) -> None:
    """Twenty creates of one name, released together, each with its own amount: exactly
    one 201 and nineteen 409, never a 5xx, and the coupon holds the winner's amount. Five
    rounds: the first may find the implementation's connections still being opened, which
    spaces its requests out."""
    for _ in range(5):
        name = unique_name("race")
        calls = [Call.create(name, amount) for amount in range(1, 21)]
        replies = send_at_once(api.base_urls, calls)
        answers = sorted((reply.status or 0) for reply in replies)
        summary = f"{len(calls)} creates of {name!r} at once answered {answers}"
        odd = [
            f"{r.status or 'no answer'}: {r.body or r.error}" for r in replies if r.status != 409
        ]
        assert answers == [201] + [409] * (len(calls) - 1), f"{summary}; not 409: {odd[:3]}"
        [winner] = [call for call, reply in zip(calls, replies, strict=True) if reply.status == 201]
        state = read_coupon(db, name)
        assert (state.amount, state.remaining_amount) == (winner.body["amount"],) * 2, (
            f"{summary}; the 201 was for amount {winner.body['amount']}, the table holds {state}"
        )
