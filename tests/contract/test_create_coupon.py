"""POST /api/coupons (api-contract.md): create, duplicates, boundaries."""

import pytest

from harness.races.answers import describe
from harness.races.concurrency import Call, send_at_once
from harness.races.steps import claim_needed, create_needed

pytestmark = pytest.mark.runtime


@pytest.mark.contract("create.created")
@pytest.mark.parametrize("amount", [1, 100, 2**31 - 1], ids=["one", "hundred", "int-max"])
def test_create_stores_full_stock(api, stored, unique_name, amount: int) -> None:
    name = unique_name()
    response = api.create(name, amount)
    assert response.status_code == 201, describe(response)
    with stored(name) as (state,):
        assert state is not None, f"no coupons row after {describe(response)}"
        assert (state.amount, state.remaining_amount) == (amount, amount), (
            f"stored as amount {state.amount}, remaining_amount {state.remaining_amount} "
            f"after {describe(response)}"
        )


@pytest.mark.contract("create.created")
def test_create_accepts_a_255_character_name(api, stored, unique_name) -> None:
    name = unique_name("n").ljust(255, "x")
    response = api.create(name, 3)
    assert response.status_code == 201, describe(response)
    with stored(name) as (state,):
        assert state is not None, f"201 for {name!r} but no coupons row"


@pytest.mark.contract("create.duplicate")
@pytest.mark.relies_on("claim.success", "create.created")
def test_duplicate_name_is_409_and_first_unchanged(api, stored, unique_name) -> None:
    name = unique_name()
    create_needed(api, name, 5)
    claim_needed(api, "first-user", name)
    response = api.create(name, 50)
    assert response.status_code == 409, describe(response)
    with stored(name) as (state,):
        assert (state.amount, state.remaining_amount) == (5, 4), f"the first changed: {state}"


@pytest.mark.contract("create.race")
def test_racing_creates_of_one_name_make_one_coupon(api, stored, unique_name) -> None:
    """Twenty creates of one name, released together, each with its own amount: exactly
    one 201 and nineteen 409, never a 5xx, and the coupon holds the winner's amount. Five
    rounds: the first may find the implementation's connections still being opened, which
    spaces its requests out."""
    winners = {}  # name -> the amount its 201 was for
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
        winners[name] = winner.body["amount"]
    with stored(*winners) as states:
        # The winner's amount is this row's; a stock that does not start at it, create.created's.
        held = {name: state and state.amount for name, state in zip(winners, states, strict=True)}
        assert held == winners, (
            f"each race's coupon should hold its 201's amount {winners}, it holds {held}"
        )
