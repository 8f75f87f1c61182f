"""Hostile input: bodies and paths drawn by hypothesis, and the transport-level oddities
clients send. The API never answers 5xx, every 4xx carries {"error": ...}, a request is
accepted exactly when the contract says it is valid, and a refused one changes nothing."""

from __future__ import annotations

import json
import secrets
import string
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from harness.blocked import CREATE_CREATED, Blocked
from harness.races.answers import describe
from harness.races.steps import (
    ErrorBodies,
    create_needed,
    error_body_judged_elsewhere,
    stockless,
)
from harness.races.tables import UNREAD, StoryTables

pytestmark = pytest.mark.runtime

MAX_AMOUNT = 2**31 - 1
SQL_META = ["'; DROP TABLE coupons; --", '" OR 1=1 --', "%", "_", "\\", "$1", "/* */", "';"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=250, max_size=260),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "\ud800",
            "x" * 255,
            "x" * 256,
            "\t\n\r",
            "🎟" * 255,
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "\u202e",
            "\ufeff",
            *SQL_META,
        ]
    ),
    st.text(alphabet=string.printable, min_size=1, max_size=255),
)
amounts = st.one_of(
    st.sampled_from([0, 1, MAX_AMOUNT, MAX_AMOUNT + 1, -1, -(2**31), 2**63, 1.0, 1.5, "5", True]),
    st.integers(),
    st.floats(allow_nan=False),
    json_values,
)


def text_problem(value: Any) -> str | None:
    """Why `value` is not a name or user id the contract accepts; None when it is one."""
    if not isinstance(value, str):
        return f"{json.dumps(value)[:40]} is not a string"
    if not 1 <= len(value) <= 255:
        return f"{len(value)} characters, not 1 to 255"
    if "\x00" in value:
        return "it holds a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "it holds a lone surrogate, which no UTF-8 text can: stored, it would be another id"
    return None


def valid_text(value: Any) -> bool:
    return text_problem(value) is None


def valid_amount(value: Any) -> bool:
    return type(value) is int and 1 <= value <= MAX_AMOUNT


