"""Names and user ids are identities, compared exactly (api-contract.md): names that differ
only in case, in surrounding or inner whitespace, or in unicode normalization form are
different coupons, and each round-trips unchanged through create, claim and GET; user ids
that differ so are different users."""

from __future__ import annotations

import unicodedata

import pytest

from harness.blocked import GET_NAMES, Blocked
from harness.races.answers import describe
from harness.races.judge import view_later
from harness.races.steps import claim_needed, create_needed
from harness.races.tables import read_coupon

pytestmark = pytest.mark.runtime

CAFE = "caf\u00e9"  # é as one code point (NFC)
# Each group: names one sloppy comparison would take for one another, around a fresh name.
LOOKALIKES = {
    "case": lambda fresh: [f"{fresh} Promo", f"{fresh} PROMO", f"{fresh} promo"],
    "surrounding-whitespace": lambda fresh: [fresh, f" {fresh}", f"{fresh} ", f"\t{fresh}"],
    "inner-whitespace": lambda fresh: [
        f"{fresh} Pro mo",
        f"{fresh} Pro  mo",
        f"{fresh} Pro\u00a0mo",
    ],
    "normalization": lambda fresh: [
        f"{fresh} {CAFE}",
        f"{fresh} {unicodedata.normalize('NFD', CAFE)}",
    ],
}


def path_problem(api, fresh: str) -> str:
    """'' when GET reaches a coupon whose name must be percent-encoded in the path (a space,
    an é); else what was seen. That is get.names' failure, and every GET below would show
    it again rather than anything about identity."""
    name = f"{fresh} path {CAFE}"
    created = api.create(name, 1)
    assert created.status_code == 201, f"{name!r} is a new name: {describe(created)}"
    response = api.get(name)
    if response.status_code == 200 and response.json().get("name") == name:
        return ""
    return f"GET {name!r}, a name to percent-encode in the path: {describe(response)}"


@pytest.mark.contract("names.identity")
@pytest.mark.parametrize("group", list(LOOKALIKES))
@pytest.mark.relies_on("get.names")
def test_names_differing_only_so_are_distinct_coupons(api, db, unique_name, group) -> None:
    names = LOOKALIKES[group](unique_name("names"))
    for amount, name in enumerate(names, start=2):
        response = api.create(name, amount)
        assert response.status_code == 201, f"{name!r} is a new name: {describe(response)}"
    for name in names:
        response = api.claim(f"holder of {name}", name)
        assert response.status_code in (200, 201), f"claim on {name!r}: {describe(response)}"
    unreachable = path_problem(api, unique_name("names"))
    for amount, name in enumerate([] if unreachable else names, start=2):
        response = api.get(name)
        assert response.status_code == 200, f"GET {name!r}: {describe(response)}"
        body = response.json()
        seen = (body.get("name"), body.get("amount"), body.get("claimed_by"))
        assert seen == (name, amount, [f"holder of {name}"]), (
            f"GET {name!r} answered the coupon of another name: {describe(response)}"
        )
    for name in names:  # after every answer was judged: a schema of its own blocks here
        try:
            state = read_coupon(db, name, None if unreachable else view_later(api, name))
        except Blocked as unread:
            raise unread.having_held("what HTTP showed held") from None
        assert state is not None and state.claimants == (f"holder of {name}",), (
            f"{name!r} in the tables: {state}"
        )
    if unreachable:
        raise Blocked(GET_NAMES, unreachable, held="create, claim and the tables kept them apart")


@pytest.mark.contract("users.identity")
@pytest.mark.parametrize("group", list(LOOKALIKES))
@pytest.mark.relies_on("claim.success", "create.created")
def test_user_ids_differing_only_so_are_distinct_users(api, db, unique_name, group) -> None:
    """User ids are identities like names: each lookalike is a user of their own, eligible
    for their own claim, and listed unchanged in claimed_by and the claims table."""
    users = LOOKALIKES[group](unique_name("user"))
    coupon = unique_name("users")
    create_needed(api, coupon, len(users) + 1)
    claim_needed(api, users[0], coupon)  # a first claim: claim.success's, not identity's
    for user in users[1:]:
        response = api.claim(user, coupon)
        assert response.status_code in (200, 201), (
            f"{user!r} is a user of their own, who has not claimed {coupon!r} "
            f"(claimed before: {users[: users.index(user)]!r}): {describe(response)}"
        )
    response = api.get(coupon)
    assert response.status_code == 200, describe(response)
    listed = response.json().get("claimed_by")
    assert sorted(listed or []) == sorted(users), (
        f"claimed_by must list each of {users!r} unchanged: {describe(response)}"
    )
    try:
        state = read_coupon(db, coupon, view_later(api, coupon))
    except Blocked as unread:
        raise unread.having_held("what HTTP showed held") from None
    assert state is not None and sorted(state.claimants) == sorted(users), (
        f"the claims table holds {state.claimants if state else None!r}, not {users!r}"
    )
