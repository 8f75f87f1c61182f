"""GET /api/coupons/{name} (api-contract.md): shape, unknown names, awkward names, order."""

import pytest

from harness.blocked import CREATE_CREATED, Blocked
from harness.races.answers import describe
from harness.races.steps import claim_needed, create_needed, stockless

pytestmark = pytest.mark.runtime

FIELDS = {"name", "amount", "remaining_amount", "claimed_by"}


@pytest.mark.contract("get.shape")
@pytest.mark.relies_on("create.created")
def test_fresh_coupon_has_exact_fields_and_empty_list(api, unique_name) -> None:
    name = unique_name()
    create_needed(api, name, 7)
    response = api.get(name)
    assert response.status_code == 200, describe(response)
    body = response.json()
    assert isinstance(body, dict) and set(body) == FIELDS, (
        f"fields {sorted(body) if isinstance(body, dict) else body!r}, expected exactly "
        f"{sorted(FIELDS)}: {describe(response)}"
    )
    numbers = (body["amount"], body["remaining_amount"])
    assert all(type(n) is int for n in numbers), f"amounts not integers: {describe(response)}"
    assert (body["name"], body["claimed_by"]) == (name, []), describe(response)
    if numbers != (7, 7):  # the shape is right: the stock is what the create gave it
        raise Blocked(CREATE_CREATED, f"a create of amount 7, then {describe(response)}")


@pytest.mark.contract("get.shape")
@pytest.mark.relies_on("claim.success", "create.created")
def test_claims_show_in_claimed_by(api, unique_name) -> None:
    name = unique_name()
    create_needed(api, name, 5)
    for user in ("u1", "u2"):
        claim_needed(api, user, name)
    response = api.get(name)
    body = response.json()
    assert body["remaining_amount"] == 3 and sorted(body["claimed_by"]) == ["u1", "u2"], (
        f"u1 and u2 claimed: {describe(response)}"
    )


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
@pytest.mark.relies_on("create.created")
def test_awkward_names_round_trip(api, unique_name, suffix: str) -> None:
    name = unique_name() + suffix
    created = api.create(name, 2)
    assert created.status_code == 201, f"a new name: {describe(created)}"
    claimed = api.claim("user with space", name)
    if claimed.status_code not in (200, 201) and (cause := stockless(api, name)):
        raise cause
    assert claimed.status_code in (200, 201), f"a claim on it: {describe(claimed)}"
    response = api.get(name)
    assert response.status_code == 200, describe(response)
    body = response.json()
    assert (body["name"], body["claimed_by"]) == (name, ["user with space"]), describe(response)


@pytest.mark.contract("get.prefer-commit-order")
@pytest.mark.relies_on("claim.success", "create.created")
def test_claimed_by_in_commit_order(api, unique_name) -> None:
    name = unique_name()
    create_needed(api, name, 10)
    users = ["zoe", "adam", "mia", "bert", "lea"]
    for user in users:
        claim_needed(api, user, name)
    response = api.get(name)
    assert response.json()["claimed_by"] == users, f"claimed {users}: {describe(response)}"