def body_problem(body: Any, texts: tuple[str, ...], amount: bool = False) -> str | None:
    """Why a create (`amount`) or claim body is malformed; None when it is well formed."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    for field in texts:
        if (problem := text_problem(body.get(field))) is not None:
            return f"{field}: {problem}"
    if amount and not valid_amount(body.get("amount")):
        return f"amount {json.dumps(body.get('amount'))[:40]} is not an integer 1 to 2^31-1"
    return None


def post(api, path: str, body: Any):
    return api.post_raw(path, json.dumps(body).encode(), "application/json")


def assert_refusal_changed_nothing(
    response, tables: StoryTables, before, why: str, bodies: ErrorBodies
) -> None:
    refused = f"to be refused ({why}): {describe(response)}"
    assert response.status_code < 500, describe(response)
    assert 400 <= response.status_code < 500, refused
    bodies.note(response)
    if before is not UNREAD:
        after = tables.snapshot()
        assert after == before, f"a refused request changed the tables: {describe(response)}"


# Where the tables cannot be read, what this module's requests were told, to judge the
# next answers by: the names it created, and the users who hold the open coupon.
@pytest.fixture(scope="module")
def created() -> set[str]:
    return set()


@pytest.fixture(scope="module")
def holders() -> set[str]:
    return set()


def refused_for_its_amount(api, response, amount: int) -> Blocked | None:
    """create.created's finding (the amounts an implementation takes), when a create of
    this amount under a plain fresh name is refused as well."""
    if not 400 <= response.status_code < 500 or response.status_code == 409:
        return None
    probe = api.create(f"amount-probe-{secrets.token_hex(6)}", amount)
    if probe.status_code == 201:
        return None
    return Blocked(
        CREATE_CREATED, f"amount {amount} is refused whatever the name: {describe(probe)}"
    )


def check_create(
    api, tables: StoryTables, created: set[str], body: Any, bodies: ErrorBodies
) -> None:
    problem = body_problem(body, ("name",), amount=True)
    valid = problem is None
    existing = tables.coupon(body["name"]) if valid else UNREAD
    before = tables.snapshot()
    response = post(api, "/api/coupons", body)
    if problem is not None:
        assert_refusal_changed_nothing(response, tables, before, problem, bodies)
        return
    may_be_new = existing is None or existing is UNREAD
    if may_be_new and (cause := refused_for_its_amount(api, response, body["amount"])):
        raise cause
    if existing is UNREAD:  # a name it created must be refused; another may be this database's
        expected = (409,) if body["name"] in created else (201, 409)
        assert response.status_code in expected, f"valid create: {describe(response)}"
    elif existing is None:
        assert response.status_code == 201, f"valid create refused: {describe(response)}"
        state = tables.coupon(body["name"])
        assert state is not None, f"answered 201, yet not in coupons: {describe(response)}"
        assert state.amount == body["amount"], f"stored {state} after {describe(response)}"
        if state.remaining_amount != state.amount:  # the stock a create gives: its row's
            raise Blocked(CREATE_CREATED, f"stored {state} after {describe(response)}")
    else:
        assert response.status_code == 409, f"create of an existing name: {describe(response)}"
        assert tables.snapshot() == before, f"a refused create changed: {describe(response)}"
    if response.status_code == 201:
        created.add(body["name"])


@pytest.mark.contract("hostile.create")
@pytest.mark.relies_on("create.created", "errors.body")
def test_any_create_body(api, db, created, search_budget) -> None:
    bodies = ErrorBodies()

    @given(body=json_values)
    def any_body(body: Any) -> None:
        search_budget.guard()
        check_create(api, tables, created, body, bodies)

    with StoryTables(db) as tables:
        any_body()
    bodies.settle()


@pytest.mark.contract("hostile.create")
@pytest.mark.relies_on("create.created", "errors.body")
def test_any_name_and_amount(api, db, created, unique_name, search_budget) -> None:
    bodies = ErrorBodies()

    @example(name="x" * 256, amount=1)
    @example(name="", amount=1)
    @example(name="a\x00b", amount=1)
    @example(name="ok", amount=MAX_AMOUNT)
    @example(name="ok", amount=MAX_AMOUNT + 1)
    @example(name="ok", amount=True)
    @given(name=st.one_of(texts, json_values), amount=amounts)
    def any_name_and_amount(name: Any, amount: Any) -> None:
        search_budget.guard()
        if name == "ok":
            name = unique_name("hostile")  # a valid, fresh name: only the amount is on trial
        check_create(api, tables, created, {"name": name, "amount": amount}, bodies)

    with StoryTables(db) as tables:
        any_name_and_amount()
    bodies.settle()


@pytest.fixture(scope="module")
def open_coupon(api, unique_name, long_run_stock) -> str:
    name = unique_name("hostile")
    create_needed(api, name, long_run_stock)
    return name


def check_claim(
    api, tables: StoryTables, open_coupon: str, holders: set[str], body: Any, bodies: ErrorBodies
) -> None:
    """A claim on the open coupon by a new user must succeed; a malformed one is refused
    and changes nothing; any other (a claim on a coupon the creates above may have made,
    a holder's claim again) may go either way, but never 5xx nor a 4xx without its error."""
    problem = body_problem(body, ("user_id", "coupon_name"))
    well_formed = problem is None
    before = tables.snapshot()
    on_open = well_formed and body["coupon_name"] == open_coupon
    stored = tables.coupon(open_coupon) if on_open else UNREAD
    assert stored is not None, f"{open_coupon} was created (201), yet is not in coupons"
    # Only this module claims the open coupon: where the tables cannot be read, the users
    # it was told hold it are all there are.
    held = holders if stored is UNREAD else stored.claimants
    response = post(api, "/api/coupons/claim", body)
    if on_open and body["user_id"] not in held:
        if response.status_code not in (200, 201) and (cause := stockless(api, open_coupon)):
            raise cause
        assert response.status_code in (200, 201), f"valid claim refused: {describe(response)}"
        holders.add(body["user_id"])
        stored = tables.coupon(open_coupon)
        assert stored is UNREAD or body["user_id"] in stored.claimants, (
            f"{stored} after {describe(response)}"
        )
    elif problem is not None:
        assert_refusal_changed_nothing(response, tables, before, problem, bodies)
    else:
        assert response.status_code < 500, describe(response)
        bodies.note(response)


@pytest.mark.contract("hostile.claim")
@pytest.mark.relies_on("create.created", "errors.body")
def test_any_claim_body(api, db, open_coupon: str, holders, search_budget) -> None:
    bodies = ErrorBodies()

    @given(body=json_values)
    def any_body(body: Any) -> None:
        search_budget.guard()
        check_claim(api, tables, open_coupon, holders, body, bodies)

    with StoryTables(db) as tables:
        any_body()
    bodies.settle()


@pytest.mark.contract("hostile.claim")
@pytest.mark.relies_on("create.created", "errors.body")
def test_any_user_id(api, db, open_coupon: str, holders, search_budget) -> None:
    bodies = ErrorBodies()

    @example(user_id="x" * 256)
    @example(user_id="")
    @example(user_id="u\x00")
    @example(user_id="\ud800")
    @given(user_id=st.one_of(texts, json_values))
    def any_user_id(user_id: Any) -> None:
        search_budget.guard()
        body = {"user_id": user_id, "coupon_name": open_coupon}
        check_claim(api, tables, open_coupon, holders, body, bodies)

    with StoryTables(db) as tables:
        any_user_id()
    bodies.settle()


@pytest.mark.contract("hostile.claim")
@pytest.mark.relies_on("create.created", "errors.body")
def test_any_coupon_name(api, db, open_coupon: str, holders, unique_name, search_budget) -> None:
    another = unique_name("hostile")  # an existing coupon: its claim may well succeed
    create_needed(api, another, 1)
    bodies = ErrorBodies()

    @example(coupon_name="x" * 256)
    @example(coupon_name="c\x00")
    @example(coupon_name="another")
    @given(coupon_name=st.one_of(texts, json_values))
    def any_coupon_name(coupon_name: Any) -> None:
        search_budget.guard()
        coupon_name = another if coupon_name == "another" else coupon_name
        body = {"user_id": "hostile-user", "coupon_name": coupon_name}
        check_claim(api, tables, open_coupon, holders, body, bodies)

    with StoryTables(db) as tables:
        any_coupon_name()
    bodies.settle()


@pytest.mark.contract("hostile.paths")
@example(name="a\x00b")
@example(name="\ud800")
@example(name="%41/..")
@given(name=texts.filter(bool))
@pytest.mark.relies_on("errors.body")
def test_any_name_in_the_path(api, search_budget, name: str) -> None:
    search_budget.guard()
    path = "/api/coupons/" + quote(name.encode("utf-8", "surrogatepass"), safe="")
    response = api.request("GET", path)
    assert response.status_code < 500, describe(response)
    if response.status_code == 200:
        assert valid_text(name) and response.json().get("name") == name, describe(response)
    else:
        error_body_judged_elsewhere(response)


TRANSPORT = {  # id: (body, content type, why it must be refused)
    "empty-body": (b"", "application/json", "an empty body"),
    "no-content-type": (b'{"name": "x", "amount": 1}', None, "no content type"),
    "form-encoded": (
        b"name=x&amount=1",
        "application/x-www-form-urlencoded",
        "a form, not JSON",
    ),
    "text-plain": (b'{"name": "x", "amount": 1}', "text/plain", "text/plain, not JSON"),
    "invalid-utf8": (
        b'{"name": "\xff\xfe", "amount": 1}',
        "application/json",
        "bytes that are not UTF-8, so not JSON",
    ),
    "deeply-nested": (b"[" * 100_000 + b"]" * 100_000, "application/json", "not an object"),
    "huge-name": (
        b'{"name": "' + b"x" * 2_000_000 + b'", "amount": 1}',
        "application/json",
        "a name of 2,000,000 characters",
    ),
    "number-overflow": (
        b'{"name": "x", "amount": 1e400}',
        "application/json",
        "an amount beyond any integer",
    ),
    "nan": (b'{"name": "x", "amount": NaN}', "application/json", "NaN, which is not JSON"),
    "trailing-garbage": (
        b'{"name": "x", "amount": 1} {}',
        "application/json",
        "two JSON values, not one",
    ),
}


@pytest.mark.contract("hostile.transport")
@pytest.mark.parametrize("path", ["/api/coupons", "/api/coupons/claim"])
@pytest.mark.parametrize(
    ("body", "content_type", "why"), list(TRANSPORT.values()), ids=list(TRANSPORT)
)
@pytest.mark.relies_on("errors.body")
def test_transport_oddities(
    api, db, path: str, body: bytes, content_type: str | None, why: str
) -> None:
    bodies = ErrorBodies()
    with StoryTables(db) as tables:
        before = tables.snapshot()
        response = api.post_raw(path, body, content_type)
        # JSON without a content type may be accepted; it was valid
        if not (path == "/api/coupons" and content_type is None and response.status_code == 201):
            assert_refusal_changed_nothing(response, tables, before, why, bodies)
    bodies.settle()
