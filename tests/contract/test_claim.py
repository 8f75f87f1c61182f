"""POST /api/coupons/claim (api-contract.md): success, rejections, and their order."""

import pytest

from harness.races.answers import describe, error_text

pytestmark = pytest.mark.runtime


@pytest.fixture
def coupon(api, unique_name):
    def make(stock: int) -> str:
        name = unique_name()
        response = api.create(name, stock)
        assert response.status_code == 201, describe(response)
        return name

    return make


@pytest.mark.contract("claim.success")
def test_claim_is_stored_and_decrements(api, stored, coupon) -> None:
    name = coupon(3)
    response = api.claim("alice", name)
    assert response.status_code in (200, 201), describe(response)
    with stored(name) as (state,):
        assert (state.remaining_amount, state.claimants) == (2, ("alice",)), state


@pytest.mark.contract("claim.already")
def test_second_claim_by_same_user_is_rejected(api, stored, coupon) -> None:
    name = coupon(3)
    assert api.claim("bob", name).status_code in (200, 201)
    response = api.claim("bob", name)
    assert response.status_code in (400, 409), describe(response)
    with stored(name) as (state,):
        assert (state.remaining_amount, state.claimants) == (2, ("bob",)), state


@pytest.mark.contract("claim.out-of-stock")
def test_claim_on_sold_out_coupon_is_rejected(api, stored, coupon) -> None:
    name = coupon(1)
    assert api.claim("first", name).status_code in (200, 201)
    response = api.claim("second", name)
    assert 400 <= response.status_code <= 409, describe(response)
    with stored(name) as (state,):
        assert (state.remaining_amount, state.claimants) == (0, ("first",)), state


@pytest.mark.contract("claim.unknown")
def test_claim_on_unknown_coupon_is_rejected(api, unique_name, unchanged_tables) -> None:
    with unchanged_tables():
        response = api.claim("carol", unique_name("missing"))
        assert response.status_code in (400, 404), describe(response)


@pytest.mark.contract("claim.prefer-200")
def test_success_prefers_200(api, coupon) -> None:
    response = api.claim("dave", coupon(2))
    assert response.status_code == 200, describe(response)


@pytest.mark.contract("claim.prefer-409")
def test_already_claimed_prefers_409(api, coupon) -> None:
    name = coupon(2)
    api.claim("erin", name)
    response = api.claim("erin", name)
    assert response.status_code == 409, describe(response)


@pytest.mark.contract("claim.prefer-400-sold-out")
def test_sold_out_prefers_400_with_error(api, coupon) -> None:
    name = coupon(1)
    api.claim("frank", name)
    response = api.claim("grace", name)
    assert response.status_code == 400 and error_text(response), describe(response)


@pytest.mark.contract("claim.prefer-404-unknown")
def test_unknown_coupon_prefers_404(api, unique_name) -> None:
    response = api.claim("heidi", unique_name("missing"))
    assert response.status_code == 404, describe(response)


@pytest.mark.contract("claim.order")
def test_eligibility_is_checked_before_stock(api, coupon, claim_statuses) -> None:
    # The question whose answer differs by the order of the checks: a user who holds the
    # last unit claims again.
    already, sold_out = claim_statuses.already_claimed, claim_statuses.out_of_stock
    if already == sold_out:
        pytest.skip(f"already-claimed and out-of-stock both answer {already}: order not observable")
    sold_out_coupon = coupon(1)
    api.claim("judy", sold_out_coupon)
    response = api.claim("judy", sold_out_coupon)
    assert response.status_code == already, (
        f"a user who holds the last unit claiming again got {response.status_code} "
        f"(the out-of-stock answer), expected {already} (already claimed): stock checked first"
    )
