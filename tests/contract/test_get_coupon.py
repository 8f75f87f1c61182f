"""GET /api/coupons/{name} (api-contract.md): shape, unknown names, awkward names, order."""

import pytest

from harness.races.answers import describe

pytestmark = pytest.mark.runtime

FIELDS = {"name", "amount", "remaining_amount", "claimed_by"}


@pytest.mark.contract("get.shape")
def test_fresh_coupon_has_exact_fields_and_empty_list(api, unique_name) -> None:
    name = unique_name()
    api.create(name, 7)
    response = api.get(name)
    assert response.status_code == 200, describe(response)
    body = response.json()
    assert set(body) == FIELDS, f"fields {sorted(body)}, expected exactly {sorted(FIELDS)}"
    assert body == {"name": name, "amount": 7, "remaining_amount": 7, "claimed_by": []}, body


@pytest.mark.contract("get.shape")
def test_claims_show_in_claimed_by(api, unique_name) -> None:
    name = unique_name()
    api.create(name, 5)
    for user in ("u1", "u2"):
        api.claim(user, name)
    body = api.get(name).json()
    assert body["remaining_amount"] == 3 and sorted(body["claimed_by"]) == ["u1", "u2"], body


@pytest.mark.contract("get.unknown")
def test_unknown_name_is_404(api, unique_name) -> None:
    response = api.get(unique_name("missing"))
    assert response.status_code == 404, describe(response)


@pytest.mark.contract("get.names")
@pytest.mark.parametrize(
    "suffix",
    [" with spaces", " ünïcödé ✓ 優惠券", " emoji 🎟️", " 100% off?", " a+b&c=d#e", " %41%2F"],
    ids=["spaces", "unicode", "astral", "percent", "query-chars", "encoded-looking"],
)
def test_awkward_names_round_trip(api, unique_name, suffix: str) -> None:
    name = unique_name() + suffix
    assert api.create(name, 2).status_code == 201
    assert api.claim("user with space", name).status_code in (200, 201)
    response = api.get(name)
    assert response.status_code == 200, describe(response)
    body = response.json()
    assert (body["name"], body["claimed_by"]) == (name, ["user with space"]), body


@pytest.mark.contract("get.prefer-commit-order")
def test_claimed_by_in_commit_order(api, unique_name) -> None:
    name = unique_name()
    api.create(name, 10)
    users = ["zoe", "adam", "mia", "bert", "lea"]
    for user in users:
        api.claim(user, name)
    assert api.get(name).json()["claimed_by"] == users
