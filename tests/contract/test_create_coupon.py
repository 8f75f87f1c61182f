"""POST /api/coupons (api-contract.md): create, duplicates, boundaries."""

import pytest

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
