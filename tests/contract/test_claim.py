"""POST /api/coupons/claim (api-contract.md): success, rejections, and their order."""

import pytest

from harness.races.answers import describe, error_text
from harness.races.steps import claim_needed, create_needed, stockless

pytestmark = pytest.mark.runtime


@pytest.fixture
def coupon(api, unique_name):
    def make(stock: int) -> str:
        name = unique_name()
        create_needed(api, name, stock)
        return name

    return make


@pytest.mark.contract("claim.success")
@pytest.mark.relies_on("create.created")
def test_claim_is_stored_and_decrements(api, stored, coupon) -> None:
    name = coupon(3)
    response = api.claim("alice", name)
    if response.status_code not in (200, 201) and (cause := stockless(api, name)):
        raise cause
    assert response.status_code in (200, 201), describe(response)
    with stored(name) as (state,):
        assert (state.remaining_amount, state.claimants) == (2, ("alice",)), (
            f"{state} after {describe(response)}"
        )


@pytest.mark.contract("claim.already")
@pytest.mark.relies_on("claim.success", "create.created")
def test_second_claim_by_same_user_is_rejected(api, stored, coupon) -> None:
    name = coupon(3)
    claim_needed(api, "bob", name)
    response = api.claim("bob", name)
    assert response.status_code in (400, 409), describe(response)
    with stored(name) as (state,):
        assert (state.remaining_amount, state.claimants) == (2, ("bob",)), (
            f"{state} after {describe(response)}"
        )


@pytest.mark.contract("claim.out-of-stock")
@pytest.mark.relies_on("claim.success", "create.created")
def test_claim_on_sold_out_coupon_is_rejected(api, stored, coupon) -> None:
    name = coupon(1)
    claim_needed(api, "first", name)
    response = api.claim("second", name)
    assert 400 <= response.status_code <= 409, describe(response)
    with stored(name) as (state,):
        assert (state.remaining_amount, state.claimants) == (0, ("first",)), (
            f"{state} after {describe(response)}"
        )


@pytest.mark.contract("claim.unknown")
def test_claim_on_unknown_coupon_is_rejected(api, unique_name, unchanged_tables) -> None:
    with unchanged_tables():
        response = api.claim("carol", unique_name("missing"))
        assert response.status_code in (400, 404), describe(response)


@pytest.mark.contract("claim.prefer-200")
@pytest.mark.relies_on("claim.success", "create.created")
def test_success_prefers_200(api, coupon) -> None:
    response = claim_needed(api, "dave", coupon(2))
    assert response.status_code == 200, describe(response)


@pytest.mark.contract("claim.prefer-409")
@pytest.mark.relies_on("claim.success", "create.created")
def test_already_claimed_prefers_409(api, coupon) -> None:
    name = coupon(2)
    claim_needed(api, "erin", name)
    response = api.claim("erin", name)
    assert response.status_code == 409, describe(response)


@pytest.mark.contract("claim.prefer-400-sold-out")
@pytest.mark.relies_on("claim.success", "create.created")
def test_sold_out_prefers_400_with_error(api, coupon) -> None:
    name = coupon(1)
    claim_needed(api, "frank", name)
    response = api.claim("grace", name)
    assert response.status_code == 400 and error_text(response), describe(response)


@pytest.mark.contract("claim.prefer-404-unknown")
def test_unknown_coupon_prefers_404(api, unique_name) -> None:
    response = api.claim("heidi", unique_name("missing"))
    assert response.status_code == 404, describe(response)


@pytest.mark.contract("claim.order")
@pytest.mark.relies_on("claim.success", "create.created")
def test_eligibility_is_checked_before_stock(api, coupon, claim_statuses) -> None:
    # The question whose answer differs by the order of the checks: a user who holds the
    # last unit claims again.
    already, sold_out = claim_statuses.already_claimed, claim_statuses.out_of_stock
    if already == sold_out:
        pytest.skip(f"already-claimed and out-of-stock both answer {already}: order not observable")
    sold_out_coupon = coupon(1)
    claim_needed(api, "judy", sold_out_coupon)
    response = api.claim("judy", sold_out_coupon)
    assert response.status_code == already, (
        f"a user who holds the last unit claiming again: {describe(response)}, the "
        f"out-of-stock answer, expected {already} (already claimed): stock checked first"
    )
